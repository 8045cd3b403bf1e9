//! How numbers are shown to people, in the HTML, the comparison and the terminal: one rule per
//! unit. Money is always in cents, the unit every KPI and column that holds money is named in,
//! and always shown with it.

use crate::run::{Bound, KpiValue, Target};
use crate::unit::Unit;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A KPI value as people read it: shares as percentages, money in cents with its unit.
pub fn display(value: &KpiValue, unit: Unit) -> String {
    match value {
        KpiValue::Missing => "—".into(),
        KpiValue::Text(text) => text.clone(),
        KpiValue::Count(n) if unit == Unit::Cents => cents(*n as f64),
        KpiValue::Count(n) => group_thousands(*n as f64, 0),
        // A share short of 100 % or above 0 % never reads as either: 0.99996 is "99.996 %".
        KpiValue::Number(x) if unit == Unit::Share => {
            display_apart(*x, if *x > 0.5 { 1.0 } else { 0.0 }, unit)
        }
        KpiValue::Number(x) => laid_out(*x, unit, 0),
    }
}

/// How [`display`] lays out a number in `unit`: the factor it is shown at, its decimals, its
/// suffix, and whether its thousands are grouped (a grouped layout shows a non-finite value as
/// `—`).
fn layout(x: f64, unit: Unit) -> (f64, usize, &'static str, bool) {
    match unit {
        Unit::Share => (100.0, 2, " %", false),
        Unit::Cents => (1.0, if x.fract() == 0.0 { 0 } else { 2 }, " cents", true),
        Unit::Hours => (1.0, 1, " h", false),
        Unit::Days => (1.0, 2, " d", false),
        _ => (1.0, number_decimals(x), "", true),
    }
}

/// `x` in `unit` as [`display`] lays it out, with `more` decimals than it would.
fn laid_out(x: f64, unit: Unit, more: usize) -> String {
    let (scale, decimals, suffix, grouped) = layout(x, unit);
    let decimals = decimals + more;
    if !grouped {
        format!("{:.*}{suffix}", decimals, x * scale)
    } else if x.is_finite() {
        format!("{}{suffix}", group_thousands(x * scale, decimals))
    } else {
        "—".into()
    }
}

/// A target as given: [`display`]'s layout with as many more decimals (up to 6) as it takes to
/// show it whole, so that a target of 0.99999 reads "99.999 %", not "100.00 %".
pub fn display_given(x: f64, unit: Unit) -> String {
    let (scale, decimals, _, _) = layout(x, unit);
    let whole = |more: usize| {
        let shifted = x * scale * 10f64.powi((decimals + more) as i32);
        (shifted - shifted.round()).abs() <= 1e-12 * shifted.abs().max(1.0)
    };
    let more = if x.is_finite() {
        (0..=6).find(|&more| whole(more)).unwrap_or(6)
    } else {
        0
    };
    laid_out(x, unit, more)
}

/// A KPI value as [`display`] shows it beside its target: a value that misses the target but
/// would read as equal to it gets the decimals that tell them apart ("94.996 %" beside
/// "target ≥ 95.00 %").
pub fn display_against(value: &KpiValue, unit: Unit, target: Option<&Target>) -> String {
    match (value, target) {
        (KpiValue::Number(x), Some(t)) if !t.met_by(*x) => display_apart(*x, t.value, unit),
        _ => display(value, unit),
    }
}

/// Most decimals [`display_apart`] adds: a share then shows to 10⁻¹⁶, so that no share short
/// of 1 (the largest is 1 − 2⁻⁵³) reads as 100 %.
const MOST_MORE_DECIMALS: usize = 12;

/// `x` in `unit` as [`display`] shows it, with as many more decimals (up to 12) as it takes
/// not to read as `target` when it differs from it: a miss never reads "48.0 h > 48.0 h".
pub fn display_apart(x: f64, target: f64, unit: Unit) -> String {
    let (scale, decimals, _, _) = layout(x, unit);
    let rounds_to_target = |more: usize| {
        let factor = 10f64.powi((decimals + more) as i32) * scale;
        (x * factor).round() == (target * factor).round()
    };
    let more = if x == target || !x.is_finite() {
        0
    } else {
        (0..=MOST_MORE_DECIMALS)
            .find(|&more| !rounds_to_target(more))
            .unwrap_or(MOST_MORE_DECIMALS)
    };
    laid_out(x, unit, more)
}

