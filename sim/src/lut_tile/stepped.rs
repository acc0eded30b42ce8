//! Cycle-stepped model of the LUT tile: advances one clock at a time over the registers of the
//! parent module's specification and computes real output values.
//!
//! It is the co-simulation oracle: besides results and the cycle count it records the cycle of
//! every stream transfer, which the testbench compares with the RTL's.

use super::fast::TileCost;
use super::{TileError, K_CHUNKS_BITS};
use crate::arch::{LutArray, Precompute};

/// Operands of one tile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileInput {
    /// Weight width in bit planes, `1..=max_weight_bits`.
    pub weight_bits: u32,
    /// K chunks reduced (`K = k_chunks * tile_k`), `1..=65535`.
    pub k_chunks: u64,
    /// Activations, `tile_m x K` row-major, each fitting `act_bits` signed bits.
    pub activations: Vec<i64>,
    /// Weights, `K x tile_n` row-major, each fitting `weight_bits` signed bits.
    pub weights: Vec<i64>,
}

impl TileInput {
    /// Reduction depth `K`.
    pub fn depth(&self, array: &LutArray) -> usize {
        self.k_chunks as usize * array.tile_k as usize
    }

    /// Checks widths, shapes and value ranges.
    pub fn validate(&self, array: &LutArray) -> Result<(), TileError> {
        if self.weight_bits == 0 || self.weight_bits > array.max_weight_bits {
            return Err(TileError::WeightBits {
                weight_bits: self.weight_bits,
                max: array.max_weight_bits,
            });
        }
        if self.k_chunks == 0 || self.k_chunks >= 1 << K_CHUNKS_BITS {
            return Err(TileError::KChunks {
                k_chunks: self.k_chunks,
            });
        }
        let k = self.depth(array);
        let checks: [(&'static str, &[i64], usize, u32); 2] = [
            (
                "activations",
                &self.activations,
                array.tile_m as usize * k,
                array.act_bits,
            ),
            (
                "weights",
                &self.weights,
                k * array.tile_n as usize,
                self.weight_bits,
            ),
        ];
        for (what, values, expected, bits) in checks {
            if values.len() != expected {
                return Err(TileError::Shape {
                    what,
                    got: values.len(),
                    expected,
                });
            }
            let lo = -(1i64 << (bits - 1));
            let hi = (1i64 << (bits - 1)) - 1;
            if let Some((index, &value)) = values
                .iter()
                .enumerate()
                .find(|(_, v)| **v < lo || **v > hi)
            {
                return Err(TileError::Range {
                    what,
                    index,
                    value,
                    bits,
                });
            }
        }
        Ok(())
    }
}

/// Beats of the `act` stream: each holds `tile_m * group` activations, index `m * group + i`.
pub fn activation_beats(array: &LutArray, input: &TileInput) -> Vec<Vec<i64>> {
    let (m_rows, g, k) = (
        array.tile_m as usize,
        array.group as usize,
        input.depth(array),
    );
    (0..k / g)
        .map(|gi| {
            let mut beat = Vec::with_capacity(m_rows * g);
            for m in 0..m_rows {
                beat.extend_from_slice(&input.activations[m * k + gi * g..m * k + gi * g + g]);
            }
            beat
        })
        .collect()
}

/// Beats of the `wgt` stream: each holds `tile_n * group` plane bits, index `n * group + i`;
/// order chunk, group, plane (LSB first).
pub fn weight_beats(array: &LutArray, input: &TileInput) -> Vec<Vec<bool>> {
    let (n_cols, g, k) = (
        array.tile_n as usize,
        array.group as usize,
        input.depth(array),
    );
    let mut beats = Vec::with_capacity(k / g * input.weight_bits as usize);
    for gi in 0..k / g {
        for p in 0..input.weight_bits {
            let mut beat = Vec::with_capacity(n_cols * g);
            for n in 0..n_cols {
                for i in 0..g {
                    beat.push((input.weights[(gi * g + i) * n_cols + n] >> p) & 1 == 1);
                }
            }
            beats.push(beat);
        }
    }
    beats
}

/// What a stepped run produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SteppedRun {
    /// Results, `tile_m x tile_n` row-major, wrapped to `acc_bits` two's complement.
    pub results: Vec<i64>,
    /// Cycles from the `cmd` transfer through the last result transfer, inclusive.
    pub cycles: u64,
    /// Events counted while stepping (same fields as the fast model's cost).
    pub events: TileCost,
    /// Cycle (0 = `cmd` transfer) of every `act` transfer.
    pub act_cycles: Vec<u64>,
    /// Cycle of every `wgt` transfer.
    pub wgt_cycles: Vec<u64>,
    /// Cycle of every `res` transfer (row order).
    pub res_cycles: Vec<u64>,
}

