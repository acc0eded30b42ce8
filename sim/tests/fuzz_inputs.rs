//! Fuzz targets for every input parser and for `simulate` end to end: valid files with mutated
//! numeric fields (see `common/fuzz.rs`) must run, or be refused with a one-line error; never a
//! panic, a hang, or a non-finite result. Each target runs 1,000 proptest cases by default
//! (`PROPTEST_CASES` scales it; failures persist under `sim/proptest-regressions/`); the
//! `counted` test prints case counts for a benchmark-sized run (`LUTFORGE_FUZZ_CASES`).

use std::path::PathBuf;

use lutforge_models::ModelConfig;
use lutforge_sim::sweep::{evaluate, sample::Sampler, Space};
use lutforge_sim::systolic::geometry::Mapping;
use lutforge_sim::systolic::scalesim::{parse_topology, ScaleSimConfig, TopologyKind};
use lutforge_sim::{simulate, support, Arch};
use lutforge_workloads::Workload;
use proptest::prelude::*;

mod common;

use common::fuzz::{self, edits, one_line, Edit, Outcome};

const REGRESSIONS: &str = common::regressions!("fuzz_inputs");

fn repo(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(rel)
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(repo(rel)).unwrap()
}

const ARCHS: &[&str] = &[
    "configs/arch/lut-tc.toml",
    "configs/arch/mac-tc.toml",
    "configs/arch/systolic-int8-128x128.toml",
    "configs/arch/lut-tc-m2n16-w8.toml",
];
const MODELS: &[&str] = &[
    "models/tests/fixtures/mistral-7b-v0.1.json",
    "models/tests/fixtures/qwen3-0.6b.json",
    "models/tests/fixtures/mixtral-8x7b-instruct.json",
    "models/tests/fixtures/gpt2.json",
];
const SWEEPS: &[&str] = &[
    "configs/sweeps/lut-vs-mac-quick.toml",
    "configs/sweeps/lut-vs-mac.toml",
];

/// A simulated report's headline numbers must be finite and positive.
fn sane(r: &lutforge_sim::Report) -> Result<Outcome, String> {
    let s = &r.summary;
    let numbers = [s.ttft_s, s.total_time_s, s.total_energy_j, s.area_mm2];
    if numbers.iter().all(|v| v.is_finite() && *v > 0.0) {
        Ok(Outcome::Ok)
    } else {
        Err(format!("non-finite or non-positive result: {numbers:?}"))
    }
}

/// `simulate` as the binary runs it: the model's native scheme with the architecture's
/// substitutions, refused with a one-line error when it cannot run.
fn simulate_native(
    arch: &Arch,
    model: ModelConfig,
    prefill: u64,
    decode: u64,
) -> Result<Outcome, String> {
    let (quant, _) = support::substitute_defaults(arch, model.native_quant);
    let problems = support::problems(arch, &quant);
    if !problems.is_empty() {
        return one_line(&problems.join("; "));
    }
    let workload = match Workload::new(model, quant, 1, prefill, decode) {
        Ok(w) => w,
        Err(e) => return one_line(&e.to_string()),
    };
    match simulate(arch, &workload, Vec::new()) {
        Ok(report) => sane(&report),
        Err(e) => one_line(&e.to_string()),
    }
}

/// An architecture file with mutated fields, simulated on a small llama or on llama-2-7b.
fn arch_case((file, edits): &(usize, Vec<Edit>)) -> Result<Outcome, String> {
    let text = fuzz::mutate_toml(&read(ARCHS[file % ARCHS.len()]), edits);
    let model = ["tiny-llama", "llama-2-7b"][(file / ARCHS.len()) % 2];
    match Arch::from_toml_str(&text, "mutated.toml") {
        Ok(arch) => simulate_native(&arch, ModelConfig::preset(model).unwrap(), 64, 4),
        Err(e) => one_line(&e.to_string()),
    }
}

/// A config.json with mutated fields, simulated on the default architecture.
fn hf_case((file, edits): &(usize, Vec<Edit>)) -> Result<Outcome, String> {
    let text = fuzz::mutate_json(&read(MODELS[file % MODELS.len()]), edits);
    let arch = Arch::builtin_default().unwrap();
    match ModelConfig::from_hf_json_str(&text, "mutated.json") {
        Ok(model) => simulate_native(&arch, model, 16, 3),
        Err(e) => one_line(&e.to_string()),
    }
}

