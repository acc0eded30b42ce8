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
    print_ranges(&mut out)?;
    Ok(ExitCode::SUCCESS)
}

/// Every declared range of a numeric input field, from the tables beside the fields.
fn print_ranges(out: &mut impl Write) -> anyhow::Result<()> {
    use lutforge_sim::arch::raw::{RawArch, RawBuffers, RawCost, RawDram, RawPower, RawVector};
    let mut table = |title: &str, prefix: &str, rows: &[(&str, lutforge_models::Limit)]| {
        if !title.is_empty() {
            writeln!(out, "\n{title}:")?;
        }
        for (name, limit) in rows {
            let path = if prefix.is_empty() {
                name.to_string()
            } else {
                format!("{prefix}.{name}")
            };
            let why = if limit.why.is_empty() {
                String::new()
            } else {
                format!(" ({})", limit.why)
            };
            writeln!(out, "  {path:<32} {}{why}", limit.describe())?;
        }
        anyhow::Ok(())
    };
    table("architecture file ranges", "", RawArch::LIMITS)?;
    table("", "buffers", RawBuffers::LIMITS)?;
    table("", "vector", RawVector::LIMITS)?;
    table("", "dram", RawDram::LIMITS)?;
    table("", "power", RawPower::LIMITS)?;
    table("", "cost", RawCost::LIMITS)?;
    table("", "fallback", lutforge_sim::fallback::Fallback::limits())?;
    for family in lutforge_sim::Registry::builtin().families() {
        table("", family.section(), family.limits())?;
        for (section, limits) in family.subsection_limits() {
            table("", section, limits)?;
        }
    }
    let hf: Vec<(&str, lutforge_models::Limit)> = lutforge_models::hf::NUMERIC_FIELDS
        .iter()
        .map(|f| (f.key, f.limit))
        .collect();
    table("config.json ranges", "", &hf)?;
    let mut workload: Vec<(&str, lutforge_models::Limit)> = lutforge_workloads::Workload::LIMITS
        .iter()
        .chain(lutforge_workloads::Speculative::LIMITS.iter())
        .map(|(_, name, limit)| (*name, *limit))
        .collect();
    workload.push((
        "forward passes",
        lutforge_workloads::Workload::FORWARD_PASSES,
    ));
    workload.push(("quant group size", lutforge_models::QuantScheme::GROUP_SIZE));
    table(
        "workload ranges (--batch, --prefill, ... and sweep workload axes)",
        "",
        &workload,
    )?;
    table(
        "SCALE-Sim config ranges",
        "",
        lutforge_sim::systolic::scalesim::CFG_LIMITS,
    )?;
    table(
        "SCALE-Sim topology ranges",
        "",
        &[
            (
                "every dimension column",
                lutforge_sim::systolic::scalesim::TOPOLOGY_DIM,
            ),
            (
                "Bandwidth entries",
                lutforge_sim::systolic::scalesim::BANDWIDTH_WORDS,
            ),
        ],
    )?;
    Ok(())
}
