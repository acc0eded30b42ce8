//! Cycle-stepped model of the MAC tile: advances one clock at a time over the registers of the
//! parent module's specification (controller, pipeline registers with their valid bits,
//! accumulators, drain) and computes real values at every level of the datapath.
//!
//! It is the co-simulation oracle: besides results and the cycle count it records the cycle of
//! every stream transfer, which the testbench compares with the RTL's, and it counts the events
//! (dequantized weights, products, tree and accumulator additions) as it performs them.
//!
//! The model consumes the streams in their wire form: `wgt` lanes are `mult_bits`-wide fields
//! whose low `weight_bits` bits are the code ([`weight_field`]), and the dequantize level
//! sign-extends them from bit `weight_bits - 1`, as the RTL does.

use super::fast::TileCost;
use super::MacError;
use crate::mac_tensor_core::MacArray;
use crate::tile::{check_k_chunks, check_range, check_shapes, check_weight_bits, TileRun};

/// Operands of one tile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacTileInput {
    /// Weight width, `1..=mult_bits` bits (two's complement codes).
    pub weight_bits: u32,
    /// K chunks (k-steps) reduced (`K = k_chunks * tile_k`), `1..=65535`.
    pub k_chunks: u64,
    /// Activations, `tile_m x K` row-major, each fitting `mult_bits` signed bits.
    pub activations: Vec<i64>,
    /// Weights, `K x tile_n` row-major, each fitting `weight_bits` signed bits.
    pub weights: Vec<i64>,
}

impl MacTileInput {
    /// Reduction depth `K`.
    pub fn depth(&self, array: &MacArray) -> usize {
        self.k_chunks as usize * array.tile_k as usize
    }

    /// Checks widths, shapes and value ranges; `tile` names the tile in errors.
    pub fn validate(&self, array: &MacArray, tile: usize) -> Result<(), MacError> {
        check_weight_bits(self.weight_bits, array.mult_bits).map_err(MacError::Command)?;
        check_k_chunks(self.k_chunks).map_err(MacError::Command)?;
        let k = self.depth(array);
        check_shapes(
            &self.activations,
            &self.weights,
            array.tile_m,
            array.tile_n,
            k,
        )
        .and_then(|()| check_range("activations", &self.activations, array.mult_bits))
        .and_then(|()| check_range("weights", &self.weights, self.weight_bits))
        .map_err(|error| MacError::Operand { tile, error })
    }
}

/// The `act` beats of a tile: beat `c`, lane `m*tile_k + i` = activation `(m, c*tile_k + i)`.
pub fn activation_beats(array: &MacArray, input: &MacTileInput) -> Vec<Vec<i64>> {
    let (m, t) = (array.tile_m as usize, array.tile_k as usize);
    let k = input.depth(array);
    (0..input.k_chunks as usize)
        .map(|c| {
            (0..m * t)
                .map(|lane| input.activations[(lane / t) * k + c * t + lane % t])
                .collect()
        })
        .collect()
}

/// The `mult_bits`-wide `wgt` lane of a `weight_bits`-bit code: the code in the low bits, the
/// complement of its sign above (ignored by the tile), as an unsigned bit pattern.
pub fn weight_field(code: i64, weight_bits: u32, mult_bits: u32) -> i64 {
    let low_mask = (1i64 << weight_bits) - 1;
    let field_mask = (1i64 << mult_bits) - 1;
    let sign = code >> (weight_bits - 1) & 1;
    let high = if sign == 1 { 0 } else { field_mask & !low_mask };
    (code & low_mask) | high
}

/// The `wgt` beats of a tile in wire form: beat `c`, lane `n*tile_k + i` =
/// [`weight_field`] of weight `(c*tile_k + i, n)`.
pub fn weight_beats(array: &MacArray, input: &MacTileInput) -> Vec<Vec<i64>> {
    let (n, t) = (array.tile_n as usize, array.tile_k as usize);
    (0..input.k_chunks as usize)
        .map(|c| {
            (0..n * t)
                .map(|lane| {
                    let w = input.weights[(c * t + lane % t) * n + lane / t];
                    weight_field(w, input.weight_bits, array.mult_bits)
                })
                .collect()
        })
        .collect()
}

