//! The `[fpga]` section of an FPGA dataflow architecture, as written ([`RawFpga`] and its
//! engine subsections) and validated ([`FpgaDesign`]): which device, which engines, how the
//! ops of a layer share them, and every engine's parameters.

use lutforge_fpga::{Device, EnergyPerEvent, FpFormat};
use lutforge_models::Limit;
use serde::Deserialize;

use super::tlmm::TlmmSpec;
use crate::arch::Check;
use crate::error::SimError;

/// `[fpga]`: an FPGA streaming dataflow design.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFpga {
    /// The device it is built for: a short id or part number of `lutforge fpga devices`.
    pub device: String,
    /// The engines the design instantiates: `tlmm`, `vq2d`, `attention`, `eltwise`.
    pub pipeline: Vec<String>,
    /// How the ops of one layer use the engines: `sequential` (each op streams its tokens
    /// through its engine and the element-wise ops fused behind it, then the next op starts;
    /// TeLLMe) or `dataflow` (every engine of the layer runs at once and tokens stream from op
    /// to op through FIFOs; ops that need the one matrix engine take turns; LUT-LLM).
    /// Layers always run one after another on the same engines.
    pub within_layer: String,
    /// Depth of the FIFOs between the engines of a stream, in token rows.
    pub fifo_depth: u64,
    /// Floating-point format of the attention and element-wise engines: `fp16` or `fp32`.
    pub float_format: String,
    /// Static power of the device in watts, required when the device database has no sourced
    /// figure (cite where it comes from beside it).
    #[serde(default)]
    pub static_power_w: Option<f64>,
    /// The ternary table-lookup matrix engine.
    #[serde(default)]
    pub tlmm: Option<RawTlmm>,
    /// The vector-quantized 2D-lookup matrix engine.
    #[serde(default)]
    pub vq2d: Option<RawVq2d>,
    /// The attention engine.
    #[serde(default)]
    pub attention: Option<RawFpgaAttention>,
    /// The host processor that runs what the fabric does not (an LM head in fp16 or INT8).
    #[serde(default)]
    pub host: Option<RawHost>,
}

/// `[fpga.tlmm]`: TeLLMe's table-lookup matrix engine (see [`super::tlmm`]).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTlmm {
    /// Tables per activation block (lookups per output per cycle).
    pub tables: u64,
    /// Outputs whose lookups issue per cycle.
    pub outputs_per_cycle: u64,
    /// Activations read into the block register per cycle.
    pub act_reads_per_cycle: u64,
    /// Table entries built per cycle.
    pub build_adds_per_cycle: u64,
    /// Table entry width, bits.
    pub entry_bits: u64,
    /// Accumulator width, bits.
    pub acc_bits: u64,
    /// Latency of the lookup pipeline, cycles.
    pub pipeline_cycles: u64,
    /// Banks of the weight buffer, each giving one index vector per cycle.
    pub weight_banks: u64,
    /// Weight buffer (URAM), KiB.
    pub weight_buffer_kib: u64,
    /// AXI master ports that stream weights from off-chip memory.
    pub axi_ports: u64,
    /// Width of each AXI port, bits.
    pub axi_bits: u64,
    /// `preload` (a matrix is loaded whole into the buffer, then computed) or `stream`
    /// (weights flow through a FIFO of `weight_fifo_blocks` blocks while the engine computes).
    pub weight_load: String,
    /// Depth of the weight FIFO in activation blocks (`stream` only).
    #[serde(default)]
    pub weight_fifo_blocks: Option<u64>,
}

