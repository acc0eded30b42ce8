//! Verilog generator for the architectures that `sim` models: one typed Verilog AST, one printer.
//!
//! # Why not `rust-hdl`
//!
//! `rust-hdl` 0.46 was evaluated first (it was asked for by name). It builds with today's stable
//! Rust, but on a 10-line accumulator (`DFF<Bits<16>>` plus an adder) its `generate_verilog`
//! output
//! * names every sub-signal with `$` (`acc$d`, `top$acc`), which many FPGA and ASIC flows reject
//!   or escape;
//! * resets registers through an `initial` block, not synthesizable on ASICs;
//! * emits all modules into one file, so `verilator -Wall` reports `DECLFILENAME`, and a
//!   zero-extension written by the library as `((d) & 16'hffff)` trips `WIDTH`.
//!
//! `verilator --lint-only -Wall` must report nothing on lutforge's output, and the RTL has to
//! match a cycle-level specification register for register, so a post-pass over rust-hdl's
//! text would be string surgery on a generator we do not control. lutforge therefore has its own
//! small typed AST ([`verilog`]): modules, ports, wires/registers/memories, width-exact
//! expressions, clocked `always` blocks and instances, rendered by exactly one printer
//! ([`verilog::print_module`], [`verilog::print_file`]). No other code writes Verilog text.
//!
//! # Output
//!
//! [`generate`] turns an [`Arch`] into a [`Bundle`] through the family's line of [`GENERATORS`]:
//! one Verilog file `<prefix>_top.v` holding the top module first and then its submodules (LUT:
//! controller, precompute unit, table buffer, lookup-accumulate array and unit; MAC: controller,
//! dequantize unit, dot-product unit; FPGA dataflow: TLMM engine, FIFO, element-wise
//! requantizer, see [`fpga_dataflow`]), `files.f` and a FuseSoC CAPI2 `.core`. A bundle's
//! [`Bundle::notes`] say what the design leaves out of the architecture (an FPGA engine that has
//! no RTL yet). One file, because
//! flows and scripts that take a single source file (`yosys -p "read_verilog FILE; ..."`) must
//! see the whole design; Verilator's `DECLFILENAME` naming rule is waived after the top module
//! (see [`verilog::print_file`]).
//! Every file starts with a provenance header: tool version, architecture name and a hash of
//! the parameters the RTL depends on; never a timestamp or a path, so output is byte-for-byte
//! reproducible.
//!
//! **Architecture invariant:** this crate runs no external tool (Verilator and Yosys run only
//! from `lutforge-testbench` and `lutforge-fpga`).

pub mod arith;
pub mod board;
pub mod fp_add;
pub mod fpga_dataflow;
pub mod lut_tensor_core;
pub mod mac_tensor_core;
pub mod sram_pim;
pub mod streams;
pub mod verilog;

use std::path::Path;

use lutforge_models::numerics::fp::{FP16, FP32};
use lutforge_sim::lut_tensor_core::LutArray;
use lutforge_sim::mac_tensor_core::MacArray;
use lutforge_sim::Arch;
use thiserror::Error;

/// A deliberate defect, used only by tests that prove co-simulation can fail. Each names the
/// block it applies to; the other blocks' generators ignore it.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlantedBug {
    /// LUT: the mirrored half of a symmetric table is not negated (wrong sign).
    MirroredSign,
    /// LUT: a result beat counts as transferred whether or not the sink is ready (a
    /// back-pressure bug: invisible while `res_ready` is always high).
    ResultIgnoresReady,
    /// MAC: the dequantize stage passes the `mult_bits` field through instead of sign-extending
    /// the code from bit `weight_bits - 1`.
    DequantNoSignExtend,
    /// MAC: the controller refuses the next `cmd` for one cycle after a tile's last result (an
    /// idle gap between back-to-back tiles: invisible to a harness that counts cycles only
    /// from each `cmd` transfer).
    IdleAfterTile,
    /// LUT: the floating-point adders truncate instead of rounding to nearest even.
    FpTruncate,
    /// LUT: the signed-binary plane is treated as a negative (two's complement MSB) plane.
    BinaryNegates,
    /// FPGA TLMM: table entry 2 (`a1 - a2`) is built as `a1 + a2` (a sign flipped).
    TableEntrySign,
    /// FPGA FIFO: `in_ready` stays high when full and the beat is dropped (a back-pressure
    /// bug: invisible while the FIFO never fills).
    FifoDropsWhenFull,
    /// SRAM-PIM bank: the top bit plane of a weight is added like the others instead of
    /// subtracted (two's complement weights read as unsigned).
    PimTopPlaneAdds,
    /// SRAM-PIM bank: a pattern check takes its activations whether or not `act_valid` is
    /// high (a back-pressure bug: invisible while the source is always valid).
    PimActIgnoresValid,
}

