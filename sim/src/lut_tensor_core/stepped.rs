//! Cycle-stepped model of the LUT tile: advances one clock at a time over the registers of the
//! parent module's specification and computes real output values.
//!
//! It is the co-simulation oracle: besides results and the cycle count it records the cycle of
//! every stream transfer, which the testbench compares with the RTL's.
//!
//! # How it is kept fast
//!
//! Every cycle still evaluates the controller conditions, the registered table read, the
//! `M x N` lookup-accumulate array, the drain and the precompute unit, in the order of the
//! specification. What is hoisted out of the clock loop is only work the RTL does not do per
//! cycle either, or that is pure input formatting:
//!
//! * [`TileStreams`] packs the operands once into the streams' order: activations per `act`
//!   beat, and per `wgt` beat each column's `g` plane bits as one `u8` lookup index (what the
//!   lookup unit reads from the beat). [`run_tile`] is [`TileStreams::new`] then
//!   [`run_streams`].
//! * Registers live in flat, preallocated vectors; nothing is allocated inside the clock loop
//!   (the transfer-cycle records are reserved at their exact final length).
//! * Per lookup cycle, each row's `2^g` possible lookup results (mirror and MSB-plane sign
//!   applied, shifted by the plane) are formed once from the registered table word; the
//!   `N`-column accumulate is then one indexed load and add per unit, without branches.
//! * Registers are `i64` when the values provably fit (see [`fits_i64`]), which holds for
//!   every validated architecture; otherwise `i128`.

use lutforge_models::numerics::fp::{self, FP16, FP32};
use lutforge_models::numerics::{fill_table, lookup_entry, Fp16, TableValue, MAX_GROUP};

use super::fast::TileCost;
use super::TileError;
use crate::lut_tensor_core::{LutArray, Precompute};
use crate::tile::{
    check_k_chunks, check_range, check_shapes, check_weight_bits, out_of_range, OperandError,
    TileRun,
};

/// Operands of one tile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileInput {
    /// Weight width in bit planes, `1..=max_weight_bits`.
    pub weight_bits: u32,
    /// K chunks reduced (`K = k_chunks * tile_k`), `1..=65535`.
    pub k_chunks: u64,
    /// Activations, `tile_m x K` row-major, each fitting `act_bits` signed bits.
    pub activations: Vec<i64>,
    /// Weights, `K x tile_n` row-major, each fitting `weight_bits` signed bits; with
    /// `binary`, each -1 or +1.
    pub weights: Vec<i64>,
    /// Signed-binary plane mode (`cmd` bit `binary`): one plane (`weight_bits = 1`) whose bits
    /// are signs, `+1` for bit 1 and `-1` for bit 0, with no row-sum correction. Symmetric
    /// arrays only.
    pub binary: bool,
    /// On an `int+fp16` array, the `cmd` bit `act_fp`: the activations are FP16 patterns and
    /// the tile runs the floating-point datapath. Ignored by single-format arrays.
    pub act_fp: bool,
}

impl TileInput {
    /// Reduction depth `K`.
    pub fn depth(&self, array: &LutArray) -> usize {
        self.k_chunks as usize * array.tile_k as usize
    }

    /// Checks widths, shapes and value ranges.
    pub fn validate(&self, array: &LutArray) -> Result<(), TileError> {
        TileStreams::new(array, self).map(|_| ())
    }

    /// Bit `plane` of weight `w` as the `wgt` stream carries it (binary mode: 1 for `+1`).
    pub fn plane_bit(&self, w: i64, plane: u32) -> bool {
        if self.binary {
            w > 0
        } else {
            (w >> plane) & 1 == 1
        }
    }

    /// Checks widths and shapes (not value ranges).
    fn validate_shape(&self, array: &LutArray) -> Result<(), TileError> {
        check_weight_bits(self.weight_bits, array.max_weight_bits)?;
        if self.binary && (!array.runs_binary_plane() || self.weight_bits != 1) {
            return Err(TileError::Binary {
                weight_bits: self.weight_bits,
            });
        }
        check_k_chunks(self.k_chunks)?;
        let k = self.depth(array);
        check_shapes(
            &self.activations,
            &self.weights,
            array.tile_m,
            array.tile_n,
            k,
        )?;
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
                    beat.push(input.plane_bit(input.weights[(gi * g + i) * n_cols + n], p));
                }
            }
            beats.push(beat);
        }
    }
    beats
}

/// Column stride of [`TileStreams::wgt`] beats and of the model's accumulator rows: `tile_n`
/// rounded up to a multiple of this (padding columns carry index 0 and are never drained).
pub const COLUMN_ALIGN: usize = 16;