/// `[fpga.vq2d]`: LUT-LLM's vector-quantized 2D-lookup matrix engine (see [`super::vq2d`]).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVq2d {
    /// Activation centroids (a power of two).
    pub act_centroids: u64,
    /// Weight centroids (a power of two).
    pub weight_centroids: u64,
    /// Elements per vector.
    pub vector_len: u64,
    /// Centroid-search units (activation vectors quantized per cycle).
    pub search_units: u64,
    /// Distance engines per search unit.
    pub distance_engines: u64,
    /// Chained lookup engines (input vectors reduced per cycle).
    pub lookup_engines: u64,
    /// Output columns each lookup engine produces per cycle.
    pub outputs_per_cycle: u64,
    /// Entry width of the centroid-pair tables, bits.
    pub entry_bits: u64,
    /// Ports that stream weight indices and tables from off-chip memory.
    pub index_ports: u64,
    /// Width of each index port, bits.
    pub port_bits: u64,
    /// Depth of the index FIFO in column slices.
    pub weight_fifo_slices: u64,
}

/// `[fpga.attention]`: the attention engine; the KV cache stays in off-chip memory.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFpgaAttention {
    /// Multiply-adds per cycle for one query.
    pub dot_lanes: u64,
    /// Queries processed together (prefill); each KV entry read serves them all.
    pub parallel_queries: u64,
    /// Softmax elements per cycle.
    pub softmax_lanes: u64,
}

/// `[fpga.host]`: the processor beside the fabric.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHost {
    /// Cores.
    pub cores: u64,
    /// Core clock, MHz.
    pub clock_mhz: f64,
    /// Multiply-adds per cycle per core (SIMD).
    pub macs_per_cycle_per_core: u64,
    /// Off-chip bandwidth the cores sustain, GB/s.
    pub bandwidth_gbytes_per_s: f64,
}

impl RawFpga {
    /// Range of every numeric `[fpga]` field.
    pub const LIMITS: &'static [(&'static str, Limit)] = &[
        ("fifo_depth", Limit::new(1.0, 65536.0, "token rows", "")),
        (
            "static_power_w",
            Limit::new(0.0, 1000.0, "W", "at most 1 kW"),
        ),
    ];
}

impl RawTlmm {
    /// Range of the `[fpga.tlmm]` fields of the buffer and the ports; the engine's own fields
    /// take [`TlmmSpec::LIMITS`].
    pub const LIMITS: &'static [(&'static str, Limit)] = &[
        (
            "weight_buffer_kib",
            Limit::new(1.0, 1_048_576.0, "KiB", "at most 1 GiB"),
        ),
        ("axi_ports", Limit::new(1.0, 64.0, "ports", "")),
        (
            "axi_bits",
            Limit::new(32.0, 1024.0, "bits", "a power of two"),
        ),
        ("weight_fifo_blocks", Limit::new(1.0, 65536.0, "blocks", "")),
    ];
}

impl RawVq2d {
    /// Range of every numeric `[fpga.vq2d]` field.
    pub const LIMITS: &'static [(&'static str, Limit)] = &[
        (
            "act_centroids",
            Limit::new(2.0, 256.0, "centroids", "a power of two"),
        ),
        (
            "weight_centroids",
            Limit::new(2.0, 256.0, "centroids", "a power of two"),
        ),
        ("vector_len", Limit::new(1.0, 16.0, "elements", "")),
        ("search_units", Limit::new(1.0, 1024.0, "units", "")),
        ("distance_engines", Limit::new(1.0, 1024.0, "engines", "")),
        ("lookup_engines", Limit::new(1.0, 1024.0, "engines", "")),
        ("outputs_per_cycle", Limit::new(1.0, 8192.0, "columns", "")),
        ("entry_bits", Limit::new(2.0, 32.0, "bits", "")),
        ("index_ports", Limit::new(1.0, 64.0, "ports", "")),
        (
            "port_bits",
            Limit::new(32.0, 1024.0, "bits", "a power of two"),
        ),
        ("weight_fifo_slices", Limit::new(1.0, 65536.0, "slices", "")),
    ];
}

impl RawFpgaAttention {
    /// Range of every numeric `[fpga.attention]` field.
    pub const LIMITS: &'static [(&'static str, Limit)] = &[
        (
            "dot_lanes",
            Limit::new(1.0, 65536.0, "multiply-adds per cycle", ""),
        ),
        ("parallel_queries", Limit::new(1.0, 1024.0, "queries", "")),
        (
            "softmax_lanes",
            Limit::new(1.0, 65536.0, "elements per cycle", ""),
        ),
    ];
}

