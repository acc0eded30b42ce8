//! The Vivado side of a project: `project.tcl`, the clock XDC and, for a Zynq UltraScale+
//! board, `block_design.tcl` (the processing-system wrapper a bitstream needs).
//!
//! # Conventions followed
//!
//! - hls4ml (`fastmachinelearning/hls4ml`, `hls4ml/templates/vivado/build_prj.tcl`,
//!   `vivado_synth.tcl`, and the `project.tcl` its writer emits): the project's name, part and
//!   clock are TCL variables at the top of the script; options come as `key=value`
//!   arguments parsed from `$::argv`; `synth_design -top $top -part $part` then
//!   `report_utilization -file`.
//! - FINN (`Xilinx/finn`, `src/finn/transformation/fpgadataflow/create_stitched_ip.py`,
//!   `templates.py`, `synth_ooc.py`): `create_project NAME DIR -part PART`, memory
//!   initialization files added to the project beside the RTL, out-of-context synthesis through
//!   `STEPS.SYNTH_DESIGN.ARGS.MORE OPTIONS {-mode out_of_context}` for resource and timing
//!   figures, and for a board a block design with the Zynq UltraScale+ processing system
//!   (`zynq_ultra_ps_e`, board preset, `S_AXI_HP0_FPD` through a SmartConnect, `pl_clk0` set to
//!   the fabric clock), `make_wrapper`, `launch_runs -to_step write_bitstream impl_1`.
//!
//! # Why two flows
//!
//! The accelerator's top has wide AXI-Stream and AXI4 ports: far more signals than the
//! package has pins, so it cannot be implemented as the chip's top level. `flow=ooc` (the
//! default) synthesizes and places and routes it out of context, the way FINN's
//! `SynthOutOfContext` measures a stitched design: utilization and timing reports, no
//! bitstream (FINN's `templates.py`: "out-of-context synth can't be used for bitstream
//! generation"). `flow=bitstream` (Zynq UltraScale+ boards only) wraps it in a block design
//! with the processing system: its AXI4 masters and one AXI DMA channel per AXI-Stream port go
//! to the PS's `S_AXI_HP0_FPD` (DDR), its AXI-Lite slaves and the DMAs' control ports hang off
//! `M_AXI_HPM0_FPD`, and `pl_clk0` clocks everything; then the wrapper is implemented to a
//! bitstream. The block design discovers the top's interfaces in Vivado (from the port names
//! Vivado infers AXI interfaces from), so it fails with a clear `error` if the top exposes
//! none. It has not been run here: the machine that generates it has no Vivado.
//!
//! Every value placed in a script is an identifier ([`super::names::identifier`]), a checked
//! file name, a part number from the device database or a number, and goes through
//! [`tcl_word`]; comments hold only [`comment`]-filtered text.

use super::names::{is_file_name, is_identifier, tcl_word};

/// A Zynq UltraScale+ board the bitstream flow has a processing-system wrapper for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZynqBoard {
    /// Device id in the database.
    pub device: &'static str,
    /// Vivado board part (FINN `templates.py`, `KV260_SOM` branch: `xilinx.com:kv260_som:part0:1.3`).
    pub board_part: &'static str,
}

/// Boards with a processing-system wrapper, by device id.
pub const ZYNQ_BOARDS: &[ZynqBoard] = &[ZynqBoard {
    device: "kv260",
    // FINN templates.py custom_zynq_shell_template, BOARD == "KV260_SOM".
    board_part: "xilinx.com:kv260_som:part0:1.3",
}];

/// The Zynq board of a device id, if the bitstream flow supports it.
pub fn zynq_board(device: &str) -> Option<ZynqBoard> {
    ZYNQ_BOARDS.iter().copied().find(|b| b.device == device)
}

