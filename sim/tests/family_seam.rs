//! The family seam: a family defined outside `sim` (here, in this test) plugs into a
//! [`Registry`] with one line and runs a whole model through the shared schedulers, memory
//! system, energy and report, with no other change anywhere.

use std::any::Any;
use std::sync::Arc;

use lutforge_models::{ActFormat, KvFormat, Limit, ModelConfig, QuantScheme, WeightFormat};
use lutforge_sim::arch::Buffers;
use lutforge_sim::energy::area::AreaModel;
use lutforge_sim::energy::{EnergyBreakdown, EnergyModel};
use lutforge_sim::family::{ArrayCost, Family, FamilyInput, GemmJob, Machine, Validated, FAMILIES};
use lutforge_sim::{engine, Arch, Registry, SimError};
use lutforge_workloads::Workload;

/// Range of the toy family's only field.
const IDEAL_LIMITS: &[(&str, Limit)] =
    &[("macs", Limit::new(1.0, 1_048_576.0, "MACs per cycle", ""))];

/// A toy family: an ideal array of `macs` multiply-adds per cycle per core.
struct Ideal;

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdeal {
    macs: u64,
}

#[derive(Debug)]
struct IdealArray {
    macs: u64,
}

impl Family for Ideal {
    fn kind(&self) -> &'static str {
        "ideal"
    }
    fn description(&self) -> &'static str {
        "an ideal MAC array (test family)"
    }
    fn section(&self) -> &'static str {
        "ideal"
    }
    fn limits(&self) -> &'static [(&'static str, Limit)] {
        IDEAL_LIMITS
    }
    fn validate(&self, input: FamilyInput<'_>) -> Result<Validated, SimError> {
        let raw: RawIdeal = input.section(self)?;
        let macs = input
            .check
            .limited_u64(self.limits(), "ideal", "macs", raw.macs)?;
        Ok(Validated {
            machine: Arc::new(IdealArray { macs }),
            buffers: Buffers::from_raw(input.buffers()?, input.check)?,
        })
    }
}

impl Machine for IdealArray {
    fn kind(&self) -> &'static str {
        "ideal"
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn weight_problem(&self, _: WeightFormat) -> Option<String> {
        None
    }
    fn act_problem(&self, _: ActFormat) -> Option<String> {
        None
    }
    fn kv_problem(&self, _: KvFormat) -> Option<String> {
        None
    }
    fn gemm(&self, arch: &Arch, job: &GemmJob, e: &EnergyModel) -> ArrayCost {
        let macs = job.m * job.n * job.k * job.count;
        ArrayCost {
            compute_cycles: macs.div_ceil(self.macs * arch.cores),
            peak_flops_per_cycle: (2 * self.macs * arch.cores) as f64,
            energy_pj: EnergyBreakdown {
                multiply_j: macs as f64 * e.mult_pj(8),
                ..EnergyBreakdown::default()
            },
        }
    }
    fn area_um2(&self, a: &AreaModel) -> f64 {
        self.macs as f64 * a.mult_um2(8)
    }
}

const IDEAL_TOML: &str = r#"
name = "ideal-test"
kind = "ideal"
clock_mhz = 1000.0
cores = 4

[ideal]
macs = 4096

[buffers]
activation_kib = 512
weight_kib = 256
output_kib = 64

[vector]
lanes = 128

[dram]
bandwidth_gbytes_per_s = 256.0
capacity_gbytes = 8.0
sustained_fraction = 0.83
latency_ns = 106.7
energy_pj_per_bit = 3.9
"#;

#[test]
fn a_family_defined_elsewhere_runs_a_whole_model_through_one_registry_line() {
    let mut families: Vec<&dyn Family> = FAMILIES.to_vec();
    families.push(&Ideal);
    let registry = Registry::new(&families);
    let arch = registry.parse_arch(IDEAL_TOML, "ideal.toml", &[]).unwrap();
    assert_eq!(arch.kind(), "ideal");
    let model = ModelConfig::preset("tiny-llama").unwrap();
    let quant: QuantScheme = "w4a8kv8".parse().unwrap();
    let workload = Workload::new(model, quant, 1, 16, 8).unwrap();
    let report = engine::simulate(&arch, &workload, Vec::new()).unwrap();
    assert_eq!(report.inputs.arch.kind, "ideal");
    assert!(report.summary.ttft_s > 0.0 && report.summary.total_energy_j > 0.0);
    assert!(report.energy.multiply_j > 0.0);
    // The builtin registry does not know it, and says which kinds it does know.
    let e = Arch::from_toml_str(IDEAL_TOML, "ideal.toml")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("unknown architecture kind") && e.contains("lut_tensor_core"),
        "{e}"
    );
}

#[test]
fn another_familys_section_is_named_in_the_error() {
    let mut families: Vec<&dyn Family> = FAMILIES.to_vec();
    families.push(&Ideal);
    let registry = Registry::new(&families);
    let text = IDEAL_TOML.replace("[buffers]", "[mac]\ntile_m = 1\n\n[buffers]");
    let e = registry
        .parse_arch(&text, "ideal.toml", &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("kind `ideal` does not use a [mac] section"),
        "{e}"
    );
}