impl PlantedBug {
    /// The adder defect this bug plants, if any.
    pub fn adder(self) -> Option<fp_add::AdderBug> {
        (self == PlantedBug::FpTruncate).then_some(fp_add::AdderBug::Truncate)
    }
}

/// Errors of the generator.
#[derive(Debug, Error)]
pub enum RtlError {
    /// The architecture kind has no RTL generator.
    #[error("{file}: field `kind`: no RTL generator for architecture kind `{kind}` (supported: {supported})")]
    UnsupportedKind {
        /// The architecture file.
        file: String,
        /// Its kind.
        kind: String,
        /// The kinds that have a generator.
        supported: String,
    },
    /// The architecture is a mode of its family that has no RTL (it is simulated only).
    #[error("{file}: field `{field}`: {reason} (got {value})")]
    SimulationOnly {
        /// The architecture file.
        file: String,
        /// The field that selects the mode.
        field: &'static str,
        /// Its value, as written.
        value: String,
        /// What has no RTL.
        reason: &'static str,
    },
    /// An accelerator the board wrapper cannot wrap.
    #[error("board wrapper of `{module}`: {message}")]
    BoardWrapper {
        /// The accelerator's module.
        module: String,
        /// What is wrong with its ports.
        message: String,
    },
    /// The architecture's parameters give no buildable design.
    #[error("{file}: {message}")]
    Unbuildable {
        /// The architecture file.
        file: String,
        /// Why.
        message: String,
    },
    /// Writing an output file failed.
    #[error("{path}: cannot write: {message}")]
    Write {
        /// File or directory.
        path: String,
        /// The operating system's reason.
        message: String,
    },
}

/// Generator options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// A deliberate defect for tests that prove verification can fail; never set by users.
    #[doc(hidden)]
    pub planted_bug: Option<PlantedBug>,
    /// The job capacity of an FPGA pipeline top's TLMM engine (a project sizes it for its
    /// model); `None`: [`lutforge_sim::fpga_dataflow::top::TlmmCapacity::of`] the architecture.
    pub tlmm_capacity: Option<lutforge_sim::fpga_dataflow::top::TlmmCapacity>,
}

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// File name (no directory).
    pub name: String,
    /// Contents.
    pub text: String,
}

/// Everything generated for one architecture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// Name of the top module.
    pub top: String,
    /// The Verilog file, then `files.f` and the `.core` file.
    pub files: Vec<GeneratedFile>,
    /// Hash of the parameters the RTL depends on (hex), as printed in the headers.
    pub config_hash: String,
    /// The top module's ports, in declaration order (what a board wrapper,
    /// [`board::Accelerator::of_bundle`], connects to).
    pub ports: Vec<verilog::Port>,
    /// What the design leaves out of the architecture (engines without RTL, capacities), one
    /// sentence each; `lutforge rtl` prints them.
    pub notes: Vec<String>,
}

impl Bundle {
    /// The Verilog files, in compile order.
    pub fn verilog(&self) -> impl Iterator<Item = &GeneratedFile> {
        self.files.iter().filter(|f| f.name.ends_with(".v"))
    }

