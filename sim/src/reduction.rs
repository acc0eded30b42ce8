//! How a family cuts one output tile's reduction into tile commands its hardware accepts.
//!
//! A tile command reduces `k_chunks` chunks of `tile_k` products, and two limits of the RTL
//! bound it (see each tile's spec, `lut_tensor_core` and `mac_tensor_core`):
//!
//! * the `cmd` stream's `k_chunks` field is [`K_CHUNKS_BITS`] wide, so at most 65535 chunks;
//! * an integer accumulator holds `acc_bits`: the exact dot product of `K = k_chunks * tile_k`
//!   terms of `act_bits`-bit activations and `b`-bit weights needs `act_bits + b + ceil_log2(K)`
//!   bits (`|dot| <= K * 2^(act_bits-1) * 2^(b-1)`, one more bit for the sign of the extreme
//!   positive value), beyond which the result would wrap. A floating-point accumulator does not
//!   wrap and is bounded by the field alone.
//!
//! A longer reduction is split into passes of at most [`ReductionLimits::max_chunks_per_pass`]
//! chunks; each pass drains its partial sums, which the output stage scales to fp16 as it does
//! any result and the vector unit adds (one add per output per extra pass). Nothing is ever
//! silently wrapped.
//!
//! With group-wise weight scales (`g<size>` schemes) a pass must also end at every scale group
//! boundary, so that the output stage can scale each group's partial sum: a pass covers at most
//! `group / tile_k` chunks (families refuse groups that are not a multiple of `tile_k`).

/// Width of the `k_chunks` field of every tile's `cmd` stream, bits.
pub const K_CHUNKS_BITS: u32 = 16;

/// What bounds one tile command's reduction on an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReductionLimits {
    /// Products one chunk reduces (`tile_k`).
    pub tile_k: u32,
    /// Activation width, bits.
    pub act_bits: u32,
    /// Accumulator width, bits.
    pub acc_bits: u32,
    /// Whether the accumulator is an integer that wraps (`false` for floating point).
    pub wraps: bool,
}

impl ReductionLimits {
    /// Most chunks one tile command may reduce at `weight_bits`: the `k_chunks` field's range
    /// and, for a wrapping accumulator, its width (see the module doc); at least 1 (families
    /// validate that one chunk fits).
    pub fn max_chunks_per_pass(&self, weight_bits: u32) -> u64 {
        let field_max = (1u64 << K_CHUNKS_BITS) - 1;
        if !self.wraps {
            return field_max;
        }
        let spare = self
            .acc_bits
            .saturating_sub(self.act_bits + weight_bits)
            .min(62);
        // Largest K with ceil_log2(K) <= spare is 2^spare.
        ((1u64 << spare) / u64::from(self.tile_k)).clamp(1, field_max)
    }
}

/// The passes one output tile's reduction takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReductionSplit {
    /// Chunks in each full pass.
    pub chunks_per_pass: u64,
    /// Passes of `chunks_per_pass` chunks.
    pub full_passes: u64,
    /// Chunks of the last, shorter pass (0 when there is none).
    pub last_pass_chunks: u64,
}

impl ReductionSplit {
    /// The split of a reduction of `k_chunks` chunks at `weight_bits` (`k_chunks >= 1`), with
    /// passes ending at the boundaries of scale groups of `scale_group` elements (a multiple of
    /// `tile_k`) when given.
    pub fn new(
        limits: &ReductionLimits,
        weight_bits: u32,
        k_chunks: u64,
        scale_group: Option<u64>,
    ) -> ReductionSplit {
        let by_group = scale_group.map_or(u64::MAX, |g| (g / u64::from(limits.tile_k)).max(1));
        let per_pass = limits
            .max_chunks_per_pass(weight_bits)
            .min(by_group)
            .min(k_chunks);
        ReductionSplit {
            chunks_per_pass: per_pass,
            full_passes: k_chunks / per_pass,
            last_pass_chunks: k_chunks % per_pass,
        }
    }

    /// Tile commands one output tile takes.
    pub fn passes(&self) -> u64 {
        self.full_passes + u64::from(self.last_pass_chunks > 0)
    }

    /// Chunks over all passes.
    pub fn k_chunks(&self) -> u64 {
        self.full_passes * self.chunks_per_pass + self.last_pass_chunks
    }

    /// Passes beyond those that end scale groups of `scale_group` reduction elements (one group
    /// when `None`) out of a reduction of `k` elements: the partial sums the vector unit adds,
    /// per output. The passes that end scale groups are combined by the mapper's scale
    /// application instead.
    pub fn extra_passes(&self, k: u64, scale_group: Option<u64>) -> u64 {
        let group_passes = scale_group.map_or(1, |g| k.div_ceil(g.max(1)));
        self.passes().saturating_sub(group_passes)
    }

    /// Sums a per-command cost over the passes: `cost(chunks)` of one command, `times` and
    /// `plus` to combine (a family's tile-cost type).
    pub fn total<T>(
        &self,
        cost: impl Fn(u64) -> T,
        times: impl Fn(&T, u64) -> T,
        plus: impl Fn(&T, &T) -> T,
    ) -> T {
        let full = times(&cost(self.chunks_per_pass), self.full_passes);
        if self.last_pass_chunks > 0 {
            plus(&full, &cost(self.last_pass_chunks))
        } else {
            full
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn array(tile_k: u32, acc_bits: u32) -> ReductionLimits {
        ReductionLimits {
            tile_k,
            act_bits: 8,
            acc_bits,
            wraps: true,
        }
    }

    #[test]
    fn the_command_field_bounds_a_shallow_tile() {
        // tile_k = 2 at 32-bit accumulators: the accumulator allows 2^20 / 2 chunks, the field
        // 65535 (the review's llama-3.1-8b at 131k context issued 65536).
        let a = array(2, 32);
        assert_eq!(a.max_chunks_per_pass(4), 65535);
        let fp = ReductionLimits {
            wraps: false,
            ..array(256, 32)
        };
        assert_eq!(fp.max_chunks_per_pass(4), 65535);
        let split = ReductionSplit::new(&a, 4, 65536, None);
        assert_eq!(
            (split.full_passes, split.last_pass_chunks, split.passes()),
            (1, 1, 2)
        );
    }

    #[test]
    fn the_accumulator_bounds_a_narrow_one() {
        // 8-bit activations, 4-bit weights, 16-bit accumulator: K <= 2^4 = 16, 4 chunks of 4.
        let a = array(4, 16);
        assert_eq!(a.max_chunks_per_pass(4), 4);
        assert_eq!(a.max_chunks_per_pass(2), 16);
        let split = ReductionSplit::new(&a, 4, 10, None);
        assert_eq!(
            (split.chunks_per_pass, split.passes(), split.k_chunks()),
            (4, 3, 10)
        );
        let one = ReductionSplit::new(&a, 4, 3, None);
        assert_eq!((one.chunks_per_pass, one.passes()), (3, 1));
    }

    #[test]
    fn scale_groups_end_passes() {
        // 2-bit weights allow 16 chunks of 4 per pass; groups of 8 elements end every 2 chunks.
        let a = array(4, 16);
        let split = ReductionSplit::new(&a, 2, 10, Some(8));
        assert_eq!((split.chunks_per_pass, split.passes()), (2, 5));
    }

    #[test]
    fn totals_sum_the_passes() {
        let split = ReductionSplit::new(&array(4, 16), 4, 10, None);
        let cycles = split.total(|chunks| chunks * 3 + 1, |c, n| c * n, |a, b| a + b);
        assert_eq!(cycles, 2 * (4 * 3 + 1) + (2 * 3 + 1));
    }
}
