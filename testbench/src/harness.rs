//! The generated C++ harness around a Verilated top, its build (cached by content hash) and the
//! line protocol spoken with it over a pipe.
//!
//! The harness is generated from a block's [`Interface`] alone: the names and widths of its
//! `cmd` fields, input streams and result lanes. It knows nothing about what the block computes.
//!
//! # Protocol
//!
//! Rust writes, per tile: `CASE <cmd field values...> <beats of each input stream...> <result
//! beats> <least cycle limit> <vcd 0|1>`, then every beat of input stream 0, then of stream 1, ..., one hex number
//! per line (most significant digit first). The harness presents the `cmd` on the first cycle
//! after the previous tile's last result (tiles run back to back on one reset), keeps every input
//! valid while its beats remain and `res_ready` always high, and prints `I <stream> <cycle>` per
//! input transfer, `R <cycle> <hex>` per result transfer and finally `END <cycles> <total>` (or
//! `TIMEOUT <cycles> <total>`). `QUIT` ends the process.
//!
//! # Cycle counting
//!
//! Cycles are counted from the first tile's `cmd` transfer and never stop: cycle 0 of the first
//! tile is its `cmd` transfer, cycle 0 of every later tile is the cycle after the previous tile's
//! last result transfer, so an idle cycle between tiles (a `cmd` the design does not take at
//! once) counts against the tile that waited. `<cycles>` is the tile's count, `<total>` the
//! cycles since the first `cmd` transfer, through this tile's last result, inclusive. Without
//! stalls and without idle gaps, `n` tiles give `total = n * cycles` and every tile's cycle 0
//! is its `cmd` transfer, as the stepped model counts.
//!
//! ## Stall injection
//!
//! A line `STALL <seed> <percent>` just before a `CASE` runs that one case with back-pressure:
//! a xorshift64* generator seeded with `<seed>` draws, every cycle and in this order, whether to
//! deassert `cmd_valid`, each input's valid (in interface order) and `res_ready`, each with
//! probability `<percent>`/100 (one draw per signal per cycle, whatever the stream states). While
//! a valid is low the harness drives the bitwise complement of the pending beat (or command) on
//! its data, so a design that samples data without a transfer reads garbage. Every beat is still
//! delivered once and in order, and every result beat collected. The harness also checks the
//! `res` stream rule: after a cycle with `res_valid && !res_ready`, `res_valid` must stay high and
//! `res_data` must not change; a break prints `X <cycle> res_valid dropped` or `X <cycle>
//! res_data changed`. A transfer on an input or `res` before the case's `cmd` transfer (a beat
//! the design took while it should have been idle) prints `X 0 <stream>_ready early` (or
//! `res_valid early`). The stall-free cycle limit is `64 + 4 * (input beats + result beats)`, or
//! the tile's least cycle limit if larger; with stalls it is four times that, and bounds the wait for
//! the first `cmd` transfer too. Without a `STALL` line nothing of this runs.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use lutforge_rtl::Bundle;

use crate::block::Interface;
use crate::TestbenchError;

/// What the RTL did with one tile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RtlRun {
    /// Per input stream, the cycles of its transfers.
    pub inputs: Vec<Vec<u64>>,
    /// Result transfers: cycle and the beat as hex.
    pub results: Vec<(u64, String)>,
    /// Cycles of this tile (see the module doc), through its last result, inclusive.
    pub cycles: u64,
    /// Cycles since the first tile's `cmd` transfer, through this tile's last result, inclusive.
    pub total_cycles: u64,
    /// The harness gave up waiting for the results.
    pub timed_out: bool,
    /// Stream-rule violations seen under stalls (`X` lines): cycle, signal and what happened
    /// (`dropped`, `changed` or `early`).
    pub violations: Vec<(u64, String, String)>,
}

/// Back-pressure of one tile: which seed drives the stall generator, and how often a signal is
/// held off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stalls {
    /// Seed of the harness's xorshift64* generator (0 is replaced by a fixed nonzero value).
    pub seed: u64,
    /// Probability, in percent (1..=50), that each of `cmd_valid`, the input valids and
    /// `res_ready` is deasserted on a given cycle.
    pub percent: u32,
}

