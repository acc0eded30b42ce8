//! Pareto fronts: the points that no other point beats in every objective.

use std::cmp::Ordering;

/// Indices (ascending) of the non-dominated points.
///
/// `maximize[k]` says whether objective `k` is better large (`true`) or small (`false`). Point
/// `a` dominates point `b` when `a` is at least as good as `b` in every objective and strictly
/// better in one; equal points do not dominate each other, so duplicates on the front are all
/// kept. Points with a NaN coordinate, or whose length differs from `maximize.len()`, are
/// ignored: never on the front, never dominating.
///
/// Runs in O(n log n + n·f·k) for n points, f front points and k objectives: after a
/// lexicographic sort by "better", a point can only be dominated by an earlier one, and if an
/// earlier point dominates it, an earlier *front* point does too.
pub fn pareto_front(points: &[Vec<f64>], maximize: &[bool]) -> Vec<usize> {
    let k = maximize.len();
    // Oriented copies: larger is better in every coordinate.
    let oriented: Vec<Option<Vec<f64>>> = points
        .iter()
        .map(|p| {
            if p.len() != k || p.iter().any(|v| v.is_nan()) {
                return None;
            }
            Some(
                p.iter()
                    .zip(maximize)
                    .map(|(&v, &max)| if max { v } else { -v })
                    .collect(),
            )
        })
        .collect();
    let mut order: Vec<usize> = (0..points.len())
        .filter(|&i| oriented[i].is_some())
        .collect();
    let key = |i: usize| oriented[i].as_deref().unwrap_or(&[]);
    order.sort_by(|&a, &b| lexicographic(key(b), key(a)).then(a.cmp(&b)));
    let mut front: Vec<usize> = Vec::new();
    for &i in &order {
        let p = key(i);
        if !front.iter().any(|&f| dominates(key(f), p)) {
            front.push(i);
        }
    }
    front.sort_unstable();
    front
}

/// True when `a` dominates `b`; both oriented so that larger is better.
fn dominates(a: &[f64], b: &[f64]) -> bool {
    let mut strictly = false;
    for (x, y) in a.iter().zip(b) {
        if x < y {
            return false;
        }
        if x > y {
            strictly = true;
        }
    }
    strictly
}

fn lexicographic(a: &[f64], b: &[f64]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.total_cmp(y))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::pareto_front;

    #[test]
    fn two_objectives() {
        // (energy J/token: min, tokens/s: max)
        let pts = vec![
            vec![1.0, 10.0],
            vec![2.0, 20.0],
            vec![2.0, 15.0],
            vec![3.0, 20.0],
            vec![0.5, 1.0],
        ];
        assert_eq!(pareto_front(&pts, &[false, true]), vec![0, 1, 4]);
    }

    #[test]
    fn duplicates_nan_and_bad_lengths() {
        let pts = vec![
            vec![1.0, 1.0],
            vec![1.0, 1.0],
            vec![f64::NAN, 5.0],
            vec![9.0],
            vec![0.0, 0.0],
        ];
        assert_eq!(pareto_front(&pts, &[true, true]), vec![0, 1]);
        assert!(pareto_front(&[], &[true]).is_empty());
    }

    #[test]
    fn zero_objectives_keeps_everything() {
        let pts = vec![vec![], vec![]];
        assert_eq!(pareto_front(&pts, &[]), vec![0, 1]);
    }
}
