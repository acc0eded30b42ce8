//! The counting run shared by every crate's fuzz targets (each includes this file by path):
//! a benchmark-sized number of cases drawn from a target's strategy with a fixed seed, each run
//! under `catch_unwind` with a wall-clock limit, and one printed line of counts.
//!
//! `LUTFORGE_FUZZ_CASES=100000` sets the cases per target (200 when unset); the line reads
//! `fuzz <target>: N cases, A ok, B errors, C panics, D hangs (slowest S ms)`. Any panic, hang
//! or broken property fails the run.

// Each test binary that includes this file uses a different part of it.
#![allow(dead_code)]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};

/// A case that takes longer than this is a hang.
pub const HANG: Duration = Duration::from_secs(2);

/// Proptest cases of a fuzz target when `PROPTEST_CASES` is not set.
pub const DEFAULT_CASES: u32 = 1000;

/// The proptest configuration of a fuzz target: [`DEFAULT_CASES`] cases unless
/// `PROPTEST_CASES` says otherwise; a failing case is saved to `regressions` (a file under the
/// crate's `proptest-regressions/tests/`, committed) and replayed first on every later run.
pub fn persisted(regressions: &'static str) -> Config {
    let mut config = Config {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(regressions))),
        ..Config::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = DEFAULT_CASES;
    }
    config
}

/// What one case did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The input ran.
    Ok,
    /// The input was refused with a one-line error.
    Error,
}

/// An error message a user should see: one line, not empty.
pub fn one_line(message: &str) -> Result<Outcome, String> {
    if message.is_empty() || message.contains('\n') {
        Err(format!("not a one-line error: {message:?}"))
    } else {
        Ok(Outcome::Error)
    }
}

/// Cases of the counting run: `LUTFORGE_FUZZ_CASES`, or 200.
fn counted_cases() -> u64 {
    match std::env::var("LUTFORGE_FUZZ_CASES") {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("LUTFORGE_FUZZ_CASES={text:?} is not a count")),
        Err(_) => 200,
    }
}

/// The counting run of one target: prints its line and fails on any panic, hang or broken
/// property.
pub fn count<S: Strategy>(
    name: &str,
    strategy: S,
    check: impl Fn(&S::Value) -> Result<Outcome, String>,
) where
    S::Value: std::fmt::Debug,
{
    let cases = counted_cases();
    let mut runner = TestRunner::deterministic();
    let (mut ok, mut errors, mut panics, mut hangs) = (0u64, 0u64, 0u64, 0u64);
    let mut slowest = Duration::ZERO;
    let mut broken = Vec::new();
    for _ in 0..cases {
        let value = strategy
            .new_tree(&mut runner)
            .expect("strategy yields a value")
            .current();
        let start = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| check(&value)));
        let took = start.elapsed();
        slowest = slowest.max(took);
        if took > HANG {
            hangs += 1;
            if broken.len() < 5 {
                broken.push(format!("took {took:?}\n  input: {value:?}"));
            }
        }
        match outcome {
            Ok(Ok(Outcome::Ok)) => ok += 1,
            Ok(Ok(Outcome::Error)) => errors += 1,
            Ok(Err(why)) => {
                errors += 1;
                if broken.len() < 5 {
                    broken.push(format!("{why}\n  input: {value:?}"));
                }
            }
            Err(_) => {
                panics += 1;
                if broken.len() < 5 {
                    broken.push(format!("panicked\n  input: {value:?}"));
                }
            }
        }
    }
    println!(
        "fuzz {name}: {cases} cases, {ok} ok, {errors} errors, {panics} panics, {hangs} hangs (slowest {} ms)",
        slowest.as_millis()
    );
    assert!(broken.is_empty(), "fuzz {name}:\n{}", broken.join("\n"));
}