/// One tile in stream form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamTile {
    /// One value per `cmd` field.
    pub cmd: Vec<u64>,
    /// Per input stream, its beats as hex.
    pub inputs: Vec<Vec<String>>,
    /// Result beats to collect.
    pub res_beats: u64,
    /// The least stall-free cycle limit (0: the default, which counts beats).
    pub min_limit: u64,
    /// Dump a VCD of this tile.
    pub vcd: bool,
    /// Inject stalls into this tile's streams (`None`: inputs always valid, results always
    /// ready).
    pub stalls: Option<Stalls>,
}

/// The C++ source of the harness for a top module `top` with these streams.
pub fn harness_cpp(top: &str, iface: &Interface) -> String {
    let nc = iface.cmd.len();
    let ni = iface.inputs.len();
    let mut stall_drive = String::new();
    let mut calm_drive = String::new();
    let mut fires = String::new();
    let mut early = String::new();
    let mut report = String::new();
    let mut cmd_set = String::new();
    for (f, field) in iface.cmd.iter().enumerate() {
        let mask = if field.width_bits >= 64 {
            u64::MAX
        } else {
            (1u64 << field.width_bits) - 1
        };
        let _ = writeln!(cmd_set, "        top->cmd_{} = cmd[{f}];", field.name);
        let _ = writeln!(
            stall_drive,
            "                top->cmd_{} = cv ? cmd[{f}] : (~cmd[{f}] & {mask}ULL);",
            field.name
        );
    }
    for (i, s) in iface.inputs.iter().enumerate() {
        let n = &s.name;
        let w = s.width_bits;
        let _ = writeln!(
            stall_drive,
            "                {{ bool v = ix[{i}] < beats[{i}].size() && !off[{}]; top->{n}_valid = v; put(top->{n}_data, v ? beats[{i}][ix[{i}]] : junk(ix[{i}] < beats[{i}].size() ? beats[{i}][ix[{i}]] : none, {w})); }}",
            i + 1
        );
        let _ = writeln!(
            calm_drive,
            "            top->{n}_valid = ix[{i}] < beats[{i}].size();
            if (ix[{i}] < beats[{i}].size()) put(top->{n}_data, beats[{i}][ix[{i}]]);"
        );
        let _ = writeln!(
            fires,
            "            fire[{i}] = sent && top->{n}_valid && top->{n}_ready;"
        );
        let _ = writeln!(
            early,
            r#"                if (!sent && top->{n}_valid && top->{n}_ready) std::printf("X 0 {n}_ready early\n");"#
        );
    }
    let _ = writeln!(
        report,
        r#"            for (int i = 0; i < NI; ++i) if (fire[i]) {{ std::printf("I %d %llu\n", i, (unsigned long long)cycle); ++ix[i]; }}"#
    );
    let valids_low: String = iface
        .inputs
        .iter()
        .map(|s| format!(" top->{}_valid = 0;", s.name))
        .collect();
    format!(
        r#"// Co-simulation harness generated by lutforge-testbench: drives V{top} over a line protocol.
#include "V{top}.h"
#include "verilated.h"
#include "verilated_vcd_c.h"
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

static const int RES_BITS = {res_bits};
static const int NC = {nc};
static const int NI = {ni};

template <class T> static void put(T& port, const std::vector<uint32_t>& w) {{
    uint64_t v = w.empty() ? 0 : w[0];
    if (w.size() > 1) v |= (uint64_t)w[1] << 32;
    port = (T)v;
}}
template <std::size_t N> static void put(VlWide<N>& port, const std::vector<uint32_t>& w) {{
    for (std::size_t i = 0; i < N; ++i) port[i] = i < w.size() ? w[i] : 0;
}}
template <class T> static std::vector<uint32_t> get(const T& port) {{
    uint64_t v = (uint64_t)port;
    return {{(uint32_t)v, (uint32_t)(v >> 32)}};
}}
template <std::size_t N> static std::vector<uint32_t> get(const VlWide<N>& port) {{
    std::vector<uint32_t> w(N);
    for (std::size_t i = 0; i < N; ++i) w[i] = port[i];
    return w;
}}
static std::vector<uint32_t> parse_hex(const std::string& s) {{
    std::vector<uint32_t> w((s.size() * 4 + 31) / 32 + 1, 0);
    std::size_t bit = 0;
    for (std::size_t i = s.size(); i-- > 0;) {{
        char c = s[i];
        uint32_t d = c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0';
        w[bit / 32] |= d << (bit % 32);
        bit += 4;
    }}
    return w;
}}
// The complement of a beat, masked to its width: what a stalled stream drives on its data.
static std::vector<uint32_t> junk(const std::vector<uint32_t>& w, int bits) {{
    std::vector<uint32_t> j((bits + 31) / 32 + 1, 0);
    for (int b = 0; b < bits; b += 32) {{
        uint32_t v = ~(b / 32 < (int)w.size() ? w[b / 32] : 0u);
        if (bits - b < 32) v &= (1u << (bits - b)) - 1;
        j[b / 32] = v;
    }}
    return j;
}}
// xorshift64*: the stall generator.
static uint64_t rng_next(uint64_t& s) {{
    s ^= s >> 12; s ^= s << 25; s ^= s >> 27;
    return s * 0x2545F4914F6CDD1DULL;
}}
static std::string to_hex(const std::vector<uint32_t>& w, int bits) {{
    int digits = (bits + 3) / 4;
    std::string s(digits, '0');
    for (int i = 0; i < digits; ++i) {{
        int bit = i * 4;
        uint32_t d = (w[bit / 32] >> (bit % 32)) & 0xf;
        if (i * 4 + 4 > bits) d &= (1u << (bits - i * 4)) - 1;
        s[digits - 1 - i] = "0123456789abcdef"[d];
    }}
    return s;
}}

int main(int argc, char** argv) {{
    Verilated::commandArgs(argc, argv);
    Verilated::traceEverOn(true);
    const char* vcd_path = argc > 1 ? argv[1] : "case.vcd";
    V{top}* top = new V{top};
    VerilatedVcdC* tfp = nullptr;
    uint64_t t = 0;
    auto half = [&](int clk) {{
        top->clk = clk;
        top->eval();
        if (tfp) tfp->dump(t);
        ++t;
    }};
    top->clk = 0; top->rst = 1; top->cmd_valid = 0;{valids_low} top->res_ready = 1;
    for (int i = 0; i < 2; ++i) {{ half(0); half(1); }}
    top->rst = 0;
    std::string word;
    bool stall = false, started = false;
    uint64_t rng = 0, pct = 0, total = 0;
    while (std::cin >> word) {{
        if (word == "QUIT") break;
        if (word == "STALL") {{
            std::cin >> rng >> pct;
            if (rng == 0) rng = 0x9E3779B97F4A7C15ULL;
            stall = true;
            continue;
        }}
        if (word != "CASE") {{ std::printf("ERROR unexpected %s\n", word.c_str()); return 2; }}
        uint64_t cmd[NC + 1], n_beats[NI + 1], n_res, min_limit; int vcd;
        for (int f = 0; f < NC; ++f) std::cin >> cmd[f];
        for (int i = 0; i < NI; ++i) std::cin >> n_beats[i];
        std::cin >> n_res >> min_limit >> vcd;
        std::vector<std::vector<std::vector<uint32_t>>> beats(NI);
        uint64_t n_in = 0;
        for (int i = 0; i < NI; ++i) {{
            beats[i].resize(n_beats[i]);
            n_in += n_beats[i];
            for (auto& b : beats[i]) {{ std::cin >> word; b = parse_hex(word); }}
        }}
        if (vcd) {{ tfp = new VerilatedVcdC; top->trace(tfp, 99); tfp->open(vcd_path); }}
{cmd_set}        std::vector<std::size_t> ix(NI + 1, 0);
        std::vector<bool> fire(NI + 1, false);
        uint64_t rows = 0, cycle = 0;
        bool sent = false, done = false;
        const uint64_t base = 64 + 4 * n_in + 4 * n_res;
        const uint64_t limit = (base > min_limit ? base : min_limit) * (stall ? 4 : 1);
        if (stall) {{
            bool held = false;
            std::vector<uint32_t> held_data;
            const std::vector<uint32_t> none;
            uint64_t waited = 0;
            while (!done && cycle < limit && waited < limit) {{
                bool off[NI + 2];
                for (int i = 0; i < NI + 2; ++i) off[i] = rng_next(rng) % 100 < pct;
                bool cv = !sent && !off[0], rr = !off[NI + 1];
                top->cmd_valid = cv;
{stall_drive}                top->res_ready = rr;
                half(0);
                bool cmd_fire = top->cmd_valid && top->cmd_ready;
{fires_stall}                bool res_fire = sent && top->res_valid && top->res_ready;
                std::vector<uint32_t> res = get(top->res_data);
                if (held && !top->res_valid) std::printf("X %llu res_valid dropped\n", (unsigned long long)cycle);
                else if (held && res != held_data) std::printf("X %llu res_data changed\n", (unsigned long long)cycle);
{early}                if (!sent && top->res_valid && top->res_ready) std::printf("X 0 res_valid early\n");
                held = sent && top->res_valid && !top->res_ready;
                held_data = res;
{report_stall}                if (res_fire) {{
                    std::printf("R %llu %s\n", (unsigned long long)cycle, to_hex(res, RES_BITS).c_str());
                    if (++rows == n_res) done = true;
                }}
                half(1);
                if (cmd_fire) {{ sent = true; started = true; }}
                if (started) ++total;
                if (sent || started) ++cycle; else ++waited;
            }}
            top->res_ready = 1;
        }} else while (!done && cycle < limit) {{
            top->cmd_valid = !sent;
{calm_drive}            half(0);
            bool cmd_fire = top->cmd_valid && top->cmd_ready;
{fires}            bool res_fire = sent && top->res_valid && top->res_ready;
{report}            if (res_fire) {{
                std::printf("R %llu %s\n", (unsigned long long)cycle, to_hex(get(top->res_data), RES_BITS).c_str());
                if (++rows == n_res) done = true;
            }}
            half(1);
            if (cmd_fire) {{ sent = true; started = true; }}
            if (started) ++total;
            if (sent || started) ++cycle;
        }}
        stall = false;
        if (done) std::printf("END %llu %llu\n", (unsigned long long)cycle, (unsigned long long)total);
        else std::printf("TIMEOUT %llu %llu\n", (unsigned long long)cycle, (unsigned long long)total);
        std::fflush(stdout);
        if (tfp) {{ half(0); tfp->close(); delete tfp; tfp = nullptr; }}
    }}
    top->final();
    delete top;
    return 0;
}}
"#,
        res_bits = iface.res_bits(),
        fires_stall = fires.replace("            fire", "                fire"),
        report_stall = report.replace("            for", "                for"),
    )
}

