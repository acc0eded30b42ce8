//! The counting fuzz run shared by the fuzz targets of this crate.
//!
//! `LUTFORGE_FUZZ_CASES=100000 cargo test -p lutforge-models --test fuzz_hf_config -- --nocapture`
//! draws that many cases (200 when unset) from the target's strategy with a fixed seed, runs
//! each under `catch_unwind`, prints `fuzz <name>: N cases, A ok, B errors, C panics` and fails
//! on any panic or broken property.

use std::panic::{catch_unwind, AssertUnwindSafe};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

/// Proptest cases per target when `PROPTEST_CASES` is not set.
const DEFAULT_CASES: u32 = 1000;

/// The proptest configuration of a fuzz target: [`DEFAULT_CASES`] cases unless
/// `PROPTEST_CASES` says otherwise; a failing case is saved to `regressions` (a file under the
/// crate's `proptest-regressions/tests/`, committed) and replayed first on every later run.
pub fn persisted(regressions: &'static str) -> proptest::test_runner::Config {
    let mut config = proptest::test_runner::Config {
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(regressions),
        )),
        ..proptest::test_runner::Config::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = DEFAULT_CASES;
    }
    config
}

/// Cases of the counting run when `LUTFORGE_FUZZ_CASES` is not set.
const DEFAULT_COUNTED_CASES: u64 = 200;

/// What one case did.
pub enum Outcome {
    /// The input was accepted.
    Ok,
    /// The input was refused with a (well-formed) error.
    Error,
}

/// Runs the counting fuzz of `name`: `check` returns the outcome, or `Err` for a broken property.
pub fn count<S: Strategy>(
    name: &str,
    strategy: S,
    check: impl Fn(&S::Value) -> Result<Outcome, String>,
) where
    S::Value: std::fmt::Debug,
{
    let cases: u64 = match std::env::var("LUTFORGE_FUZZ_CASES") {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("LUTFORGE_FUZZ_CASES={text:?} is not a count")),
        Err(_) => DEFAULT_COUNTED_CASES,
    };
    let mut runner = TestRunner::deterministic();
    let (mut ok, mut errors, mut panics) = (0u64, 0u64, 0u64);
    let mut broken = Vec::new();
    for _ in 0..cases {
        let value = strategy
            .new_tree(&mut runner)
            .expect("strategy yields a value")
            .current();
        match catch_unwind(AssertUnwindSafe(|| check(&value))) {
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
    println!("fuzz {name}: {cases} cases, {ok} ok, {errors} errors, {panics} panics");
    assert!(broken.is_empty(), "fuzz {name}:\n{}", broken.join("\n"));
}
