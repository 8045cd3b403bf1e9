//! The checker that validation reports to: the first failure wins, located at its value, or at
//! the table it belongs to when the key was left out.

use std::ops::{Range, RangeInclusive};
use std::path::Path;

use chrono::NaiveDate;
use toml::de::{DeTable, DeValue};
use toml::value::Datetime;
use toml::Spanned;

use qm_money::Cents;

use super::error::{position, ScenarioError};
use super::spec::to_date;

/// Longest code (of a warehouse, SKU, channel, carrier or supplier), customer region name or
/// event name, in characters.
pub(super) const MAX_CODE_CHARS: usize = 256;

/// A scenario value counted in whole units, as the checker compares it.
pub(super) trait Whole: Copy {
    fn whole(self) -> u64;
}

impl Whole for u32 {
    fn whole(self) -> u64 {
        u64::from(self)
    }
}

impl Whole for Cents {
    fn whole(self) -> u64 {
        self.get()
    }
}

/// Whether `value` is a code the tables can show: 1 to [`MAX_CODE_CHARS`] characters, no
/// control character, no space at either end.
pub(super) fn is_code(value: &str) -> bool {
    !value.is_empty()
        && value.chars().count() <= MAX_CODE_CHARS
        && value.trim() == value
        && !value.chars().any(char::is_control)
}

/// A name that is one plain path component: the run folder is `--out` joined with it, and must
/// stay inside `--out`.
pub(super) fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '))
}

/// Collects validation failures; the first one is reported.
pub(super) struct Checker<'a> {
    text: &'a str,
    path: &'a Path,
    pub(super) first: Option<ScenarioError>,
}

impl<'a> Checker<'a> {
    pub(super) fn new(text: &'a str, path: &'a Path) -> Self {
        Checker {
            text,
            path,
            first: None,
        }
    }

    pub(super) fn fail(&mut self, span: Range<usize>, key: &str, problem: &str) {
        if self.first.is_none() {
            let (line, column) = if span.end == 0 {
                table_of(self.text, key)
            } else {
                position(self.text, span.start)
            };
            self.first = Some(ScenarioError::Invalid {
                path: self.path.into(),
                line,
                column,
                key: key.into(),
                problem: problem.into(),
            });
        }
    }
    pub(super) fn check(&mut self, ok: bool, span: Range<usize>, key: &str, problem: &str) {
        if !ok {
            self.fail(span, key, problem);
        }
    }
    /// At least one `[[table]]` entry is given.
    pub(super) fn some_tables<T>(&mut self, entries: &[T], table: &str) {
        let problem = format!("at least one [[{table}]] table is needed");
        self.check(!entries.is_empty(), 0..0, table, &problem);
    }
    /// Each of `values` (the `field` of the `table` entries) is a code the tables can show (1 to
    /// [`MAX_CODE_CHARS`] characters, no control character, no space at either end) and
    /// appears once; the second of a pair is reported, at its entry.
    pub(super) fn codes<'v>(
        &mut self,
        values: impl Iterator<Item = &'v str>,
        table: &str,
        field: &str,
    ) {
        let problem = format!(
            "must be 1 to {MAX_CODE_CHARS} characters, with no control character and no space at \
             either end"
        );
        let mut seen = std::collections::BTreeSet::new();
        for (i, value) in values.enumerate() {
            let key = format!("{table}[{i}].{field}");
            self.check(is_code(value), 0..0, &key, &problem);
            self.check(
                seen.insert(value),
                0..0,
                &key,
                &format!("{value:?} is listed twice"),
            );
        }
    }
    pub(super) fn probability(&mut self, value: &Spanned<f64>, key: &str) {
        let v = *value.get_ref();
        self.check(
            (0.0..=1.0).contains(&v),
            value.span(),
            key,
            "must be a probability within 0..=1",
        );
    }
    pub(super) fn non_negative(&mut self, value: &Spanned<f64>, key: &str) {
        let v = *value.get_ref();
        self.check(
            v.is_finite() && v >= 0.0,
            value.span(),
            key,
            "must be a finite number ≥ 0",
        );
    }
    pub(super) fn within(&mut self, value: &Spanned<f64>, max: f64, key: &str) {
        let v = *value.get_ref();
        self.check(
            v.is_finite() && (0.0..=max).contains(&v),
            value.span(),
            key,
            &format!("must be a number ≥ 0 and ≤ {max}"),
        );
    }
    /// A whole count from 1 to `max`; whether it is one.
    pub(super) fn one_to(&mut self, value: &Spanned<u32>, max: u32, key: &str) -> bool {
        let ok = (1..=max).contains(value.get_ref());
        self.check(
            ok,
            value.span(),
            key,
            &format!("must be between 1 and {max}"),
        );
        ok
    }
    /// The mean of counts each drawn from 1 to `max`, the value at `max_key`.
    pub(super) fn mean_one_to(&mut self, value: &Spanned<f64>, max: u32, key: &str, max_key: &str) {
        let v = *value.get_ref();
        let problem = format!("must be between 1 and {max_key}");
        self.check(v >= 1.0 && v <= f64::from(max), value.span(), key, &problem);
    }
    /// A whole amount of `unit`s (days, grams, cents) no larger than `max`.
    pub(super) fn at_most<T: Whole>(
        &mut self,
        value: &Spanned<T>,
        max: u64,
        unit: &str,
        key: &str,
    ) {
        let problem = format!("must be at most {max} {unit}");
        self.check(value.get_ref().whole() <= max, value.span(), key, &problem);
    }
    /// A relative weight (a share, a popularity) within `range`, so that a sum over every entry
    /// stays finite and a ratio to it does not underflow.
    pub(super) fn weight(&mut self, value: &Spanned<f64>, range: RangeInclusive<f64>, key: &str) {
        let problem = format!(
            "must be a relative weight within {:e}..={:e}",
            range.start(),
            range.end()
        );
        self.check(range.contains(value.get_ref()), value.span(), key, &problem);
    }
    pub(super) fn positive(&mut self, value: &Spanned<f64>, max: f64, key: &str) {
        let v = *value.get_ref();
        let problem = format!("must be a number > 0 and ≤ {max}");
        self.check(v > 0.0 && v <= max, value.span(), key, &problem);
    }
    pub(super) fn date(&mut self, value: &Spanned<Datetime>, key: &str) -> Option<NaiveDate> {
        let date = to_date(value.get_ref());
        self.check(
            date.is_some(),
            value.span(),
            key,
            "must be a plain date such as 2026-11-27",
        );
        date
    }
    pub(super) fn coordinates(
        &mut self,
        latitude: &Spanned<f64>,
        longitude: &Spanned<f64>,
        key: &str,
    ) {
        let (lat, lon) = (*latitude.get_ref(), *longitude.get_ref());
        self.check(
            (-90.0..=90.0).contains(&lat),
            latitude.span(),
            &format!("{key}.latitude_deg"),
            "must be within -90..=90 degrees",
        );
        self.check(
            (-180.0..=180.0).contains(&lon),
            longitude.span(),
            &format!("{key}.longitude_deg"),
            "must be within -180..=180 degrees",
        );
    }
}