/// Everything the scripts need to know about one project.
#[derive(Debug, Clone, PartialEq)]
pub struct VivadoProject {
    /// Provenance lines for the header of every file (tool version, arch, device, hashes).
    pub header: Vec<String>,
    /// Project name, an identifier.
    pub name: String,
    /// Device id (`kv260`).
    pub device: String,
    /// Part number (`xck26-sfvc784-2LV-c`).
    pub part: String,
    /// Top module of the accelerator, an identifier.
    pub top: String,
    /// The top's clock port, an identifier.
    pub clock_port: String,
    /// The top's reset port (synchronous, active high), an identifier.
    pub reset_port: String,
    /// Fabric clock, MHz.
    pub clock_mhz: f64,
    /// Verilog sources, relative to the project directory (`rtl/<file>.v`).
    pub sources: Vec<String>,
    /// `$readmemh` images, relative to the project directory (`mem/<file>.mem`).
    pub mem_files: Vec<String>,
    /// The XDC file's name (in the project directory).
    pub xdc: String,
    /// The processing-system wrapper, for a board the bitstream flow supports.
    pub board: Option<ZynqBoard>,
}

/// Why a [`VivadoProject`] cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProjectError {
    /// A name that must be an identifier is not one.
    #[error("{what} `{value}` is not an identifier ([A-Za-z_][A-Za-z0-9_]*)")]
    NotIdentifier {
        /// Which name.
        what: &'static str,
        /// Its value.
        value: String,
    },
    /// A file path is not `dir/name` with plain names.
    #[error("{what} `{value}` is not a plain relative file path")]
    BadPath {
        /// Which file.
        what: &'static str,
        /// Its value.
        value: String,
    },
}

