//! Tests of the project `lutforge fpga --arch ...` writes. `lutforge_rtl` has no FPGA
//! generator yet, so these build the project around a placeholder RTL bundle made here (the
//! command itself never uses one: it fails with the generator's error). Golden files of the
//! emitted TCL and XDC are under `tests/golden/fpga-project/tiny/`; regenerate them with
//! `UPDATE_EXPECT=1 cargo test -p lutforge --bin lutforge fpga::project`.

use std::path::{Path, PathBuf};

use lutforge_models::numerics::ternary_pack::unpack3;
use lutforge_models::ModelConfig;
use lutforge_rtl::{Bundle, GeneratedFile};
use lutforge_sim::fpga_dataflow::engines::{share, tlmm_weight_bytes};
use lutforge_sim::Arch;

use super::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn golden_dir() -> PathBuf {
    root().join("tests/golden/fpga-project")
}

/// A fresh scratch directory (unit tests of a binary have no `CARGO_TARGET_TMPDIR`).
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lutforge-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn tiny_arch() -> Arch {
    Arch::from_file(&golden_dir().join("fpga-tiny.toml")).unwrap()
}

fn tiny_model() -> ModelConfig {
    ModelConfig::preset("tiny-llama").unwrap()
}

/// A stand-in for the FPGA RTL generator's bundle: a top with `clk` and `rst`, reading the
/// given `$readmemh` files. Names come from `lutforge_rtl::module_prefix`, as the real
/// generators' do.
fn placeholder(arch: &Arch, reads: &[&str]) -> Bundle {
    let top = format!("{}_top", lutforge_rtl::module_prefix(&arch.name));
    let mut text = format!(
        "// Placeholder RTL made by a test.\nmodule {top} (\n  input  wire clk,\n  input  wire rst\n);\n"
    );
    for (i, r) in reads.iter().enumerate() {
        text.push_str(&format!(
            "  reg [15:0] m{i} [0:3];\n  initial $readmemh(\"{r}\", m{i});\n"
        ));
    }
    text.push_str("endmodule\n");
    Bundle {
        top: top.clone(),
        files: vec![
            GeneratedFile {
                name: format!("{top}.v"),
                text,
            },
            GeneratedFile {
                name: "files.f".into(),
                text: format!("{top}.v\n"),
            },
        ],
        config_hash: "0123456789abcdef".into(),
        ports: Vec::new(),
        notes: Vec::new(),
    }
}

fn file<'a>(project: &'a Project, name: &str) -> &'a str {
    &project
        .files
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .1
}

#[test]
fn tcl_and_xdc_match_golden_files() {
    let arch = tiny_arch();
    let plan = Plan::new(&arch, &tiny_model(), DEFAULT_SEED, None).unwrap();
    let project = plan.project(&placeholder(&arch, &["vectors.mem"])).unwrap();
    let dir = golden_dir().join("tiny");
    let names = ["project.tcl", "fpga_tiny.xdc", "block_design.tcl"];
    if std::env::var("UPDATE_EXPECT").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(&dir).unwrap();
        for name in names {
            std::fs::write(dir.join(name), file(&project, name)).unwrap();
        }
        return;
    }
    for name in names {
        let want = std::fs::read_to_string(dir.join(name))
            .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_EXPECT=1)", dir.display()));
        assert!(
            want == file(&project, name),
            "{name} differs from the golden file (UPDATE_EXPECT=1 regenerates)"
        );
    }
}

