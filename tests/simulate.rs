//! `lutforge simulate` from the outside: the default run, the JSON report and the trace.

use std::path::{Path, PathBuf};
use std::process::Command;

fn lutforge(args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_lutforge"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
        out.status.code().unwrap_or(-1),
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("simulate-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_default_run_needs_no_flags() {
    let (out, err, code) = lutforge(&["simulate"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("bitnet-b1.58-2b-4t") && out.contains("lut-tc"),
        "{out}"
    );
    assert!(out.contains("TTFT") && out.contains("tokens/s"), "{out}");
    // BitNet's native fp16 KV cache cannot feed a LUT array: the substitution is said out loud.
    assert!(out.contains("note: KV cache"), "{out}");
}

#[test]
fn the_json_report_records_every_input() {
    let dir = scratch("json");
    let json = dir.join("r.json");
    let (_, err, code) = lutforge(&[
        "simulate",
        "--arch",
        "configs/arch/mac-tc.toml",
        "--model",
        "qwen3-1.7b",
        "--quant",
        "w4a8kv8",
        "--batch",
        "2",
        "--prefill",
        "64",
        "--decode",
        "8",
        "--json",
        json.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let i = &r["inputs"];
    assert_eq!(i["arch"]["name"], "mac-tc");
    assert_eq!(
        i["arch"]["toml"],
        std::fs::read_to_string("configs/arch/mac-tc.toml").unwrap()
    );
    assert_eq!(i["model"]["name"], "qwen3-1.7b");
    assert_eq!(i["model"]["num_kv_heads"], 8);
    assert_eq!(i["quant"], "w4a8kv8");
    assert_eq!(
        (
            i["batch"].as_u64(),
            i["prefill_tokens"].as_u64(),
            i["decode_tokens"].as_u64()
        ),
        (Some(2), Some(64), Some(8))
    );
    assert!(r["summary"]["ttft_s"].as_f64().unwrap() > 0.0);
    assert!(r["summary"]["decode_tokens_per_s"].as_f64().unwrap() > 0.0);
    assert_eq!(r["schema_version"], 2);
}

#[test]
fn the_trace_opens_as_chrome_trace_events() {
    let dir = scratch("trace");
    let trace = dir.join("t.json");
    let (_, err, code) = lutforge(&[
        "simulate",
        "--model",
        "tiny-llama",
        "--quant",
        "w2a8kv4",
        "--prefill",
        "8",
        "--decode",
        "3",
        "--trace",
        trace.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(code, 0, "{err}");
    let t: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&trace).unwrap()).unwrap();
    let events = t["traceEvents"].as_array().unwrap();
    let spans: Vec<_> = events.iter().filter(|e| e["ph"] == "X").collect();
    // tiny-llama: 2 layers; prefill + 2 decode steps; compute, DRAM and stall tracks.
    assert!(spans
        .iter()
        .any(|e| e["name"] == "L1.qkv_proj" && e["cat"] == "decode"));
    let tracks: std::collections::BTreeSet<u64> =
        spans.iter().map(|e| e["tid"].as_u64().unwrap()).collect();
    assert!(
        tracks.contains(&1) && tracks.contains(&2),
        "compute and dram tracks: {tracks:?}"
    );
    // Compute spans never overlap: each op starts after the previous one ended.
    let mut compute: Vec<(f64, f64)> = spans
        .iter()
        .filter(|e| e["tid"] == 1)
        .map(|e| (e["ts"].as_f64().unwrap(), e["dur"].as_f64().unwrap()))
        .collect();
    compute.sort_by(|a, b| a.0.total_cmp(&b.0));
    for pair in compute.windows(2) {
        assert!(pair[0].0 + pair[0].1 <= pair[1].0 + 1e-9, "{pair:?}");
    }
}

#[test]
fn speculative_decoding_and_shared_prefixes_run() {
    let (out, err, code) = lutforge(&[
        "simulate",
        "--model",
        "llama-2-7b",
        "--draft",
        "tiny-llama",
        "--quant",
        "w2a8kv4",
        "--prefill",
        "64",
        "--decode",
        "16",
    ]);
    // tiny-llama's vocabulary differs from llama-2-7b's: a clear error, not a wrong result.
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("vocabulary"), "{err}");
    let (out, err, code) = lutforge(&[
        "simulate",
        "--model",
        "llama-2-7b",
        "--quant",
        "w2a8kv4",
        "--batch",
        "4",
        "--shared-prefix",
        "32",
        "--prefill",
        "64",
        "--decode",
        "4",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("batch 4"));
}
