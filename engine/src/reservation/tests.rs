use std::collections::BTreeSet;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::*;

/// Sequential ids (the common case) spread evenly over every shard, so that routing orders
/// to threads by shard gives each thread an even share.
#[test]
fn sequential_ids_spread_over_every_shard() {
    let mut per_shard = [0u32; ORDER_SHARDS];
    for id in 0..64_000 {
        per_shard[shard_of(OrderId(id))] += 1;
    }
    let (least, most) = (
        per_shard.iter().min().unwrap(),
        per_shard.iter().max().unwrap(),
    );
    assert!(
        *least >= 900 && *most <= 1_100,
        "{least}..{most} ids a shard (1,000 expected)"
    );
}

/// A queue restored from a snapshot compares new entries with its run's last one: an earlier
/// entry goes to the heap and still pops in time order.
#[test]
fn a_restored_queue_orders_new_entries_after_its_run() {
    let mut queue = ExpiryQueue::try_with_capacity(4).unwrap();
    queue.set_entries(vec![(1_000, 1), (2_000, 2)], vec![]);
    queue.push(1_500, OrderId(3));
    let popped: Vec<_> = std::iter::from_fn(|| queue.pop_due(u64::MAX))
        .map(|(at_ms, id)| (at_ms, id.0))
        .collect();
    assert_eq!(popped, vec![(1_000, 1), (1_500, 3), (2_000, 2)]);
}

/// The queue pops exactly what a sorted set would, across many compactions of its run:
/// mostly increasing expiry times (one TTL), some shorter ones (the heap), pops that drain it
/// empty and pops that leave most entries in place.
#[test]
fn expiry_queue_pops_like_a_sorted_set_across_compactions() {
    let mut rng = StdRng::seed_from_u64(11);
    let mut queue = ExpiryQueue::try_with_capacity(16).unwrap();
    let mut model = BTreeSet::new();
    let (mut now_ms, mut next_id, mut popped, mut compactions) = (0u64, 0u64, 0usize, 0);
    for _ in 0..200_000 {
        let head_before = queue.head;
        if rng.random_range(0..100) < 45 {
            let ttl_ms = if rng.random_range(0..10) == 0 {
                500
            } else {
                1_000
            };
            queue.push(now_ms + ttl_ms, OrderId(next_id));
            model.insert((now_ms + ttl_ms, next_id));
            next_id += 1;
        } else {
            now_ms += rng.random_range(0..5);
            let expected = model.first().copied().filter(|&(at_ms, _)| at_ms <= now_ms);
            if let Some(entry) = expected {
                model.remove(&entry);
                popped += 1;
            }
            let got = queue.pop_due(now_ms).map(|(at_ms, id)| (at_ms, id.0));
            assert_eq!(got, expected, "at {now_ms} ms");
        }
        if head_before + 1 >= EXPIRY_COMPACT_MIN && queue.head == 0 {
            compactions += 1;
        }
        assert!(queue.in_order.len() - queue.head <= model.len());
        assert!(queue.in_order.len() <= 2 * model.len() + EXPIRY_COMPACT_MIN + 1);
    }
    assert!(
        popped > 50_000,
        "only {popped} pops: the test did not exercise the queue"
    );
    assert!(
        compactions >= 3,
        "{compactions} compactions: the run was never compacted"
    );
    let (run, heap) = queue.entries();
    let mut left: Vec<_> = run.into_iter().chain(heap).collect();
    left.sort_unstable();
    assert_eq!(left, model.into_iter().collect::<Vec<_>>());
}
