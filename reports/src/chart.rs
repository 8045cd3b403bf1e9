//! SVG charts for the HTML reports, drawn with plotters into strings. Each chart is a plain
//! description ([`Chart`]) so that one run's report and a comparison of several runs draw the
//! same charts, overlaid.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// The palette (Tableau 10): series colours in order.
pub const PALETTE: [(u8, u8, u8); 10] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
];

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Style {
    /// A line through the points.
    Line,
    /// A thinner, lighter line (a secondary measure of the same run).
    Faint,
    /// Bars of the given width centred on each point's x.
    Bars(f64),
}

/// One series: named points in one colour.
#[derive(Clone, Debug)]
pub struct Series {
    /// Its legend entry.
    pub name: String,
    /// (x, y) points; NaN y values leave gaps.
    pub points: Vec<(f64, f64)>,
    /// Index into [`PALETTE`].
    pub color: usize,
    /// How it is drawn.
    pub style: Style,
}

impl Series {
    /// A series of `points` named `name`, drawn in `style` with [`PALETTE`]'s `color`.
    pub fn new(
        name: impl Into<String>,
        points: Vec<(f64, f64)>,
        color: usize,
        style: Style,
    ) -> Series {
        Series {
            name: name.into(),
            points,
            color,
            style,
        }
    }
}

/// What the x axis shows.
#[derive(Clone, Copy, Debug)]
pub enum XAxis {
    /// Day indexes, labelled as dates from this first day.
    Days(chrono::NaiveDate),
    /// Plain numbers.
    Linear,
    /// x holds log10 of the value; labels show the value (ns as ns / µs / ms).
    Log10Nanoseconds,
}

/// A chart.
#[derive(Clone, Debug)]
pub struct Chart {
    /// Title above it.
    pub title: String,
    /// x axis label.
    pub x_label: String,
    /// y axis label.
    pub y_label: String,
    /// What x means.
    pub x_axis: XAxis,
    /// Series in drawing order.
    pub series: Vec<Series>,
    /// Shaded x ranges with a label (calendar events).
    pub bands: Vec<(f64, f64, String)>,
    /// Horizontal reference lines with a label (capacity, targets).
    pub h_lines: Vec<(f64, String)>,
    /// Vertical reference lines with a label.
    pub v_lines: Vec<(f64, String)>,
    /// Show y as a percentage of 1.
    pub y_percent: bool,
}

impl Chart {
    /// An empty chart with labels.
    pub fn new(title: &str, x_label: &str, y_label: &str, x_axis: XAxis) -> Chart {
        Chart {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            x_axis,
            series: Vec::new(),
            bands: Vec::new(),
            h_lines: Vec::new(),
            v_lines: Vec::new(),
            y_percent: false,
        }
    }

    /// Whether any series has a finite point.
    pub fn has_data(&self) -> bool {
        self.series
            .iter()
            .any(|s| s.points.iter().any(|p| p.0.is_finite() && p.1.is_finite()))
    }
}

fn color(index: usize) -> RGBColor {
    let (r, g, b) = PALETTE[index % PALETTE.len()];
    RGBColor(r, g, b)
}

fn format_ns(log10: f64) -> String {
    let ns = 10f64.powf(log10);
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.0} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.0} ms", ns / 1e6)
    } else {
        format!("{:.0} s", ns / 1e9)
    }
}

fn format_number(y: f64) -> String {
    let magnitude = y.abs();
    if magnitude >= 1e6 {
        format!("{:.1}M", y / 1e6)
    } else if magnitude >= 1e4 {
        format!("{:.0}k", y / 1e3)
    } else if magnitude >= 100.0 || y == y.trunc() {
        format!("{y:.0}")
    } else {
        format!("{y:.2}")
    }
}

/// The chart as an `<svg>` element, `width` × `height` pixels.
pub fn svg(chart: &Chart, width: u32, height: u32) -> String {
    let mut out = String::new();
    if let Err(error) = draw(chart, width, height, &mut out) {
        // A drawing error is a bug here, not bad input: show it in place, keep the report.
        return format!(
            "<p class=\"bad\">chart “{}” could not be drawn: {}</p>",
            crate::format::escape(&chart.title),
            crate::format::escape(&error.to_string())
        );
    }
    // plotters writes an XML-less <svg>; give it a role and a title for screen readers.
    out.replacen(
        "<svg ",
        &format!(
            "<svg role=\"img\" aria-label=\"{}\" ",
            crate::format::escape(&chart.title)
        ),
        1,
    )
}

