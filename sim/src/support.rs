//! Which number formats an architecture can run (each family answers for its own machine; the
//! fallback unit runs the rest), and substitution of the native formats its matrix unit cannot
//! run, part by part, from the architecture's `default_quant`.

use lutforge_models::{ActFormat, KvFormat, QuantScheme, WeightFormat};
use lutforge_workloads::GemmOperand;

use crate::arch::Arch;

/// Why a weight format cannot run on `arch`, if it cannot.
pub fn weight_problem(arch: &Arch, weight: WeightFormat) -> Option<String> {
    arch.machine.weight_problem(weight)
}

/// Why an activation format cannot run on `arch`, if it cannot.
pub fn act_problem(arch: &Arch, act: ActFormat) -> Option<String> {
    arch.machine.act_problem(act)
}

/// Why a KV-cache format cannot run on `arch`, if it cannot (attention treats the cache as the
/// low-precision operand).
pub fn kv_problem(arch: &Arch, kv: KvFormat) -> Option<String> {
    arch.machine.kv_problem(kv)
}

/// Why the matrix unit of `arch` cannot apply one weight scale per `group` reduction elements,
/// if it cannot.
pub fn scale_group_problem(arch: &Arch, group: u64) -> Option<String> {
    arch.machine.scale_group_problem(group)
}

/// Why the matrix unit of `arch` cannot run a matrix product with this low-precision operand,
/// activation format and scale grouping, if it cannot (the op then goes to the fallback unit).
pub fn gemm_problem(
    arch: &Arch,
    operand: GemmOperand,
    act: ActFormat,
    scale_group: Option<u64>,
) -> Option<String> {
    operand_part(arch, operand)
        .or_else(|| act_part(arch, act))
        .or_else(|| scale_part(arch, scale_group))
}

/// [`weight_problem`] or [`kv_problem`] of the low-precision operand, named by its part.
fn operand_part(arch: &Arch, operand: GemmOperand) -> Option<String> {
    match operand {
        GemmOperand::Weights(w) => weight_problem(arch, w).map(|p| format!("weights: {p}")),
        GemmOperand::KvCache(kv) => kv_problem(arch, kv).map(|p| format!("KV cache: {p}")),
    }
}

/// [`act_problem`], named by its part.
fn act_part(arch: &Arch, act: ActFormat) -> Option<String> {
    act_problem(arch, act).map(|p| format!("activations: {p}"))
}

/// [`scale_group_problem`] of the scale grouping, if any, named by its part.
fn scale_part(arch: &Arch, scale_group: Option<u64>) -> Option<String> {
    scale_group
        .and_then(|g| scale_group_problem(arch, g))
        .map(|p| format!("weight scales: {p}"))
}

/// Why a matrix product with this operand and activation format goes to the fallback unit, if
/// it does: the matrix unit cannot run it, or it is attention and the architecture runs
/// attention there.
pub fn fallback_reason(
    arch: &Arch,
    operand: GemmOperand,
    act: ActFormat,
    scale_group: Option<u64>,
) -> Option<String> {
    match operand {
        GemmOperand::KvCache(_) if arch.attention.on_fallback => Some(
            "the architecture runs attention on its fallback unit ([attention] unit = \"fallback\")"
                .to_string(),
        ),
        _ => gemm_problem(arch, operand, act, scale_group),
    }
}

/// Every part of `quant` the matrix unit of `arch` cannot run (the LM head's format included).
pub fn matrix_problems(arch: &Arch, quant: &QuantScheme) -> Vec<String> {
    let head = quant.head_scheme();
    [
        operand_part(arch, GemmOperand::Weights(quant.weight)),
        act_part(arch, quant.act),
        operand_part(arch, GemmOperand::KvCache(quant.kv)),
        scale_part(arch, quant.group_size.map(u64::from)),
        gemm_problem(arch, GemmOperand::Weights(head.weight), head.act, None)
            .map(|p| format!("LM head {p}")),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Every reason `quant` cannot run on `arch` at all, on its matrix unit or its fallback unit;
/// empty when it can.
pub fn problems(arch: &Arch, quant: &QuantScheme) -> Vec<String> {
    if arch.fallback.exists() {
        Vec::new()
    } else {
        matrix_problems(arch, quant)
    }
}

/// The model's native scheme with each part `arch` cannot run replaced by the architecture's
/// `default_quant` part, plus one note per replacement. Returns the native scheme unchanged,
/// with no notes, when it runs as is or the architecture has no default.
pub fn substitute_defaults(arch: &Arch, native: QuantScheme) -> (QuantScheme, Vec<String>) {
    let Some(default) = arch.default_quant else {
        return (native, Vec::new());
    };
    let mut quant = native;
    let mut notes = Vec::new();
    if let Some(p) = weight_problem(arch, native.weight) {
        quant.weight = default.weight;
        quant.group_size = default.group_size;
        quant.zero_point = default.zero_point;
        notes.push(format!(
            "weights: {p}; using the architecture's default_quant weights ({default})"
        ));
    }
    if let Some(p) = act_problem(arch, native.act) {
        quant.act = default.act;
        notes.push(format!(
            "activations: {p}; using the architecture's default_quant activations ({default})"
        ));
    }
    if let Some(p) = kv_problem(arch, native.kv) {
        quant.kv = default.kv;
        notes.push(format!(
            "KV cache: {p}; using the architecture's default_quant KV format ({default})"
        ));
    }
    let head = quant.head_scheme();
    if default.head != quant.head {
        if let Some(p) = gemm_problem(arch, GemmOperand::Weights(head.weight), head.act, None) {
            quant.head = default.head;
            notes.push(format!(
                "LM head {p}; using the architecture's default_quant LM head ({default})"
            ));
        }
    }
    (quant, notes)
}
