//! The resource model against LUT-LLM's released utilization of one Qwen3 decoder block on the
//! Alveo V80 (LUT-FPGA/LUT-LLM, `qwen_block/qwen_utilization.rpt`, arXiv 2511.06174: 433,617
//! LUTs, 574,132 FFs, 1,000.5 BRAM36, 560 URAM, 2,352 DSP).
//!
//! The model's parameters are read from the released HLS code (`config/config.h`,
//! `ccu/ccu_fp32.h`, `imm/imm.h`, `gqa/gqa.h`, `rms_norm/rms_norm.h`, `qwen_block/qwen_block.h`);
//! nothing is fitted to the report. The test prints the comparison per resource and holds only
//! structural facts: the centroid search, read line by line from `ccu_fp32.h`, needs no more
//! DSPFP32 blocks than the report's 2,290, and the modelled block fits the V80. The total is
//! not held in a band: the model is a per-primitive count, HLS shares and merges operators, and
//! a band would be a fit in disguise.

use lutforge_fpga::resources::{total, Part};
use lutforge_fpga::{
    attention_parts, axi_read_port, buffer, device, eltwise, fifo, fit, vq2d_parts,
    AttentionParams, BufferParams, BufferRam, DspArch, EltwiseParams, FifoGenerator, FifoParams,
    FpFormat, Resources, Vq2dParams,
};

/// The report's totals (qwen_utilization.rpt, "Netlist Logic", "BLOCKRAM", "ARITHMETIC").
const REPORT: Resources = Resources {
    luts: 433_617,
    ffs: 574_132,
    dsp: 2_352,
    bram36: 1_000.5,
    uram: 560,
};

/// DSPFP32 blocks in the report ("ARITHMETIC": 2,290 DSPFP32, 46 DSP58, 16 DSP48E5).
const REPORT_DSPFP32: u64 = 2_290;

/// The VQ-2D engine as released: config.h (64 activation and 16 weight centroids, vectors of
/// 2, MAX_OUT_SIZE 12,288), qwen_block.h (16 `treeccu_fp32`, 16 chained lookup engines, 16
/// index ports of 64 bytes), ccu_fp32.h (64 `distance_pe` in four chains of 16 with three
/// `argmin_pe`), imm.h (`memory_matcher_w_vq_half_final_int4`: 512 outputs per cycle, 4-bit
/// table entries, four 8-bit lanes per 32-bit add, a `[64][16][24]` table).
fn vq2d_params() -> Vq2dParams {
    Vq2dParams {
        act_centroids: 64,
        weight_centroids: 16,
        vector_len: 2,
        search_units: 16,
        distance_engines: 64,
        chains_per_unit: 4,
        lookup_engines: 16,
        outputs_per_cycle: 512,
        entry_bits: 4,
        lane_bits: 8,
        lanes_per_add: 4,
        adds_on_dsp: false,
        max_out_dim: 12_288,
        table_bytes: 64 * 16 * 24 * 4 / 8,
        index_ports: 16,
        port_bits: 512,
        dsp: DspArch::Dsp58,
    }
}

/// Attention as in gqa.h: `gemm_gqa_qk` unrolls 16 x 32 FP32 MACs and `gemm_gqa_av` 32 x 16;
/// `softmax` takes 16 elements per cycle; `k_buf` and `v_buf` are `float[256][1024]` each in
/// block RAM. No exponential unit is counted (no cited figure).
fn attention_params() -> AttentionParams {
    AttentionParams {
        macs_per_cycle: 2 * 16 * 32,
        softmax_lanes: 16,
        kv_buffer_bytes: 2 * 256 * 1024 * 4,
        act_bits: 32,
        format: FpFormat::Fp32,
        dsp: DspArch::Dsp58,
        kv_ram: BufferRam::Bram,
        exp_unit: Resources::ZERO,
    }
}

/// Element-wise lanes, a plausible reading of qwen_block.h and rms_norm.h: six 32-wide FP32
/// multiply-add streams (residual add, RMSNorm square-accumulate and scale, RoPE, SiLU gate
/// multiply, dequantisation in `memory_matcher_acc_overlay_half_int4`). SiLU's exponential and
/// divide are not counted.
fn eltwise_params() -> EltwiseParams {
    EltwiseParams {
        lanes: 6 * 32,
        format: FpFormat::Fp32,
        dsp: DspArch::Dsp58,
    }
}

/// The on-chip buffers of qwen_block.h and rms_norm.h outside the engines, with their
/// `bind_storage` and `array_partition` pragmas; `residual_buf`, the RoPE tables and the RMSNorm
/// weights have no `bind_storage` and are taken as block RAM, the HLS default for arrays.
fn buffers() -> Vec<(&'static str, BufferParams)> {
    let b = |bytes: u64, width_bits: u32, banks: u32, ram: BufferRam| BufferParams {
        bytes,
        width_bits,
        banks,
        ram,
    };
    vec![
        (
            "acc_overlay linear_out ap_uint<72>[128][3072] /128 URAM",
            b(128 * 3072 * 9, 72, 128, BufferRam::Uram),
        ),
        (
            "element_wise_mul linear_out ap_uint<64>[128][3072] /16 URAM",
            b(128 * 3072 * 8, 64, 16, BufferRam::Uram),
        ),
        (
            "attn_cache linear_out ap_uint<64>[128][1024] /16 URAM",
            b(128 * 1024 * 8, 64, 16, BufferRam::Uram),
        ),
        (
            "rms_norm_cache input_buf float[128][2048] /32 URAM",
            b(128 * 2048 * 4, 32, 32, BufferRam::Uram),
        ),
        (
            "residual_buf float[128][2048] /32 (BRAM)",
            b(128 * 2048 * 4, 32, 32, BufferRam::Bram),
        ),
        (
            "RoPE sin and cos float[128][128] /32 (BRAM)",
            b(2 * 128 * 128 * 4, 32, 64, BufferRam::Bram),
        ),
        (
            "RMSNorm weight float[2048] /16 (BRAM)",
            b(2048 * 4, 32, 16, BufferRam::Bram),
        ),
    ]
}

