//! Reading what the tools wrote: the cell counts of Yosys's JSON netlist, nextpnr's JSON report
//! (`--report`: `fmax` per clock, `utilization` per BEL type) and the `Device utilisation`
//! table of nextpnr's log, which is printed before placement and so is there even when the
//! design does not fit and no report is written.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{BelUsage, ClockFmax};

/// Cells of each type in module `top` of a Yosys JSON netlist (the module marked `top` when
/// no module has that name); `None` when the text is not such a netlist.
pub fn netlist_cells(json: &str, top: &str) -> Option<BTreeMap<String, u64>> {
    let doc: Value = serde_json::from_str(json).ok()?;
    let modules = doc.get("modules")?.as_object()?;
    let module = modules.get(top).or_else(|| {
        modules.values().find(|m| {
            m.pointer("/attributes/top")
                .and_then(Value::as_str)
                .is_some_and(|v| v.trim_start_matches('0') == "1")
        })
    })?;
    let mut counts = BTreeMap::new();
    for cell in module.get("cells")?.as_object()?.values() {
        let kind = cell.get("type")?.as_str()?;
        *counts.entry(kind.to_string()).or_insert(0) += 1;
    }
    Some(counts)
}

/// The `fmax` and `utilization` tables of a nextpnr JSON report.
pub fn nextpnr_report(json: &str) -> Result<(Vec<ClockFmax>, BTreeMap<String, BelUsage>), String> {
    let doc: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let number = |v: &Value, key: &str, what: &str| {
        v.get(key)
            .and_then(Value::as_f64)
            .ok_or_else(|| format!("{what} has no numeric `{key}`"))
    };
    let mut fmax = Vec::new();
    if let Some(clocks) = doc.get("fmax").and_then(Value::as_object) {
        for (clock, v) in clocks {
            fmax.push(ClockFmax {
                clock: clock.clone(),
                achieved_mhz: number(v, "achieved", clock)?,
                constraint_mhz: number(v, "constraint", clock)?,
            });
        }
    }
    let mut bels = BTreeMap::new();
    let table = doc
        .get("utilization")
        .and_then(Value::as_object)
        .ok_or("no `utilization` table")?;
    for (bel, v) in table {
        bels.insert(
            bel.clone(),
            BelUsage {
                used: number(v, "used", bel)? as u64,
                available: number(v, "available", bel)? as u64,
            },
        );
    }
    Ok((fmax, bels))
}

/// The rows of the first `Device utilisation:` table of a nextpnr log
/// (`Info:`, a tab, then `ICESTORM_LC:  9345/ 5280   176%`).
pub fn log_utilisation(log: &str) -> Vec<(String, BelUsage)> {
    let Some(at) = log.find("Device utilisation:") else {
        return Vec::new();
    };
    log[at..]
        .lines()
        .skip(1)
        .map_while(|line| {
            let row = line.strip_prefix("Info:")?.trim();
            let (bel, rest) = row.split_once(':')?;
            let (used, rest) = rest.split_once('/')?;
            let available = rest.split_whitespace().next()?;
            Some((
                bel.trim().to_string(),
                BelUsage {
                    used: used.trim().parse().ok()?,
                    available: available.parse().ok()?,
                },
            ))
        })
        .collect()
}

/// Why a failed place-and-route log says the design does not fit, if it does: the BEL types
/// the design needs more of than the device has (`ICESTORM_LC 9,345 of 5,280 (177%)`), or the
/// cell type nextpnr ran out of places for.
pub fn does_not_fit(log: &str) -> Option<String> {
    let over: Vec<String> = log_utilisation(log)
        .into_iter()
        .filter(|(_, u)| u.used > u.available)
        .map(|(bel, u)| {
            format!(
                "{bel} {} of {} ({:.0}%)",
                thousands(u.used),
                thousands(u.available),
                100.0 * u.used as f64 / u.available.max(1) as f64
            )
        })
        .collect();
    if !over.is_empty() {
        return Some(over.join(", "));
    }
    let marker = "no BELs remaining to implement cell type '";
    let at = log.find(marker)? + marker.len();
    let kind = log[at..].split('\'').next()?;
    Some(format!("no {kind} left to place a cell on"))
}

/// `9345` as `9,345`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ICE40_LOG: &str = "Info: Packing constants..\n\nInfo: Device utilisation:\nInfo: \t         ICESTORM_LC:  9345/ 5280   176%\nInfo: \t        ICESTORM_RAM:     0/   30     0%\nInfo: \t               SB_IO:     3/   96     3%\n\nInfo: Placed 0 cells based on constraints.\nERROR: Unable to place cell 's_DFFLC', no BELs remaining to implement cell type 'ICESTORM_LC'\n1 warning, 1 error\n";

    #[test]
    fn reads_the_utilisation_table_of_a_log() {
        let rows = log_utilisation(ICE40_LOG);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].0, "ICESTORM_LC");
        assert_eq!(
            rows[0].1,
            BelUsage {
                used: 9345,
                available: 5280
            }
        );
        assert_eq!(rows[2].0, "SB_IO");
    }

    #[test]
    fn an_overflowing_table_or_a_cell_without_bels_does_not_fit() {
        assert_eq!(
            does_not_fit(ICE40_LOG).unwrap(),
            "ICESTORM_LC 9,345 of 5,280 (177%)"
        );
        let only_error = "ERROR: Unable to place cell 'x', no BELs remaining to implement cell type 'MULT18X18D'\n";
        assert_eq!(
            does_not_fit(only_error).unwrap(),
            "no MULT18X18D left to place a cell on"
        );
        assert_eq!(does_not_fit("ERROR: syntax error\n"), None);
    }

    #[test]
    fn reads_fmax_and_utilization_of_a_report() {
        let json = r#"{"critical_paths": [], "fmax": {"clk$SB_IO_IN_$glb_clk": {"achieved": 46.08, "constraint": 12}},
            "utilization": {"ICESTORM_LC": {"available": 5280, "used": 181}, "SB_IO": {"available": 96, "used": 33}}}"#;
        let (fmax, bels) = nextpnr_report(json).unwrap();
        assert_eq!(fmax.len(), 1);
        assert_eq!(fmax[0].clock, "clk$SB_IO_IN_$glb_clk");
        assert!((fmax[0].achieved_mhz - 46.08).abs() < 1e-9 && fmax[0].constraint_mhz == 12.0);
        assert_eq!(bels["ICESTORM_LC"].used, 181);
        assert_eq!(bels["SB_IO"].available, 96);
        assert!(nextpnr_report("{}").is_err());
    }

    #[test]
    fn counts_the_cells_of_the_top_module() {
        let json = r#"{"modules": {"leaf": {"cells": {"a": {"type": "SB_LUT4"}}},
            "board_top": {"attributes": {"top": "00000000000000000000000000000001"},
              "cells": {"a": {"type": "SB_LUT4"}, "b": {"type": "SB_LUT4"}, "c": {"type": "SB_DFFSR"}}}}}"#;
        let cells = netlist_cells(json, "board_top").unwrap();
        assert_eq!((cells["SB_LUT4"], cells["SB_DFFSR"]), (2, 1));
        // Found through its `top` attribute under another name.
        assert_eq!(netlist_cells(json, "renamed").unwrap(), cells);
        assert_eq!(netlist_cells("not json", "t"), None);
    }
}