/// A built harness executable.
#[derive(Debug, Clone)]
pub struct Harness {
    /// Path of the executable.
    pub exe: PathBuf,
    /// Wall seconds the build took (0 when it came from the cache).
    pub build_seconds: f64,
    /// Whether the cache supplied it.
    pub cached: bool,
}

/// The cache root: `$LUTFORGE_CACHE_DIR`, else `<target>/lutforge-cosim` where `<target>` is
/// `$CARGO_TARGET_DIR` or the `target` directory above the running executable, else
/// `./target/lutforge-cosim`.
pub fn cache_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("LUTFORGE_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir).join("lutforge-cosim");
    }
    if let Ok(exe) = std::env::current_exe() {
        if let Some(t) = exe
            .ancestors()
            .find(|p| p.file_name().is_some_and(|n| n == "target"))
        {
            return t.join("lutforge-cosim");
        }
    }
    PathBuf::from("target").join("lutforge-cosim")
}

/// Finds `verilator` on `LUTFORGE_TOOL_PATH` or `PATH` (`lutforge_fpga::tools`).
pub fn find_verilator() -> Result<PathBuf, TestbenchError> {
    lutforge_fpga::tools::find_program("verilator")
        .ok_or(TestbenchError::ToolMissing { tool: "verilator" })
}