/// A tile's `cmd` fields and its `act` and `wgt` streams, packed in stream order for
/// [`run_streams`] (the stepped model's counterpart of the testbench's hex beats).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileStreams {
    /// `cmd` weight bits.
    pub weight_bits: u32,
    /// `cmd` K chunks.
    pub k_chunks: u64,
    /// `cmd` signed-binary plane mode.
    pub binary: bool,
    /// The tile runs the floating-point datapath (`act` holds FP16 patterns).
    pub fp: bool,
    /// `act` beats back to back, `tile_m * group` activations each (index `m * group + i`),
    /// the same values as [`activation_beats`]; in a floating-point mode, the FP16 patterns the
    /// precompute unit adds (FP16 flushed, FP8 converted; a pure function of the beat).
    pub act: Vec<i64>,
    /// `wgt` beats back to back, [`TileStreams::stride`] bytes each: byte `n < tile_n` is
    /// column `n`'s lookup index, whose bit `i` is beat bit `n * group + i` of
    /// [`weight_beats`]; the padding bytes are 0.
    pub wgt: Vec<u8>,
}

impl TileStreams {
    /// Validates `input` and packs it into stream order.
    ///
    /// # Panics
    ///
    /// If `array.group > 8` (validated architectures have `group <= 6`).
    pub fn new(array: &LutArray, input: &TileInput) -> Result<TileStreams, TileError> {
        input.validate_shape(array)?;
        let fp_acts;
        let fp = array.tile_encoding(input.act_fp);
        let acts = match fp {
            None => {
                check_range("activations", &input.activations, array.act_bits)?;
                &input.activations
            }
            Some(enc) => {
                fp_acts = input
                    .activations
                    .iter()
                    .enumerate()
                    .map(|(index, &v)| {
                        u32::try_from(v)
                            .ok()
                            .and_then(|x| enc.to_fp16(x).ok())
                            .map(i64::from)
                            .ok_or(TileError::NotFinite {
                                index,
                                value: v,
                                format: array.act_format.as_str(),
                            })
                    })
                    .collect::<Result<Vec<i64>, TileError>>()?;
                &fp_acts
            }
        };
        assert!(
            array.group <= 8,
            "lut.group {} exceeds the stepped model's 8-bit lookup index",
            array.group
        );
        let (m_rows, g, k) = (
            array.tile_m as usize,
            array.group as usize,
            input.depth(array),
        );
        let beats = k / g;
        let mut act = Vec::with_capacity(beats * m_rows * g);
        for gi in 0..beats {
            for m in 0..m_rows {
                act.extend_from_slice(&acts[m * k + gi * g..][..g]);
            }
        }
        let stride = TileStreams::stride(array);
        let mut wgt = vec![0u8; beats * input.weight_bits as usize * stride];
        if input.binary {
            // A ±1 weight travels as one plane bit (1 for +1): as the 1-bit pattern of -1 or 0.
            if let Some(index) = input.weights.iter().position(|w| w.abs() != 1) {
                return Err(OperandError::Range {
                    what: "binary weights",
                    index,
                    value: input.weights[index],
                    bits: 1,
                }
                .into());
            }
            let bits = TileInput {
                weights: input.weights.iter().map(|&w| -i64::from(w > 0)).collect(),
                activations: Vec::new(),
                ..*input
            };
            pack_weights(array, &bits, &mut wgt);
        } else if pack_weights(array, input, &mut wgt) {
            // Some weight is out of range: report the first one.
            check_range("weights", &input.weights, input.weight_bits)?;
        }
        Ok(TileStreams {
            weight_bits: input.weight_bits,
            k_chunks: input.k_chunks,
            binary: input.binary,
            fp: fp.is_some(),
            act,
            wgt,
        })
    }

    /// Bytes per `wgt` beat: `tile_n` rounded up to [`COLUMN_ALIGN`].
    pub fn stride(array: &LutArray) -> usize {
        (array.tile_n as usize).next_multiple_of(COLUMN_ALIGN)
    }
}

/// Packs the weights of `input` into `wgt` (zeroed, [`TileStreams::wgt`] layout); returns
/// whether some weight does not fit `weight_bits`. Uses the widest vector unit the CPU has.
fn pack_weights(array: &LutArray, input: &TileInput, wgt: &mut [u8]) -> bool {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports the features the function is compiled for.
        return unsafe { x86::pack_weights_avx2(array, input, wgt) };
    }
    pack_weights_portable(array, input, wgt)
}

/// [`pack_weights`], written for autovectorization: each weight row is narrowed to `u16`
/// (and range-checked) once, then each plane's bits are merged into the beat bytes.
#[inline(always)]
fn pack_weights_portable(array: &LutArray, input: &TileInput, wgt: &mut [u8]) -> bool {
    let (n_cols, g) = (array.tile_n as usize, array.group as usize);
    let (bits, stride) = (input.weight_bits, TileStreams::stride(array));
    let mut narrow = vec![0u16; n_cols];
    let mut bad = false;
    for (gi, group_beats) in wgt.chunks_exact_mut(bits as usize * stride).enumerate() {
        for i in 0..g {
            let row = &input.weights[(gi * g + i) * n_cols..][..n_cols];
            bad |= row.iter().fold(false, |b, &w| b | out_of_range(w, bits));
            for (x, &w) in narrow.iter_mut().zip(row) {
                *x = w as u16;
            }
            for (p, beat) in group_beats.chunks_exact_mut(stride).enumerate() {
                for (idx, &w) in beat.iter_mut().zip(&narrow) {
                    *idx |= ((w >> p) as u8 & 1) << i;
                }
            }
        }
    }
    bad
}

