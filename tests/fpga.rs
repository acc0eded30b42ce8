//! `lutforge fpga devices` from the outside: the listing names every required device with its
//! part number, one device can be picked by id or part number, and an unknown one is refused.

#[path = "support/cli.rs"]
mod cli;

use cli::lutforge;

#[test]
fn the_listing_has_one_row_per_device() {
    let (out, err, code) = lutforge(&["fpga", "devices"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("STATIC"),
        "{out}"
    );
    for (id, part) in [
        ("kv260", "xck26-sfvc784-2LV-c"),
        ("u280", "xcu280-fsvh2892-2L-e"),
        ("v80", "xcv80-lsva4737-2MHP-e-S"),
        ("vck190", "xcvc1902-vsva2197-2MP-e-S"),
        ("ecp5", "LFE5U-85F"),
        ("ice40", "iCE40UP5K-SG48"),
    ] {
        let row = lines
            .iter()
            .find(|l| l.split_whitespace().next() == Some(id))
            .unwrap_or_else(|| panic!("no row for {id}:\n{out}"));
        assert!(row.contains(part), "{row}");
    }
    assert_eq!(lines.len(), 1 + lutforge_fpga::DEVICES.len(), "{out}");
    // The figures the issue names: U280 HBM2 at 460 GB/s, V80 HBM at 820 GB/s.
    assert!(out.contains("HBM2 8 GiB 460 GB/s"), "{out}");
    assert!(out.contains("HBM2e 32 GiB 820 GB/s"), "{out}");
}

#[test]
fn one_device_by_id_or_part_number() {
    let (by_id, err, code) = lutforge(&["fpga", "devices", "KV260"]);
    assert_eq!(code, 0, "{err}");
    let (by_part, _, _) = lutforge(&["fpga", "devices", "xck26-sfvc784-2lv-c"]);
    assert_eq!(by_id, by_part);
    assert_eq!(by_id.lines().count(), 2, "{by_id}");
    assert!(
        by_id.contains("117120") && by_id.contains("1248 DSP48E2"),
        "{by_id}"
    );
}

#[test]
fn an_unknown_device_is_a_usage_error() {
    let (out, err, code) = lutforge(&["fpga", "devices", "zcu104"]);
    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("`zcu104`") && err.contains("kv260, u280"),
        "{err}"
    );
}
