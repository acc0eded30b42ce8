//! Choices the lowering leaves to the user: how MoE tokens are routed, and which form of
//! multi-head latent attention decode runs. Each has a default that matches the reference
//! implementation or the worst case, and is stated in every report.

use std::fmt;
use std::str::FromStr;

/// How the tokens of one step spread over the routed experts of an MoE layer, which sets how
/// many experts' weights a step reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MoeRouting {
    /// The `tokens x top_k` assignments spread evenly over `min(experts, assignments)` experts:
    /// the most weight traffic any routing can cause.
    #[default]
    Balanced,
    /// Each token picks `top_k` distinct experts uniformly at random: a step reads the expected
    /// number of distinct experts, `ceil(E (1 - (1 - k/E)^T))` for `T` tokens.
    Uniform,
}

impl MoeRouting {
    /// Every routing model, in listing order.
    pub const ALL: [MoeRouting; 2] = [MoeRouting::Balanced, MoeRouting::Uniform];

    /// The name used on the command line, in sweep files and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            MoeRouting::Balanced => "balanced",
            MoeRouting::Uniform => "uniform",
        }
    }

    /// One line saying what the model assumes, for reports.
    pub fn describe(self) -> &'static str {
        match self {
            MoeRouting::Balanced => {
                "balanced: assignments spread over as many experts as they can reach (worst-case weight traffic)"
            }
            MoeRouting::Uniform => {
                "uniform: each token picks top-k experts at random; a step reads the expected distinct experts"
            }
        }
    }

    /// Experts a step of `tokens` tokens reads when each runs `top_k` of `experts`: at least
    /// `min(top_k, experts)` and at most `min(experts, tokens x top_k)`.
    pub fn experts_used(self, experts: u64, top_k: u64, tokens: u64) -> u64 {
        let most = experts.min(tokens.saturating_mul(top_k));
        match self {
            MoeRouting::Balanced => most,
            MoeRouting::Uniform => {
                let e = experts as f64;
                let idle = (1.0 - top_k as f64 / e).max(0.0);
                let expected = e * (1.0 - idle.powf(tokens as f64));
                // A guard against rounding just above a whole number (T = 1 gives exactly k).
                let used = (expected - 1e-9).ceil();
                (used as u64).clamp(top_k.min(experts), most.max(1))
            }
        }
    }
}

impl fmt::Display for MoeRouting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MoeRouting {
    type Err = String;

    fn from_str(s: &str) -> Result<MoeRouting, String> {
        MoeRouting::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown MoE routing `{s}`; expected balanced or uniform"))
    }
}

/// The form of multi-head latent attention decode steps run (prefill always runs expanded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MlaDecode {
    /// As transformers' `DeepseekV2Attention`: `kv_b_proj` up-projects every cached latent of
    /// the attended context to per-head keys and values each step.
    #[default]
    Expanded,
    /// The absorbed-weight form (DeepSeek-V2, arXiv 2405.04434, section 2.1.2; FlashMLA): the
    /// key up-projection is folded into the query and the value up-projection into the output,
    /// so attention runs on the cached latents directly, all heads sharing them.
    Absorbed,
}

impl MlaDecode {
    /// Every form, in listing order.
    pub const ALL: [MlaDecode; 2] = [MlaDecode::Expanded, MlaDecode::Absorbed];

    /// The name used on the command line, in sweep files and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            MlaDecode::Expanded => "expanded",
            MlaDecode::Absorbed => "absorbed",
        }
    }
}

impl fmt::Display for MlaDecode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MlaDecode {
    type Err = String;

    fn from_str(s: &str) -> Result<MlaDecode, String> {
        MlaDecode::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown MLA decode form `{s}`; expected expanded or absorbed"))
    }
}

/// The lowering's choices for one workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LoweringOptions {
    /// MoE routing model.
    pub moe_routing: MoeRouting,
    /// MLA decode form.
    pub mla_decode: MlaDecode,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_routing_reads_expected_distinct_experts() {
        // One token reads exactly its top-k under both models.
        assert_eq!(MoeRouting::Uniform.experts_used(128, 8, 1), 8);
        assert_eq!(MoeRouting::Balanced.experts_used(128, 8, 1), 8);
        // 8 tokens x top-8 of 128: 128 (1 - (120/128)^8) = 51.6, balanced reaches 64.
        assert_eq!(MoeRouting::Uniform.experts_used(128, 8, 8), 52);
        assert_eq!(MoeRouting::Balanced.experts_used(128, 8, 8), 64);
        // Many tokens reach every expert under both.
        assert_eq!(MoeRouting::Uniform.experts_used(8, 2, 4096), 8);
        assert_eq!(MoeRouting::Balanced.experts_used(8, 2, 4096), 8);
        // Top-k of all experts reads all of them.
        assert_eq!(MoeRouting::Uniform.experts_used(4, 4, 3), 4);
    }

    #[test]
    fn names_round_trip() {
        for r in MoeRouting::ALL {
            assert_eq!(r.as_str().parse::<MoeRouting>(), Ok(r));
        }
        for f in MlaDecode::ALL {
            assert_eq!(f.as_str().parse::<MlaDecode>(), Ok(f));
        }
        assert!("random".parse::<MoeRouting>().is_err());
    }
}