/// What a stepped run of one LUT tile produces.
pub type SteppedRun = TileRun<TileCost>;

/// Two's complement wrap of `x` to `bits` bits (1..=127).
pub fn wrap(x: i128, bits: u32) -> i128 {
    let shift = 128 - bits;
    (x << shift) >> shift
}

/// Builds the `tile_m` integer tables of one group from an `act` beat, as the precompute unit
/// does (with [`lutforge_models::numerics::fill_table`]): `tables[m][e]`, plus the additions
/// spent.
pub fn build_tables(array: &LutArray, beat: &[i64]) -> (Vec<Vec<i128>>, u64) {
    let entries = array.table_entries() as usize;
    let mut flat = vec![0i128; array.tile_m as usize * entries];
    let adds = fill_int_tables(array, beat, &mut flat);
    (flat.chunks(entries).map(<[i128]>::to_vec).collect(), adds)
}

/// The integer tables of one `act` beat into `out` (row-major, `tile_m * table_entries`
/// words), through the one table definition of `lutforge_models::numerics::table`; returns the
/// adds the precompute unit spends.
fn fill_int_tables<W: Word>(array: &LutArray, beat: &[i64], out: &mut [W]) -> u64 {
    let g = array.group as usize;
    let entries = array.table_entries() as usize;
    let mut a = [W::default(); MAX_GROUP];
    let mut adds = 0;
    for (acts, table) in beat.chunks_exact(g).zip(out.chunks_exact_mut(entries)) {
        for (x, &v) in a.iter_mut().zip(acts) {
            *x = W::from_i64(v);
        }
        adds += fill_table(&a[..g], array.symmetric, table);
    }
    adds
}

/// Which entry a lookup with plane bits `w` (bit `i` = weight `i` of the group) reads, and
/// whether the mirrored half was taken (the value is then negated).
fn mirror(array: &LutArray, w: u32) -> (usize, bool) {
    lookup_entry(array.group as usize, array.symmetric, w as usize)
}

/// Register word of the stepped model: the narrowest of `i32`, `i64`, `i128` that
/// [`register_bits`] allows. Arithmetic wraps modulo the word; values are reduced to the
/// register width where they are read (the drain).
trait Word: TableValue + Copy + Default {
    /// Whether a vector lookup kernel exists for this word.
    const VECTOR: bool = false;

    fn from_i64(v: i64) -> Self;
    fn to_i128(self) -> i128;
    fn wadd(self, o: Self) -> Self;
    fn wneg(self) -> Self;
    fn wshl(self, s: u32) -> Self;

    /// The lookup-accumulate array for one cycle: every row's accumulators (`acc`, rows of
    /// `stride`) add their row's lookup (`dout`, rows of `l.entries`) for the column indices
    /// `widx` (`stride` bytes), shifted by `plane` and negated per [`Lookups`].
    #[inline(always)]
    fn lookup_accumulate(
        l: &Lookups,
        dout: &[Self],
        acc: &mut [Self],
        widx: &[u8],
        plane: u32,
        msb: bool,
    ) {
        lookup_accumulate_portable(l, dout, acc, widx, plane, msb);
    }
}

macro_rules! word {
    ($t:ty) => {
        #[inline(always)]
        fn from_i64(v: i64) -> Self {
            v as $t
        }
        #[inline(always)]
        fn to_i128(self) -> i128 {
            i128::from(self)
        }
        #[inline(always)]
        fn wadd(self, o: Self) -> Self {
            self.wrapping_add(o)
        }
        #[inline(always)]
        fn wneg(self) -> Self {
            self.wrapping_neg()
        }
        #[inline(always)]
        fn wshl(self, s: u32) -> Self {
            self.wrapping_shl(s)
        }
    };
}

impl Word for i32 {
    word!(i32);
    const VECTOR: bool = true;

    #[inline(always)]
    fn lookup_accumulate(
        l: &Lookups,
        dout: &[i32],
        acc: &mut [i32],
        widx: &[u8],
        plane: u32,
        msb: bool,
    ) {
        #[cfg(target_arch = "x86_64")]
        if l.avx2 {
            // SAFETY: `l.avx2` is set only when the CPU has AVX2 and there are at most 16
            // lookup indices; the slice shapes are the ones `step` allocates.
            unsafe { x86::lookup_accumulate_avx2(l, dout, acc, widx, plane, msb) };
            return;
        }
        lookup_accumulate_portable(l, dout, acc, widx, plane, msb);
    }
}

impl Word for i64 {
    word!(i64);
}

impl Word for i128 {
    word!(i128);
}

/// How the lookup unit maps a `g`-bit index to a table entry, fixed per array.
struct Lookups {
    /// Table entries per row.
    entries: usize,
    /// Column stride of the accumulator rows and weight beats.
    stride: usize,
    /// Per lookup index: the entry read and whether the mirrored half was taken.
    mirrors: Vec<(usize, bool)>,
    /// `mirrors` for the vector kernel, per lane (lookup index, padded to 16): the entry
    /// read, and -1 where the result is negated on a plane that is not the MSB plane
    /// (`negate[0]`) or on the MSB plane (`negate[1]`), else 0.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    order: [i32; 16],
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    negate: [[i32; 16]; 2],
    /// Per lane: -1 where lane < `entries` (the table word's lanes), else 0.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    entry_lanes: [i32; 16],
    /// The AVX2 kernel applies (CPU support, `i32` words, at most 16 indices).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    avx2: bool,
}

