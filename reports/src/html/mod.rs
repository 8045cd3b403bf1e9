//! The self-contained HTML report: one file, inline CSS and SVG, no script, no network. It opens
//! offline in any browser and prints cleanly. [`report`] shows one run; [`comparison`] several,
//! with the same charts overlaid.

use std::fmt::Write as _;

use crate::chart;
use crate::format::{display, display_against, escape, number, share_text, target_text};
use crate::kpi::{self, Kpi, Verdict};
use crate::run::*;
use crate::unit::Unit;

mod charts;

use charts::{
    daily_orders, figure, latency, processing, shipping_cost, sku_stock, stock_totals,
    warehouse_load, wide_figure, SMALL_HEIGHT, SMALL_WIDTH,
};

/// SKUs listed in the report's SKU table (the CSV and Parquet files have them all).
const SKU_TABLE_ROWS: usize = 20;

/// Escaped text with `code` spans (the catalog's Markdown) as `<code>` elements.
fn rich(text: &str) -> String {
    escape(text)
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{part}</code>")
            } else {
                part.to_string()
            }
        })
        .collect()
}

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:1100px;padding:20px;color:#1d2530;background:#fff}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #dde;padding-bottom:4px}
.meta{color:#556;margin:0 0 14px}
.banner{padding:12px 16px;border-radius:6px;margin:12px 0;font-weight:600}
.banner.failed{background:#fde2e1;color:#8a1c17;border:1px solid #e9a19d}
.banner.empty{background:#fff4d6;color:#7a5600;border:1px solid #e8cf85}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid #d5dae1;border-radius:8px;padding:10px 14px;min-width:190px;flex:1 1 190px}
.card .name{font-size:12px;color:#556;font-family:ui-monospace,monospace}
.card .value{font-size:24px;font-weight:700;margin:4px 0}
.card .target{font-size:12px}
.card.good{background:#e3f5e6;border-color:#8fcf99}.card.good .value{color:#17692a}
.card.bad{background:#fde2e1;border-color:#e9a19d}.card.bad .value{color:#a3231b}
.card.unknown{background:#f2f3f5}
figure{margin:14px 0}figcaption{font-size:13px;color:#556}
.grid{display:flex;flex-wrap:wrap;gap:10px}
table{border-collapse:collapse;font-size:13px;width:100%}
th,td{border-bottom:1px solid #e4e7eb;padding:4px 8px;text-align:right;vertical-align:top}
th{background:#f4f6f8}td.l,th.l{text-align:left}
td.def{text-align:left;color:#556;font-size:12px}
code{font-family:ui-monospace,monospace;font-size:12px}
.good-text{color:#17692a;font-weight:600}.bad-text{color:#a3231b;font-weight:600}
p.bad{color:#a3231b}
footer{margin-top:30px;color:#889;font-size:12px}
";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}<footer>Written by Quartermaster {}. Self-contained: no scripts, no network. Engine latency is wall-clock time and differs from run to run; every other figure is reproducible from the scenario and seed.</footer>\n</body>\n</html>\n",
        escape(title),
        env!("CARGO_PKG_VERSION")
    )
}

fn text_kpi(run: &RunData, name: &str) -> String {
    match run.kpi(name) {
        Some(KpiValue::Text(text)) => text.clone(),
        // Seeds and day counts are identifiers here, not quantities: no thousands separator.
        Some(KpiValue::Count(n)) => n.to_string(),
        Some(value) => display(value, Unit::Count),
        None => "?".into(),
    }
}

/// The banners a run needs: failed, or empty.
fn banners(label: &str, run: &RunData) -> String {
    let mut out = String::new();
    if let RunStatus::Failed {
        days_completed,
        message,
    } = &run.status
    {
        let _ = writeln!(
            out,
            "<div class=\"banner failed\">{}This run failed after {days_completed} simulated day(s): {}. The figures below cover those days only.</div>",
            if label.is_empty() { String::new() } else { format!("{}: ", escape(label)) },
            escape(message)
        );
    }
    if run.is_empty() {
        let _ = writeln!(
            out,
            "<div class=\"banner empty\">{}No orders were placed in this run, so its rates (fulfillment, accuracy, processing time …) are undefined and shown as —.</div>",
            if label.is_empty() { String::new() } else { format!("{}: ", escape(label)) },
        );
    }
    out
}

fn card(h: &kpi::Headline) -> String {
    let kpi = h.reading.kpi;
    let value = display_against(&h.reading.value, kpi.unit, h.target);
    let (class, verdict) = match (h.target, h.verdict) {
        (Some(t), Verdict::Met) => ("good", format!("{} · met", target_text(t, kpi.unit))),
        (Some(t), Verdict::Missed) => ("bad", format!("{} · missed", target_text(t, kpi.unit))),
        (Some(t), _) => (
            "unknown",
            format!(
                "{} · {}",
                target_text(t, kpi.unit),
                h.reading.note.as_deref().unwrap_or("no value")
            ),
        ),
        (None, _) => ("", h.reading.note.clone().unwrap_or_default()),
    };
    format!(
        "<div class=\"card {class}\" title=\"{}\"><div class=\"name\">{}</div><div class=\"value\">{}</div><div class=\"target\">{}</div></div>\n",
        escape(&kpi.described()),
        kpi.name,
        escape(&value),
        escape(&verdict)
    )
}

fn kpi_cards(run: &RunData) -> String {
    let readings = kpi::readings(run);
    let mut out = String::from("<div class=\"cards\">\n");
    for h in kpi::headline(run, &readings) {
        out += &card(&h);
    }
    out + "</div>\n"
}

/// A table whose first column, and the columns in `left`, are left-aligned; cells are HTML.
fn table(head: &[&str], left: &[usize], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let head: Vec<(&str, Option<String>)> = head.iter().map(|h| (*h, None)).collect();
    defined_table(&head, left, rows)
}

/// A report table showing columns of the output table `source`: (label, column) pairs. Each
/// header's tooltip names the column and gives its definition, as `docs/tables.md` does.
fn source_table(
    source: &str,
    columns: &[(&str, &str)],
    left: &[usize],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> String {
    let head: Vec<(&str, Option<String>)> = columns
        .iter()
        .map(|(label, column)| {
            let definition = crate::tables::definition(source, column).unwrap_or("");
            (*label, Some(format!("{source}.{column}: {definition}")))
        })
        .collect();
    defined_table(&head, left, rows)
}

/// A table whose headers have an optional tooltip.
fn defined_table(
    head: &[(&str, Option<String>)],
    left: &[usize],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> String {
    let class = |i: usize| {
        if i == 0 || left.contains(&i) {
            " class=\"l\""
        } else {
            ""
        }
    };
    let mut out = String::from("<table><thead><tr>");
    for (i, (label, tip)) in head.iter().enumerate() {
        let title = tip
            .as_ref()
            .map_or(String::new(), |t| format!(" title=\"{}\"", escape(t)));
        let _ = write!(out, "<th{}{title}>{}</th>", class(i), escape(label));
    }
    out += "</tr></thead><tbody>\n";
    for row in rows {
        out += "<tr>";
        for (i, cell) in row.iter().enumerate() {
            let _ = write!(out, "<td{}>{}</td>", class(i), cell);
        }
        out += "</tr>\n";
    }
    out + "</tbody></table>\n"
}

fn kpi_table(run: &RunData) -> String {
    let rows = kpi::readings(run).into_iter().map(|r| {
        let target = run.target(r.kpi.name);
        let verdict = match (target, r.value.as_f64()) {
            (Some(t), Some(x)) if t.met_by(x) => format!(
                "<span class=\"good-text\">{} ✓</span>",
                escape(&target_text(t, r.kpi.unit))
            ),
            (Some(t), _) => format!(
                "<span class=\"bad-text\">{} ✗</span>",
                escape(&target_text(t, r.kpi.unit))
            ),
            (None, _) => String::new(),
        };
        let definition = match &r.note {
            // A null value's note says why; the definition says what the value would mean.
            Some(note) => format!("{} <i>({})</i>", rich(r.kpi.definition), escape(note)),
            None => rich(&r.kpi.described()),
        };
        vec![
            format!("<code>{}</code>", r.kpi.name),
            escape(&display_against(&r.value, r.kpi.unit, target)),
            escape(r.kpi.unit.as_str()),
            verdict,
            format!("<span class=\"def\">{definition}</span>"),
        ]
    });
    table(
        &["KPI", "value", "unit", "target", "definition"],
        &[4],
        rows,
    )
}

/// The HTML report of one run.
pub fn report(run: &RunData) -> String {
    let runs = [("", run)];
    let scenario = text_kpi(run, "scenario");
    let mut body = format!(
        "<h1>Quartermaster report: {}</h1>\n<p class=\"meta\">seed {} · {} days from {} · policy {} · forecast {}</p>\n",
        escape(&scenario),
        escape(&text_kpi(run, "seed")),
        escape(&text_kpi(run, "days")),
        escape(&text_kpi(run, "start_date")),
        escape(&text_kpi(run, "replenishment_policy")),
        escape(&text_kpi(run, "forecast_method")),
    );
    body += &banners("", run);
    body += "<h2>Headline KPIs</h2>\n";
    body += &kpi_cards(run);
    body += "<h2>Demand and fulfillment</h2>\n";
    body += &wide_figure(&daily_orders(&runs), "Orders placed each day (grey); of those, the orders to ship (orange: placed − abandoned − payment failed − in flight at the end) and the orders shipped complete, whenever they shipped (blue). The gap between orange and blue is what order_fulfillment_rate counts. Shaded: calendar events.");
    body += &wide_figure(&shipping_cost(&runs), "Carrier cost per shipment of the orders placed each day, whenever they shipped (shipping_cost_cents ÷ shipments in daily.csv). Shaded: calendar events.");
    body += "<h2>Stock</h2>\n";
    body += &wide_figure(&stock_totals(&runs), "On-hand units at each daily close against the safety stock the policy holds (forecast policies).");
    body += &top_sku_figures(run);
    body += "<h2>Processing time</h2>\n";
    body += &wide_figure(
        &processing(&runs),
        "Orders shipped complete by hours from placement to their last shipment.",
    );
    body += "<h2>Warehouses</h2>\n";
    body += &wide_figure(
        &warehouse_load(&runs),
        "Lines shipped at each day's cutoff as a share of the warehouse's pick/pack capacity.",
    );
    let days = run.number("days").unwrap_or(0.0);
    body += &warehouse_table(run, days);
    body += "<h2>Channels</h2>\n";
    body += &channel_table(run);
    body += &format!("<h2>SKUs: the {SKU_TABLE_ROWS} with the most units ordered</h2>\n");
    body += &sku_table(run, days);
    body += "<h2>Engine latency</h2>\n";
    body += &wide_figure(&latency(&runs), "Share of calls per power-of-two latency bucket (hdrhistogram), per call kind. Wall clock: differs from run to run.");
    body += &latency_table(run);
    body += "<h2>Every KPI</h2>\n";
    body += &kpi_table(run);
    page(&format!("Quartermaster: {scenario}"), &body)
}

/// The six top SKUs' stock charts, when the run tracked them.
fn top_sku_figures(run: &RunData) -> String {
    let mut body = String::new();
    let mut top: Vec<&str> = Vec::new();
    for row in &run.sku_daily {
        if !top.contains(&row.sku.as_str()) {
            top.push(&row.sku);
        }
    }
    if !top.is_empty() {
        body += "<div class=\"grid\">\n";
        for sku in &top {
            body += &figure(&sku_stock(run, sku), SMALL_WIDTH, SMALL_HEIGHT, "");
        }
        body += "</div>\n<p class=\"meta\">The six SKUs with the most expected demand: on hand (all warehouses) against safety stock (forecast policies) and reorder point.</p>\n";
    }
    body
}

/// The warehouse table's columns: (label, column of `warehouses`).
const WAREHOUSE_COLUMNS: [(&str, &str); 10] = [
    ("warehouse", "warehouse"),
    ("capacity lines/day", "capacity_lines_per_day"),
    ("lines shipped", "lines_shipped"),
    ("capacity use", "capacity_use_share"),
    ("peak day lines", "peak_day_lines"),
    ("saturated days", "saturated_days"),
    ("average on hand", "average_on_hand_units"),
    ("peak on hand", "peak_on_hand_units"),
    ("storage capacity", "storage_capacity_units"),
    ("pick errors", "pick_errors"),
];

/// One row per warehouse: capacity, use, stock and pick errors.
fn warehouse_table(run: &RunData, days: f64) -> String {
    source_table(
        "warehouses",
        &WAREHOUSE_COLUMNS,
        &[],
        run.warehouses.iter().map(|w| {
            vec![
                escape(&w.warehouse),
                number(w.capacity_lines_per_day as f64),
                number(w.counts.lines_shipped as f64),
                share_text(crate::tables::capacity_use_share(w, days)),
                number(w.peak_day_lines as f64),
                number(w.saturated_days as f64),
                number(w.average_on_hand_units),
                number(w.peak_on_hand_units as f64),
                w.storage_capacity_units
                    .map_or("—".into(), |c| number(c as f64)),
                number(w.counts.pick_errors as f64),
            ]
        }),
    )
}

/// The channel table's columns: (label, column of `channels`).
const CHANNEL_COLUMNS: [(&str, &str); 8] = [
    ("channel", "channel"),
    ("strategy", "strategy"),
    ("orders placed", "orders_placed"),
    ("oversold", "orders_oversold"),
    ("lost units (not shown)", "lost_sales_units_not_shown"),
    ("shipped complete", "orders_shipped_complete"),
    ("fulfillment rate", "order_fulfillment_rate"),
    ("unit fill rate", "unit_fill_rate"),
];

/// One row per sales channel.
fn channel_table(run: &RunData) -> String {
    source_table(
        "channels",
        &CHANNEL_COLUMNS,
        &[1],
        run.channels.iter().map(|c| {
            vec![
                escape(&c.channel),
                escape(&c.strategy),
                number(c.counts.orders_placed as f64),
                number(c.counts.orders_oversold as f64),
                number(c.counts.lost_sales_units_not_shown as f64),
                number(c.counts.orders_shipped_complete as f64),
                share_text(c.counts.order_fulfillment_rate()),
                share_text(c.counts.unit_fill_rate()),
            ]
        }),
    )
}

/// The SKU table's columns: (label, column of `skus`).
const SKU_COLUMNS: [(&str, &str); 9] = [
    ("SKU", "sku"),
    ("ABC", "abc_class"),
    ("pattern", "demand_pattern"),
    ("units ordered", "units_ordered"),
    ("unit fill rate", "unit_fill_rate"),
    ("lost units", "lost_sales_units"),
    ("stockout days", "stockout_days"),
    ("average on hand", "average_on_hand_units"),
    ("achieved fill rate", "achieved_fill_rate"),
];

/// The SKUs with the most units ordered, and what their two fill rates count.
fn sku_table(run: &RunData, days: f64) -> String {
    let abc = crate::tables::abc_classes(&run.skus);
    let mut order: Vec<usize> = (0..run.skus.len()).collect();
    order.sort_by(|&a, &b| {
        run.skus[b]
            .counts
            .units_ordered
            .cmp(&run.skus[a].counts.units_ordered)
            .then(a.cmp(&b))
    });
    let rows = order.iter().take(SKU_TABLE_ROWS).map(|&i| {
        let s = &run.skus[i];
        vec![
            escape(&s.sku),
            abc[i].into(),
            crate::tables::demand_pattern(s.demand_days, days, s.demand_size_cv2).into(),
            number(s.counts.units_ordered as f64),
            share_text(s.counts.unit_fill_rate()),
            number(s.counts.lost_sales_units as f64),
            number(s.stockout_days as f64),
            number(s.average_on_hand_units),
            share_text(s.achieved_fill_rate),
        ]
    });
    source_table("skus", &SKU_COLUMNS, &[1, 2], rows)
        + "<p class=\"meta\">The unit fill rate counts, over the whole run, the units shipped \
           from any warehouse; the achieved fill rate, after the warm-up, the units each warehouse \
           served from its own stock of those it was asked first for: the fill rate its safety \
           stock promises. It is lower where orders were sent to other warehouses. Hover a header \
           for its column's definition.</p>\n"
}

fn latency_table(run: &RunData) -> String {
    let l = &run.latency;
    let mut out = format!(
        "<p class=\"meta\">{} calls, {:.3} s inside the engine, {} calls per second.</p>\n",
        number(l.calls as f64),
        l.engine_seconds,
        number(l.engine_calls_per_second)
    );
    out += &table(
        &[
            "call", "calls", "p50 ns", "p90 ns", "p99 ns", "p99.9 ns", "max ns", "mean ns",
        ],
        &[],
        l.kinds.iter().map(|k| {
            vec![
                escape(&k.call),
                number(k.calls as f64),
                number(k.latency_ns_p50 as f64),
                number(k.latency_ns_p90 as f64),
                number(k.latency_ns_p99 as f64),
                number(k.latency_ns_p999 as f64),
                number(k.latency_ns_max as f64),
                number(k.latency_ns_mean),
            ]
        }),
    );
    out
}

/// One KPI's value in several runs, with differences against the first.
pub struct ComparedKpi {
    /// The catalog entry.
    pub kpi: &'static Kpi,
    /// Per run.
    pub values: Vec<KpiValue>,
}

impl ComparedKpi {
    /// Run `i`'s value minus the first run's, when both are numbers and the KPI has
    /// differences ([`Kpi::has_differences`]: not the seed).
    pub fn difference(&self, i: usize) -> Option<f64> {
        self.kpi.has_differences().then_some(())?;
        Some(self.values[i].as_f64()? - self.values[0].as_f64()?)
    }

    /// The same as people read it beside the values ([`crate::format::difference_between`]).
    pub fn difference_text(&self, i: usize) -> Option<String> {
        self.kpi.has_differences().then_some(())?;
        crate::format::difference_between(&self.values[0], &self.values[i], self.kpi.unit)
    }
}

/// The HTML comparison of several runs: the KPI table with differences, the charts overlaid;
/// `horizon_note`, when given, says the runs cover different numbers of days.
pub fn comparison(
    runs: &[(&str, &RunData)],
    kpis: &[ComparedKpi],
    horizon_note: Option<&str>,
) -> String {
    let mut body = String::from("<h1>Quartermaster comparison</h1>\n<p class=\"meta\">");
    for (i, (label, run)) in runs.iter().enumerate() {
        let (r, g, b) = chart::PALETTE[i % chart::PALETTE.len()];
        let _ = write!(
            body,
            "<span style=\"color:rgb({r},{g},{b})\">■</span> <b>{}</b>: {} seed {} · ",
            escape(label),
            escape(&text_kpi(run, "scenario")),
            escape(&text_kpi(run, "seed"))
        );
    }
    body += "differences are against the first run.</p>\n";
    if let Some(note) = horizon_note {
        let (first, rest) = note.split_at(1);
        let _ = writeln!(
            body,
            "<div class=\"banner empty\">{}{}.</div>",
            first.to_uppercase(),
            escape(rest)
        );
    }
    for (label, run) in runs {
        body += &banners(label, run);
    }
    let mut head: Vec<String> = vec!["KPI".into(), "unit".into()];
    for (i, (label, _)) in runs.iter().enumerate() {
        head.push(label.to_string());
        if i > 0 {
            head.push(format!("{label} − {}", runs[0].0));
        }
    }
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    // Each run's value is judged against its own scenario's target.
    let target_of = |i: usize, name: &str| runs[i].1.target(name);
    body += "<h2>KPIs</h2>\n";
    body += &table(
        &head,
        &[],
        kpis.iter().map(|c| {
            let mut row = vec![
                format!("<code>{}</code>", c.kpi.name),
                escape(c.kpi.unit.as_str()),
            ];
            for (i, value) in c.values.iter().enumerate() {
                let text = escape(&display(value, c.kpi.unit));
                row.push(match (target_of(i, c.kpi.name), value.as_f64()) {
                    (Some(t), Some(x)) if t.met_by(x) => {
                        format!("<span class=\"good-text\">{text}</span>")
                    }
                    (Some(_), Some(_)) => format!("<span class=\"bad-text\">{text}</span>"),
                    _ => text,
                });
                if i > 0 {
                    row.push(c.difference_text(i).map_or(String::new(), |d| escape(&d)));
                }
            }
            row
        }),
    );
    body += "<h2>Charts, overlaid</h2>\n";
    let charts = [
        (daily_orders(runs), "Of the orders placed each day, those to ship (faint) and those shipped complete (solid), one colour per run. Shaded: the first run's events."),
        (shipping_cost(runs), "Carrier cost per shipment of the orders placed each day, per run."),
        (stock_totals(runs), "On-hand units (solid) and safety stock (faint) per run."),
        (processing(runs), "Share of orders shipped complete per processing-time bin, per run."),
        (warehouse_load(runs), "The busiest warehouse's load against its capacity each day, per run."),
        (latency(runs), "reserve latency per run (wall clock)."),
    ];
    for (chart, caption) in &charts {
        body += &wide_figure(chart, caption);
    }
    page("Quartermaster comparison", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_people_expect() {
        assert_eq!(display(&KpiValue::Number(0.98765), Unit::Share), "98.77 %");
        assert_eq!(
            display(&KpiValue::Number(123456.5), Unit::Cents),
            "123,456.50 cents"
        );
        assert_eq!(
            display(&KpiValue::Count(1234567), Unit::Cents),
            "1,234,567 cents"
        );
        assert_eq!(
            display(&KpiValue::Count(1234567), Unit::Orders),
            "1,234,567"
        );
        assert_eq!(display(&KpiValue::Number(-2500.0), Unit::Units), "-2,500");
        assert_eq!(display(&KpiValue::Missing, Unit::Share), "—");
        assert_eq!(escape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }

    #[test]
    fn every_report_table_header_names_a_defined_column() {
        for (source, columns) in [
            ("warehouses", &WAREHOUSE_COLUMNS[..]),
            ("channels", &CHANNEL_COLUMNS[..]),
            ("skus", &SKU_COLUMNS[..]),
        ] {
            for (label, column) in columns {
                let definition = crate::tables::definition(source, column);
                assert!(
                    definition.is_some_and(|d| !d.is_empty()),
                    "{label}: {source}.{column} is not a defined column"
                );
            }
        }
        assert_eq!(crate::tables::definition("skus", "no_such_column"), None);
        let html = source_table("skus", &SKU_COLUMNS[8..], &[], []);
        assert!(
            html.contains(
                "<th class=\"l\" title=\"skus.achieved_fill_rate: after the warm-up, units"
            ),
            "{html}"
        );
    }
}
