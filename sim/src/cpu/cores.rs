//! The cost of one op on the cores of a CPU: a roofline over the compute rate of the op's
//! kernel and the bandwidth of every level of the memory hierarchy its bytes come from.
//!
//! `time = max(compute, max over levels(bytes at the level / its bandwidth))
//!        + DRAM first-byte latency (when it reads DRAM) + the per-op overhead`.
//!
//! - Compute: the kernel's SIMD instructions ([`super::kernels`]) over `simd_pipes x cores`
//!   instructions per cycle; llama.cpp's kernels (the dequantizing GEMM, fp16 products,
//!   attention, vector ops) at `dequant_issue_fraction` of that rate. Work is split over
//!   the cores by output rows (at most one core per row block).
//! - Bytes: weights and KV entries (read and written) live in the last-level cache when the
//!   whole pass's resident set (every weight and KV byte it reads) fits it, else in DRAM;
//!   activations in the smallest level that holds the op's activation bytes (L1, L2 per
//!   core; L3; DRAM).
//! - Bandwidths: L1 and L2 per core times the cores used; the L3's shared rate; DRAM at
//!   the least of the cores used times one core's bandwidth, the CPU complex's fabric limit
//!   and the DRAM's sustained bandwidth.
//!
//! [`op_time`] is public so that other families with host cores (the SRAM PIM family's CPU)
//! cost their attention, norms and element-wise ops with the same model: build a [`Cpu`]
//! with [`Cpu::new`] and ask for each op.

use lutforge_models::{ActFormat, WeightFormat};
use lutforge_workloads::{GemmOperand, Op, OpShape};

use super::config::{CpuSpec, Kernel};
use super::kernels;
use crate::arch::Arch;

/// A CPU as the cost model sees it: its `[cpu]` section and the architecture-wide fields it
/// runs with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cpu<'a> {
    /// The validated `[cpu]` section.
    pub spec: &'a CpuSpec,
    /// Cores, one thread each.
    pub cores: u64,
    /// Core clock, MHz.
    pub clock_mhz: f64,
    /// Floating-point vector operations per cycle per core (fp32 lanes times vector pipes).
    pub vector_lanes: u64,
    /// The DRAM's sustained bandwidth, bytes per second.
    pub dram_sustained_bytes_per_s: f64,
    /// DRAM first-byte latency, seconds.
    pub dram_latency_s: f64,
    /// DRAM energy per bit moved, pJ.
    pub dram_energy_pj_per_bit: f64,
}

impl<'a> Cpu<'a> {
    /// The CPU of `spec` with the cores, clock, vector lanes and DRAM of `arch`.
    pub fn new(spec: &'a CpuSpec, arch: &Arch) -> Cpu<'a> {
        Cpu {
            spec,
            cores: arch.cores,
            clock_mhz: arch.clock_mhz,
            vector_lanes: u64::from(arch.vector.lanes),
            dram_sustained_bytes_per_s: arch.dram.sustained_bytes_per_s(),
            dram_latency_s: arch.dram.latency_s,
            dram_energy_pj_per_bit: arch.dram.energy_pj_per_bit,
        }
    }

    /// Core cycles per second.
    fn clock_hz(&self) -> f64 {
        self.clock_mhz * 1e6
    }

    /// DRAM bytes per second that `cores` cores draw together.
    pub fn dram_bytes_per_s(&self, cores: u64) -> f64 {
        let mut bw =
            (cores as f64 * self.spec.core_dram_bytes_per_s).min(self.dram_sustained_bytes_per_s);
        if let Some(fabric) = self.spec.fabric_bytes_per_s {
            bw = bw.min(fabric);
        }
        bw
    }

    /// The level that holds `bytes` (per core for L1 and L2).
    fn level_of(&self, bytes: u64) -> Level {
        if bytes <= self.spec.l1_bytes {
            Level::L1
        } else if bytes <= self.spec.l2_bytes {
            Level::L2
        } else if bytes <= self.spec.l3_bytes {
            Level::L3
        } else {
            Level::Dram
        }
    }

    /// Bytes per second of `level` with `cores` cores reading it.
    fn bandwidth(&self, level: Level, cores: u64) -> f64 {
        let per_core = |bytes_per_cycle: f64| bytes_per_cycle * self.clock_hz() * cores as f64;
        match level {
            Level::L1 => per_core(self.spec.l1_bytes_per_cycle),
            Level::L2 => per_core(self.spec.l2_bytes_per_cycle),
            Level::L3 => self.spec.l3_bytes_per_cycle * self.clock_hz(),
            Level::Dram => self.dram_bytes_per_s(cores),
        }
    }
}

/// A level of the memory hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// The cores' L1 data caches.
    L1,
    /// The cores' L2 caches.
    L2,
    /// The shared last-level cache.
    L3,
    /// Off-chip memory.
    Dram,
}

