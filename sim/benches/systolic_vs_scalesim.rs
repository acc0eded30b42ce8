//! Benchmark (not a test): `lutforge scalesim` against SCALE-Sim 3.0.0 on the same layers, with
//! the speed ratio printed and the reports checked byte for byte.
//!
//! Run with `cargo build --release && cargo bench -p lutforge-sim --bench systolic_vs_scalesim`.
//! Our side runs in-process (model time: parsing the config, every layer's exact replay and the
//! three report texts; best of several runs) and, when `target/release/lutforge` exists, as the
//! CLI (wall time including process start and file writes; best of 5). SCALE-Sim runs in the
//! virtual environment `$LUTFORGE_SCALESIM_VENV` (default `target/scalesim-venv`, created by
//! `testbench/scalesim/setup_venv.sh`) through `testbench/scalesim/run_scalesim.py`, once per
//! case; without it the SCALE-Sim side is skipped with a message. Environment:
//! `SYSTOLIC_BENCH_CASES=gemm512,o_proj` picks cases; `SYSTOLIC_BENCH_SCALESIM=0` skips SCALE-Sim.
//!
//! Measured 2026-11-25 on the shared 2-core development machine (other jobs running, load
//! average 2-5; SCALE-Sim CPU time is user + system of its processes), all three report files
//! identical byte for byte in every case:
//!
//! | case | SCALE-Sim wall (CPU) | lutforge CLI wall | lutforge model | ratio wall | ratio CPU/model |
//! |---|---|---|---|---|---|
//! | gemm512: 512x512x512 GEMM, 32x32 ws | 20.2 s (19.6 s) | 1.85 ms | 0.040 ms | 10,907x | 484,093x |
//! | o_proj: Llama-2-7B o_proj, M=1, 128x128 ws | 64.4 s (62.6 s) | 2.24 ms | 0.056 ms | 28,786x | 1,111,173x |
//! | llama_layer: 7 GEMMs of a Llama-2-7B layer, M=1, 128x128 ws | 796.0 s (795.7 s) | 2.35 ms | 0.541 ms | 339,053x | 1,469,675x |
//!
//! `llama_layer` runs SCALE-Sim once per GEMM and sums the times: SCALE-Sim keeps every finished
//! layer in memory, and one process for the whole layer had grown to 12 GiB after the four
//! 4096x4096 GEMMs (the 11008-wide ones need about 9 GiB each alone) on a 23 GiB machine.
//! The same table is kept in `testbench/scalesim/README.md`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use lutforge_sim::systolic::scalesim::{
    parse_topology, reports, run_layer, ScaleSimConfig, TopologyKind,
};

struct Case {
    name: &'static str,
    what: &'static str,
    /// Configuration, relative to the repository root.
    config: &'static str,
    topology: &'static str,
    /// Run SCALE-Sim once per layer (it keeps every finished layer in memory, so a whole Llama
    /// layer in one process outgrows the machine); times are summed and the per-layer reports
    /// merged (LayerID renumbered) before the byte comparison.
    per_layer_process: bool,
}

const CASES: &[Case] = &[
    Case {
        name: "gemm512",
        what: "512x512x512 GEMM, 32x32 ws, 64 KiB SRAMs, CALC",
        config: "configs/scalesim/scale.cfg",
        topology: "Layer, M, N, K,\ngemm512, 512, 512, 512,\n",
        per_layer_process: false,
    },
    Case {
        name: "o_proj",
        what: "Llama-2-7B o_proj decode (M=1, 4096x4096), 128x128 ws, 512 KiB SRAMs, CALC",
        config: "testbench/scalesim/ws128.cfg",
        topology: "Layer, M, N, K,\no_proj, 1, 4096, 4096,\n",
        per_layer_process: false,
    },
    Case {
        name: "llama_layer",
        what: "one whole Llama-2-7B decoder layer's 7 GEMMs at decode (M=1), 128x128 ws, \
               512 KiB SRAMs, CALC",
        config: "testbench/scalesim/ws128.cfg",
        topology: include_str!("../../testbench/scalesim/llama2-7b-decode.csv"),
        per_layer_process: true,
    },
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// Our side in-process: parse, replay every layer, format the reports. Returns the reports.
fn run_ours(cfg_text: &str, cfg_file: &str, topo: &str) -> (String, String, String) {
    let cfg = ScaleSimConfig::from_ini_str(cfg_text, cfg_file).expect("config");
    let layers = parse_topology(topo, "topology.csv", TopologyKind::Gemm).expect("topology");
    let results: Vec<_> = layers
        .iter()
        .enumerate()
        .map(|(i, l)| run_layer(&cfg, l, i, "topology.csv", true).expect("replay"))
        .collect();
    reports(&results)
}

/// Best-of wall time of `f`, repeated for at least ~0.3 s (at least 3 runs).
fn best_of(mut f: impl FnMut()) -> f64 {
    let mut best = f64::INFINITY;
    let started = Instant::now();
    let mut runs = 0;
    while runs < 3 || (started.elapsed().as_secs_f64() < 0.3 && runs < 1000) {
        let t0 = Instant::now();
        f();
        best = best.min(t0.elapsed().as_secs_f64());
        runs += 1;
    }
    best
}

fn read_reports(dir: &Path) -> Option<(String, String, String)> {
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).ok();
    Some((
        read("COMPUTE_REPORT.csv")?,
        read("BANDWIDTH_REPORT.csv")?,
        read("DETAILED_ACCESS_REPORT.csv")?,
    ))
}

