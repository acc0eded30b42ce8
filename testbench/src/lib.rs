//! Verilator co-simulation harness: builds generated RTL, drives it, compares with the
//! simulator's cycle-stepped model (values and cycles) and fast model (cycles).
//!
//! # Blocks
//!
//! The driver is generic over blocks ([`block::Block`]): a block names its streams once
//! ([`block::Interface`]), generates seeded [`Case`]s, packs them into beats and runs its two
//! models; [`cosimulate_block`] runs every case through the three executors and [`compare`]
//! holds them to one expectation. Each family's block lives in the module named by its kind
//! (`lut_tensor_core.rs`, `mac_tensor_core.rs`, `fpga_dataflow.rs`) and is known through one
//! line of [`BLOCKS`];
//! [`cosimulate`] picks the block of an architecture from that registry, never by matching on
//! kinds.
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
//! cycle counts, per tile and since the first tile's `cmd` transfer (so an idle cycle between
//! back-to-back tiles is a mismatch). With [`CosimSettings::stalls`] the harness deasserts `cmd_valid`, `act_valid`,
//! `wgt_valid` (every input valid) and `res_ready` on random cycles ([`harness::Stalls`], [`STALL_PERCENT`], seeded
//! per case by [`stall_seed`]) and [`compare_stalled`] demands every result value equal, every
//! beat transferred exactly once, `res` held stable while stalled, and a cycle count no smaller
//! than the stall-free model's.
//!
//! **Architecture invariant:** only this crate and `lutforge-fpga` run external tools.

pub mod block;
pub mod cases;
pub mod fpga_dataflow;
pub mod harness;
pub mod lut_tensor_core;
pub mod mac_tensor_core;
pub mod sram_pim;
pub mod synth;

use std::fmt;
use std::path::PathBuf;
use std::time::Instant;

use lutforge_rtl::Options;
use lutforge_sim::Arch;
use thiserror::Error;

pub use block::{BeatBits, Beats, Block, Expected, Interface, Stream};
pub use cases::{Case, CaseKind, Operands, TileShape};
pub use harness::{find_verilator, Harness, RtlRun, Stalls, StreamTile};

/// The co-simulation block of one architecture family (named by the family's kind).
pub struct BlockEntry {
    /// The family's kind string.
    pub kind: &'static str,
    /// The block of an architecture of that kind (`None` for another family's).
    pub block: fn(&Arch) -> Option<Box<dyn Block>>,
}

/// Every family with a co-simulation block, one line each.
pub static BLOCKS: &[BlockEntry] = &[
    BlockEntry {
        kind: "lut_tensor_core",
        block: lut_tensor_core::block,
    },
    BlockEntry {
        kind: "mac_tensor_core",
        block: mac_tensor_core::block,
    },
    BlockEntry {
        kind: "fpga_dataflow",
        block: fpga_dataflow::block,
    },
    BlockEntry {
        kind: "sram_pim",
        block: sram_pim::block,
    },
];

