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

/// The medium sweep run uninterrupted on one thread (lines in id order), as bytes.
fn medium_reference(dir: &Path) -> Vec<u8> {
    let full = dir.join("full.jsonl");
    ok(sweep("tests/sweeps/medium.toml", &full, &["--jobs", "1"]));
    let bytes = std::fs::read(&full).unwrap();
    assert_eq!(bytes.split_inclusive(|b| *b == b'\n').count(), 2000);
    bytes
}

/// Fails naming the first line where `got` differs from `want`.
fn assert_same_bytes(got: &[u8], want: &[u8], what: &str) {
    if got == want {
        return;
    }
    let got_lines: Vec<&[u8]> = got.split_inclusive(|b| *b == b'\n').collect();
    let want_lines: Vec<&[u8]> = want.split_inclusive(|b| *b == b'\n').collect();
    let first = (0..got_lines.len().max(want_lines.len()))
        .find(|&i| got_lines.get(i) != want_lines.get(i))
        .unwrap_or(0);
    let show = |l: Option<&&[u8]>| {
        l.map_or("(end of file)".to_string(), |l| {
            String::from_utf8_lossy(l).trim_end().to_string()
        })
    };
    panic!(
        "{what}: {} lines, expected {}; first difference at line {}:\n  got:      {}\n  expected: {}",
        got_lines.len(),
        want_lines.len(),
        first + 1,
        show(got_lines.get(first)),
        show(want_lines.get(first))
    );
}

#[test]
fn resumed_from_any_cut_equals_an_uninterrupted_run_byte_for_byte() {
    let dir = scratch("resume-cut");
    let reference = medium_reference(&dir);
    let lines: Vec<&[u8]> = reference.split_inclusive(|b| *b == b'\n').collect();
    for cut in [0, 1, 50, 1000, 1999, 2000] {
        // The first `cut` lines, then half of the next one: what a kill in the middle of a
        // write leaves.
        let mut interrupted = lines[..cut].concat();
        if let Some(next) = lines.get(cut) {
            interrupted.extend_from_slice(&next[..next.len() / 2]);
        }
        let part = dir.join(format!("cut-{cut}.jsonl"));
        std::fs::write(&part, &interrupted).unwrap();

        // Without --resume an existing results file is refused and left as it was.
        let refused = sweep("tests/sweeps/medium.toml", &part, &["--jobs", "1"]);
        assert_eq!(refused.status.code(), Some(2), "cut {cut}");
        assert_eq!(std::fs::read(&part).unwrap(), interrupted, "cut {cut}");

        resume_and_compare(
            &part,
            &reference,
            &format!("resumed after {cut} lines and a torn one"),
        );
    }
}

#[test]
fn resumed_on_several_threads_has_every_line_exactly_once() {
    let dir = scratch("resume-threads");
    let reference = medium_reference(&dir);
    let part = dir.join("part.jsonl");
    let lines: Vec<&[u8]> = reference.split_inclusive(|b| *b == b'\n').collect();
    let mut interrupted = lines[..700].concat();
    interrupted.extend_from_slice(&lines[700][..10]);
    std::fs::write(&part, &interrupted).unwrap();
    ok(sweep(
        "tests/sweeps/medium.toml",
        &part,
        &["--resume", "--jobs", "2"],
    ));
    // Threads finish points in any order; sorted, the lines (duplicates included) must match.
    let sorted = |bytes: &[u8]| {
        let mut l: Vec<Vec<u8>> = bytes
            .split_inclusive(|b| *b == b'\n')
            .map(<[u8]>::to_vec)
            .collect();
        l.sort();
        l.concat()
    };
    assert_same_bytes(
        &sorted(&std::fs::read(&part).unwrap()),
        &sorted(&reference),
        "resumed on 2 threads, lines sorted",
    );
}

