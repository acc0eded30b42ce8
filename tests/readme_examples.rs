//! Every `lutforge ...` command the README shows runs as written and exits 0.
//!
//! The commands are the indented code-block lines of README.md that start with `lutforge ` or
//! `cargo run --release -- ` (run as `lutforge ...`), with the rules of the acceptance check
//! `readme-examples-run`: a trailing `# comment` and optional `[...]` parts are dropped;
//! lines with a placeholder (`path/to`, `...`, `<`, `>`, `|`, `SPACE`, `OUTDIR`), `scalesim`
//! commands (they need the user's SCALE-Sim files) and `shard-` commands (they need a cluster
//! job's outputs) are skipped. Each runs with the built binary, in one scratch directory with
//! `configs` and `scripts` linked in, with a timeout. Commands that fail are run once more
//! after all the others, because some read what a later one writes (`report --from
//! results.jsonl` before the sweep that writes it).
//!
//! One addition to the check's rules: without Verilator on `PATH`, `lutforge cosim` commands
//! are skipped with a loud `SKIPPED` line, as the co-simulation tests do, unless
//! `LUTFORGE_REQUIRE_TOOLS=1` (CI) makes a missing tool a failure.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lutforge_testbench::{find_verilator, tools_required};

/// Longest any one command may run (the acceptance check's limit).
const TIMEOUT: Duration = Duration::from_secs(100);

/// Placeholders that mark a line as a template rather than a command.
const PLACEHOLDERS: &[&str] = &["path/to", "...", "<", ">", "|", "SPACE", "OUTDIR"];

/// `line` without a trailing comment: from the whitespace before the first `#` that follows
/// whitespace.
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    match (1..bytes.len()).find(|&i| bytes[i] == b'#' && bytes[i - 1].is_ascii_whitespace()) {
        Some(i) => line[..i].trim_end(),
        None => line,
    }
}

/// `line` without its optional `[...]` parts (and the whitespace before each).
fn strip_optional(line: &str) -> String {
    let mut out = line.to_string();
    while let Some(open) = out.find('[') {
        let Some(close) = out[open..].find(']').map(|c| open + c) else {
            break;
        };
        let start = out[..open].trim_end().len();
        out.replace_range(start..=close, "");
    }
    out
}

/// The README's commands, in order, as the acceptance check selects them; each with
/// `lutforge` as its first word.
fn readme_commands(readme: &str) -> Vec<String> {
    let mut commands = Vec::new();
    for line in readme.lines() {
        if !line.starts_with("    ") {
            continue;
        }
        let mut s = line.trim().to_string();
        if let Some(rest) = s.strip_prefix("cargo run --release -- ") {
            s = format!("lutforge {rest}");
        }
        if !s.starts_with("lutforge ") {
            continue;
        }
        let s = strip_optional(strip_comment(&s));
        if PLACEHOLDERS.iter().any(|p| s.contains(p))
            || format!("{s} ").contains(" scalesim ")
            || s.contains("shard-")
        {
            continue;
        }
        commands.push(s);
    }
    commands
}

/// Splits a command line into words as a POSIX shell would for these lines: whitespace,
/// single and double quotes, backslash escapes.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => words.extend(word.take()),
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                w.extend(chars.by_ref().take_while(|&c| c != '\''));
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => w.extend(chars.next()),
                        c => w.push(c),
                    }
                }
            }
            '\\' => word.get_or_insert_with(String::new).extend(chars.next()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

/// A directory with `configs` and `scripts` of the repository linked in, fresh per run.
fn scratch_with_links(root: &Path) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("readme-examples-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("run")).unwrap();
    for name in ["configs", "scripts"] {
        std::os::unix::fs::symlink(root.join(name), dir.join("run").join(name)).unwrap();
    }
    dir
}

/// Runs `command` in `dir/run` with output to files under `dir`; `Err` says how it failed.
fn run(command: &str, dir: &Path, n: usize) -> Result<Duration, String> {
    let words = shell_words(command);
    let (out_path, err_path) = (dir.join(format!("{n}.out")), dir.join(format!("{n}.err")));
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_lutforge"))
        .args(&words[1..])
        .current_dir(dir.join("run"))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .map_err(|e| format!("cannot start: {e}"))?;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("timed out after {} s", TIMEOUT.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    if status.success() {
        return Ok(start.elapsed());
    }
    let err = std::fs::read_to_string(&err_path).unwrap_or_default();
    let out = std::fs::read_to_string(&out_path).unwrap_or_default();
    let text = if err.trim().is_empty() { out } else { err };
    let last = text.lines().last().unwrap_or("").trim().to_string();
    Err(format!("exit {:?}: {last}", status.code()))
}

#[test]
fn readme_selection_follows_the_acceptance_check() {
    let readme = "\
text
    lutforge models                      # presets
    cargo run --release -- simulate
    cargo test --workspace
    lutforge rtl --out build/rtl [--synth]   # Verilog
    lutforge cosim --cases 2 [--vcd 3] [--stalls]
    lutforge simulate --model path/to/config.json
    lutforge sweep pareto results.jsonl ...
    lutforge scalesim -c scale.cfg -p outdir
    lutforge sweep merge results/shard-0.jsonl --out m.jsonl
    lutforge x --a <A> | head
    \"$LUTFORGE\" sweep --space \"$SPACE\"
lutforge not-indented
";
    assert_eq!(
        readme_commands(readme),
        [
            "lutforge models",
            "lutforge simulate",
            "lutforge rtl --out build/rtl",
            "lutforge cosim --cases 2",
        ]
    );
    assert_eq!(
        shell_words(r#"lutforge a "b c" 'd e' f\ g"#),
        ["lutforge", "a", "b c", "d e", "f g"]
    );
}

#[test]
fn every_readme_command_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let commands = readme_commands(&readme);
    assert!(
        !commands.is_empty(),
        "no lutforge commands found in README.md"
    );
    let dir = scratch_with_links(root);
    let verilator = find_verilator().is_ok();
    let started = Instant::now();
    let mut to_run = Vec::new();
    for command in &commands {
        if shell_words(command).get(1).map(String::as_str) == Some("cosim") && !verilator {
            assert!(
                !tools_required(),
                "verilator not found and LUTFORGE_REQUIRE_TOOLS=1: cannot run `{command}`"
            );
            eprintln!("*** SKIPPED: verilator not found: `{command}` ***");
            continue;
        }
        to_run.push(command.clone());
    }
    let mut logs = 0;
    let mut run_all = |list: &[String], pass: u32| -> Vec<(String, String)> {
        let mut failed = Vec::new();
        for command in list {
            logs += 1;
            match run(command, &dir, logs) {
                Ok(took) => eprintln!("ok ({:.2} s, pass {pass}): {command}", took.as_secs_f64()),
                Err(why) => {
                    eprintln!("failed (pass {pass}): {command}: {why}");
                    failed.push((command.clone(), why));
                }
            }
        }
        failed
    };
    // Two passes: a command may read what a later README command writes.
    let retry: Vec<String> = run_all(&to_run, 1).into_iter().map(|(c, _)| c).collect();
    let failed = run_all(&retry, 2);
    eprintln!(
        "{} README commands run, {} skipped without verilator, in {:.1} s",
        to_run.len(),
        commands.len() - to_run.len(),
        started.elapsed().as_secs_f64()
    );
    let report: Vec<String> = failed
        .iter()
        .map(|(c, why)| format!("`{c}`: {why}"))
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} README commands fail (run twice; outputs under {}):\n  {}",
        failed.len(),
        to_run.len(),
        dir.display(),
        report.join("\n  ")
    );
}
