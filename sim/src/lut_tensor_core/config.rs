//! The LUT tensor-core array parameters (`[lut]` in an architecture file), validated.

use lutforge_models::numerics::ActEncoding;
use lutforge_models::Limit;
use serde::Deserialize;

use crate::arch::{Buffers, Check};
use crate::error::SimError;
use crate::reduction::ReductionLimits;

/// `[lut]`: one LUT tensor-core tile engine per core.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLut {
    /// Activation rows per tile (rows that share each weight column's lookups).
    pub tile_m: u64,
    /// Weight columns per tile (columns that share each table).
    pub tile_n: u64,
    /// Reduction depth per tile pass; a multiple of `group`.
    pub tile_k: u64,
    /// Activations per table (g); tables have 2^g entries, 2^(g-1) when symmetric.
    pub group: u64,
    /// Store half of each table and take the sign from the index MSB.
    pub symmetric: bool,
    /// Widest weight the bit-serial array processes (bit planes per pass sequence).
    pub max_weight_bits: u64,
    /// Activation width, bits: a signed integer's, or the floating-point format's (16 for
    /// `fp16`, 8 for `fp8_e4m3`).
    pub act_bits: u64,
    /// Activation format: `int` (signed integers, integer tables; the default), `fp16` or
    /// `fp8_e4m3` (FP16 tables, FP32 accumulation; needs `acc_bits = 32`), or `int+fp16`
    /// (both datapaths, chosen per tile by the `cmd`; `act_bits` is the integer width).
    #[serde(default)]
    pub act_format: Option<String>,
    /// Accumulator width, bits.
    pub acc_bits: u64,
    /// `fused` (tables built while the previous chunk is looked up) or `standalone`.
    pub precompute: String,
}

impl RawLut {
    /// Range of every numeric `[lut]` field.
    pub const LIMITS: &'static [(&'static str, Limit)] = &[
        ("tile_m", Limit::new(1.0, 64.0, "rows", "")),
        ("tile_n", Limit::new(1.0, 1024.0, "columns", "")),
        (
            "tile_k",
            Limit::new(1.0, 4096.0, "activations", "a multiple of group"),
        ),
        (
            "group",
            Limit::new(1.0, 6.0, "activations", "tables grow as 2^g"),
        ),
        ("max_weight_bits", Limit::new(1.0, 16.0, "bits", "")),
        ("act_bits", Limit::new(2.0, 16.0, "bits", "")),
        ("acc_bits", Limit::new(8.0, 64.0, "bits", "")),
    ];
}

/// When activation tables are built relative to the lookups that use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Precompute {
    /// Tables for the next K chunk are built while the current chunk is looked up
    /// (double-buffered table registers), as when precompute is fused into the previous operator.
    Fused,
    /// Tables are built, then looked up, one phase after the other.
    Standalone,
}

impl Precompute {
    /// The spelling used in architecture files.
    pub fn as_str(self) -> &'static str {
        match self {
            Precompute::Fused => "fused",
            Precompute::Standalone => "standalone",
        }
    }
}

/// The activation format of a LUT array (`lut.act_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActMode {
    /// Signed integers of `act_bits`; integer tables and accumulators, exact.
    Int,
    /// FP16 activations, FP16 tables, FP32 accumulation.
    Fp16,
    /// FP8 E4M3 activations (converted exactly to FP16), FP16 tables, FP32 accumulation.
    Fp8E4M3,
    /// Both the integer and the FP16 datapath; each tile's `cmd` chooses one (`act_fp`).
    IntFp16,
}

impl ActMode {
    /// The spelling used in architecture files.
    pub fn as_str(self) -> &'static str {
        match self {
            ActMode::Int => "int",
            ActMode::Fp16 => "fp16",
            ActMode::Fp8E4M3 => "fp8_e4m3",
            ActMode::IntFp16 => "int+fp16",
        }
    }

    /// Whether the array has the integer datapath.
    pub fn has_int(self) -> bool {
        matches!(self, ActMode::Int | ActMode::IntFp16)
    }

    /// The floating-point encoding the array runs, `None` for integers only.
    pub fn encoding(self) -> Option<ActEncoding> {
        match self {
            ActMode::Int => None,
            ActMode::Fp16 | ActMode::IntFp16 => Some(ActEncoding::Fp16),
            ActMode::Fp8E4M3 => Some(ActEncoding::Fp8E4M3),
        }
    }
}

/// Accumulator width of the floating-point activation modes (FP32), bits.
pub const FP_ACC_BITS: u32 = 32;

/// Width of a floating-point table entry (FP16), bits.
pub const FP_ENTRY_BITS: u32 = 16;

