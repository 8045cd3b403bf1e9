//! `qm serve`: the durable engine behind HTTP. Each write (reserve, confirm, release, ship, short
//! pick, return, receipt, adjustment) is one journal command: the answer goes out once the
//! command is on disk (group commit batches concurrent requests into one fsync). Reads (stock,
//! an order) look at the engine directly. Holds expire on a timer that submits `ExpireHolds` every second.
//!
//! Codes (SKUs, warehouses, channels, regions) are the scenario's; the engine sees dense ids.
//! The engine's clock is the wall clock in milliseconds since the scenario's start date (UTC).

mod api;
mod routes;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use qm_engine::journal::Command;

use crate::durable::{Durable, DurableError, Genesis, Settings};
pub use api::MAX_HOLD_TTL_SECONDS;
pub use routes::MAX_BODY_BYTES;

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

/// How the served engine is sized.
#[derive(Clone, Copy, Debug)]
pub struct Sizing {
    /// Group commit and snapshots.
    pub settings: Settings,
    /// Orders the engine holds at once, allocated at start ([`qm_engine::Engine::presize_orders`]).
    pub open_orders: usize,
}

/// Serves the engine in `dir` (made by `qm engine drive` or `qm serve --scenario`) on `listen`
/// until Ctrl-C (or SIGTERM); `listening` hears the address once requests are taken. Closes
/// the journal cleanly on the way out.
pub fn serve(
    dir: &Path,
    listen: SocketAddr,
    sizing: Sizing,
    listening: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let genesis = Genesis::read(dir)?;
    let (_, scenario, regions) = genesis.engine(dir)?;
    let opening = || {
        let engine = genesis.engine(dir)?.0;
        engine.presize_orders(sizing.open_orders);
        Ok(engine)
    };
    let (durable, _recovery) = Durable::open(dir, &opening, sizing.settings)?;
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
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Server)?;
    runtime.block_on(run(Arc::clone(&app), listen, listening))?;
    drop(runtime);
    let app = Arc::into_inner(app).expect("every request has ended");
    app.durable.close()?;
    Ok(())
}

async fn run(
    app: Arc<routes::App>,
    listen: SocketAddr,
    listening: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|cause| ServeError::Listen {
            address: listen,
            cause,
        })?;
    let address = listener.local_addr().map_err(ServeError::Server)?;
    let sweeper = tokio::spawn(expire_holds(Arc::clone(&app)));
    listening(address);
    let served = axum::serve(listener, routes::router(Arc::clone(&app)))
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(ServeError::Server);
    sweeper.abort();
    let _ = sweeper.await;
    served
}

/// Submits `ExpireHolds` every [`EXPIRE_EVERY`].
async fn expire_holds(app: Arc<routes::App>) {
    let mut every = tokio::time::interval(EXPIRE_EVERY);
    loop {
        every.tick().await;
        let expire = Command::ExpireHolds {
            now_ms: app.clock.now_ms(),
        };
        if routes::apply(&app, expire).await.is_err() {
            return;
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
