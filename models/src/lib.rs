//! LLM model zoo: Hugging Face `config.json` import, built-in presets, quantization schemes
//! and bit-exact integer numerics (quantizers, LUT mixed-precision GEMM reference).
//!
//! Knows nothing about hardware.
//!
//! Entry points: [`ModelConfig::resolve`] (preset name or `config.json` path),
//! [`ModelConfig::from_hf_json`], [`ModelConfig::preset`], [`ModelConfig::param_count`],
//! `"w2a8kv4".parse::<QuantScheme>()`, and [`numerics::lut_gemm`].

pub mod config;
pub mod error;
pub mod hf;
pub mod limits;
pub mod numerics;
pub mod params;
pub mod presets;
pub mod quant;

pub use config::{
    Activation, Attention, Mla, ModelConfig, Moe, NormKind, PositionKind, SlidingWindow,
};
pub use error::ModelError;
pub use limits::Limit;
pub use presets::resolve;
pub use quant::{ActFormat, KvFormat, QuantScheme, WeightFormat};