/// Runs SCALE-Sim on one topology; returns (wall, CPU = user + system) seconds.
fn run_scalesim(
    python: &Path,
    root: &Path,
    cfg: &Path,
    topo: &Path,
    layout: &Path,
    out: &Path,
) -> (f64, f64) {
    let t0 = Instant::now();
    let o = Command::new(python)
        .arg("-c")
        .arg(concat!(
            "import resource, runpy, sys\n",
            "sys.argv = sys.argv[1:]\n",
            "runpy.run_path(sys.argv[0], run_name='__main__')\n",
            "r = resource.getrusage(resource.RUSAGE_SELF)\n",
            "print(f'CPU {r.ru_utime + r.ru_stime}', file=sys.stderr)\n",
        ))
        .arg(root.join("testbench/scalesim/run_scalesim.py"))
        .arg(cfg)
        .arg(topo)
        .arg(layout)
        .arg("gemm")
        .arg(out)
        .output()
        .expect("run SCALE-Sim");
    let wall = t0.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "SCALE-Sim failed:\n{stderr}");
    let cpu = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("CPU "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(f64::NAN);
    (wall, cpu)
}

fn fmt_s(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.1} s")
    } else {
        format!("{:.3} ms", s * 1e3)
    }
}

fn main() {
    let root = root();
    let pick: Option<Vec<String>> = std::env::var("SYSTOLIC_BENCH_CASES")
        .ok()
        .map(|v| v.split(',').map(|s| s.trim().to_string()).collect());
    let want_scalesim = std::env::var("SYSTOLIC_BENCH_SCALESIM").map_or(true, |v| v != "0");
    let venv = std::env::var_os("LUTFORGE_SCALESIM_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target").join("scalesim-venv"));
    let python = venv.join("bin").join("python");
    let have_scalesim = want_scalesim
        && Command::new(&python)
            .args(["-c", "import scalesim.scale_sim"])
            .output()
            .is_ok_and(|o| o.status.success());
    if !have_scalesim {
        println!(
            "SCALE-Sim side SKIPPED: {} (run testbench/scalesim/setup_venv.sh {})",
            if want_scalesim {
                format!("no SCALE-Sim 3.0.0 venv at {}", venv.display())
            } else {
                "SYSTOLIC_BENCH_SCALESIM=0".to_string()
            },
            venv.display()
        );
    }
    let cli = root.join("target").join("release").join("lutforge");
    let cli = cli.is_file().then_some(cli);
    if cli.is_none() {
        println!("CLI timing SKIPPED: no target/release/lutforge (cargo build --release first)");
    }
    let work = root.join("target").join("tmp").join("systolic-bench");
    let layout = root.join("configs/scalesim/layout.csv");
    let mut table = Vec::new();
    for case in CASES {
        if pick
            .as_ref()
            .is_some_and(|p| !p.iter().any(|n| n == case.name))
        {
            continue;
        }
        println!("case {}: {}", case.name, case.what);
        let dir = work.join(case.name);
        std::fs::create_dir_all(&dir).expect("work dir");
        let cfg_path = root.join(case.config);
        let cfg_text = std::fs::read_to_string(&cfg_path).expect("config");
        let topo_path = dir.join(format!("{}.csv", case.name));
        std::fs::write(&topo_path, case.topology).expect("topology");
        let run_name = ScaleSimConfig::from_ini_str(&cfg_text, case.config)
            .expect("config")
            .run_name;

        let ours = run_ours(&cfg_text, case.config, case.topology);
        let model = best_of(|| {
            std::hint::black_box(run_ours(&cfg_text, case.config, case.topology));
        });
        println!(
            "  lutforge model time (in-process, best of runs): {}",
            fmt_s(model)
        );

        let mut cli_wall = None;
        if let Some(cli) = &cli {
            let out = dir.join("lutforge");
            let mut best = f64::INFINITY;
            for _ in 0..5 {
                let t0 = Instant::now();
                let st = Command::new(cli)
                    .arg("scalesim")
                    .arg("-c")
                    .arg(&cfg_path)
                    .arg("-t")
                    .arg(&topo_path)
                    .arg("-l")
                    .arg(&layout)
                    .args(["-i", "gemm", "-p"])
                    .arg(&out)
                    .output()
                    .expect("run lutforge");
                best = best.min(t0.elapsed().as_secs_f64());
                assert!(st.status.success(), "lutforge scalesim failed");
            }
            let written = read_reports(&out.join(&run_name)).expect("CLI reports");
            assert!(
                written == ours,
                "CLI reports differ from the in-process ones"
            );
            println!(
                "  lutforge CLI wall time (process start + files, best of 5): {}",
                fmt_s(best)
            );
            cli_wall = Some(best);
        }

        let mut ss = None;
        if have_scalesim {
            let topologies: Vec<(PathBuf, String)> = if case.per_layer_process {
                let mut lines = case.topology.lines().filter(|l| !l.trim().is_empty());
                let header = lines.next().expect("topology header");
                lines
                    .enumerate()
                    .map(|(i, l)| {
                        let p = dir.join(format!("{}_{i}.csv", case.name));
                        std::fs::write(&p, format!("{header}\n{l}\n")).expect("topology");
                        (p, format!("layer{i}"))
                    })
                    .collect()
            } else {
                vec![(topo_path.clone(), "all".to_string())]
            };
            let (mut wall, mut cpu) = (0.0, 0.0);
            let mut merged: [String; 3] = Default::default();
            for (k, (topo, sub)) in topologies.iter().enumerate() {
                std::fs::create_dir_all(dir.join("scalesim")).expect("work dir");
                let out = dir.join("scalesim").join(sub);
                let _ = std::fs::remove_dir_all(out.join(&run_name));
                let (w, c) = run_scalesim(&python, &root, &cfg_path, topo, &layout, &out);
                wall += w;
                cpu += c;
                let theirs = read_reports(&out.join(&run_name)).expect("SCALE-Sim reports");
                for (m, text) in merged.iter_mut().zip([theirs.0, theirs.1, theirs.2]) {
                    let mut lines = text.lines();
                    let header = lines.next().unwrap_or_default();
                    if k == 0 {
                        m.push_str(header);
                        m.push('\n');
                    }
                    for line in lines {
                        if case.per_layer_process {
                            // A single-layer run numbers its layer 0.
                            let rest = line.split_once(',').map_or(line, |(_, r)| r);
                            m.push_str(&format!("{k},{rest}\n"));
                        } else {
                            m.push_str(line);
                            m.push('\n');
                        }
                    }
                }
            }
            let [a, b, c] = merged;
            let same = (a, b, c) == ours;
            println!(
                "  SCALE-Sim 3.0.0: {} wall, {} CPU{}; reports {}",
                fmt_s(wall),
                fmt_s(cpu),
                if case.per_layer_process {
                    format!(" (sum of {} processes, one per layer)", topologies.len())
                } else {
                    String::new()
                },
                if same {
                    "IDENTICAL (all three files, byte for byte)"
                } else {
                    "DIFFER"
                }
            );
            assert!(
                same,
                "SCALE-Sim and lutforge reports differ for {}",
                case.name
            );
            ss = Some((wall, cpu));
        }
        if let Some((wall, cpu)) = ss {
            if let Some(c) = cli_wall {
                println!(
                    "  speed ratio, wall to wall (incl. process start): {:.0}x",
                    wall / c
                );
            }
            println!(
                "  speed ratio, SCALE-Sim CPU / lutforge model time: {:.0}x",
                cpu / model
            );
        }
        table.push((case.name, ss, cli_wall, model));
    }
    println!("\n| case | SCALE-Sim wall (CPU) | lutforge CLI wall | lutforge model | ratio wall | ratio CPU/model |");
    println!("|---|---|---|---|---|---|");
    for (name, ss, cli, model) in table {
        let ssw = ss.map_or("skipped".into(), |(w, c)| {
            format!("{} ({})", fmt_s(w), fmt_s(c))
        });
        let cliw = cli.map_or("-".into(), fmt_s);
        let rw = match (ss, cli) {
            (Some((w, _)), Some(c)) => format!("{:.0}x", w / c),
            _ => "-".into(),
        };
        let rc = ss.map_or("-".into(), |(_, c)| format!("{:.0}x", c / model));
        println!(
            "| {name} | {ssw} | {cliw} | {} | {rw} | {rc} |",
            fmt_s(model)
        );
    }
}