#[test]
fn killed_at_any_moment_and_resumed_equals_an_uninterrupted_run() {
    let dir = scratch("resume-kill");
    let reference = medium_reference(&dir);
    let part = dir.join("part.jsonl");
    let mut child = bin()
        .args(["sweep", "--space", "tests/sweeps/medium.toml", "--out"])
        .arg(&part)
        .args(["--quiet", "--jobs", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill once the first line is out, or whenever: the check below holds for a kill at any
    // moment, including after the sweep has finished.
    let start = Instant::now();
    while std::fs::read(&part).map_or(0, |t| t.len()) == 0
        && child.try_wait().unwrap().is_none()
        && start.elapsed() < Duration::from_secs(60)
    {
        std::thread::sleep(Duration::from_millis(1));
    }
    let _ = child.kill();
    child.wait().unwrap();
    // A torn last line, as a kill in the middle of a write leaves it.
    let mut written = std::fs::read(&part).unwrap_or_default();
    written.extend_from_slice(b"{\"sweep\":\"med");
    std::fs::write(&part, &written).unwrap();

    resume_and_compare(&part, &reference, "killed, then resumed");
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

#[test]
fn pareto_front_of_a_hand_built_file_is_exactly_the_known_front() {
    let dir = scratch("pareto-known");
    /// (tokens_per_s, energy_per_token_j, area_mm2); None = a rejected point.
    type Metrics = Option<(f64, f64, f64)>;
    let points: [(u64, Metrics); 9] = [
        (0, Some((100.0, 1.0, 10.0))), // front: the least energy of the fast-enough ones
        (1, Some((200.0, 2.0, 10.0))), // front
        (2, Some((300.0, 4.0, 10.0))), // front: the fastest
        (3, Some((150.0, 2.5, 5.0))),  // dominated by 1 on two objectives; smallest area
        (4, Some((100.0, 1.5, 12.0))), // dominated by 0: as fast, more energy
        (5, Some((300.0, 4.0, 10.0))), // equal to 2: equal points do not dominate, both kept
        (6, None),                     // rejected: never on the front
        (7, Some((50.0, 0.5, 10.0))),  // front: the least energy
        (8, Some((250.0, 5.0, 11.0))), // dominated by 2
    ];
    let lines: Vec<String> = points
        .iter()
        .map(|(id, m)| match m {
            Some((tps, e, area)) => format!(
                "{{\"sweep\":\"known#0\",\"id\":{id},\"total\":9,\"point\":{{\"cores\":{id}}},\
                 \"status\":\"ok\",\"metrics\":{{\"area_mm2\":{area},\"energy_per_token_j\":{e},\
                 \"tokens_per_s\":{tps}}}}}"
            ),
            None => format!(
                "{{\"sweep\":\"known#0\",\"id\":{id},\"total\":9,\"point\":{{\"cores\":{id}}},\
                 \"status\":\"rejected\",\"reason\":\"does not fit\"}}"
            ),
        })
        .collect();
    let results = dir.join("known.jsonl");
    // Out of id order on purpose: the front is written in id order.
    let mut shuffled = lines.clone();
    shuffled.reverse();
    std::fs::write(&results, shuffled.join("\n") + "\n").unwrap();

    let front_of = |objectives: &[&str], name: &str| -> (String, String) {
        let front = dir.join(name);
        let out = ok(bin()
            .args(["sweep", "pareto"])
            .arg(&results)
            .args(objectives)
            .arg("--out")
            .arg(&front)
            .output()
            .unwrap());
        (
            String::from_utf8_lossy(&out.stdout).into(),
            std::fs::read_to_string(&front).unwrap(),
        )
    };
    let expected =
        |ids: &[usize]| -> String { ids.iter().map(|&i| lines[i].clone() + "\n").collect() };

    let (stdout, front) = front_of(
        &["--max", "tokens_per_s", "--min", "energy_per_token_j"],
        "two.jsonl",
    );
    assert_eq!(front, expected(&[0, 1, 2, 5, 7]), "two objectives");
    assert!(
        stdout.starts_with(
            "5 of 8 points are Pareto-optimal (max tokens_per_s, min energy_per_token_j)"
        ),
        "{stdout}"
    );

    // A third objective brings point 3 (the smallest area) onto the front; 4 and 8 stay off.
    let (_, front) = front_of(
        &[
            "--max",
            "tokens_per_s",
            "--min",
            "energy_per_token_j",
            "--min",
            "area_mm2",
        ],
        "three.jsonl",
    );
    assert_eq!(front, expected(&[0, 1, 2, 3, 5, 7]), "three objectives");
}

/// Resumes the medium sweep in `part` on one thread and requires the file to equal `reference`
/// byte for byte.
fn resume_and_compare(part: &std::path::Path, reference: &[u8], what: &str) {
    ok(sweep(
        "tests/sweeps/medium.toml",
        part,
        &["--resume", "--jobs", "1"],
    ));
    assert_same_bytes(&std::fs::read(part).unwrap(), reference, what);
}

#[test]
fn a_sweep_varies_the_moe_routing_model() {
    let dir = scratch("moe");
    let out = dir.join("moe.jsonl");
    ok(sweep(
        "configs/sweeps/moe-routing.toml",
        &out,
        &["--jobs", "2"],
    ));
    let mut by_point = std::collections::BTreeMap::new();
    for line in lines(&out) {
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["status"], "ok", "{line}");
        let batch = v["point"]["workload.batch"].as_u64().unwrap();
        let routing = v["point"]["workload.moe_routing"]
            .as_str()
            .unwrap()
            .to_string();
        let dram = v["metrics"]["dram_bytes"].as_f64().unwrap();
        by_point.insert((batch, routing), dram);
    }
    assert_eq!(by_point.len(), 6);
    // One token reads its top-6 experts either way; at a batch uniform routing reads fewer.
    assert_eq!(
        by_point[&(1, "balanced".into())],
        by_point[&(1, "uniform".into())]
    );
    for batch in [4, 16] {
        assert!(by_point[&(batch, "uniform".into())] < by_point[&(batch, "balanced".into())]);
    }
}
