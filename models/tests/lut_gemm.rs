//! Property tests: the LUT mixed-precision GEMM equals the integer GEMM for every weight width
//! 1..=8 (signed and unsigned), table group g in 2..=4, symmetric tables on and off, and K
//! not a multiple of g; and the VQ 2D-table GEMM equals the integer GEMM of its decoded
//! operands for every power-of-two C in 2..=256 on either side, L in 1..=16, and K not a
//! multiple of L.

use lutforge_models::numerics::{
    build_table, int_gemm, lut_gemm, quantize_ternary_absmean, vq_decode, vq_decoded_gemm,
    vq_encode, vq_gemm, vq_vectors, weight_range, GemmShape, LutGemmConfig, VqOperand, MAX_VQ_LEN,
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

/// A codebook of `2^log_c` random centroids of `len` coordinates.
fn codebook(len: usize) -> impl Strategy<Value = Vec<i8>> {
    (1u32..=8).prop_flat_map(move |log_c| prop::collection::vec(any::<i8>(), len << log_c))
}

/// A random VQ GEMM problem: shape (K from 0, often not a multiple of L), L, both codebooks
/// and in-range indices for both sides.
fn vq_problem() -> impl Strategy<Value = (GemmShape, usize, Vec<i8>, Vec<u8>, Vec<i8>, Vec<u8>)> {
    (1usize..=3, 0usize..=40, 1usize..=4, 1usize..=MAX_VQ_LEN)
        .prop_flat_map(|(m, k, n, len)| {
            (
                Just((GemmShape { m, k, n }, len)),
                codebook(len),
                codebook(len),
            )
        })
        .prop_flat_map(|((shape, len), act_c, weight_c)| {
            let vectors = vq_vectors(shape.k, len);
            let index = |codebook: &[i8]| (0..codebook.len() / len).prop_map(|i| i as u8);
            (
                prop::collection::vec(index(&act_c), shape.m * vectors),
                prop::collection::vec(index(&weight_c), vectors * shape.n),
                Just((shape, len, act_c, weight_c)),
            )
        })
        .prop_map(|(act_idx, weight_idx, (shape, len, act_c, weight_c))| {
            (shape, len, act_c, act_idx, weight_c, weight_idx)
        })
}

proptest! {
    #![proptest_config(persisted(64))]

    #[test]
    fn vq_gemm_equals_the_decoded_int_gemm(
        (shape, len, act_c, act_idx, weight_c, weight_idx) in vq_problem(),
    ) {
        let acts = VqOperand { indices: &act_idx, centroids: &act_c };
        let weights = VqOperand { indices: &weight_idx, centroids: &weight_c };
        let reference = vq_decoded_gemm(acts, weights, shape, len).unwrap();
        prop_assert_eq!(vq_gemm(acts, weights, shape, len).unwrap(), reference);
    }

    /// Encode INT8 activations and weights (weights column by column), then multiply: the
    /// lookup GEMM equals the decoded GEMM, and with no padding (L divides K) that is the plain
    /// integer GEMM of the decoded operands over K.
    #[test]
    fn vq_encode_then_gemm(
        (shape, len, act_c, weight_c, acts, weights) in (1usize..=3, 0usize..=24, 1usize..=3, 1usize..=8)
            .prop_flat_map(|(m, k, n, len)| (
                Just((GemmShape { m, k, n }, len)),
                codebook(len),
                codebook(len),
                prop::collection::vec(any::<i8>(), m * k),
                prop::collection::vec(any::<i8>(), k * n),
            ))
            .prop_map(|((shape, len), ac, wc, a, w)| (shape, len, ac, wc, a, w)),
    ) {
        let GemmShape { m, k, n } = shape;
        let act_idx: Vec<u8> = (0..m)
            .flat_map(|row| vq_encode(&acts[row * k..(row + 1) * k], &act_c, len).unwrap())
            .collect();
        let vectors = vq_vectors(k, len);
        let mut weight_idx = vec![0_u8; vectors * n];
        for col in 0..n {
            let column: Vec<i8> = (0..k).map(|kk| weights[kk * n + col]).collect();
            for (j, i) in vq_encode(&column, &weight_c, len).unwrap().into_iter().enumerate() {
                weight_idx[j * n + col] = i;
            }
        }
        let a = VqOperand { indices: &act_idx, centroids: &act_c };
        let w = VqOperand { indices: &weight_idx, centroids: &weight_c };
        let lookup = vq_gemm(a, w, shape, len).unwrap();
        prop_assert_eq!(&lookup, &vq_decoded_gemm(a, w, shape, len).unwrap());
        if k % len == 0 {
            let decoded_acts = vq_decode(&act_idx, &act_c, len).unwrap();
            let mut decoded_weights = vec![0_i32; k * n];
            for col in 0..n {
                let column: Vec<u8> = (0..vectors).map(|j| weight_idx[j * n + col]).collect();
                for (kk, x) in vq_decode(&column, &weight_c, len).unwrap().into_iter().enumerate() {
                    decoded_weights[kk * n + col] = i32::from(x);
                }
            }
            prop_assert_eq!(lookup, int_gemm(&decoded_acts, &decoded_weights, shape).unwrap());
        }
    }

    #[test]
    fn vq_extreme_values(k in 1usize..=40, len in 1usize..=MAX_VQ_LEN, extreme in prop::sample::select(vec![-128_i8, 127])) {
        // Every coordinate at an extreme, the largest table entries (L * 128^2).
        let shape = GemmShape { m: 1, k, n: 2 };
        let vectors = vq_vectors(k, len);
        let act_c = vec![-128_i8; 2 * len];
        let weight_c = vec![extreme; 2 * len];
        let act_idx = vec![1_u8; vectors];
        let weight_idx = vec![0_u8; 2 * vectors];
        let a = VqOperand { indices: &act_idx, centroids: &act_c };
        let w = VqOperand { indices: &weight_idx, centroids: &weight_c };
        let expected = (vectors * len) as i64 * -128 * i64::from(extreme);
        prop_assert_eq!(vq_gemm(a, w, shape, len).unwrap(), vec![expected; 2]);
        prop_assert_eq!(vq_decoded_gemm(a, w, shape, len).unwrap(), vec![expected; 2]);
    }

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
