//! Which number formats an architecture's matrix unit can run, and substitution of the ones it
//! cannot, part by part, from the architecture's `default_quant`.

use lutforge_models::{ActFormat, KvFormat, QuantScheme, WeightFormat};

use crate::arch::{Arch, MatrixUnit};

/// Bit planes a LUT array spends on a weight format: its width, except binary ±1, which the
/// array's two's-complement planes hold as 01 and 11 (two planes).
pub fn lut_weight_planes(weight: WeightFormat) -> u32 {
    match weight {
        WeightFormat::Binary => 2,
        _ => weight.compute_bit_planes(),
    }
}

/// Why a weight format cannot run on `arch`, if it cannot.
pub fn weight_problem(arch: &Arch, weight: WeightFormat) -> Option<String> {
    match &arch.matrix {
        MatrixUnit::Lut(lut) => match weight {
            WeightFormat::Fp16 => Some("fp16 weights have no bit planes for a LUT array".into()),
            WeightFormat::Codebook(_) => Some(
                "codebook weights are not integers a bit-serial LUT array can split into planes"
                    .into(),
            ),
            _ if lut_weight_planes(weight) > lut.max_weight_bits => Some(format!(
                "{} bit planes of {weight} weights exceed lut.max_weight_bits = {}",
                lut_weight_planes(weight),
                lut.max_weight_bits
            )),
            _ => None,
        },
        MatrixUnit::Mac(mac) => {
            let bits = match weight {
                WeightFormat::Fp16 => 16,
                WeightFormat::Codebook(_) => mac.mult_bits,
                _ => weight.compute_bit_planes(),
            };
            (bits > mac.mult_bits).then(|| {
                format!(
                    "{bits}-bit weights exceed mac.mult_bits = {}",
                    mac.mult_bits
                )
            })
        }
        MatrixUnit::Systolic(sys) => match weight {
            WeightFormat::Fp16 => Some("an integer systolic array has no fp16 multipliers".into()),
            WeightFormat::Codebook(_) => {
                Some("codebook weights need dequantization the systolic array does not have".into())
            }
            _ if weight.compute_bit_planes() > systolic_bits(sys) => Some(format!(
                "{}-bit weights exceed the array's {}-bit words",
                weight.compute_bit_planes(),
                systolic_bits(sys)
            )),
            _ => None,
        },
    }
}

/// Operand width of a systolic array, bits.
fn systolic_bits(sys: &crate::systolic::SystolicArray) -> u32 {
    (sys.word_bytes * 8) as u32
}

/// Why an activation format cannot run on `arch`, if it cannot.
pub fn act_problem(arch: &Arch, act: ActFormat) -> Option<String> {
    match &arch.matrix {
        MatrixUnit::Lut(lut) => match act {
            ActFormat::Int8 if lut.act_bits >= 8 => None,
            ActFormat::Int8 => Some(format!(
                "INT8 activations exceed lut.act_bits = {}",
                lut.act_bits
            )),
            _ => Some(
                "the LUT array builds integer tables; floating-point activations need a MAC array"
                    .into(),
            ),
        },
        MatrixUnit::Mac(mac) => (act.bits() > mac.mult_bits).then(|| {
            format!(
                "{}-bit activations exceed mac.mult_bits = {}",
                act.bits(),
                mac.mult_bits
            )
        }),
        MatrixUnit::Systolic(sys) => match act {
            ActFormat::Int8 if systolic_bits(sys) >= 8 => None,
            _ => Some(format!(
                "the integer systolic array takes {}-bit integer activations",
                systolic_bits(sys)
            )),
        },
    }
}

/// Why a KV-cache format cannot run on `arch`, if it cannot (attention treats the cache as the
/// low-precision operand).
pub fn kv_problem(arch: &Arch, kv: KvFormat) -> Option<String> {
    match &arch.matrix {
        MatrixUnit::Lut(lut) => match kv {
            KvFormat::Fp16 => Some("an fp16 KV cache has no bit planes for a LUT array".into()),
            _ if kv.bits() > lut.max_weight_bits => Some(format!(
                "{}-bit KV entries exceed lut.max_weight_bits = {}",
                kv.bits(),
                lut.max_weight_bits
            )),
            _ => None,
        },
        MatrixUnit::Mac(mac) => (kv.bits() > mac.mult_bits).then(|| {
            format!(
                "{}-bit KV entries exceed mac.mult_bits = {}",
                kv.bits(),
                mac.mult_bits
            )
        }),
        MatrixUnit::Systolic(sys) => match kv {
            KvFormat::Fp16 => Some("an integer systolic array has no fp16 multipliers".into()),
            _ if kv.bits() > systolic_bits(sys) => Some(format!(
                "{}-bit KV entries exceed the array's {}-bit words",
                kv.bits(),
                systolic_bits(sys)
            )),
            _ => None,
        },
    }
}

/// Every reason `quant` cannot run on `arch`; empty when it can.
pub fn problems(arch: &Arch, quant: &QuantScheme) -> Vec<String> {
    [
        weight_problem(arch, quant.weight).map(|p| format!("weights: {p}")),
        act_problem(arch, quant.act).map(|p| format!("activations: {p}")),
        kv_problem(arch, quant.kv).map(|p| format!("KV cache: {p}")),
    ]
    .into_iter()
    .flatten()
    .collect()
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
    (quant, notes)
}