impl RawHost {
    /// Range of every numeric `[fpga.host]` field.
    pub const LIMITS: &'static [(&'static str, Limit)] = &[
        ("cores", Limit::new(1.0, 1024.0, "cores", "")),
        ("clock_mhz", Limit::new(1.0, 10_000.0, "MHz", "")),
        (
            "macs_per_cycle_per_core",
            Limit::new(1.0, 4096.0, "multiply-adds", ""),
        ),
        (
            "bandwidth_gbytes_per_s",
            Limit::new(1e-3, 1e4, "GB/s", "1 MB/s to 10 TB/s"),
        ),
    ];
}

/// How the ops of one layer use the engines (`fpga.within_layer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WithinLayer {
    /// One op at a time, element-wise ops fused behind their producer.
    Sequential,
    /// All engines at once, tokens streaming from op to op.
    Dataflow,
}

/// How a matrix engine gets its weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WeightLoad {
    /// The whole matrix into the buffer, then compute.
    Preload,
    /// Through a FIFO of this many items (blocks or slices), concurrently with compute.
    Stream {
        /// FIFO depth, items.
        depth: u64,
    },
}

/// A validated `[fpga.tlmm]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tlmm {
    /// The engine's arithmetic and timing.
    pub spec: TlmmSpec,
    /// Weight buffer, bytes.
    pub weight_buffer_bytes: u64,
    /// AXI ports.
    pub axi_ports: u32,
    /// Bits per AXI port.
    pub axi_bits: u32,
    /// Preload or stream.
    pub weight_load: WeightLoad,
}

/// A validated `[fpga.vq2d]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Vq2d {
    /// Activation centroids, a power of two.
    pub act_centroids: u32,
    /// Weight centroids, a power of two.
    pub weight_centroids: u32,
    /// Elements per vector.
    pub vector_len: u32,
    /// Centroid-search units.
    pub search_units: u32,
    /// Distance engines per search unit.
    pub distance_engines: u32,
    /// Chained lookup engines.
    pub lookup_engines: u32,
    /// Output columns per lookup engine per cycle.
    pub outputs_per_cycle: u32,
    /// Table entry width, bits.
    pub entry_bits: u32,
    /// Index ports.
    pub index_ports: u32,
    /// Bits per index port.
    pub port_bits: u32,
    /// Index FIFO depth, column slices.
    pub weight_fifo_slices: u64,
}

/// A validated `[fpga.attention]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FpgaAttention {
    /// Multiply-adds per cycle per query.
    pub dot_lanes: u32,
    /// Queries sharing each KV read.
    pub parallel_queries: u32,
    /// Softmax elements per cycle.
    pub softmax_lanes: u32,
}

/// A validated `[fpga.host]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Host {
    /// Cores.
    pub cores: u32,
    /// Clock, MHz.
    pub clock_mhz: f64,
    /// Multiply-adds per cycle per core.
    pub macs_per_cycle_per_core: u32,
    /// Sustained off-chip bandwidth, bytes per second.
    pub bytes_per_s: f64,
}

/// Engine names `fpga.pipeline` may list.
pub const ENGINES: [&str; 4] = ["tlmm", "vq2d", "attention", "eltwise"];

