//! Co-simulation cases: random tiles of every weight width, and tiles cut from the `tiny-llama`
//! preset's linear layers with weights and activations generated from fixed seeds and quantized.
//!
//! Everything is seeded: the same `(array, count, seed)` gives the same cases.

use lutforge_models::config::ModelConfig;
use lutforge_sim::arch::LutArray;
use lutforge_sim::lut_tile::TileInput;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Where a case comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseKind {
    /// Uniformly random operands over their full ranges.
    Random,
    /// A tile of a tiny-llama linear layer: matrix name and weight format.
    Model {
        /// Layer matrix (`q_proj`, `down_proj`, ...).
        matrix: &'static str,
        /// Weight format (`ternary`, `int4`, ...).
        format: String,
    },
}

impl CaseKind {
    /// Short label for tables.
    pub fn label(&self) -> String {
        match self {
            CaseKind::Random => "random".into(),
            CaseKind::Model { matrix, format } => format!("tiny-llama {matrix} {format}"),
        }
    }
}

/// One co-simulation case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// Position in the run (what `--vcd` and error messages name).
    pub index: usize,
    /// Origin.
    pub kind: CaseKind,
    /// Operands.
    pub input: TileInput,
}

/// Largest K chunk count a generated case uses (keeps runs short).
const MAX_CHUNKS: u64 = 4;

/// `count` cases for `array` from `seed`: every fourth case is a model tile, the others random,
/// cycling through every weight width `1..=max_weight_bits`.
pub fn generate(array: &LutArray, count: usize, seed: u64) -> Vec<Case> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let tiny = ModelConfig::preset("tiny-llama").ok();
    let (mut model_tiles, mut random_tiles) = (0usize, 0u32);
    (0..count)
        .map(|index| {
            if index % 4 == 3 {
                if let Some(cfg) = &tiny {
                    model_tiles += 1;
                    return model_case(array, cfg, index, model_tiles - 1, &mut rng);
                }
            }
            random_tiles += 1;
            let weight_bits = 1 + (random_tiles - 1) % array.max_weight_bits;
            random_case(array, index, weight_bits, &mut rng)
        })
        .collect()
}

fn signed(rng: &mut ChaCha8Rng, bits: u32) -> i64 {
    rng.gen_range(-(1i64 << (bits - 1))..(1i64 << (bits - 1)))
}

fn random_case(array: &LutArray, index: usize, weight_bits: u32, rng: &mut ChaCha8Rng) -> Case {
    let k_chunks = rng.gen_range(1..=2u64);
    let k = k_chunks as usize * array.tile_k as usize;
    let activations = (0..array.tile_m as usize * k)
        .map(|_| signed(rng, array.act_bits))
        .collect();
    let weights = (0..k * array.tile_n as usize)
        .map(|_| signed(rng, weight_bits))
        .collect();
    Case {
        index,
        kind: CaseKind::Random,
        input: TileInput {
            weight_bits,
            k_chunks,
            activations,
            weights,
        },
    }
}

/// A pseudo-normal sample (Irwin-Hall of 4 uniforms, variance 1/3 scaled to 1).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let s: f64 = (0..4).map(|_| rng.gen::<f64>()).sum::<f64>() - 2.0;
    s * 3f64.sqrt()
}

/// Symmetric absmax quantization of `x` to `bits`-bit signed integers (one scale for `x`).
pub fn quantize_absmax(x: &[f64], bits: u32) -> Vec<i64> {
    let hi = (1i64 << (bits - 1)) - 1;
    let lo = -(1i64 << (bits - 1));
    let amax = x.iter().fold(0f64, |m, v| m.max(v.abs()));
    let scale = if amax > 0.0 {
        hi.max(1) as f64 / amax
    } else {
        1.0
    };
    x.iter()
        .map(|v| ((v * scale).round() as i64).clamp(lo, hi))
        .collect()
}

/// BitNet b1.58 ternary quantization: scale by the mean absolute value, round, clip to {-1,0,1}.
pub fn quantize_ternary(x: &[f64]) -> Vec<i64> {
    let mean = x.iter().map(|v| v.abs()).sum::<f64>() / x.len().max(1) as f64;
    let scale = if mean > 0.0 { 1.0 / mean } else { 1.0 };
    x.iter()
        .map(|v| ((v * scale).round() as i64).clamp(-1, 1))
        .collect()
}

fn model_case(
    array: &LutArray,
    cfg: &ModelConfig,
    index: usize,
    nth: usize,
    rng: &mut ChaCha8Rng,
) -> Case {
    let h = cfg.hidden_size as usize;
    let matrices: [(&'static str, usize, usize); 7] = [
        ("q_proj", h, cfg.q_dim() as usize),
        ("k_proj", h, cfg.kv_dim() as usize),
        ("v_proj", h, cfg.kv_dim() as usize),
        ("o_proj", cfg.q_dim() as usize, h),
        ("gate_proj", h, cfg.intermediate_size as usize),
        ("up_proj", h, cfg.intermediate_size as usize),
        ("down_proj", cfg.intermediate_size as usize, h),
    ];
    let which = nth % matrices.len();
    let (matrix, fan_in, fan_out) = matrices[which];
    // Formats this array can run, cycled per model tile.
    let mut formats: Vec<(String, u32)> = Vec::new();
    if array.max_weight_bits >= 2 {
        formats.push(("ternary".into(), 2));
    }
    formats.push((
        format!("int{}", array.max_weight_bits),
        array.max_weight_bits,
    ));
    let (format, weight_bits) = formats[nth / matrices.len() % formats.len()].clone();
    // The layer's weights come from a fixed per-matrix seed (the "checkpoint"), not the run seed.
    let mut wrng = ChaCha8Rng::seed_from_u64(0x7419_0000 + which as u64);
    let tile_k = array.tile_k as usize;
    let k_chunks = (fan_in.div_ceil(tile_k) as u64).clamp(1, MAX_CHUNKS);
    let k = k_chunks as usize * tile_k;
    let n_cols = array.tile_n as usize;
    let col0 = rng.gen_range(0..fan_out);
    let mut weights = vec![0i64; k * n_cols];
    let full: Vec<f64> = (0..fan_in * fan_out)
        .map(|_| normal(&mut wrng) * 0.02)
        .collect();
    for n in 0..n_cols {
        let col = (col0 + n) % fan_out;
        let channel: Vec<f64> = (0..fan_in).map(|i| full[i * fan_out + col]).collect();
        let q = if format == "ternary" {
            quantize_ternary(&channel)
        } else {
            quantize_absmax(&channel, weight_bits)
        };
        for (i, v) in q.into_iter().enumerate().take(k) {
            weights[i * n_cols + n] = v;
        }
    }
    let mut activations = vec![0i64; array.tile_m as usize * k];
    for m in 0..array.tile_m as usize {
        let token: Vec<f64> = (0..fan_in).map(|_| normal(rng)).collect();
        for (i, v) in quantize_absmax(&token, array.act_bits)
            .into_iter()
            .enumerate()
            .take(k)
        {
            activations[m * k + i] = v;
        }
    }
    Case {
        index,
        kind: CaseKind::Model { matrix, format },
        input: TileInput {
            weight_bits,
            k_chunks,
            activations,
            weights,
        },
    }
}