/// `text` safe in a `#` comment of TCL or XDC: control characters and backslashes (a
/// trailing one would continue the comment onto the next line) become `_`.
pub fn comment(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_control() || c == '\\' || !c.is_ascii() {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// Whether `path` is `name` or `dir/name` with plain names ([`is_file_name`]).
fn is_relative_path(path: &str) -> bool {
    path.split('/').all(is_file_name) && path.split('/').count() <= 2
}

impl VivadoProject {
    /// Checks every name and path the scripts interpolate.
    pub fn check(&self) -> Result<(), ProjectError> {
        for (what, value) in [
            ("project name", &self.name),
            ("top module", &self.top),
            ("clock port", &self.clock_port),
            ("reset port", &self.reset_port),
            ("device id", &self.device),
        ] {
            if !is_identifier(value) {
                return Err(ProjectError::NotIdentifier {
                    what,
                    value: value.clone(),
                });
            }
        }
        let part_ok = !self.part.is_empty()
            && self
                .part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !part_ok {
            return Err(ProjectError::BadPath {
                what: "part number",
                value: self.part.clone(),
            });
        }
        for (what, paths) in [("source", &self.sources), ("memory image", &self.mem_files)] {
            if let Some(bad) = paths.iter().find(|p| !is_relative_path(p)) {
                return Err(ProjectError::BadPath {
                    what,
                    value: bad.clone(),
                });
            }
        }
        if !is_file_name(&self.xdc) {
            return Err(ProjectError::BadPath {
                what: "XDC",
                value: self.xdc.clone(),
            });
        }
        Ok(())
    }

    /// Clock period, ns, three decimals.
    pub fn period_ns(&self) -> String {
        format!("{:.3}", 1000.0 / self.clock_mhz)
    }

    /// The `#` header lines shared by the scripts.
    fn header_comment(&self) -> String {
        self.header
            .iter()
            .map(|l| {
                if l.is_empty() {
                    "#\n".to_string()
                } else {
                    format!("# {}\n", comment(l))
                }
            })
            .collect()
    }

    /// `[file join $tcldir a b]` for a relative path `a/b`.
    fn joined(path: &str) -> String {
        let parts: Vec<String> = path.split('/').map(tcl_word).collect();
        format!("[file join $tcldir {}]", parts.join(" "))
    }

    /// The XDC: the fabric clock on the top's clock port.
    pub fn xdc_text(&self) -> Result<String, ProjectError> {
        self.check()?;
        Ok(format!(
            "{header}#\n# The fabric clock of the architecture file: {mhz} MHz, period {period} ns. Used by\n# the out-of-context flow (flow=ooc in project.tcl); the bitstream flow disables this file,\n# since there the processing system's pl_clk0 drives the clock and its IP constrains it.\ncreate_clock -period {period} -name {clk} [get_ports {clk}]\n",
            header = self.header_comment(),
            mhz = comment(&format!("{}", self.clock_mhz)),
            period = self.period_ns(),
            clk = tcl_word(&self.clock_port),
        ))
    }

    /// `project.tcl`.
    pub fn project_tcl(&self) -> Result<String, ProjectError> {
        self.check()?;
        let mut t = self.header_comment();
        t.push_str(&format!(
            "#
# Vivado project of the accelerator top {top} on {part}. Run from any directory:
#   vivado -mode batch -source project.tcl                          flow=ooc (default)
#   vivado -mode batch -source project.tcl -tclargs flow=bitstream  {bitstream_note}
#   vivado -mode batch -source project.tcl -tclargs jobs=8          parallel runs (default 4)
#
# flow=ooc synthesizes and implements the top out of context: its AXI ports are far wider than
# the package, so it is measured as a block, as FINN's SynthOutOfContext measures a stitched
# design (Xilinx/finn src/finn/transformation/fpgadataflow/synth_ooc.py). Reports go to
# reports/: utilization_synth.rpt, utilization_synth_hierarchical.rpt, timing_synth.rpt,
# utilization_impl.rpt, timing_impl.rpt. No bitstream: an out-of-context run cannot write one
# (FINN templates.py).
{bitstream_text}#
# Conventions: hls4ml (fastmachinelearning/hls4ml hls4ml/templates/vivado/build_prj.tcl and
# vivado_synth.tcl: part and clock as variables, key=value arguments, synth then
# report_utilization -file) and FINN (create_stitched_ip.py: create_project -part, memory
# initialization files added beside the RTL).

set tcldir [file dirname [file normalize [info script]]]
set project_name {name_w}
set part {part_w}
set top {top_w}
set clock_mhz {mhz_w}
set flow ooc
set jobs 4
foreach arg $::argv {{
    if {{[regexp {{^flow=(ooc|bitstream)$}} $arg -> value]}} {{
        set flow $value
    }} elseif {{[regexp {{^jobs=([1-9][0-9]*)$}} $arg -> value]}} {{
        set jobs $value
    }} else {{
        error \"unknown argument $arg: expected flow=ooc, flow=bitstream or jobs=N\"
    }}
}}
set reports [file join $tcldir reports]
file mkdir $reports

proc check_run {{run}} {{
    if {{[get_property PROGRESS [get_runs $run]] ne \"100%\"}} {{
        error \"$run did not complete: see [get_property DIRECTORY [get_runs $run]]\"
    }}
}}

create_project -force $project_name [file join $tcldir vivado] -part $part
set_property target_language Verilog [current_project]
",
            top = comment(&self.top),
            part = comment(&self.part),
            bitstream_text = if self.board.is_some() {
                format!(
                    "# flow=bitstream wraps the top in a block design with the Zynq UltraScale+ processing system\n\
                     # (block_design.tcl, after FINN templates.py custom_zynq_shell_template) and runs\n\
                     # launch_runs impl_1 -to_step write_bitstream; the bitstream is copied to {}.bit.\n",
                    comment(&self.name)
                )
            } else {
                "# flow=bitstream stops with an error: there is no platform wrapper for this device.\n"
                    .to_string()
            },
            bitstream_note = if self.board.is_some() {
                "processing-system wrapper + bitstream"
            } else {
                "not available for this device (no platform wrapper)"
            },
            name_w = tcl_word(&self.name),
            part_w = tcl_word(&self.part),
            top_w = tcl_word(&self.top),
            mhz_w = tcl_word(&format!("{}", self.clock_mhz)),
        ));
        t.push_str("add_files -norecurse [list \\\n");
        for s in &self.sources {
            t.push_str(&format!("    {} \\\n", Self::joined(s)));
        }
        t.push_str("]\n");
        if !self.mem_files.is_empty() {
            t.push_str(
                "# $readmemh images: Vivado finds a file the RTL names once it is in the project.\n",
            );
            t.push_str("add_files -norecurse [list \\\n");
            for m in &self.mem_files {
                t.push_str(&format!("    {} \\\n", Self::joined(m)));
            }
            t.push_str("]\n");
        }
        let xdc = Self::joined(&self.xdc);
        t.push_str(&format!(
            "add_files -fileset constrs_1 -norecurse {xdc}
set_property top $top [current_fileset]
update_compile_order -fileset sources_1

if {{$flow eq \"ooc\"}} {{
    set_property -name {{STEPS.SYNTH_DESIGN.ARGS.MORE OPTIONS}} -value {{-mode out_of_context}} -objects [get_runs synth_1]
    launch_runs synth_1 -jobs $jobs
    wait_on_run synth_1
    check_run synth_1
    open_run synth_1 -name synth_1
    report_utilization -file [file join $reports utilization_synth.rpt]
    report_utilization -hierarchical -hierarchical_depth 4 -file [file join $reports utilization_synth_hierarchical.rpt]
    report_timing_summary -file [file join $reports timing_synth.rpt]
    close_design
    launch_runs impl_1 -jobs $jobs
    wait_on_run impl_1
    check_run impl_1
    open_run impl_1
    report_utilization -file [file join $reports utilization_impl.rpt]
    report_timing_summary -file [file join $reports timing_impl.rpt]
}} else {{
"
        ));
        match self.board {
            Some(_) => t.push_str(&format!(
                "    # The processing system's pl_clk0 drives the clock here; the XDC is for flow=ooc.
    set_property IS_ENABLED false [get_files {xdc}]
    source [file join $tcldir block_design.tcl]
    launch_runs impl_1 -to_step write_bitstream -jobs $jobs
    wait_on_run impl_1
    check_run impl_1
    open_run impl_1
    report_utilization -file [file join $reports utilization_bitstream.rpt]
    report_timing_summary -file [file join $reports timing_bitstream.rpt]
    set bits [glob -directory [get_property DIRECTORY [get_runs impl_1]] *.bit]
    file copy -force [lindex $bits 0] [file join $tcldir ${{project_name}}.bit]
}}
"
            )),
            None => t.push_str(&format!(
                "    error \"flow=bitstream: lutforge has no platform wrapper for {} yet (an Alveo or Versal shell); use flow=ooc\"
}}
",
                tcl_word(&self.device)
            )),
        }
        Ok(t)
    }

    /// `block_design.tcl`, for a board with a processing-system wrapper (`None` otherwise).
    pub fn block_design_tcl(&self) -> Result<Option<String>, ProjectError> {
        self.check()?;
        let Some(board) = self.board else {
            return Ok(None);
        };
        let mut t = self.header_comment();
        t.push_str(&format!(
            "#
# Processing-system wrapper of {top} for flow=bitstream, sourced by project.tcl (which has set
# tcldir, top, clock_mhz and the project). After FINN's custom_zynq_shell_template (Xilinx/finn
# src/finn/transformation/fpgadataflow/templates.py): board preset, zynq_ultra_ps_e, S_AXI_HP0_FPD
# through a SmartConnect, pl_clk0 at the fabric clock, make_wrapper.
#
# The accelerator is a module reference; its interfaces are found in Vivado, from the AXI port
# names Vivado infers interfaces from (m_axi_<bus>_*, s_axis_<bus>_*, m_axis_<bus>_*,
# s_axi_<bus>_*):
#   AXI4 masters            -> SmartConnect -> S_AXI_HP0_FPD (DDR)
#   AXI-Stream slaves       <- one AXI DMA MM2S channel each (DDR -> stream)
#   AXI-Stream masters      -> one AXI DMA S2MM channel each (stream -> DDR)
#   AXI-Lite slaves + DMAs' control <- SmartConnect <- M_AXI_HPM0_FPD
#   {clk} <- pl_clk0 ({mhz} MHz requested; the PS's divider may not meet it exactly),
#   {rst} <- proc_sys_reset peripheral_reset (synchronous, active high)
# The PS-side software (DMA descriptors, loading weights.bin into DDR) is not generated.
# Not run here: the machine that generated it has no Vivado.

set_property board_part {board_part} [current_project]
create_bd_design top
set zynq_ps_vlnv [get_property VLNV [get_ipdefs \"xilinx.com:ip:zynq_ultra_ps_e:*\"]]
create_bd_cell -type ip -vlnv $zynq_ps_vlnv zynq_ps
apply_bd_automation -rule xilinx.com:bd_rule:zynq_ultra_ps_e -config {{apply_board_preset \"1\"}} [get_bd_cells zynq_ps]
set_property -dict [list CONFIG.PSU__USE__S_AXI_GP2 {{1}} CONFIG.PSU__USE__M_AXI_GP1 {{0}}] [get_bd_cells zynq_ps]
set_property -dict [list CONFIG.PSU__OVERRIDE__BASIC_CLOCK {{0}} CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ [expr {{int($clock_mhz)}}]] [get_bd_cells zynq_ps]
create_bd_cell -type module -reference $top accel
set rst_vlnv [get_property VLNV [get_ipdefs \"xilinx.com:ip:proc_sys_reset:*\"]]
create_bd_cell -type ip -vlnv $rst_vlnv rst_pl
connect_bd_net [get_bd_pins zynq_ps/pl_clk0] [get_bd_pins rst_pl/slowest_sync_clk]
connect_bd_net [get_bd_pins zynq_ps/pl_resetn0] [get_bd_pins rst_pl/ext_reset_in]
foreach pin {{{clk_w} {rst_w}}} {{
    if {{[llength [get_bd_pins -quiet accel/$pin]] == 0}} {{
        error \"$top has no port $pin: the wrapper drives {clk} from pl_clk0 and {rst} from a proc_sys_reset\"
    }}
}}
connect_bd_net [get_bd_pins zynq_ps/pl_clk0] [get_bd_pins accel/{clk_w}]
connect_bd_net [get_bd_pins rst_pl/peripheral_reset] [get_bd_pins accel/{rst_w}]

set cell [get_bd_cells accel]
set masters [get_bd_intf_pins -quiet -of_objects $cell -filter {{MODE == Master && VLNV =~ \"xilinx.com:interface:aximm_rtl:*\"}}]
set lites [get_bd_intf_pins -quiet -of_objects $cell -filter {{MODE == Slave && VLNV =~ \"xilinx.com:interface:aximm_rtl:*\"}}]
set in_streams [get_bd_intf_pins -quiet -of_objects $cell -filter {{MODE == Slave && VLNV =~ \"xilinx.com:interface:axis_rtl:*\"}}]
set out_streams [get_bd_intf_pins -quiet -of_objects $cell -filter {{MODE == Master && VLNV =~ \"xilinx.com:interface:axis_rtl:*\"}}]
if {{[llength $masters] + [llength $in_streams] + [llength $out_streams] == 0}} {{
    error \"Vivado inferred no AXI4 or AXI-Stream interface on $top: nothing to connect to the PS\"
}}

set dma_vlnv [get_property VLNV [get_ipdefs \"xilinx.com:ip:axi_dma:*\"]]
set clocked [list]
set dmas [list]
set n 0
foreach pin $in_streams {{
    set width [expr {{8 * [get_property CONFIG.TDATA_NUM_BYTES $pin]}}]
    if {{$width > 1024}} {{ error \"$pin is $width bits wide; the AXI DMA takes at most 1024\" }}
    set dma [create_bd_cell -type ip -vlnv $dma_vlnv dma_mm2s_$n]
    lappend dmas $dma
    set_property -dict [list CONFIG.c_include_sg {{0}} CONFIG.c_include_s2mm {{0}} CONFIG.c_sg_length_width {{26}} CONFIG.c_m_axis_mm2s_tdata_width $width CONFIG.c_m_axi_mm2s_data_width [expr {{max(32, $width)}}]] $dma
    connect_bd_intf_net [get_bd_intf_pins $dma/M_AXIS_MM2S] $pin
    lappend masters [get_bd_intf_pins $dma/M_AXI_MM2S]
    lappend lites [get_bd_intf_pins $dma/S_AXI_LITE]
    lappend clocked [get_bd_pins $dma/s_axi_lite_aclk] [get_bd_pins $dma/m_axi_mm2s_aclk]
    incr n
}}
set n 0
foreach pin $out_streams {{
    set width [expr {{8 * [get_property CONFIG.TDATA_NUM_BYTES $pin]}}]
    if {{$width > 1024}} {{ error \"$pin is $width bits wide; the AXI DMA takes at most 1024\" }}
    set dma [create_bd_cell -type ip -vlnv $dma_vlnv dma_s2mm_$n]
    lappend dmas $dma
    set_property -dict [list CONFIG.c_include_sg {{0}} CONFIG.c_include_mm2s {{0}} CONFIG.c_sg_length_width {{26}} CONFIG.c_s_axis_s2mm_tdata_width $width CONFIG.c_m_axi_s2mm_data_width [expr {{max(32, $width)}}]] $dma
    connect_bd_intf_net $pin [get_bd_intf_pins $dma/S_AXIS_S2MM]
    lappend masters [get_bd_intf_pins $dma/M_AXI_S2MM]
    lappend lites [get_bd_intf_pins $dma/S_AXI_LITE]
    lappend clocked [get_bd_pins $dma/s_axi_lite_aclk] [get_bd_pins $dma/m_axi_s2mm_aclk]
    incr n
}}

if {{[llength $masters] > 16 || [llength $lites] > 16}} {{
    error \"[llength $masters] AXI masters and [llength $lites] AXI-Lite slaves: a SmartConnect joins at most 16\"
}}
set smartconnect_vlnv [get_property VLNV [get_ipdefs \"xilinx.com:ip:smartconnect:*\"]]
create_bd_cell -type ip -vlnv $smartconnect_vlnv to_ddr
set_property -dict [list CONFIG.NUM_SI [llength $masters] CONFIG.NUM_MI {{1}}] [get_bd_cells to_ddr]
set i 0
foreach m $masters {{
    connect_bd_intf_net $m [get_bd_intf_pins to_ddr/[format S%02d_AXI $i]]
    incr i
}}
connect_bd_intf_net [get_bd_intf_pins to_ddr/M00_AXI] [get_bd_intf_pins zynq_ps/S_AXI_HP0_FPD]
lappend clocked [get_bd_pins to_ddr/aclk] [get_bd_pins zynq_ps/saxihp0_fpd_aclk]
connect_bd_net [get_bd_pins rst_pl/interconnect_aresetn] [get_bd_pins to_ddr/aresetn]
if {{[llength $lites] > 0}} {{
    create_bd_cell -type ip -vlnv $smartconnect_vlnv control
    set_property -dict [list CONFIG.NUM_SI {{1}} CONFIG.NUM_MI [llength $lites]] [get_bd_cells control]
    connect_bd_intf_net [get_bd_intf_pins zynq_ps/M_AXI_HPM0_FPD] [get_bd_intf_pins control/S00_AXI]
    set i 0
    foreach l $lites {{
        connect_bd_intf_net [get_bd_intf_pins control/[format M%02d_AXI $i]] $l
        incr i
    }}
    lappend clocked [get_bd_pins control/aclk] [get_bd_pins zynq_ps/maxihpm0_fpd_aclk]
    connect_bd_net [get_bd_pins rst_pl/interconnect_aresetn] [get_bd_pins control/aresetn]
}}
foreach c $clocked {{ connect_bd_net [get_bd_pins zynq_ps/pl_clk0] $c }}
foreach dma $dmas {{
    connect_bd_net [get_bd_pins rst_pl/peripheral_aresetn] [get_bd_pins $dma/axi_resetn]
}}

assign_bd_address
validate_bd_design
save_bd_design
make_wrapper -files [get_files top.bd] -import -fileset sources_1 -top
set_property top top_wrapper [current_fileset]
update_compile_order -fileset sources_1
",
            top = comment(&self.top),
            clk = comment(&self.clock_port),
            rst = comment(&self.reset_port),
            mhz = comment(&format!("{}", self.clock_mhz)),
            board_part = tcl_word(board.board_part),
            clk_w = tcl_word(&self.clock_port),
            rst_w = tcl_word(&self.reset_port),
        ));
        Ok(Some(t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(board: bool) -> VivadoProject {
        VivadoProject {
            header: vec!["Generated by lutforge-fpga -- do not edit.".into()],
            name: "tiny".into(),
            device: "kv260".into(),
            part: "xck26-sfvc784-2LV-c".into(),
            top: "tiny_top".into(),
            clock_port: "clk".into(),
            reset_port: "rst".into(),
            clock_mhz: 250.0,
            sources: vec!["rtl/tiny_top.v".into()],
            mem_files: vec!["mem/vectors.mem".into()],
            xdc: "tiny.xdc".into(),
            board: board.then(|| zynq_board("kv260").unwrap()),
        }
    }

    #[test]
    fn the_scripts_name_the_part_the_clock_and_the_runs() {
        let p = project(true);
        let tcl = p.project_tcl().unwrap();
        for want in [
            "set part xck26-sfvc784-2LV-c",
            "create_project -force $project_name",
            "-part $part",
            "[file join $tcldir rtl tiny_top.v]",
            "[file join $tcldir mem vectors.mem]",
            "launch_runs synth_1",
            "launch_runs impl_1 -to_step write_bitstream",
            "report_utilization -file",
            "report_timing_summary -file",
            "-mode out_of_context",
        ] {
            assert!(tcl.contains(want), "{want}\n{tcl}");
        }
        assert_eq!(p.period_ns(), "4.000");
        assert!(p
            .xdc_text()
            .unwrap()
            .contains("create_clock -period 4.000 -name clk [get_ports clk]"));
        let bd = p.block_design_tcl().unwrap().unwrap();
        assert!(bd.contains("xilinx.com:kv260_som:part0:1.3") && bd.contains("zynq_ultra_ps_e"));
        assert!(bd.contains("PL0_REF_CTRL__FREQMHZ [expr {int($clock_mhz)}]"));
        assert!(tcl.contains("set clock_mhz 250\n"));
    }

    #[test]
    fn a_device_without_a_wrapper_refuses_the_bitstream_flow() {
        let mut p = project(false);
        p.device = "u280".into();
        p.part = "xcu280-fsvh2892-2L-e".into();
        assert!(p.block_design_tcl().unwrap().is_none());
        let tcl = p.project_tcl().unwrap();
        assert!(tcl.contains("no platform wrapper for u280"));
        assert!(!tcl.contains("write_bitstream"));
    }

    #[test]
    fn unsafe_names_are_refused() {
        let mut p = project(true);
        p.top = "a[exec ls]".into();
        assert!(p.project_tcl().is_err());
        let mut p = project(true);
        p.sources = vec!["../../etc/passwd".into()];
        assert!(p.project_tcl().is_err());
        let mut p = project(true);
        p.part = "x; exec rm".into();
        assert!(p.xdc_text().is_err());
        assert_eq!(comment("a\nb\\"), "a_b_");
    }
}
