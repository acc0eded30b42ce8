//! The fit check: does a design's [`Resources`] fit a [`Device`]?
//!
//! [`fit`] returns the per-resource [`Utilization`] (used, available, fraction) or, when any
//! resource overflows, a [`FitError`] naming the most overflowing one on one line:
//! `design needs 433,617 LUTs, kv260 has 117,120 (316,497 over, 3.70x)`.
//!
//! Block RAM and the large RAM are compared by capacity: a device's blocks count as
//! `count * kbit / 36` BRAM36 tiles and `count * kbit / 288` URAM288 blocks, so the Lattice EBRs
//! (18 and 4 kbit) and the iCE40 SPRAM (256 kbit) are expressed in the same units as the model.
//! Aspect-ratio losses of the smaller blocks are not modelled.

use std::fmt;

use crate::devices::Device;
use crate::resources::{thousands_f64, Resources};

/// Capacity of one BRAM36 tile, kbit (UG573: 36 Kb).
const BRAM36_KBIT: f64 = 36.0;

/// Capacity of one URAM288 block, kbit (UG573: 288 Kb).
const URAM288_KBIT: f64 = 288.0;

/// One kind of FPGA resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    /// Look-up tables.
    Luts,
    /// Flip-flops.
    Ffs,
    /// DSP blocks.
    Dsp,
    /// Block RAM, in BRAM36 tiles.
    Bram36,
    /// UltraRAM, in URAM288 blocks.
    Uram,
}

impl ResourceKind {
    /// Every kind, in report order.
    pub const ALL: [ResourceKind; 5] = [
        ResourceKind::Luts,
        ResourceKind::Ffs,
        ResourceKind::Dsp,
        ResourceKind::Bram36,
        ResourceKind::Uram,
    ];

    /// How much of this kind `r` holds.
    pub fn of(self, r: &Resources) -> f64 {
        match self {
            ResourceKind::Luts => r.luts as f64,
            ResourceKind::Ffs => r.ffs as f64,
            ResourceKind::Dsp => r.dsp as f64,
            ResourceKind::Bram36 => r.bram36,
            ResourceKind::Uram => r.uram as f64,
        }
    }

    /// How much of this kind `device` has (block RAMs by capacity, see the module doc).
    pub fn available(self, device: &Device) -> f64 {
        match self {
            ResourceKind::Luts => f64::from(device.luts),
            ResourceKind::Ffs => f64::from(device.ffs),
            ResourceKind::Dsp => f64::from(device.dsp.count),
            ResourceKind::Bram36 => {
                f64::from(device.bram.count) * f64::from(device.bram.kbit) / BRAM36_KBIT
            }
            ResourceKind::Uram => device.uram.map_or(0.0, |u| {
                f64::from(u.count) * f64::from(u.kbit) / URAM288_KBIT
            }),
        }
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ResourceKind::Luts => "LUTs",
            ResourceKind::Ffs => "FFs",
            ResourceKind::Dsp => "DSP",
            ResourceKind::Bram36 => "BRAM36",
            ResourceKind::Uram => "URAM",
        })
    }
}

/// Use of one resource.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usage {
    /// What the design needs.
    pub used: f64,
    /// What the device has.
    pub available: f64,
}

impl Usage {
    /// `used / available`; 0 when nothing is used, infinite when something is used of nothing.
    pub fn fraction(&self) -> f64 {
        if self.used == 0.0 {
            0.0
        } else {
            self.used / self.available
        }
    }
}

/// A design that fits: every resource's use on the device.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Utilization {
    /// The device's short id.
    pub device: &'static str,
    /// LUTs.
    pub luts: Usage,
    /// Flip-flops.
    pub ffs: Usage,
    /// DSP blocks.
    pub dsp: Usage,
    /// BRAM36 tiles.
    pub bram36: Usage,
    /// URAM288 blocks.
    pub uram: Usage,
}

impl Utilization {
    /// The use of one kind.
    pub fn get(&self, kind: ResourceKind) -> Usage {
        match kind {
            ResourceKind::Luts => self.luts,
            ResourceKind::Ffs => self.ffs,
            ResourceKind::Dsp => self.dsp,
            ResourceKind::Bram36 => self.bram36,
            ResourceKind::Uram => self.uram,
        }
    }

    /// The fullest resource and its fraction.
    pub fn bottleneck(&self) -> (ResourceKind, f64) {
        ResourceKind::ALL
            .iter()
            .map(|&k| (k, self.get(k).fraction()))
            .fold((ResourceKind::Luts, f64::NEG_INFINITY), |a, b| {
                if b.1 > a.1 {
                    b
                } else {
                    a
                }
            })
    }
}