/// The top-level streams of qwen_block.h: (count, width in bits, depth); TAPA's default depth
/// is 2, and TAPA builds them ([`FifoGenerator::Tapa`]).
const STREAMS: &[(u64, u32, u64)] = &[
    (2, 512, 2),    // input_fifo
    (16, 64, 2),    // input_split_fifo
    (16, 64, 2),    // centroid_fifo
    (16, 8, 32),    // idx_fifo
    (16, 512, 2),   // lut_weight_idx_fifo
    (256, 256, 8),  // psum_0..15_fifo: 16 x 16 streams of vec<u32, 8>
    (1, 64, 2),     // scale_zero_fifo
    (1, 1024, 2),   // res_fifo
    (2, 512, 2),    // sin_fifo, cos_fifo
    (1, 1024, 2),   // rope_in_fifo
    (1, 1024, 8),   // input_fifo_qk
    (1, 1024, 4),   // input_fifo_qk_fwd
    (1, 1024, 256), // input_fifo_av
    (1, 1024, 4),   // input_fifo_av_fwd
    (1, 1024, 2),   // attn_cache_fifo
    (2, 512, 2),    // attn_out_fifo
    (1, 512, 32),   // pre_softmax_fifo
    (1, 512, 32),   // post_softmax_fifo
    (2, 512, 2),    // up_gate_fifo
    (2, 1024, 2),   // gate_before_silu_fifo, gate_after_silu_fifo
    (1, 1024, 2),   // up_out_fifo
    (1, 1024, 2),   // norm_in_fifo
    (1, 512, 2),    // norm_weight_fifo
    (2, 512, 2),    // norm_to_splitter_fifo
    (2, 512, 2),    // out_fifo
    (1, 1024, 2),   // dist_fifo
    (1, 512, 2),    // k_cache_fifo
    (2, 512, 2),    // kv_cache_write_fifo
    (1, 512, 2),    // v_cache_fifo
    (44, 10, 2),    // the L_* length streams: 1 + 2 + 18 + 16 + 5 + 2
];

/// Every part of the modelled block.
fn block() -> Vec<Part> {
    let mut parts = vq2d_parts(&vq2d_params());
    parts.extend(attention_parts(&attention_params()));
    parts.push(Part {
        name: "element-wise lanes",
        resources: eltwise(&eltwise_params()),
    });
    let buffers: Resources = buffers().iter().map(|(_, b)| buffer(b)).sum();
    parts.push(Part {
        name: "activation buffers",
        resources: buffers,
    });
    let streams: Resources = STREAMS
        .iter()
        .map(|&(n, width_bits, depth)| {
            let generator = FifoGenerator::Tapa;
            fifo(&FifoParams {
                depth,
                width_bits,
                generator,
            })
            .scaled(n)
        })
        .sum();
    parts.push(Part {
        name: "top-level streams",
        resources: streams,
    });
    // Other AXI masters of qwen_block: K and V caches, two inputs, two centroid readers, sin,
    // cos, RMSNorm weights and two outputs at 512 bits; the scale/zero reader at 64 bits.
    parts.push(Part {
        name: "other AXI ports",
        resources: axi_read_port(512).scaled(11) + axi_read_port(64),
    });
    parts
}

fn percent(model: f64, report: f64) -> String {
    format!("{:+.1}%", (model - report) / report * 100.0)
}

#[test]
fn lut_llm_block_against_its_utilization_report() {
    let parts = block();
    let model = total(&parts);
    println!("LUT-LLM Qwen3 block on the V80: model parts");
    for p in &parts {
        println!("  {:<52} {}", p.name, p.resources);
    }
    println!("{:<8} {:>12} {:>12} {:>8}", "", "model", "report", "diff");
    let rows = [
        ("LUTs", model.luts as f64, REPORT.luts as f64),
        ("FFs", model.ffs as f64, REPORT.ffs as f64),
        ("DSP", model.dsp as f64, REPORT.dsp as f64),
        ("BRAM36", model.bram36, REPORT.bram36),
        ("URAM", model.uram as f64, REPORT.uram as f64),
    ];
    for (name, m, r) in rows {
        println!("{name:<8} {m:>12.1} {r:>12.1} {:>8}", percent(m, r));
    }

    // The centroid search is the one part whose operator count the released code fixes line
    // by line (`fsub ... impl=primitivedsp`, two per distance_pe): it must fit in the
    // report's DSPFP32 blocks.
    let search = parts
        .iter()
        .find(|p| p.name.starts_with("distance engines"))
        .unwrap();
    assert_eq!(search.resources.dsp, 16 * 64 * 2);
    assert!(search.resources.dsp <= REPORT_DSPFP32);
    // The report's block fits the V80, and so does the modelled one.
    let v80 = device("v80").unwrap();
    assert!(fit(v80, &REPORT).is_ok());
    let u = fit(v80, &model).expect("the modelled block fits the V80");
    println!("model on the V80: bottleneck {:?}", u.bottleneck());
}