#[test]
fn the_scripts_name_the_part_clock_sources_and_runs() {
    let arch = Arch::from_file(&root().join("configs/arch/fpga-kv260-tellme.toml")).unwrap();
    let plan = Plan::new(&arch, &tiny_model(), DEFAULT_SEED, None).unwrap();
    let project = plan.project(&placeholder(&arch, &[])).unwrap();
    let tcl = file(&project, "project.tcl");
    for want in [
        "set part xck26-sfvc784-2LV-c",
        "set top fpga_kv260_tellme_top",
        "[file join $tcldir rtl fpga_kv260_tellme_top.v]",
        "[file join $tcldir mem vectors.mem]",
        "[file join $tcldir fpga_kv260_tellme.xdc]",
        "launch_runs synth_1",
        "launch_runs impl_1 -to_step write_bitstream",
        "report_utilization -file",
        "report_timing_summary -file",
    ] {
        assert!(tcl.contains(want), "{want}");
    }
    let xdc = file(&project, "fpga_kv260_tellme.xdc");
    assert!(xdc.contains("create_clock -period 4.000 -name clk [get_ports clk]"));
    assert!(file(&project, "README.md").contains("vivado -mode batch -source project.tcl"));
    assert!(file(&project, "rtl/files.f").contains("fpga_kv260_tellme_top.v"));
    let report: serde_json::Value = serde_json::from_str(file(&project, "report.json")).unwrap();
    assert_eq!(report["schema"], "lutforge-fpga-project/1");
    assert_eq!(report["fits"], true);
    assert_eq!(report["synthetic_values"], true);
    assert_eq!(report["part"], "xck26-sfvc784-2LV-c");
    // The resource table is simulate's: the blocks, the total and the device's.
    let rows = report["resources"].as_array().unwrap();
    assert_eq!(rows[0]["name"], "tlmm");
    assert_eq!(rows[rows.len() - 1]["name"], "kv260 available");
    assert!(file(&project, "report.md").contains("| utilization |"));
}