/// Which kernel of the cores runs an op.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CpuUnit {
    /// T-MAC's table-lookup GEMM.
    Tmac,
    /// llama.cpp's dequantizing (or fp16) dot products, attention included.
    Dequant,
    /// The SIMD floating-point ops of norms, softmax, RoPE and element-wise ops.
    Vector,
}

impl CpuUnit {
    /// Every unit, in report order.
    pub const ALL: [CpuUnit; 3] = [CpuUnit::Tmac, CpuUnit::Dequant, CpuUnit::Vector];

    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            CpuUnit::Tmac => "tmac",
            CpuUnit::Dequant => "dequant",
            CpuUnit::Vector => "vector",
        }
    }
}

/// One op on the cores (one repetition).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpuOpTime {
    /// The kernel that ran it.
    pub unit: CpuUnit,
    /// Core cycles from start to finish.
    pub cycles: u64,
    /// Core cycles the kernel computes.
    pub compute_cycles: u64,
    /// Core cycles its DRAM bytes take at the bandwidth the cores draw.
    pub transfer_cycles: u64,
    /// Bytes moved to and from DRAM.
    pub dram_bytes: u64,
    /// Where the weights and KV entries came from.
    pub stream_level: Level,
    /// Peak arithmetic rate of the kernel on the cores used, FLOP per cycle.
    pub peak_flops_per_cycle: f64,
    /// Energy of the DRAM transfers, J.
    pub dram_energy_j: f64,
}

/// Why no CPU kernel runs weights of `weight`, if none does (codebook and VQ weights: T-MAC
/// takes 1- to 4-bit integers, llama.cpp's kernels here integer and fp16 weights).
pub fn weight_problem(weight: WeightFormat) -> Option<String> {
    kernels::dequant_instrs_per_weight(weight).is_none().then(|| {
        let what = match weight {
            WeightFormat::Vq { .. } => "VQ",
            _ => "codebook",
        };
        format!(
            "no CPU kernel runs {what} weights (w{weight}); T-MAC takes 1- to 4-bit, llama.cpp's kernels integer and fp16 weights"
        )
    })
}

/// Why no CPU kernel takes activations of `act`, if none does: the cores compute on int8
/// (T-MAC's tables, llama.cpp's Q8 rows) and fp16.
pub fn act_problem(act: ActFormat) -> Option<String> {
    match act {
        ActFormat::Int8 | ActFormat::Fp16 => None,
        ActFormat::Fp8E4M3 => {
            Some("the cores have no FP8 arithmetic (Armv8.2-A NEON); use a8 or a16".into())
        }
        ActFormat::Vq { .. } => Some(format!(
            "no CPU kernel takes VQ activations (a{act}); use a8 or a16"
        )),
    }
}

/// Which kernel runs `op` on a CPU of `spec`: the configured GEMM kernel for weight
/// products it handles (T-MAC runs 1- to 4-bit weights; other formats, such as an fp16 or
/// 8-bit LM head, run on llama.cpp's kernels as in T-MAC's llama.cpp integration), llama.cpp's
/// kernels for attention, the vector unit for the rest; or why no kernel runs it.
pub fn unit_of(spec: &CpuSpec, op: &Op) -> Result<CpuUnit, String> {
    let refuse = |why: String| Err(format!("{} cannot run: {why}", op.kind.as_str()));
    match op.shape {
        OpShape::Vector { .. } => Ok(CpuUnit::Vector),
        OpShape::Gemm { act, .. } if act_problem(act).is_some() => {
            refuse(act_problem(act).unwrap_or_default())
        }
        OpShape::Gemm {
            operand: GemmOperand::KvCache(_),
            ..
        } => Ok(CpuUnit::Dequant),
        OpShape::Gemm {
            operand: GemmOperand::Weights(w),
            ..
        } => {
            if let Some(why) = weight_problem(w) {
                refuse(why)
            } else if spec.kernel == Kernel::Tmac && kernels::tmac_planes(w).is_some() {
                Ok(CpuUnit::Tmac)
            } else {
                Ok(CpuUnit::Dequant)
            }
        }
    }
}

