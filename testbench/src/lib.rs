//! Verilator co-simulation harness: builds generated RTL, drives it, compares with the
//! simulator's cycle-stepped model (values and cycles) and fast model (cycles).
//!
//! # How Verilator is driven
//!
//! The `verilated` crate (0.1.2, with its `verilator` 0.1 build crate) was tried first, as asked:
//! against Debian's Verilator 5.006 its C++ shim does not compile (`src/verilated_shim.cpp:127:
//! 'VerilatedVoidCb' was not declared in this scope`; the crate targets Verilator 4's API and
//! file set). lutforge instead generates a small C++ harness ([`harness::harness_cpp`]) that
//! reads tiles as hex lines on stdin and prints every stream transfer on stdout; `verilator
//! --cc --exe --build` compiles it with the RTL. Builds are cached under
//! `target/lutforge-cosim/<RTL hash>-<harness hash>/`, so only the first run of a configuration
//! pays for the build. This works with any Verilator 5 and needs nothing beyond the Debian
//! package and a C++ compiler.
//!
//! # Back-pressure
//!
//! By default the harness keeps every input valid and `res_ready` high, which is what the
//! stepped model assumes, and [`compare`] demands equal values, equal transfer cycles and equal
//! cycle counts. With [`CosimSettings::stalls`] the harness deasserts `cmd_valid`, `act_valid`,
//! `wgt_valid` and `res_ready` on random cycles ([`harness::Stalls`], [`STALL_PERCENT`], seeded
//! per case by [`stall_seed`]) and [`compare_stalled`] demands every result value equal, every
//! beat transferred exactly once, `res` held stable while stalled, and a cycle count no smaller
//! than the stall-free model's.
//!
//! **Architecture invariant:** only this crate and `lutforge-fpga` run external tools.

pub mod cases;
pub mod harness;
pub mod synth;

use std::fmt;
use std::path::PathBuf;
use std::time::Instant;

use lutforge_rtl::lut_tensor_core::Dims;
use lutforge_rtl::{generate_lut, Options};
use lutforge_sim::lut_tensor_core::stepped::{activation_beats, weight_beats, wrap};
use lutforge_sim::lut_tensor_core::LutArray;
use lutforge_sim::lut_tensor_core::{run_tile, tile_cost, SteppedRun, TileInput};
use thiserror::Error;

pub use cases::{Case, CaseKind};
pub use harness::{find_verilator, Harness, RtlRun, Stalls, StreamTile};

/// Probability, in percent, that stall injection deasserts each of `cmd_valid`, `act_valid`,
/// `wgt_valid` and `res_ready` on a cycle.
pub const STALL_PERCENT: u32 = 25;

/// The stall generator seed of case `case` of a run seeded with `seed` (splitmix64 of both), so
/// one case's stall pattern does not depend on which cases ran before it.
pub fn stall_seed(seed: u64, case: usize) -> u64 {
    let mut z = seed
        .wrapping_add((case as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))
        .wrapping_add(0x6a09_e667_f3bc_c909);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Errors of the testbench.
#[derive(Debug, Error)]
pub enum TestbenchError {
    /// A required external tool is not on `PATH`.
    #[error("{tool} not found on PATH (install it, e.g. `apt-get install {tool}`)")]
    ToolMissing {
        /// The tool.
        tool: &'static str,
    },
    /// Building the Verilated model failed.
    #[error("verilator build in {dir} failed: {message}")]
    Build {
        /// Build directory (kept for inspection).
        dir: String,
        /// First error line.
        message: String,
    },
    /// A file or process operation failed.
    #[error("{path}: {message}")]
    Io {
        /// File or program.
        path: String,
        /// The operating system's reason.
        message: String,
    },
    /// The harness printed something unexpected or exited early.
    #[error("co-simulation harness: {line}")]
    Protocol {
        /// The offending line or exit status.
        line: String,
    },
    /// A case is not a legal tile for the array.
    #[error("case {case}: {message}")]
    Case {
        /// Case index.
        case: usize,
        /// Why.
        message: String,
    },
    /// A synthesis tool failed.
    #[error("{tool} failed: {message}")]
    Synth {
        /// The tool.
        tool: &'static str,
        /// First error line.
        message: String,
    },
}

/// True when `LUTFORGE_REQUIRE_TOOLS=1`: tests must fail, not skip, without external tools.
pub fn tools_required() -> bool {
    std::env::var("LUTFORGE_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

/// The first difference between the RTL and the models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// Case index.
    pub case: usize,
    /// Cycle (0 = the case's `cmd` transfer).
    pub cycle: u64,
    /// Signal or quantity.
    pub signal: String,
    /// What the model says.
    pub expected: String,
    /// What the RTL did.
    pub got: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "case {}, cycle {}, signal {}: expected {}, got {}",
            self.case, self.cycle, self.signal, self.expected, self.got
        )
    }
}

