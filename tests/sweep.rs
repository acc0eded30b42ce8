//! Sweeps give the same set of result lines however they are run: with any number of threads,
//! sharded and merged, or killed half-way and resumed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_lutforge"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn scratch(name: &str) -> PathBuf {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("sweep-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn lines(path: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

fn sweep(space: &str, out: &Path, extra: &[&str]) -> Output {
    bin()
        .args(["sweep", "--space", space, "--out"])
        .arg(out)
        .args(["--quiet"])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn thread_count_and_sharding_do_not_change_results() {
    let dir = scratch("shards");
    let one = dir.join("one.jsonl");
    ok(sweep("tests/sweeps/tiny.toml", &one, &["--jobs", "1"]));
    let reference = lines(&one);
    assert_eq!(reference.len(), 72);
    assert!(
        reference.iter().any(|l| l.contains("\"rejected\"")),
        "g=1 with symmetric tables must be rejected"
    );
    assert!(reference.iter().any(|l| l.contains("\"ok\"")));

    let two = dir.join("two.jsonl");
    ok(sweep("tests/sweeps/tiny.toml", &two, &["--jobs", "2"]));
    assert_eq!(lines(&two), reference);

    let mut shards = Vec::new();
    for i in 0..3 {
        let s = dir.join(format!("s{i}.jsonl"));
        ok(sweep(
            "tests/sweeps/tiny.toml",
            &s,
            &["--shard", &format!("{i}/3")],
        ));
        shards.push(s);
    }
    let merged = dir.join("merged.jsonl");
    ok(bin()
        .args(["sweep", "merge"])
        .args(&shards)
        .arg("--out")
        .arg(&merged)
        .output()
        .unwrap());
    assert_eq!(lines(&merged), reference);

    // A missing shard is an error, not a silently short file.
    let out = bin()
        .args(["sweep", "merge"])
        .args(&shards[..2])
        .arg("--out")
        .arg(dir.join("short.jsonl"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("24 of 72 points missing"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A duplicated shard is an error too.
    let out = bin()
        .args(["sweep", "merge"])
        .arg(&shards[0])
        .arg(&shards[0])
        .arg("--out")
        .arg(dir.join("dup.jsonl"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("is duplicated"));
}

#[test]
fn killed_half_way_and_resumed_equals_an_uninterrupted_run() {
    let dir = scratch("resume");
    let full = dir.join("full.jsonl");
    ok(sweep("tests/sweeps/medium.toml", &full, &[]));
    let reference = lines(&full);
    assert_eq!(reference.len(), 2000);

    let part = dir.join("part.jsonl");
    let mut child = bin()
        .args(["sweep", "--space", "tests/sweeps/medium.toml", "--out"])
        .arg(&part)
        .args(["--quiet", "--jobs", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while std::fs::read_to_string(&part).map_or(0, |t| t.lines().count()) < 50
        && start.elapsed() < Duration::from_secs(60)
    {
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let written = std::fs::read_to_string(&part).unwrap();
    let done = written.lines().count();
    assert!(
        (50..2000).contains(&done),
        "killed after {done} lines: not half-way"
    );
    // A torn last line, as a kill in the middle of a write leaves it.
    std::fs::write(&part, format!("{written}{{\"sweep\":\"med")).unwrap();

    // Without --resume an existing results file is never overwritten.
    let refused = sweep("tests/sweeps/medium.toml", &part, &[]);
    assert_eq!(refused.status.code(), Some(2));

    ok(sweep("tests/sweeps/medium.toml", &part, &["--resume"]));
    assert_eq!(lines(&part), reference);
}

#[test]
fn pareto_front_is_non_dominated() {
    let dir = scratch("pareto");
    let results = dir.join("r.jsonl");
    ok(sweep("tests/sweeps/tiny.toml", &results, &[]));
    let front = dir.join("front.jsonl");
    let out = ok(bin()
        .args(["sweep", "pareto"])
        .arg(&results)
        .args([
            "--max",
            "tokens_per_s",
            "--min",
            "energy_per_token_j",
            "--out",
        ])
        .arg(&front)
        .output()
        .unwrap());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Pareto-optimal"));
    let metric = |line: &str, name: &str| -> f64 {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        v["metrics"][name].as_f64().unwrap()
    };
    let all: Vec<String> = lines(&results)
        .into_iter()
        .filter(|l| l.contains("\"ok\""))
        .collect();
    let front: Vec<String> = lines(&front).into_iter().collect();
    assert!(!front.is_empty());
    for f in &front {
        for a in &all {
            let better = metric(a, "tokens_per_s") >= metric(f, "tokens_per_s")
                && metric(a, "energy_per_token_j") <= metric(f, "energy_per_token_j")
                && (metric(a, "tokens_per_s") > metric(f, "tokens_per_s")
                    || metric(a, "energy_per_token_j") < metric(f, "energy_per_token_j"));
            assert!(!better, "front point {f} is dominated by {a}");
        }
    }
}
