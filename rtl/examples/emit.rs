//! Writes the RTL of one architecture file: `cargo run -p lutforge-rtl --example emit -- ARCH OUT`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let arch_path = args.get(1).ok_or("usage: emit ARCH OUT")?;
    let out = args.get(2).ok_or("usage: emit ARCH OUT")?;
    let arch = lutforge_sim::Arch::from_file(std::path::Path::new(arch_path))?;
    lutforge_rtl::generate(&arch, lutforge_rtl::Options::default())?
        .write_to(std::path::Path::new(out))?;
    Ok(())
}
