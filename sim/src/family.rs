//! The family seam: what an architecture family provides, and the one registry that names them.
//!
//! A family (LUT tensor core, MAC tensor core, systolic array, ...) is one folder of this crate,
//! named by its `kind` string, that implements [`Family`] (its name, its config section and the
//! validation of that section) and returns a validated [`Machine`] (which formats it runs and
//! why not, the fast per-op cost, area). The schedulers ([`crate::schedule`]) and the memory
//! system ([`crate::memory`]) are shared and live outside the family folders. Adding a family
//! touches its folder and one line of [`FAMILIES`]; parsing, `lutforge list`, `simulate`,
//! sweeps and reports all go through the registry. `sim/tests/family_seam.rs` plugs a family
//! defined outside this crate into a [`Registry`] and simulates a model on it.

use std::any::Any;
use std::fmt::Debug;
use std::sync::Arc;

use lutforge_models::{ActFormat, KvFormat, Limit, WeightFormat};
use lutforge_workloads::GemmOperand;

use crate::arch::raw::RawBuffers;
use crate::arch::{Arch, Buffers, Check, VectorUnit};
use crate::dataflow::Dataflow;
use crate::energy::area::AreaModel;
use crate::energy::{EnergyBreakdown, EnergyModel};
use crate::error::SimError;
use crate::mapper::MAX_CYCLES;
use crate::schedule::Schedule;

/// Every architecture family this build knows, one line each.
pub static FAMILIES: &[&dyn Family] = &[
    &crate::lut_tensor_core::family::LutTensorCore,
    &crate::mac_tensor_core::family::MacTensorCore,
    &crate::systolic::family::SystolicFamily,
    &crate::fpga_dataflow::family::FpgaDataflow,
    &crate::sram_pim::family::SramPimFamily,
    &crate::cpu::family::CpuFamily,
];

/// An architecture family: its name, its configuration section, and how that section is
/// validated into a [`Machine`].
pub trait Family: Sync + Send {
    /// The `kind` string of architecture files, e.g. `lut_tensor_core`.
    fn kind(&self) -> &'static str;
    /// One line for `lutforge list`.
    fn description(&self) -> &'static str;
    /// The family's own TOML section, e.g. `lut` for `[lut]`.
    fn section(&self) -> &'static str;
    /// The range of every numeric field of the family's section, by field name.
    fn limits(&self) -> &'static [(&'static str, Limit)];
    /// The ranges of the section's nested tables, by dotted path (`fpga.tlmm`), for
    /// `lutforge list`; none by default.
    fn subsection_limits(&self) -> &'static [SectionLimits] {
        &[]
    }
    /// Validates the family's section (`None` when the file has none) and the per-core buffers
    /// (`[buffers]`, `None` when absent) into a machine and the buffers it uses.
    fn validate(&self, input: FamilyInput<'_>) -> Result<Validated, SimError>;
    /// The schedules a machine of this family can run under; the first is the default.
    fn schedules(&self) -> &'static [Schedule] {
        &[Schedule::Sequential, Schedule::Overlapped]
    }
}

/// A nested table's dotted path and the range of each of its numeric fields.
pub type SectionLimits = (&'static str, &'static [(&'static str, Limit)]);

/// What a family's validation sees of an architecture file.
pub struct FamilyInput<'a> {
    /// The family's section, as parsed TOML.
    pub section: Option<toml::Value>,
    /// The `[buffers]` section, if the file has one.
    pub buffers: Option<&'a RawBuffers>,
    /// The validated `[vector]` unit (a dataflow design's element-wise engine).
    pub vector: VectorUnit,
    /// Field checks naming the file.
    pub check: &'a Check<'a>,
}

impl FamilyInput<'_> {
    /// The family's section deserialized into `T` (serde, `deny_unknown_fields` on `T`), or the
    /// error for a missing section.
    pub fn section<T: serde::de::DeserializeOwned>(
        &self,
        family: &dyn Family,
    ) -> Result<T, SimError> {
        let Some(value) = self.section.clone() else {
            return Err(SimError::invalid(
                self.check.file,
                family.section(),
                "missing",
                format!(
                    "kind `{}` needs a [{}] section",
                    family.kind(),
                    family.section()
                ),
            ));
        };
        self.check.deserialize(family.section(), value)
    }

    /// The `[buffers]` section, required.
    pub fn buffers(&self) -> Result<&RawBuffers, SimError> {
        self.buffers.ok_or_else(|| {
            SimError::invalid(
                self.check.file,
                "buffers",
                "missing",
                "needs a [buffers] section",
            )
        })
    }
}

/// A validated family section and the per-core buffers it runs with.
pub struct Validated {
    /// The family's machine.
    pub machine: Arc<dyn Machine>,
    /// Per-core on-chip buffers.
    pub buffers: Buffers,
}

/// One matrix product as a family sees it: `count` independent (m x k) by (k x n) products.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GemmJob {
    /// Activation rows.
    pub m: u64,
    /// Output columns.
    pub n: u64,
    /// Reduction depth.
    pub k: u64,
    /// Independent instances.
    pub count: u64,
    /// The low-precision operand.
    pub operand: GemmOperand,
    /// Activation format.
    pub act: ActFormat,
    /// Reduction elements per weight scale (`None`: one per output channel, or unscaled).
    pub scale_group: Option<u64>,
}