/// Two's complement wrap of `x` to `bits` bits (1..=127).
pub fn wrap(x: i128, bits: u32) -> i128 {
    let shift = 128 - bits;
    (x << shift) >> shift
}

/// The dequantize stage on one lane: the low `weight_bits` bits of `field`, sign-extended.
pub fn dequantize(field: i64, weight_bits: u32) -> i64 {
    wrap(i128::from(field), weight_bits) as i64
}

/// What a stepped run of one MAC tile produced.
pub type MacRun = TileRun<TileCost>;

/// A run of tiles issued back to back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacTiles {
    /// Per tile, its run.
    pub tiles: Vec<MacRun>,
    /// Cycles from the first `cmd` transfer through the last result transfer, inclusive.
    pub cycles: u64,
}

/// The registers of the tile.
struct Regs {
    busy: bool,
    k_chunks: u64,
    weight_bits: u32,
    issued: u64,
    dr_row: u32,
    /// Pipeline register `r + 1`: `Some(values at its boundary)` when valid.
    stages: Vec<Option<Vec<i64>>>,
    /// `tile_m x tile_n` accumulators, wrapped to `acc_bits`.
    acc: Vec<i64>,
}

/// Applies datapath level `level` (0 dequantize, 1 multiply, `1 + l` tree level `l`) to a
/// k-step's values at boundary `level`, giving its values at boundary `level + 1`.
fn apply_level(
    array: &MacArray,
    level: u32,
    values: Vec<i64>,
    weight_bits: u32,
    events: &mut TileCost,
) -> Vec<i64> {
    let (m, n, t) = (
        array.tile_m as usize,
        array.tile_n as usize,
        array.tile_k as usize,
    );
    match level {
        0 => {
            events.weights_dequantized += (n * t) as u64;
            let mut v = values;
            for lane in &mut v[m * t..] {
                *lane = dequantize(*lane, weight_bits);
            }
            v
        }
        1 => {
            let (act, w) = values.split_at(m * t);
            events.products += (m * n * t) as u64;
            let mut out = Vec::with_capacity(m * n * t);
            for row in 0..m {
                for col in 0..n {
                    for i in 0..t {
                        out.push(act[row * t + i] * w[col * t + i]);
                    }
                }
            }
            out
        }
        _ => {
            let width = values.len() / (m * n);
            let next = width.div_ceil(2);
            events.tree_adds += (m * n * (width / 2)) as u64;
            let mut out = Vec::with_capacity(m * n * next);
            for unit in values.chunks(width) {
                for j in 0..next {
                    let pair = &unit[2 * j..(2 * j + 2).min(width)];
                    out.push(pair.iter().sum());
                }
            }
            out
        }
    }
}

/// Brings a k-step's values from boundary `from` to boundary `to` (`from <= to`).
fn advance(
    array: &MacArray,
    from: u32,
    to: u32,
    mut values: Vec<i64>,
    weight_bits: u32,
    events: &mut TileCost,
) -> Vec<i64> {
    for level in from..to {
        values = apply_level(array, level, values, weight_bits, events);
    }
    values
}

/// Runs one tile from reset with every source valid and the sink ready.
pub fn run_tile(array: &MacArray, input: &MacTileInput) -> Result<MacRun, MacError> {
    let mut run = run_tiles(array, std::slice::from_ref(input))?;
    Ok(run.tiles.remove(0))
}

