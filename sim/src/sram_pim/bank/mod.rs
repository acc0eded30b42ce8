//! The SRAM-PIM LUT-GEMV bank: one compute-capable SRAM subarray (a behavioural macro of `rows x
//! columns` bit cells) and the digital periphery beside it that builds activation tables and
//! looks weight bits up in them, after SAIL (arXiv 2509.25853; only its abstract is public, so
//! this is a plausible design, not SAIL's): LUT-GEMV with tables built once per activation group
//! and reused across the output rows and the batch, a pattern-aware table build that skips
//! repeated activation patterns, in-memory type conversion of the results, any weight width.
//!
//! This module doc is the specification. [`stepped`] steps its registers one clock at a time
//! with real values; [`fast`] states its cycle count in closed form. Neither calls the other:
//! `sim/tests/sram_pim_bank.rs` holds the stepped values equal to the integer GEMM modulo
//! `2^acc_bits` and the fast cycles equal to the stepped cycles; the generator
//! `rtl/src/sram_pim/` implements it register for register and `testbench/src/sram_pim.rs`
//! co-simulates the two (`testbench/tests/sram_pim_cosim.rs`). [`pattern`] measures the
//! pattern-aware saving on activation tensors; [`area`] estimates the periphery's area against
//! the macro's.
//!
//! # Parameters ([`BankSpec`])
//!
//! - **Macro**: `rows` word lines of `columns` bit cells. A column multiplexer of `column_mux`
//!   ways puts `W = columns / column_mux` sense amplifiers under the columns: one access reads
//!   or writes one **word** of `W` bits, word `a` at row `a / column_mux`, columns
//!   `[(a % column_mux) * W +: W]`. The macro holds `rows * column_mux` words. A read takes
//!   `row_cycles` cycles (word-line activation, sensing and the column multiplexer); a write (the
//!   weight load) one cycle per word.
//! - **Periphery**: activation groups of `g = group` activations; `L = W / g` lookup/accumulate
//!   units (**lanes**), one per column group of `g` columns; `max_batch` table slots, each a
//!   table of `2^g` entries of `entry_bits = 8 + ceil(log2 g)` bits (every entry of a group of
//!   INT8 activations, `|T| <= 128 g`, fits exactly); `build_adds_per_cycle` table-build adders;
//!   a lookup/accumulate takes `lookup_cycles` cycles per token (bit-serial periphery); the
//!   accumulators, `max_batch x max_tiles` words of `L` lanes of `acc_bits`, wrap (two's
//!   complement).
//! - `converters`: conversion units shared by the lanes; a converted result beat takes `slices
//!   = ceil(L / C)` cycles with `C = min(converters, L)` (slice `s` converts lanes `s*C ..`).
//! - `pattern_aware`: whether the pattern-aware build skip ("Pattern-aware table build") is on.
//!
//! # Job ([`BankJob`], [`Conversion`])
//!
//! `batch` tokens (`1..=max_batch`), `n` outputs, reduction `k`, weights of `weight_bits`
//! (`1..=8`) bits, **two's complement** (`-2^(b-1) ..= 2^(b-1) - 1`; the top plane has weight
//! `-2^(b-1)`, as `lutforge_models::numerics::bitplane` defines; a 1-bit weight is `{-1, 0}`).
//! Activations `batch x k` INT8 row-major; weights `k x n` row-major (as `numerics::int_gemm`
//! takes them). `groups = ceil(k / g)` activation groups (activations past `k` are zero),
//! `tiles = ceil(n / L)` output tiles (`1..=max_tiles`; outputs past `n` have zero weights).
//! The job must fit the macro: `groups * tiles * weight_bits <= rows * column_mux` words.
//!
//! **Weight layout** (bit-plane-wise, bit-serial): word `a = (j * tiles + u) * weight_bits + p`
//! holds plane `p` of activation group `j` of output tile `u`: bit `l * g + i` is bit `p` of
//! the weight `w[j*g + i][u*L + l]` (0 past `k` or `n`). So the `g` bits of lane `l` are the
//! index of output `u*L + l` into group `j`'s table, for plane `p`.
//!
//! **Conversion** (in-memory type conversion, optional per job): with `Conversion { scale,
//! shift }` (`scale` 16-bit two's complement, `shift` in `0..=acc_bits + 15`) each accumulator
//! `x` (sign-extended from `acc_bits`) leaves the bank as the INT8 value ([`requantize`])
//!
//! ```text
//! y = clamp((x * scale + (shift > 0 ? 2^(shift-1) : 0)) >> shift, -128, 127)   arithmetic >>
//! ```
//!
//! (round half up, saturate: the dequantize-requantize to the next layer's INT8 activations,
//! integer only); without it the raw `acc_bits` accumulator leaves.
//!
//! # Dataflow
//!
//! ```text
//! load:  words 0 .. groups*tiles*weight_bits, in address order, one per cycle
//! for j in 0..groups                                  activation group
//!   for t in 0..batch                                 check, then build (or skip) table slot t
//!     check: read token t's g activations of group j (one act beat), compare the pattern
//!     build: 2^g - 1 entries (entry 0 is 0), build_adds_per_cycle per cycle
//!   for u in 0..tiles                                 output tile
//!     for p in 0..weight_bits                         bit plane
//!       read word (j, u, p): row_cycles               the weight row, read ONCE
//!       for t in 0..batch                             and used for every token's table
//!         lookup/accumulate, lookup_cycles: for every lane l,
//!           acc[t][u][l] += c_p * (T_t[idx_l] << p)   c_p = -1 on the top plane, else +1
//! drain: for t in 0..batch, for u in 0..tiles: one res beat of L lanes
//! ```
//!
//! What is reused: a table (slot `t`, group `j`) is built once and read by every output tile
//! and every plane (`tiles * weight_bits` word reads, `L` lanes each); a weight word is read
//! once and used by all `batch` tokens. The second reuse is what makes batching pay: the
//! `row_cycles` of a word read are shared by the batch, so the cycles per token fall as the
//! batch grows, towards `groups * (1 + build) + groups * tiles * weight_bits * lookup_cycles`
//! (tables are per token, so their build does not amortize over the batch; it amortizes over
//! the output rows, `n`).
//!
//! # Pattern-aware table build
//!
//! Slot `t` keeps a **tag**: the `g` activations its table was last built from (invalid at
//! the start of a job), and a **zero** flag. At the check of `(j, t)` with pattern `a` (the `g`
//! activations, zeros past `k`), with `pattern_aware`:
//!
//! - `a` all zero: the zero flag is set and nothing is built; group `j`'s lookups of token `t`
//!   add 0 (the table slot keeps its contents and its tag);
//! - else `a` equal to the valid tag: the zero flag clears, nothing is built (the slot already
//!   holds `a`'s table: equal to the previous group's pattern, or to the last built one);
//! - else: the zero flag clears, the slot is built from `a` and its tag becomes `a`.
//!
//! Without `pattern_aware` every check builds (an all-zero pattern builds an all-zero table).
//! A skipped build saves `windows = ceil((2^g - 1) / build_adds_per_cycle)` cycles. The saving
//! depends on the activations and is measured, never assumed: the stepped model counts the
//! skips its registers make; [`pattern::pattern_stats`] counts them from the activations by
//! the same rule (the fast model takes those counts as its input), and
//! [`pattern::measure_saving`] states the share of cycles saved.
//!
//! # Table build
//!
//! Entry `e` of the table of pattern `a` is `T[e] = sum_(i < g) bit_i(e) * a_i` (the plain
//! table of `lutforge_models::numerics::table`). Build cycle `w` (`0..windows`) writes entries
//! `1 + w * E + s`, `s < E = build_adds_per_cycle` (those below `2^g`), each by one adder of
//! the masked activations.
//!
//! # Streams (AXI-Stream style)
//!
//! `<s>_valid`, `<s>_ready`, `<s>_data`; a beat transfers on a rising edge where both are high;
//! no `valid` depends on a `ready`. Lanes little-end first, lane `i` at `[i*w +: w]`. `clk`;
//! `rst` synchronous, active high.
//!
//! - `cmd`: `cmd_batch` (`1..=max_batch`), `cmd_tiles` (`1..=max_tiles`), `cmd_groups`
//!   (`1..=rows * column_mux`), `cmd_weight_bits` (`1..=8`), `cmd_convert` (1 bit),
//!   `cmd_scale` (16 bits), `cmd_shift` ([`BankSpec::shift_bits`] bits). `cmd_ready` is high
//!   while the bank is idle.
//! - `wld`: `groups * tiles * weight_bits` beats of `W` bits, the words in address order.
//! - `act`: `groups * batch` beats of `g` INT8 lanes, group-major: beat `j * batch + t` is
//!   token `t`'s activations `j*g .. j*g + g` (zero past `k`).
//! - `res`: `batch * tiles` beats of `L` lanes of `acc_bits` bits, token-major: beat `t *
//!   tiles + u`, lane `l` is output `(t, u*L + l)`: the accumulator, or its conversion
//!   sign-extended to `acc_bits`.
//!
//! # Registers and timing
//!
//! A state (`IDLE`, `LOAD`, `CHECK`, `BUILD`, `READ`, `LOOK`, `DRAIN`), the latched command,
//! counters `j`, `t`, `u`, `p`, the load address, the build window, the read and lookup cycle
//! counters, the sense-amplifier word register, the slots' tags, valid and zero flags, tables
//! and the accumulators. Cycle 0 is the `cmd` transfer (in `IDLE`). With every source valid and
//! `res_ready` high:
//!
//! - `LOAD`: one `wld` beat per cycle, written to the next word; after the last, `CHECK`.
//! - `CHECK`: one `act` beat per cycle, the rule above; a build goes to `BUILD` (window 0),
//!   a skip to the next token's `CHECK`, or after the last token to `READ` (`u = p = 0`).
//! - `BUILD`: one window per cycle; after the last, as a skip.
//! - `READ`: `row_cycles` cycles; the last latches word `(j, u, p)` and goes to `LOOK` (`t =
//!   0`).
//! - `LOOK`: `lookup_cycles` cycles per token; the last adds the token's lookups to its
//!   accumulators (starting from 0 at `j = 0`, `p = 0`), then the next token, or the next
//!   `(u, p)`'s `READ` (`p` fastest), or the next group's `CHECK`, or `DRAIN`.
//! - `CONV` (converted jobs only): before each result beat, `slices` cycles; slice `s`'s
//!   converters write lanes `s*C ..` of beat `(t, u)` into the INT8 result register, then
//!   `DRAIN`.
//! - `DRAIN`: one `res` beat (the result register, or the raw accumulators read directly);
//!   after its transfer the next beat's `CONV` (or `DRAIN`), after the last `IDLE`, which
//!   takes the next `cmd` in the following cycle (jobs back to back add their counts).
//!
//! ```text
//! cycles = 1 + words + groups * batch + built * windows
//!        + groups * tiles * weight_bits * (row_cycles + batch * lookup_cycles)
//!        + batch * tiles * (1 + [converted] * slices)
//! ```
//!
//! from the `cmd` transfer through the last `res` transfer inclusive, with `words = groups *
//! tiles * weight_bits` and `built` the builds the pattern rule did not skip (`groups * batch`
//! without `pattern_aware`). Stalls on any stream add cycles and change no value.

