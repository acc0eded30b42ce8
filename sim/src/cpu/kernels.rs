//! The cores' kernels as SIMD instruction counts, read off the kernels' source: T-MAC's
//! table-lookup GEMM (`python/t_mac/intrins/tbl.cc`, `lut_ctor.cc` of microsoft/T-MAC) and
//! llama.cpp's dequantizing dot products (`ggml-quants.c`, NEON with the dot-product
//! extension). Counts are for 128-bit registers and scale with the register width: a wider
//! register does the same instruction sequence on more lanes.
//!
//! T-MAC (Wei et al., "T-MAC: CPU Renaissance via Table Lookup for Low-Bit LLM Deployment on
//! Edge", arXiv 2407.00088, EuroSys 2025) splits a `b`-bit weight matrix into `b` one-bit
//! planes; each group of [`TMAC_GROUP`] activations has a table of 16 int8 partial sums,
//! built once per activation row and reused by every output row and every plane. One 128-bit
//! index vector holds 32 four-bit indices (32 output rows of one group of one plane) and is
//! looked up with two TBL instructions. Its cost is therefore `planes x rows x groups`
//! lookups: linear in the weight bits and in the batch, with no multiply at all.
//!
//! llama.cpp (`ggml_vec_dot_q4_0_q8_0`, `ggml_vec_dot_q2_K_q8_K`, ...) unpacks each block of
//! weights to int8 and multiplies it with the int8-quantized activation row by SDOT; it
//! re-unpacks the block for every activation row, so its cost is `rows x n x k` times the
//! instructions per weight, which barely fall with the bits (2-bit k-quants unpack more than
//! 4-bit blocks do).

use lutforge_models::{KvFormat, WeightFormat};

/// Activations per T-MAC table: 4, so a table has 2^4 = 16 entries and one TBL of a 128-bit
/// table register serves it (T-MAC, arXiv 2407.00088, Sec. 3.1; `tbl_g4_*` in tbl.cc, 2024).
pub const TMAC_GROUP: u64 = 4;

/// SIMD instructions per 128-bit index vector in T-MAC's inner loop
/// (`tbl_g4_int8_float_update_impl`, tbl.cc of microsoft/T-MAC, 2024): one shift and one AND
/// split the bytes into two nibble vectors, two TBL look them up, and the widening adder
/// (`SignedWideningAdder`: `vaddl_s8`/`vaddl_high_s8` per pair of lookups and two int16
/// adds) spends two per lookup vector, four in all: 1 + 1 + 2 + 4 = 8.
pub const TMAC_INSTRS_PER_INDEX_VECTOR: f64 = 8.0;

/// Index vectors whose int16 sums are converted and scaled together (`ActK = 16`, tbl.cc of
/// microsoft/T-MAC, 2024).
pub const TMAC_AGGREGATE_VECTORS: f64 = 16.0;

/// SIMD instructions of that aggregation (tbl.cc, 2024): four `vcvtq_f16_s16` and four fp16
/// multiply-adds with the table scale and bias.
pub const TMAC_AGGREGATE_INSTRS: f64 = 8.0;

/// SIMD instructions to build the tables of 32 activations (8 groups, one fp16 lane each)
/// with 128-bit registers (`lut_ctor_g4_int8_impl`, lut_ctor.cc of microsoft/T-MAC, 2024):
/// 8 odd entries of 3 adds or subtracts (24), 8 mirrored negations, 16 scale multiplies, 16
/// conversions and 16 narrowings to int8, and 128 single-lane stores: 208.
pub const TMAC_BUILD_INSTRS_PER_32_ACTS: f64 = 208.0;