/// A sweep space with mutated fields: parsed, and its first points evaluated.
fn sweep_case((file, edits): &(usize, Vec<Edit>)) -> Result<Outcome, String> {
    let rel = SWEEPS[file % SWEEPS.len()];
    let text = fuzz::mutate_toml(&read(rel), edits);
    let space = match Space::from_toml_str(&text, &repo(rel)) {
        Ok(space) => space,
        Err(e) => return one_line(&e.to_string()),
    };
    let sampler = Sampler::new(&space);
    for id in 0..space.total_points().min(2) {
        let line = evaluate(&space, &sampler, id);
        match (line.status.as_str(), &line.reason, &line.metrics) {
            ("ok", None, Some(metrics)) => {
                if let Some((k, v)) = metrics.iter().find(|(_, v)| !v.is_finite()) {
                    return Err(format!("point {id}: metric {k} = {v}"));
                }
            }
            ("rejected", Some(reason), None) => {
                one_line(reason)?;
            }
            other => return Err(format!("point {id}: malformed line {other:?}")),
        }
    }
    Ok(Outcome::Ok)
}

/// A SCALE-Sim config and topology with mutated numbers: parsed, and every layer mapped and
/// costed in closed form.
fn scalesim_case(
    (conv, cfg_edits, csv_edits): &(bool, Vec<Edit>, Vec<Edit>),
) -> Result<Outcome, String> {
    let cfg_text = fuzz::mutate_numbers_in_text(&read("configs/scalesim/scale.cfg"), cfg_edits);
    let (csv, kind) = if *conv {
        ("configs/scalesim/conv.csv", TopologyKind::Conv)
    } else {
        ("configs/scalesim/gemm.csv", TopologyKind::Gemm)
    };
    let csv_text = fuzz::mutate_numbers_in_text(&read(csv), csv_edits);
    let cfg = match ScaleSimConfig::from_ini_str(&cfg_text, "mutated.cfg") {
        Ok(cfg) => cfg,
        Err(e) => return one_line(&e.to_string()),
    };
    let layers = match parse_topology(&csv_text, "mutated.csv", kind) {
        Ok(layers) => layers,
        Err(e) => return one_line(&e.to_string()),
    };
    for layer in &layers {
        let mapping = Mapping::new(cfg.dataflow, cfg.rows, cfg.cols, layer);
        let _ = (
            mapping.folds(),
            mapping.fold_cycles(),
            mapping.sram_accesses(true),
        );
    }
    Ok(Outcome::Ok)
}

fn file_and_edits() -> impl Strategy<Value = (usize, Vec<Edit>)> {
    (any::<usize>(), edits())
}

fn scalesim_inputs() -> impl Strategy<Value = (bool, Vec<Edit>, Vec<Edit>)> {
    (
        any::<bool>(),
        edits(),
        prop::collection::vec(edits(), 0..=1).prop_map(|v| v.concat()),
    )
}

/// Asserts a case's property inside proptest.
fn holds(result: Result<Outcome, String>) -> Result<(), TestCaseError> {
    result.map(|_| ()).map_err(TestCaseError::fail)
}

proptest! {
    #![proptest_config(common::persisted(1000, REGRESSIONS))]

    #[test]
    fn mutated_architecture_files_simulate_or_fail_cleanly(case in file_and_edits()) {
        holds(arch_case(&case))?;
    }

    #[test]
    fn mutated_hf_configs_simulate_or_fail_cleanly(case in file_and_edits()) {
        holds(hf_case(&case))?;
    }

    #[test]
    fn mutated_sweep_files_evaluate_or_fail_cleanly(case in file_and_edits()) {
        holds(sweep_case(&case))?;
    }

    #[test]
    fn mutated_scalesim_inputs_parse_and_cost_or_fail_cleanly(case in scalesim_inputs()) {
        holds(scalesim_case(&case))?;
    }
}

/// The counted run: `LUTFORGE_FUZZ_CASES=100000 cargo test --release -p lutforge-sim --test
/// fuzz_inputs counted -- --nocapture`.
#[test]
fn counted() {
    fuzz::count("arch_toml", file_and_edits(), arch_case);
    fuzz::count("hf_config", file_and_edits(), hf_case);
    fuzz::count("sweep_toml", file_and_edits(), sweep_case);
    fuzz::count("scalesim_cfg_csv", scalesim_inputs(), scalesim_case);
}