pub mod area;
pub mod fast;
pub mod pattern;
pub mod stepped;

use lutforge_models::Limit;
use thiserror::Error;

/// Widest weight the bank takes, bits (`lutforge_models::numerics::MAX_WEIGHT_BITS`).
pub const MAX_WEIGHT_BITS: u32 = lutforge_models::numerics::MAX_WEIGHT_BITS;

/// Width of the conversion's `scale`, bits (two's complement).
pub const SCALE_BITS: u32 = 16;

/// Width of a converted result, bits (INT8).
pub const OUT_BITS: u32 = 8;

/// Width of an activation, bits (INT8).
pub const ACT_BITS: u32 = 8;

/// `ceil(log2(x))` for `x >= 1` (0 for 1).
pub fn ceil_log2(x: u64) -> u32 {
    if x <= 1 {
        0
    } else {
        64 - (x - 1).leading_zeros()
    }
}

/// Bits of a counter that holds `0..=max`.
pub fn count_bits(max: u64) -> u32 {
    (64 - max.leading_zeros()).max(1)
}

/// The bank's parameters (module documentation). Check with [`BankSpec::validate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BankSpec {
    /// Word lines of the subarray, a power of two, 2..=4096.
    pub rows: u32,
    /// Bit cells per word line, 8..=2048.
    pub columns: u32,
    /// Columns per sense amplifier (column-multiplexer ways), a power of two, 1..=16.
    pub column_mux: u32,
    /// Activations per table group, `g`, 1..=8 (a table of `2^g` entries).
    pub group: u32,
    /// Cycles of one word read (activation, sensing, column mux), 1..=64.
    pub row_cycles: u32,
    /// Cycles of one lookup/accumulate per token, 1..=64.
    pub lookup_cycles: u32,
    /// Table entries built per cycle (adders), 1..=255.
    pub build_adds_per_cycle: u32,
    /// Accumulator width, bits, 12..=48; wraps.
    pub acc_bits: u32,
    /// Table slots (tokens per job), a power of two, 1..=32.
    pub max_batch: u32,
    /// Output tiles of `L` outputs per job (accumulator words per token), a power of two,
    /// 1..=256.
    pub max_tiles: u32,
    /// Conversion units shared by the lanes, 1..=2048 (at most `L` are used).
    pub converters: u32,
    /// Whether repeated or all-zero activation patterns skip their table build.
    pub pattern_aware: bool,
}