/// One line of the result table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    /// Case index.
    pub case: usize,
    /// Origin label.
    pub label: String,
    /// `MxNxK`.
    pub shape: String,
    /// Weight bit planes.
    pub bits: u32,
    /// RTL cycles.
    pub rtl_cycles: u64,
    /// Stepped-model cycles.
    pub stepped_cycles: u64,
    /// Fast-model cycles.
    pub fast_cycles: u64,
    /// All values and cycles equal.
    pub equal: bool,
}

/// Co-simulation settings.
#[derive(Debug, Clone)]
pub struct CosimSettings {
    /// Number of cases.
    pub cases: usize,
    /// Seed of the case generator.
    pub seed: u64,
    /// Dump a VCD of this case.
    pub vcd_case: Option<usize>,
    /// Where the VCD goes.
    pub vcd_path: PathBuf,
    /// Generator options (tests plant bugs here).
    pub options: Options,
    /// Inject random stalls ([`STALL_PERCENT`]) into every stream and check with
    /// [`compare_stalled`] instead of [`compare`].
    pub stalls: bool,
}

/// Result of a co-simulation run.
#[derive(Debug, Clone)]
pub struct CosimOutcome {
    /// Rows up to and including the first mismatching case.
    pub rows: Vec<CaseRow>,
    /// The first mismatch, if any.
    pub mismatch: Option<Mismatch>,
    /// The Verilated harness (build time, cache hit).
    pub harness: Harness,
    /// Wall seconds in the Verilated model (including pipe I/O).
    pub rtl_seconds: f64,
    /// Wall seconds in the stepped model.
    pub stepped_seconds: f64,
}

/// Bits packed into 64-bit words, LSB first.
struct Bits {
    words: Vec<u64>,
    len: u32,
}

impl Bits {
    fn new(len: u32) -> Bits {
        Bits {
            words: vec![0; (len as usize).div_ceil(64).max(1)],
            len,
        }
    }
    fn put(&mut self, lo: u32, width: u32, value: i64) {
        for b in 0..width {
            if value >> b & 1 == 1 {
                let i = lo + b;
                self.words[(i / 64) as usize] |= 1 << (i % 64);
            }
        }
    }
    fn get_signed(&self, lo: u32, width: u32) -> i64 {
        let mut v: i128 = 0;
        for b in 0..width {
            let i = lo + b;
            if self.words[(i / 64) as usize] >> (i % 64) & 1 == 1 {
                v |= 1 << b;
            }
        }
        wrap(v, width) as i64
    }
    fn hex(&self) -> String {
        let digits = self.len.div_ceil(4);
        (0..digits)
            .rev()
            .map(|d| {
                let i = d * 4;
                let nib = (self.words[(i / 64) as usize] >> (i % 64)) & 0xf;
                char::from_digit(nib as u32, 16).unwrap_or('0')
            })
            .collect()
    }
    fn from_hex(hex: &str, len: u32) -> Bits {
        let mut bits = Bits::new(len);
        for (d, c) in hex.chars().rev().enumerate() {
            let nib = c.to_digit(16).unwrap_or(0) as i64;
            let lo = d as u32 * 4;
            if lo < len {
                bits.put(lo, 4.min(len - lo), nib);
            }
        }
        bits
    }
}

/// The stream form of a tile (hex beats), as the harness takes it.
pub fn stream_tile(array: &LutArray, input: &TileInput, vcd: bool) -> StreamTile {
    let d = Dims::of(array);
    let act = activation_beats(array, input)
        .iter()
        .map(|beat| {
            let mut b = Bits::new(d.act_beat_bits());
            for (i, v) in beat.iter().enumerate() {
                b.put(i as u32 * d.act_bits, d.act_bits, *v);
            }
            b.hex()
        })
        .collect();
    let wgt = weight_beats(array, input)
        .iter()
        .map(|beat| {
            let mut b = Bits::new(d.wgt_beat_bits());
            for (i, v) in beat.iter().enumerate() {
                b.put(i as u32, 1, i64::from(*v));
            }
            b.hex()
        })
        .collect();
    StreamTile {
        k_chunks: input.k_chunks,
        weight_bits: input.weight_bits,
        act,
        wgt,
        vcd,
        stalls: None,
    }
}

