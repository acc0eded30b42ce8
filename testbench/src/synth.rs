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

/// Finds `yosys` on `PATH`.
pub fn find_yosys() -> Result<PathBuf, TestbenchError> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("yosys"))
        .find(|p| p.is_file())
        .ok_or(TestbenchError::ToolMissing { tool: "yosys" })
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

/// Parses the cell table of `stat` output.
pub fn parse_stat(text: &str) -> XilinxResources {
    let mut r = XilinxResources::default();
    for line in text.lines() {
        let mut parts = line.split_whitespace();
        let (Some(cell), Some(count), None) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let Ok(count) = count.parse::<u64>() else {
            continue;
        };
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
    fn parses_a_stat_table() {
        let text = "   Number of cells: 9\n     CARRY4 2\n     FDRE 3\n     LUT2 1\n     LUT6 2\n     RAMB18E1 1\n";
        let r = parse_stat(text);
        assert_eq!((r.lut, r.ff, r.bram18, r.carry4), (3, 3, 1, 2));
    }
}
