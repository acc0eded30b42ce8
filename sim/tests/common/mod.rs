//! Helpers shared by the sim integration tests (each test file includes them with
//! `mod common;`): hardware-independent bounds, and the proptest configuration that saves
//! failing cases under `sim/proptest-regressions/`.

// Each test binary that includes this module uses a different part of it.
#![allow(dead_code, unused_macros, unused_imports)]

pub mod archs;
pub mod bounds;
pub mod fuzz;
#[path = "../../../tests/support/fuzz_run.rs"]
pub mod fuzz_run;

use proptest::test_runner::{Config, FileFailurePersistence};

/// `cases` random cases per property. A failing case is saved to `regressions` (a path from
/// [`regressions!`]) and replayed before new cases on every later run; the files are
/// committed. `PROPTEST_RNG_SEED` and the other `PROPTEST_*` variables still apply.
pub fn persisted(cases: u32, regressions: &'static str) -> Config {
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(regressions))),
        ..Config::default()
    }
}

/// `sim/proptest-regressions/tests/<name>.txt`, absolute, as a `&'static str`.
macro_rules! regressions {
    ($name:literal) => {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/proptest-regressions/tests/",
            $name,
            ".txt"
        )
    };
}
pub(crate) use regressions;
