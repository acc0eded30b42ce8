//! The FPGA device database: one [`Device`] record per supported part, each number cited.
//!
//! A record holds what a resource and power model needs of a device: logic (LUTs and their
//! input count, flip-flops), DSP blocks (count and primitive), block RAM and the large
//! on-chip RAM (UltraRAM on AMD parts, SPRAM on iCE40 UltraPlus), the off-chip memory of the
//! board or card the part ships on (type, capacity, peak bandwidth), a typical fabric clock and
//! the device's static power.
//!
//! Sources: every numeric literal line of [`DEVICES`] carries a comment naming its source (a
//! data sheet or user guide id such as DS987 or FPGA-DS-02012, the Vivado "Available" columns
//! recorded in the project's REFERENCES.md, or a cited design); a unit test holds this. Where no
//! data-sheet figure was found the comment says so; static power without a data-sheet figure is
//! `None` unless a cited power-estimator report gives it (the report and its junction
//! temperature named in the comment), so reports say "unsourced" instead of printing a number.
//!
//! Units: capacities in bytes, bandwidth in bytes per second (decimal, as vendors quote peak
//! bandwidth), RAM blocks in kbit (1,024 bits), clocks in MHz, power in watts.
//!
//! Lookup: [`device`] accepts the short id (`kv260`), an alias of [`ALIASES`] (`ice40-up5k`,
//! `ecp5-85f`) or the full part number (`xck26-sfvc784-2LV-c`), case-insensitively; an unknown
//! name is a [`DeviceError`] that names it and lists the known ids.

use std::fmt;

/// Bytes in one GiB (2^30), the unit memory capacities are quoted in.
const GIB: u64 = 1 << 30;

/// The company whose tools build bitstreams for a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vendor {
    /// AMD (formerly Xilinx): Zynq UltraScale+, Virtex UltraScale+, Versal.
    Amd,
    /// Lattice Semiconductor: ECP5, iCE40.
    Lattice,
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Vendor::Amd => "AMD",
            Vendor::Lattice => "Lattice",
        })
    }
}

/// A device's hard multiplier blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DspBlocks {
    /// The primitive's name as the vendor's library spells it (`DSP48E2`, `DSP58`,
    /// `MULT18X18D`, `SB_MAC16`).
    pub kind: &'static str,
    /// Number of blocks on the device.
    pub count: u32,
}

/// A device's blocks of one kind of on-chip RAM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RamBlocks {
    /// The block's name (`BRAM36`, `URAM288`, `EBR`, `SPRAM`).
    pub kind: &'static str,
    /// Number of blocks on the device.
    pub count: u32,
    /// Capacity of one block in kbit (1,024 bits).
    pub kbit: u32,
}

impl RamBlocks {
    /// Capacity of all blocks together, in bits.
    pub fn total_bits(&self) -> u64 {
        u64::from(self.count) * u64::from(self.kbit) * 1024
    }
}

/// The off-chip (or in-package) memory a device's board or card provides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffChipMemory {
    /// Memory technology (`DDR4`, `HBM2`, `HBM2e`).
    pub kind: &'static str,
    /// Capacity in bytes.
    pub bytes: u64,
    /// Peak (theoretical) bandwidth in bytes per second; sustained bandwidth is lower and is
    /// the memory model's business, not the database's.
    pub peak_bytes_per_s: u64,
}