/// Builds (or takes from the cache) the Verilated harness of `bundle`.
pub fn build(bundle: &Bundle, iface: &Interface) -> Result<Harness, TestbenchError> {
    let verilator = find_verilator()?;
    let cpp = harness_cpp(&bundle.top, iface);
    let key = format!("{}-{:08x}", bundle.content_hash(), fnv32(cpp.as_bytes()));
    let root = cache_root();
    let dir = root.join(&key);
    let exe = dir.join("Vharness");
    if exe.is_file() {
        return Ok(Harness {
            exe,
            build_seconds: 0.0,
            cached: true,
        });
    }
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let tmp = root.join(format!("{key}.tmp.{}.{nonce}", std::process::id()));
    let io = |path: &Path, e: std::io::Error| TestbenchError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    std::fs::create_dir_all(&tmp).map_err(|e| io(&tmp, e))?;
    bundle
        .write_to(&tmp.join("rtl"))
        .map_err(|e| TestbenchError::Io {
            path: tmp.display().to_string(),
            message: e.to_string(),
        })?;
    let harness = tmp.join("harness.cpp");
    std::fs::write(&harness, cpp).map_err(|e| io(&harness, e))?;
    let start = Instant::now();
    let mut cmd = Command::new(&verilator);
    cmd.current_dir(&tmp)
        .args([
            "--cc",
            "--exe",
            "--build",
            "--trace",
            "-j",
            "2",
            "--top-module",
            &bundle.top,
        ])
        .args(["-MAKEFLAGS", "OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O1"])
        .args(["--Mdir", "obj_dir", "-o", "../Vharness", "harness.cpp"]);
    for f in bundle.verilog() {
        cmd.arg(format!("rtl/{}", f.name));
    }
    let out = cmd.output().map_err(|e| io(&verilator, e))?;
    if !out.status.success() {
        let text = String::from_utf8_lossy(&out.stderr);
        let first = text
            .lines()
            .find(|l| l.contains("rror"))
            .unwrap_or("no error line")
            .to_string();
        return Err(TestbenchError::Build {
            dir: tmp.display().to_string(),
            message: first,
        });
    }
    let build_seconds = start.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(tmp.join("obj_dir"));
    if std::fs::rename(&tmp, &dir).is_err() {
        // Another process finished the same build first; use its copy.
        let _ = std::fs::remove_dir_all(&tmp);
    }
    Ok(Harness {
        exe,
        build_seconds,
        cached: false,
    })
}

