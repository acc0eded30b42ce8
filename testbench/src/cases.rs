//! Co-simulation cases, one description for every executor (Verilator, stepped model, fast
//! model): random tiles of every weight width, and tiles cut from the `tiny-llama` preset's linear
//! layers with weights and activations generated from fixed seeds and quantized.
//!
//! The generator knows a tile only by its [`TileShape`] (rows, columns, K per chunk, operand
//! widths), so every block with that shape of operands shares it. Everything is seeded: the
//! same `(shape, count, seed)` gives the same cases.

use lutforge_models::config::ModelConfig;
use lutforge_models::numerics;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What the case generator needs to know about a tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileShape {
    /// Output rows.
    pub tile_m: u32,
    /// Output columns.
    pub tile_n: u32,
    /// Activations per K chunk.
    pub tile_k: u32,
    /// Activation width, bits (signed).
    pub act_bits: u32,
    /// Widest weight, bits (signed); cases cycle through `1..=max_weight_bits`.
    pub max_weight_bits: u32,
}

/// The operands of one tile: `K = k_chunks * tile_k`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operands {
    /// Weight width, bits (signed two's complement).
    pub weight_bits: u32,
    /// K chunks reduced.
    pub k_chunks: u64,
    /// Activations, `tile_m x K` row-major.
    pub activations: Vec<i64>,
    /// Weights, `K x tile_n` row-major.
    pub weights: Vec<i64>,
    /// Signed-binary weights: each weight is -1 or +1, sent as one sign plane
    /// (`weight_bits = 1`). Only blocks with that `cmd` mode generate such cases.
    pub binary: bool,
    /// Floating-point activation patterns, on a block whose `cmd` chooses the activation
    /// format per tile (the shared generator draws integers, `false`).
    pub act_fp: bool,
    /// Further `cmd` values of a block that has them (the FPGA top's requantizer scale and
    /// shift); empty for the tiles.
    pub params: Vec<i64>,
}

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
    pub input: Operands,
}

/// Largest K chunk count a generated case uses (keeps runs short).
const MAX_CHUNKS: u64 = 4;

/// `count` cases for `shape` from `seed`: every fourth case is a model tile (when the shape runs a
/// weight format the quantizers produce), the others random, cycling through every weight width
/// `1..=max_weight_bits`.
pub fn generate(shape: &TileShape, count: usize, seed: u64) -> Vec<Case> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let tiny = ModelConfig::preset("tiny-llama").ok();
    let (mut model_tiles, mut random_tiles) = (0usize, 0u32);
    (0..count)
        .map(|index| {
            if index % 4 == 3 {
                if let Some(cfg) = &tiny {
                    model_tiles += 1;
                    if let Some(case) = model_case(shape, cfg, index, model_tiles - 1, &mut rng) {
                        return case;
                    }
                }
            }
            random_tiles += 1;
            let weight_bits = 1 + (random_tiles - 1) % shape.max_weight_bits;
            random_case(shape, index, weight_bits, &mut rng)
        })
        .collect()
}

fn signed(rng: &mut ChaCha8Rng, bits: u32) -> i64 {
    rng.gen_range(-(1i64 << (bits - 1))..(1i64 << (bits - 1)))
}

fn random_case(shape: &TileShape, index: usize, weight_bits: u32, rng: &mut ChaCha8Rng) -> Case {
    let k_chunks = rng.gen_range(1..=2u64);
    random_case_of_depth(shape, index, weight_bits, k_chunks, rng)
}

/// A random case of `k_chunks` chunks (case `index`, labelled random), operands drawn from
/// `rng` over their full ranges; blocks use it for the long reductions real models issue.
pub fn random_case_of_depth(
    shape: &TileShape,
    index: usize,
    weight_bits: u32,
    k_chunks: u64,
    rng: &mut ChaCha8Rng,
) -> Case {
    let k = k_chunks as usize * shape.tile_k as usize;
    let activations = (0..shape.tile_m as usize * k)
        .map(|_| signed(rng, shape.act_bits))
        .collect();
    let weights = (0..k * shape.tile_n as usize)
        .map(|_| signed(rng, weight_bits))
        .collect();
    Case {
        index,
        kind: CaseKind::Random,
        input: Operands {
            weight_bits,
            k_chunks,
            activations,
            weights,
            binary: false,
            act_fp: false,
            params: Vec::new(),
        },
    }
}