/// SIMD and FP instructions per 64 weights of llama.cpp's Q4_0 dot product
/// (`ggml_vec_dot_q4_0_q8_0`, NEON with dotprod, ggml-quants.c, 2024): per two 32-weight
/// blocks 2 AND + 2 shifts + 4 subtracts of 8 + 4 SDOT + 2 conversions + 2 FMLA, and 6 scalar
/// FP16-to-FP32 conversions and multiplies of the two blocks' scales: 22.
pub const Q4_0_INSTRS_PER_64_WEIGHTS: f64 = 22.0;

/// The same for Q2_K (`ggml_vec_dot_q2_K_q8_K`, ggml-quants.c, 2024): per 64 weights 4 SDOT,
/// 8 mask-and-shift steps unpacking four 2-bit fields per byte, 8 pairwise reductions and
/// scalar scale multiply-adds of the 16-weight sub-blocks, and the super-block's share (1/4)
/// of its 6-bit scale and min unpacking and min correction (about 24 per 256): 26.
pub const Q2_K_INSTRS_PER_64_WEIGHTS: f64 = 26.0;

/// The same for Q3_K (`ggml_vec_dot_q3_K_q8_K`, ggml-quants.c, 2024): Q2_K's work plus the
/// high-bit mask merged into each 2-bit field (one AND and one OR per 16 weights) and a
/// costlier 6-bit scale unpacking: 34.
pub const Q3_K_INSTRS_PER_64_WEIGHTS: f64 = 34.0;

/// The same for Q8_0 (`ggml_vec_dot_q8_0_q8_0`, ggml-quants.c, 2024): 4 SDOT, 2 conversions,
/// 2 FMLA and 6 scalar scale conversions and multiplies per 64 weights: 14.
pub const Q8_0_INSTRS_PER_64_WEIGHTS: f64 = 14.0;

/// The same for fp16 weights and activations (`ggml_vec_dot_f16`, ggml.c, 2024): one 8-lane
/// fp16 FMA per 8 products on cores with the Armv8.2-A FP16 extension: 8.
pub const F16_INSTRS_PER_64_WEIGHTS: f64 = 8.0;

/// Weight bit planes T-MAC's kernel looks up for `weight`, or `None` when T-MAC has no
/// kernel for it (it handles 1- to 4-bit weights, tbl.cc `Bits` 1..=4, 2024; ternary weights
/// take two planes).
pub fn tmac_planes(weight: WeightFormat) -> Option<u64> {
    match weight {
        WeightFormat::Binary => Some(1),
        WeightFormat::Ternary => Some(2),
        WeightFormat::Int(bits) if bits <= 4 => Some(u64::from(bits)),
        _ => None,
    }
}

/// llama.cpp's instructions per weight (one multiply-add with one activation) at 128 bits for
/// `weight`, or `None` for a format it has no kernel of this kind for (codebook, VQ).
/// Binary and ternary weights run as Q2_K: llama.cpp has no faster 1-bit kernel (T-MAC
/// README, 2024: "llama.cpp doesn't provide 1-bit kernel implementation").
pub fn dequant_instrs_per_weight(weight: WeightFormat) -> Option<f64> {
    let per_64 = match weight {
        WeightFormat::Binary | WeightFormat::Ternary | WeightFormat::Int(2) => {
            Q2_K_INSTRS_PER_64_WEIGHTS
        }
        WeightFormat::Int(3) => Q3_K_INSTRS_PER_64_WEIGHTS,
        WeightFormat::Int(4) => Q4_0_INSTRS_PER_64_WEIGHTS,
        WeightFormat::Int(_) => Q8_0_INSTRS_PER_64_WEIGHTS,
        WeightFormat::Fp16 => F16_INSTRS_PER_64_WEIGHTS,
        WeightFormat::Codebook(_) | WeightFormat::Vq { .. } => return None,
    };
    Some(per_64 / 64.0)
}