/// A plain number: whole numbers and large ones grouped by thousands, others to 1 place from
/// 10 up and 3 places below.
pub fn number(x: f64) -> String {
    laid_out(x, Unit::Count, 0)
}

/// The places [`number`] shows `x` with.
fn number_decimals(x: f64) -> usize {
    if x.fract() == 0.0 || x.abs() >= 1000.0 {
        0
    } else if x.abs() >= 10.0 {
        1
    } else {
        3
    }
}

/// An amount of money, in cents, with its unit: `1,234.56 cents` (whole amounts without decimals).
pub fn cents(x: f64) -> String {
    laid_out(x, Unit::Cents, 0)
}

/// A share as a percentage, as [`display`] shows it; `—` when undefined.
pub fn share_text(x: Option<f64>) -> String {
    x.map_or("—".into(), |x| display(&KpiValue::Number(x), Unit::Share))
}

pub fn group_thousands(x: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, x.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if x < 0.0 { "-" } else { "" };
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{fraction}")
    }
}

/// A difference in the KPI's own display: percentage points for shares, otherwise its unit.
pub fn signed_difference(difference: f64, unit: Unit) -> String {
    if unit == Unit::Share {
        return signed(difference, format!("{:.2} pt", difference.abs() * 100.0));
    }
    signed(
        difference,
        display(&KpiValue::Number(difference.abs()), unit),
    )
}

/// `other − first` as people read it beside the two values, no more precise than they are shown:
/// a whole count for two counts (`+1` beside days `12` and `13`), the places of the coarser of
/// two plain numbers (`+3.7` beside `91.2` and `94.9`), otherwise [`signed_difference`]. `None`
/// unless both are numbers.
pub fn difference_between(first: &KpiValue, other: &KpiValue, unit: Unit) -> Option<String> {
    let (a, b) = (first.as_f64()?, other.as_f64()?);
    let difference = b - a;
    let plain = !matches!(unit, Unit::Share | Unit::Cents | Unit::Hours | Unit::Days);
    Some(match (first, other) {
        (KpiValue::Count(_), KpiValue::Count(_)) if unit != Unit::Cents => {
            signed(difference, group_thousands(difference.abs(), 0))
        }
        _ if plain => {
            let decimals = number_decimals(a).min(number_decimals(b));
            signed(difference, group_thousands(difference.abs(), decimals))
        }
        _ => signed_difference(difference, unit),
    })
}

/// Decimals that show `spread` (a confidence half-width, in the KPI's unit) to two significant
/// digits, so an estimate, its half-width and its interval share one precision.
pub fn decimals_for(spread: f64, unit: Unit) -> usize {
    let spread = if unit == Unit::Share {
        spread * 100.0
    } else {
        spread
    };
    if !(spread.is_finite() && spread > 0.0) {
        return if matches!(unit, Unit::Share | Unit::Cents) {
            2
        } else {
            0
        };
    }
    (1.0 - spread.log10().floor()).clamp(0.0, 4.0) as usize
}

/// `x` in `unit` with `decimals` places: shares as percentages, money in cents, hours in h.
pub fn fixed(x: f64, unit: Unit, decimals: usize) -> String {
    match unit {
        Unit::Share => format!("{} %", group_thousands(x * 100.0, decimals)),
        Unit::Cents => format!("{} cents", group_thousands(x, decimals)),
        Unit::Hours => format!("{} h", group_thousands(x, decimals)),
        _ => group_thousands(x, decimals),
    }
}

/// Whether printed text shows a digit other than 0.
fn shows_nonzero(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit() && c != '0')
}

/// `magnitude` (the printed |x|) with the sign of `x`, taken after rounding: `+` when every
/// digit printed is 0, so a difference never reads `-0.00`.
fn signed(x: f64, magnitude: String) -> String {
    let sign = if x < 0.0 && shows_nonzero(&magnitude) {
        "-"
    } else {
        "+"
    };
    format!("{sign}{magnitude}")
}

/// A difference with its sign, as [`fixed`]; shares in percentage points.
pub fn signed_fixed(x: f64, unit: Unit, decimals: usize) -> String {
    match unit {
        Unit::Share => signed(
            x,
            format!("{} pt", group_thousands(x.abs() * 100.0, decimals)),
        ),
        _ => signed(x, fixed(x.abs(), unit, decimals)),
    }
}

