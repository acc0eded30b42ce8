//! The design's device resources, engine by engine, from `lutforge_fpga::resources`, and the
//! fit check: a design that needs more of any resource than its device has is an error on
//! `fpga.device` naming the resource and the overflow (`lutforge_fpga::fit`).
//!
//! Besides each configured engine ([`FpgaDesign`]'s TLMM or VQ 2D-lookup engine, attention,
//! the element-wise engine on `[vector] lanes`), the design has one FIFO between each pair of
//! engines of the pipeline, `fpga.fifo_depth` words of the element-wise bus (`lanes` values of
//! `float_format`): the timing model moves whole token rows through a stream, and a row flows
//! through the FIFO word by word rather than being held in it.
//!
//! Fixed structure of LUT-LLM's engine, from its released code (`ccu/ccu_fp32.h`, `imm/imm.h`,
//! `config/config.h`): four distance-engine chains per centroid-search unit; 8-bit partial-sum
//! lanes added four to a 32-bit LUT adder; accumulators for outputs of up to 12,288 columns
//! (`MAX_OUT_SIZE`); 24 centroid-pair tables in flight per lookup engine (`linear_lut[64][16][24]`).
//! TeLLMe builds its tables on DSP adders (`BIND_OP impl=dsp`, `USE_DSP_ADD`). The attention
//! engine holds no KV buffer of its own (the cache streams from off-chip memory), and its
//! exponential unit is not counted (no cited figure).
//!
//! These are the resources of the design the simulator times: the published engines with the
//! architecture's full buffers. What `lutforge rtl` emits is the pipeline top of
//! [`super::top`] (register tables, a weight buffer and accumulators of one job of
//! [`super::top::TlmmCapacity`], an integer requantizer, no attention), costed by
//! [`generated_top_parts`] with `lutforge_fpga::generated_top`; the fit check does not use it.

use lutforge_fpga::{
    attention, eltwise, fifo, tlmm_parts, vq2d, AttentionParams, BufferRam, DspArch, EltwiseParams,
    FifoGenerator, FifoParams, Part, Resources, TlmmParams, Vq2dParams,
};

use lutforge_fpga::generated_top::{GeneratedTlmm, GeneratedTopParams};

use super::config::FpgaDesign;
use super::eltwise::{OUT_BITS, SCALE_BITS, SHIFT_BITS};
use super::top::{act_lanes, Source, TopSpec, WEIGHT_CODE_BITS};
use crate::arch::Check;
use crate::dataflow::ResourceRow;
use crate::error::SimError;

/// Distance-engine chains per centroid-search unit (`ccu_fp32.h`: four branches of 16).
const VQ_CHAINS_PER_UNIT: u32 = 4;
/// Width of one packed partial-sum lane, bits (`imm.h`).
const VQ_LANE_BITS: u32 = 8;
/// Partial-sum lanes per 32-bit add (`imm.h`).
const VQ_LANES_PER_ADD: u32 = 4;
/// Widest output the accumulators hold, columns (`MAX_OUT_SIZE`, `config/config.h`).
const VQ_MAX_OUT_DIM: u32 = 12_288;
/// Centroid-pair tables in flight per lookup engine (`linear_lut[64][16][24]`, `imm.h`).
const VQ_TABLES_IN_FLIGHT: u64 = 24;
/// Width of an INT8 activation, bits.
const INT8_BITS: u32 = 8;

/// The design's resources, one named part per engine and FIFO.
pub fn parts(design: &FpgaDesign, vector_lanes: u32) -> Vec<Part> {
    let dsp = DspArch::of(design.device).unwrap_or(DspArch::Dsp48e2);
    let ram = if design.device.uram.is_some() {
        BufferRam::Uram
    } else {
        BufferRam::Bram
    };
    let mut out = Vec::new();
    let mut engines = 0;
    if let Some(t) = &design.tlmm {
        let spec = &t.spec;
        let p = TlmmParams {
            group: spec.group,
            tables: spec.tables,
            outputs_per_cycle: spec.outputs_per_cycle,
            entry_bits: spec.entry_bits,
            acc_bits: spec.acc_bits,
            build_adds_per_cycle: spec.build_adds_per_cycle,
            build_on_dsp: true,
            weight_buffer_bytes: t.weight_buffer_bytes,
            weight_buffer_ram: ram,
            axi_ports: t.axi_ports,
            axi_bits: t.axi_bits,
            act_bits: INT8_BITS,
        };
        let resources = lutforge_fpga::resources::total(&tlmm_parts(&p));
        out.push(Part {
            name: "tlmm",
            resources,
        });
        engines += 1;
    }
    if let Some(v) = &design.vq2d {
        let p = Vq2dParams {
            act_centroids: v.act_centroids,
            weight_centroids: v.weight_centroids,
            vector_len: v.vector_len,
            search_units: v.search_units,
            distance_engines: v.distance_engines,
            chains_per_unit: VQ_CHAINS_PER_UNIT,
            lookup_engines: v.lookup_engines,
            outputs_per_cycle: v.outputs_per_cycle,
            entry_bits: v.entry_bits,
            lane_bits: VQ_LANE_BITS,
            lanes_per_add: VQ_LANES_PER_ADD,
            adds_on_dsp: false,
            max_out_dim: VQ_MAX_OUT_DIM,
            table_bytes: u64::from(v.act_centroids)
                * u64::from(v.weight_centroids)
                * VQ_TABLES_IN_FLIGHT
                * u64::from(v.entry_bits)
                / 8,
            index_ports: v.index_ports,
            port_bits: v.port_bits,
            dsp,
        };
        out.push(Part {
            name: "vq2d",
            resources: vq2d(&p),
        });
        engines += 1;
    }
    let a = &design.attention;
    out.push(Part {
        name: "attention",
        resources: attention(&AttentionParams {
            macs_per_cycle: a.dot_lanes * a.parallel_queries,
            softmax_lanes: a.softmax_lanes,
            kv_buffer_bytes: 0,
            act_bits: design.float_format.bits() as u32,
            format: design.float_format,
            dsp,
            kv_ram: ram,
            exp_unit: Resources::ZERO,
        }),
    });
    out.push(Part {
        name: "eltwise",
        resources: eltwise(&EltwiseParams {
            lanes: vector_lanes,
            format: design.float_format,
            dsp,
        }),
    });
    engines += 2;
    let stream = fifo(&FifoParams {
        depth: design.fifo_depth,
        width_bits: vector_lanes * design.float_format.bits() as u32,
        generator: FifoGenerator::VitisHls,
    });
    out.push(Part {
        name: "FIFOs between engines",
        resources: stream.scaled(engines - 1),
    });
    out
}