/// Where a key that has no span of its own (left out, or a whole entry) belongs: at its value when
/// the file gives it (`warehouses = []`, `code = "web"`, an entry of an inline table or of a
/// multi-line array), else at the nearest table or entry that holds it (the header of `[demand]`
/// for `demand.…`, of the `i`-th `[[channels]]` for `channels[i].…`, the brace of an inline
/// table), else the file's first line.
pub(super) fn table_of(text: &str, key: &str) -> (usize, usize) {
    let Ok(root) = DeTable::parse(text) else {
        return (1, 1);
    };
    let mut nearest: Option<&Spanned<DeValue>> = None;
    let mut table = Some(root.get_ref());
    // `channels[1].warehouses[0]` → channels, entry 1, warehouses, entry 0.
    for part in key.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((name, index)) => (name, index.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        let Some(mut value) = table.and_then(|t| t.get(name)) else {
            break;
        };
        nearest = Some(value);
        if let Some(i) = index {
            match value.get_ref() {
                DeValue::Array(entries) if i < entries.len() => value = &entries[i],
                _ => break,
            }
            nearest = Some(value);
        }
        table = match value.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        };
    }
    nearest.map_or((1, 1), |value| position(text, value.span().start))
}

#[cfg(test)]
mod tests {
    use super::table_of;

    /// At its value when the file gives it, else at the nearest table, entry or inline table
    /// that holds it, else the first line.
    #[test]
    fn a_key_without_a_span_is_placed_at_its_value_or_else_what_holds_it() {
        let tables = "name = \"x\"\n[demand]\nnoise = \"poisson\"\n\n[[channels]]\ncode = \"a\"\n\n[[channels]] # second\ncode = \"b\"\nwarehouses = []\n";
        let inline = "[[carriers]]\ncode = \"c\"\nbands = [\n  { max_km = 1, base_cents = 2 },\n  { max_km = 3 },\n]\nregions = [\n  \"a\",\n  \"b\",\n]\n";
        for (text, key, at) in [
            (tables, "demand.orders_per_day", (2, 1)),
            (tables, "channels[1].warehouses", (10, 14)),
            (tables, "channels[0].code", (6, 8)),
            (tables, "channels[1].promise", (8, 1)),
            (tables, "channels[0].warehouses", (5, 1)),
            (tables, "name", (1, 8)),
            (tables, "warehouses", (1, 1)),
            (inline, "carriers[0].bands[0].base_cents", (4, 30)),
            (inline, "carriers[0].bands[1].max_km", (5, 14)),
            // Left out of its inline table: the table's brace.
            (inline, "carriers[0].bands[1].base_cents", (5, 3)),
            (inline, "carriers[0].regions[1]", (9, 3)),
            (inline, "carriers[0].transit_days", (1, 1)),
            (inline, "carriers[2].code", (1, 1)),
        ] {
            assert_eq!(table_of(text, key), at, "{key}");
        }
    }
}