    /// Hash of every file's name and contents (hex); keys build caches.
    pub fn content_hash(&self) -> String {
        let mut h = Fnv::new();
        for f in &self.files {
            h.write(f.name.as_bytes());
            h.write(&[0]);
            h.write(f.text.as_bytes());
            h.write(&[0]);
        }
        format!("{:016x}", h.0)
    }

    /// Writes every file into `dir` (created if missing), each atomically (temp file + rename).
    pub fn write_to(&self, dir: &Path) -> Result<(), RtlError> {
        let err = |path: &Path, e: std::io::Error| RtlError::Write {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        for f in &self.files {
            let path = dir.join(&f.name);
            lutforge_sim::output::write_atomic(&path, f.text.as_bytes())
                .map_err(|e| err(&path, e))?;
        }
        Ok(())
    }
}

/// 64-bit FNV-1a, for stable content hashes without a dependency.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// Module-name prefix from an architecture name: lowercase, non-alphanumerics as `_`.
pub fn module_prefix(arch_name: &str) -> String {
    let mut s: String = arch_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s.insert_str(0, "m_");
    }
    s
}

/// The canonical parameter string the config hash covers.
fn canonical(name: &str, a: &LutArray) -> String {
    format!(
        "name={name};tile_m={};tile_n={};tile_k={};group={};symmetric={};max_weight_bits={};act_bits={};acc_bits={};precompute={};act_format={}",
        a.tile_m,
        a.tile_n,
        a.tile_k,
        a.group,
        a.symmetric,
        a.max_weight_bits,
        a.act_bits,
        a.acc_bits,
        a.precompute.as_str(),
        a.act_format.as_str()
    )
}

/// Generates the RTL of an architecture (after [`check`]).
pub fn generate(arch: &Arch, options: Options) -> Result<Bundle, RtlError> {
    check(arch)?;
    GENERATORS
        .iter()
        .find(|g| g.kind == arch.kind())
        .and_then(|g| (g.generate)(arch, options))
        .ok_or_else(|| unsupported_kind(arch))
}

/// Whether `arch` has RTL: its kind has a line in [`GENERATORS`] and that generator accepts its
/// parameters (a simulation-only mode is refused with [`RtlError::SimulationOnly`]).
pub fn check(arch: &Arch) -> Result<(), RtlError> {
    let generator = GENERATORS
        .iter()
        .find(|g| g.kind == arch.kind())
        .ok_or_else(|| unsupported_kind(arch))?;
    (generator.check)(arch)
}

