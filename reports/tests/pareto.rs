//! Properties of `pareto_front`: no front point is dominated by any point, and every point
//! off the front is dominated by some front point.

use lutforge_reports::pareto_front;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// `cases` random cases per property; a failing case is saved to
/// `reports/proptest-regressions/tests/pareto.txt` (committed) and replayed first on every later
/// run. `PROPTEST_RNG_SEED` and the other `PROPTEST_*` variables still apply.
fn persisted(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/proptest-regressions/tests/pareto.txt"
        )))),
        ..ProptestConfig::default()
    }
}

fn dominates(a: &[f64], b: &[f64], maximize: &[bool]) -> bool {
    let mut strictly = false;
    for ((x, y), &max) in a.iter().zip(b).zip(maximize) {
        let (x, y) = if max { (*x, *y) } else { (-x, -y) };
        if x < y {
            return false;
        }
        strictly |= x > y;
    }
    strictly
}

fn cloud() -> impl Strategy<Value = (Vec<Vec<f64>>, Vec<bool>)> {
    (1usize..=4).prop_flat_map(|k| {
        // Small integer grids make ties and duplicates common.
        let point = prop::collection::vec((0i32..6).prop_map(f64::from), k);
        (
            prop::collection::vec(point, 0..60),
            prop::collection::vec(any::<bool>(), k),
        )
    })
}

proptest! {
    #![proptest_config(persisted(ProptestConfig::default().cases))]
    #[test]
    fn front_is_exactly_the_non_dominated_set((points, maximize) in cloud()) {
        let front = pareto_front(&points, &maximize);
        prop_assert!(front.windows(2).all(|w| w[0] < w[1]), "indices not ascending: {:?}", front);
        for &f in &front {
            for p in &points {
                prop_assert!(!dominates(p, &points[f], &maximize), "front point {} dominated by {:?}", f, p);
            }
        }
        for (i, p) in points.iter().enumerate() {
            if !front.contains(&i) {
                prop_assert!(front.iter().any(|&f| dominates(&points[f], p, &maximize)),
                    "point {} ({:?}) is off the front but no front point dominates it", i, p);
            }
        }
    }

    #[test]
    fn real_valued_two_objective_fronts((xs, ys) in (prop::collection::vec(-1e6f64..1e6, 1..80), prop::collection::vec(-1e6f64..1e6, 80))) {
        let points: Vec<Vec<f64>> = xs.iter().zip(&ys).map(|(x, y)| vec![*x, *y]).collect();
        let maximize = [false, true];
        let front = pareto_front(&points, &maximize);
        prop_assert!(!front.is_empty());
        for (i, p) in points.iter().enumerate() {
            let dominated = points.iter().any(|q| dominates(q, p, &maximize));
            prop_assert_eq!(front.contains(&i), !dominated);
        }
    }
}
