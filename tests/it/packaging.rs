//! The installer and desktop files validate with the tools distributions
//! use (Debian packages `libxml2-utils`, `desktop-file-utils`, `appstream`),
//! and the installer takes its version from Cargo.toml.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs a validator; a missing tool fails with the package to install.
fn validate(tool: &str, args: &[&str], package: &str) {
    let output = Command::new(tool)
        .args(args)
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("failed to run {tool} ({e}); install the {package} package"));
    assert!(
        output.status.success(),
        "{tool} {args:?}:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_xml_packaging_files_parse() {
    let files = [
        "wix/main.wxs",
        "dist/linux/org.qvault.Qvault.metainfo.xml",
        "dist/linux/org.qvault.Qvault.mime.xml",
        "dist/macos/Info.plist",
    ];
    for file in files {
        validate("xmllint", &["--noout", file], "libxml2-utils");
    }
}

#[test]
fn the_desktop_file_validates() {
    validate(
        "desktop-file-validate",
        &["dist/linux/org.qvault.Qvault.desktop"],
        "desktop-file-utils",
    );
}

#[test]
fn the_appstream_metainfo_validates() {
    validate(
        "appstreamcli",
        &[
            "validate",
            "--no-net",
            "dist/linux/org.qvault.Qvault.metainfo.xml",
        ],
        "appstream",
    );
}

#[test]
fn the_installer_takes_its_version_from_cargo_and_keeps_one_upgrade_code() {
    let wxs = std::fs::read_to_string(root().join("wix/main.wxs")).expect("read main.wxs");
    assert!(wxs.contains(r#"Version="$(var.Version)""#));
    assert!(wxs.contains(r#"UpgradeCode="6F3C2A1E-8B4D-4C7A-9E21-5D0B7A3F9C14""#));
    assert!(wxs.contains(r#"InstallScope="perUser""#));
    assert!(wxs.contains(r#"<Extension Id="qvault""#));
    let metainfo =
        std::fs::read_to_string(root().join("dist/linux/org.qvault.Qvault.metainfo.xml"))
            .expect("read metainfo");
    let release = format!(r#"<release version="{}""#, env!("CARGO_PKG_VERSION"));
    assert!(
        metainfo.contains(&release),
        "the metainfo lists this version"
    );
}