/// A design that does not fit.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// The design needs more of `resource` than the device has; `resource` is the one that
    /// overflows by the largest factor.
    #[error("{}", overflow_line(.device, *.resource, *.needed, *.available))]
    Overflow {
        /// The device's short id.
        device: String,
        /// The most overflowing resource.
        resource: ResourceKind,
        /// What the design needs.
        needed: f64,
        /// What the device has.
        available: f64,
    },
}

fn overflow_line(device: &str, resource: ResourceKind, needed: f64, available: f64) -> String {
    let needs = format!("design needs {} {resource}", thousands_f64(needed));
    if available <= 0.0 {
        format!("{needs}, {device} has none")
    } else {
        format!(
            "{needs}, {device} has {} ({} over, {:.2}x)",
            thousands_f64(available),
            thousands_f64(needed - available),
            needed / available
        )
    }
}

/// Whether `used` fits `device`: the utilization, or the most overflowing resource.
pub fn fit(device: &Device, used: &Resources) -> Result<Utilization, FitError> {
    let usage = |k: ResourceKind| Usage {
        used: k.of(used),
        available: k.available(device),
    };
    let worst = ResourceKind::ALL
        .iter()
        .map(|&k| (k, usage(k)))
        .filter(|(_, u)| u.used > u.available)
        .fold(None::<(ResourceKind, Usage)>, |best, (k, u)| match best {
            Some((_, b)) if b.fraction() >= u.fraction() => best,
            _ => Some((k, u)),
        });
    if let Some((resource, u)) = worst {
        return Err(FitError::Overflow {
            device: device.id.to_string(),
            resource,
            needed: u.used,
            available: u.available,
        });
    }
    Ok(Utilization {
        device: device.id,
        luts: usage(ResourceKind::Luts),
        ffs: usage(ResourceKind::Ffs),
        dsp: usage(ResourceKind::Dsp),
        bram36: usage(ResourceKind::Bram36),
        uram: usage(ResourceKind::Uram),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device;

    /// LUT-LLM's released utilization of one Qwen3 block on the V80 (LUT-FPGA/LUT-LLM,
    /// qwen_block/qwen_utilization.rpt; arXiv 2511.06174).
    const LUT_LLM_BLOCK: Resources = Resources {
        luts: 433_617,
        ffs: 574_132,
        dsp: 2_352,
        bram36: 1_000.5,
        uram: 560,
    };

    #[test]
    fn the_lut_llm_block_fits_the_v80() {
        let u = fit(device("v80").unwrap(), &LUT_LLM_BLOCK).unwrap();
        assert_eq!(u.device, "v80");
        assert!((u.luts.fraction() - 433_617.0 / 2_574_208.0).abs() < 1e-12);
        assert_eq!(u.bram36.available, 3_741.0);
        assert_eq!(u.uram.available, 1_925.0);
        // Vivado's report: URAM is the fullest at 29.09%.
        let (kind, frac) = u.bottleneck();
        assert_eq!(kind, ResourceKind::Uram);
        assert!((frac * 100.0 - 29.09).abs() < 0.01, "{frac}");
    }

    #[test]
    fn the_lut_llm_block_overflows_the_kv260_in_one_line() {
        let err = fit(device("kv260").unwrap(), &LUT_LLM_BLOCK).unwrap_err();
        // URAM overflows most (560 / 64 = 8.75x), ahead of BRAM (6.95x) and LUTs (3.70x).
        assert_eq!(
            err.to_string(),
            "design needs 560 URAM, kv260 has 64 (496 over, 8.75x)"
        );
        let luts_only = Resources::luts(433_617);
        let err = fit(device("kv260").unwrap(), &luts_only).unwrap_err();
        assert_eq!(
            err.to_string(),
            "design needs 433,617 LUTs, kv260 has 117,120 (316,497 over, 3.70x)"
        );
        assert!(!err.to_string().contains('\n'));
    }

    #[test]
    fn a_missing_resource_and_block_ram_by_capacity() {
        let needs_uram = Resources {
            uram: 2,
            ..Resources::ZERO
        };
        let err = fit(device("ecp5").unwrap(), &needs_uram).unwrap_err();
        assert_eq!(err.to_string(), "design needs 2 URAM, ecp5 has none");
        // ECP5: 208 EBR of 18 kbit = 104 BRAM36 tiles.
        assert_eq!(
            ResourceKind::Bram36.available(device("ecp5").unwrap()),
            104.0
        );
        let half = Resources {
            bram36: 104.5,
            ..Resources::ZERO
        };
        assert_eq!(
            fit(device("ecp5").unwrap(), &half).unwrap_err().to_string(),
            "design needs 104.5 BRAM36, ecp5 has 104 (0.5 over, 1.00x)"
        );
    }

    #[test]
    fn an_empty_design_fits_everything() {
        for d in crate::DEVICES {
            let u = fit(d, &Resources::ZERO).unwrap();
            for k in ResourceKind::ALL {
                assert_eq!(u.get(k).fraction(), 0.0, "{} {k}", d.id);
            }
        }
    }
}