/// A validated LUT tensor-core tile engine: `tile_m` activation rows by `tile_n` weight columns,
/// reducing `tile_k` activations per pass in groups of `group`, one weight bit plane at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LutArray {
    /// Activation rows per tile, 1..=64.
    pub tile_m: u32,
    /// Weight columns per tile, 1..=1024.
    pub tile_n: u32,
    /// Reduction depth per tile pass, a multiple of `group`, at most 4096.
    pub tile_k: u32,
    /// Activations per table, 1..=6 (hardware tables grow as 2^g).
    pub group: u32,
    /// Half-size tables with the sign taken from the index MSB.
    pub symmetric: bool,
    /// Widest weight operand in bit planes, 1..=16.
    pub max_weight_bits: u32,
    /// Activation width, 2..=16 bits.
    pub act_bits: u32,
    /// Accumulator width, bits; wide enough for any result of a full pass.
    pub acc_bits: u32,
    /// Table precompute scheduling.
    pub precompute: Precompute,
    /// Activation format (integer or floating point).
    pub act_format: ActMode,
}

impl LutArray {
    /// Validates a `[lut]` section against the buffers it must fit.
    pub fn from_raw(raw: &RawLut, buffers: &Buffers, check: &Check) -> Result<LutArray, SimError> {
        let file = check.file;
        let tile_m = check.limited_u64(RawLut::LIMITS, "lut", "tile_m", raw.tile_m)? as u32;
        let tile_n = check.limited_u64(RawLut::LIMITS, "lut", "tile_n", raw.tile_n)? as u32;
        let group = check.limited_u64(RawLut::LIMITS, "lut", "group", raw.group)? as u32;
        let tile_k = check.limited_u64(RawLut::LIMITS, "lut", "tile_k", raw.tile_k)? as u32;
        if tile_k % group != 0 {
            return Err(SimError::invalid(
                file,
                "lut.tile_k",
                tile_k,
                format!("must be a multiple of lut.group ({group})"),
            ));
        }
        if raw.symmetric && group < 2 {
            return Err(SimError::invalid(
                file,
                "lut.symmetric",
                true,
                "needs lut.group of at least 2",
            ));
        }
        let max_weight_bits = check.limited_u64(
            RawLut::LIMITS,
            "lut",
            "max_weight_bits",
            raw.max_weight_bits,
        )? as u32;
        let act_bits = check.limited_u64(RawLut::LIMITS, "lut", "act_bits", raw.act_bits)? as u32;
        let acc_bits = check.limited_u64(RawLut::LIMITS, "lut", "acc_bits", raw.acc_bits)? as u32;
        let precompute = match raw.precompute.as_str() {
            "fused" => Precompute::Fused,
            "standalone" => Precompute::Standalone,
            other => {
                return Err(SimError::invalid(
                    file,
                    "lut.precompute",
                    format!("\"{other}\""),
                    "must be \"fused\" or \"standalone\"",
                ))
            }
        };
        let act_format = match raw.act_format.as_deref().unwrap_or("int") {
            "int" => ActMode::Int,
            "fp16" => ActMode::Fp16,
            "fp8_e4m3" => ActMode::Fp8E4M3,
            "int+fp16" => ActMode::IntFp16,
            other => {
                return Err(SimError::invalid(
                    file,
                    "lut.act_format",
                    format!("\"{other}\""),
                    "must be \"int\", \"fp16\", \"fp8_e4m3\" or \"int+fp16\"",
                ))
            }
        };
        if let Some(enc) = act_format.encoding() {
            if !act_format.has_int() && act_bits != enc.bits() {
                return Err(SimError::invalid(
                    file,
                    "lut.act_bits",
                    act_bits,
                    format!(
                        "must be {} with lut.act_format = \"{}\"",
                        enc.bits(),
                        act_format.as_str()
                    ),
                ));
            }
            if acc_bits != FP_ACC_BITS {
                return Err(SimError::invalid(
                    file,
                    "lut.acc_bits",
                    acc_bits,
                    format!(
                        "must be {FP_ACC_BITS} with lut.act_format = \"{}\" (FP32 accumulation)",
                        act_format.as_str()
                    ),
                ));
            }
        }
        let array = LutArray {
            tile_m,
            tile_n,
            tile_k,
            group,
            symmetric: raw.symmetric,
            max_weight_bits,
            act_bits,
            acc_bits,
            precompute,
            act_format,
        };
        let needed_acc = array.min_acc_bits();
        if act_format.has_int() && acc_bits < needed_acc {
            return Err(SimError::invalid(
                file,
                "lut.acc_bits",
                acc_bits,
                format!("a full pass of tile_k={tile_k} at {max_weight_bits}-bit weights and {act_bits}-bit activations needs at least {needed_acc} bits"),
            ));
        }
        array.check_fits(buffers, file)?;
        Ok(array)
    }

    /// Entries per table: 2^g, or 2^(g-1) with symmetrization.
    pub fn table_entries(&self) -> u32 {
        if self.symmetric {
            1 << (self.group - 1)
        } else {
            1 << self.group
        }
    }

    /// Width of one table entry, bits: a signed sum of `group` activations, or an FP16 value.
    pub fn table_entry_bits(&self) -> u32 {
        match self.act_format {
            ActMode::Int => self.int_entry_bits(),
            ActMode::Fp16 | ActMode::Fp8E4M3 | ActMode::IntFp16 => FP_ENTRY_BITS,
        }
    }