fn fnv32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

/// Runs tiles back to back through the harness; `vcd` is where a requested VCD goes.
pub fn run(
    harness: &Harness,
    tiles: &[StreamTile],
    vcd: &Path,
) -> Result<Vec<RtlRun>, TestbenchError> {
    let io = |e: std::io::Error| TestbenchError::Io {
        path: harness.exe.display().to_string(),
        message: e.to_string(),
    };
    let mut child = Command::new(&harness.exe)
        .arg(vcd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(io)?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| io(std::io::Error::other("no stdin")))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| io(std::io::Error::other("no stdout")))?;
    let mut text = String::new();
    for t in tiles {
        if let Some(s) = t.stalls {
            let _ = writeln!(text, "STALL {} {}", s.seed, s.percent);
        }
        text.push_str("CASE");
        for v in &t.cmd {
            let _ = write!(text, " {v}");
        }
        for beats in &t.inputs {
            let _ = write!(text, " {}", beats.len());
        }
        let _ = writeln!(text, " {} {} {}", t.res_beats, t.min_limit, u8::from(t.vcd));
        for beat in t.inputs.iter().flatten() {
            text.push_str(beat);
            text.push('\n');
        }
    }
    text.push_str("QUIT\n");
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let mut runs = Vec::with_capacity(tiles.len());
    let fresh = |tile: Option<&StreamTile>| RtlRun {
        inputs: vec![Vec::new(); tile.map_or(0, |t| t.inputs.len())],
        ..RtlRun::default()
    };
    let mut cur = fresh(tiles.first());
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(io)?;
        let mut parts = line.split_whitespace();
        let tag = parts.next().unwrap_or("");
        let num: u64 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        match tag {
            "I" => {
                let cycle: u64 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
                match cur.inputs.get_mut(num as usize) {
                    Some(stream) => stream.push(cycle),
                    None => return Err(TestbenchError::Protocol { line }),
                }
            }
            "R" => cur
                .results
                .push((num, parts.next().unwrap_or("").to_string())),
            "X" => {
                let signal = parts.next().unwrap_or("").to_string();
                let what = parts.next().unwrap_or("").to_string();
                cur.violations.push((num, signal, what));
            }
            "END" | "TIMEOUT" => {
                cur.cycles = num;
                cur.total_cycles = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
                cur.timed_out = tag == "TIMEOUT";
                let next = fresh(tiles.get(runs.len() + 1));
                runs.push(std::mem::replace(&mut cur, next));
            }
            _ => return Err(TestbenchError::Protocol { line }),
        }
    }
    let _ = writer.join();
    let status = child.wait().map_err(io)?;
    if !status.success() || runs.len() != tiles.len() {
        return Err(TestbenchError::Protocol {
            line: format!(
                "harness exited with {status} after {} of {} tiles",
                runs.len(),
                tiles.len()
            ),
        });
    }
    Ok(runs)
}
