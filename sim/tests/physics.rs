//! Physical sanity of whole-workload simulations: bandwidth and compute bounds hold, and the
//! LUT design beats the dequantizing MAC baseline where the LUT Tensor Core paper says it should.

use lutforge_models::ModelConfig;
use lutforge_sim::Report;

mod common;

use common::archs::{arch, arch_doc, arch_of, run};
use common::bounds::{decode_bandwidth_bound_per_token_s, peak_dram_bytes_per_s};

#[test]
fn decode_never_beats_the_bandwidth_bound() {
    // The bound comes from the model's parameters and the arch file's peak bandwidth only
    // (sim/tests/common/bounds.rs), so a report that under-counts DRAM bytes fails here.
    let (prefill, decode) = (256, 16);
    for (file, model, quant) in [
        ("lut-tc.toml", "llama-2-7b", "w2a8kv4"),
        ("lut-tc.toml", "bitnet-b1.58-2b-4t", "w1.58a8kv4"),
        ("lut-tc.toml", "qwen3-1.7b", "w4a8kv4"),
        ("mac-tc.toml", "llama-3.1-8b", "w4a8kv8"),
        ("mac-tc.toml", "mixtral-8x7b", "w4a8kv8"),
        ("systolic-int8-128x128.toml", "llama-2-7b", "w8a8kv8"),
        ("systolic-int8-128x128.toml", "qwen3-1.7b", "w4a8kv4"),
    ] {
        // Mixtral's 23.6 GB of W4 weights need more than one 8 GB HBM2 stack.
        let doc = arch_doc(file, &[("dram.capacity_gbytes", toml::Value::Float(32.0))]);
        let r = run(&arch_of(&doc), model, quant, 1, prefill, decode);
        assert_eq!(r.inputs.quant, quant, "{file} {model}: quant substituted");
        let bound = decode_bandwidth_bound_per_token_s(
            &ModelConfig::preset(model).unwrap(),
            &quant.parse().unwrap(),
            prefill,
            decode,
            peak_dram_bytes_per_s(&doc),
        );
        let tpot = r.summary.tpot_s.unwrap();
        assert!(
            tpot >= bound,
            "{file} {model} {quant}: {:.4} ms per token beats the bandwidth bound of {:.4} ms",
            tpot * 1e3,
            bound * 1e3
        );
    }
}

#[test]
fn decode_on_a_compute_rich_config_reaches_the_bandwidth_bound() {
    let doc = arch_doc("lut-tc.toml", &[("cores", toml::Value::Integer(64))]);
    let (model, quant) = ("llama-2-7b", "w2a8kv4");
    let r = run(&arch_of(&doc), model, quant, 1, 128, 16);
    // The bound counts only weights and KV: what any design must read per token.
    let bound = decode_bandwidth_bound_per_token_s(
        &ModelConfig::preset(model).unwrap(),
        &quant.parse().unwrap(),
        128,
        16,
        peak_dram_bytes_per_s(&doc),
    );
    let tpot = r.summary.tpot_s.unwrap();
    assert!(
        tpot >= bound,
        "{tpot} s per token beats the bound {bound} s"
    );
    // Streaming sustains only a fraction of the peak: that is the reachable ceiling.
    let sustained_bound = bound / arch_of(&doc).dram.sustained_fraction;
    assert!(
        tpot <= sustained_bound / 0.9,
        "decode takes {:.3} ms per token, more than 1/0.9 of the sustained-bandwidth bound {:.3} ms",
        tpot * 1e3,
        sustained_bound * 1e3
    );
}

#[test]
fn long_prefill_on_a_small_array_is_compute_bound() {
    let a = arch("lut-tc.toml", &[("cores", toml::Value::Integer(1))]);
    let r = run(&a, "llama-2-7b", "w2a8kv4", 1, 2048, 1);
    let prefill = r.phases.iter().find(|p| p.phase == "prefill").unwrap();
    let stall = prefill.stall_cycles as f64 / prefill.cycles as f64;
    assert!(
        stall < 0.05,
        "prefill stalls {:.1}% of its cycles",
        100.0 * stall
    );
    for op in r.ops.iter().filter(|o| {
        o.phase == "prefill" && ["qkv_proj", "ffn_up", "ffn_down"].contains(&o.kind.as_str())
    }) {
        assert!(
            op.utilization > 0.9,
            "{} utilization {}",
            op.kind,
            op.utilization
        );
    }
}

