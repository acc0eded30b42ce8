//! `lutforge fpga --arch A [--device D] --model M --out DIR` (also `lutforge fpga project ...`):
//! the project that builds an FPGA dataflow design (`kind = "fpga_dataflow"`) for a device.
//!
//! # Steps (everything is checked before any file is written)
//!
//! 1. The device (`--device`, default the architecture's `fpga.device`) and its vendor. A
//!    design moves only between parts of one vendor (its primitives are the vendor's); a
//!    Lattice device goes to the open flow ([`open_flow`], the dispatch point), an AMD device
//!    gets a Vivado project.
//! 2. The architecture is validated with `fpga.device` set to the device, so the fit check
//!    runs against it: a design that does not fit is the simulator's one-line error.
//! 3. The memory images are planned from the model's shapes (`--layers N`: its first N
//!    decoder layers). lutforge has no checkpoint reader: the values are drawn from `--seed`
//!    (a counter-based hash of seed, matrix and position, so a value does not depend on
//!    `--layers` or on the order of generation); the layout is the one the TLMM loader reads.
//! 4. The RTL comes from `lutforge_rtl::generate`; its error is this command's error (no
//!    placeholder RTL is ever written). Its top must be an identifier with `clk` and `rst`
//!    ports, its file names plain, and every `$readmemh` file it names must be one this
//!    command writes.
//! 5. No file holds a user string (architecture or model name) that has a character outside
//!    `[A-Za-z0-9_.-]`: names appear as identifiers (`lutforge_fpga::project::names`), and
//!    every file, the RTL's included, is scanned for the raw strings before anything is written.
//!
//! # Files written into DIR
//!
//! `project.tcl` (Vivado; `lutforge_fpga::project::vivado`), `<name>.xdc` (the clock),
//! `block_design.tcl` (Zynq UltraScale+ boards: the processing-system wrapper for
//! `flow=bitstream`), `rtl/` (the RTL bundle), `mem/vectors.mem` (per-layer fp16 vectors:
//! norm weights and biases) and `mem/scales.mem` (one f32 dequantization scale per matrix),
//! `weights.bin` (the TLMM index streams; `lutforge_fpga::project::image` documents the
//! layout), `report.md` and `report.json` (resources per block against the device,
//! utilization, fit, images) and `README.md` (what to run and what each file is).
//!
//! # `report.json` schema (`"schema": "lutforge-fpga-project/1"`)
//!
//! `arch`, `device`, `part`, `model` (identifiers), `clock_mhz`, `layers` (in the images),
//! `model_layers`, `seed`, `synthetic_values` (always `true` until a checkpoint reader
//! exists), `resources` (rows `{name, luts, ffs, dsp, bram36, uram}`: each block, `total`,
//! `<device> available`), `utilization` (`{luts, ffs, dsp, bram36, uram}` fractions of the
//! device), `fits` (`true`; a design that does not fit is an error instead), `bottleneck`
//! (`{resource, fraction}`), `weights_bin` (`{bytes, matrices: [{name, layer, matrix, expert,
//! rows, cols, chunks, offset, stride, bytes, scale}]}`, `bytes` being the stream bytes the
//! loader reads, planes excluded padding), `vectors_mem` (`{width_bits, words, vectors:
//! [{name, layer, offset, words}]}`, `layer` null for the final norm), `scales_mem`
//! (`{width_bits, words}`), `unmodelled_on_chip_bram36` (BRAM36 tiles the two `.mem` images
//! would take, which the resource model does not count).

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context};
use lutforge_fpga::project::image::{self, ImageHeader, MatrixEntry, Placed, VectorStream};
use lutforge_fpga::project::memh;
use lutforge_fpga::project::names::{identifier, is_file_name, is_identifier};
use lutforge_fpga::project::vivado::{self, VivadoProject};
use lutforge_fpga::{Device, ResourceKind, Utilization, Vendor};
use lutforge_models::numerics::fp::{round_f64, FP16};
use lutforge_models::numerics::ternary_pack::{pack3, PACKED_BITS_PER_GROUP, TERNARY_GROUP};
use lutforge_models::{Attention, ModelConfig, NormKind};
use lutforge_rtl::Bundle;
use lutforge_sim::arch::Override;
use lutforge_sim::dataflow::ResourceRow;
use lutforge_sim::fpga_dataflow::config::{FpgaDesign, Tlmm, WeightLoad};
use lutforge_sim::fpga_dataflow::engines::{share, tlmm_preload_chunks, tlmm_weight_bytes};
use lutforge_sim::fpga_dataflow::resources as design_resources;
use lutforge_sim::fpga_dataflow::top::{TlmmCapacity, TopSpec, MAX_GROUPS};
use lutforge_sim::Arch;

/// Seed of the synthetic values when `--seed` is not given.
pub const DEFAULT_SEED: u64 = 1;

/// Largest weight image written (1 GiB): bounds the run time (a few seconds per 100 MB in
/// release builds) and the disk used; `--layers N` writes the first N layers of a larger model.
pub const MAX_IMAGE_BYTES: u64 = 1 << 30;

/// The clock port every lutforge top has (`rtl/src/streams.rs`).
const CLOCK_PORT: &str = "clk";
/// The reset port every lutforge top has: synchronous, active high (`rtl/src/streams.rs`).
const RESET_PORT: &str = "rst";

/// Bits of one BRAM36 tile (36 Kbit, UG573), for the unmodelled on-chip images.
const BRAM36_BITS: f64 = 36.0 * 1024.0;

/// Arguments of `lutforge fpga --arch ...` and `lutforge fpga project`.
#[derive(Debug, Clone, clap::Args)]
pub struct ProjectArgs {
    /// Architecture file of an FPGA dataflow design (`kind = "fpga_dataflow"`).
    #[arg(long)]
    pub arch: PathBuf,
    /// Device to build for: a short id or part number of `lutforge fpga devices` (default: the
    /// architecture's `fpga.device`). The design is validated and fit-checked against it.
    #[arg(long)]
    pub device: Option<String>,
    /// Model whose weights the memory images hold: a preset name or a Hugging Face
    /// `config.json` (required for an AMD device).
    #[arg(long)]
    pub model: Option<String>,
    /// Output directory (created if missing; files of the same names are replaced).
    #[arg(long, default_value = "build/fpga")]
    pub out: PathBuf,
    /// Seed of the synthetic weight values (lutforge reads no checkpoint).
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Decoder layers in the memory images: the model's first N (default: all).
    #[arg(long)]
    pub layers: Option<u64>,
}

/// Runs `lutforge fpga --arch ...`.
pub fn run(args: &ProjectArgs) -> anyhow::Result<ExitCode> {
    let device = target_device(args)?;
    match device.vendor {
        Vendor::Lattice => open_flow(args, device),
        Vendor::Amd => amd_project(args, device),
    }
}

