//! Energy accumulated by category, the unit reports and plots use.

use serde::{Deserialize, Serialize};

/// Energy by where it is spent, joules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct EnergyBreakdown {
    /// Off-chip transfers.
    pub dram_j: f64,
    /// On-chip buffer reads and writes (weights, activations, outputs).
    pub sram_j: f64,
    /// Table writes, broadcast table reads and per-lookup entry selection (LUT arrays).
    pub table_j: f64,
    /// Integer additions: accumulation and table precompute.
    pub add_j: f64,
    /// Integer multiplications and weight dequantization (MAC arrays).
    pub multiply_j: f64,
    /// Vector-unit operations (norms, softmax, element-wise).
    pub vector_j: f64,
    /// Static energy: leakage of logic and SRAM and the uncore power, over the run time.
    #[serde(default)]
    pub static_j: f64,
}

impl EnergyBreakdown {
    /// Sum of all categories, static included, joules.
    pub fn total_j(&self) -> f64 {
        self.dynamic_j() + self.static_j
    }

    /// Sum of the dynamic categories (every event), joules.
    pub fn dynamic_j(&self) -> f64 {
        self.dram_j + self.sram_j + self.table_j + self.add_j + self.multiply_j + self.vector_j
    }

    /// Adds `other` scaled by `times` into `self`.
    pub fn add_scaled(&mut self, other: &EnergyBreakdown, times: f64) {
        self.dram_j += other.dram_j * times;
        self.sram_j += other.sram_j * times;
        self.table_j += other.table_j * times;
        self.add_j += other.add_j * times;
        self.multiply_j += other.multiply_j * times;
        self.vector_j += other.vector_j * times;
        self.static_j += other.static_j * times;
    }
}