impl BankSpec {
    /// A small legal bank: 64 x 32 cells, 2-way column mux (16-bit words, 4 lanes of g = 4),
    /// 4 table slots, 2 tiles, 3 build adders, pattern-aware builds. The RTL goldens, the
    /// testbench's unit tests and its co-simulation share it.
    pub const SMALL: BankSpec = BankSpec {
        rows: 64,
        columns: 32,
        column_mux: 2,
        group: 4,
        row_cycles: 2,
        lookup_cycles: 1,
        build_adds_per_cycle: 3,
        acc_bits: 20,
        max_batch: 4,
        max_tiles: 2,
        converters: 3,
        pattern_aware: true,
    };

    /// Range of every numeric field.
    pub const LIMITS: &'static [(&'static str, Limit)] = &[
        ("rows", Limit::new(2.0, 4096.0, "rows", "")),
        ("columns", Limit::new(8.0, 2048.0, "columns", "")),
        ("column_mux", Limit::new(1.0, 16.0, "ways", "")),
        (
            "group",
            Limit::new(1.0, 8.0, "activations", "a table holds 2^group entries"),
        ),
        ("row_cycles", Limit::new(1.0, 64.0, "cycles", "")),
        ("lookup_cycles", Limit::new(1.0, 64.0, "cycles", "")),
        (
            "build_adds_per_cycle",
            Limit::new(1.0, 255.0, "entries per cycle", ""),
        ),
        (
            "acc_bits",
            Limit::new(
                12.0,
                48.0,
                "bits",
                "a table entry of 8 INT8 activations takes 11 bits",
            ),
        ),
        ("max_batch", Limit::new(1.0, 32.0, "tokens", "")),
        ("max_tiles", Limit::new(1.0, 256.0, "tiles", "")),
        ("converters", Limit::new(1.0, 2048.0, "converters", "")),
    ];

    /// Fields that must be powers of two (they index memories by concatenated addresses).
    const POWERS_OF_TWO: [&'static str; 4] = ["rows", "column_mux", "max_batch", "max_tiles"];

    /// Each field with its value, in [`BankSpec::LIMITS`] order.
    fn fields(&self) -> [(&'static str, u32); 11] {
        [
            ("rows", self.rows),
            ("columns", self.columns),
            ("column_mux", self.column_mux),
            ("group", self.group),
            ("row_cycles", self.row_cycles),
            ("lookup_cycles", self.lookup_cycles),
            ("build_adds_per_cycle", self.build_adds_per_cycle),
            ("acc_bits", self.acc_bits),
            ("max_batch", self.max_batch),
            ("max_tiles", self.max_tiles),
            ("converters", self.converters),
        ]
    }

    /// Checks every field against [`BankSpec::LIMITS`], the powers of two, and that a word
    /// (`columns / column_mux` bits) splits into whole groups; the error names the first bad
    /// field and its value.
    pub fn validate(&self) -> Result<(), BankError> {
        for ((field, value), (_, limit)) in self.fields().into_iter().zip(Self::LIMITS) {
            limit
                .check_u64(u64::from(value))
                .map_err(|message| BankError::Field {
                    field,
                    value: u64::from(value),
                    message,
                })?;
            if Self::POWERS_OF_TWO.contains(&field) && !value.is_power_of_two() {
                return Err(BankError::PowerOfTwo {
                    field,
                    value: u64::from(value),
                });
            }
        }
        if self.columns % self.column_mux != 0 || (self.columns / self.column_mux) % self.group != 0
        {
            return Err(BankError::WordSplit {
                columns: self.columns,
                column_mux: self.column_mux,
                group: self.group,
            });
        }
        Ok(())
    }

    /// Bits of one word (sense amplifiers), `W = columns / column_mux`.
    pub fn word_bits(&self) -> u32 {
        self.columns / self.column_mux
    }

    /// Lookup/accumulate lanes (outputs per tile), `L = W / g`.
    pub fn lanes(&self) -> u32 {
        self.word_bits() / self.group
    }

    /// Words the macro holds, `rows * column_mux`.
    pub fn words(&self) -> u64 {
        u64::from(self.rows) * u64::from(self.column_mux)
    }

    /// Bit cells of the macro, `rows * columns`.
    pub fn bit_cells(&self) -> u64 {
        u64::from(self.rows) * u64::from(self.columns)
    }

    /// Entries per table, `2^g`.
    pub fn table_entries(&self) -> u32 {
        1 << self.group
    }

    /// Width of a table entry, `8 + ceil(log2 g)` bits: `|T| <= 128 g` fits exactly.
    pub fn entry_bits(&self) -> u32 {
        ACT_BITS + ceil_log2(u64::from(self.group))
    }

    /// Cycles of one table build, `ceil((2^g - 1) / build_adds_per_cycle)`.
    pub fn build_windows(&self) -> u32 {
        (self.table_entries() - 1).div_ceil(self.build_adds_per_cycle)
    }

    /// Converters in use, `C = min(converters, L)`.
    pub fn used_converters(&self) -> u32 {
        self.converters.min(self.lanes())
    }

    /// Cycles that convert one result beat, `ceil(L / C)`.
    pub fn conversion_slices(&self) -> u32 {
        self.lanes().div_ceil(self.used_converters())
    }

    /// Largest conversion shift, `acc_bits + 15`.
    pub fn max_shift(&self) -> u32 {
        self.acc_bits + SCALE_BITS - 1
    }

    /// Width of the `cmd_shift` field, bits.
    pub fn shift_bits(&self) -> u32 {
        count_bits(u64::from(self.max_shift()))
    }

    /// The `cmd` stream's fields and widths, bits, in port order.
    pub fn cmd_fields(&self) -> [(&'static str, u32); 7] {
        [
            ("batch", count_bits(u64::from(self.max_batch))),
            ("tiles", count_bits(u64::from(self.max_tiles))),
            ("groups", count_bits(self.words())),
            ("weight_bits", count_bits(u64::from(MAX_WEIGHT_BITS))),
            ("convert", 1),
            ("scale", SCALE_BITS),
            ("shift", self.shift_bits()),
        ]
    }
}

/// One job's shape (module documentation, "Job").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BankJob {
    /// Tokens, 1..=`max_batch`.
    pub batch: u32,
    /// Outputs, 1..=`max_tiles * L`.
    pub n: u64,
    /// Reduction length, 1..=`rows * column_mux * g`.
    pub k: u64,
    /// Weight width, bits, 1..=8, two's complement.
    pub weight_bits: u32,
}

impl BankJob {
    /// Activation groups, `ceil(k / g)`.
    pub fn groups(&self, spec: &BankSpec) -> u64 {
        self.k.div_ceil(u64::from(spec.group))
    }

    /// Output tiles, `ceil(n / L)`.
    pub fn tiles(&self, spec: &BankSpec) -> u64 {
        self.n.div_ceil(u64::from(spec.lanes()))
    }

    /// Words of weights the job loads, `groups * tiles * weight_bits`.
    pub fn words(&self, spec: &BankSpec) -> u64 {
        self.groups(spec) * self.tiles(spec) * u64::from(self.weight_bits)
    }

    /// Checks the job against `spec` (which must be valid): every field's range and the
    /// macro's capacity.
    pub fn validate(&self, spec: &BankSpec) -> Result<(), BankError> {
        let lanes = u64::from(spec.lanes());
        let checks = [
            (
                "batch",
                u64::from(self.batch),
                Limit::new(1.0, f64::from(spec.max_batch), "tokens", "the table slots"),
            ),
            (
                "n",
                self.n,
                Limit::new(
                    1.0,
                    (u64::from(spec.max_tiles) * lanes) as f64,
                    "outputs",
                    "max_tiles x lanes",
                ),
            ),
            (
                "k",
                self.k,
                Limit::new(
                    1.0,
                    (spec.words() * u64::from(spec.group)) as f64,
                    "activations",
                    "one word per group and plane",
                ),
            ),
            (
                "weight_bits",
                u64::from(self.weight_bits),
                Limit::new(1.0, f64::from(MAX_WEIGHT_BITS), "bits", ""),
            ),
        ];
        for (field, value, limit) in checks {
            limit.check_u64(value).map_err(|message| BankError::Field {
                field,
                value,
                message,
            })?;
        }
        let needed = self.words(spec);
        if needed > spec.words() {
            return Err(BankError::Capacity {
                needed,
                words: spec.words(),
            });
        }
        Ok(())
    }
}

/// The in-memory type conversion of a job's results (module documentation, "Conversion").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Conversion {
    /// Multiplier, 16-bit two's complement.
    pub scale: i32,
    /// Right shift, `0..=acc_bits + 15`.
    pub shift: u32,
}