/// The axes' ranges: every finite point, half a bar either side, the reference lines, and room
/// above the highest value.
fn ranges(chart: &Chart) -> (f64, f64, f64, f64) {
    let finite = |p: &&(f64, f64)| p.0.is_finite() && p.1.is_finite();
    let points = || {
        chart
            .series
            .iter()
            .flat_map(|s| s.points.iter())
            .filter(finite)
    };
    let (mut x0, mut x1) = points().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
        (lo.min(p.0), hi.max(p.0))
    });
    let half_bar = chart
        .series
        .iter()
        .map(|s| match s.style {
            Style::Bars(w) => w / 2.0,
            _ => 0.0,
        })
        .fold(0.0, f64::max);
    for &(v, _) in &chart.v_lines {
        x0 = x0.min(v);
        x1 = x1.max(v);
    }
    if !x0.is_finite() {
        (x0, x1) = (0.0, 1.0);
    }
    let (x0, x1) = (x0 - half_bar, (x1 + half_bar).max(x0 + 1e-9));
    let y_max = points()
        .map(|p| p.1)
        .chain(chart.h_lines.iter().map(|h| h.0))
        .fold(0.0, f64::max);
    let y_min = points().map(|p| p.1).fold(0.0, f64::min);
    let y1 = if y_max > 0.0 { y_max * 1.08 } else { 1.0 };
    (x0, x1, y_min, y1)
}

