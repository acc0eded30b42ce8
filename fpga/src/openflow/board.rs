//! The boards the open flow places designs on: which package pins carry the board wrapper's
//! clock, reset button and output pins, and the constraint file (`.pcf` for nextpnr-ice40,
//! `.lpf` for nextpnr-ecp5) that binds them.
//!
//! The board wrapper (`lutforge_rtl::board`) has exactly three ports, named by
//! [`CLOCK_PORT`], [`RESET_PORT`] and [`OUTPUT_PORT`]; a board lists a pin for each, one pin per
//! bit of the output bus. Every pin is cited to the board's published constraint file:
//!
//! - iCEBreaker (iCE40UP5K-SG48): `examples/icebreaker/icebreaker.pcf` in YosysHQ/icestorm
//!   (Clifford Wolf, 2018): `CLK` 35 (the 12 MHz oscillator), `BTN_N` 10 (the user button,
//!   low when pressed), PMOD 1A `P1A1..P1A4, P1A7..P1A10` on pins 4, 2, 47, 45, 3, 48, 46, 44.
//! - ULX3S (LFE5U-85F, CABGA381): `doc/constraints/ulx3s_v20.lpf` in emard/ulx3s (file
//!   version 0a4321a, updated February 2019): `clk_25mhz` on G2 (25 MHz), `btn[1]` (FIRE1, a
//!   pull-down, high when pressed) on R1, `led[0..7]` on B2, C2, C1, D2, D1, E2, E1, H3, all
//!   LVCMOS33.

use std::fmt::Write as _;

/// The board wrapper's clock input (one bit).
pub const CLOCK_PORT: &str = "clk";
/// The board wrapper's reset-button input (one bit; its polarity is the board's).
pub const RESET_PORT: &str = "btn";
/// The board wrapper's output bus (one bit per [`Board::output_pins`] entry).
pub const OUTPUT_PORT: &str = "out";

/// Which constraint language a board's pins are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintFormat {
    /// nextpnr-ice40's physical constraints file (`set_io NAME PIN`).
    Pcf,
    /// Lattice's logical preference file as nextpnr-ecp5 reads it (`LOCATE COMP`, `IOBUF`).
    Lpf,
}

impl ConstraintFormat {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ConstraintFormat::Pcf => "pcf",
            ConstraintFormat::Lpf => "lpf",
        }
    }
}

/// A development board: the device it carries and the pins of the board wrapper's ports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Board {
    /// Short name (`icebreaker`), also the constraint file's stem.
    pub id: &'static str,
    /// The board's name.
    pub name: &'static str,
    /// The short id of its device in [`crate::DEVICES`].
    pub device: &'static str,
    /// The published constraint file the pins come from.
    pub source: &'static str,
    /// Package pin of the board's oscillator.
    pub clock_pin: &'static str,
    /// The oscillator's frequency, MHz.
    pub clock_mhz: f64,
    /// Package pin of the button the wrapper uses as reset.
    pub reset_pin: &'static str,
    /// Whether that button reads low when pressed.
    pub reset_active_low: bool,
    /// Package pins of the output bus, bit 0 first.
    pub output_pins: &'static [&'static str],
    /// The constraint language of the board's device.
    pub format: ConstraintFormat,
}

/// Every board the open flow knows, one per device it builds for.
pub static BOARDS: &[Board] = &[
    Board {
        id: "icebreaker",
        name: "iCEBreaker (1BitSquared)",
        device: "ice40",
        source: "YosysHQ/icestorm examples/icebreaker/icebreaker.pcf (Clifford Wolf, 2018)",
        clock_pin: "35",
        clock_mhz: 12.0,
        reset_pin: "10",
        reset_active_low: true,
        output_pins: &["4", "2", "47", "45", "3", "48", "46", "44"],
        format: ConstraintFormat::Pcf,
    },
    Board {
        id: "ulx3s",
        name: "ULX3S (Radiona), 85F variant",
        device: "ecp5",
        source: "emard/ulx3s doc/constraints/ulx3s_v20.lpf (updated February 2019)",
        clock_pin: "G2",
        clock_mhz: 25.0,
        reset_pin: "R1",
        reset_active_low: false,
        output_pins: &["B2", "C2", "C1", "D2", "D1", "E2", "E1", "H3"],
        format: ConstraintFormat::Lpf,
    },
];

impl Board {
    /// The board that carries the device with short id `device_id`, if the open flow has one.
    pub fn for_device(device_id: &str) -> Option<&'static Board> {
        BOARDS.iter().find(|b| b.device == device_id)
    }

    /// The constraint file's name: `<id>.<pcf|lpf>`.
    pub fn constraint_file_name(&self) -> String {
        format!("{}.{}", self.id, self.format.extension())
    }

    /// The constraint file binding the wrapper's ports to this board's pins. The clock's
    /// frequency goes to nextpnr as `--freq`, not here.
    pub fn constraints(&self) -> String {
        let mut pins: Vec<(String, &str)> = vec![
            (CLOCK_PORT.to_string(), self.clock_pin),
            (RESET_PORT.to_string(), self.reset_pin),
        ];
        for (bit, pin) in self.output_pins.iter().enumerate() {
            pins.push((format!("{OUTPUT_PORT}[{bit}]"), pin));
        }
        let mut out = String::new();
        // Both languages take `#` comments.
        let _ = writeln!(
            out,
            "# {} pins of the lutforge board wrapper; from {}.",
            self.name, self.source
        );
        for (port, pin) in pins {
            match self.format {
                // -nowarn: a top without one of these ports (a bare design) is not an error.
                ConstraintFormat::Pcf => {
                    let _ = writeln!(out, "set_io -nowarn {port} {pin}");
                }
                ConstraintFormat::Lpf => {
                    let _ = writeln!(out, "LOCATE COMP \"{port}\" SITE \"{pin}\";");
                    let _ = writeln!(out, "IOBUF PORT \"{port}\" IO_TYPE=LVCMOS33;");
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_board_names_a_known_lattice_device_and_distinct_pins() {
        for b in BOARDS {
            let device = crate::device(b.device).unwrap();
            assert_eq!(device.vendor, crate::Vendor::Lattice, "{}", b.id);
            let mut pins: Vec<&str> = vec![b.clock_pin, b.reset_pin];
            pins.extend(b.output_pins);
            let n = pins.len();
            pins.sort_unstable();
            pins.dedup();
            assert_eq!(pins.len(), n, "{}: a pin used twice", b.id);
            assert!(b.clock_mhz > 0.0);
        }
    }

    #[test]
    fn constraint_files_bind_every_port() {
        let ice = Board::for_device("ice40").unwrap().constraints();
        assert!(ice.contains("set_io -nowarn clk 35\n"), "{ice}");
        assert!(ice.contains("set_io -nowarn btn 10\n"), "{ice}");
        assert!(ice.contains("set_io -nowarn out[7] 44\n"), "{ice}");
        let ecp = Board::for_device("ecp5").unwrap().constraints();
        assert!(ecp.contains("LOCATE COMP \"clk\" SITE \"G2\";"), "{ecp}");
        assert!(ecp.contains("LOCATE COMP \"out[0]\" SITE \"B2\";"), "{ecp}");
        assert!(
            ecp.contains("IOBUF PORT \"btn\" IO_TYPE=LVCMOS33;"),
            "{ecp}"
        );
    }
}
