//! The `[systolic]` section of a lutforge architecture file, validated into [`SystolicArray`].
//!
//! ```toml
//! [systolic]
//! rows = 128                 # PE rows
//! cols = 128                 # PE columns
//! dataflow = "ws"            # "os", "ws" or "is"
//! ifmap_sram_kib = 8192      # activation SRAM, both halves of the double buffer
//! filter_sram_kib = 8192     # weight SRAM
//! ofmap_sram_kib = 4096      # output SRAM
//! word_bytes = 1             # bytes per operand word (INT8 = 1)
//! bandwidth_mode = "user"    # "calc": SCALE-Sim's estimate mode; "user": fixed DRAM words/cycle
//! dram_words_per_cycle = 256 # per SRAM's DRAM port, words per cycle (user mode only)
//! weight_double_buffer = false # ws only: shift the next fold's weights in while this one runs
//! ```
//!
//! `weight_double_buffer` (default `false`, SCALE-Sim's behaviour) gives each PE a second
//! weight register, as TPU MXUs have ("The matrix unit holds one 64 KiB tile of weights plus one
//! for double-buffering (to hide the 256 cycles it takes to shift a tile in)", Jouppi et al.,
//! ISCA 2017, section 2): consecutive folds then pipeline, see
//! [`super::geometry::Mapping::double_buffered_cycles`].

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;

use lutforge_models::Limit;

use crate::error::SimError;

/// Which operand stays in the processing elements while the others stream through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dataflow {
    /// Output stationary: each PE accumulates one output.
    Os,
    /// Weight stationary: each PE holds one weight.
    Ws,
    /// Input stationary: each PE holds one input.
    Is,
}

impl FromStr for Dataflow {
    type Err = String;
    fn from_str(s: &str) -> Result<Dataflow, String> {
        match s.trim() {
            "os" => Ok(Dataflow::Os),
            "ws" => Ok(Dataflow::Ws),
            "is" => Ok(Dataflow::Is),
            _ => Err("must be one of os, ws, is".to_string()),
        }
    }
}

impl fmt::Display for Dataflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dataflow::Os => "os",
            Dataflow::Ws => "ws",
            Dataflow::Is => "is",
        })
    }
}

/// How the SRAMs' DRAM interface is modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DramBandwidth {
    /// SCALE-Sim's `CALC` mode: reads never stall, the DRAM bandwidth needed is reported
    /// instead; the ofmap SRAM drains `cols` words per cycle.
    Calc,
    /// SCALE-Sim's `USER` mode: each SRAM's DRAM port moves a fixed number of words per cycle.
    User {
        /// Ifmap SRAM fill bandwidth, words per cycle.
        ifmap_words_per_cycle: u64,
        /// Filter SRAM fill bandwidth, words per cycle.
        filter_words_per_cycle: u64,
        /// Ofmap SRAM drain bandwidth, words per cycle.
        ofmap_words_per_cycle: u64,
    },
}

/// A validated systolic array with its three double-buffered SRAMs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SystolicArray {
    /// PE rows (1..=65536).
    pub rows: u64,
    /// PE columns (1..=65536).
    pub cols: u64,
    /// Dataflow.
    pub dataflow: Dataflow,
    /// Ifmap SRAM, bytes (both halves).
    pub ifmap_sram_bytes: u64,
    /// Filter SRAM, bytes (both halves).
    pub filter_sram_bytes: u64,
    /// Ofmap SRAM, bytes (both halves).
    pub ofmap_sram_bytes: u64,
    /// Bytes per operand word (1..=8).
    pub word_bytes: u64,
    /// DRAM interface model.
    pub bandwidth: DramBandwidth,
    /// Weight-stationary only: the next fold's weights shift in while the current fold computes.
    pub weight_double_buffer: bool,
}

impl SystolicArray {
    /// SRAM capacity in words: `(ifmap, filter, ofmap)`.
    pub fn sram_words(&self) -> (u64, u64, u64) {
        (
            self.ifmap_sram_bytes / self.word_bytes,
            self.filter_sram_bytes / self.word_bytes,
            self.ofmap_sram_bytes / self.word_bytes,
        )
    }