/// The points in runs of finite ones: NaN breaks a line, so each run is drawn separately.
fn finite_runs(points: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for &p in points {
        if p.0.is_finite() && p.1.is_finite() {
            runs.last_mut().expect("one run at least").push(p);
        } else if !runs.last().expect("one run at least").is_empty() {
            runs.push(Vec::new());
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

/// The chart's drawing area, in its coordinates.
type Plot<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The horizontal and vertical reference lines with their labels, across the axes' ranges.
fn reference_lines(
    c: &mut Plot,
    chart: &Chart,
    (x0, x1, y_min, y1): (f64, f64, f64, f64),
) -> DrawResult {
    let reference = RGBColor(90, 90, 90);
    for (y, label) in &chart.h_lines {
        c.draw_series(std::iter::once(PathElement::new(
            vec![(x0, *y), (x1, *y)],
            reference.stroke_width(1),
        )))?;
        c.draw_series(std::iter::once(Text::new(
            label.clone(),
            (x0, *y),
            ("sans-serif", 11).into_font().color(&reference),
        )))?;
    }
    for (x, label) in &chart.v_lines {
        c.draw_series(std::iter::once(PathElement::new(
            vec![(*x, y_min), (*x, y1)],
            reference.stroke_width(1),
        )))?;
        c.draw_series(std::iter::once(Text::new(
            label.clone(),
            (*x, y1 * 0.9),
            ("sans-serif", 11).into_font().color(&reference),
        )))?;
    }
    Ok(())
}

/// Pixels a character of the 11-pixel band labels takes, on average (sans-serif).
const BAND_LABEL_CHAR_PX: f64 = 6.0;

/// The calendar events' shaded bands, each labelled with as much of its name as fits before the
/// next band or the plot's edge: cut short with "…", or left out where not even two characters
/// fit, so that labels never run into each other.
fn event_bands(
    c: &mut Plot,
    chart: &Chart,
    (_, x1, y_min, y1): (f64, f64, f64, f64),
) -> DrawResult {
    for (from, to, label) in &chart.bands {
        c.draw_series(std::iter::once(Rectangle::new(
            [(*from - 0.5, y_min), (*to + 0.5, y1)],
            RGBColor(255, 200, 0).mix(0.18).filled(),
        )))?;
        let next = chart
            .bands
            .iter()
            .map(|b| b.0)
            .filter(|start| start > from)
            .fold(x1 + 0.5, f64::min);
        let room_px = c.backend_coord(&(next - 0.5, y1)).0 - c.backend_coord(&(*from - 0.5, y1)).0;
        let Some(text) = fitted(label, room_px as f64 / BAND_LABEL_CHAR_PX) else {
            continue;
        };
        c.draw_series(std::iter::once(Text::new(
            text,
            (*from - 0.5, y1 * 0.97),
            ("sans-serif", 11).into_font().color(&RGBColor(150, 110, 0)),
        )))?;
    }
    Ok(())
}

/// `label` if it has at most `chars` characters; else its start and "…" in `chars`, or `None`
/// when fewer than two of its characters would show.
fn fitted(label: &str, chars: f64) -> Option<String> {
    if label.chars().count() as f64 <= chars {
        return Some(label.to_string());
    }
    let keep = chars.floor() as usize;
    (keep >= 3).then(|| label.chars().take(keep - 1).chain(['…']).collect())
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

fn draw(chart: &Chart, width: u32, height: u32, out: &mut String) -> DrawResult {
    let finite = |p: &&(f64, f64)| p.0.is_finite() && p.1.is_finite();
    let (x0, x1, y_min, y1) = ranges(chart);

    let root = SVGBackend::with_string(out, (width, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut c = ChartBuilder::on(&root)
        .caption(&chart.title, ("sans-serif", 17))
        .margin(12)
        .x_label_area_size(38)
        .y_label_area_size(62)
        .build_cartesian_2d(x0..x1, y_min..y1)?;
    let x_axis = chart.x_axis;
    let x_format = move |x: &f64| match x_axis {
        XAxis::Days(start) => (start + chrono::Days::new(x.max(0.0).round() as u64))
            .format("%b %d")
            .to_string(),
        XAxis::Linear => format_number(*x),
        XAxis::Log10Nanoseconds => format_ns(*x),
    };
    let percent = chart.y_percent;
    let y_format = move |y: &f64| {
        if percent {
            format!("{:.0} %", y * 100.0)
        } else {
            format_number(*y)
        }
    };
    c.configure_mesh()
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(BLACK.mix(0.08))
        .x_desc(&chart.x_label)
        .y_desc(&chart.y_label)
        .x_labels(8)
        .y_labels(6)
        .x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .label_style(("sans-serif", 12))
        .draw()?;
    event_bands(&mut c, chart, (x0, x1, y_min, y1))?;
    for series in &chart.series {
        let line_color = color(series.color);
        let legend_color = line_color;
        let drawn = match series.style {
            Style::Bars(w) => {
                c.draw_series(series.points.iter().filter(finite).map(|&(x, y)| {
                    Rectangle::new(
                        [(x - w / 2.0 + w * 0.06, 0.0), (x + w / 2.0 - w * 0.06, y)],
                        line_color.mix(0.8).filled(),
                    )
                }))?
            }
            Style::Line | Style::Faint => {
                let style = if series.style == Style::Faint {
                    line_color.mix(0.45).stroke_width(1)
                } else {
                    line_color.stroke_width(2)
                };
                c.draw_series(
                    finite_runs(&series.points)
                        .into_iter()
                        .map(move |r| PathElement::new(r, style)),
                )?
            }
        };
        drawn.label(&series.name).legend(move |(x, y)| {
            Rectangle::new([(x, y - 4), (x + 14, y + 4)], legend_color.filled())
        });
    }
    reference_lines(&mut c, chart, (x0, x1, y_min, y1))?;
    if chart.series.iter().any(|s| !s.name.is_empty()) {
        c.configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font(("sans-serif", 12))
            .draw()?;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::fitted;

    #[test]
    fn band_labels_are_cut_to_the_room_they_have() {
        assert_eq!(
            fitted("Cyber Monday", 12.0).as_deref(),
            Some("Cyber Monday")
        );
        assert_eq!(fitted("Cyber Monday", 7.9).as_deref(), Some("Cyber …"));
        assert_eq!(fitted("Black Friday", 3.0).as_deref(), Some("Bl…"));
        assert_eq!(fitted("Black Friday", 2.5), None);
        assert_eq!(fitted("Black Friday", -4.0), None);
    }
}
