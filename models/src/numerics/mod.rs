//! Bit-exact integer numerics: quantizers and the reference LUT mixed-precision GEMM.
//!
//! One idea per file:
//! - [`int_quant`]: symmetric INT-k per-group weight quantization;
//! - [`ternary`]: BitNet b1.58 absmean ternary quantization;
//! - [`ternary_pack`]: three ternary weights in one 5-bit code (TeLLMe) and the 14-entry
//!   activation table those codes index;
//! - [`binary`]: BitNet sign binarization;
//! - [`codebook`]: nearest-entry codebook quantization;
//! - [`act_quant`]: per-token absmax INT8 activation quantization;
//! - [`bitplane`]: how integer weights split into 1-bit planes (the hardware convention);
//! - [`table`]: the per-activation-group lookup table, its summation order and its lookup
//!   with the symmetric mirror (the one definition every implementation uses);
//! - [`gemm`]: integer GEMM reference and LUT GEMM built from the two above;
//! - [`fp`]: bit-exact FP16/FP32 addition (ties to even, flush to zero, saturation) and exact
//!   FP8/FP16/FP32 conversions;
//! - [`fp_gemm`]: the LUT GEMM with FP16/FP8 activations, FP16 tables and FP32 accumulation;
//! - [`vq`]: vector quantization of INT8 vectors and the 2D-table GEMM of activation-weight
//!   co-quantization (LUT-LLM), with its decoded reference.
//!
//! The integer paths (bit planes, tables, GEMMs, VQ) are exact: no floating point, no rounding. The
//! floating-point paths round exactly as [`fp`] defines, in the order [`fp_gemm`] fixes.
//! The quantizers take `f32` and are deterministic (IEEE single precision, sequential sums,
//! round half away from zero), so the same input gives the same integers on every machine.

pub mod act_quant;
pub mod binary;
pub mod bitplane;
pub mod codebook;
pub mod error;
pub mod fp;
pub mod fp_gemm;
pub mod gemm;
pub mod int_quant;
pub mod table;
pub mod ternary;
pub mod ternary_pack;
pub mod vq;

pub use act_quant::{quantize_acts_int8, QuantizedActs};
pub use binary::quantize_binary;
pub use bitplane::{
    coefficient_sum, decompose, plane_bit, plane_coefficient, recompose, weight_range,
    MAX_WEIGHT_BITS,
};
pub use codebook::quantize_codebook;
pub use error::NumericsError;
pub use fp_gemm::{lut_gemm_fp, ActEncoding, FpLutConfig};
pub use gemm::{int_gemm, lut_gemm, symmetric_correction, GemmShape, LutGemmConfig};
pub use int_quant::{quantize_int_symmetric, Quantized};
pub use table::{
    build_table, entry_terms, fill_table, group_index, lookup, lookup_entry, table_len, Fp16,
    TableValue, MAX_GROUP,
};
pub use ternary::quantize_ternary_absmean;
pub use ternary_pack::{
    code_entry, group_table, lookup_packed, pack3, pack_weights, pattern_sum, unpack3,
};
pub use vq::{
    pair_table, vq_decode, vq_decoded_gemm, vq_encode, vq_gemm, vq_gemv, vq_vectors, VqOperand,
    MAX_VQ_CENTROIDS, MAX_VQ_LEN,
};
