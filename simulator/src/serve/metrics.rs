//! What `qm serve` counts, for Prometheus (`GET /v1/metrics`, OpenMetrics text): requests by
//! route, method and status, their durations, and, read at each scrape, the journal's batches
//! and snapshots, the orders the engine holds and the idempotency keys it remembers.

use std::sync::atomic::Ordering;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::durable::Durable;

/// A request's route (its path template, `/v1/orders/{order}`) and method.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    method: String,
    route: String,
}

/// A request's route, method and answer.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Answered {
    method: String,
    route: String,
    status: u16,
}

/// The service's counters, shared by every request.
pub struct Metrics {
    requests: Family<Answered, Counter>,
    seconds: Family<Route, Histogram>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            requests: Family::default(),
            // 0.1 ms to 3.3 s, doubling.
            seconds: Family::new_with_constructor(|| {
                Histogram::new(exponential_buckets(0.000_1, 2.0, 16))
            }),
        }
    }
}

impl Metrics {
    /// Counts one answered request.
    pub fn observe(&self, method: &str, route: &str, status: u16, took: Duration) {
        let (method, route) = (method.to_string(), route.to_string());
        let answered = Answered {
            method: method.clone(),
            route: route.clone(),
            status,
        };
        self.requests.get_or_create(&answered).inc();
        (self.seconds.get_or_create(&Route { method, route })).observe(took.as_secs_f64());
    }

    /// Every figure in OpenMetrics text, the journal's and the engine's read now.
    pub fn render(&self, durable: &Durable) -> String {
        let mut registry = Registry::with_prefix("qm");
        registry.register(
            "http_requests",
            "Requests answered, by route, method and status",
            self.requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time from a request's arrival to its answer, by route and method",
            self.seconds.clone(),
        );
        let stats = durable.stats();
        registry.register(
            "journal_batches",
            "Batches the journal writer wrote and synced, one fsync each",
            ConstCounter::new(stats.batches.load(Ordering::Relaxed)),
        );
        registry.register(
            "snapshots",
            "Snapshots of the engine taken",
            ConstCounter::new(stats.snapshots.load(Ordering::Relaxed)),
        );
        let pause_ns = stats.longest_snapshot_pause_ns.load(Ordering::Relaxed);
        registry.register(
            "snapshot_longest_pause_seconds",
            "The longest the writer stopped applying commands to copy the state out",
            ConstGauge::new(pause_ns as f64 / 1e9),
        );
        registry.register(
            "orders",
            "Orders the engine holds: open ones, and finished ones not yet archived",
            ConstGauge::new(durable.engine().order_count() as i64),
        );
        registry.register(
            "idempotency_keys",
            "Idempotency keys remembered: stock movements a retry under the same key will not repeat",
            ConstGauge::new(durable.engine().idempotency_key_count() as i64),
        );
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &registry)
            .expect("writing to a String cannot fail");
        text
    }
}
