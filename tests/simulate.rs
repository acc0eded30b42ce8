//! `lutforge simulate` from the outside: the default run, the JSON report, the trace,
//! speculative decoding and shared prompt prefixes.

use std::path::{Path, PathBuf};

#[path = "support/cli.rs"]
mod cli;

use cli::lutforge;

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
    // Its bf16 LM head runs at its real precision on the fallback unit, and the output says so.
    assert!(out.contains("note: lm_head runs on the fallback"), "{out}");
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

/// The JSON report of `lutforge simulate args... --json <scratch>/<name>.json --quiet`.
fn report(name: &str, args: &[&str]) -> serde_json::Value {
    let json = scratch(name).join(format!("{name}.json"));
    let mut argv = vec!["simulate"];
    argv.extend_from_slice(args);
    argv.extend_from_slice(&["--json", json.to_str().unwrap(), "--quiet"]);
    let (_, err, code) = lutforge(&argv);
    assert_eq!(code, 0, "lutforge {}: {err}", argv.join(" "));
    serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap()
}

#[test]
fn speculative_decoding_is_recorded_and_changes_decode_time() {
    // The README's example.
    let plain = report("plain", &["--model", "llama-2-7b"]);
    let spec = report(
        "speculative",
        &[
            "--model",
            "llama-2-7b",
            "--draft",
            "llama-160m",
            "--draft-len",
            "4",
            "--acceptance",
            "0.7",
        ],
    );
    assert!(plain["inputs"]["speculative"].is_null());
    let s = &spec["inputs"]["speculative"];
    assert_eq!(s["draft"]["name"], "llama-160m", "{s}");
    assert_eq!(s["draft_len"], 4, "{s}");
    assert_eq!(s["acceptance_rate"], 0.7, "{s}");
    let tpot = |r: &serde_json::Value| r["summary"]["tpot_s"].as_f64().unwrap();
    assert_ne!(
        tpot(&spec),
        tpot(&plain),
        "speculative decoding left the time per output token unchanged"
    );
}

#[test]
fn a_draft_with_another_vocabulary_is_a_usage_error() {
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
}

#[test]
fn a_shared_prefix_moves_fewer_dram_bytes_and_prefills_faster() {
    let args = [
        "--model",
        "llama-2-7b",
        "--quant",
        "w2a8kv4",
        "--batch",
        "4",
        "--prefill",
        "64",
        "--decode",
        "4",
    ];
    let plain = report("no-prefix", &args);
    let mut with_prefix = args.to_vec();
    with_prefix.extend_from_slice(&["--shared-prefix", "32"]);
    let shared = report("shared-prefix", &with_prefix);
    assert_eq!(plain["inputs"]["shared_prefix_tokens"], 0);
    assert_eq!(shared["inputs"]["shared_prefix_tokens"], 32);
    let summary = |r: &serde_json::Value, key: &str| r["summary"][key].as_f64().unwrap();
    // The prefix is prefilled once for the batch and its KV cache is read once per step.
    assert!(
        summary(&shared, "dram_bytes") < summary(&plain, "dram_bytes"),
        "DRAM bytes: {} with a shared prefix, {} without",
        summary(&shared, "dram_bytes"),
        summary(&plain, "dram_bytes")
    );
    assert!(
        summary(&shared, "ttft_s") < summary(&plain, "ttft_s"),
        "TTFT: {} s with a shared prefix, {} s without",
        summary(&shared, "ttft_s"),
        summary(&plain, "ttft_s")
    );
}

#[test]
fn compare_prints_one_row_per_architecture_and_scheme() {
    let (out, err, code) = lutforge(&[
        "compare",
        "--arch",
        "configs/arch/lut-tc.toml",
        "--arch",
        "configs/arch/mac-tc.toml",
        "--model",
        "tiny-llama",
        "--quant",
        "w2a8kv4,w4a8kv4",
        "--prefill",
        "16",
        "--decode",
        "4",
    ]);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("| lut-tc") || l.starts_with("| mac-tc"))
        .collect();
    assert_eq!(rows.len(), 4, "{out}");
    // Every numeric cell parses (area, density, energy per MAC).
    for row in rows {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        for cell in [cells[3], cells[4], cells[7]] {
            let value: f64 = cell.parse().unwrap_or_else(|_| panic!("{row}"));
            assert!(value > 0.0, "{row}");
        }
    }
    let (_, err, code) = lutforge(&["compare", "--arch", "configs/arch/lut-tc.toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("--quant needs at least one scheme"), "{err}");
}
