//! FPGA back end: the device database ([`devices`]: one cited record per supported FPGA), a
//! structural resource model of the accelerator's engines ([`resources`]: LUTs, flip-flops,
//! DSP blocks, BRAM36 tiles and UltraRAMs of a TLMM, a VQ-2D lookup engine, attention,
//! element-wise units, FIFOs, buffers and AXI ports), the fit check of a design against a
//! device ([`fit`](mod@fit)), the resource model of the pipeline top `lutforge rtl` generates
//! ([`generated_top`], counted from the generated RTL's structure and held against Yosys) and a
//! power model ([`power`]: cited static power and dynamic
//! energy per event). The open flow ([`openflow`]) builds real bitstreams for the Lattice
//! parts with Yosys, nextpnr and icepack/ecppack; [`tools`] finds the external programs every
//! crate runs. [`project`] holds the parts of Vivado project generation that need no
//! architecture or model types: sanitized names, Vivado TCL and XDC, the weight image and
//! `$readmemh` images.

pub mod devices;
pub mod fit;
pub mod generated_top;
pub mod openflow;
pub mod power;
pub mod project;
pub mod resources;
pub mod tools;

pub use devices::{
    device, Device, DeviceError, DspBlocks, OffChipMemory, RamBlocks, Vendor, ALIASES, DEVICES,
};
pub use fit::{fit, FitError, ResourceKind, Usage, Utilization};
pub use power::{process_node_nm, static_w, EnergyPerEvent};
pub use resources::{
    attention, attention_parts, axi_read_port, buffer, eltwise, fifo, tlmm, tlmm_parts, vq2d,
    vq2d_parts, AttentionParams, BufferParams, BufferRam, DspArch, EltwiseParams, FifoGenerator,
    FifoImpl, FifoParams, FpFormat, Part, Resources, TlmmParams, Vq2dParams,
};