/// The rows of the report's resource table: each part, the total, the device's.
pub fn rows(design: &FpgaDesign, vector_lanes: u32) -> Vec<ResourceRow> {
    let parts = parts(design, vector_lanes);
    let row = |name: String, r: &Resources| ResourceRow {
        name,
        luts: r.luts,
        ffs: r.ffs,
        dsp: r.dsp,
        bram36: r.bram36,
        uram: r.uram,
    };
    let d = design.device;
    let available = Resources {
        luts: u64::from(d.luts),
        ffs: u64::from(d.ffs),
        dsp: u64::from(d.dsp.count),
        bram36: f64::from(d.bram.count),
        uram: d.uram.map_or(0, |u| u64::from(u.count)),
    };
    let mut out: Vec<ResourceRow> = parts
        .iter()
        .map(|p| row(p.name.to_string(), &p.resources))
        .collect();
    out.push(row(
        "total".into(),
        &lutforge_fpga::resources::total(&parts),
    ));
    out.push(row(format!("{} available", d.id), &available));
    out
}

/// Checks that the design fits its device; the error names `fpga.device` and the resource
/// that overflows.
pub fn fit(design: &FpgaDesign, vector_lanes: u32, check: &Check) -> Result<(), SimError> {
    let used = lutforge_fpga::resources::total(&parts(design, vector_lanes));
    lutforge_fpga::fit(design.device, &used)
        .map(|_| ())
        .map_err(|e| {
            SimError::invalid(
                check.file,
                "fpga.device",
                format!("\"{}\"", design.device.id),
                e.to_string(),
            )
        })
}

/// The parameters of the generated pipeline top of `spec` (`lutforge_fpga::generated_top`);
/// `None` for the stream top, which the model does not cover.
pub fn generated_top_params(spec: &TopSpec) -> Option<GeneratedTopParams> {
    let Source::Tlmm { spec: t, capacity } = spec.source else {
        return None;
    };
    Some(GeneratedTopParams {
        tlmm: GeneratedTlmm {
            tables: t.tables,
            lanes: t.lookup_lanes(),
            entry_bits: t.entry_bits,
            acc_bits: t.acc_bits,
            build_adds_per_cycle: t.build_adds_per_cycle,
            act_lanes: act_lanes(&t),
            pipeline_cycles: t.pipeline_cycles,
            code_bits: WEIGHT_CODE_BITS,
            max_tokens: capacity.max_tokens,
            max_groups: capacity.max_groups,
            weight_words: capacity.weight_words,
            weight_ram: capacity.weight_ram,
        },
        fifo_beats: spec.fifo_depth,
        requantizers: spec.eltwise.lanes,
        scale_bits: SCALE_BITS,
        shift_bits: SHIFT_BITS,
        out_bits: OUT_BITS,
    })
}

/// The resources of the pipeline top `lutforge rtl` generates for `spec`, part by part
/// (`lutforge_fpga::generated_top::generated_top_parts`); `None` for the stream top.
pub fn generated_top_parts(spec: &TopSpec) -> Option<Vec<Part>> {
    generated_top_params(spec).map(|p| lutforge_fpga::generated_top::generated_top_parts(&p))
}

#[cfg(test)]
mod tests {
    use lutforge_models::numerics::ternary_pack::PATTERNS;

    #[test]
    fn the_generated_top_model_uses_the_codes_patterns() {
        for (p, pattern) in PATTERNS.iter().enumerate().skip(1) {
            assert_eq!(
                lutforge_fpga::generated_top::ternary_pattern(p as u64),
                *pattern,
                "pattern {p}"
            );
        }
    }
}