/// A validated `[fpga]` section.
#[derive(Debug, Clone)]
pub struct FpgaDesign {
    /// The device.
    pub device: &'static Device,
    /// How a layer's ops share the engines.
    pub within_layer: WithinLayer,
    /// FIFO depth between engines, token rows.
    pub fifo_depth: u64,
    /// Static power, W: `fpga.static_power_w`, else the device database's figure; `None`
    /// when neither gives one (the design validates, for the open flow, but does not simulate).
    pub static_power_w: Option<f64>,
    /// Floating-point format of attention and element-wise arithmetic.
    pub float_format: FpFormat,
    /// Dynamic energy per event at the device's process node; `None` for a device whose node
    /// is not sourced (the Lattice parts: the design validates, for the open flow, but does
    /// not simulate).
    pub energy: Option<EnergyPerEvent>,
    /// The TLMM engine, if the pipeline has one.
    pub tlmm: Option<Tlmm>,
    /// The VQ 2D-lookup engine, if the pipeline has one.
    pub vq2d: Option<Vq2d>,
    /// The attention engine.
    pub attention: FpgaAttention,
    /// The host processor, if any.
    pub host: Option<Host>,
}

impl FpgaDesign {
    /// Validates `[fpga]` (errors name `file` and the field).
    pub fn from_raw(raw: &RawFpga, check: &Check) -> Result<FpgaDesign, SimError> {
        let file = check.file;
        let device = lutforge_fpga::device(&raw.device).map_err(|e| {
            SimError::invalid(
                file,
                "fpga.device",
                format!("\"{}\"", raw.device),
                e.to_string(),
            )
        })?;
        let within_layer = match raw.within_layer.as_str() {
            "sequential" => WithinLayer::Sequential,
            "dataflow" => WithinLayer::Dataflow,
            other => {
                return Err(SimError::invalid(
                    file,
                    "fpga.within_layer",
                    format!("\"{other}\""),
                    "must be \"sequential\" or \"dataflow\"",
                ))
            }
        };
        let pipeline = format!("{:?}", raw.pipeline);
        for name in &raw.pipeline {
            if !ENGINES.contains(&name.as_str()) {
                return Err(SimError::invalid(
                    file,
                    "fpga.pipeline",
                    &pipeline,
                    format!("unknown engine \"{name}\"; engines: {}", ENGINES.join(", ")),
                ));
            }
            if raw.pipeline.iter().filter(|n| *n == name).count() > 1 {
                return Err(SimError::invalid(
                    file,
                    "fpga.pipeline",
                    &pipeline,
                    format!("lists \"{name}\" twice"),
                ));
            }
        }
        let has = |name: &str| raw.pipeline.iter().any(|n| n == name);
        let missing = |name: &str, why: &str| {
            SimError::invalid(
                file,
                "fpga.pipeline",
                &pipeline,
                format!("the pipeline lacks the \"{name}\" engine: {why}"),
            )
        };
        for (name, section) in [
            ("tlmm", raw.tlmm.is_some()),
            ("vq2d", raw.vq2d.is_some()),
            ("attention", raw.attention.is_some()),
        ] {
            if section && !has(name) {
                return Err(missing(
                    name,
                    &format!("[fpga.{name}] is configured for it"),
                ));
            }
            if has(name) && !section {
                return Err(SimError::invalid(
                    file,
                    &format!("fpga.{name}"),
                    "missing",
                    format!("the pipeline lists \"{name}\"; configure it in [fpga.{name}]"),
                ));
            }
        }
        if !has("attention") {
            return Err(missing(
                "attention",
                "every decoder layer computes attention",
            ));
        }
        if !has("eltwise") {
            return Err(missing(
                "eltwise",
                "norms, RoPE, the FFN activation and residuals run on it",
            ));
        }
        if !has("tlmm") && !has("vq2d") {
            return Err(missing(
                "tlmm\" or \"vq2d",
                "the layers' matrix products need a matrix engine",
            ));
        }
        let fifo_depth =
            check.limited_u64(RawFpga::LIMITS, "fpga", "fifo_depth", raw.fifo_depth)?;
        let static_power_w = match raw.static_power_w {
            Some(w) => Some(check.limited_f64(RawFpga::LIMITS, "fpga", "static_power_w", w)?),
            None => lutforge_fpga::static_w(device),
        };
        let float_format = match raw.float_format.as_str() {
            "fp16" => FpFormat::Fp16,
            "fp32" => FpFormat::Fp32,
            other => {
                return Err(SimError::invalid(
                    file,
                    "fpga.float_format",
                    format!("\"{other}\""),
                    "must be \"fp16\" or \"fp32\"",
                ))
            }
        };
        let energy = EnergyPerEvent::for_device(device);
        Ok(FpgaDesign {
            device,
            within_layer,
            fifo_depth,
            static_power_w,
            float_format,
            energy,
            tlmm: raw
                .tlmm
                .as_ref()
                .map(|t| Tlmm::from_raw(t, check))
                .transpose()?,
            vq2d: raw
                .vq2d
                .as_ref()
                .map(|v| Vq2d::from_raw(v, check))
                .transpose()?,
            attention: FpgaAttention::from_raw(
                raw.attention.as_ref().ok_or_else(|| {
                    missing("attention", "every decoder layer computes attention")
                })?,
                check,
            )?,
            host: raw
                .host
                .as_ref()
                .map(|h| Host::from_raw(h, check))
                .transpose()?,
        })
    }
}

