//! Many runs in parallel, with the same answer whatever the threads' timing: the results in
//! order, or the error of the first job (in order) that failed.

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

/// Runs `job` on every item in parallel. Returns the results in the items' order, or, when jobs
/// fail, the error of the first failing item in that order: the same error on every call,
/// however the threads interleave. Once a job has failed, the jobs after it that have not
/// started are skipped; every job before it still runs, so no earlier failure goes unseen.
pub fn all_or_first_error<T, R, E>(
    items: &[T],
    job: impl Fn(&T) -> Result<R, E> + Sync,
) -> Result<Vec<R>, E>
where
    T: Sync,
    R: Send,
    E: Send,
{
    let first_failed = AtomicUsize::new(usize::MAX);
    let results: Vec<Option<Result<R, E>>> = items
        .par_iter()
        .enumerate()
        .map(|(i, item)| {
            if i > first_failed.load(Ordering::Relaxed) {
                return None;
            }
            let result = job(item);
            if result.is_err() {
                first_failed.fetch_min(i, Ordering::Relaxed);
            }
            Some(result)
        })
        .collect();
    let mut done = Vec::with_capacity(items.len());
    for result in results {
        // A job is skipped only after an earlier one failed, so the loop returns before one.
        done.push(result.expect("skipped only behind a failure")?);
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Later jobs fail sooner than earlier ones (they sleep less), so the first failure to
    /// happen is rarely the first in order; the answer is always item 17's.
    #[test]
    fn the_error_is_always_the_first_failing_items() {
        let items: Vec<u64> = (0..64).collect();
        for _ in 0..20 {
            let answer = all_or_first_error(&items, |&i| {
                std::thread::sleep(std::time::Duration::from_micros(2_000 - 30 * i));
                if i >= 17 && i % 7 == 3 {
                    Err(i)
                } else {
                    Ok(i * 2)
                }
            });
            assert_eq!(answer, Err(17));
        }
        let doubled = all_or_first_error(&items, |&i| Ok::<u64, ()>(i * 2)).unwrap();
        assert_eq!(doubled, (0..64).map(|i| i * 2).collect::<Vec<_>>());
    }
}