/// A mean and its 95 % half-width at one precision: `1,522.4 ± 8.9`, `98.12 % ± 0.30 pt`.
pub fn estimate(mean: f64, half_width: f64, unit: Unit) -> String {
    let decimals = decimals_for(half_width, unit);
    let spread = match unit {
        Unit::Share => format!("{} pt", group_thousands(half_width * 100.0, decimals)),
        _ => fixed(half_width, unit, decimals),
    };
    format!("{} ± {spread}", fixed(mean, unit, decimals))
}

/// Most places an interval that excludes 0 is given so that its bound nearer 0 does not read 0.
const MAX_INTERVAL_DECIMALS: usize = 8;

/// A paired difference and its 95 % interval at one precision: `+4.1 [-2.0, +10.2]`. An
/// interval that excludes 0 never reads as if it touched it: where its bound nearer 0 would
/// print as 0 (`[-3.5, +0.0]` for an upper bound of -0.009), every figure takes the places that
/// show it (`[-3.47, -0.01]`).
pub fn difference_interval(mean: f64, half_width: f64, unit: Unit) -> String {
    let (low, high) = (mean - half_width, mean + half_width);
    let mut decimals = decimals_for(half_width, unit);
    let nearer = match (low > 0.0, high < 0.0) {
        (true, _) => Some(low),
        (_, true) => Some(high),
        _ => None,
    };
    if let Some(bound) = nearer {
        while decimals < MAX_INTERVAL_DECIMALS
            && !shows_nonzero(&signed_fixed(bound, unit, decimals))
        {
            decimals += 1;
        }
    }
    format!(
        "{} [{}, {}]",
        signed_fixed(mean, unit, decimals),
        signed_fixed(low, unit, decimals),
        signed_fixed(high, unit, decimals)
    )
}

