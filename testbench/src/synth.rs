//! Yosys synthesis of generated RTL: generic `synth` (a smoke test) and `synth_xilinx` resource
//! counts (LUT, FF, DSP, BRAM) written as JSON beside the RTL.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

use crate::TestbenchError;

/// Resource counts from `synth_xilinx` (7-series cells after flattening).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct XilinxResources {
    /// LUT1..LUT6 cells.
    pub lut: u64,
    /// Flip-flops (FDRE, FDSE, FDCE, FDPE).
    pub ff: u64,
    /// DSP48E1 slices.
    pub dsp: u64,
    /// RAMB36E1 blocks.
    pub bram36: u64,
    /// RAMB18E1 blocks.
    pub bram18: u64,
    /// Distributed-RAM cells (RAM32M, RAM64M, RAM32X1D, RAM64X1D, ...).
    pub lutram: u64,
    /// CARRY4 cells.
    pub carry4: u64,
}

/// The JSON written beside the RTL (`synth_xilinx.json`), schema version 1.
#[derive(Debug, Clone, Serialize)]
pub struct SynthReport {
    /// Schema version of this file.
    pub schema: u32,
    /// Tool that produced the counts.
    pub tool: String,
    /// Top module.
    pub top: String,
    /// Counts.
    pub resources: XilinxResources,
}

/// Finds `yosys` on `LUTFORGE_TOOL_PATH` or `PATH` (`lutforge_fpga::tools`).
pub fn find_yosys() -> Result<PathBuf, TestbenchError> {
    lutforge_fpga::tools::find_program("yosys").ok_or(TestbenchError::ToolMissing { tool: "yosys" })
}

fn run_yosys(script: &str) -> Result<String, TestbenchError> {
    let yosys = find_yosys()?;
    let out = Command::new(&yosys)
        .args(["-q", "-p", script])
        .output()
        .map_err(|e| TestbenchError::Io {
            path: yosys.display().to_string(),
            message: e.to_string(),
        })?;
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        let line = text
            .lines()
            .find(|l| l.contains("ERROR"))
            .unwrap_or("no error line")
            .to_string();
        return Err(TestbenchError::Synth {
            tool: "yosys",
            message: line,
        });
    }
    Ok(text)
}

fn read_script(files: &[PathBuf]) -> String {
    let list: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    format!("read_verilog -sv {}", list.join(" "))
}

/// Generic `synth -top` (what the lint acceptance check runs).
pub fn synth_generic(files: &[PathBuf], top: &str) -> Result<(), TestbenchError> {
    run_yosys(&format!("{}; synth -top {top}", read_script(files))).map(|_| ())
}

/// The `(cell type, count)` rows of the cell tables in `stat` output: lines of exactly a name
/// and a count.
fn stat_cells(text: &str) -> impl Iterator<Item = (&str, u64)> {
    text.lines().filter_map(|line| {
        let mut parts = line.split_whitespace();
        match (parts.next(), parts.next(), parts.next()) {
            (Some(cell), Some(count), None) => Some((cell, count.parse::<u64>().ok()?)),
            _ => None,
        }
    })
}

/// Parses the cell table of `stat` output.
pub fn parse_stat(text: &str) -> XilinxResources {
    let mut r = XilinxResources::default();
    for (cell, count) in stat_cells(text) {
        match cell {
            "LUT1" | "LUT2" | "LUT3" | "LUT4" | "LUT5" | "LUT6" => r.lut += count,
            "FDRE" | "FDSE" | "FDCE" | "FDPE" => r.ff += count,
            "DSP48E1" => r.dsp += count,
            "RAMB36E1" => r.bram36 += count,
            "RAMB18E1" => r.bram18 += count,
            "CARRY4" => r.carry4 += count,
            c if c.starts_with("RAM32")
                || c.starts_with("RAM64")
                || c.starts_with("RAM128")
                || c.starts_with("RAM256") =>
            {
                r.lutram += count
            }
            _ => {}
        }
    }
    r
}

/// Gate-level size of a design after generic synthesis: what `stat -tech cmos` counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CmosStats {
    /// Transistors of the combinational gates (Yosys's CMOS cost of each gate type).
    pub logic_transistors: u64,
    /// Flip-flops of every kind (plain, enable, set/reset).
    pub flip_flops: u64,
}

