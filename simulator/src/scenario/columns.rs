//! How a recorded history's columns map to order fields, and the built-in layouts.

use serde::Deserialize;

/// Which columns of the source hold what, and how to read them.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ColumnMapping {
    /// Order (invoice) id: rows with the same id form one order.
    pub order_id: String,
    /// When the order was placed.
    pub timestamp: String,
    /// SKU code.
    pub sku: String,
    /// Units; negative = a return, cancellation or write-off.
    pub quantity: String,
    /// Unit price (decimal, in the currency's main unit).
    #[serde(default)]
    pub unit_price: Option<String>,
    /// Sales channel name.
    #[serde(default)]
    pub channel: Option<String>,
    /// Customer id (needed to match cancellations and returns to their order).
    #[serde(default)]
    pub customer_id: Option<String>,
    /// Ship-to region or country.
    #[serde(default)]
    pub region: Option<String>,
    /// strftime format of text timestamps.
    #[serde(default = "default_timestamp_format")]
    pub timestamp_format: String,
    /// IANA time zone the timestamps are in (`Europe/London`), or `UTC`.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    /// Order ids starting with this are cancellations (`C` in the UCI layout).
    #[serde(default)]
    pub cancellation_prefix: Option<String>,
    /// Only SKU codes that start with this many digits are products (5 in the UCI layout:
    /// `POST`, `M`, `BANK CHARGES`, `gift_0001_10`… are not); 0 accepts every code.
    #[serde(default)]
    pub product_code_digits: u32,
}

fn default_timestamp_format() -> String {
    "%Y-%m-%d %H:%M:%S".into()
}
fn default_time_zone() -> String {
    "UTC".into()
}

impl ColumnMapping {
    /// The source columns this mapping reads.
    pub fn columns(&self) -> impl Iterator<Item = &str> {
        [&self.order_id, &self.timestamp, &self.sku, &self.quantity]
            .into_iter()
            .chain(
                [
                    &self.unit_price,
                    &self.channel,
                    &self.customer_id,
                    &self.region,
                ]
                .into_iter()
                .flatten(),
            )
            .map(String::as_str)
    }

    /// Each role with its column, in the order of [`ColumnMapping::columns`].
    fn roles(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("order_id", self.order_id.as_str()),
            ("timestamp", self.timestamp.as_str()),
            ("sku", self.sku.as_str()),
            ("quantity", self.quantity.as_str()),
        ]
        .into_iter()
        .chain(
            [
                ("unit_price", &self.unit_price),
                ("channel", &self.channel),
                ("customer_id", &self.customer_id),
                ("region", &self.region),
            ]
            .into_iter()
            .filter_map(|(role, column)| column.as_deref().map(|c| (role, c))),
        )
    }

    /// The mapping itself makes sense: no column in two roles, no empty cancellation prefix
    /// (every order would be a cancellation).
    pub fn check(&self) -> Result<(), String> {
        let roles: Vec<(&str, &str)> = self.roles().collect();
        for (i, (role, column)) in roles.iter().enumerate() {
            if let Some((other, _)) = roles[..i].iter().find(|(_, c)| c == column) {
                return Err(format!(
                    "column `{column}` is mapped to both `{other}` and `{role}`; each role needs its own column"
                ));
            }
        }
        let mut items = chrono::format::StrftimeItems::new(&self.timestamp_format);
        if items.any(|item| matches!(item, chrono::format::Item::Error)) {
            return Err(format!(
                "timestamp_format `{}` is not a strftime format (such as %Y-%m-%d %H:%M:%S): no \
                 timestamp could match it",
                self.timestamp_format
            ));
        }
        if self.cancellation_prefix.as_deref() == Some("") {
            return Err(
                "cancellation_prefix is empty: every order id starts with it, so every row would be a cancellation; leave it out instead"
                    .into(),
            );
        }
        Ok(())
    }
}

/// Names of the built-in layouts.
pub const PRESETS: &[&str] = &["online_retail"];

impl ColumnMapping {
    /// A built-in layout by name.
    pub fn preset(name: &str) -> Option<Self> {
        match name {
            // UCI "Online Retail" (InvoiceNo, StockCode, Description, Quantity, InvoiceDate,
            // UnitPrice, CustomerID, Country), UK local time.
            "online_retail" | "online-retail" => Some(Self {
                order_id: "InvoiceNo".into(),
                timestamp: "InvoiceDate".into(),
                sku: "StockCode".into(),
                quantity: "Quantity".into(),
                unit_price: Some("UnitPrice".into()),
                channel: None,
                customer_id: Some("CustomerID".into()),
                region: Some("Country".into()),
                timestamp_format: default_timestamp_format(),
                time_zone: "Europe/London".into(),
                cancellation_prefix: Some("C".into()),
                product_code_digits: 5,
            }),
            _ => None,
        }
    }
}
