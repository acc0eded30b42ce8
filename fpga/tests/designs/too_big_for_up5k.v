// A test design larger than an iCE40 UP5K, which has 8 DSP blocks (SB_MAC16): nine
// registered 16 x 16 multipliers of distinct operands, every product XORed into the output,
// so synthesis (`synth_ice40 -dsp`) maps each to a DSP block of its own.
// Used by fpga/tests/openflow.rs to check that place-and-route reports "does not fit".
`default_nettype none

module too_big (
  input  wire        clk,
  input  wire [15:0] a,
  input  wire [15:0] b,
  output reg  [31:0] q
);
  reg [15:0] x [0:8];
  reg [15:0] y [0:8];
  reg [31:0] p [0:8];
  integer i;
  always @(posedge clk) begin
    x[0] <= a;
    y[0] <= b;
    for (i = 1; i < 9; i = i + 1) begin
      x[i] <= x[i - 1] ^ y[i - 1];
      y[i] <= y[i - 1] + x[i - 1];
    end
    for (i = 0; i < 9; i = i + 1) begin
      p[i] <= x[i] * y[i];
    end
    q <= p[0] ^ p[1] ^ p[2] ^ p[3] ^ p[4] ^ p[5] ^ p[6] ^ p[7] ^ p[8];
  end
endmodule

`default_nettype wire
