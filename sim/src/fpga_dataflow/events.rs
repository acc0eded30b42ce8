//! The events an op's dynamic energy is counted from on an FPGA, each priced by
//! `lutforge_fpga::power`.

/// Counts of what an op did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Events {
    /// Additions in LUT fabric (adder trees, accumulators).
    pub lut_adds: u64,
    /// Integer additions on DSP slices (TLMM table builds).
    pub dsp_int_adds: u64,
    /// Floating-point multiply-adds on DSP slices (attention, centroid distances).
    pub dsp_fp_macs: u64,
    /// Table entries read from LUTRAM.
    pub lutram_reads: u64,
    /// Bits read from the URAM weight buffer.
    pub uram_read_bits: u64,
    /// Element-wise floating-point operations.
    pub fp_ops: u64,
    /// Bits moved to or from off-chip memory.
    pub dram_bits: u64,
    /// Multiply-adds on the host processor.
    pub host_macs: u64,
}

impl Events {
    /// The counts of `times` identical instances.
    pub fn times(&self, times: u64) -> Events {
        Events {
            lut_adds: self.lut_adds * times,
            dsp_int_adds: self.dsp_int_adds * times,
            dsp_fp_macs: self.dsp_fp_macs * times,
            lutram_reads: self.lutram_reads * times,
            uram_read_bits: self.uram_read_bits * times,
            fp_ops: self.fp_ops * times,
            dram_bits: self.dram_bits * times,
            host_macs: self.host_macs * times,
        }
    }
}
