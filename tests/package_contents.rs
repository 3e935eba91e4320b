//! `cargo package` ships only the crate: its sources, tests, the native example, the manifest,
//! the README and the licence texts; never js/, scripts/, www/, fuzz/, node_modules/ or images.

use std::process::Command;

#[test]
fn the_package_lists_only_the_crate() {
    let out = Command::new(env!("CARGO"))
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listing = String::from_utf8(out.stdout).unwrap();
    let files: Vec<&str> = listing.lines().collect();
    let allowed = |f: &str| {
        matches!(
            f,
            "Cargo.toml" | "Cargo.toml.orig" | "Cargo.lock" | ".cargo_vcs_info.json" | "README.md"
        ) || f.starts_with("LICENSE-")
            || f == "build.rs"
            || (f.starts_with("src/") && f.ends_with(".rs"))
            || (f.starts_with("tests/") && f.ends_with(".rs"))
            || f.starts_with("examples/native/")
    };
    let stray: Vec<&&str> = files.iter().filter(|f| !allowed(f)).collect();
    assert!(stray.is_empty(), "not part of the crate: {stray:?}");
    for needed in [
        "Cargo.toml",
        "src/lib.rs",
        "src/error/table.rs",
        "examples/native/echo.rs",
    ] {
        assert!(files.contains(&needed), "{needed} missing from {files:?}");
    }
    // the licence texts ship once they exist at the top level (the manifest includes them)
    for licence in ["LICENSE-MIT", "LICENSE-APACHE"] {
        let present = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(licence)
            .exists();
        assert_eq!(files.contains(&licence), present, "{licence}");
    }
}