impl FpgaDesign {
    /// Why this design validates but cannot be simulated, if it cannot: its device's process
    /// node (the energy per event) or static power is not sourced. The open flow builds such
    /// a design; `simulate` refuses it with this message.
    pub fn simulation_problem(&self) -> Option<String> {
        if self.energy.is_none() {
            return Some(format!(
                "the process node of {} is not sourced, so its energy per event is unknown: the design builds with the open flow (lutforge_fpga::openflow) but cannot be simulated",
                self.device.id
            ));
        }
        if self.static_power_w.is_none() {
            return Some(format!(
                "the device database has no sourced static power for {}; give one (with its source) in fpga.static_power_w to simulate",
                self.device.id
            ));
        }
        None
    }
}

impl Tlmm {
    fn from_raw(raw: &RawTlmm, check: &Check) -> Result<Tlmm, SimError> {
        let s = "fpga.tlmm";
        let u = |name: &str, v: u64| -> Result<u32, SimError> {
            Ok(check.limited_u64(TlmmSpec::LIMITS, s, name, v)? as u32)
        };
        let port = |name: &str, v: u64| -> Result<u32, SimError> {
            Ok(check.limited_u64(RawTlmm::LIMITS, s, name, v)? as u32)
        };
        let spec = TlmmSpec {
            group: 3,
            tables: u("tables", raw.tables)?,
            outputs_per_cycle: u("outputs_per_cycle", raw.outputs_per_cycle)?,
            act_reads_per_cycle: u("act_reads_per_cycle", raw.act_reads_per_cycle)?,
            build_adds_per_cycle: u("build_adds_per_cycle", raw.build_adds_per_cycle)?,
            entry_bits: u("entry_bits", raw.entry_bits)?,
            acc_bits: u("acc_bits", raw.acc_bits)?,
            pipeline_cycles: u("pipeline_cycles", raw.pipeline_cycles)?,
            weight_banks: u("weight_banks", raw.weight_banks)?,
            overlap_table_build: false,
        };
        spec.validate()
            .map_err(|e| SimError::invalid(check.file, s, "", e.to_string()))?;
        let axi_bits = port("axi_bits", raw.axi_bits)?;
        check.power_of_two("fpga.tlmm.axi_bits", u64::from(axi_bits))?;
        let weight_load = match raw.weight_load.as_str() {
            "preload" => {
                if raw.weight_fifo_blocks.is_some() {
                    return Err(SimError::invalid(
                        check.file,
                        "fpga.tlmm.weight_fifo_blocks",
                        raw.weight_fifo_blocks.unwrap_or_default(),
                        "only a streamed weight load (weight_load = \"stream\") has a weight FIFO",
                    ));
                }
                WeightLoad::Preload
            }
            "stream" => WeightLoad::Stream {
                depth: check.limited_u64(
                    RawTlmm::LIMITS,
                    s,
                    "weight_fifo_blocks",
                    raw.weight_fifo_blocks.ok_or_else(|| {
                        SimError::invalid(
                            check.file,
                            "fpga.tlmm.weight_fifo_blocks",
                            "missing",
                            "a streamed weight load needs the depth of its FIFO",
                        )
                    })?,
                )?,
            },
            other => {
                return Err(SimError::invalid(
                    check.file,
                    "fpga.tlmm.weight_load",
                    format!("\"{other}\""),
                    "must be \"preload\" or \"stream\"",
                ))
            }
        };
        Ok(Tlmm {
            spec,
            weight_buffer_bytes: check.limited_u64(
                RawTlmm::LIMITS,
                s,
                "weight_buffer_kib",
                raw.weight_buffer_kib,
            )? * 1024,
            axi_ports: port("axi_ports", raw.axi_ports)?,
            axi_bits,
            weight_load,
        })
    }
}

