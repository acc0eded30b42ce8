//! `lutforge list`: the registries — architecture kinds, model presets, quantization grammar and
//! sweep strategies — each with a one-line description.

use std::io::Write;
use std::process::ExitCode;

/// Arguments of `lutforge list`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `lutforge list`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "architecture kinds (`kind` in configs/arch/*.toml):")?;
    for family in lutforge_sim::Registry::builtin().families() {
        let schedules: Vec<&str> = family.schedules().iter().map(|s| s.as_str()).collect();
        writeln!(
            out,
            "  {:<18} {} [section [{}]; schedules: {}]",
            family.kind(),
            family.description(),
            family.section(),
            schedules.join(", ")
        )?;
    }
    writeln!(out, "\nschedules (`schedule` in configs/arch/*.toml):")?;
    for schedule in lutforge_sim::schedule::Schedule::ALL {
        writeln!(
            out,
            "  {:<18} {}",
            schedule.as_str(),
            schedule.description()
        )?;
    }
    writeln!(
        out,
        "\nmodel presets (`--model`; or a Hugging Face config.json path):"
    )?;
    for name in lutforge_models::ModelConfig::presets() {
        let model = lutforge_models::ModelConfig::preset(name)?;
        writeln!(
            out,
            "  {name:<22} {:<8} {}",
            model.model_type,
            super::simulate::fmt_count(model.param_count())
        )?;
    }
    writeln!(out, "\nquantization (`--quant`): w<1|1.58|2|3|4|8|16|c<b>> a<8|16|fp8> [kv<4|8|16>] [g<group>] [z]")?;
    writeln!(
        out,
        "  e.g. w2a8kv4, w1.58a8, w4a16g128z; kv defaults to fp16"
    )?;
    writeln!(
        out,
        "\nsweep strategies (`[strategy] kind` in configs/sweeps/*.toml):"
    )?;
    writeln!(out, "  {:<18} every combination of the axes", "grid")?;
    writeln!(out, "  {:<18} `points` uniform draws, seeded", "random")?;
    writeln!(
        out,
        "  {:<18} `points` stratified draws, seeded",
        "latin_hypercube"
    )?;
    Ok(ExitCode::SUCCESS)
}