/// The open flow for a Lattice device: the design is validated and fit-checked against the
/// device, its RTL is wrapped for the device's board (`lutforge_rtl::board`: inputs from an
/// LFSR, outputs folded into eight pins, so nothing is optimised away), then Yosys, nextpnr and
/// the packer build a bitstream (`lutforge_fpga::openflow::build`, one progress line per step).
/// DIR gets `rtl/` (the bundle and `board_top.v`), `build/` (netlist, constraints, logs,
/// nextpnr's report and the bitstream), `report.md` (Fmax, utilization, the model's resource
/// table against the device) and `report.json`. A `--model` is not needed: the open-flow build
/// holds no weights.
fn open_flow(args: &ProjectArgs, device: &'static Device) -> anyhow::Result<ExitCode> {
    let device_override = Override {
        path: "fpga.device".into(),
        value: toml::Value::String(device.id.to_string()),
    };
    let arch = Arch::from_file_with(&args.arch, &[device_override])?;
    let design = arch
        .machine_as::<FpgaDesign>()
        .ok_or_else(|| anyhow!("{}: not an FPGA dataflow architecture", arch.source))?;
    let bundle = lutforge_rtl::generate(&arch, lutforge_rtl::Options::default())?;
    let target = lutforge_fpga::openflow::target(device)?;
    let board = target.board();
    let wrapper = lutforge_rtl::board::board_top(
        &lutforge_rtl::board::Accelerator::of_bundle(&bundle),
        board,
    )?;
    let rtl_dir = args.out.join("rtl");
    bundle.write_to(&rtl_dir)?;
    lutforge_sim::output::write_atomic(&rtl_dir.join(&wrapper.name), wrapper.text.as_bytes())
        .with_context(|| format!("{}: cannot write the board wrapper", rtl_dir.display()))?;
    let mut sources: Vec<PathBuf> = bundle.verilog().map(|f| rtl_dir.join(&f.name)).collect();
    sources.push(rtl_dir.join(&wrapper.name));
    let report = lutforge_fpga::openflow::build(
        device,
        &sources,
        lutforge_rtl::board::BOARD_TOP,
        arch.clock_mhz,
        &args.out.join("build"),
        &mut lutforge_fpga::openflow::print_progress,
    )?;
    let rows = design_resources::rows(design, arch.vector.lanes);
    let mut md = format!(
        "# Open-flow build of {} for {} ({}, board {})\n\n",
        identifier(&arch.name),
        device.id,
        device.part,
        report.board
    );
    md.push_str("## nextpnr and the packer\n\n```text\n");
    md.push_str(&report.summary());
    md.push_str("\n```\n\n## The resource model of the design against the device\n\n");
    md.push_str("| block | LUT | FF | DSP | BRAM36 | URAM |\n|---|---:|---:|---:|---:|---:|\n");
    for r in &rows {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {:.1} | {} |",
            r.name, r.luts, r.ffs, r.dsp, r.bram36, r.uram
        );
    }
    md.push_str("\nThe board wrapper drives the accelerator's inputs from an LFSR and folds its outputs into eight pins, so the build measures the accelerator, not a board design.\n");
    for note in &bundle.notes {
        let _ = writeln!(md, "\nNote: {note}");
    }
    let json = serde_json::json!({
        "schema": "lutforge-fpga-openflow/1",
        "arch": identifier(&arch.name),
        "device": device.id,
        "part": device.part,
        "board": report.board,
        "target_mhz": report.target_mhz,
        "fmax_mhz": report.fmax.iter().map(|c| serde_json::json!({
            "clock": c.clock, "achieved_mhz": c.achieved_mhz, "constraint_mhz": c.constraint_mhz,
        })).collect::<Vec<_>>(),
        "utilization": {
            "logic": [report.utilization.logic.used, report.utilization.logic.available],
            "ffs": [report.utilization.ffs.used, report.utilization.ffs.available],
            "bram": [report.utilization.bram.used, report.utilization.bram.available],
            "dsp": [report.utilization.dsp.used, report.utilization.dsp.available],
            "io": [report.utilization.io.used, report.utilization.io.available],
        },
        "bitstream": report.bitstream.file_name().map(|n| n.to_string_lossy().to_string()),
        "bitstream_bytes": report.bitstream_bytes,
        "resources": rows,
    });
    lutforge_sim::output::write_atomic(&args.out.join("report.md"), md.as_bytes())?;
    lutforge_sim::output::write_atomic(
        &args.out.join("report.json"),
        serde_json::to_string_pretty(&json)?.as_bytes(),
    )?;
    println!("{}", report.summary());
    println!(
        "wrote {}: rtl/, build/, report.md, report.json",
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The device to build for, after the checks of step 1 (module documentation).
fn target_device(args: &ProjectArgs) -> anyhow::Result<&'static Device> {
    let file = args.arch.display().to_string();
    // Any problem with the file itself is reported exactly as every other command does.
    let canonical = || -> anyhow::Error {
        match Arch::from_file(&args.arch) {
            Err(e) => e.into(),
            Ok(_) => anyhow!("{file}: not an FPGA dataflow architecture"),
        }
    };
    let text = std::fs::read_to_string(&args.arch).map_err(|_| canonical())?;
    let doc: toml::Table = toml::from_str(&text).map_err(|_| canonical())?;
    let kind = doc
        .get("kind")
        .and_then(|k| k.as_str())
        .ok_or_else(canonical)?;
    if kind != "fpga_dataflow" {
        bail!(
            "{file}: field `kind`: `lutforge fpga` builds FPGA dataflow designs (kind = \"fpga_dataflow\"); `lutforge rtl` writes the RTL of the other kinds (got \"{kind}\")"
        );
    }
    let written_for = doc
        .get("fpga")
        .and_then(|f| f.get("device"))
        .and_then(|d| d.as_str())
        .and_then(|d| lutforge_fpga::device(d).ok())
        .ok_or_else(canonical)?;
    let device = match &args.device {
        Some(name) => lutforge_fpga::device(name)?,
        None => written_for,
    };
    if device.vendor != written_for.vendor {
        bail!(
            "{file}: field `fpga.device`: the design is written for {} (an {} part) and --device {} is a {} part; a design moves only between parts of one vendor (got \"{}\")",
            written_for.id,
            written_for.vendor,
            device.id,
            device.vendor,
            written_for.id
        );
    }
    Ok(device)
}