/// Runs `tiles` back to back from reset, one clock at a time, with every source valid while it
/// has beats and the sink always ready; the next tile's `cmd` is presented on the cycle after
/// the previous tile's last result transfer.
pub fn run_tiles(array: &MacArray, tiles: &[MacTileInput]) -> Result<MacTiles, MacError> {
    if array.is_fp() {
        return Err(MacError::FpMode);
    }
    for (i, t) in tiles.iter().enumerate() {
        t.validate(array, i)?;
    }
    let (m, n) = (array.tile_m as usize, array.tile_n as usize);
    let last_boundary = array.tree_depth() + 2;
    let depth = array.pipeline_cycles as usize - 1;
    let boundary = |r: usize| array.register_boundary(r as u32 + 1);
    let mut regs = Regs {
        busy: false,
        k_chunks: 0,
        weight_bits: 1,
        issued: 0,
        dr_row: 0,
        stages: vec![None; depth],
        acc: vec![0; m * n],
    };
    let mut out = MacTiles {
        tiles: Vec::with_capacity(tiles.len()),
        cycles: 0,
    };
    let mut cycle = 0u64;
    let mut started = false;
    for input in tiles {
        let act = activation_beats(array, input);
        let wgt = weight_beats(array, input);
        let mut run = MacRun {
            results: vec![0; m * n],
            cycles: 0,
            events: TileCost::default(),
            act_cycles: Vec::with_capacity(act.len()),
            wgt_cycles: Vec::with_capacity(wgt.len()),
            res_cycles: Vec::with_capacity(m),
        };
        let (mut sent, mut beat, mut rows) = (false, 0usize, 0usize);
        let mut tile_cycle = 0u64;
        while rows < m {
            // Combinational signals of this cycle, from the registers.
            let cmd_fire = !sent && !regs.busy;
            let inputs_valid = sent && beat < act.len();
            let step_fire = regs.busy && regs.issued < regs.k_chunks && inputs_valid;
            let res_valid = regs.busy
                && regs.issued == regs.k_chunks
                && regs.stages.iter().all(Option::is_none);
            // The k-step reaching the accumulators this cycle, at the last boundary.
            let entering = if depth == 0 {
                step_fire.then(|| {
                    let v = [act[beat].as_slice(), wgt[beat].as_slice()].concat();
                    advance(
                        array,
                        0,
                        last_boundary,
                        v,
                        regs.weight_bits,
                        &mut run.events,
                    )
                })
            } else {
                regs.stages[depth - 1].take().map(|v| {
                    let from = boundary(depth - 1);
                    advance(
                        array,
                        from,
                        last_boundary,
                        v,
                        regs.weight_bits,
                        &mut run.events,
                    )
                })
            };
            // Clock edge: pipeline registers shift (each applying its levels), then the
            // controller, accumulators and drain update.
            for r in (1..depth).rev() {
                let (from, to) = (boundary(r - 1), boundary(r));
                regs.stages[r] = regs.stages[r - 1]
                    .take()
                    .map(|v| advance(array, from, to, v, regs.weight_bits, &mut run.events));
            }
            if depth > 0 {
                regs.stages[0] =
                    step_fire.then(|| [act[beat].as_slice(), wgt[beat].as_slice()].concat());
            }
            if cmd_fire {
                regs.busy = true;
                regs.k_chunks = input.k_chunks;
                regs.weight_bits = input.weight_bits;
                regs.issued = 0;
                regs.dr_row = 0;
                regs.acc.iter_mut().for_each(|a| *a = 0);
                sent = true;
                started = true;
            } else if let Some(sums) = entering {
                run.events.accumulate_adds += (m * n) as u64;
                for (a, s) in regs.acc.iter_mut().zip(sums) {
                    *a = wrap(i128::from(*a) + i128::from(s), array.acc_bits) as i64;
                }
            }
            if step_fire {
                regs.issued += 1;
                run.events.k_steps += 1;
                run.events.activations_read += act[beat].len() as u64;
                run.act_cycles.push(tile_cycle);
                run.wgt_cycles.push(tile_cycle);
                beat += 1;
            }
            if res_valid {
                let row = regs.dr_row as usize;
                run.results[row * n..(row + 1) * n]
                    .copy_from_slice(&regs.acc[row * n..(row + 1) * n]);
                run.res_cycles.push(tile_cycle);
                run.events.results_written += n as u64;
                rows += 1;
                if regs.dr_row + 1 == array.tile_m {
                    regs.dr_row = 0;
                    regs.busy = false;
                } else {
                    regs.dr_row += 1;
                }
            }
            if started {
                cycle += 1;
                tile_cycle += 1;
            }
        }
        run.cycles = tile_cycle;
        run.events.cycles = tile_cycle;
        out.tiles.push(run);
    }
    out.cycles = cycle;
    Ok(out)
}