fn first_list_difference(
    case: usize,
    signal: &str,
    expected: &[u64],
    got: &[u64],
) -> Option<Mismatch> {
    let n = expected.len().max(got.len());
    (0..n).find_map(|i| {
        let (e, g) = (expected.get(i), got.get(i));
        if e == g {
            return None;
        }
        let cycle = match (e, g) {
            (Some(e), Some(g)) => *e.min(g),
            (Some(c), None) | (None, Some(c)) => *c,
            (None, None) => 0,
        };
        let at = |x: Option<&u64>| if x == Some(&cycle) { "1" } else { "0" }.to_string();
        Some(Mismatch {
            case,
            cycle,
            signal: signal.into(),
            expected: at(e),
            got: at(g),
        })
    })
}

/// The first result value (row-major over the collected beats) that differs from the stepped
/// model.
fn value_mismatches(
    array: &LutArray,
    k: usize,
    stepped: &SteppedRun,
    rtl: &RtlRun,
) -> Option<Mismatch> {
    let d = Dims::of(array);
    rtl.results
        .iter()
        .enumerate()
        .take(d.m as usize)
        .find_map(|(row, (cycle, hex))| {
            let bits = Bits::from_hex(hex, d.res_beat_bits());
            (0..d.n as usize).find_map(|col| {
                let got = bits.get_signed(col as u32 * d.acc_bits, d.acc_bits);
                let expected = stepped.results[row * d.n as usize + col];
                (got != expected).then(|| Mismatch {
                    case: k,
                    cycle: *cycle,
                    signal: format!("res_data[row {row}][col {col}]"),
                    expected: expected.to_string(),
                    got: got.to_string(),
                })
            })
        })
}

/// The fast model's cycle count against the stepped model's.
fn fast_mismatch(array: &LutArray, case: &Case, stepped: &SteppedRun) -> Option<Mismatch> {
    let fast = tile_cost(array, case.input.weight_bits, case.input.k_chunks).cycles;
    (fast != stepped.cycles).then(|| Mismatch {
        case: case.index,
        cycle: 0,
        signal: "fast model cycles".into(),
        expected: stepped.cycles.to_string(),
        got: fast.to_string(),
    })
}

fn timeout_mismatch(k: usize, rtl: &RtlRun) -> Option<Mismatch> {
    rtl.timed_out.then(|| Mismatch {
        case: k,
        cycle: rtl.cycles,
        signal: "res_valid".into(),
        expected: "all results".into(),
        got: "timeout".into(),
    })
}

/// Compares one case: RTL against the stepped model (every transfer, every value, the cycle
/// count), the stepped model against integer GEMM, and the fast model's cycles.
pub fn compare(
    array: &LutArray,
    case: &Case,
    stepped: &SteppedRun,
    rtl: &RtlRun,
) -> Option<Mismatch> {
    let k = case.index;
    let mut found: Vec<Mismatch> = Vec::new();
    found.extend(first_list_difference(
        k,
        "act_ready",
        &stepped.act_cycles,
        &rtl.act_cycles,
    ));
    found.extend(first_list_difference(
        k,
        "wgt_ready",
        &stepped.wgt_cycles,
        &rtl.wgt_cycles,
    ));
    let got_res: Vec<u64> = rtl.results.iter().map(|(c, _)| *c).collect();
    found.extend(first_list_difference(
        k,
        "res_valid",
        &stepped.res_cycles,
        &got_res,
    ));
    found.extend(value_mismatches(array, k, stepped, rtl));
    if let Some(m) = timeout_mismatch(k, rtl) {
        found.push(m);
    } else if rtl.cycles != stepped.cycles {
        found.push(Mismatch {
            case: k,
            cycle: rtl.cycles.min(stepped.cycles),
            signal: "tile cycles".into(),
            expected: stepped.cycles.to_string(),
            got: rtl.cycles.to_string(),
        });
    }
    found.extend(fast_mismatch(array, case, stepped));
    found.into_iter().min_by_key(|m| m.cycle)
}