/// The AMD flow: validate, plan, generate the RTL, write.
fn amd_project(args: &ProjectArgs, device: &'static Device) -> anyhow::Result<ExitCode> {
    let model_arg = args.model.as_deref().ok_or_else(|| {
        anyhow!(
            "--model: required for {} (an AMD device): the memory images hold a model's weights (a preset such as bitnet-b1.58-large, or a config.json)",
            device.id
        )
    })?;
    let model = ModelConfig::resolve(model_arg)?;
    let device_override = Override {
        path: "fpga.device".into(),
        value: toml::Value::String(device.id.to_string()),
    };
    let arch = Arch::from_file_with(&args.arch, &[device_override])?;
    let plan = Plan::new(&arch, &model, args.seed, args.layers)?;
    let options = lutforge_rtl::Options {
        tlmm_capacity: Some(plan.capacity),
        ..lutforge_rtl::Options::default()
    };
    let bundle = lutforge_rtl::generate(&arch, options)?;
    let project = plan.project(&bundle)?;
    project.write(&args.out)?;
    let mb = plan.total_bytes as f64 / 1e6;
    println!(
        "wrote {} files to {}: project.tcl, {}, {}rtl/ ({} files), mem/vectors.mem, mem/scales.mem, weights.bin, report.md, report.json, README.md",
        project.files.len() + 1,
        args.out.display(),
        plan.xdc_name(),
        if plan.board.is_some() {
            "block_design.tcl, "
        } else {
            ""
        },
        bundle.files.len()
    );
    println!(
        "weights.bin: {} matrices of {} of {} decoder layers, {mb:.1} MB; values synthetic (seed {}): lutforge reads no checkpoint, the layout is the TLMM loader's",
        plan.matrices.len(),
        plan.layers,
        plan.model_layers,
        plan.seed
    );
    let (kind, fraction) = plan.utilization.bottleneck();
    println!(
        "fit: the design fits {} ({}), fullest resource {kind} at {:.1}%",
        device.id,
        device.part,
        fraction * 100.0
    );
    println!(
        "next, on a machine with Vivado: cd {} && vivado -mode batch -source project.tcl",
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The decoder matrices, in directory order within a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatrixKind {
    /// Query projection.
    Q,
    /// Key projection.
    K,
    /// Value projection.
    V,
    /// Output projection.
    O,
    /// FFN gate projection (gated FFNs).
    Gate,
    /// FFN up projection.
    Up,
    /// FFN down projection.
    Down,
}

impl MatrixKind {
    /// The id written in the directory.
    pub fn id(self) -> u32 {
        self as u32
    }

    /// The short name used in matrix names (`q`, `gate`).
    pub fn name(self) -> &'static str {
        match self {
            MatrixKind::Q => "q",
            MatrixKind::K => "k",
            MatrixKind::V => "v",
            MatrixKind::O => "o",
            MatrixKind::Gate => "gate",
            MatrixKind::Up => "up",
            MatrixKind::Down => "down",
        }
    }
}

/// One ternary matrix of the image.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    /// Decoder layer.
    pub layer: u64,
    /// Which projection.
    pub kind: MatrixKind,
    /// Expert (0 when dense).
    pub expert: u64,
    /// Output rows `n`.
    pub rows: u64,
    /// Reduction `k`.
    pub cols: u64,
    /// Row chunks of its load.
    pub chunks: u64,
    /// Hash key of its synthetic values.
    key: u64,
    /// Its dequantization scale (synthetic).
    pub scale: f32,
}

impl Matrix {
    /// The name in the directory (`L00.q`, `L03.e01.up`).
    pub fn name(&self, moe: bool) -> String {
        if moe {
            format!(
                "L{:02}.e{:02}.{}",
                self.layer,
                self.expert,
                self.kind.name()
            )
        } else {
            format!("L{:02}.{}", self.layer, self.kind.name())
        }
    }
}

/// One fp16 vector of `vectors.mem`.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorEntry {
    /// Name (`attn_norm.weight`, `final_norm.weight`).
    pub name: String,
    /// Decoder layer (`None` for the final norm).
    pub layer: Option<u64>,
    /// First word in the image.
    pub offset: u64,
    /// Words (elements).
    pub words: u64,
    /// Whether it is a bias (synthetic values near 0) rather than a norm weight (near 1).
    bias: bool,
}

/// splitmix64's finalizer (Steele, Lea, Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014): a fixed 64-bit mixing function, so the synthetic values never
/// change with a library version.
fn mix(z: u64) -> u64 {
    let mut z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A hash as a uniform number in [0, 1).
fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Tags that keep the hash streams of matrices, scales and vectors apart.
const SCALE_TAG: u64 = 0x5ca1e;
const VECTOR_TAG: u64 = 0x7ec7_0000_0000;

/// Everything decided before the RTL is generated: device, layout, values' keys, resources.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Arch name as an identifier.
    pub arch_id: String,
    /// Model name as an identifier.
    pub model_id: String,
    /// The raw user strings, scanned for in every file.
    raw_names: Vec<String>,
    /// The device.
    pub device: &'static Device,
    /// The Zynq board wrapper, if the device has one.
    pub board: Option<vivado::ZynqBoard>,
    /// Fabric clock, MHz.
    pub clock_mhz: f64,
    /// The TLMM engine.
    pub tlmm: Tlmm,
    /// The generated TLMM top's job capacity, sized so that one row chunk of `weights.bin` is
    /// one job's weights.
    pub capacity: TlmmCapacity,
    /// The generated top's resources (`lutforge_fpga::generated_top`) and their utilization.
    pub rtl_resources: (lutforge_fpga::resources::Resources, Utilization),
    /// Stream geometry.
    pub stream: VectorStream,
    /// Matrices in directory order.
    pub matrices: Vec<Matrix>,
    /// Image header.
    pub header: ImageHeader,
    /// Placed directory entries.
    pub placed: Vec<Placed>,
    /// Bytes of `weights.bin`.
    pub total_bytes: u64,
    /// Vectors of `vectors.mem`.
    pub vectors: Vec<VectorEntry>,
    /// The design's resource table.
    pub resources: Vec<ResourceRow>,
    /// Utilization of the device.
    pub utilization: Utilization,
    /// Decoder layers in the images.
    pub layers: u64,
    /// Decoder layers of the model.
    pub model_layers: u64,
    /// Seed.
    pub seed: u64,
    /// FNV-1a 64 of the architecture text, the model, the seed and the layer count (hex).
    pub config_hash: String,
    /// The 5-bit code of each of the 27 groups `t = 9 (w0+1) + 3 (w1+1) + (w2+1)`.
    codes: [u8; 27],
}