/// Costs one repetition of `op` on `cpu`; `resident_bytes` is every weight and KV byte the
/// forward pass reads (it decides whether they stay in the last-level cache between ops).
/// An op no kernel runs is an error naming it.
pub fn op_time(cpu: &Cpu, op: &Op, resident_bytes: u64) -> Result<CpuOpTime, String> {
    let spec = cpu.spec;
    let unit = unit_of(spec, op)?;
    let pipes = f64::from(spec.simd_pipes);
    let llama_rate = pipes * spec.dequant_issue_fraction;
    // (instructions or vector ops, ops issued per cycle per core, cores used, peak FLOP per
    // cycle per core)
    let (work, per_cycle, cores, peak_per_core) = match (op.shape, unit) {
        (
            OpShape::Gemm {
                m,
                n,
                k,
                count,
                operand,
                ..
            },
            _,
        ) => {
            let rows = count.saturating_mul(n).max(1);
            let macs = m.saturating_mul(n).saturating_mul(k).saturating_mul(count);
            match (operand, unit) {
                (GemmOperand::Weights(w), CpuUnit::Tmac) => {
                    let planes = kernels::tmac_planes(w).unwrap_or(1);
                    let blocks = count
                        .saturating_mul(n.div_ceil(kernels::tmac_rows_per_vector(spec.simd_bits)))
                        .max(1);
                    (
                        kernels::tmac_instrs(m, n, k, count, planes, spec.simd_bits),
                        pipes,
                        cpu.cores.min(blocks),
                        2.0 * pipes * kernels::tmac_macs_per_instr(planes, spec.simd_bits),
                    )
                }
                (GemmOperand::Weights(w), _) => {
                    let per_mac = kernels::dequant_instrs_per_weight(w).unwrap_or(1.0);
                    let scaled = per_mac * 128.0 / f64::from(spec.simd_bits);
                    (
                        kernels::scaled_instrs(macs, per_mac, spec.simd_bits),
                        llama_rate,
                        cpu.cores.min(rows),
                        2.0 * pipes / scaled,
                    )
                }
                (GemmOperand::KvCache(kv), _) => {
                    let per_mac = kernels::kv_instrs_per_mac(kv);
                    let scaled = per_mac * 128.0 / f64::from(spec.simd_bits);
                    (
                        kernels::scaled_instrs(macs, per_mac, spec.simd_bits),
                        llama_rate,
                        cpu.cores.min(rows),
                        2.0 * pipes / scaled,
                    )
                }
            }
        }
        (
            OpShape::Vector {
                elements,
                ops_per_element,
            },
            _,
        ) => {
            let lanes = cpu.vector_lanes as f64;
            (
                elements.saturating_mul(ops_per_element) as f64,
                lanes * spec.dequant_issue_fraction,
                cpu.cores.min(elements.max(1)),
                lanes,
            )
        }
    };
    let hz = cpu.clock_hz();
    let compute_s = work / (per_cycle * cores as f64 * hz);
    // Weights and KV entries stay in the last-level cache between passes only if all of
    // them fit; activations live where the op's own activation bytes fit.
    let streamed = op.weight_bytes + op.kv_read_bytes + op.kv_write_bytes;
    let stream_level = if spec.l3_bytes > 0 && resident_bytes <= spec.l3_bytes {
        Level::L3
    } else if spec.l3_bytes == 0 && resident_bytes <= spec.l2_bytes.saturating_mul(cpu.cores) {
        Level::L2
    } else {
        Level::Dram
    };
    let act = op.act_read_bytes + op.act_write_bytes;
    let act_level = cpu.level_of(act);
    let mut bytes = [0u64; 4];
    bytes[stream_level as usize] += streamed;
    bytes[act_level as usize] += act;
    let levels = [Level::L1, Level::L2, Level::L3, Level::Dram];
    let memory_s = levels
        .iter()
        .zip(bytes)
        .filter(|(_, b)| *b > 0)
        .map(|(l, b)| b as f64 / cpu.bandwidth(*l, cores))
        .fold(0.0, f64::max);
    let dram_bytes = bytes[Level::Dram as usize];
    let latency_s = if dram_bytes > 0 {
        cpu.dram_latency_s
    } else {
        0.0
    };
    let total_s = compute_s.max(memory_s) + latency_s + spec.op_overhead_s;
    let cycles_of = |s: f64| (s * hz).ceil() as u64;
    let compute_cycles = cycles_of(compute_s);
    Ok(CpuOpTime {
        unit,
        cycles: cycles_of(total_s).max(compute_cycles),
        compute_cycles,
        transfer_cycles: cycles_of(dram_bytes as f64 / cpu.dram_bytes_per_s(cores)),
        dram_bytes,
        stream_level,
        peak_flops_per_cycle: peak_per_core * cores as f64,
        dram_energy_j: dram_bytes as f64 * 8.0 * cpu.dram_energy_pj_per_bit * 1e-12,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::config::Kernel;
    use lutforge_workloads::{OpKind, Phase};

    fn spec(kernel: Kernel) -> CpuSpec {
        CpuSpec {
            kernel,
            simd_bits: 128,
            simd_pipes: 2,
            l1_bytes: 64 << 10,
            l2_bytes: 512 << 10,
            l3_bytes: 2 << 20,
            l1_bytes_per_cycle: 32.0,
            l2_bytes_per_cycle: 32.0,
            l3_bytes_per_cycle: 32.0,
            core_dram_bytes_per_s: 4e9,
            fabric_bytes_per_s: None,
            dequant_issue_fraction: 0.5,
            op_overhead_s: 0.0,
            static_power_w: 5.0,
        }
    }

    fn cpu(spec: &CpuSpec, cores: u64) -> Cpu<'_> {
        Cpu {
            spec,
            cores,
            clock_mhz: 2000.0,
            vector_lanes: 8,
            dram_sustained_bytes_per_s: 6e9,
            dram_latency_s: 100e-9,
            dram_energy_pj_per_bit: 4.0,
        }
    }

    fn gemv(bits: u8, m: u64) -> Op {
        let (n, k) = (4096, 4096);
        Op {
            kind: OpKind::QkvProj,
            phase: Phase::Decode,
            repeat: 1,
            shape: OpShape::Gemm {
                m,
                n,
                k,
                count: 1,
                operand: GemmOperand::Weights(WeightFormat::Int(bits)),
                act: ActFormat::Int8,
                scale_group: None,
            },
            flops: 2 * m * n * k,
            weight_bytes: n * k * u64::from(bits) / 8,
            kv_read_bytes: 0,
            kv_write_bytes: 0,
            act_read_bytes: m * k,
            act_write_bytes: 2 * m * n,
            kv: None,
        }
    }

    #[test]
    fn a_gemv_that_does_not_fit_the_caches_is_bound_by_one_cores_dram_bandwidth() {
        let s = spec(Kernel::Tmac);
        let op = gemv(4, 1);
        let t = op_time(&cpu(&s, 1), &op, u64::MAX).unwrap();
        assert_eq!(t.unit, CpuUnit::Tmac);
        assert_eq!(t.stream_level, Level::Dram);
        let expect_s = op.weight_bytes as f64 / 4e9 + 100e-9;
        let got_s = t.cycles as f64 / 2e9;
        assert!(
            (got_s - expect_s).abs() / expect_s < 1e-3,
            "{got_s} vs {expect_s}"
        );
        // Two cores draw 6 GB/s, the DRAM's sustained limit, not 8.
        let two = op_time(&cpu(&s, 2), &op, u64::MAX).unwrap();
        let ratio = t.cycles as f64 / two.cycles as f64;
        assert!((ratio - 1.5).abs() < 0.01, "{ratio}");
    }

    #[test]
    fn resident_weights_come_from_the_last_level_cache() {
        let s = spec(Kernel::Tmac);
        let t = op_time(&cpu(&s, 1), &gemv(2, 1), 1 << 20).unwrap();
        assert_eq!(t.stream_level, Level::L3);
        assert_eq!(t.dram_bytes, 0);
    }

    #[test]
    fn at_a_large_batch_tmac_scales_with_bits_and_dequant_does_not() {
        let t = spec(Kernel::Tmac);
        let d = spec(Kernel::Dequant);
        let time = |s: &CpuSpec, bits| op_time(&cpu(s, 4), &gemv(bits, 32), u64::MAX).unwrap();
        let (t2, t4) = (time(&t, 2), time(&t, 4));
        let (d2, d4) = (time(&d, 2), time(&d, 4));
        let tmac_ratio = t4.cycles as f64 / t2.cycles as f64;
        let dequant_ratio = d4.cycles as f64 / d2.cycles as f64;
        assert!(tmac_ratio > 1.8, "{tmac_ratio}");
        assert!(dequant_ratio < 1.1, "{dequant_ratio}");
        assert_eq!(d2.unit, CpuUnit::Dequant);
    }

    #[test]
    fn an_8_bit_matrix_on_the_tmac_cpu_runs_on_llama_cpp_kernels() {
        let s = spec(Kernel::Tmac);
        assert_eq!(unit_of(&s, &gemv(8, 1)), Ok(CpuUnit::Dequant));
    }
}