#[inline(always)]
fn lookup_accumulate_portable<W: Word>(
    l: &Lookups,
    dout: &[W],
    acc: &mut [W],
    widx: &[u8],
    plane: u32,
    msb: bool,
) {
    // One row's lookup results for every index (sign and plane shift applied); indexed by a
    // `u8`, so the accumulate loop has no bounds checks.
    let mut signed = [W::default(); 256];
    for (table, row) in dout
        .chunks_exact(l.entries)
        .zip(acc.chunks_exact_mut(l.stride))
    {
        for (slot, &(e, mirrored)) in signed.iter_mut().zip(&l.mirrors) {
            let v = table[e].wshl(plane);
            *slot = if mirrored ^ msb { v.wneg() } else { v };
        }
        for (a, &w) in row.iter_mut().zip(widx) {
            *a = a.wadd(signed[usize::from(w)]);
        }
    }
}

/// Bits (magnitude, without sign) the registers of a tile can need.
///
/// Bound: an activation has `|a| <= 2^(AB-1)`; a table entry sums at most `g` of them; a
/// lookup is shifted by plane `p < b`, so one unit's accumulator, at every cycle, is at most
/// `C * G * g * 2^(AB-1) * (2^b - 1) < C * tile_k * 2^(AB-1+b)` in magnitude, and a row sum
/// at most `C * tile_k * 2^(AB-1)`. With `C * tile_k < 2^d` that is `d + AB - 1 + b` bits.
/// Validated architectures (`C < 2^16`, `tile_k <= 4096`, `AB <= 16`, `b <= 16`) need at most
/// `28 + 15 + 16 = 59`, so `i64` registers never wrap for any of them; the default
/// architecture's tiles (`C <= 4` in co-simulation) need about 20, so they run on `i32`.
/// A word that never wraps holds the exact value, whose residue modulo `2^acc_bits` (or
/// `2^(acc_bits+1)`) is what the RTL's registers hold.
pub fn register_bits(array: &LutArray, weight_bits: u32, k_chunks: u64) -> u32 {
    let depth = k_chunks.saturating_mul(u64::from(array.tile_k));
    (64 - depth.leading_zeros()) + array.act_bits.saturating_sub(1) + weight_bits
}

/// Runs one tile through the stepped model: sources always valid, sink always ready.
pub fn run_tile(array: &LutArray, input: &TileInput) -> Result<SteppedRun, TileError> {
    Ok(run_streams(array, &TileStreams::new(array, input)?))
}

/// Runs one tile, already packed by [`TileStreams::new`] for this `array`, through the stepped
/// model: sources always valid, sink always ready.
pub fn run_streams(array: &LutArray, streams: &TileStreams) -> SteppedRun {
    if streams.fp {
        return control(array, streams, &mut FpPath::new(array, streams));
    }
    match register_bits(array, streams.weight_bits, streams.k_chunks) {
        0..=30 => step::<i32>(array, streams, true),
        31..=62 => step::<i64>(array, streams, true),
        _ => step::<i128>(array, streams, true),
    }
}

/// The integer datapath with registers of type `W`.
/// `vector` allows the CPU's vector kernels (tests turn them off to compare).
fn step<W: Word>(array: &LutArray, s: &TileStreams, vector: bool) -> SteppedRun {
    control(array, s, &mut IntPath::<W>::new(array, s, vector))
}

/// The registers and arithmetic of the precompute unit, table buffer, lookup-accumulate array
/// and drain; [`control`] steps the controller around them. Addresses are table-buffer words.
trait Datapath {
    /// An `act` transfer: builds the group's tables from `beat` into word `addr` (and the row
    /// sums); returns the additions spent.
    fn precompute(&mut self, addr: usize, beat: &[i64]) -> u64;
    /// A `wgt` transfer: the registered read of word `addr`.
    fn read(&mut self, addr: usize);
    /// The lookup stage: every unit adds its lookup for column indices `widx` at `plane`,
    /// negated when `negative` (the plane's coefficient is negative).
    fn lookup_accumulate(&mut self, widx: &[u8], plane: u32, negative: bool);
    /// The result of row `row` into `out` (`tile_n` values, wrapped to `acc_bits`).
    fn drain(&self, row: usize, out: &mut [i64]);
}

/// The integer datapath (module doc of the parent: tables of `EB`-bit sums, `A`-bit
/// accumulators, `A + 1` when symmetric).
struct IntPath<W: Word> {
    array: LutArray,
    binary: bool,
    lookups: Lookups,
    word: usize,
    ram: Vec<W>,
    dout: Vec<W>,
    acc: Vec<W>,
    rowsum: Vec<W>,
}

