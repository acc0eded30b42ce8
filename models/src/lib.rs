//! LLM model zoo: Hugging Face `config.json` import, built-in presets, quantization schemes
//! and bit-exact integer numerics (quantizers, LUT mixed-precision GEMM reference).
//!
//! Knows nothing about hardware.

pub mod config;
pub mod error;
pub mod quant;

pub use config::{Activation, ModelConfig, Moe, NormKind, PositionKind};
pub use error::ModelError;
pub use quant::{ActFormat, KvFormat, QuantScheme, WeightFormat};
