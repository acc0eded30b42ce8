//! Quantization schemes: weight, activation and KV-cache formats, written like `w2a8kv4`.

/// Storage format of linear-layer weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WeightFormat {
    /// {-1, +1}, 1 bit.
    Binary,
    /// {-1, 0, +1}, 1.58 bits of information.
    Ternary,
    /// Signed integer of the given width (2, 3, 4 or 8 bits).
    Int(u8),
    /// IEEE half precision.
    Fp16,
    /// Non-uniform codebook of 2^bits entries (indices of `bits` bits).
    Codebook(u8),
}

/// Activation format fed to the matrix units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActFormat {
    /// Signed 8-bit integer.
    Int8,
    /// 8-bit float, E4M3.
    Fp8E4M3,
    /// IEEE half precision.
    Fp16,
}

/// KV-cache storage format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KvFormat {
    /// 4-bit integer (with per-group scales).
    Int4,
    /// 8-bit integer.
    Int8,
    /// IEEE half precision.
    Fp16,
}

/// A complete quantization scheme. `group_size` is the number of weights sharing one scale
/// (and zero point); `None` means one scale per output channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct QuantScheme {
    /// Weight format.
    pub weight: WeightFormat,
    /// Activation format.
    pub act: ActFormat,
    /// KV-cache format.
    pub kv: KvFormat,
    /// Weights per scale group; `None` = per output channel.
    pub group_size: Option<u32>,
    /// Whether each group also stores a zero point (asymmetric quantization).
    pub zero_point: bool,
}