pub(crate) fn unsupported_kind(arch: &Arch) -> RtlError {
    RtlError::UnsupportedKind {
        file: arch.source.clone(),
        kind: arch.kind().to_string(),
        supported: GENERATORS
            .iter()
            .map(|g| g.kind)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The RTL generator of one architecture family (named by the family's `kind`, like its folder
/// in every crate).
pub struct Generator {
    /// The family's kind string.
    pub kind: &'static str,
    /// Refuses parameters the generator has no RTL for (run before `generate`).
    pub check: fn(&Arch) -> Result<(), RtlError>,
    /// Generates the RTL of an architecture of that kind (`None` for another family's).
    pub generate: fn(&Arch, Options) -> Option<Bundle>,
}

/// Every family that has an RTL generator, one line each.
pub static GENERATORS: &[Generator] = &[
    Generator {
        kind: "lut_tensor_core",
        check: |_| Ok(()),
        generate: |arch, options| Some(generate_lut(&arch.name, arch.machine_as()?, options)),
    },
    Generator {
        kind: "mac_tensor_core",
        check: mac_tensor_core::check,
        generate: |arch, options| Some(generate_mac(&arch.name, arch.machine_as()?, options)),
    },
    Generator {
        kind: "fpga_dataflow",
        check: fpga_dataflow::check,
        generate: |arch, options| {
            let spec = fpga_dataflow::top_spec(arch, options.tlmm_capacity).ok()?;
            Some(generate_fpga(&arch.name, &spec, options))
        },
    },
    Generator {
        kind: "sram_pim",
        check: |_| Ok(()),
        generate: |arch, options| {
            let machine = arch.machine_as::<lutforge_sim::sram_pim::family::PimMachine>()?;
            Some(sram_pim::generate(&arch.name, &machine.pim.bank, options))
        },
    },
];

/// Generates the RTL of a LUT tensor-core tile named `name`.
pub fn generate_lut(name: &str, array: &LutArray, options: Options) -> Bundle {
    let dims = lut_tensor_core::Dims::of(array);
    let names = lut_tensor_core::Names {
        prefix: module_prefix(name),
    };
    let mut h = Fnv::new();
    h.write(canonical(name, array).as_bytes());
    if let Some(bug) = options.planted_bug {
        h.write(format!("{bug:?}").as_bytes());
    }
    let config_hash = format!("{:016x}", h.0);
    let header = vec![
        format!("Generated by lutforge-rtl {} -- do not edit.", env!("CARGO_PKG_VERSION")),
        format!("arch: {name}; config hash: {config_hash} (FNV-1a 64 of the tile parameters)"),
        format!(
            "tile: M={} N={} tile_k={} g={} {} tables, max_weight_bits={} act_bits={} acc_bits={} precompute={} act_format={}",
            array.tile_m,
            array.tile_n,
            array.tile_k,
            array.group,
            if array.symmetric { "symmetric" } else { "plain" },
            array.max_weight_bits,
            array.act_bits,
            array.acc_bits,
            array.precompute.as_str(),
            array.act_format.as_str()
        ),
        String::new(),
    ];
    let mut modules = vec![
        lut_tensor_core::top(&dims, &names),
        lut_tensor_core::controller(&dims, &names, options.planted_bug),
        lut_tensor_core::precompute(&dims, &names),
        lut_tensor_core::table_ram(&dims, &names),
        lut_tensor_core::lau_array(&dims, &names),
        lut_tensor_core::lau(&dims, &names, options.planted_bug),
    ];
    if dims.fp.is_some() {
        let bug = options.planted_bug.and_then(PlantedBug::adder);
        for fmt in [FP16, FP32] {
            modules.push(fp_add::fp_add(&names, fmt, bug));
        }
    }
    assemble(
        name,
        &names.prefix,
        Family {
            kind: "lut_tensor_core",
            what: "LUT tensor-core tile",
        },
        &header,
        &modules,
        config_hash,
        Vec::new(),
    )
}

/// What the `.core` file says about a family.
struct Family {
    kind: &'static str,
    what: &'static str,
}

/// The bundle of one design: the Verilog file (`modules[0]` is the top), `files.f` and the
/// FuseSoC `.core`, every file headed by `header`.
fn assemble(
    name: &str,
    prefix: &str,
    family: Family,
    header: &[String],
    modules: &[verilog::Module],
    config_hash: String,
    notes: Vec<String>,
) -> Bundle {
    // The name and header lines go into comments and YAML: one line each.
    let name = &verilog::one_line(name);
    let header: Vec<String> = header.iter().map(|l| verilog::one_line(l)).collect();
    let header = &header[..];
    let mut files = vec![GeneratedFile {
        name: format!("{}.v", modules[0].name),
        text: verilog::print_file(header, modules),
    }];
    let hash_lines: String = header
        .iter()
        .map(|l| {
            if l.is_empty() {
                "#\n".to_string()
            } else {
                format!("# {l}\n")
            }
        })
        .collect();
    let list: String = files.iter().map(|f| format!("{}\n", f.name)).collect();
    let top = format!("{prefix}_top");
    let core_files: String = files
        .iter()
        .map(|f| format!("      - {}\n", f.name))
        .collect();
    let core = format!(
        "CAPI=2:\n{hash_lines}name: lutforge:{kind}:{prefix}:{version}\ndescription: {what} generated by lutforge for arch {name}\n\nfilesets:\n  rtl:\n    files:\n{core_files}    file_type: verilogSource\n\ntargets:\n  default: &default\n    filesets: [rtl]\n    toplevel: {top}\n  lint:\n    <<: *default\n    default_tool: verilator\n    tools:\n      verilator:\n        mode: lint-only\n        verilator_options: [-Wall]\n",
        kind = family.kind,
        what = family.what,
        version = env!("CARGO_PKG_VERSION"),
    );
    let list_header: String = header
        .iter()
        .map(|l| {
            if l.is_empty() {
                "//\n".to_string()
            } else {
                format!("// {l}\n")
            }
        })
        .collect();
    files.push(GeneratedFile {
        name: "files.f".into(),
        text: format!("{list_header}{list}"),
    });
    files.push(GeneratedFile {
        name: format!("{prefix}.core"),
        text: core,
    });
    Bundle {
        top,
        files,
        config_hash,
        ports: modules[0].ports.clone(),
        notes,
    }
}

/// Generates the RTL of a MAC tensor-core tile named `name`.
///
/// # Panics
///
/// On an array in the fp16 mode, which has no RTL ([`generate`] and [`check`] refuse it with
/// an error first).
pub fn generate_mac(name: &str, array: &MacArray, options: Options) -> Bundle {
    assert!(
        !array.is_fp(),
        "the fp16 MAC mode has no RTL (lutforge_rtl::check refuses it)"
    );
    let names = lut_tensor_core::Names {
        prefix: module_prefix(name),
    };
    let mut h = Fnv::new();
    h.write(
        format!(
            "name={name};kind=mac_tensor_core;tile_m={};tile_n={};tile_k={};mult_bits={};acc_bits={};pipeline_cycles={}",
            array.tile_m, array.tile_n, array.tile_k, array.mult_bits, array.acc_bits, array.pipeline_cycles
        )
        .as_bytes(),
    );
    if let Some(bug) = options.planted_bug {
        h.write(format!("{bug:?}").as_bytes());
    }
    let config_hash = format!("{:016x}", h.0);
    let header = vec![
        format!(
            "Generated by lutforge-rtl {} -- do not edit.",
            env!("CARGO_PKG_VERSION")
        ),
        format!("arch: {name}; config hash: {config_hash} (FNV-1a 64 of the tile parameters)"),
        format!(
            "tile: MAC M={} N={} tile_k={} mult_bits={} acc_bits={} pipeline_cycles={}",
            array.tile_m,
            array.tile_n,
            array.tile_k,
            array.mult_bits,
            array.acc_bits,
            array.pipeline_cycles
        ),
        String::new(),
    ];
    let modules = mac_tensor_core::modules(array, &names, options.planted_bug);
    assemble(
        name,
        &names.prefix,
        Family {
            kind: "mac_tensor_core",
            what: "MAC tensor-core tile",
        },
        &header,
        &modules,
        config_hash,
        Vec::new(),
    )
}

/// Generates the RTL of an FPGA dataflow architecture named `name`: its pipeline top
/// ([`fpga_dataflow`]).
pub fn generate_fpga(
    name: &str,
    spec: &lutforge_sim::fpga_dataflow::top::TopSpec,
    options: Options,
) -> Bundle {
    let prefix = module_prefix(name);
    let mut h = Fnv::new();
    h.write(fpga_dataflow::canonical(name, spec).as_bytes());
    if let Some(bug) = options.planted_bug {
        h.write(format!("{bug:?}").as_bytes());
    }
    let config_hash = format!("{:016x}", h.0);
    let header = vec![
        format!(
            "Generated by lutforge-rtl {} -- do not edit.",
            env!("CARGO_PKG_VERSION")
        ),
        format!("arch: {name}; config hash: {config_hash} (FNV-1a 64 of the top parameters)"),
        fpga_dataflow::describe(spec),
        String::new(),
    ];
    let modules = fpga_dataflow::modules(spec, &prefix, options);
    assemble(
        name,
        &prefix,
        Family {
            kind: "fpga_dataflow",
            what: "FPGA dataflow pipeline top",
        },
        &header,
        &modules,
        config_hash,
        spec.notes(),
    )
}