impl Conversion {
    /// Checks the fields against `spec`.
    pub fn validate(&self, spec: &BankSpec) -> Result<(), BankError> {
        let half = 1i64 << (SCALE_BITS - 1);
        if !(-half..half).contains(&i64::from(self.scale)) {
            return Err(BankError::Field {
                field: "scale",
                value: self.scale as u64,
                message: format!("must be between {} and {}", -half, half - 1),
            });
        }
        Limit::new(0.0, f64::from(spec.max_shift()), "bits", "acc_bits + 15")
            .check_u64(u64::from(self.shift))
            .map_err(|message| BankError::Field {
                field: "shift",
                value: u64::from(self.shift),
                message,
            })?;
        Ok(())
    }
}

/// `clamp((x * scale + (shift > 0 ? 2^(shift-1) : 0)) >> shift, -128, 127)` with an arithmetic
/// shift (round half up, saturate): the bank's conversion of an accumulator `x`.
pub fn requantize(x: i64, scale: i32, shift: u32) -> i64 {
    let p = i128::from(x) * i128::from(scale);
    let rounded = if shift > 0 {
        p + (1i128 << (shift - 1))
    } else {
        p
    };
    (rounded >> shift).clamp(-128, 127) as i64
}

/// `value` wrapped to `bits`-bit two's complement and sign-extended.
pub fn wrap(value: i64, bits: u32) -> i64 {
    let shift = 64 - bits;
    (value << shift) >> shift
}