/// Compares one case run with stalls: every result value equals the stepped model's, every
/// `act`/`wgt` beat was transferred exactly once and `M` result beats were collected, the `res`
/// stream held still while stalled (no `X` line), and the cycle count is at least the
/// stall-free model's. Transfer cycles are not compared (the stalls move them).
pub fn compare_stalled(
    array: &LutArray,
    case: &Case,
    stepped: &SteppedRun,
    rtl: &RtlRun,
) -> Option<Mismatch> {
    let k = case.index;
    let mut found: Vec<Mismatch> = Vec::new();
    let count = |signal: &str, expected: usize, got: &[u64]| {
        (got.len() != expected).then(|| Mismatch {
            case: k,
            cycle: got.last().copied().unwrap_or(0),
            signal: signal.into(),
            expected: format!("{expected} transfers"),
            got: format!("{} transfers", got.len()),
        })
    };
    // Protocol violations first: on a cycle tie they name the cause, the counts the effect.
    found.extend(rtl.violations.first().map(|(cycle, signal, what)| {
        Mismatch {
            case: k,
            cycle: *cycle,
            signal: signal.clone(),
            expected: if what == "early" {
                "no transfer before the cmd transfer"
            } else {
                "held while res_valid && !res_ready"
            }
            .into(),
            got: what.clone(),
        }
    }));
    found.extend(count(
        "act_valid",
        stepped.act_cycles.len(),
        &rtl.act_cycles,
    ));
    found.extend(count(
        "wgt_valid",
        stepped.wgt_cycles.len(),
        &rtl.wgt_cycles,
    ));
    let got_res: Vec<u64> = rtl.results.iter().map(|(c, _)| *c).collect();
    found.extend(count("res_ready", stepped.res_cycles.len(), &got_res));
    found.extend(value_mismatches(array, k, stepped, rtl));
    if let Some(m) = timeout_mismatch(k, rtl) {
        found.push(m);
    } else if rtl.cycles < stepped.cycles {
        found.push(Mismatch {
            case: k,
            cycle: rtl.cycles,
            signal: "tile cycles".into(),
            expected: format!(">= {}", stepped.cycles),
            got: rtl.cycles.to_string(),
        });
    }
    found.extend(fast_mismatch(array, case, stepped));
    found.into_iter().min_by_key(|m| m.cycle)
}

/// Co-simulates `settings.cases` seeded cases of the array named `name`.
pub fn cosimulate(
    name: &str,
    array: &LutArray,
    settings: &CosimSettings,
) -> Result<CosimOutcome, TestbenchError> {
    let bundle = generate_lut(name, array, settings.options);
    let dims = Dims::of(array);
    let harness = harness::build(&bundle, &dims)?;
    let cases = cases::generate(array, settings.cases, settings.seed);
    let tiles: Vec<StreamTile> = cases
        .iter()
        .map(|c| {
            let mut tile = stream_tile(array, &c.input, settings.vcd_case == Some(c.index));
            if settings.stalls {
                tile.stalls = Some(Stalls {
                    seed: stall_seed(settings.seed, c.index),
                    percent: STALL_PERCENT,
                });
            }
            tile
        })
        .collect();
    let start = Instant::now();
    let runs = harness::run(&harness, &tiles, &settings.vcd_path)?;
    let rtl_seconds = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let stepped: Vec<SteppedRun> = cases
        .iter()
        .map(|c| {
            run_tile(array, &c.input).map_err(|e| TestbenchError::Case {
                case: c.index,
                message: e.to_string(),
            })
        })
        .collect::<Result<_, _>>()?;
    let stepped_seconds = start.elapsed().as_secs_f64();
    let mut rows = Vec::new();
    let mut mismatch = None;
    for ((case, s), r) in cases.iter().zip(&stepped).zip(&runs) {
        let m = if settings.stalls {
            compare_stalled(array, case, s, r)
        } else {
            compare(array, case, s, r)
        };
        rows.push(CaseRow {
            case: case.index,
            label: case.kind.label(),
            shape: format!(
                "{}x{}x{}",
                array.tile_m,
                array.tile_n,
                case.input.depth(array)
            ),
            bits: case.input.weight_bits,
            rtl_cycles: r.cycles,
            stepped_cycles: s.cycles,
            fast_cycles: tile_cost(array, case.input.weight_bits, case.input.k_chunks).cycles,
            equal: m.is_none(),
        });
        if m.is_some() {
            mismatch = m;
            break;
        }
    }
    Ok(CosimOutcome {
        rows,
        mismatch,
        harness,
        rtl_seconds,
        stepped_seconds,
    })
}

/// The result table: case, origin, shape, bits, cycles RTL / stepped / fast, result.
pub fn render_table(rows: &[CaseRow]) -> String {
    let mut out = format!(
        "{:>5}  {:<28} {:<14} {:>4}  {:>26}  {}\n",
        "case", "tiles from", "shape MxNxK", "bits", "cycles rtl / stepped / fast", "result"
    );
    for r in rows {
        let cycles = format!(
            "{} / {} / {}",
            r.rtl_cycles, r.stepped_cycles, r.fast_cycles
        );
        let verdict = if r.equal { "equal" } else { "MISMATCH" };
        out.push_str(&format!(
            "{:>5}  {:<28} {:<14} {:>4}  {:>26}  {verdict}\n",
            r.case, r.label, r.shape, r.bits, cycles
        ));
    }
    out
}
