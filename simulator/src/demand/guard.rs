//! Library calls that panic on damaged input instead of returning an error, made to return one.

thread_local! {
    /// Set while a library call that may panic on damaged input runs on this thread.
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Guarded reads in progress, on any thread.
static GUARDED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Runs `read`, turning a panic inside it into an error: polars' Parquet reader panics on some
/// damaged footers ("thrift bool field") and pages (dictionary indices out of range), on this
/// thread or its pool's, instead of returning an error. The panic's message is kept off the
/// terminal (a hook installed once passes every other panic on unchanged).
pub(super) fn without_panics<T>(read: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // The reader's own thread, or polars' pool working for it.
            let pool = GUARDED.load(std::sync::atomic::Ordering::Relaxed) > 0
                && std::thread::current()
                    .name()
                    .is_some_and(|n| n.starts_with("polars"));
            if !(QUIET.with(|q| q.get()) || pool) {
                previous(info);
            }
        }));
    });
    use std::sync::atomic::Ordering::Relaxed;
    QUIET.with(|q| q.set(true));
    GUARDED.fetch_add(1, Relaxed);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
    GUARDED.fetch_sub(1, Relaxed);
    QUIET.with(|q| q.set(false));
    result.map_err(|panic| {
        let why = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "no reason given".into());
        format!("not a readable Parquet file: its metadata is damaged ({why})")
    })
}