/// A spec, job or operand the bank does not accept.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BankError {
    /// A field outside its range.
    #[error("sram_pim bank field `{field}`: {message} (got {value})")]
    Field {
        /// The field.
        field: &'static str,
        /// Its value.
        value: u64,
        /// The legal range.
        message: String,
    },
    /// A field that must be a power of two.
    #[error("sram_pim bank field `{field}`: must be a power of two (got {value})")]
    PowerOfTwo {
        /// The field.
        field: &'static str,
        /// Its value.
        value: u64,
    },
    /// A word that does not split into whole column groups.
    #[error(
        "sram_pim bank field `columns`: {columns} columns / {column_mux} ways must be a \
         whole number of words of whole groups of {group} bits"
    )]
    WordSplit {
        /// Columns.
        columns: u32,
        /// Column-multiplexer ways.
        column_mux: u32,
        /// Activations per group.
        group: u32,
    },
    /// A job whose weights do not fit the macro.
    #[error("sram_pim bank job needs {needed} words of weights, the macro holds {words}")]
    Capacity {
        /// Words the job loads.
        needed: u64,
        /// Words the macro holds.
        words: u64,
    },
    /// An operand slice whose length does not match the job.
    #[error("sram_pim bank {what} has {got} values, expected {expected}")]
    Shape {
        /// `activations` or `weights`.
        what: &'static str,
        /// Values supplied.
        got: usize,
        /// Values the job needs.
        expected: usize,
    },
    /// A weight outside the job's two's complement range.
    #[error(
        "sram_pim bank weight {value} at index {index} does not fit {bits}-bit two's complement"
    )]
    Weight {
        /// Position in the weights.
        index: usize,
        /// The value.
        value: i32,
        /// The job's weight width.
        bits: u32,
    },
    /// Pattern statistics that do not belong to the job (wrong check count, or skips on a bank
    /// without the pattern-aware build).
    #[error("sram_pim bank pattern statistics: {message}")]
    Stats {
        /// What does not match.
        message: String,
    },
    /// A count that does not fit 64 bits.
    #[error("sram_pim bank job: the cycle count overflows 64 bits")]
    CycleOverflow,
}