/// Every file's text, the RTL's included, and the `weights.bin` bytes.
fn written(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

#[test]
fn hostile_names_end_up_as_identifiers_in_every_file() {
    let text = std::fs::read_to_string(golden_dir().join("fpga-tiny.toml")).unwrap();
    let model_json = r#"{"_name_or_path": "evil[exec rm -rf /]$x", "architectures": ["LlamaForCausalLM"],
        "hidden_act": "silu", "hidden_size": 128, "intermediate_size": 256,
        "max_position_embeddings": 512, "model_type": "llama", "num_attention_heads": 4,
        "num_hidden_layers": 1, "num_key_value_heads": 2, "rms_norm_eps": 1e-05,
        "tie_word_embeddings": false, "vocab_size": 512}"#;
    let model = ModelConfig::from_hf_json_str(model_json, "evil.json").unwrap();
    for (case, name) in [
        ("quote", r#"\"; exec rm -rf /; #"#),
        ("bracket", "tiny[exec ls]{x}"),
    ] {
        let toml_text = text.replace("name = \"fpga-tiny\"", &format!("name = \"{name}\""));
        let arch = Arch::from_toml_str(&toml_text, "hostile.toml").unwrap();
        let raw = arch.name.clone();
        assert!(raw.contains(';') || raw.contains('['), "{raw}");
        let plan = Plan::new(&arch, &model, 7, None).unwrap();
        let project = plan.project(&placeholder(&arch, &[])).unwrap();
        let dir = scratch(&format!("fpga-hostile-{case}"));
        project.write(&dir).unwrap();
        let files = written(&dir);
        assert!(files.len() >= 10, "{}", files.len());
        let arch_id = identifier(&raw);
        assert!(is_identifier(&arch_id) && is_identifier(&plan.model_id));
        for (path, bytes) in &files {
            let name = path.strip_prefix(&dir).unwrap().display().to_string();
            let body = String::from_utf8_lossy(bytes);
            for bad in [raw.as_str(), model.name.as_str(), "rm -rf", "[exec", "$x"] {
                assert!(!body.contains(bad), "{case}: {name} holds {bad:?}");
            }
            if name.ends_with(".tcl") || name.ends_with(".xdc") {
                // The only names in the scripts are identifiers: the project and top.
                assert!(
                    body.contains(&arch_id) || name == "block_design.tcl",
                    "{name}"
                );
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn a_bundle_that_leaks_a_raw_name_or_lacks_ports_is_refused() {
    let text = std::fs::read_to_string(golden_dir().join("fpga-tiny.toml")).unwrap();
    let arch = Arch::from_toml_str(
        &text.replace("name = \"fpga-tiny\"", "name = \"a[b]\""),
        "hostile.toml",
    )
    .unwrap();
    let plan = Plan::new(&arch, &tiny_model(), 1, None).unwrap();
    let mut leaky = placeholder(&arch, &[]);
    leaky.files[0].text.insert_str(0, "// arch: a[b]\n");
    let err = plan.project(&leaky).unwrap_err().to_string();
    assert!(
        err.contains("unsanitized") && err.starts_with("rtl/"),
        "{err}"
    );
    let mut no_clock = placeholder(&arch, &[]);
    no_clock.files[0].text = no_clock.files[0].text.replace("clk", "clock");
    let err = plan.project(&no_clock).unwrap_err().to_string();
    assert!(err.contains("no `clk` port"), "{err}");
    let reads_other = placeholder(&arch, &["weights.mem"]);
    let err = plan.project(&reads_other).unwrap_err().to_string();
    assert!(err.contains("$readmemh(\"weights_mem\")"), "{err}");
    let mut bad_name = placeholder(&arch, &[]);
    bad_name.files[1].name = "../files.f".into();
    assert!(plan.project(&bad_name).is_err());
}

#[test]
fn each_chunk_is_the_stream_the_simulator_counts_and_decodes_to_the_weights() {
    // The tiny design preloads tiny-llama's matrices in several row chunks (1 KiB buffer).
    let arch = tiny_arch();
    let plan = Plan::new(&arch, &tiny_model(), 3, None).unwrap();
    let tables = u64::from(plan.tlmm.spec.tables);
    assert_eq!(plan.matrices.len(), 2 * 7);
    assert!(plan.matrices.iter().all(|m| m.chunks > 1));
    for m in &plan.matrices {
        let blocks = m.cols.div_ceil(3 * tables);
        let mut first = 0;
        for c in 0..m.chunks {
            let rows = share(m.rows, m.chunks, c);
            let planes = plan.chunk_planes(m, c);
            let bytes: usize = planes.iter().map(Vec::len).sum();
            assert_eq!(bytes as u64, tlmm_weight_bytes(&plan.tlmm, rows, m.cols));
            for v in [0, 1, rows * blocks - 1] {
                let (b, o) = (v / rows, first + v % rows);
                for r in 0..plan.stream.codes {
                    let code = plan.stream.read(&planes, v, r) as u8;
                    let j = b * tables + u64::from(r);
                    let w = unpack3(code).unwrap();
                    assert_eq!(w, plan.weights(m, o, j));
                    if 3 * j >= m.cols {
                        assert_eq!(code, 0, "padding beyond k = {}", m.cols);
                    }
                }
            }
            first += rows;
        }
        assert_eq!(first, m.rows);
    }
}

#[test]
fn the_tellme_image_is_one_chunk_per_matrix_at_the_simulators_byte_count() {
    let arch = Arch::from_file(&root().join("configs/arch/fpga-kv260-tellme.toml")).unwrap();
    let model = ModelConfig::preset("bitnet-b1.58-large").unwrap();
    let plan = Plan::new(&arch, &model, DEFAULT_SEED, Some(1)).unwrap();
    assert_eq!(plan.matrices.len(), 7);
    // 28 five-bit codes = 140-bit vectors, five per 3 x 256-bit beat.
    assert_eq!(plan.stream.vector_bits(), 140);
    assert_eq!(plan.stream.beat_bits(), 768);
    for m in &plan.matrices {
        assert_eq!(m.chunks, 1, "{:?}", m.kind);
        assert_eq!(
            plan.stream_bytes(m),
            tlmm_weight_bytes(&plan.tlmm, m.rows, m.cols)
        );
    }
    let q = &plan.matrices[0];
    assert_eq!((q.rows, q.cols), (1536, 1536));
    assert_eq!(plan.stream_bytes(q), 5837 * 96);
    // The full model: 24 layers x 7 matrices, about 160 MB with the 4 KiB plane alignment.
    let full = Plan::new(&arch, &model, DEFAULT_SEED, None).unwrap();
    assert_eq!(full.matrices.len(), 24 * 7);
    assert!(
        (150e6..170e6).contains(&(full.total_bytes as f64)),
        "{}",
        full.total_bytes
    );
    // Values do not depend on how many layers are written.
    assert_eq!(
        plan.chunk_planes(&plan.matrices[6], 0),
        full.chunk_planes(&full.matrices[6], 0)
    );
    let other_seed = Plan::new(&arch, &model, 2, Some(1)).unwrap();
    assert_ne!(
        plan.chunk_planes(&plan.matrices[0], 0),
        other_seed.chunk_planes(&other_seed.matrices[0], 0)
    );
}

#[test]
fn weights_bin_has_the_documented_header_and_directory() {
    let arch = tiny_arch();
    let plan = Plan::new(&arch, &tiny_model(), 5, Some(1)).unwrap();
    let project = plan.project(&placeholder(&arch, &[])).unwrap();
    let dir = scratch("fpga-image");
    project.write(&dir).unwrap();
    let bin = std::fs::read(dir.join("weights.bin")).unwrap();
    let u32_at = |o: usize| u32::from_le_bytes(bin[o..o + 4].try_into().unwrap());
    let u64_at = |o: usize| u64::from_le_bytes(bin[o..o + 8].try_into().unwrap());
    assert_eq!(&bin[..8], b"LFWIMG01");
    assert_eq!(u32_at(8), 1);
    assert_eq!(u32_at(12), 128);
    assert_eq!(u32_at(16), 7);
    assert_eq!(u32_at(20), 64);
    assert_eq!(u32_at(24), 4096);
    assert_eq!(
        (u32_at(28), u32_at(32), u32_at(36), u32_at(40)),
        (28, 5, 2, 64)
    );
    assert_eq!((u32_at(44), u32_at(48), u32_at(52)), (1, 2, 3));
    assert_eq!(u64_at(56), 5);
    assert_eq!(u64_at(64), bin.len() as u64);
    // Entry 4 (gate): name, shape, chunks, offset, stride, scale; its first plane is chunk 0
    // port 0 and decodes to the generated codes.
    let e = 128 + 4 * 64;
    assert_eq!(&bin[e..e + 8], b"L00.gate");
    assert_eq!((u32_at(e + 16), u32_at(e + 20)), (0, 4));
    assert_eq!((u32_at(e + 28), u32_at(e + 32)), (256, 128));
    let m = &plan.matrices[4];
    assert_eq!(u32_at(e + 36) as u64, m.chunks);
    let (offset, stride) = (u64_at(e + 40) as usize, u64_at(e + 48) as usize);
    assert_eq!(offset % 4096, 0);
    let scale = f32::from_le_bytes(bin[e + 56..e + 60].try_into().unwrap());
    assert_eq!(scale, m.scale);
    let planes = plan.chunk_planes(m, 1);
    let ports = plan.stream.ports as usize;
    for (p, plane) in planes.iter().enumerate() {
        let at = offset + ports * stride + p * stride;
        assert_eq!(&bin[at..at + plane.len()], &plane[..]);
        assert!(bin[at + plane.len()..at + stride].iter().all(|&b| b == 0));
    }
    // The .mem images: one word per line after the header, as many as the report says.
    let vectors = std::fs::read_to_string(dir.join("mem/vectors.mem")).unwrap();
    let words: Vec<&str> = vectors.lines().filter(|l| !l.starts_with("//")).collect();
    assert_eq!(words.len() as u64, plan.vector_word_count());
    assert!(words.iter().all(|w| w.len() == 4));
    let scales = std::fs::read_to_string(dir.join("mem/scales.mem")).unwrap();
    let first = scales.lines().find(|l| !l.starts_with("//")).unwrap();
    assert_eq!(
        u32::from_str_radix(first, 16).unwrap(),
        plan.matrices[0].scale.to_bits()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