/// The co-simulation block of `arch`, from [`BLOCKS`]; an architecture without RTL
/// ([`lutforge_rtl::check`], e.g. a simulation-only mode) has none.
pub fn block_of(arch: &Arch) -> Result<Box<dyn Block>, TestbenchError> {
    match lutforge_rtl::check(arch) {
        Err(e @ lutforge_rtl::RtlError::SimulationOnly { .. })
        | Err(e @ lutforge_rtl::RtlError::Unbuildable { .. }) => {
            return Err(TestbenchError::NoRtl {
                message: e.to_string(),
            })
        }
        _ => {}
    }
    BLOCKS
        .iter()
        .find(|b| b.kind == arch.kind())
        .and_then(|b| (b.block)(arch))
        .ok_or_else(|| TestbenchError::UnsupportedKind {
            file: arch.source.clone(),
            kind: arch.kind().to_string(),
            supported: BLOCKS.iter().map(|b| b.kind).collect::<Vec<_>>().join(", "),
        })
}

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
    /// A required external tool is not on `LUTFORGE_TOOL_PATH` or `PATH`.
    #[error("{tool} not found on LUTFORGE_TOOL_PATH or PATH (install it, e.g. `apt-get install {tool}`)")]
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
    /// The architecture kind has no co-simulation block.
    #[error("{file}: field `kind`: no co-simulation driver for kind `{kind}` (kinds with RTL and a driver: {supported})")]
    UnsupportedKind {
        /// The architecture file.
        file: String,
        /// Its kind.
        kind: String,
        /// The kinds that have a block.
        supported: String,
    },
    /// The architecture has no RTL to co-simulate (a simulation-only mode).
    #[error("{message}")]
    NoRtl {
        /// The RTL generator's reason.
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

/// True when `LUTFORGE_REQUIRE_TOOLS=1`: tests must fail, not skip, without external tools
/// (the one definition is `lutforge_fpga::tools::tools_required`).
pub fn tools_required() -> bool {
    lutforge_fpga::tools::tools_required()
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
    /// Cycles the RTL ran from the first `cmd` transfer through the last result of the run.
    pub rtl_total_cycles: u64,
}

/// The stream form of a case, as the harness takes it.
pub fn stream_tile(block: &dyn Block, case: &Case, vcd: bool) -> StreamTile {
    let beats = block.beats(case);
    StreamTile {
        cmd: beats.cmd,
        inputs: beats.inputs,
        res_beats: beats.res_beats,
        min_limit: beats.cycles_hint.saturating_mul(2),
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

/// The first result value (beat-major over the collected beats) that differs from the stepped
/// model.
fn value_mismatches(
    iface: &Interface,
    k: usize,
    stepped: &Expected,
    rtl: &RtlRun,
) -> Option<Mismatch> {
    let lanes = iface.res_lanes as usize;
    let rows = stepped.values.len() / lanes.max(1);
    rtl.results
        .iter()
        .enumerate()
        .take(rows)
        .find_map(|(row, (cycle, hex))| {
            let bits = BeatBits::from_hex(hex, iface.res_bits());
            (0..lanes).find_map(|col| {
                let got = bits.get_signed(col as u32 * iface.res_lane_bits, iface.res_lane_bits);
                let expected = stepped.values[row * lanes + col];
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
fn fast_mismatch(k: usize, fast: u64, stepped: &Expected) -> Option<Mismatch> {
    (fast != stepped.cycles).then(|| Mismatch {
        case: k,
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

/// What one case is compared with besides its own runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    /// Case index.
    pub case: usize,
    /// The fast model's cycle count of the case.
    pub fast_cycles: u64,
    /// The stepped model's cycles of this and every earlier case of the run: what the harness
    /// must count from the first `cmd` transfer through this case's last result.
    pub stepped_total: u64,
}

/// Compares one case: RTL against the stepped model (every transfer, every value, the cycle
/// count of the tile and since the first `cmd` transfer) and the fast model's cycles.
pub fn compare(
    iface: &Interface,
    cx: &Context,
    stepped: &Expected,
    rtl: &RtlRun,
) -> Option<Mismatch> {
    let k = cx.case;
    let mut found: Vec<Mismatch> = Vec::new();
    for (i, s) in iface.inputs.iter().enumerate() {
        let none = Vec::new();
        found.extend(first_list_difference(
            k,
            &format!("{}_ready", s.name),
            stepped.inputs.get(i).unwrap_or(&none),
            rtl.inputs.get(i).unwrap_or(&none),
        ));
    }
    let got_res: Vec<u64> = rtl.results.iter().map(|(c, _)| *c).collect();
    found.extend(first_list_difference(
        k,
        "res_valid",
        &stepped.res_cycles,
        &got_res,
    ));
    found.extend(value_mismatches(iface, k, stepped, rtl));
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
    } else if rtl.total_cycles != cx.stepped_total {
        found.push(Mismatch {
            case: k,
            cycle: rtl.cycles,
            signal: "cycles since the first cmd".into(),
            expected: cx.stepped_total.to_string(),
            got: rtl.total_cycles.to_string(),
        });
    }
    found.extend(fast_mismatch(k, cx.fast_cycles, stepped));
    found.into_iter().min_by_key(|m| m.cycle)
}

/// Compares one case run with stalls: every result value equals the stepped model's, every
/// input beat was transferred exactly once and every result beat collected, the `res` stream
/// held still while stalled (no `X` line), and the cycle counts (of the tile, and since the
/// first `cmd`) are at least the stall-free model's. Transfer cycles are not compared (the
/// stalls move them).
pub fn compare_stalled(
    iface: &Interface,
    cx: &Context,
    stepped: &Expected,
    rtl: &RtlRun,
) -> Option<Mismatch> {
    let k = cx.case;
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
    for (i, s) in iface.inputs.iter().enumerate() {
        let none = Vec::new();
        found.extend(count(
            &format!("{}_valid", s.name),
            stepped.inputs.get(i).map_or(0, Vec::len),
            rtl.inputs.get(i).unwrap_or(&none),
        ));
    }
    let got_res: Vec<u64> = rtl.results.iter().map(|(c, _)| *c).collect();
    found.extend(count("res_ready", stepped.res_cycles.len(), &got_res));
    found.extend(value_mismatches(iface, k, stepped, rtl));
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
    } else if rtl.total_cycles < cx.stepped_total {
        found.push(Mismatch {
            case: k,
            cycle: rtl.cycles,
            signal: "cycles since the first cmd".into(),
            expected: format!(">= {}", cx.stepped_total),
            got: rtl.total_cycles.to_string(),
        });
    }
    found.extend(fast_mismatch(k, cx.fast_cycles, stepped));
    found.into_iter().min_by_key(|m| m.cycle)
}

/// Co-simulates `settings.cases` seeded cases of `arch`, with the block [`BLOCKS`] names for its
/// kind.
pub fn cosimulate(arch: &Arch, settings: &CosimSettings) -> Result<CosimOutcome, TestbenchError> {
    cosimulate_block(block_of(arch)?.as_ref(), settings)
}

/// Co-simulates `settings.cases` seeded cases of one block: each case runs on the Verilated RTL,
/// the stepped model and the fast model, and is compared ([`compare`], or [`compare_stalled`]
/// with stalls).
pub fn cosimulate_block(
    block: &dyn Block,
    settings: &CosimSettings,
) -> Result<CosimOutcome, TestbenchError> {
    cosimulate_cases(block, &block.cases(settings.cases, settings.seed), settings)
}

/// Co-simulates the given cases of one block, back to back in their order (`settings.cases` is
/// not read; `settings.seed` seeds the stalls).
pub fn cosimulate_cases(
    block: &dyn Block,
    cases: &[Case],
    settings: &CosimSettings,
) -> Result<CosimOutcome, TestbenchError> {
    let bundle = block.generate(settings.options);
    let iface = block.interface();
    let harness = harness::build(&bundle, &iface)?;
    let tiles: Vec<StreamTile> = cases
        .iter()
        .map(|c| {
            let mut tile = stream_tile(block, c, settings.vcd_case == Some(c.index));
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
    let stepped: Vec<Expected> = cases
        .iter()
        .map(|c| {
            block.stepped(c).map_err(|message| TestbenchError::Case {
                case: c.index,
                message,
            })
        })
        .collect::<Result<_, _>>()?;
    let stepped_seconds = start.elapsed().as_secs_f64();
    let mut rows = Vec::new();
    let mut mismatch = None;
    let mut stepped_total = 0u64;
    for ((case, s), r) in cases.iter().zip(&stepped).zip(&runs) {
        stepped_total += s.cycles;
        let cx = Context {
            case: case.index,
            fast_cycles: block.fast_cycles(case),
            stepped_total,
        };
        let m = if settings.stalls {
            compare_stalled(&iface, &cx, s, r)
        } else {
            compare(&iface, &cx, s, r)
        };
        rows.push(CaseRow {
            case: case.index,
            label: case.kind.label(),
            shape: block.shape(case),
            bits: case.input.weight_bits,
            rtl_cycles: r.cycles,
            stepped_cycles: s.cycles,
            fast_cycles: cx.fast_cycles,
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
        rtl_total_cycles: runs.last().map_or(0, |r| r.total_cycles),
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