impl<W: Word> IntPath<W> {
    fn new(array: &LutArray, s: &TileStreams, vector: bool) -> IntPath<W> {
        let m_rows = array.tile_m as usize;
        let stride = TileStreams::stride(array);
        let entries = array.table_entries() as usize;
        let indices = 1usize << array.group;
        let words = table_words(array);
        let mirrors: Vec<(usize, bool)> = (0..indices as u32).map(|w| mirror(array, w)).collect();
        let mut order = [0i32; 16];
        let mut negate = [[0i32; 16]; 2];
        for (w, &(e, mirrored)) in mirrors.iter().enumerate().take(16) {
            order[w] = e as i32;
            negate[0][w] = -i32::from(mirrored);
            negate[1][w] = -i32::from(!mirrored);
        }
        let word = m_rows * entries;
        IntPath {
            array: *array,
            binary: s.binary,
            lookups: Lookups {
                entries,
                stride,
                mirrors,
                order,
                negate,
                entry_lanes: std::array::from_fn(|i| -i32::from(i < entries)),
                avx2: vector && x86::avx2_applies::<W>(indices),
            },
            word,
            ram: vec![W::default(); words * word],
            dout: vec![W::default(); word],
            acc: vec![W::default(); m_rows * stride],
            rowsum: vec![W::default(); m_rows],
        }
    }
}

impl<W: Word> Datapath for IntPath<W> {
    fn precompute(&mut self, addr: usize, beat: &[i64]) -> u64 {
        let entries = self.lookups.entries;
        let tables = &mut self.ram[addr * self.word..][..self.word];
        let adds = fill_int_tables(&self.array, beat, tables);
        if self.array.symmetric {
            for (r, t) in self.rowsum.iter_mut().zip(tables.chunks_exact(entries)) {
                *r = r.wadd(t[entries - 1]);
            }
            return adds + self.rowsum.len() as u64;
        }
        adds
    }
    fn read(&mut self, addr: usize) {
        self.dout
            .copy_from_slice(&self.ram[addr * self.word..][..self.word]);
    }
    fn lookup_accumulate(&mut self, widx: &[u8], plane: u32, negative: bool) {
        W::lookup_accumulate(
            &self.lookups,
            &self.dout,
            &mut self.acc,
            widx,
            plane,
            negative,
        );
    }
    fn drain(&self, row: usize, out: &mut [i64]) {
        let a = &self.array;
        let acc_w = a.acc_bits + u32::from(a.symmetric);
        let sum = wrap(self.rowsum[row].to_i128(), acc_w);
        let accs = &self.acc[row * self.lookups.stride..][..out.len()];
        for (r, x) in out.iter_mut().zip(accs) {
            let x = wrap(x.to_i128(), acc_w);
            let v = if a.symmetric && !self.binary {
                wrap(x - sum, acc_w) >> 1
            } else {
                x
            };
            *r = wrap(v, a.acc_bits) as i64;
        }
    }
}

/// The floating-point datapath: FP16 tables, FP32 accumulators and row sums, every operation
/// from `lutforge_models::numerics::fp` (rounding stated in the parent module's doc).
struct FpPath {
    array: LutArray,
    binary: bool,
    entries: usize,
    stride: usize,
    word: usize,
    mirrors: Vec<(usize, bool)>,
    ram: Vec<Fp16>,
    dout: Vec<Fp16>,
    acc: Vec<u32>,
    rowsum: Vec<u32>,
}

impl FpPath {
    fn new(array: &LutArray, s: &TileStreams) -> FpPath {
        let m_rows = array.tile_m as usize;
        let entries = array.table_entries() as usize;
        let word = m_rows * entries;
        let stride = TileStreams::stride(array);
        FpPath {
            array: *array,
            binary: s.binary,
            entries,
            stride,
            word,
            mirrors: (0..1u32 << array.group).map(|w| mirror(array, w)).collect(),
            ram: vec![Fp16(0); table_words(array) * word],
            dout: vec![Fp16(0); word],
            acc: vec![0; m_rows * stride],
            rowsum: vec![0; m_rows],
        }
    }
}

impl Datapath for FpPath {
    fn precompute(&mut self, addr: usize, beat: &[i64]) -> u64 {
        let g = self.array.group as usize;
        let tables = &mut self.ram[addr * self.word..][..self.word];
        let mut a = [Fp16(0); MAX_GROUP];
        let mut adds = 0;
        for ((acts, table), r) in beat
            .chunks_exact(g)
            .zip(tables.chunks_exact_mut(self.entries))
            .zip(self.rowsum.iter_mut())
        {
            for (x, &v) in a.iter_mut().zip(acts) {
                *x = Fp16(v as u32);
            }
            adds += fill_table(&a[..g], self.array.symmetric, table);
            if self.array.symmetric {
                *r = fp::add(FP32, *r, fp::fp16_to_fp32(table[self.entries - 1].0));
                adds += 1;
            }
        }
        adds
    }
    fn read(&mut self, addr: usize) {
        self.dout
            .copy_from_slice(&self.ram[addr * self.word..][..self.word]);
    }
    fn lookup_accumulate(&mut self, widx: &[u8], plane: u32, negative: bool) {
        let mut terms = [0u32; 256];
        for (table, row) in self
            .dout
            .chunks_exact(self.entries)
            .zip(self.acc.chunks_exact_mut(self.stride))
        {
            for (t, &(e, mirrored)) in terms.iter_mut().zip(&self.mirrors) {
                let v = table[e].0;
                let v = if mirrored ^ negative {
                    fp::neg(FP16, v)
                } else {
                    v
                };
                *t = fp::scale_pow2(FP32, fp::fp16_to_fp32(v), plane);
            }
            for (a, &w) in row.iter_mut().zip(widx) {
                *a = fp::add(FP32, *a, terms[usize::from(w)]);
            }
        }
    }
    fn drain(&self, row: usize, out: &mut [i64]) {
        let sum = self.rowsum[row];
        let accs = &self.acc[row * self.stride..][..out.len()];
        for (r, &x) in out.iter_mut().zip(accs) {
            let v = if self.array.symmetric && !self.binary {
                fp::halve(FP32, fp::add(FP32, x, fp::neg(FP32, sum)))
            } else {
                x
            };
            *r = i64::from(v as i32);
        }
    }
}