/// Transistors of one gate of the simple gate library `abc -g` maps to, as Yosys's
/// `stat -tech cmos` counts them (Yosys 0.23 `kernel/cost.h`, `CellCosts::cmos_gate_cost`).
fn cmos_gate_transistors(cell: &str) -> Option<u64> {
    Some(match cell {
        "$_NOT_" => 2,
        "$_NAND_" | "$_NOR_" => 4,
        "$_AND_" | "$_OR_" | "$_ANDNOT_" | "$_ORNOT_" => 6,
        "$_XOR_" | "$_XNOR_" | "$_MUX_" => 12,
        "$_NMUX_" => 10,
        "$_AOI3_" | "$_OAI3_" => 6,
        "$_AOI4_" | "$_OAI4_" => 8,
        _ => return None,
    })
}

/// Parses the `design hierarchy` totals (or the single module's table) of `stat` output after
/// `abc -g`: gates by their CMOS transistor counts, flip-flops by number. Cells of other
/// types (black boxes, submodule instances) are not counted.
pub fn parse_cmos_stat(text: &str) -> CmosStats {
    // With a hierarchy, the last cell table is the whole design's.
    let table = text
        .rfind("=== design hierarchy ===")
        .map_or(text, |at| &text[at..]);
    let mut stats = CmosStats::default();
    for (cell, count) in stat_cells(table) {
        if cell.starts_with("$_") && cell.contains("DFF") {
            stats.flip_flops += count;
        } else if let Some(t) = cmos_gate_transistors(cell) {
            stats.logic_transistors += count * t;
        }
    }
    stats
}

/// Generic synthesis of `top` to simple gates (`synth; abc -g ...`), with the modules named in
/// `black_boxes` left out (e.g. a RAM the area model counts as SRAM), and its [`CmosStats`].
pub fn cmos_stats(
    files: &[PathBuf],
    top: &str,
    black_boxes: &[String],
) -> Result<CmosStats, TestbenchError> {
    let boxes: String = black_boxes
        .iter()
        .map(|m| format!("blackbox {m}; "))
        .collect();
    let stat = std::env::temp_dir().join(format!("lutforge-cmos-{}-{top}.txt", std::process::id()));
    run_yosys(&format!(
        "{}; {boxes}synth -top {top}; abc -g AND,NAND,OR,NOR,XOR,XNOR,ANDNOT,ORNOT,MUX; opt_clean; tee -q -o {} stat -tech cmos",
        read_script(files),
        stat.display()
    ))?;
    let text = std::fs::read_to_string(&stat).map_err(|e| TestbenchError::Io {
        path: stat.display().to_string(),
        message: e.to_string(),
    })?;
    let _ = std::fs::remove_file(&stat);
    Ok(parse_cmos_stat(&text))
}

/// Runs `synth_xilinx` on `files` and writes `synth_xilinx.json` into `out_dir`.
pub fn synth_xilinx(
    files: &[PathBuf],
    top: &str,
    out_dir: &Path,
) -> Result<SynthReport, TestbenchError> {
    let stat = out_dir.join(".synth_xilinx_stat.txt");
    run_yosys(&format!(
        "{}; synth_xilinx -top {top}; tee -q -o {} stat",
        read_script(files),
        stat.display()
    ))?;
    let io = |p: &Path, e: std::io::Error| TestbenchError::Io {
        path: p.display().to_string(),
        message: e.to_string(),
    };
    let text = std::fs::read_to_string(&stat).map_err(|e| io(&stat, e))?;
    let _ = std::fs::remove_file(&stat);
    let report = SynthReport {
        schema: 1,
        tool: "yosys synth_xilinx".into(),
        top: top.to_string(),
        resources: parse_stat(&text),
    };
    let json = serde_json::to_string_pretty(&report).map_err(|e| TestbenchError::Io {
        path: "synth_xilinx.json".into(),
        message: e.to_string(),
    })?;
    let path = out_dir.join("synth_xilinx.json");
    lutforge_sim::output::write_atomic(&path, (json + "\n").as_bytes())
        .map_err(|e| io(&path, e))?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::parse_stat;

    #[test]
    fn parses_a_cmos_stat_table() {
        let text = "=== m ===\n     $_NAND_ 3\n=== design hierarchy ===\n   Number of cells: 9\n     $_AND_ 2\n     $_MUX_ 1\n     $_SDFFE_PP0P_ 4\n     $_DFF_P_ 1\n     blackbox_ram 1\n";
        let s = super::parse_cmos_stat(text);
        assert_eq!((s.logic_transistors, s.flip_flops), (2 * 6 + 12, 5));
    }

    #[test]
    fn parses_a_stat_table() {
        let text = "   Number of cells: 9\n     CARRY4 2\n     FDRE 3\n     LUT2 1\n     LUT6 2\n     RAMB18E1 1\n";
        let r = parse_stat(text);
        assert_eq!((r.lut, r.ff, r.bram18, r.carry4), (3, 3, 1, 2));
    }
}