#[test]
fn lut_beats_the_dequantizing_mac_on_low_bit_decode_energy() {
    // The shipped configurations, matched in cores, clock, buffers and DRAM, and in datapaths:
    // the MAC is INT8-only, so the LUT default runs without its FP16 datapath (whose FP32
    // adders the area model charges, about 5 mm^2 over 16 cores).
    let lut = arch(
        "lut-tc.toml",
        &[("lut.act_format", toml::Value::String("int".into()))],
    );
    let mac = arch("mac-tc.toml", &[]);
    let compute = |r: &Report| r.energy.table_j + r.energy.add_j + r.energy.multiply_j;
    for quant in ["w1.58a8kv4", "w2a8kv4"] {
        let l = run(&lut, "bitnet-b1.58-2b-4t", quant, 1, 128, 32);
        let m = run(&mac, "bitnet-b1.58-2b-4t", quant, 1, 128, 32);
        let (le, me) = (
            l.summary.decode_energy_per_token_j.unwrap(),
            m.summary.decode_energy_per_token_j.unwrap(),
        );
        assert!(le < me, "{quant}: LUT {le} J/token vs MAC {me} J/token");
        // The arithmetic alone shows the margin plainly: lookups and adds against multiplies
        // (0.70x at W1.58 with the MAC's adder tree sized as a tree).
        assert!(
            compute(&l) < 0.8 * compute(&m),
            "{quant}: LUT arithmetic {} vs MAC {}",
            compute(&l),
            compute(&m)
        );
    }
    // Bit-serial cost grows with the weight width; the MAC's does not (the trend T-MAC and LUT
    // Tensor Core report: LUT kernels scale with weight bits, dequantizing ones do not).
    let l4 = run(&lut, "bitnet-b1.58-2b-4t", "w4a8kv4", 1, 128, 32);
    let l2 = run(&lut, "bitnet-b1.58-2b-4t", "w2a8kv4", 1, 128, 32);
    assert!(compute(&l4) > 1.5 * compute(&l2));
}

#[test]
fn same_inputs_give_identical_reports() {
    let a = arch("lut-tc.toml", &[]);
    let one = serde_json::to_string(&run(&a, "qwen3-1.7b", "w2a8kv4", 4, 64, 8)).unwrap();
    let two = serde_json::to_string(&run(&a, "qwen3-1.7b", "w2a8kv4", 4, 64, 8)).unwrap();
    assert_eq!(one, two);
}

#[test]
fn batching_raises_decode_throughput_when_memory_bound() {
    let a = arch("lut-tc.toml", &[]);
    let one = run(&a, "llama-2-7b", "w2a8kv4", 1, 128, 8)
        .summary
        .decode_tokens_per_s
        .unwrap();
    let eight = run(&a, "llama-2-7b", "w2a8kv4", 8, 128, 8)
        .summary
        .decode_tokens_per_s
        .unwrap();
    // Weights are read once per step for the whole batch: more tokens per byte, up to 8x.
    assert!(
        eight > 2.0 * one && eight <= 8.0 * one,
        "batch 8 gives {eight} vs {one} tokens/s"
    );
}

#[test]
fn fewer_weight_bits_decode_faster() {
    let a = arch("lut-tc.toml", &[]);
    let tps = |q: &str| {
        run(&a, "llama-2-7b", q, 1, 128, 8)
            .summary
            .decode_tokens_per_s
            .unwrap()
    };
    let (w4, w2, w1) = (tps("w4a8kv4"), tps("w2a8kv4"), tps("w1a8kv4"));
    assert!(w1 > w2 && w2 > w4, "w1 {w1}, w2 {w2}, w4 {w4}");
}