/// One FPGA part and the board or card it is used on, with every figure cited in [`DEVICES`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Device {
    /// Short id used on the command line (`kv260`), lower case.
    pub id: &'static str,
    /// Full part number as Vivado or the vendor's tools take it (`xck26-sfvc784-2LV-c`).
    pub part: &'static str,
    /// Vendor.
    pub vendor: Vendor,
    /// Device family (`Zynq UltraScale+`).
    pub family: &'static str,
    /// The board, card or module the memory figures describe, or the bare chip.
    pub board: &'static str,
    /// Look-up tables of the programmable logic.
    pub luts: u32,
    /// Inputs of one LUT (6 on AMD parts, 4 on Lattice parts).
    pub lut_inputs: u8,
    /// Flip-flops (registers) of the programmable logic.
    pub ffs: u32,
    /// Hard multiplier blocks.
    pub dsp: DspBlocks,
    /// Block RAM.
    pub bram: RamBlocks,
    /// The large on-chip RAM: UltraRAM (288 kbit) on AMD parts that have it, SPRAM
    /// (256 kbit) on iCE40 UltraPlus; `None` where the device has none.
    pub uram: Option<RamBlocks>,
    /// Off-chip memory of the board or card; `None` for a bare chip whose memory depends on
    /// the board.
    pub memory: Option<OffChipMemory>,
    /// Typical fabric clock in MHz: a clock a cited design closes timing at on this device, or
    /// a clock the vendor states.
    pub clock_mhz: f64,
    /// Static (leakage and bias) power of the device, in watts, where a data sheet or a cited
    /// power-estimator report states it (its junction temperature in the table's comment);
    /// `None` where no such figure was found (no number is made up in its place).
    pub static_w: Option<f64>,
}

/// An unknown device name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    /// No device has this short id or part number.
    #[error(
        "unknown FPGA device `{name}`: known devices are {known} (a short id or a part number)"
    )]
    Unknown {
        /// The name as given.
        name: String,
        /// The known short ids, comma-separated.
        known: String,
    },
}

/// Other names of devices, `(alias, short id)`: the names that say the part's size, as the
/// open flow's command line spells them (`--device ice40-up5k`).
pub static ALIASES: &[(&str, &str)] = &[("ice40-up5k", "ice40"), ("ecp5-85f", "ecp5")];

/// Looks a device up by short id, alias ([`ALIASES`]) or part number, ignoring case.
pub fn device(name: &str) -> Result<&'static Device, DeviceError> {
    let wanted = name.trim();
    let id = ALIASES
        .iter()
        .find(|(alias, _)| alias.eq_ignore_ascii_case(wanted))
        .map_or(wanted, |(_, id)| id);
    DEVICES
        .iter()
        .find(|d| d.id.eq_ignore_ascii_case(id) || d.part.eq_ignore_ascii_case(wanted))
        .ok_or_else(|| DeviceError::Unknown {
            name: name.to_string(),
            known: DEVICES.iter().map(|d| d.id).collect::<Vec<_>>().join(", "),
        })
}

