//! FPGA back end. This crate will hold the device database, resource estimation, project
//! generation (Vivado TCL, XDC, memory images) and the open-flow bitstream path; it has no
//! content yet.