/// 64-bit FNV-1a of `bytes` (hex).
fn fnv(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

impl Plan {
    /// Checks the design and model (steps 2 and 3 of the module documentation) and lays the
    /// images out.
    pub fn new(
        arch: &Arch,
        model: &ModelConfig,
        seed: u64,
        layers: Option<u64>,
    ) -> anyhow::Result<Plan> {
        let file = &arch.source;
        let design = arch.machine_as::<FpgaDesign>().ok_or_else(|| {
            anyhow!(
                "{file}: field `kind`: `lutforge fpga` builds FPGA dataflow designs (got \"{}\")",
                arch.kind()
            )
        })?;
        let tlmm = design.tlmm.ok_or_else(|| {
            anyhow!(
                "{file}: field `fpga.pipeline`: the design has no tlmm engine; lutforge fpga writes the weight images of the TLMM (ternary) engine only, the vq2d engine's stream layout is not defined yet"
            )
        })?;
        let model_layers = model.num_layers;
        let layers = layers.unwrap_or(model_layers);
        if layers == 0 || layers > model_layers {
            bail!(
                "--layers {layers}: must be 1 to {model_layers} ({} has {model_layers} decoder layers)",
                identifier(&model.name)
            );
        }
        if let Some(feature) = unwritten_feature(model) {
            bail!(
                "{}: {feature}: the weight image covers standard attention with dense or routed-expert FFNs; this model's layout is not written (simulate it instead)",
                identifier(&model.name)
            );
        }
        let experts = model.num_experts();
        if experts > 9999 {
            bail!(
                "{}: {experts} experts per layer: the image's matrix names hold at most 9999",
                identifier(&model.name)
            );
        }
        let spec = &tlmm.spec;
        let stream = VectorStream {
            codes: spec.tables,
            code_bits: PACKED_BITS_PER_GROUP,
            ports: tlmm.axi_ports,
            port_bits: tlmm.axi_bits,
        };
        let (h, q, kv, inter) = (
            model.hidden_size,
            model.q_dim(),
            model.kv_dim(),
            model.expert_width(),
        );
        let mut shapes: Vec<(u64, MatrixKind, u64, u64, u64)> = Vec::new();
        for layer in 0..layers {
            for (kind, n, k) in [
                (MatrixKind::Q, q, h),
                (MatrixKind::K, kv, h),
                (MatrixKind::V, kv, h),
                (MatrixKind::O, h, q),
            ] {
                shapes.push((layer, kind, 0, n, k));
            }
            for expert in 0..experts {
                if model.gated_ffn {
                    shapes.push((layer, MatrixKind::Gate, expert, inter, h));
                }
                shapes.push((layer, MatrixKind::Up, expert, inter, h));
                shapes.push((layer, MatrixKind::Down, expert, h, inter));
            }
        }
        let mut matrices = Vec::with_capacity(shapes.len());
        for (layer, kind, expert, n, k) in shapes {
            let chunks = match tlmm.weight_load {
                WeightLoad::Stream { .. } => 1,
                WeightLoad::Preload => tlmm_preload_chunks(&tlmm, n, k).ok_or_else(|| {
                    anyhow!(
                        "{file}: field `fpga.tlmm.weight_buffer_kib`: one group of {} output rows of the {n} x {k} {} matrix does not fit the weight buffer (got {})",
                        tlmm.spec.lookup_lanes(),
                        kind.name(),
                        tlmm.weight_buffer_bytes / 1024
                    )
                })?,
            };
            let key = mix(seed ^ mix((layer << 24) | (expert << 8) | u64::from(kind.id())));
            let scale = (0.01 + 0.09 * unit(mix(key ^ SCALE_TAG))) as f32;
            matrices.push(Matrix {
                layer,
                kind,
                expert,
                rows: n,
                cols: k,
                chunks,
                key,
                scale,
            });
        }
        let widest_rows = matrices
            .iter()
            .map(|m| share(m.rows, m.chunks, 0))
            .max()
            .unwrap_or(1);
        let lanes = u64::from(tlmm.spec.lookup_lanes());
        if widest_rows.div_ceil(lanes) > u64::from(MAX_GROUPS) {
            bail!(
                "{file}: field `fpga.tlmm.weight_buffer_kib`: a row chunk of {widest_rows} outputs is {} groups of {lanes}, more than the generated top's {MAX_GROUPS} (got {})",
                widest_rows.div_ceil(lanes),
                tlmm.weight_buffer_bytes / 1024
            );
        }
        let capacity = TlmmCapacity::of(&tlmm, design.device, Some(widest_rows));
        let top = TopSpec::of(design, arch.vector_lanes(), Some(capacity))
            .map_err(|e| anyhow!("{file}: the generated RTL: {e}"))?;
        let rtl_total = lutforge_fpga::resources::total(
            &design_resources::generated_top_parts(&top).unwrap_or_default(),
        );
        let rtl_utilization = lutforge_fpga::fit(design.device, &rtl_total).map_err(|e| {
            anyhow!("{file}: field `fpga.tlmm.weight_buffer_kib`: the generated RTL (sized for {} outputs per job): {e}", u64::from(capacity.max_groups) * lanes)
        })?;
        let moe = model.moe.is_some();
        let entries = matrices
            .iter()
            .map(|m| {
                let max_plane = (0..m.chunks)
                    .map(|c| {
                        stream.beats(share(m.rows, m.chunks, c) * blocks(&tlmm, m.cols))
                            * stream.port_bytes()
                    })
                    .max()
                    .unwrap_or(0);
                MatrixEntry {
                    name: m.name(moe),
                    layer: m.layer as u32,
                    matrix: m.kind.id(),
                    expert: m.expert as u32,
                    rows: m.rows as u32,
                    cols: m.cols as u32,
                    chunks: m.chunks as u32,
                    max_plane_bytes: max_plane,
                    scale: m.scale,
                }
            })
            .collect();
        let header = ImageHeader {
            stream,
            layers: layers as u32,
            model_layers: model_layers as u32,
            weights_per_code: TERNARY_GROUP as u32,
            seed,
        };
        let (placed, total_bytes) = image::place(&header, entries);
        if total_bytes > MAX_IMAGE_BYTES {
            bail!(
                "--layers {layers}: weights.bin would be {} bytes, above the {} bytes lutforge fpga writes; give --layers N for the first N of {}'s {model_layers} decoder layers",
                total_bytes,
                MAX_IMAGE_BYTES,
                identifier(&model.name)
            );
        }
        if total_bytes > arch.dram.capacity_bytes {
            bail!(
                "{file}: field `dram.capacity_gbytes`: weights.bin is {total_bytes} bytes, more than the off-chip memory holds (got {})",
                arch.dram.capacity_bytes as f64 / 1e9
            );
        }
        let vectors = vectors_of(model, layers);
        let parts = design_resources::parts(design, arch.vector.lanes);
        let total = lutforge_fpga::resources::total(&parts);
        let utilization = lutforge_fpga::fit(design.device, &total)?;
        let mut codes = [0u8; 27];
        for (t, code) in codes.iter_mut().enumerate() {
            let w = [(t / 9) as i8 - 1, (t / 3 % 3) as i8 - 1, (t % 3) as i8 - 1];
            *code = pack3(w)?;
        }
        let config_hash = fnv(format!(
            "{}\0{model:?}\0{seed}\0{layers}\0{}",
            arch.toml,
            env!("CARGO_PKG_VERSION")
        )
        .as_bytes());
        Ok(Plan {
            arch_id: identifier(&arch.name),
            model_id: identifier(&model.name),
            raw_names: vec![arch.name.clone(), model.name.clone()],
            device: design.device,
            board: vivado::zynq_board(design.device.id),
            clock_mhz: arch.clock_mhz,
            tlmm,
            capacity,
            rtl_resources: (rtl_total, rtl_utilization),
            stream,
            matrices,
            header,
            placed,
            total_bytes,
            vectors,
            resources: design_resources::rows(design, arch.vector.lanes),
            utilization,
            layers,
            model_layers,
            seed,
            config_hash,
            codes,
        })
    }

    /// The XDC's file name.
    pub fn xdc_name(&self) -> String {
        format!("{}.xdc", self.arch_id)
    }

    /// The provenance header of every generated file.
    fn header_lines(&self, rtl_hash: &str) -> Vec<String> {
        vec![
            format!(
                "Generated by lutforge {} -- do not edit.",
                env!("CARGO_PKG_VERSION")
            ),
            format!(
                "arch: {}; device: {} ({}); model: {}; config hash: {}; RTL config hash: {}",
                self.arch_id,
                self.device.id,
                self.device.part,
                self.model_id,
                self.config_hash,
                if !rtl_hash.is_empty() && rtl_hash.chars().all(|c| c.is_ascii_alphanumeric()) {
                    rtl_hash.to_string()
                } else {
                    identifier(rtl_hash)
                }
            ),
            format!(
                "Memory images: the model's shapes, synthetic values (seed {}, layers {} of {}): no checkpoint is read.",
                self.seed, self.layers, self.model_layers
            ),
        ]
    }

    /// Code `j` (group of 3 weights) of row `o` of `m`: zero beyond the reduction.
    fn code(&self, m: &Matrix, o: u64, j: u64) -> u8 {
        let first = 3 * j;
        if first >= m.cols {
            return 0;
        }
        let groups = m.cols.div_ceil(3);
        let t = (mix(m.key ^ (o * groups + j).wrapping_mul(0xd6e8_feb8_6659_fd93)) % 27) as usize;
        if first + 2 < m.cols {
            return self.codes[t];
        }
        // The last group of a row whose length is not a multiple of 3: zero weights beyond it.
        let mut w = [t / 9, t / 3 % 3, t % 3];
        for (i, trit) in w.iter_mut().enumerate() {
            if first + i as u64 >= m.cols {
                *trit = 1;
            }
        }
        self.codes[w[0] * 9 + w[1] * 3 + w[2]]
    }

    /// The planes of chunk `c` of `m` (one per port).
    pub fn chunk_planes(&self, m: &Matrix, c: u64) -> Vec<Vec<u8>> {
        let first: u64 = (0..c).map(|i| share(m.rows, m.chunks, i)).sum();
        let rows = share(m.rows, m.chunks, c);
        let tables = u64::from(self.tlmm.spec.tables);
        self.stream.pack(rows * blocks(&self.tlmm, m.cols), |v, r| {
            let (b, o) = (v / rows, first + v % rows);
            u32::from(self.code(m, o, b * tables + u64::from(r)))
        })
    }

    /// The three weights of group `j` of row `o` of `m` (the unpacked code).
    #[cfg(test)]
    pub fn weights(&self, m: &Matrix, o: u64, j: u64) -> [i8; 3] {
        lutforge_models::numerics::ternary_pack::unpack3(self.code(m, o, j)).unwrap_or([0; 3])
    }

    /// `vectors.mem`'s words (fp16).
    fn vector_words(&self) -> Vec<u64> {
        let mut out = Vec::new();
        for (i, v) in self.vectors.iter().enumerate() {
            let key = mix(self.seed ^ mix(VECTOR_TAG | i as u64));
            for e in 0..v.words {
                let u = unit(mix(key ^ e));
                let value = if v.bias {
                    0.02 * (u - 0.5)
                } else {
                    1.0 + 0.2 * (u - 0.5)
                };
                out.push(u64::from(round_f64(FP16, value)));
            }
        }
        out
    }

    /// Everything but `weights.bin`, in memory, checked (steps 4 and 5).
    pub fn project(&self, bundle: &Bundle) -> anyhow::Result<Project> {
        check_bundle(bundle)?;
        let header = self.header_lines(&bundle.config_hash);
        let mem_names = ["vectors.mem", "scales.mem"];
        for f in bundle.verilog() {
            for name in readmemh_files(&f.text) {
                let base = name.rsplit('/').next().unwrap_or(&name);
                if !mem_names.contains(&base) {
                    bail!(
                        "{}: the RTL reads $readmemh(\"{}\"), which lutforge fpga does not write (it writes {})",
                        bundle.top,
                        identifier(&name),
                        mem_names.join(", ")
                    );
                }
            }
        }
        let vivado = VivadoProject {
            header: header.clone(),
            name: self.arch_id.clone(),
            device: self.device.id.to_string(),
            part: self.device.part.to_string(),
            top: bundle.top.clone(),
            clock_port: CLOCK_PORT.into(),
            reset_port: RESET_PORT.into(),
            clock_mhz: self.clock_mhz,
            sources: bundle
                .verilog()
                .map(|f| format!("rtl/{}", f.name))
                .collect(),
            mem_files: mem_names.iter().map(|m| format!("mem/{m}")).collect(),
            xdc: self.xdc_name(),
            board: self.board,
        };
        let mut files: Vec<(String, String)> = vec![
            ("project.tcl".into(), vivado.project_tcl()?),
            (self.xdc_name(), vivado.xdc_text()?),
        ];
        if let Some(bd) = vivado.block_design_tcl()? {
            files.push(("block_design.tcl".into(), bd));
        }
        for f in &bundle.files {
            files.push((format!("rtl/{}", f.name), f.text.clone()));
        }
        let mut vec_header = header.clone();
        vec_header.push(format!(
            "vectors.mem: {} fp16 words, one per line; vectors in the order of report.json's vectors_mem",
            self.vector_word_count()
        ));
        files.push((
            "mem/vectors.mem".into(),
            memh::image(&vec_header, 16, &self.vector_words()),
        ));
        let mut scale_header = header.clone();
        scale_header.push(format!(
            "scales.mem: {} f32 words, one per matrix in weights.bin directory order",
            self.matrices.len()
        ));
        let scales: Vec<u64> = self
            .matrices
            .iter()
            .map(|m| u64::from(m.scale.to_bits()))
            .collect();
        files.push((
            "mem/scales.mem".into(),
            memh::image(&scale_header, 32, &scales),
        ));
        files.push(("report.md".into(), self.report_md(&header)));
        files.push((
            "report.json".into(),
            serde_json::to_string_pretty(&self.report_json())? + "\n",
        ));
        files.push(("README.md".into(), self.readme(&header, &vivado, bundle)));
        for (name, text) in &files {
            for raw in &self.raw_names {
                let unsafe_chars = raw
                    .chars()
                    .any(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')));
                if unsafe_chars && text.contains(raw.as_str()) {
                    bail!(
                        "{name}: holds the name `{}` unsanitized; a user string with characters outside [A-Za-z0-9_.-] may reach no generated file",
                        identifier(raw)
                    );
                }
            }
        }
        Ok(Project {
            files,
            plan: self.clone(),
        })
    }

    /// Words of `vectors.mem`.
    fn vector_word_count(&self) -> u64 {
        self.vectors.iter().map(|v| v.words).sum()
    }

    /// BRAM36 tiles the two `.mem` images would take (not in the resource model).
    fn unmodelled_bram36(&self) -> f64 {
        (self.vector_word_count() as f64 * 16.0 + self.matrices.len() as f64 * 32.0) / BRAM36_BITS
    }

    /// The stream bytes of matrix `i` (what its loads read, padding between planes excluded).
    fn stream_bytes(&self, m: &Matrix) -> u64 {
        (0..m.chunks)
            .map(|c| tlmm_weight_bytes(&self.tlmm, share(m.rows, m.chunks, c), m.cols))
            .sum()
    }

    /// `report.md`.
    fn report_md(&self, header: &[String]) -> String {
        let mut t = String::new();
        for l in header {
            let _ = writeln!(t, "<!-- {l} -->");
        }
        let d = self.device;
        let _ = writeln!(
            t,
            "\n# {} on {} ({})\n\nModel {}: {} of {} decoder layers in the memory images. The values are synthetic (seed {}): lutforge has no checkpoint reader, so the shapes and the layout are the model's and the design's, the numbers are not.\n",
            self.arch_id, d.id, d.part, self.model_id, self.layers, self.model_layers, self.seed
        );
        let _ = writeln!(
            t,
            "## Resources\n\nThe design's resource table (the structural model of `lutforge simulate`, block by block) against the device:\n"
        );
        let _ = writeln!(t, "| block | LUTs | FFs | DSP | BRAM36 | URAM |");
        let _ = writeln!(t, "|---|---:|---:|---:|---:|---:|");
        for r in &self.resources {
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {} | {} |",
                identifier_words(&r.name),
                r.luts,
                r.ffs,
                r.dsp,
                r.bram36,
                r.uram
            );
        }
        let u = &self.utilization;
        let pct = |k: ResourceKind| format!("{:.1}%", u.get(k).fraction() * 100.0);
        let _ = writeln!(
            t,
            "| utilization | {} | {} | {} | {} | {} |",
            pct(ResourceKind::Luts),
            pct(ResourceKind::Ffs),
            pct(ResourceKind::Dsp),
            pct(ResourceKind::Bram36),
            pct(ResourceKind::Uram)
        );
        let (kind, fraction) = u.bottleneck();
        let _ = writeln!(
            t,
            "\nFit: the design fits {}; the fullest resource is {kind} at {:.1}%. (A design that does not fit is refused before any file is written.)\n",
            d.id,
            fraction * 100.0
        );
        let _ = writeln!(
            t,
            "Not in the resource model: the on-chip images `mem/vectors.mem` ({} x 16 bits) and `mem/scales.mem` ({} x 32 bits) would take {:.1} BRAM36 tiles ({:.1}% of the device's {}).\n",
            self.vector_word_count(),
            self.matrices.len(),
            self.unmodelled_bram36(),
            self.unmodelled_bram36() / f64::from(d.bram.count) * 100.0,
            d.bram.count
        );
        let _ = writeln!(t, "{}\n", self.capacity_text());
        let _ = writeln!(
            t,
            "## Memory images\n\n| file | holds | bytes |\n|---|---|---:|\n| weights.bin | {} ternary matrices (TLMM index streams, {} ports x {} bits) | {} |\n| mem/vectors.mem | {} fp16 vectors (norm weights, biases) | {} words |\n| mem/scales.mem | one f32 scale per matrix | {} words |",
            self.matrices.len(),
            self.stream.ports,
            self.stream.port_bits,
            self.total_bytes,
            self.vectors.len(),
            self.vector_word_count(),
            self.matrices.len()
        );
        t
    }

    /// `report.json` (schema in the module documentation).
    fn report_json(&self) -> serde_json::Value {
        use serde_json::json;
        let u = &self.utilization;
        let (kind, fraction) = u.bottleneck();
        let frac = |k: ResourceKind| u.get(k).fraction();
        json!({
            "schema": "lutforge-fpga-project/1",
            "arch": self.arch_id,
            "device": self.device.id,
            "part": self.device.part,
            "model": self.model_id,
            "clock_mhz": self.clock_mhz,
            "layers": self.layers,
            "model_layers": self.model_layers,
            "seed": self.seed,
            "synthetic_values": true,
            "config_hash": self.config_hash,
            "resources": self.resources.iter().map(|r| json!({
                "name": identifier_words(&r.name),
                "luts": r.luts, "ffs": r.ffs, "dsp": r.dsp, "bram36": r.bram36, "uram": r.uram,
            })).collect::<Vec<_>>(),
            "utilization": {
                "luts": frac(ResourceKind::Luts),
                "ffs": frac(ResourceKind::Ffs),
                "dsp": frac(ResourceKind::Dsp),
                "bram36": frac(ResourceKind::Bram36),
                "uram": frac(ResourceKind::Uram),
            },
            "fits": true,
            "bottleneck": {"resource": kind.to_string(), "fraction": fraction},
            "weights_bin": {
                "bytes": self.total_bytes,
                "matrices": self.matrices.iter().zip(&self.placed).map(|(m, p)| json!({
                    "name": p.entry.name,
                    "layer": m.layer,
                    "matrix": m.kind.name(),
                    "expert": m.expert,
                    "rows": m.rows,
                    "cols": m.cols,
                    "chunks": m.chunks,
                    "offset": p.offset,
                    "stride": p.stride,
                    "bytes": self.stream_bytes(m),
                    "scale": m.scale,
                })).collect::<Vec<_>>(),
            },
            "vectors_mem": {
                "width_bits": 16,
                "words": self.vector_word_count(),
                "vectors": self.vectors.iter().map(|v| json!({
                    "name": v.name, "layer": v.layer, "offset": v.offset, "words": v.words,
                })).collect::<Vec<_>>(),
            },
            "scales_mem": {"width_bits": 32, "words": self.matrices.len()},
            "unmodelled_on_chip_bram36": self.unmodelled_bram36(),
            "rtl_job_capacity": {
                "max_tokens": self.capacity.max_tokens,
                "max_outputs": u64::from(self.capacity.max_groups) * u64::from(self.tlmm.spec.lookup_lanes()),
                "weight_words": self.capacity.weight_words,
                "outputs_per_word": self.tlmm.spec.lookup_lanes(),
                "activations_per_block": self.tlmm.spec.block_activations(),
                "resources": {
                    "luts": self.rtl_resources.0.luts, "ffs": self.rtl_resources.0.ffs,
                    "dsp": self.rtl_resources.0.dsp, "bram36": self.rtl_resources.0.bram36,
                    "uram": self.rtl_resources.0.uram,
                },
            },
        })
    }

    /// What one job of the generated RTL holds and how the host runs the model's matrices.
    fn capacity_text(&self) -> String {
        let c = &self.capacity;
        let lanes = self.tlmm.spec.lookup_lanes();
        let (r, u) = &self.rtl_resources;
        let (kind, fraction) = u.bottleneck();
        format!(
            "The generated RTL needs {} LUTs, {} FFs, {} DSP, {} BRAM36 and {} URAM (`lutforge_fpga::generated_top`, the RTL's own structure; fullest {kind} at {:.1}%). The generated RTL (`rtl/`) runs jobs of up to {} tokens x {} outputs; its weight buffer is {} words of {lanes} outputs' index vectors for one {}-activation block (`fpga.tlmm.weight_buffer_kib` in whole words), and a job of B blocks and G output groups needs B x G words. Every row chunk of `weights.bin` is one job's weights: the host streams a chunk into `wld`, then its tokens {} at a time (each job reloads the chunk).",
            r.luts,
            r.ffs,
            r.dsp,
            r.bram36,
            r.uram,
            fraction * 100.0,
            c.max_tokens,
            u64::from(c.max_groups) * u64::from(lanes),
            c.weight_words,
            self.tlmm.spec.block_activations(),
            c.max_tokens
        )
    }

    /// The project's `README.md`.
    fn readme(&self, header: &[String], vivado: &VivadoProject, bundle: &Bundle) -> String {
        let mut t = String::new();
        for l in header {
            let _ = writeln!(t, "<!-- {l} -->");
        }
        let d = self.device;
        let s = &self.stream;
        let per_beat = if s.vector_bits() <= s.beat_bits() {
            format!(
                "{} whole vectors per beat (the top {} bits of each beat are zero)",
                s.beat_bits() / s.vector_bits(),
                s.beat_bits() % s.vector_bits()
            )
        } else {
            format!(
                "each vector in {} whole beats of its own",
                s.vector_bits().div_ceil(s.beat_bits())
            )
        };
        let bitstream = if self.board.is_some() {
            format!(
                "    vivado -mode batch -source project.tcl -tclargs flow=bitstream\n\nwraps the top in a block design with the Zynq UltraScale+ processing system (`block_design.tcl`, after FINN's Zynq shell): the top's AXI4 masters and one AXI DMA per AXI-Stream port reach DDR through `S_AXI_HP0_FPD`, its AXI-Lite slaves hang off `M_AXI_HPM0_FPD`, `pl_clk0` runs at {} MHz; then `launch_runs impl_1 -to_step write_bitstream` and the bitstream is copied to `{}.bit`. The block design finds the top's interfaces in Vivado and stops with an error if there are none. It was generated without Vivado and has not been run; the PS software (DMA set-up, loading `weights.bin` into DDR) is not generated.\n",
                self.clock_mhz, vivado.name
            )
        } else {
            format!(
                "There is no bitstream flow for {} yet (no platform shell is generated): `flow=bitstream` stops with an error.\n",
                d.id
            )
        };
        let _ = write!(
            t,
            "
# {arch} on {dev} ({part})

Generated by `lutforge fpga`. The memory images have the model's ({model}) exact shapes and
the design's real layout, but **synthetic values** drawn from seed {seed}: lutforge has no
checkpoint reader yet. {layers} of the model's {model_layers} decoder layers are in the images.

## On a machine with Vivado

    vivado -mode batch -source project.tcl

runs the default flow, `flow=ooc`: out-of-context synthesis and implementation of the
accelerator top `{top}` on {part} at {mhz} MHz (period {period} ns), with utilization and
timing reports in `reports/` (`utilization_synth.rpt`, `utilization_synth_hierarchical.rpt`,
`timing_synth.rpt`, `utilization_impl.rpt`, `timing_impl.rpt`). The top's AXI ports are far
wider than the package, so it is measured as a block, as FINN measures a stitched design; an
out-of-context run writes no bitstream.

{bitstream}
`-tclargs jobs=N` sets the parallel jobs (default 4). The Vivado project itself goes to
`vivado/`.

## Files

| file | what it is |
|---|---|
| `project.tcl` | the Vivado project: part, sources, constraints, runs, reports |
| `{xdc}` | the clock: `create_clock -period {period}` on `{clk}` (flow=ooc) |
{bd_row}| `rtl/` | the RTL from `lutforge_rtl::generate` ({nrtl} files, top `{top}`) |
| `mem/vectors.mem` | `$readmemh` image, 16-bit words: fp16 vectors (norm weights, biases), {nvec} words |
| `mem/scales.mem` | `$readmemh` image, 32-bit words: one f32 dequantization scale per matrix |
| `weights.bin` | the off-chip (DDR/HBM) weight image, {bytes} bytes, layout below |
| `report.md`, `report.json` | resources per block against {dev}, utilization, fit, the image directory |

## Memory image layout

`weights.bin` holds the {nmat} ternary matrices of the decoder layers (per layer q, k, v, o,
then the FFN's gate, up, down) as the TLMM engine's loader reads them. Three ternary weights
are one 5-bit code (sign bit 4, pattern index 0..13; `lutforge_models::numerics::ternary_pack`);
{tables} codes, one activation block of {block} weights of one output row, are one
{vbits}-bit index vector, code `r` in bits `5r..5r+4`. Vectors are packed into beats of
{ports} ports x {pbits} bits, port 0 in the low bits: {per_beat}. Each port reads its own
plane: its {pbits}-bit word of every beat, in beat order, little-endian.

All integers little-endian. Header (128 bytes): magic `LFWIMG01`, version 1, header bytes,
directory entries, entry bytes (64), plane alignment (4096), codes per vector, bits per code,
ports, bits per port word, layers in the image, layers of the model, weights per code (u32
each), seed and total file bytes (u64). Directory entry (64 bytes): name (16 bytes, e.g.
`L00.q`), layer, matrix (0 q .. 6 down), expert, rows n, columns k, row chunks (u32), offset
of plane (chunk 0, port 0) and plane stride (u64), scale (f32). Plane (chunk c, port p) starts
at `offset + (c * ports + p) * stride`, 4 KiB aligned (no AXI burst crosses 4 KiB).
A matrix too large for the weight buffer is loaded in row chunks ({load}); chunk c holds
`share(n, chunks, c)` rows, and within a chunk vector `b * rows + o` is block b of row o: all
outputs of one activation block before the next, the order the engine consumes them. The
bytes per chunk equal the simulator's `tlmm_weight_bytes` of its rows.

{capacity} The `wld` stream takes the chunk's vectors {lanes} outputs per beat (beat `(b, j)`
holds block b of outputs `j*{lanes} ..`; `lutforge_sim::fpga_dataflow::top` documents every
port), so a DMA engine between the AXI planes and `wld` regroups the vectors; it is not
generated.

`mem/vectors.mem` holds, for each layer, the attention norm, any extra norms, the FFN norm
(and biases, if the model has them), then the final norm; `report.json` (`vectors_mem`) lists
each vector's word offset. The simulator charges no off-chip traffic for these vectors, so
they are on-chip memories here; the resource model does not count them ({bram:.1} BRAM36
tiles, see `report.md`).
",
            arch = self.arch_id,
            dev = d.id,
            part = d.part,
            model = self.model_id,
            seed = self.seed,
            layers = self.layers,
            model_layers = self.model_layers,
            top = bundle.top,
            mhz = self.clock_mhz,
            period = vivado.period_ns(),
            bitstream = bitstream,
            xdc = self.xdc_name(),
            clk = CLOCK_PORT,
            bd_row = if self.board.is_some() {
                "| `block_design.tcl` | the processing-system wrapper for `flow=bitstream` |\n"
            } else {
                ""
            },
            nrtl = bundle.files.len(),
            nvec = self.vector_word_count(),
            bytes = self.total_bytes,
            nmat = self.matrices.len(),
            tables = s.codes,
            block = u64::from(s.codes) * TERNARY_GROUP as u64,
            vbits = s.vector_bits(),
            ports = s.ports,
            pbits = s.port_bits,
            per_beat = per_beat,
            load = match self.tlmm.weight_load {
                WeightLoad::Preload => "this design preloads each matrix whole when it fits",
                WeightLoad::Stream { .. } => "this design streams its weights: one chunk each",
            },
            bram = self.unmodelled_bram36(),
            capacity = self.capacity_text(),
            lanes = self.tlmm.spec.lookup_lanes(),
        );
        t
    }
}

/// A resource-table name as identifier words (`FIFOs between engines` stays readable, a
/// device's id is already one).
fn identifier_words(name: &str) -> String {
    name.split(' ')
        .map(identifier)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Activation blocks of a reduction of `k`.
fn blocks(tlmm: &Tlmm, k: u64) -> u64 {
    k.div_ceil(u64::from(tlmm.spec.group * tlmm.spec.tables))
}

/// The vectors of `vectors.mem` as they are laid out, one after another.
struct Vectors {
    out: Vec<VectorEntry>,
    offset: u64,
    layer_norm: bool,
}

impl Vectors {
    fn push(&mut self, name: &str, layer: Option<u64>, words: u64, bias: bool) {
        self.out.push(VectorEntry {
            name: name.to_string(),
            layer,
            offset: self.offset,
            words,
            bias,
        });
        self.offset += words;
    }

    /// A norm of `width`: its weight, and its bias for LayerNorm.
    fn norm(&mut self, name: &str, layer: Option<u64>, width: u64) {
        self.push(&format!("{name}.weight"), layer, width, false);
        if self.layer_norm {
            self.push(&format!("{name}.bias"), layer, width, true);
        }
    }
}

/// The part of `model` the weight image does not lay out, if any: multi-head latent
/// attention, shared experts, or dense layers beside the experts.
fn unwritten_feature(model: &ModelConfig) -> Option<&'static str> {
    if let Attention::Latent(_) = model.attention {
        return Some("multi-head latent attention");
    }
    let moe = model.moe?;
    if moe.shared_intermediate_size > 0 {
        Some("shared experts")
    } else if moe.dense_layers > 0 {
        Some("dense layers beside the experts")
    } else {
        None
    }
}

/// The fp16 vectors of the first `layers` layers of `model`, then the final norm, mirroring
/// the tensors `models/src/params.rs` counts (norm weights, LayerNorm biases, linear biases).
fn vectors_of(model: &ModelConfig, layers: u64) -> Vec<VectorEntry> {
    let h = model.hidden_size;
    let mut v = Vectors {
        out: Vec::new(),
        offset: 0,
        layer_norm: model.norm == NormKind::LayerNorm,
    };
    for layer in 0..layers {
        let l = Some(layer);
        v.norm("attn_norm", l, h);
        match model.model_type.as_str() {
            "qwen3" => {
                v.norm("q_norm", l, model.head_dim);
                v.norm("k_norm", l, model.head_dim);
            }
            "bitnet" => {
                v.norm("attn_sub_norm", l, h);
                v.norm("ffn_sub_norm", l, model.intermediate_size);
            }
            "gemma3" | "gemma3_text" => {
                v.norm("post_attn_norm", l, h);
                v.norm("post_ffn_norm", l, h);
                v.norm("q_norm", l, model.head_dim);
                v.norm("k_norm", l, model.head_dim);
            }
            _ => {
                for i in 0..model.extra_norms_per_layer {
                    v.norm(&format!("extra_norm{i}"), l, h);
                }
            }
        }
        v.norm("ffn_norm", l, h);
        if model.qkv_bias {
            v.push("q.bias", l, model.q_dim(), true);
            v.push("k.bias", l, model.kv_dim(), true);
            v.push("v.bias", l, model.kv_dim(), true);
        }
        if model.linear_bias {
            let inter = model.expert_width();
            v.push("o.bias", l, h, true);
            for expert in 0..model.num_experts() {
                let e = if model.moe.is_some() {
                    format!("e{expert:02}.")
                } else {
                    String::new()
                };
                if model.gated_ffn {
                    v.push(&format!("{e}gate.bias"), l, inter, true);
                }
                v.push(&format!("{e}up.bias"), l, inter, true);
                v.push(&format!("{e}down.bias"), l, h, true);
            }
        }
    }
    v.norm("final_norm", None, h);
    v.out
}

/// The files of `$readmemh("...")` calls in Verilog text.
fn readmemh_files(text: &str) -> Vec<String> {
    text.match_indices("$readmemh")
        .filter_map(|(i, m)| {
            let rest = text[i + m.len()..].trim_start().strip_prefix('(')?;
            let rest = rest.trim_start().strip_prefix('"')?;
            Some(rest[..rest.find('"')?].to_string())
        })
        .collect()
}

/// Checks the RTL bundle the project refers to (step 4 of the module documentation).
fn check_bundle(bundle: &Bundle) -> anyhow::Result<()> {
    if !is_identifier(&bundle.top) {
        bail!(
            "the RTL's top module `{}` is not an identifier",
            identifier(&bundle.top)
        );
    }
    if let Some(f) = bundle.files.iter().find(|f| !is_file_name(&f.name)) {
        bail!(
            "the RTL bundle names a file `{}`, not a plain file name",
            identifier(&f.name)
        );
    }
    let header = bundle
        .verilog()
        .find_map(|f| {
            let at = f
                .text
                .find(&format!("module {} ", bundle.top))
                .or_else(|| f.text.find(&format!("module {}(", bundle.top)))?;
            let rest = &f.text[at..];
            Some(rest[..rest.find(");").unwrap_or(rest.len())].to_string())
        })
        .ok_or_else(|| anyhow!("the RTL bundle has no module {}", bundle.top))?;
    let words: Vec<&str> = header
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    for port in [CLOCK_PORT, RESET_PORT] {
        if !words.contains(&port) {
            bail!(
                "{}: the top module has no `{port}` port; the XDC and the block design drive `{CLOCK_PORT}` and `{RESET_PORT}`",
                bundle.top
            );
        }
    }
    Ok(())
}

/// The generated project, ready to write.
#[derive(Debug, Clone)]
pub struct Project {
    /// Text files, by path relative to the output directory.
    pub files: Vec<(String, String)>,
    /// The plan (for `weights.bin`).
    pub plan: Plan,
}

impl Project {
    /// Writes every file into `dir` (each atomically: a temporary file, then a rename).
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        for (name, text) in &self.files {
            let path = dir.join(name);
            lutforge_sim::output::write_atomic(&path, text.as_bytes())
                .with_context(|| format!("{}: cannot write", path.display()))?;
        }
        let path = dir.join("weights.bin");
        self.write_weights(&path)
            .with_context(|| format!("{}: cannot write", path.display()))
    }

    /// Streams `weights.bin` to a temporary file beside `path`, then renames it.
    fn write_weights(&self, path: &Path) -> std::io::Result<()> {
        let plan = &self.plan;
        let tmp = path.with_file_name(format!(".weights.bin.tmp{}", std::process::id()));
        let result = (|| {
            let file = std::fs::File::create(&tmp)?;
            let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
            let head = image::header_bytes(&plan.header, &plan.placed, plan.total_bytes);
            out.write_all(&head)?;
            let mut written = head.len() as u64;
            for (m, p) in plan.matrices.iter().zip(&plan.placed) {
                let planes: Vec<Vec<Vec<u8>>> =
                    (0..m.chunks).map(|c| plan.chunk_planes(m, c)).collect();
                image::write_planes(&mut out, p, &planes, &mut written)?;
            }
            if written != plan.total_bytes {
                return Err(std::io::Error::other(format!(
                    "wrote {written} bytes, the header says {}",
                    plan.total_bytes
                )));
            }
            let file = out.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            std::fs::rename(&tmp, path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }
}

#[cfg(test)]
mod tests;