/// Two's complement wrap of `x` to `bits` bits (1..=127).
pub fn wrap(x: i128, bits: u32) -> i128 {
    let shift = 128 - bits;
    (x << shift) >> shift
}

/// Builds the `tile_m` tables of one group from an `act` beat, as the precompute unit does:
/// `tables[m][e]`, plus the number of additions spent.
pub fn build_tables(array: &LutArray, beat: &[i64]) -> (Vec<Vec<i128>>, u64) {
    let g = array.group as usize;
    let entries = array.table_entries() as usize;
    let mut adds = 0u64;
    let tables = (0..array.tile_m as usize)
        .map(|m| {
            let a = &beat[m * g..m * g + g];
            (0..entries)
                .map(|e| {
                    adds += (g - 1) as u64;
                    if array.symmetric {
                        let low: i128 = (0..g - 1)
                            .map(|i| {
                                if e >> i & 1 == 1 {
                                    a[i] as i128
                                } else {
                                    -(a[i] as i128)
                                }
                            })
                            .sum();
                        a[g - 1] as i128 + low
                    } else {
                        (0..g)
                            .filter(|i| e >> i & 1 == 1)
                            .map(|i| a[i] as i128)
                            .sum()
                    }
                })
                .collect()
        })
        .collect();
    (tables, adds)
}

/// One lookup: table entry for plane bits `w` (bit `i` = weight `i` of the group), and whether
/// the mirrored half was taken (the value is then negated).
pub fn lookup(array: &LutArray, table: &[i128], w: u32) -> (i128, bool) {
    if array.symmetric {
        let msb = w >> (array.group - 1) & 1 == 1;
        let mask = (1u32 << (array.group - 1)) - 1;
        let low = w & mask;
        if msb {
            (table[low as usize], false)
        } else {
            (table[(!low & mask) as usize], true)
        }
    } else {
        (table[w as usize], false)
    }
}