/// Table-buffer words: `BANKS * G`.
fn table_words(array: &LutArray) -> usize {
    let banks = match array.precompute {
        Precompute::Fused => 2,
        Precompute::Standalone => 1,
    };
    banks * array.groups_per_pass() as usize
}

/// The clock loop: the tile controller, lookup controller and drain of the specification,
/// around the datapath `dp`.
fn control<D: Datapath>(array: &LutArray, s: &TileStreams, dp: &mut D) -> SteppedRun {
    let g = array.group as usize;
    let m_rows = array.tile_m as usize;
    let n_cols = array.tile_n as usize;
    let stride = TileStreams::stride(array);
    let entries = array.table_entries() as usize;
    let groups = u64::from(array.groups_per_pass());
    let banks: u64 = match array.precompute {
        Precompute::Fused => 2,
        Precompute::Standalone => 1,
    };
    let chunks = s.k_chunks;
    let bits = s.weight_bits;
    let word = m_rows * entries;
    let act_beat = m_rows * g;
    let n_act = (chunks * groups) as usize;
    let n_wgt = n_act * bits as usize;
    assert_eq!(s.act.len(), n_act * act_beat, "act stream length");
    assert_eq!(s.wgt.len(), n_wgt * stride, "wgt stream length");
    let mn = (m_rows * n_cols) as u64;
    let corrected = array.symmetric && !s.binary;

    // Registers, as after the `cmd` transfer of cycle 0.
    let mut busy = true;
    let (mut pc_chunk, mut pc_group) = (0u64, 0u64);
    let (mut lu_chunk, mut lu_group, mut lu_plane) = (0u64, 0u64, 0u32);
    let mut sl_valid = false;
    let mut sl_plane = 0u32;
    let mut sl_msb = false;
    // The lookup stage's registered weight beat, held as its position in the `wgt` stream.
    let mut sl_beat = 0usize;
    let mut dr_row = 0usize;
    let mut results = vec![0i64; m_rows * n_cols];
    let mut events = TileCost::default();
    let mut act_cycles = Vec::with_capacity(n_act);
    let mut wgt_cycles = Vec::with_capacity(n_wgt);
    let mut res_cycles = Vec::with_capacity(m_rows);
    let (mut act_i, mut wgt_i) = (0usize, 0usize);
    let mut cycle = 0u64;

    while busy {
        cycle += 1;
        // Combinational signals of this cycle, from the registers.
        let act_ready = pc_chunk < chunks && pc_chunk - lu_chunk < banks;
        let wgt_ready = lu_chunk < chunks && pc_chunk > lu_chunk;
        let res_valid = lu_chunk == chunks && !sl_valid;

        // Lookup-accumulate stage (reads `dout` and the stage registers before they update).
        if sl_valid {
            let widx = &s.wgt[sl_beat * stride..][..stride];
            dp.lookup_accumulate(widx, sl_plane, sl_msb);
            events.table_reads += mn;
            events.accumulate_adds += mn;
        }

        // Drain.
        if res_valid {
            res_cycles.push(cycle);
            dp.drain(dr_row, &mut results[dr_row * n_cols..][..n_cols]);
            if corrected {
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
            dp.read((bank * groups + lu_group) as usize);
            sl_valid = true;
            sl_plane = lu_plane;
            sl_msb = lu_plane + 1 == bits && !s.binary;
            sl_beat = wgt_i;
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
            let beat = &s.act[act_i * act_beat..][..act_beat];
            act_i += 1;
            let bank = if banks == 2 { pc_chunk & 1 } else { 0 };
            events.precompute_adds += dp.precompute((bank * groups + pc_group) as usize, beat);
            events.table_entries_written += word as u64;
            events.activations_read += act_beat as u64;
            if pc_group + 1 == groups {
                pc_group = 0;
                pc_chunk += 1;
            } else {
                pc_group += 1;
            }
        }
    }
    events.precompute_cycles = count_precompute_only(&act_cycles, &wgt_cycles);
    events.cycles = cycle + 1;
    SteppedRun {
        results,
        cycles: cycle + 1,
        events,
        act_cycles,
        wgt_cycles,
        res_cycles,
    }
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

/// x86-64 vector kernels, chosen at run time by CPU feature detection; each has a portable
/// twin above that tests compare it with.
mod x86 {
    use super::{LutArray, TileInput, Word};

    /// Whether the AVX2 lookup kernel applies to words `W` and `indices` lookup indices.
    pub(super) fn avx2_applies<W: Word>(indices: usize) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            W::VECTOR && indices <= 16 && std::arch::is_x86_feature_detected!("avx2")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = indices;
            false
        }
    }

    #[cfg(target_arch = "x86_64")]
    pub(super) use imp::*;

    #[cfg(target_arch = "x86_64")]
    mod imp {
        use super::super::{pack_weights_portable, Lookups};
        use super::{LutArray, TileInput};
        use std::arch::x86_64::*;

        /// [`super::super::pack_weights_portable`] compiled for AVX2.
        ///
        /// # Safety
        ///
        /// The CPU must support AVX2.
        #[target_feature(enable = "avx2")]
        pub(in super::super) unsafe fn pack_weights_avx2(
            array: &LutArray,
            input: &TileInput,
            wgt: &mut [u8],
        ) -> bool {
            pack_weights_portable(array, input, wgt)
        }

        /// Lanes of `a` where bit 3 of `ix` is clear, lanes of `b` where it is set.
        #[inline(always)]
        unsafe fn by_bit3(a: __m256i, b: __m256i, ix: __m256i) -> __m256i {
            _mm256_castps_si256(_mm256_blendv_ps(
                _mm256_castsi256_ps(a),
                _mm256_castsi256_ps(b),
                _mm256_castsi256_ps(_mm256_slli_epi32::<28>(ix)),
            ))
        }

        /// The lookup-accumulate array with `i32` registers: each row's (at most 16) signed,
        /// shifted lookup results sit in two vector registers, and a permute pair per 8 columns
        /// performs their lookups.
        ///
        /// # Safety
        ///
        /// The CPU must support AVX2. The shapes are checked: `l.mirrors.len() <= 16`,
        /// `l.entries` 1, 2, 4, 8 or 16, `dout.len() == rows * l.entries`,
        /// `acc.len() == rows * l.stride`, `widx.len() == l.stride`, `l.stride % 16 == 0`.
        #[target_feature(enable = "avx2")]
        pub(in super::super) unsafe fn lookup_accumulate_avx2(
            l: &Lookups,
            dout: &[i32],
            acc: &mut [i32],
            widx: &[u8],
            plane: u32,
            msb: bool,
        ) {
            let rows = dout.len() / l.entries;
            assert!(
                l.mirrors.len() <= 16
                    && l.entries.is_power_of_two()
                    && l.entries <= 16
                    && dout.len() == rows * l.entries
                    && acc.len() == rows * l.stride
                    && widx.len() == l.stride
                    && l.stride % 16 == 0
            );
            let two_words = l.entries > 8;
            let wide = l.mirrors.len() > 8;
            // SAFETY: every pointer below is read or written within the slice it comes from:
            // 8-lane loads of 16-lane arrays at 0 and 8; masked table loads only of lanes
            // `< l.entries` (the upper half only when `l.entries == 16`); 16 index bytes and
            // 16 accumulators per `chunks_exact(16)` chunk.
            unsafe {
                let order_lo = _mm256_loadu_si256(l.order.as_ptr().cast());
                let order_hi = _mm256_loadu_si256(l.order[8..].as_ptr().cast());
                let neg = &l.negate[usize::from(msb)];
                let neg_lo = _mm256_loadu_si256(neg.as_ptr().cast());
                let neg_hi = _mm256_loadu_si256(neg[8..].as_ptr().cast());
                let lanes_lo = _mm256_loadu_si256(l.entry_lanes.as_ptr().cast());
                let lanes_hi = _mm256_loadu_si256(l.entry_lanes[8..].as_ptr().cast());
                let shift = _mm_cvtsi32_si128(plane as i32);
                for (table, row) in dout
                    .chunks_exact(l.entries)
                    .zip(acc.chunks_exact_mut(l.stride))
                {
                    let t0 = _mm256_maskload_epi32(table.as_ptr(), lanes_lo);
                    let t1 = if two_words {
                        _mm256_maskload_epi32(table[8..].as_ptr(), lanes_hi)
                    } else {
                        t0
                    };
                    // Lookup results for indices 0..8 and 8..16: entry, shift, sign.
                    let expand = |order: __m256i, neg: __m256i| {
                        let mut v = _mm256_permutevar8x32_epi32(t0, order);
                        if two_words {
                            v = by_bit3(v, _mm256_permutevar8x32_epi32(t1, order), order);
                        }
                        let v = _mm256_sll_epi32(v, shift);
                        _mm256_sub_epi32(_mm256_xor_si256(v, neg), neg)
                    };
                    let lo = expand(order_lo, neg_lo);
                    let hi = if wide { expand(order_hi, neg_hi) } else { lo };
                    for (a, w) in row.chunks_exact_mut(16).zip(widx.chunks_exact(16)) {
                        let bytes = _mm_loadu_si128(w.as_ptr().cast());
                        for (half, bytes) in
                            [bytes, _mm_srli_si128::<8>(bytes)].into_iter().enumerate()
                        {
                            let ix = _mm256_cvtepu8_epi32(bytes);
                            let mut v = _mm256_permutevar8x32_epi32(lo, ix);
                            if wide {
                                v = by_bit3(v, _mm256_permutevar8x32_epi32(hi, ix), ix);
                            }
                            let p = a[half * 8..].as_mut_ptr().cast::<__m256i>();
                            _mm256_storeu_si256(p, _mm256_add_epi32(_mm256_loadu_si256(p), v));
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lut_tensor_core::ActMode;

    fn splitmix(state: &mut u64) -> u64 {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn signed(state: &mut u64, bits: u32) -> i64 {
        (splitmix(state) % (1 << bits)) as i64 - (1i64 << (bits - 1))
    }

    /// Random legal tiles over the shapes the kernels special-case (`tile_n` around the
    /// column alignment, `g` up to 6, both table kinds and precompute schedules).
    fn cases() -> Vec<(LutArray, TileInput)> {
        let mut state = 7;
        (0..300)
            .map(|_| {
                let group = 1 + (splitmix(&mut state) % 6) as u32;
                let mut array = LutArray {
                    tile_m: 1 + (splitmix(&mut state) % 4) as u32,
                    tile_n: 1 + (splitmix(&mut state) % 40) as u32,
                    tile_k: group * (1 + (splitmix(&mut state) % 4) as u32),
                    group,
                    symmetric: group >= 2 && splitmix(&mut state) % 2 == 0,
                    max_weight_bits: 1 + (splitmix(&mut state) % 8) as u32,
                    act_bits: 2 + (splitmix(&mut state) % 15) as u32,
                    acc_bits: 0,
                    precompute: if splitmix(&mut state) % 2 == 0 {
                        Precompute::Fused
                    } else {
                        Precompute::Standalone
                    },
                    act_format: ActMode::Int,
                };
                array.acc_bits = array.min_acc_bits().clamp(8, 64);
                let weight_bits =
                    1 + (splitmix(&mut state) % u64::from(array.max_weight_bits)) as u32;
                let k_chunks = 1 + splitmix(&mut state) % 3;
                let k = k_chunks as usize * array.tile_k as usize;
                let activations = (0..array.tile_m as usize * k)
                    .map(|_| signed(&mut state, array.act_bits))
                    .collect();
                let weights = (0..k * array.tile_n as usize)
                    .map(|_| signed(&mut state, weight_bits))
                    .collect();
                let input = TileInput {
                    weight_bits,
                    k_chunks,
                    activations,
                    weights,
                    binary: false,
                    act_fp: false,
                };
                (array, input)
            })
            .collect()
    }

    #[test]
    fn every_word_and_kernel_steps_alike() {
        for (array, input) in cases() {
            let s = TileStreams::new(&array, &input).unwrap();
            let wide = step::<i128>(&array, &s, false);
            assert_eq!(step::<i64>(&array, &s, true), wide, "{array:?}");
            if register_bits(&array, input.weight_bits, input.k_chunks) <= 30 {
                assert_eq!(step::<i32>(&array, &s, true), wide, "{array:?}");
                assert_eq!(step::<i32>(&array, &s, false), wide, "{array:?}");
            }
        }
    }

    #[test]
    fn packed_weights_match_the_weight_beats() {
        for (array, input) in cases() {
            let s = TileStreams::new(&array, &input).unwrap();
            let mut portable = vec![0u8; s.wgt.len()];
            assert!(!pack_weights_portable(&array, &input, &mut portable));
            assert_eq!(portable, s.wgt);
            let stride = TileStreams::stride(&array);
            let g = array.group as usize;
            for (beat, packed) in weight_beats(&array, &input)
                .iter()
                .zip(s.wgt.chunks_exact(stride))
            {
                for (n, bits) in beat.chunks(g).enumerate() {
                    let idx = bits
                        .iter()
                        .enumerate()
                        .fold(0u8, |w, (i, b)| w | (u8::from(*b) << i));
                    assert_eq!(packed[n], idx);
                }
                assert!(packed[array.tile_n as usize..].iter().all(|&b| b == 0));
            }
            let flat: Vec<i64> = activation_beats(&array, &input).concat();
            assert_eq!(flat, s.act);
        }
    }

    #[test]
    fn out_of_range_weight_is_reported_at_its_index() {
        let (array, mut input) = cases().swap_remove(0);
        let last = input.weights.len() - 1;
        input.weights[last] = 1 << input.weight_bits;
        assert_eq!(
            TileStreams::new(&array, &input),
            Err(TileError::Operand(OperandError::Range {
                what: "weights",
                index: last,
                value: 1 << input.weight_bits,
                bits: input.weight_bits,
            }))
        );
    }

    #[test]
    fn validated_arrays_fit_i64() {
        // The widest validated tile: C = 65535, tile_k = 4096, 16-bit activations and weights.
        let array = LutArray {
            tile_m: 1,
            tile_n: 1,
            tile_k: 4096,
            group: 4,
            symmetric: true,
            max_weight_bits: 16,
            act_bits: 16,
            acc_bits: 64,
            precompute: Precompute::Fused,
            act_format: ActMode::Int,
        };
        assert_eq!(register_bits(&array, 16, 65535), 59);
    }
}
