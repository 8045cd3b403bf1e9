//! `qm serve`: the durable engine behind HTTP. Each write (reserve, confirm, release, ship, short
//! pick, return, receipt, adjustment) is one journal command: the answer goes out once the
//! command is on disk (group commit batches concurrent requests into one fsync). Reads (stock,
//! an order) look at the engine directly. Holds expire on a timer that submits `ExpireHolds` every second.
//!
//! Finished orders are archived past `--keep-finished-days`, so that memory follows the orders
//! kept, not every order ever taken.
//!
//! Codes (SKUs, warehouses, channels, regions) are the scenario's; the engine sees dense ids.
//! The engine's clock is the wall clock in milliseconds since the scenario's start date (UTC).

mod api;
mod edge;
mod idle;
mod metrics;
mod routes;

use std::cell::Cell;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use qm_engine::journal::Command;

use crate::durable::{Durable, DurableError, Genesis, Settings};
pub use api::MAX_HOLD_TTL_SECONDS;
pub use edge::MAX_BODY_BYTES;

/// How often expired holds are swept.
pub const EXPIRE_EVERY: Duration = Duration::from_secs(1);

/// Why the service could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The engine's folder could not be opened.
    #[error(transparent)]
    Durable(#[from] DurableError),
    /// The address could not be listened on.
    #[error("cannot listen on {address}: {cause}")]
    Listen {
        /// The address.
        address: SocketAddr,
        /// The system's reason.
        cause: std::io::Error,
    },
    /// The runtime or the server failed.
    #[error("the server stopped: {0}")]
    Server(std::io::Error),
}

impl ServeError {
    /// Whether the error is the input's (exit code 2): the folder's or an option's.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, ServeError::Durable(e) if e.is_bad_input())
    }
}

/// How often finished orders are archived (and once at start).
pub const ARCHIVE_EVERY: Duration = Duration::from_secs(3_600);

/// How the served engine is sized and kept.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Group commit and snapshots.
    pub settings: Settings,
    /// Orders the engine holds at once, allocated at start ([`qm_engine::Engine::presize_orders`]).
    pub open_orders: usize,
    /// Finished orders placed longer ago than this are archived (forgotten, their ids free
    /// again) at start and every [`ARCHIVE_EVERY`]: a return can name an order this long.
    pub keep_finished_days: u32,
    /// A connection that moves no byte for this long is closed, and a stop waits at most this
    /// long for the requests under way: a stalled or trickling client holds neither a
    /// descriptor nor a stop for longer.
    pub idle: Duration,
}

/// Serves the engine in `dir` (made by `qm engine drive` or `qm serve --scenario`) on `listen`
/// until Ctrl-C (or SIGTERM); `listening` hears the address once requests are taken. Closes
/// the journal cleanly on the way out.
pub fn serve(
    dir: &Path,
    listen: SocketAddr,
    options: Options,
    listening: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let genesis = Genesis::read(dir)?;
    let (first, scenario, regions) = genesis.engine(dir)?;
    // Recovery asks for an opening engine per snapshot it tries: the first is the one built
    // above, any other is built again.
    let first = Cell::new(Some(first));
    let opening = || {
        let engine = match first.take() {
            Some(engine) => engine,
            None => genesis.engine(dir)?.0,
        };
        (engine.presize_orders(options.open_orders))
            .map_err(|e| DurableError::Setting(format!("--open-orders: {e}")))?;
        Ok(engine)
    };
    let (durable, _recovery) = Durable::open(dir, &opening, options.settings)?;
    let codes = api::Codes::new(durable.engine().network(), &scenario, &regions);
    let epoch = scenario
        .start_date()
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
        .timestamp_millis()
        .max(0) as u64;
    let app = Arc::new(routes::App {
        durable,
        codes,
        clock: routes::Clock::new(epoch, 0),
        metrics: metrics::Metrics::default(),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Server)?;
    runtime.block_on(run(Arc::clone(&app), listen, options, listening))?;
    // Dropping the runtime drops every request still under way (after a stop's grace), and
    // with them their hold on the engine; a command one had submitted is still written.
    drop(runtime);
    let app = Arc::into_inner(app).expect("no request outlives the runtime");
    app.durable.close()?;
    Ok(())
}

async fn run(
    app: Arc<routes::App>,
    listen: SocketAddr,
    options: Options,
    listening: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let keep_finished_ms = u64::from(options.keep_finished_days) * 86_400_000;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|cause| ServeError::Listen {
            address: listen,
            cause,
        })?;
    let address = listener.local_addr().map_err(ServeError::Server)?;
    let stop = stop_signals().map_err(ServeError::Server)?;
    let sweeper = tokio::spawn(sweep(Arc::clone(&app), keep_finished_ms));
    listening(address);
    let listener = idle::IdleLimit::new(listener, options.idle);
    // A stop lets the requests under way finish, for at most `idle`: a client that trickles
    // its body a byte at a time is never idle, and would hold the stop as long as it liked.
    let stopping = Arc::new(tokio::sync::Notify::new());
    let stop = {
        let stopping = Arc::clone(&stopping);
        async move {
            stop.await;
            stopping.notify_one();
        }
    };
    let graceful = axum::serve(listener, routes::router(Arc::clone(&app)))
        .with_graceful_shutdown(stop)
        .into_future();
    let served = tokio::select! {
        served = graceful => served.map_err(ServeError::Server),
        () = async {
            stopping.notified().await;
            tokio::time::sleep(options.idle).await;
        } => Ok(()),
    };
    sweeper.abort();
    let _ = sweeper.await;
    served
}

/// Submits `ExpireHolds` every [`EXPIRE_EVERY`], and `ArchiveFinished` for the orders placed
/// more than `keep_finished_ms` ago at start and every [`ARCHIVE_EVERY`]. At start, when both
/// are due, the expiry goes first, so that the holds it ends are archived with the rest.
async fn sweep(app: Arc<routes::App>, keep_finished_ms: u64) {
    let mut expire = tokio::time::interval(EXPIRE_EVERY);
    let mut archive = tokio::time::interval(ARCHIVE_EVERY);
    loop {
        let command = tokio::select! {
            biased;
            _ = expire.tick() => Command::ExpireHolds {
                now_ms: app.clock.now_ms(),
            },
            _ = archive.tick() => Command::ArchiveFinished {
                placed_before_ms: app.clock.now_ms().saturating_sub(keep_finished_ms),
            },
        };
        if routes::apply(&app, command).await.is_err() {
            return;
        }
    }
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM. The signals are listened for from this call on, not
/// from the future's first poll: the server polls it in a task of its own, which may run only
/// after the first requests, and a signal before that would end the process ungracefully.
fn stop_signals() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
    })
}
