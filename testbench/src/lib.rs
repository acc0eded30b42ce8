//! Verilator co-simulation harness: builds generated RTL, drives it, compares with the
//! simulator's cycle-stepped model.