/// Every supported device. Each numeric literal line cites its source in a comment (unit
/// test `every_number_in_the_table_cites_a_source`).
pub static DEVICES: &[Device] = &[
    Device {
        id: "kv260",
        part: "xck26-sfvc784-2LV-c",
        vendor: Vendor::Amd,
        family: "Zynq UltraScale+ (K26 SOM)",
        board: "Kria KV260 Vision AI Starter Kit",
        luts: 117_120, // DS987 (K26 SOM data sheet); Vivado "Available", REFERENCES.md
        lut_inputs: 6, // UG574 (UltraScale CLB: 6-input LUTs)
        ffs: 234_240,  // DS987; Vivado "Available", REFERENCES.md
        dsp: DspBlocks {
            kind: "DSP48E2",
            count: 1_248, // DS987; Vivado "Available", REFERENCES.md
        },
        bram: RamBlocks {
            kind: "BRAM36",
            count: 144, // DS987; Vivado "Available", REFERENCES.md
            kbit: 36,   // UG573 (UltraScale memory resources: 36 Kb block RAM)
        },
        uram: Some(RamBlocks {
            kind: "URAM288",
            count: 64, // DS987; Vivado "Available", REFERENCES.md
            kbit: 288, // UG573 (UltraRAM: 288 Kb per block)
        }),
        memory: Some(OffChipMemory {
            kind: "DDR4",
            bytes: 4 * GIB, // DS987: "4 GB 64-bit wide, 2400 Mb/s memory"; REFERENCES.md
            // DS987: 64-bit DDR4 at 2400 MT/s = 8 B x 2.4e9 /s = 19.2 GB/s; REFERENCES.md
            peak_bytes_per_s: 19_200_000_000, // DS987 (64-bit x 2400 MT/s); REFERENCES.md
        }),
        // TeLLMe v2 (arXiv 2510.15926) on this board: bitstream named for 250 MHz, REFERENCES.md
        clock_mhz: 250.0, // arXiv 2510.15926 via REFERENCES.md
        // No static figure found: DS987 gives none and UG1090 sends K26 power to the Power
        // Design Manager (UG1556), not run here. The measurements found are of whole boards,
        // not of the device's leakage: 9.15 W idle at the KV260's 12 V input (Simfero,
        // dAIEDGE power-measurement guide, 2026: carrier, fan, DDR4 and the PS running Linux
        // included) and TeLLMe's about 5 W running (REFERENCES.md).
        static_w: None, // no cited device figure (see above)
    },
    Device {
        id: "u280",
        part: "xcu280-fsvh2892-2L-e",
        vendor: Vendor::Amd,
        family: "Virtex UltraScale+ HBM (Alveo)",
        board: "Alveo U280 data center accelerator card",
        luts: 1_303_680, // DS963 (1,304K LUTs); LUT-LLM u280.json 1,304,000 (arXiv 2511.06174)
        lut_inputs: 6,   // UG574 (UltraScale CLB: 6-input LUTs)
        ffs: 2_607_360,  // DS963 (2,607K registers: 2 per LUT, UG574)
        dsp: DspBlocks {
            kind: "DSP48E2",
            count: 9_024, // DS963; LUT-LLM u280.json (arXiv 2511.06174)
        },
        bram: RamBlocks {
            kind: "BRAM36",
            count: 2_016, // DS963 (70.9 Mb = 2,016 x 36 Kb); LUT-LLM u280.json
            kbit: 36,     // UG573 (36 Kb block RAM)
        },
        uram: Some(RamBlocks {
            kind: "URAM288",
            count: 960, // DS963 (270 Mb = 960 x 288 Kb); LUT-LLM u280.json
            kbit: 288,  // UG573 (288 Kb UltraRAM)
        }),
        // The card's 32 GB of DDR4 (DS963) is left out: LLM designs stream weights from HBM.
        memory: Some(OffChipMemory {
            kind: "HBM2",
            bytes: 8 * GIB, // DS963: 8 GB HBM2; UG1393 (8 GB total HBM for U280)
            peak_bytes_per_s: 460_000_000_000, // DS963; UG1393: 32 PCs x 14.375 GB/s = 460 GB/s
        }),
        // FlightLLM (arXiv 2401.03868) runs its U280 design at 225 MHz (figure as recalled from
        // the paper, not re-read in this session; the Vitis platform's default kernel clock,
        // UG1393, is 300 MHz, so 225 MHz is the conservative choice).
        clock_mhz: 225.0, // arXiv 2401.03868 (FlightLLM on U280)
        // No static figure: DS963 states the card's maximum total power (225 W), not the
        // device's static power, and no cited power report of a U280 design was found.
        static_w: None, // no cited device figure (see above)
    },
    Device {
        id: "v80",
        part: "xcv80-lsva4737-2MHP-e-S",
        vendor: Vendor::Amd,
        family: "Versal HBM (Alveo V80)",
        board: "Alveo V80 compute accelerator card",
        luts: 2_574_208, // Vivado "Available", REFERENCES.md; LUT-LLM v80.json (arXiv 2511.06174)
        lut_inputs: 6,   // AM005 (Versal CLB: 6-input LUTs); UG1273
        ffs: 5_148_416,  // Vivado "Available", REFERENCES.md
        dsp: DspBlocks {
            kind: "DSP58",
            count: 10_848, // Vivado "Available", REFERENCES.md; LUT-LLM v80.json
        },
        bram: RamBlocks {
            kind: "BRAM36",
            // Vivado "Available", REFERENCES.md (LUT-LLM v80.json lists 7,334, a different unit)
            count: 3_741, // Vivado "Available", REFERENCES.md
            kbit: 36,     // UG1273 (Versal block RAM: 36 Kb each)
        },
        uram: Some(RamBlocks {
            kind: "URAM288",
            // Vivado "Available", REFERENCES.md (LUT-LLM v80.json lists 1,878)
            count: 1_925, // Vivado "Available", REFERENCES.md
            kbit: 288,    // UG1273 (Versal UltraRAM: 288 Kb each)
        }),
        memory: Some(OffChipMemory {
            kind: "HBM2e",
            bytes: 32 * GIB, // REFERENCES.md (LUT-LLM v80.json: 32 GB, arXiv 2511.06174)
            peak_bytes_per_s: 820_000_000_000, // REFERENCES.md (v80.json: 820 GB/s)
        }),
        // LUT-LLM's kernel clock on the V80 (timing.rpt), REFERENCES.md
        clock_mhz: 250.0, // arXiv 2511.06174 via REFERENCES.md
        // No data-sheet figure; LUT-LLM's released Power Design Manager 2024.1.2 report for its
        // Qwen3 block on this part (qwen_block/example.pwr) gives 22.036 W static power (PL
        // 18.659, PS+PMC 0.354, NoC+DDRMC 2.283, GTM 0.739) at a junction temperature forced to
        // 100 C, a worst-case corner: leakage is lower at cooler junctions.
        static_w: Some(22.036), // PDM report in LUT-LLM, arXiv 2511.06174 (Tj 100 C)
    },
    Device {
        id: "vck190",
        part: "xcvc1902-vsva2197-2MP-e-S",
        vendor: Vendor::Amd,
        family: "Versal AI Core",
        board: "VCK190 evaluation kit",
        // DS950 (Versal AI Core VC1902: 899,840 LUTs, 1,968 DSP58, 967 BRAM36, 463 URAM, plus
        // 400 AI Engine tiles, which this record does not count); the DSP and AI Engine counts
        // are confirmed by the xilinx_vck190_base platform description in UG1702, the rest
        // were not re-read in this session.
        luts: 899_840,  // DS950 (VC1902)
        lut_inputs: 6,  // AM005 (Versal CLB: 6-input LUTs); UG1273
        ffs: 1_799_680, // DS950 (VC1902; 2 flip-flops per LUT, UG1273)
        dsp: DspBlocks {
            kind: "DSP58",
            count: 1_968, // DS950 (VC1902)
        },
        bram: RamBlocks {
            kind: "BRAM36",
            count: 967, // DS950 (VC1902)
            kbit: 36,   // UG1273 (Versal block RAM: 36 Kb each)
        },
        uram: Some(RamBlocks {
            kind: "URAM288",
            count: 463, // DS950 (VC1902)
            kbit: 288,  // UG1273 (Versal UltraRAM: 288 Kb each)
        }), // UG1702 (xilinx_vck190_base platform: "8GB of DDR4 UDIMM, 8GB LPDDR4 component") and
        // UG1366; the LPDDR4 is left out. The UDIMM's speed was not confirmed in this session:
        // 64-bit at DDR4-3200, the Versal memory controller's top DDR4 rate (PG313), is taken,
        // so the bandwidth is an upper bound.
        memory: Some(OffChipMemory {
            kind: "DDR4",
            bytes: 8 * GIB,                   // UG1702, UG1366 (8 GB DDR4 UDIMM)
            peak_bytes_per_s: 25_600_000_000, // UG1366 (64-bit x 3200 MT/s assumed = 25.6 GB/s)
        }),
        // No LLM design on the VCK190 is cited yet: 250 MHz is the PL clock the two cited
        // LLM designs close on UltraScale+ and Versal (REFERENCES.md: TeLLMe, LUT-LLM), below
        // the 300 MHz default kernel clock of the Vitis platforms (UG1702).
        clock_mhz: 250.0, // assumed, matched to the designs in REFERENCES.md
        // No static figure: DS950/DS957 give no single static figure and no cited power report
        // of a VC1902 design was found.
        static_w: None, // no cited device figure (see above)
    },
    Device {
        id: "ecp5",
        part: "LFE5U-85F",
        vendor: Vendor::Lattice,
        family: "ECP5",
        board: "bare chip (memory depends on the board)",
        // FPGA-DS-02012 Table 1.1 gives 84K LUTs; the exact count is 41,820 slices x 2 LUT4
        // (FPGA-DS-02012 section 2.2.1: two LUT4 and two registers per slice), as nextpnr-ecp5
        // reports for the 85k part (83,640 LUT4s, 83,640 DFFs, 208 DP16KD, 156 MULT18X18D in
        // the utilisation logs of YosysHQ/prjtrellis issue 189).
        luts: 83_640,  // FPGA-DS-02012 (84K LUT4, 41,820 slices x 2); nextpnr-ecp5 log
        lut_inputs: 4, // FPGA-DS-02012 section 2.2.1 (LUT4)
        ffs: 83_640,   // FPGA-DS-02012 section 2.2.1 (two registers per slice); nextpnr-ecp5 log
        dsp: DspBlocks {
            kind: "MULT18X18D",
            count: 156, // FPGA-DS-02012 Table 1.1 (18 x 18 multipliers)
        },
        bram: RamBlocks {
            kind: "EBR",
            count: 208, // FPGA-DS-02012 Table 1.1 (sysMEM blocks; 3,744 Kb embedded memory)
            kbit: 18,   // FPGA-DS-02012 (sysMEM EBR: 18 Kb each)
        },
        uram: None,
        memory: None,
        // FPGA-DS-02012 states per-primitive maximum frequencies, not a design clock; 100 MHz
        // is a conservative design clock for a LUT4 fabric (not a data-sheet figure).
        clock_mhz: 100.0, // assumed; FPGA-DS-02012 gives primitive fmax only
        // No static figure: FPGA-DS-02012's standby supply currents were not read in this
        // session.
        static_w: None, // no cited device figure (see above)
    },
    Device {
        id: "ice40",
        part: "iCE40UP5K-SG48",
        vendor: Vendor::Lattice,
        family: "iCE40 UltraPlus",
        board: "bare chip (no off-chip memory; 1 Mbit SPRAM on chip)",
        luts: 5_280,   // FPGA-DS-02008 Table 1.1 (5,280 LUT4 logic cells)
        lut_inputs: 4, // FPGA-DS-02008 (LUT4 logic cells)
        ffs: 5_280,    // FPGA-DS-02008 (one flip-flop per logic cell)
        dsp: DspBlocks {
            kind: "SB_MAC16",
            count: 8, // FPGA-DS-02008 Table 1.1 (8 DSP blocks, 16 x 16 multiply)
        },
        bram: RamBlocks {
            kind: "EBR",
            count: 30, // FPGA-DS-02008 Table 1.1 (30 EBR blocks, 120 Kb)
            kbit: 4,   // FPGA-DS-02008 (sysMEM EBR: 4 Kb each)
        },
        uram: Some(RamBlocks {
            kind: "SPRAM",
            count: 4,  // FPGA-DS-02008 Table 1.1 (1,024 Kb SPRAM in 4 blocks)
            kbit: 256, // FPGA-DS-02008 (SPRAM: 16K x 16 = 256 Kb each)
        }),
        memory: None,
        // FPGA-DS-02008: the on-chip high-frequency oscillator runs at 48 MHz.
        clock_mhz: 48.0, // FPGA-DS-02008 (HFOSC 48 MHz)
        // FPGA-DS-02008 features list: "as low as 100 uA standby current typical"; at the
        // 1.2 V core supply (1.14-1.26 V, FPGA-DS-02008) that is 0.12 mW.
        static_w: Some(0.000_12), // FPGA-DS-02008 (100 uA typical standby x 1.2 V)
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_parts_are_unique_and_ids_lower_case() {
        for (i, a) in DEVICES.iter().enumerate() {
            assert_eq!(a.id, a.id.to_ascii_lowercase(), "{}", a.id);
            for b in &DEVICES[i + 1..] {
                assert!(!a.id.eq_ignore_ascii_case(b.id), "duplicate id {}", a.id);
                assert!(
                    !a.part.eq_ignore_ascii_case(b.part),
                    "duplicate part {}",
                    a.part
                );
            }
        }
    }

    #[test]
    fn the_required_devices_are_present() {
        for id in ["kv260", "u280", "v80", "vck190", "ecp5", "ice40"] {
            assert!(DEVICES.iter().any(|d| d.id == id), "{id} missing");
        }
    }

    #[test]
    fn every_resource_a_device_has_is_non_zero() {
        for d in DEVICES {
            let name = d.id;
            assert!(d.luts > 0 && d.ffs > 0, "{name}: logic");
            assert!(matches!(d.lut_inputs, 4 | 6), "{name}: LUT inputs");
            assert!(d.dsp.count > 0 && !d.dsp.kind.is_empty(), "{name}: DSP");
            for ram in std::iter::once(d.bram).chain(d.uram) {
                assert!(ram.count > 0 && ram.kbit > 0, "{name}: {}", ram.kind);
                assert!(!ram.kind.is_empty(), "{name}: RAM kind");
            }
            if let Some(m) = d.memory {
                assert!(m.bytes > 0 && m.peak_bytes_per_s > 0, "{name}: memory");
            }
            assert!(
                d.clock_mhz > 0.0 && d.clock_mhz.is_finite(),
                "{name}: clock"
            );
            if let Some(w) = d.static_w {
                assert!(w > 0.0 && w.is_finite(), "{name}: power");
            }
            assert!(!d.part.is_empty() && !d.family.is_empty() && !d.board.is_empty());
        }
    }

    #[test]
    fn figures_match_their_documented_values() {
        let kv260 = device("kv260").unwrap();
        assert_eq!(
            (kv260.luts, kv260.ffs, kv260.dsp.count),
            (117_120, 234_240, 1_248)
        );
        assert_eq!((kv260.bram.count, kv260.uram.unwrap().count), (144, 64));
        assert_eq!(kv260.memory.unwrap().peak_bytes_per_s, 8 * 2_400_000_000);
        let u280 = device("u280").unwrap();
        // DS963's 70.9 Mb block RAM and 270 Mb UltraRAM.
        assert_eq!(u280.bram.total_bits(), 2_016 * 36 * 1024);
        assert_eq!(u280.uram.unwrap().total_bits(), 270 * 1024 * 1024);
        assert_eq!(u280.memory.unwrap().peak_bytes_per_s, 32 * 14_375_000_000);
        let ecp5 = device("ecp5").unwrap();
        // FPGA-DS-02012's 3,744 Kb of EBR.
        assert_eq!(ecp5.bram.total_bits(), 3_744 * 1024);
        let ice40 = device("ice40").unwrap();
        assert_eq!(ice40.bram.total_bits(), 120 * 1024);
        assert_eq!(ice40.uram.unwrap().total_bits(), 1024 * 1024);
    }

    #[test]
    fn lookup_takes_the_id_or_the_part_in_any_case() {
        assert_eq!(device("KV260").unwrap().id, "kv260");
        assert_eq!(device("xck26-sfvc784-2lv-c").unwrap().id, "kv260");
        assert_eq!(device("XCU280-FSVH2892-2L-E").unwrap().id, "u280");
        assert_eq!(device("ice40up5k-sg48").unwrap().id, "ice40");
        assert_eq!(device(" v80 ").unwrap().id, "v80");
    }

    #[test]
    fn aliases_name_the_lattice_parts_by_size() {
        assert_eq!(device("ice40-up5k").unwrap().id, "ice40");
        assert_eq!(device("ICE40-UP5K").unwrap().id, "ice40");
        assert_eq!(device("ecp5-85f").unwrap().id, "ecp5");
        for (alias, id) in ALIASES {
            assert!(DEVICES.iter().any(|d| d.id == *id), "{alias} -> {id}");
            assert!(
                DEVICES
                    .iter()
                    .all(|d| !d.id.eq_ignore_ascii_case(alias)
                        && !d.part.eq_ignore_ascii_case(alias)),
                "{alias} shadows a device"
            );
        }
    }

    #[test]
    fn an_unknown_device_names_itself_and_the_known_ids() {
        let err = device("zcu104").unwrap_err().to_string();
        assert!(err.contains("`zcu104`"), "{err}");
        for d in DEVICES {
            assert!(err.contains(d.id), "{err}");
        }
    }

    /// Whether `comment` names a source: a data-sheet or user-guide id, a Lattice document
    /// id, the word datasheet, the REFERENCES.md record, Vivado's columns, an arXiv id or a
    /// named table or design file.
    fn names_a_source(comment: &str) -> bool {
        let lower = comment.to_ascii_lowercase();
        let id = |prefix: &str| {
            comment.match_indices(prefix).any(|(i, m)| {
                let before = comment[..i].chars().next_back();
                let digits = comment[i + m.len()..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .count();
                !before.is_some_and(|c| c.is_ascii_alphanumeric()) && digits >= 3
            })
        };
        id("DS")
            || id("UG")
            || id("AM")
            || comment.contains("FPGA-DS-")
            || lower.contains("datasheet")
            || comment.contains("REFERENCES")
            || comment.contains("Vivado")
            || lower.contains("arxiv 2")
    }

    /// The code part of a line: what precedes `//`, with string literals blanked out.
    fn code_of(line: &str) -> (String, Option<&str>) {
        let mut code = String::new();
        let mut in_string = false;
        let mut chars = line.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if in_string {
                if c == '\\' {
                    chars.next();
                } else if c == '"' {
                    in_string = false;
                }
                continue;
            }
            if c == '"' {
                in_string = true;
                code.push(' ');
            } else if c == '/' && chars.peek().is_some_and(|&(_, n)| n == '/') {
                return (code, Some(&line[i + 2..]));
            } else {
                code.push(c);
            }
        }
        (code, None)
    }

    /// Whether `code` holds a numeric literal: a digit that starts a token.
    fn has_number(code: &str) -> bool {
        let bytes = code.as_bytes();
        (0..bytes.len()).any(|i| {
            bytes[i].is_ascii_digit()
                && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'))
        })
    }

    #[test]
    fn every_number_in_the_table_cites_a_source() {
        let text = include_str!("devices.rs");
        let start = text.find("pub static DEVICES").expect("the DEVICES table");
        let end = start + text[start..].find("\n];").expect("the end of the table");
        let first_line = text[..start].lines().count() + 1;
        let mut numbers = 0;
        let mut uncited = Vec::new();
        for (offset, line) in text[start..end].lines().enumerate() {
            let (code, comment) = code_of(line);
            if !has_number(&code) {
                continue;
            }
            numbers += 1;
            if !comment.is_some_and(names_a_source) {
                uncited.push(format!(
                    "devices.rs:{}: {}",
                    first_line + offset,
                    line.trim()
                ));
            }
        }
        assert!(
            numbers >= 6 * 10,
            "only {numbers} numeric lines found in the table"
        );
        assert!(
            uncited.is_empty(),
            "numbers without a source comment (DS/UG/AM/FPGA-DS id, datasheet, REFERENCES, \
             Vivado or arXiv) on the same line:\n  {}",
            uncited.join("\n  ")
        );
    }

    #[test]
    fn the_source_scan_rejects_bare_numbers() {
        assert!(has_number(&code_of("count: 144, // DS987").0));
        assert!(!has_number(&code_of("kind: \"DSP48E2\", // 12").0));
        assert!(!has_number(&code_of("    // 250 MHz").0));
        assert!(names_a_source(" DS987 (K26)"));
        assert!(names_a_source(" FPGA-DS-02012 Table 1.1"));
        assert!(names_a_source(" matched to the designs in REFERENCES.md"));
        assert!(!names_a_source(" 64-bit x 2400 MT/s"));
        assert!(!names_a_source(" DSP48 slices"));
        assert!(!names_a_source(" estimate"));
    }
}
