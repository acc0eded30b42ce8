//! Yosys synthesis of generated RTL: generic `synth` (a smoke test), `synth_xilinx` resource
//! counts (LUT, FF, DSP, BRAM; [`synth_xilinx_stat`] per module and in total, with a choice of
//! family and LUT mapping, [`XilinxFlow`]) and the JSON `lutforge rtl --synth` writes beside the
//! RTL ([`synth_xilinx`]).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

use crate::TestbenchError;

/// Resource counts from `synth_xilinx`: the cells of a module, or of the whole design summed
/// over its hierarchy (Yosys keeps the generated submodules).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct XilinxResources {
    /// LUT1..LUT6 cells.
    pub lut: u64,
    /// INV cells: inverters Yosys could not fold into a LUT; each takes a LUT (a CLB has no
    /// other inverter, UG574).
    pub inv: u64,
    /// Shift-register LUTs (SRL16E, SRLC32E).
    pub srl: u64,
    /// Flip-flops (FDRE, FDSE, FDCE, FDPE).
    pub ff: u64,
    /// DSP blocks (DSP48E1 on 7-series, DSP48E2 on UltraScale+).
    pub dsp: u64,
    /// 36 kbit block RAMs (RAMB36E1, RAMB36E2).
    pub bram36: u64,
    /// 18 kbit block RAMs (RAMB18E1, RAMB18E2).
    pub bram18: u64,
    /// Distributed-RAM cells (RAM32M, RAM32M16, RAM64M8, RAM64X1D, ...).
    pub lutram: u64,
    /// The LUTs those distributed-RAM cells occupy ([`lutram_cell_luts`]).
    pub lutram_luts: u64,
    /// CARRY4 cells (Yosys 0.23 maps carry chains to CARRY4 for every family; an UltraScale+
    /// CARRY8 holds two of them).
    pub carry4: u64,
    /// CARRY8 cells.
    pub carry8: u64,
}

impl XilinxResources {
    /// LUTs as Vivado's "CLB LUTs" counts them: logic LUTs, inverters, shift registers and the
    /// LUTs of distributed RAM. MUXF7/F8/F9 and carry cells are not LUTs.
    pub fn clb_luts(&self) -> u64 {
        self.lut + self.inv + self.srl + self.lutram_luts
    }

    /// Block RAM in 36 kbit tiles, a RAMB18 counting half (Vivado's "Block RAM Tile").
    pub fn bram36_tiles(&self) -> f64 {
        self.bram36 as f64 + 0.5 * self.bram18 as f64
    }
}

/// LUTs one distributed-RAM cell occupies (UG574, "Distributed RAM": 32 x 1 and 64 x 1
/// single-port RAMs in one LUT, dual-port in two, RAM32M/RAM64M in four, RAM32M16/RAM64M8 in a
/// whole SLICEM of eight; 128- and 256-deep RAMs in two, four or eight); `None` for another
/// cell.
pub fn lutram_cell_luts(cell: &str) -> Option<u64> {
    Some(match cell {
        "RAM32X1S" | "RAM64X1S" => 1,
        "RAM32X1D" | "RAM64X1D" | "RAM128X1S" => 2,
        "RAM32M" | "RAM64M" | "RAM128X1D" | "RAM256X1S" => 4,
        "RAM32M16" | "RAM64M8" | "RAM256X1D" | "RAM512X1S" => 8,
        _ => return None,
    })
}

/// The device family `synth_xilinx` maps to (`-family`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XilinxFamily {
    /// 7-series (`xc7`, the default): DSP48E1, RAMB36E1/RAMB18E1.
    Xc7,
    /// UltraScale+ (`xcup`, the KV260's family): DSP48E2, RAMB36E2/RAMB18E2, RAM32M16/RAM64M8.
    Xcup,
}

/// Options of one `synth_xilinx` run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XilinxFlow {
    /// `-family`.
    pub family: XilinxFamily,
    /// Whether ABC may map functions of seven or eight inputs onto LUT pairs with MUXF7/MUXF8
    /// (`synth_xilinx`'s default; `false` passes `-nowidelut`).
    pub wide_luts: bool,
}

impl XilinxFlow {
    /// `synth_xilinx` with no options: 7-series, wide LUTs (what `lutforge rtl --synth` runs).
    pub const DEFAULT: XilinxFlow = XilinxFlow {
        family: XilinxFamily::Xc7,
        wide_luts: true,
    };

    /// UltraScale+ mapped to LUT6s: `-family xcup -nowidelut`, the flow the generated FPGA
    /// top's resource model is held against (`testbench/tests/fpga_resources_vs_yosys.rs`).
    pub const XCUP_LUT6: XilinxFlow = XilinxFlow {
        family: XilinxFamily::Xcup,
        wide_luts: false,
    };

    /// The options after `synth_xilinx -top <top>`.
    pub fn options(&self) -> String {
        let mut o = String::new();
        if self.family == XilinxFamily::Xcup {
            o.push_str(" -family xcup");
        }
        if !self.wide_luts {
            o.push_str(" -nowidelut");
        }
        o
    }
}