impl Vq2d {
    fn from_raw(raw: &RawVq2d, check: &Check) -> Result<Vq2d, SimError> {
        let s = "fpga.vq2d";
        let u = |name: &str, v: u64| -> Result<u32, SimError> {
            Ok(check.limited_u64(RawVq2d::LIMITS, s, name, v)? as u32)
        };
        let pow2 = |name: &str, v: u64| -> Result<u32, SimError> {
            let v = u(name, v)?;
            if !v.is_power_of_two() {
                return Err(SimError::invalid(
                    check.file,
                    &format!("{s}.{name}"),
                    v,
                    "a codebook must have a power-of-two number of centroids (indices are whole bits)",
                ));
            }
            Ok(v)
        };
        let port_bits = u("port_bits", raw.port_bits)?;
        check.power_of_two("fpga.vq2d.port_bits", u64::from(port_bits))?;
        Ok(Vq2d {
            act_centroids: pow2("act_centroids", raw.act_centroids)?,
            weight_centroids: pow2("weight_centroids", raw.weight_centroids)?,
            vector_len: u("vector_len", raw.vector_len)?,
            search_units: u("search_units", raw.search_units)?,
            distance_engines: u("distance_engines", raw.distance_engines)?,
            lookup_engines: u("lookup_engines", raw.lookup_engines)?,
            outputs_per_cycle: u("outputs_per_cycle", raw.outputs_per_cycle)?,
            entry_bits: u("entry_bits", raw.entry_bits)?,
            index_ports: u("index_ports", raw.index_ports)?,
            port_bits,
            weight_fifo_slices: check.limited_u64(
                RawVq2d::LIMITS,
                s,
                "weight_fifo_slices",
                raw.weight_fifo_slices,
            )?,
        })
    }
}

impl FpgaAttention {
    fn from_raw(raw: &RawFpgaAttention, check: &Check) -> Result<FpgaAttention, SimError> {
        let u = |name: &str, v: u64| -> Result<u32, SimError> {
            Ok(check.limited_u64(RawFpgaAttention::LIMITS, "fpga.attention", name, v)? as u32)
        };
        Ok(FpgaAttention {
            dot_lanes: u("dot_lanes", raw.dot_lanes)?,
            parallel_queries: u("parallel_queries", raw.parallel_queries)?,
            softmax_lanes: u("softmax_lanes", raw.softmax_lanes)?,
        })
    }
}

impl Host {
    fn from_raw(raw: &RawHost, check: &Check) -> Result<Host, SimError> {
        let s = "fpga.host";
        Ok(Host {
            cores: check.limited_u64(RawHost::LIMITS, s, "cores", raw.cores)? as u32,
            clock_mhz: check.limited_f64(RawHost::LIMITS, s, "clock_mhz", raw.clock_mhz)?,
            macs_per_cycle_per_core: check.limited_u64(
                RawHost::LIMITS,
                s,
                "macs_per_cycle_per_core",
                raw.macs_per_cycle_per_core,
            )? as u32,
            bytes_per_s: check.limited_f64(
                RawHost::LIMITS,
                s,
                "bandwidth_gbytes_per_s",
                raw.bandwidth_gbytes_per_s,
            )? * 1e9,
        })
    }
}