    /// Width of an integer table entry before it is stored, bits: `act_bits + ceil(log2 g)`
    /// (an `int+fp16` array stores it sign-extended to 16 bits).
    pub fn int_entry_bits(&self) -> u32 {
        self.act_bits + ceil_log2(self.group)
    }

    /// Width of one activation field of the `act` stream: `act_bits`, or 16 on an `int+fp16`
    /// array (integers sign-extended).
    pub fn act_lane_bits(&self) -> u32 {
        match self.act_format {
            ActMode::IntFp16 => FP_ENTRY_BITS.max(self.act_bits),
            _ => self.act_bits,
        }
    }

    /// The floating-point encoding of a tile whose `cmd` asks for floating point when `act_fp`
    /// (`int+fp16` arrays), `None` for an integer tile.
    pub fn tile_encoding(&self, act_fp: bool) -> Option<ActEncoding> {
        match self.act_format {
            ActMode::Int => None,
            ActMode::IntFp16 if !act_fp => None,
            mode => mode.encoding(),
        }
    }

    /// Whether the array runs a ±1 weight plane (signed-binary command mode): symmetric tables
    /// read the plane bits as signs.
    pub fn runs_binary_plane(&self) -> bool {
        self.symmetric
    }

    /// Activation groups per tile pass.
    pub fn groups_per_pass(&self) -> u32 {
        self.tile_k / self.group
    }

    /// Smallest accumulator that holds any result of one chunk (`k_chunks = 1`) at the widest
    /// weights; longer reductions are cut into passes that fit ([`crate::reduction`]).
    pub fn min_acc_bits(&self) -> u32 {
        // |sum| <= tile_k * 2^(act_bits-1) * 2^(max_weight_bits-1) (signed operands) + 1 sign bit.
        (self.act_bits - 1) + (self.max_weight_bits - 1) + ceil_log2(self.tile_k) + 2
    }

    /// What bounds one tile command's reduction ([`crate::reduction`]) on the integer datapath
    /// or, with `fp_tile`, on the floating-point one (an FP32 accumulator does not wrap: only
    /// the command field bounds a pass).
    pub fn reduction_limits(&self, fp_tile: bool) -> ReductionLimits {
        ReductionLimits {
            tile_k: self.tile_k,
            act_bits: self.act_bits,
            acc_bits: self.acc_bits,
            wraps: !fp_tile,
        }
    }

    /// Bytes of table storage one pass needs (all groups of all rows), double-buffered when fused.
    pub fn table_bytes_needed(&self) -> u64 {
        let copies = match self.precompute {
            Precompute::Fused => 2,
            Precompute::Standalone => 1,
        };
        let bits = u64::from(self.tile_m)
            * u64::from(self.groups_per_pass())
            * u64::from(self.table_entries())
            * u64::from(self.table_entry_bits());
        copies * bits.div_ceil(8)
    }

    /// Bytes of weight storage: two chunks of tile_n x tile_k at the widest weights (double buffer).
    pub fn weight_bytes_needed(&self) -> u64 {
        2 * (u64::from(self.tile_n) * u64::from(self.tile_k) * u64::from(self.max_weight_bits))
            .div_ceil(8)
    }

    fn check_fits(&self, buffers: &Buffers, file: &str) -> Result<(), SimError> {
        let table_bytes = buffers.table_bytes.unwrap_or(0);
        let needs = [
            ("buffers.table_kib", table_bytes, self.table_bytes_needed()),
            (
                "buffers.weight_kib",
                buffers.weight_bytes,
                self.weight_bytes_needed(),
            ),
            (
                "buffers.output_kib",
                buffers.output_bytes,
                u64::from(self.tile_m)
                    * u64::from(self.tile_n)
                    * u64::from(self.acc_bits).div_ceil(8),
            ),
            (
                "buffers.activation_kib",
                buffers.activation_bytes,
                (u64::from(self.tile_m) * u64::from(self.tile_k) * u64::from(self.act_bits))
                    .div_ceil(8),
            ),
        ];
        for (field, have, need) in needs {
            if have < need {
                return Err(SimError::invalid(
                    file,
                    field,
                    have / 1024,
                    format!(
                        "the {}x{}x{} tile (g={}) needs {} bytes ({} KiB) here",
                        self.tile_m,
                        self.tile_n,
                        self.tile_k,
                        self.group,
                        need,
                        need.div_ceil(1024)
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Smallest `b` with 2^b >= `x` (0 for `x` <= 1).
pub fn ceil_log2(x: u32) -> u32 {
    if x <= 1 {
        0
    } else {
        32 - (x - 1).leading_zeros()
    }
}

#[cfg(test)]
mod tests {
    use super::ceil_log2;

    #[test]
    fn ceil_log2_of_small_numbers() {
        assert_eq!([1, 2, 3, 4, 5, 8, 9].map(ceil_log2), [0, 1, 2, 2, 3, 3, 4]);
    }
}
