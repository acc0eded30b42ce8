//! FPGA back end. Today it holds the device database ([`devices`]): one cited record per
//! supported FPGA (logic, DSP and RAM resources, off-chip memory, a typical fabric clock and
//! static power), looked up by short id or part number. Resource estimation per engine, the fit
//! check, project generation (Vivado TCL, XDC, memory images) and the open-flow bitstream path
//! come later and will live beside it.

pub mod devices;

pub use devices::{
    device, Device, DeviceError, DspBlocks, OffChipMemory, RamBlocks, Vendor, DEVICES,
};
