//! Verilog generator for the architectures that `sim` models: one typed Verilog AST, one printer.