/// What a family's array alone costs for one op: cycles, peak rate and dynamic energy (pJ).
/// The memory system adds DRAM traffic and overlap on top.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArrayCost {
    /// Cycles the array computes, across all cores in parallel.
    pub compute_cycles: u64,
    /// Peak arithmetic rate for this op's precision, FLOP per cycle.
    pub peak_flops_per_cycle: f64,
    /// Dynamic energy, pJ, by category.
    pub energy_pj: EnergyBreakdown,
}

impl ArrayCost {
    /// The cost of an op the machine cannot run on its array: [`MAX_CYCLES`], no rate, no
    /// energy (the engine refuses any op that takes that long).
    pub fn uncostable() -> ArrayCost {
        ArrayCost {
            compute_cycles: MAX_CYCLES,
            peak_flops_per_cycle: 0.0,
            energy_pj: EnergyBreakdown::default(),
        }
    }
}

/// A validated family configuration: everything the shared engine asks of a family.
pub trait Machine: Debug + Send + Sync + Any {
    /// The family's `kind` string.
    fn kind(&self) -> &'static str;
    /// Downcasting, for the RTL generator and co-simulation driver of the same family.
    fn as_any(&self) -> &dyn Any;
    /// Why weights of this format cannot run here, if they cannot.
    fn weight_problem(&self, weight: WeightFormat) -> Option<String>;
    /// Why activations of this format cannot run here, if they cannot.
    fn act_problem(&self, act: ActFormat) -> Option<String>;
    /// Why a KV cache of this format cannot run here, if it cannot.
    fn kv_problem(&self, kv: KvFormat) -> Option<String>;
    /// Vector-unit operations per KV element written to keep the cache in the layout this
    /// machine reads it in (a bit-serial array transposes each entry into its bit planes);
    /// 0 for a row-major layout.
    fn kv_layout_ops_per_element(&self, _kv: KvFormat) -> u64 {
        0
    }
    /// Why this machine cannot apply one weight scale per `group` reduction elements (its
    /// accumulators must drain at every group boundary), if it cannot.
    fn scale_group_problem(&self, _group: u64) -> Option<String> {
        None
    }
    /// The fast model's cost of one matrix product on `arch` (whose machine is `self`).
    fn gemm(&self, arch: &Arch, job: &GemmJob, energy: &EnergyModel) -> ArrayCost;
    /// Area of one core's matrix unit, um^2.
    fn area_um2(&self, area: &AreaModel) -> f64;
    /// The whole-pass cost of a machine whose engines stream into one another
    /// ([`crate::dataflow`]); `None` for machines costed op by op.
    fn dataflow(&self) -> Option<&dyn Dataflow> {
        None
    }
    /// Static power, W, of a machine whose static power is its device's (an FPGA), not the
    /// area model's; `None` for the area model.
    fn static_power_w(&self) -> Option<f64> {
        None
    }
    /// The area this machine adds to the structure it sits in (an SRAM-PIM periphery beside
    /// the cache SRAM it computes in), for the report; `None` for a machine of its own.
    fn area_overhead(&self, _area: &AreaModel) -> Option<AreaOverhead> {
        None
    }
    /// Why this machine, valid as a design (for RTL or a bitstream flow), cannot be simulated,
    /// if it cannot (e.g. an FPGA whose energy per event is unsourced); `simulate` fails with
    /// this message before costing anything.
    fn simulation_problem(&self) -> Option<String> {
        None
    }
}

/// Area a machine adds to a host structure ([`Machine::area_overhead`]).
#[derive(Debug, Clone, PartialEq)]
pub struct AreaOverhead {
    /// What is added to what (`LUT-GEMV periphery over the LLC's compute subarrays`).
    pub what: String,
    /// Area added, um^2.
    pub added_um2: f64,
    /// Area of the structure it is added to, um^2.
    pub base_um2: f64,
}

/// A set of families to parse architecture files with: [`Registry::builtin`], or the builtin
/// ones plus families defined elsewhere (tests, downstream crates).
#[derive(Clone, Copy)]
pub struct Registry<'a> {
    families: &'a [&'a dyn Family],
}

impl<'a> Registry<'a> {
    /// The families of this build ([`FAMILIES`]).
    pub fn builtin() -> Registry<'static> {
        Registry { families: FAMILIES }
    }

    /// A registry of exactly `families`.
    pub fn new(families: &'a [&'a dyn Family]) -> Registry<'a> {
        Registry { families }
    }

    /// The families, in registry order.
    pub fn families(&self) -> &'a [&'a dyn Family] {
        self.families
    }

    /// The family of `kind`.
    pub fn get(&self, kind: &str) -> Option<&'a dyn Family> {
        self.families.iter().copied().find(|f| f.kind() == kind)
    }

    /// Every kind string, in registry order.
    pub fn kinds(&self) -> Vec<&'static str> {
        self.families.iter().map(|f| f.kind()).collect()
    }
}
