//! Property tests: the LUT mixed-precision GEMM equals the integer GEMM for every weight width
//! 1..=8 (signed and unsigned), table group g in 2..=4, symmetric tables on and off, and K
//! not a multiple of g.

use lutforge_models::numerics::{
    build_table, int_gemm, lut_gemm, quantize_ternary_absmean, weight_range, GemmShape,
    LutGemmConfig,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// `cases` random cases per property; a failing case is saved to
/// `models/proptest-regressions/tests/lut_gemm.txt` (committed) and replayed first on every later
/// run. `PROPTEST_RNG_SEED` and the other `PROPTEST_*` variables still apply.
fn persisted(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/proptest-regressions/tests/lut_gemm.txt"
        )))),
        ..ProptestConfig::default()
    }
}

/// A random GEMM problem: shape, INT8 activations, weights in range for `bits`/`signed`.
fn problem() -> impl Strategy<Value = (GemmShape, Vec<i8>, Vec<i32>, u32, bool)> {
    (1usize..=3, 1usize..=13, 1usize..=4, 1u32..=8, any::<bool>()).prop_flat_map(
        |(m, k, n, bits, signed)| {
            let (min, max) = weight_range(bits, signed).unwrap();
            (
                Just(GemmShape { m, k, n }),
                prop::collection::vec(any::<i8>(), m * k),
                prop::collection::vec(min..=max, k * n),
                Just(bits),
                Just(signed),
            )
        },
    )
}

proptest! {
    #![proptest_config(persisted(64))]

    #[test]
    fn lut_gemm_equals_int_gemm(
        (shape, acts, weights, bits, signed) in problem(),
        g in 2usize..=4,
        symmetric: bool,
    ) {
        let reference = int_gemm(&acts, &weights, shape).unwrap();
        let config = LutGemmConfig { weight_bits: bits, signed, g, symmetric };
        prop_assert_eq!(lut_gemm(&acts, &weights, shape, config).unwrap(), reference);
    }

    #[test]
    fn extreme_values(k in 1usize..=9, g in 2usize..=4, symmetric: bool, bits in 1u32..=8, signed: bool) {
        // All activations -128 and all weights at the most negative / largest value.
        let (min, max) = weight_range(bits, signed).unwrap();
        let shape = GemmShape { m: 1, k, n: 2 };
        let acts = vec![-128_i8; k];
        let weights: Vec<i32> = (0..k).flat_map(|_| [min, max]).collect();
        let config = LutGemmConfig { weight_bits: bits, signed, g, symmetric };
        prop_assert_eq!(
            lut_gemm(&acts, &weights, shape, config).unwrap(),
            int_gemm(&acts, &weights, shape).unwrap()
        );
    }

    #[test]
    fn ternary_weights_through_two_planes(
        w in prop::collection::vec(-1.0f32..1.0, 12),
        acts in prop::collection::vec(any::<i8>(), 6),
        symmetric: bool,
    ) {
        // BitNet absmean ternary codes, stored as signed 2-bit: 6 x 2 weights.
        let q = quantize_ternary_absmean(&w).unwrap();
        let shape = GemmShape { m: 1, k: 6, n: 2 };
        let config = LutGemmConfig { weight_bits: 2, signed: true, g: 4, symmetric };
        prop_assert_eq!(
            lut_gemm(&acts, &q.values, shape, config).unwrap(),
            int_gemm(&acts, &q.values, shape).unwrap()
        );
    }
}

#[test]
fn tables_have_documented_sizes() {
    for g in 1..=4 {
        let acts = vec![1_i64; g];
        assert_eq!(build_table(&acts, false).unwrap().len(), 1 << g);
        assert_eq!(build_table(&acts, true).unwrap().len(), 1 << (g - 1));
    }
}

/// A fixed-seed linear congruential generator (Knuth MMIX constants), so the sweep below is
/// deterministic without a dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }
}

#[test]
fn every_width_group_and_table_kind() {
    // Deterministic sweep of the whole grid the hardware may use, K from 1 to 9 so every
    // remainder K mod g occurs.
    let mut rng = Lcg(2024);
    for bits in 1..=8 {
        for signed in [false, true] {
            let (min, max) = weight_range(bits, signed).unwrap();
            let span = (max - min + 1) as u32;
            for g in 2..=4 {
                for symmetric in [false, true] {
                    for k in 1..=9 {
                        let shape = GemmShape { m: 2, k, n: 3 };
                        let acts: Vec<i8> = (0..2 * k).map(|_| rng.next() as u8 as i8).collect();
                        let weights: Vec<i32> = (0..k * 3)
                            .map(|_| min + (rng.next() % span) as i32)
                            .collect();
                        let config = LutGemmConfig {
                            weight_bits: bits,
                            signed,
                            g,
                            symmetric,
                        };
                        assert_eq!(
                            lut_gemm(&acts, &weights, shape, config).unwrap(),
                            int_gemm(&acts, &weights, shape).unwrap(),
                            "bits {bits} signed {signed} g {g} symmetric {symmetric} k {k}"
                        );
                    }
                }
            }
        }
    }
}
