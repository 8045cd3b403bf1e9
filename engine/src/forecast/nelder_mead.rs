//! The Nelder–Mead simplex search, for the few smoothing parameters of an ETS model (at most
//! four, on an unbounded scale): no gradient, few evaluations, no allocation past the simplex.

/// The least value of `f` found from `start`, and where: the simplex starts at `start` and
/// `start` moved by `step` along each axis, and stops when its values lie within `tolerance` of
/// each other or after `max_evaluations` calls. A non-finite value counts as worse than any
/// finite one.
pub fn minimize(
    f: &mut impl FnMut(&[f64]) -> f64,
    start: &[f64],
    step: f64,
    tolerance: f64,
    max_evaluations: usize,
) -> (Vec<f64>, f64) {
    let d = start.len();
    let value = |f: &mut dyn FnMut(&[f64]) -> f64, x: &[f64]| {
        let v = f(x);
        if v.is_nan() {
            f64::INFINITY
        } else {
            v
        }
    };
    let mut points: Vec<Vec<f64>> = (0..=d)
        .map(|i| {
            let mut p = start.to_vec();
            if i > 0 {
                p[i - 1] += step;
            }
            p
        })
        .collect();
    let mut values: Vec<f64> = points.iter().map(|p| value(f, p)).collect();
    let mut evaluations = d + 1;
    let mut centroid = vec![0.0; d];
    let mut trial = vec![0.0; d];
    let mut second = vec![0.0; d];
    let mut order: Vec<usize> = (0..=d).collect();
    while evaluations < max_evaluations {
        rank(&values, &mut order);
        let (best, worst, next_worst) = (order[0], order[d], order[d - 1]);
        if (values[worst] - values[best]).abs() <= tolerance {
            break;
        }
        centroid.fill(0.0);
        for &i in &order[..d] {
            for (c, x) in centroid.iter_mut().zip(&points[i]) {
                *c += x / d as f64;
            }
        }
        // Reflect the worst point through the centroid of the others.
        along(&centroid, &points[worst], -1.0, &mut trial);
        let reflected = value(f, &trial);
        evaluations += 1;
        if reflected < values[best] {
            along(&centroid, &points[worst], -2.0, &mut second);
            let expanded = value(f, &second);
            evaluations += 1;
            if expanded < reflected {
                replace(&mut points[worst], &second, &mut values[worst], expanded);
            } else {
                replace(&mut points[worst], &trial, &mut values[worst], reflected);
            }
            continue;
        }
        if reflected < values[next_worst] {
            replace(&mut points[worst], &trial, &mut values[worst], reflected);
            continue;
        }
        // Contract towards the better of the worst point and its reflection.
        let outside = reflected < values[worst];
        along(
            &centroid,
            &points[worst],
            if outside { -0.5 } else { 0.5 },
            &mut second,
        );
        let contracted = value(f, &second);
        evaluations += 1;
        if contracted < values[worst].min(reflected) {
            replace(&mut points[worst], &second, &mut values[worst], contracted);
            continue;
        }
        // Shrink every point halfway towards the best.
        let best_point = points[best].clone();
        for i in (0..=d).filter(|&i| i != best) {
            for (x, b) in points[i].iter_mut().zip(&best_point) {
                *x = b + 0.5 * (*x - b);
            }
            values[i] = value(f, &points[i]);
        }
        evaluations += d;
    }
    rank(&values, &mut order);
    (points[order[0]].clone(), values[order[0]])
}

/// Sorts the point indices in `order` from the least value to the greatest (ties by index).
fn rank(values: &[f64], order: &mut [usize]) {
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
}

/// `centroid + t · (point − centroid)` into `out`.
fn along(centroid: &[f64], point: &[f64], t: f64, out: &mut [f64]) {
    for ((o, c), p) in out.iter_mut().zip(centroid).zip(point) {
        *o = c + t * (p - c);
    }
}

fn replace(point: &mut [f64], with: &[f64], value: &mut f64, with_value: f64) {
    point.copy_from_slice(with);
    *value = with_value;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_the_rosenbrock_valley_and_of_a_bowl() {
        let mut rosenbrock =
            |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let (x, v) = minimize(&mut rosenbrock, &[-1.2, 1.0], 0.5, 1e-14, 5_000);
        assert!(
            (x[0] - 1.0).abs() < 1e-3 && (x[1] - 1.0).abs() < 1e-3,
            "{x:?}"
        );
        assert!(v < 1e-8, "{v}");
        let mut bowl = |x: &[f64]| {
            x.iter()
                .enumerate()
                .map(|(i, v)| (v - i as f64).powi(2))
                .sum()
        };
        let (x, _) = minimize(&mut bowl, &[5.0, 5.0, 5.0, 5.0], 1.0, 1e-16, 5_000);
        for (i, v) in x.iter().enumerate() {
            assert!((v - i as f64).abs() < 1e-4, "{x:?}");
        }
    }

    #[test]
    fn a_nan_counts_as_worse_and_the_budget_holds() {
        let mut calls = 0;
        let mut f = |x: &[f64]| {
            calls += 1;
            if x[0] < 0.0 {
                f64::NAN
            } else {
                (x[0] - 2.0).powi(2)
            }
        };
        let (x, v) = minimize(&mut f, &[0.5], 1.0, 1e-12, 40);
        assert!(calls <= 41, "{calls}");
        assert!(v.is_finite() && (x[0] - 2.0).abs() < 0.1, "{x:?} {v}");
    }
}
