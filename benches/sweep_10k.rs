//! Benchmark: the 10,000-point decode sweep of `configs/sweeps/lut-tc-decode.toml` (llama-2-7b)
//! through the release binary, on 1 and 2 threads. Target: under 60 s on 2 cores.
//!
//! Run with `cargo bench --bench sweep_10k`.

use std::process::Command;
use std::time::Instant;

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = std::env::temp_dir().join(format!("lutforge-bench-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut seconds = Vec::new();
    for jobs in [1, 2] {
        let out = dir.join(format!("jobs{jobs}.jsonl"));
        let _ = std::fs::remove_file(&out);
        let start = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_lutforge"))
            .current_dir(root)
            .args([
                "sweep",
                "--space",
                "configs/sweeps/lut-tc-decode.toml",
                "--quiet",
                "--jobs",
                &jobs.to_string(),
                "--out",
            ])
            .arg(&out)
            .status()
            .expect("run lutforge");
        let elapsed = start.elapsed().as_secs_f64();
        assert!(status.success(), "sweep failed");
        let lines = std::fs::read_to_string(&out)
            .expect("results")
            .lines()
            .count();
        println!("sweep lut-tc-decode ({lines} points, llama-2-7b decode) with --jobs {jobs}: {elapsed:.2} s, {:.0} points/s; target < 60 s: {:.0}x under", lines as f64 / elapsed, 60.0 / elapsed);
        seconds.push(elapsed);
    }
    println!(
        "speed-up from 1 to 2 threads: {:.2}x",
        seconds[0] / seconds[1]
    );
    let _ = std::fs::remove_dir_all(&dir);
}
