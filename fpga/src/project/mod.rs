//! Project generation for a vendor flow: the pieces that depend on nothing but their inputs
//! (no architecture, model or RTL types, so this crate keeps depending on none of `sim`,
//! `rtl` or `models`). `lutforge fpga --arch A --device D --model M --out DIR`
//! (`src/cmd/fpga/project.rs`) maps an architecture, a model and a generated RTL bundle onto
//! them and writes the files.
//!
//! - [`names`]: identifiers, file names and TCL words from user strings (the sanitizer).
//! - [`vivado`]: `project.tcl`, the clock XDC and the Zynq UltraScale+ block design.
//! - [`image`]: the off-chip weight image (`weights.bin`): stream geometry, bit packing into
//!   per-port planes, header and directory.
//! - [`memh`]: `$readmemh` images of on-chip memories.
//!
//! **Invariant:** nothing here runs a tool or touches the file system except [`image`]'s
//! writer, which writes to the `Write` it is given.

pub mod image;
pub mod memh;
pub mod names;
pub mod vivado;