/// A target as people read it: `target ≥ 95.00 %`.
pub fn target_text(target: &Target, unit: Unit) -> String {
    let sign = match target.bound {
        Bound::AtLeast => "≥",
        Bound::AtMost => "≤",
    };
    format!("target {sign} {}", display_given(target.value, unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_short_of_all_or_above_none_never_reads_as_either() {
        let share = |x: f64| display(&KpiValue::Number(x), Unit::Share);
        assert_eq!(share(0.99996), "99.996 %");
        assert_eq!(share(0.9999996), "99.99996 %");
        assert_eq!(share(1.0), "100.00 %");
        assert_eq!(share(0.00003), "0.003 %");
        assert_eq!(share(0.0), "0.00 %");
        assert_eq!(share(0.5), "50.00 %");
        assert_eq!(share(0.98765), "98.77 %");
        assert_eq!(share_text(Some(0.99996)), "99.996 %");
        assert_eq!(share_text(None), "—");
    }

    #[test]
    fn a_target_shows_the_decimals_it_was_given_with() {
        assert_eq!(display_given(0.95, Unit::Share), "95.00 %");
        assert_eq!(display_given(0.955, Unit::Share), "95.50 %");
        assert_eq!(display_given(0.99999, Unit::Share), "99.999 %");
        assert_eq!(display_given(0.9999999999, Unit::Share), "99.99999999 %");
        assert_eq!(display_given(48.0, Unit::Hours), "48.0 h");
        assert_eq!(display_given(0.25, Unit::Hours), "0.25 h");
        assert_eq!(display_given(1.0 / 3.0, Unit::Hours), "0.3333333 h");
        let target = Target {
            kpi: "demand_fill_rate".into(),
            value: 0.99999,
            bound: Bound::AtLeast,
        };
        assert_eq!(target_text(&target, Unit::Share), "target ≥ 99.999 %");
    }

    #[test]
    fn an_estimate_and_its_interval_share_one_precision() {
        assert_eq!(estimate(1522.4, 8.942, Unit::Orders), "1,522.4 ± 8.9");
        assert_eq!(
            difference_interval(4.1, 6.055, Unit::Orders),
            "+4.1 [-2.0, +10.2]"
        );
        assert_eq!(estimate(0.98123, 0.0030, Unit::Share), "98.12 % ± 0.30 pt");
        assert_eq!(
            estimate(979.871, 2.1, Unit::Cents),
            "979.9 cents ± 2.1 cents"
        );
        assert_eq!(estimate(1200.0, 0.0, Unit::Orders), "1,200 ± 0");
    }

    /// An interval that excludes 0 shows its nearer bound with the places it takes to read
    /// nonzero; one that spans 0 keeps the precision of its half-width.
    #[test]
    fn an_interval_that_excludes_zero_never_reads_as_touching_it() {
        assert_eq!(
            difference_interval(-1.737, 1.7285, Unit::Cents),
            "-1.74 cents [-3.47 cents, -0.01 cents]"
        );
        assert_eq!(
            difference_interval(0.006_01, 0.0060, Unit::Share),
            "+0.601 pt [+0.001 pt, +1.201 pt]"
        );
        assert_eq!(
            difference_interval(4.1, 6.055, Unit::Orders),
            "+4.1 [-2.0, +10.2]"
        );
        assert_eq!(
            difference_interval(2.0, 1.0, Unit::Orders),
            "+2.0 [+1.0, +3.0]"
        );
    }

    #[test]
    fn a_difference_that_rounds_to_zero_has_no_minus() {
        assert_eq!(signed_fixed(-0.001, Unit::Hours, 2), "+0.00 h");
        assert_eq!(display_apart(0.949_96, 0.95, Unit::Share), "94.996 %");
        assert_eq!(display_apart(48.04, 48.0, Unit::Hours), "48.04 h");
        assert_eq!(display_apart(48.000_2, 48.0, Unit::Hours), "48.0002 h");
        assert_eq!(display_apart(47.0, 48.0, Unit::Hours), "47.0 h");
        assert_eq!(display_apart(0.95, 0.95, Unit::Share), "95.00 %");
        let share = |x: f64| display(&KpiValue::Number(x), Unit::Share);
        assert_eq!(share(1.0 - 1e-9), "99.9999999 %");
        assert_eq!(share(1.0 - f64::EPSILON / 2.0), "99.99999999999999 %");
        assert_eq!(share(1e-12), "0.0000000001 %");
        assert_eq!(share(1.0), "100.00 %");
        let at_least = Target {
            kpi: "demand_fill_rate".into(),
            bound: Bound::AtLeast,
            value: 0.95,
        };
        let against = |x: f64| display_against(&KpiValue::Number(x), Unit::Share, Some(&at_least));
        assert_eq!(against(0.949_96), "94.996 %");
        assert_eq!(against(0.950_004), "95.00 %");
        assert_eq!(against(0.9), "90.00 %");
        assert_eq!(signed_fixed(-0.004, Unit::Share, 0), "+0 pt");
        assert_eq!(signed_fixed(-0.006, Unit::Share, 0), "-1 pt");
        assert_eq!(signed_difference(-0.00001, Unit::Share), "+0.00 pt");
        assert_eq!(signed_difference(-0.0002, Unit::Share), "-0.02 pt");
        assert_eq!(
            difference_between(&KpiValue::Number(2.0), &KpiValue::Number(1.96), Unit::Ratio),
            Some("+0".into())
        );
    }

    #[test]
    fn a_difference_is_no_more_precise_than_its_values() {
        let between = |a: KpiValue, b: KpiValue, unit| difference_between(&a, &b, unit).unwrap();
        use KpiValue::{Count, Number};
        assert_eq!(between(Count(12), Count(13), Unit::Days), "+1");
        assert_eq!(
            between(Count(30_598), Count(15_680), Unit::Orders),
            "-14,918"
        );
        assert_eq!(
            between(Number(91.2), Number(94.9), Unit::Kilometres),
            "+3.7"
        );
        assert_eq!(between(Number(0.595), Number(0.574), Unit::Units), "-0.021");
        assert_eq!(between(Number(9.5), Number(12.25), Unit::Ratio), "+2.8");
        assert_eq!(between(Number(2.51), Number(2.54), Unit::Days), "+0.03 d");
        assert_eq!(between(Number(0.9), Number(0.8), Unit::Share), "-10.00 pt");
        assert_eq!(
            between(Count(98_000), Count(100_064), Unit::Cents),
            "+2,064 cents"
        );
        assert_eq!(
            difference_between(&Count(1), &KpiValue::Missing, Unit::Orders),
            None
        );
    }
}