    /// Validates a parsed `[systolic]` section; `file` names the source in errors.
    pub fn from_raw(raw: &RawSystolic, file: &str) -> Result<SystolicArray, SimError> {
        let range = |name: &str, v: u64| -> Result<u64, SimError> {
            let path = format!("systolic.{name}");
            match RawSystolic::LIMITS.iter().find(|(n, _)| *n == name) {
                Some((_, limit)) => limit
                    .check_u64(v)
                    .map_err(|m| SimError::invalid(file, &path, v, m)),
                None => Err(SimError::invalid(
                    file,
                    &path,
                    v,
                    "has no declared range (a lutforge bug; please report it)",
                )),
            }
        };
        let rows = range("rows", raw.rows)?;
        let cols = range("cols", raw.cols)?;
        let dataflow = raw.dataflow.parse::<Dataflow>().map_err(|m| {
            SimError::invalid(
                file,
                "systolic.dataflow",
                format!("\"{}\"", raw.dataflow),
                m,
            )
        })?;
        let word_bytes = range("word_bytes", raw.word_bytes.unwrap_or(1))?;
        let kib = |field: &str, v: u64| -> Result<u64, SimError> { Ok(range(field, v)? * 1024) };
        let ifmap_sram_bytes = kib("ifmap_sram_kib", raw.ifmap_sram_kib)?;
        let filter_sram_bytes = kib("filter_sram_kib", raw.filter_sram_kib)?;
        let ofmap_sram_bytes = kib("ofmap_sram_kib", raw.ofmap_sram_kib)?;
        let mode = raw.bandwidth_mode.as_deref().unwrap_or("user");
        let bandwidth = match mode {
            "calc" => {
                if let Some(v) = raw.dram_words_per_cycle {
                    return Err(SimError::invalid(
                        file,
                        "systolic.dram_words_per_cycle",
                        v,
                        "only used with bandwidth_mode = \"user\"; remove it or switch mode",
                    ));
                }
                DramBandwidth::Calc
            }
            "user" => {
                let v = raw.dram_words_per_cycle.ok_or_else(|| {
                    SimError::invalid(
                        file,
                        "systolic.dram_words_per_cycle",
                        "missing",
                        "bandwidth_mode = \"user\" needs the DRAM words per cycle",
                    )
                })?;
                let v = range("dram_words_per_cycle", v)?;
                DramBandwidth::User {
                    ifmap_words_per_cycle: v,
                    filter_words_per_cycle: v,
                    ofmap_words_per_cycle: v,
                }
            }
            other => {
                return Err(SimError::invalid(
                    file,
                    "systolic.bandwidth_mode",
                    format!("\"{other}\""),
                    "must be \"calc\" or \"user\"",
                ))
            }
        };
        let weight_double_buffer = raw.weight_double_buffer.unwrap_or(false);
        if weight_double_buffer && dataflow != Dataflow::Ws {
            return Err(SimError::invalid(
                file,
                "systolic.weight_double_buffer",
                true,
                format!("double-buffers the weights of a weight-stationary array; dataflow is \"{dataflow}\""),
            ));
        }
        Ok(SystolicArray {
            rows,
            cols,
            dataflow,
            ifmap_sram_bytes,
            filter_sram_bytes,
            ofmap_sram_bytes,
            word_bytes,
            bandwidth,
            weight_double_buffer,
        })
    }
}

/// `[systolic]` as written in an architecture file (unvalidated).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSystolic {
    /// PE rows.
    pub rows: u64,
    /// PE columns.
    pub cols: u64,
    /// `"os"`, `"ws"` or `"is"`.
    pub dataflow: String,
    /// Ifmap (activation) SRAM, KiB, both halves of the double buffer.
    pub ifmap_sram_kib: u64,
    /// Filter (weight) SRAM, KiB.
    pub filter_sram_kib: u64,
    /// Ofmap (output) SRAM, KiB.
    pub ofmap_sram_kib: u64,
    /// Bytes per operand word. Default 1 (INT8).
    #[serde(default)]
    pub word_bytes: Option<u64>,
    /// `"calc"` or `"user"`. Default `"user"`.
    #[serde(default)]
    pub bandwidth_mode: Option<String>,
    /// DRAM words per cycle per SRAM port (user mode only).
    #[serde(default)]
    pub dram_words_per_cycle: Option<u64>,
    /// A second weight register per PE (ws only). Default `false`.
    #[serde(default)]
    pub weight_double_buffer: Option<bool>,
}

impl RawSystolic {
    /// Range of a PE array dimension.
    pub const PES: Limit = Limit::new(1.0, 65_536.0, "PEs", "");

    /// Range of one SRAM's size.
    pub const SRAM_KIB: Limit = Limit::new(1.0, 4_194_304.0, "KiB", "at most 4 GiB");

    /// Range of a DRAM port's width.
    pub const WORDS_PER_CYCLE: Limit = Limit::new(1.0, 1_048_576.0, "words/cycle", "");

    /// Range of every numeric `[systolic]` field (the SCALE-Sim config keys that fill them
    /// reuse these ranges).
    pub const LIMITS: &'static [(&'static str, Limit)] = &[
        ("rows", RawSystolic::PES),
        ("cols", RawSystolic::PES),
        ("ifmap_sram_kib", RawSystolic::SRAM_KIB),
        ("filter_sram_kib", RawSystolic::SRAM_KIB),
        ("ofmap_sram_kib", RawSystolic::SRAM_KIB),
        ("word_bytes", Limit::new(1.0, 8.0, "bytes", "")),
        ("dram_words_per_cycle", RawSystolic::WORDS_PER_CYCLE),
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawSystolic {
        RawSystolic {
            rows: 128,
            cols: 128,
            dataflow: "ws".into(),
            ifmap_sram_kib: 64,
            filter_sram_kib: 64,
            ofmap_sram_kib: 64,
            word_bytes: None,
            bandwidth_mode: None,
            dram_words_per_cycle: Some(64),
            weight_double_buffer: None,
        }
    }

    #[test]
    fn validates_and_names_the_field() {
        let a = SystolicArray::from_raw(&raw(), "a.toml").unwrap();
        assert_eq!(a.ifmap_sram_bytes, 65536);
        let mut bad = raw();
        bad.dataflow = "rs".into();
        let e = SystolicArray::from_raw(&bad, "a.toml")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "a.toml: field `systolic.dataflow`: must be one of os, ws, is (got \"rs\")"
        );
        let mut bad = raw();
        bad.rows = 0;
        let e = SystolicArray::from_raw(&bad, "a.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("systolic.rows"), "{e}");
        let mut bad = raw();
        bad.dram_words_per_cycle = None;
        assert!(SystolicArray::from_raw(&bad, "a.toml").is_err());
    }
}