/// The bank the unit tests of this folder share: 256 x 256 cells, 4-way mux, g = 4 (16
/// lanes), 8 slots, 16 tiles.
#[cfg(test)]
pub(crate) fn example_spec() -> BankSpec {
    BankSpec {
        rows: 256,
        columns: 256,
        column_mux: 4,
        group: 4,
        row_cycles: 2,
        lookup_cycles: 1,
        build_adds_per_cycle: 4,
        acc_bits: 32,
        max_batch: 8,
        max_tiles: 16,
        converters: 4,
        pattern_aware: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> BankSpec {
        example_spec()
    }

    #[test]
    fn a_legal_spec_validates_and_derives_its_shape() {
        let s = spec();
        assert_eq!(s.validate(), Ok(()));
        assert_eq!((s.word_bits(), s.lanes(), s.words()), (64, 16, 1024));
        assert_eq!(
            (s.table_entries(), s.entry_bits(), s.build_windows()),
            (16, 10, 4)
        );
        let g8 = BankSpec { group: 8, ..s };
        assert_eq!((g8.entry_bits(), g8.build_windows()), (11, 64));
        let g1 = BankSpec { group: 1, ..s };
        assert_eq!((g1.entry_bits(), g1.build_windows()), (8, 1));
    }

    #[test]
    fn each_bad_field_is_named_with_its_value() {
        let s = spec();
        let cases = [
            (
                BankSpec { rows: 1, ..s },
                "sram_pim bank field `rows`: must be between 2 and 4096 rows (got 1)",
            ),
            (
                BankSpec { rows: 100, ..s },
                "sram_pim bank field `rows`: must be a power of two (got 100)",
            ),
            (
                BankSpec { group: 9, ..s },
                "sram_pim bank field `group`: must be between 1 and 8 activations (got 9)",
            ),
            (
                BankSpec { acc_bits: 11, ..s },
                "sram_pim bank field `acc_bits`: must be between 12 and 48 bits (got 11)",
            ),
            (
                BankSpec { max_batch: 6, ..s },
                "sram_pim bank field `max_batch`: must be a power of two (got 6)",
            ),
            (
                BankSpec { group: 3, ..s },
                "sram_pim bank field `columns`: 256 columns / 4 ways must be a whole number of \
                 words of whole groups of 3 bits",
            ),
        ];
        for (bad, text) in cases {
            assert_eq!(bad.validate().unwrap_err().to_string(), text);
        }
    }

    #[test]
    fn jobs_are_checked_against_the_macro() {
        let s = spec();
        let job = BankJob {
            batch: 8,
            n: 256,
            k: 64,
            weight_bits: 4,
        };
        assert_eq!(job.validate(&s), Ok(()));
        assert_eq!(job.words(&s), 16 * 16 * 4);
        assert_eq!(
            BankJob {
                weight_bits: 5,
                ..job
            }
            .validate(&s)
            .unwrap_err()
            .to_string(),
            "sram_pim bank job needs 1280 words of weights, the macro holds 1024"
        );
        assert_eq!(
            BankJob { batch: 9, ..job }
                .validate(&s)
                .unwrap_err()
                .to_string(),
            "sram_pim bank field `batch`: must be between 1 and 8 tokens (got 9)"
        );
        let c = Conversion {
            scale: 1 << 15,
            shift: 0,
        };
        assert!(c.validate(&s).is_err());
        let c = Conversion {
            scale: -1,
            shift: 48,
        };
        assert_eq!(
            c.validate(&s).unwrap_err().to_string(),
            "sram_pim bank field `shift`: must be between 0 and 47 bits (got 48)"
        );
    }

    #[test]
    fn requantize_rounds_half_up_and_saturates() {
        assert_eq!(requantize(5, 1, 1), 3);
        assert_eq!(requantize(-5, 1, 1), -2);
        assert_eq!(requantize(1000, 1, 0), 127);
        assert_eq!(requantize(-1000, 1, 0), -128);
        assert_eq!(requantize(-(1 << 47), -(1 << 15), 63), 1);
        assert_eq!(wrap(1 << 11, 12), -(1 << 11));
    }
}