/// A pseudo-normal sample (Irwin-Hall of 4 uniforms, variance 1/3 scaled to 1).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let s: f64 = (0..4).map(|_| rng.gen::<f64>()).sum::<f64>() - 2.0;
    s * 3f64.sqrt()
}

/// Quantizer widths the models crate provides (`numerics::quantize_int_symmetric`).
const QUANT_BITS: std::ops::RangeInclusive<u32> = 2..=8;

/// `x` quantized to `bits`-bit symmetric integers with one scale (`bits` clamped to what the
/// quantizer supports), or BitNet b1.58 ternary codes; both from `models::numerics`.
fn quantize(x: &[f32], format: &Format) -> Vec<i64> {
    let q = match format {
        Format::Ternary => numerics::quantize_ternary_absmean(x),
        Format::Int(bits) => numerics::quantize_int_symmetric(x, *bits, x.len().max(1)),
    };
    // The inputs are finite and the widths in range, so the quantizers cannot refuse them.
    q.map(|q| q.values.into_iter().map(i64::from).collect())
        .unwrap_or_else(|_| vec![0; x.len()])
}

/// A weight format a model tile is quantized to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// {-1, 0, 1}, two planes.
    Ternary,
    /// Symmetric signed integers of this width.
    Int(u32),
}

fn model_case(
    shape: &TileShape,
    cfg: &ModelConfig,
    index: usize,
    nth: usize,
    rng: &mut ChaCha8Rng,
) -> Option<Case> {
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
    // Formats this shape can run, cycled per model tile.
    let mut formats = Vec::new();
    if shape.max_weight_bits >= 2 {
        formats.push(Format::Ternary);
    }
    let int_bits = shape.max_weight_bits.min(*QUANT_BITS.end());
    if QUANT_BITS.contains(&int_bits) {
        formats.push(Format::Int(int_bits));
    }
    let format = *formats.get(nth / matrices.len() % formats.len().max(1))?;
    let weight_bits = match format {
        Format::Ternary => 2,
        Format::Int(bits) => bits,
    };
    // The layer's weights come from a fixed per-matrix seed (the "checkpoint"), not the run seed.
    let mut wrng = ChaCha8Rng::seed_from_u64(0x7419_0000 + which as u64);
    let tile_k = shape.tile_k as usize;
    let k_chunks = (fan_in.div_ceil(tile_k) as u64).clamp(1, MAX_CHUNKS);
    let k = k_chunks as usize * tile_k;
    let n_cols = shape.tile_n as usize;
    let col0 = rng.gen_range(0..fan_out);
    let mut weights = vec![0i64; k * n_cols];
    let full: Vec<f32> = (0..fan_in * fan_out)
        .map(|_| (normal(&mut wrng) * 0.02) as f32)
        .collect();
    for n in 0..n_cols {
        let col = (col0 + n) % fan_out;
        let channel: Vec<f32> = (0..fan_in).map(|i| full[i * fan_out + col]).collect();
        for (i, v) in quantize(&channel, &format).into_iter().enumerate().take(k) {
            weights[i * n_cols + n] = v;
        }
    }
    let mut activations = vec![0i64; shape.tile_m as usize * k];
    for m in 0..shape.tile_m as usize {
        let token: Vec<f32> = (0..fan_in).map(|_| normal(rng) as f32).collect();
        let act_format = Format::Int(shape.act_bits.clamp(*QUANT_BITS.start(), *QUANT_BITS.end()));
        for (i, v) in quantize(&token, &act_format)
            .into_iter()
            .enumerate()
            .take(k)
        {
            activations[m * k + i] = v;
        }
    }
    let format = match format {
        Format::Ternary => "ternary".to_string(),
        Format::Int(bits) => format!("int{bits}"),
    };
    Some(Case {
        index,
        kind: CaseKind::Model { matrix, format },
        input: Operands {
            weight_bits,
            k_chunks,
            activations,
            weights,
            binary: false,
            act_fp: false,
            params: Vec::new(),
        },
    })
}