/// The JSON written beside the RTL (`synth_xilinx.json`), schema version 2 (version 1 summed
/// the cells of every module and the hierarchy's total, counting a hierarchical design twice;
/// it had no `inv`, `srl`, `lutram_luts`, `carry8` or `clb_luts`).
#[derive(Debug, Clone, Serialize)]
pub struct SynthReport {
    /// Schema version of this file.
    pub schema: u32,
    /// Tool that produced the counts.
    pub tool: String,
    /// Top module.
    pub top: String,
    /// Counts of the whole design.
    pub resources: XilinxResources,
    /// LUTs as Vivado counts them ([`XilinxResources::clb_luts`]).
    pub clb_luts: u64,
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

/// The Xilinx cells of one `stat` cell table (other cells, such as submodule instances and
/// I/O buffers, are not counted).
fn xilinx_cells(table: &str) -> XilinxResources {
    let mut r = XilinxResources::default();
    for (cell, count) in stat_cells(table) {
        match cell {
            "LUT1" | "LUT2" | "LUT3" | "LUT4" | "LUT5" | "LUT6" => r.lut += count,
            "INV" => r.inv += count,
            "SRL16E" | "SRLC32E" => r.srl += count,
            "FDRE" | "FDSE" | "FDCE" | "FDPE" => r.ff += count,
            "DSP48E1" | "DSP48E2" => r.dsp += count,
            "RAMB36E1" | "RAMB36E2" => r.bram36 += count,
            "RAMB18E1" | "RAMB18E2" => r.bram18 += count,
            "CARRY4" => r.carry4 += count,
            "CARRY8" => r.carry8 += count,
            c => {
                if let Some(luts) = lutram_cell_luts(c) {
                    r.lutram += count;
                    r.lutram_luts += count * luts;
                }
            }
        }
    }
    r
}

/// `stat` output of a `synth_xilinx` run, per module and in total.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XilinxStat {
    /// The whole design: the `design hierarchy` table, or the only module's.
    pub total: XilinxResources,
    /// Each module's own cells (one instance, its submodules not included), in `stat` order.
    pub modules: Vec<(String, XilinxResources)>,
}

/// Parses `stat` output: one `=== <module> ===` table per module and, for a design with
/// submodules, a `=== design hierarchy ===` table of the totals.
pub fn parse_xilinx_stat(text: &str) -> XilinxStat {
    let mut stat = XilinxStat::default();
    let mut hierarchy = None;
    for section in text.split("=== ").skip(1) {
        let Some((name, table)) = section.split_once(" ===") else {
            continue;
        };
        let cells = xilinx_cells(table);
        if name == "design hierarchy" {
            hierarchy = Some(cells);
        } else {
            stat.modules.push((name.to_string(), cells));
        }
    }
    stat.total = match (hierarchy, stat.modules.as_slice()) {
        (Some(total), _) => total,
        (None, [(_, only)]) => *only,
        (None, _) => xilinx_cells(text),
    };
    stat
}

/// Parses the design's totals of `stat` output ([`parse_xilinx_stat`]).
pub fn parse_stat(text: &str) -> XilinxResources {
    parse_xilinx_stat(text).total
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

/// Runs `synth_xilinx` with `flow` on `files` (top module `top`) and parses its `stat`; the
/// stat text goes through a file in `out_dir`, which must exist.
pub fn synth_xilinx_stat(
    files: &[PathBuf],
    top: &str,
    flow: XilinxFlow,
    out_dir: &Path,
) -> Result<XilinxStat, TestbenchError> {
    let stat = out_dir.join(".synth_xilinx_stat.txt");
    run_yosys(&format!(
        "{}; synth_xilinx -top {top}{}; tee -q -o {} stat",
        read_script(files),
        flow.options(),
        stat.display()
    ))?;
    let text = std::fs::read_to_string(&stat).map_err(|e| TestbenchError::Io {
        path: stat.display().to_string(),
        message: e.to_string(),
    })?;
    let _ = std::fs::remove_file(&stat);
    Ok(parse_xilinx_stat(&text))
}

/// Runs `synth_xilinx` ([`XilinxFlow::DEFAULT`]) on `files` and writes `synth_xilinx.json` into
/// `out_dir`.
pub fn synth_xilinx(
    files: &[PathBuf],
    top: &str,
    out_dir: &Path,
) -> Result<SynthReport, TestbenchError> {
    let stat = synth_xilinx_stat(files, top, XilinxFlow::DEFAULT, out_dir)?;
    let report = SynthReport {
        schema: 2,
        tool: "yosys synth_xilinx".into(),
        top: top.to_string(),
        resources: stat.total,
        clb_luts: stat.total.clb_luts(),
    };
    let json = serde_json::to_string_pretty(&report).map_err(|e| TestbenchError::Io {
        path: "synth_xilinx.json".into(),
        message: e.to_string(),
    })?;
    let path = out_dir.join("synth_xilinx.json");
    lutforge_sim::output::write_atomic(&path, (json + "\n").as_bytes()).map_err(|e| {
        TestbenchError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    })?;
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

    #[test]
    fn a_hierarchy_is_counted_once_with_lutram_as_luts() {
        let text = "=== m_sub ===\n   Number of cells: 3\n     FDRE 2\n     RAM32M16 1\n\n=== m_top ===\n   Number of cells: 3\n     FDRE 1\n     INV 1\n     m_sub 1\n\n=== design hierarchy ===\n\n   m_top 1\n     m_sub 1\n\n   Number of cells: 5\n     FDRE 3\n     INV 1\n     RAM32M16 1\n     RAMB18E2 1\n     SRL16E 2\n";
        let s = super::parse_xilinx_stat(text);
        assert_eq!(s.modules.len(), 2);
        assert_eq!(s.modules[0].1.ff, 2);
        let t = s.total;
        assert_eq!((t.ff, t.lutram, t.lutram_luts, t.bram18), (3, 1, 8, 1));
        assert_eq!(t.clb_luts(), 1 + 2 + 8);
        assert_eq!(t.bram36_tiles(), 0.5);
    }
}