/// Instructions per multiply-add of an attention product against a KV cache of `kv`: fp16
/// entries as fp16 FMAs, int8 as Q8_0 and int4 as Q4_0 blocks.
pub fn kv_instrs_per_mac(kv: KvFormat) -> f64 {
    let per_64 = match kv {
        KvFormat::Fp16 => F16_INSTRS_PER_64_WEIGHTS,
        KvFormat::Int8 => Q8_0_INSTRS_PER_64_WEIGHTS,
        KvFormat::Int4 => Q4_0_INSTRS_PER_64_WEIGHTS,
    };
    per_64 / 64.0
}

/// Output rows one index vector of `simd_bits` covers: two 4-bit indices per byte.
pub fn tmac_rows_per_vector(simd_bits: u32) -> u64 {
    u64::from(simd_bits) / 4
}

/// SIMD instructions of T-MAC's kernel for `count` products of (m x k) activations by a
/// (k x n) matrix of `planes` bit planes, tables included.
pub fn tmac_instrs(m: u64, n: u64, k: u64, count: u64, planes: u64, simd_bits: u32) -> f64 {
    // In f64: a count too large for u64 stays finite, and the caller's limits refuse it.
    let vectors = m as f64
        * planes as f64
        * n.div_ceil(tmac_rows_per_vector(simd_bits)) as f64
        * k.div_ceil(TMAC_GROUP) as f64;
    let lookups =
        vectors * (TMAC_INSTRS_PER_INDEX_VECTOR + TMAC_AGGREGATE_INSTRS / TMAC_AGGREGATE_VECTORS);
    let build = m as f64 * k.div_ceil(32) as f64 * TMAC_BUILD_INSTRS_PER_32_ACTS * 128.0
        / f64::from(simd_bits);
    count as f64 * (lookups + build)
}

/// Weight multiply-adds per issued instruction of T-MAC's lookups at `simd_bits` with
/// `planes` planes (tables not counted): the peak rate per SIMD pipe.
pub fn tmac_macs_per_instr(planes: u64, simd_bits: u32) -> f64 {
    let macs = (tmac_rows_per_vector(simd_bits) * TMAC_GROUP) as f64 / planes as f64;
    macs / (TMAC_INSTRS_PER_INDEX_VECTOR + TMAC_AGGREGATE_INSTRS / TMAC_AGGREGATE_VECTORS)
}

/// Instructions for `macs` multiply-adds at `per_mac_128` instructions each at 128 bits, on
/// registers of `simd_bits`.
pub fn scaled_instrs(macs: u64, per_mac_128: f64, simd_bits: u32) -> f64 {
    macs as f64 * per_mac_128 * 128.0 / f64::from(simd_bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tmac_lookups_grow_linearly_with_the_planes() {
        let one = tmac_instrs(1, 4096, 4096, 1, 1, 128);
        let two = tmac_instrs(1, 4096, 4096, 1, 2, 128);
        let four = tmac_instrs(1, 4096, 4096, 1, 4, 128);
        // The table build is shared by the planes, so slightly less than 2x and 4x.
        assert!(two / one > 1.95 && two / one < 2.0, "{}", two / one);
        assert!(four / one > 3.85 && four / one < 4.0, "{}", four / one);
    }

    #[test]
    fn dequant_costs_barely_fall_with_the_bits() {
        let q2 = dequant_instrs_per_weight(WeightFormat::Int(2)).unwrap();
        let q4 = dequant_instrs_per_weight(WeightFormat::Int(4)).unwrap();
        assert!(q2 >= q4, "2-bit k-quants unpack more than Q4_0");
        assert_eq!(tmac_planes(WeightFormat::Int(8)), None);
        assert_eq!(dequant_instrs_per_weight(WeightFormat::Codebook(3)), None);
    }

    #[test]
    fn a_neon_index_vector_covers_32_rows_and_128_weight_bits() {
        assert_eq!(tmac_rows_per_vector(128), 32);
        // 32 rows x 4 activations / 2 planes / 8.5 instructions.
        let rate = tmac_macs_per_instr(2, 128);
        assert!((rate - 64.0 / 8.5).abs() < 1e-12);
    }
}