/// Runs one tile through the stepped model: sources always valid, sink always ready.
pub fn run_tile(array: &LutArray, input: &TileInput) -> Result<SteppedRun, TileError> {
    input.validate(array)?;
    let act = activation_beats(array, input);
    let g = array.group as usize;
    // Weight beats as each column's g-bit lookup index (bit i = plane bit of weight i).
    let wgt: Vec<Vec<u32>> = weight_beats(array, input)
        .iter()
        .map(|beat| {
            beat.chunks(g)
                .map(|c| {
                    c.iter()
                        .enumerate()
                        .fold(0u32, |w, (i, b)| w | (u32::from(*b) << i))
                })
                .collect()
        })
        .collect();
    let m_rows = array.tile_m as usize;
    let n_cols = array.tile_n as usize;
    let entries = array.table_entries() as usize;
    let groups = u64::from(array.groups_per_pass());
    let banks: u64 = match array.precompute {
        Precompute::Fused => 2,
        Precompute::Standalone => 1,
    };
    let acc_w = array.acc_bits + u32::from(array.symmetric);
    let chunks = input.k_chunks;
    let bits = input.weight_bits;
    let word = m_rows * entries;

    // Registers, as after the `cmd` transfer of cycle 0.
    let mut busy = true;
    let (mut pc_chunk, mut pc_group) = (0u64, 0u64);
    let (mut lu_chunk, mut lu_group, mut lu_plane) = (0u64, 0u64, 0u32);
    let mut sl_valid = false;
    let mut sl_plane = 0u32;
    let mut sl_msb = false;
    let mut sl_widx: Vec<u32> = vec![0; n_cols];
    // Table buffer (flat: address-major, then row, then entry) and its registered read port.
    let mut ram = vec![0i128; (banks * groups) as usize * word];
    let mut dout = vec![0i128; word];
    let mut acc = vec![0i128; m_rows * n_cols];
    let mut rowsum = vec![0i128; m_rows];
    let mut dr_row = 0usize;
    let mut results = vec![0i64; m_rows * n_cols];
    let mut events = TileCost::default();
    let (mut act_cycles, mut wgt_cycles, mut res_cycles) = (Vec::new(), Vec::new(), Vec::new());
    let (mut act_i, mut wgt_i) = (0usize, 0usize);
    let mut cycle = 0u64;
    // Per-row signed lookup results for every index, rebuilt from `dout` each lookup cycle.
    let mut signed_lookup = vec![0i128; 1 << g];

    while busy {
        cycle += 1;
        // Combinational signals of this cycle, from the registers.
        let act_ready = pc_chunk < chunks && pc_chunk - lu_chunk < banks;
        let wgt_ready = lu_chunk < chunks && pc_chunk > lu_chunk;
        let res_valid = lu_chunk == chunks && !sl_valid;

        // Lookup-accumulate stage (reads `dout` and the stage registers before they update).
        if sl_valid {
            for m in 0..m_rows {
                let table = &dout[m * entries..(m + 1) * entries];
                for (w, slot) in signed_lookup.iter_mut().enumerate() {
                    let (val, mirrored) = lookup(array, table, w as u32);
                    *slot = if mirrored ^ sl_msb { -val } else { val };
                }
                // Accumulators hold their register value modulo 2^128; it is reduced to the
                // register width (a no-op on the value mod 2^acc_w) where it is read, at the drain.
                for (a, w) in acc[m * n_cols..(m + 1) * n_cols].iter_mut().zip(&sl_widx) {
                    *a = a.wrapping_add(signed_lookup[*w as usize] << sl_plane);
                }
            }
            events.table_reads += (m_rows * n_cols) as u64;
            events.accumulate_adds += (m_rows * n_cols) as u64;
        }

        // Drain.
        if res_valid {
            res_cycles.push(cycle);
            for n in 0..n_cols {
                let a = wrap(acc[dr_row * n_cols + n], acc_w);
                let r = if array.symmetric {
                    wrap(a - rowsum[dr_row], acc_w) >> 1
                } else {
                    a
                };
                results[dr_row * n_cols + n] = wrap(r, array.acc_bits) as i64;
            }
            if array.symmetric {
                events.accumulate_adds += n_cols as u64;
            }
            events.results_written += n_cols as u64;
            if dr_row + 1 == m_rows {
                busy = false;
            } else {
                dr_row += 1;
            }
        }

        // Lookup controller.
        if wgt_ready {
            wgt_cycles.push(cycle);
            let bank = if banks == 2 { lu_chunk & 1 } else { 0 };
            let addr = (bank * groups + lu_group) as usize * word;
            dout.copy_from_slice(&ram[addr..addr + word]);
            sl_valid = true;
            sl_plane = lu_plane;
            sl_msb = lu_plane + 1 == bits;
            sl_widx.copy_from_slice(&wgt[wgt_i]);
            wgt_i += 1;
            events.table_words_read += 1;
            events.weight_bits_read += (n_cols * g) as u64;
            if lu_plane + 1 == bits {
                lu_plane = 0;
                if lu_group + 1 == groups {
                    lu_group = 0;
                    lu_chunk += 1;
                } else {
                    lu_group += 1;
                }
            } else {
                lu_plane += 1;
            }
        } else {
            sl_valid = false;
        }

        // Precompute unit (writes after this cycle's read: reads see the old word).
        if act_ready {
            act_cycles.push(cycle);
            let (tables, adds) = build_tables(array, &act[act_i]);
            act_i += 1;
            events.precompute_adds += adds;
            events.table_entries_written += (m_rows * entries) as u64;
            events.activations_read += (m_rows * g) as u64;
            if array.symmetric {
                for (m, t) in tables.iter().enumerate() {
                    rowsum[m] = wrap(rowsum[m] + t[entries - 1], acc_w);
                }
                events.precompute_adds += m_rows as u64;
            }
            let bank = if banks == 2 { pc_chunk & 1 } else { 0 };
            let addr = (bank * groups + pc_group) as usize * word;
            for (m, t) in tables.iter().enumerate() {
                ram[addr + m * entries..addr + (m + 1) * entries].copy_from_slice(t);
            }
            if pc_group + 1 == groups {
                pc_group = 0;
                pc_chunk += 1;
            } else {
                pc_group += 1;
            }
        }
    }
    let precompute_cycles = count_precompute_only(&act_cycles, &wgt_cycles);
    events.precompute_cycles = precompute_cycles;
    events.cycles = cycle + 1;
    Ok(SteppedRun {
        results,
        cycles: cycle + 1,
        events,
        act_cycles,
        wgt_cycles,
        res_cycles,
    })
}

/// Cycles in which the precompute unit worked while no lookup was issued (its critical-path
/// share).
fn count_precompute_only(act_cycles: &[u64], wgt_cycles: &[u64]) -> u64 {
    let mut w = wgt_cycles.iter().peekable();
    let mut only = 0;
    for &c in act_cycles {
        while w.peek().is_some_and(|&&x| x < c) {
            w.next();
        }
        if w.peek() != Some(&&c) {
            only += 1;
        }
    }
    only
}
