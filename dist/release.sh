#!/bin/sh
# Builds Qvault's portable archives for one target, signs them, and writes
# SHA256SUMS and the release manifest. See dist/README.md.
#
#   QVAULT_SIGNING_KEY=/offline/qvault-release.key dist/release.sh [TARGET]
#
# Output in dist/out/VERSION/: qvault-VERSION-TARGET.tar.gz and .zip (each
# a folder holding the executable, the qvault.portable marker, the licence
# and, for Linux, the desktop integration files), SHA256SUMS, manifest.json.
set -eu

cd "$(dirname "$0")/.."
key=${QVAULT_SIGNING_KEY:?set QVAULT_SIGNING_KEY to the zipsign key pair (never commit it)}
target=${1:-$(rustc -vV | sed -n 's/^host: //p')}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
notes_url=${QVAULT_NOTES_URL:-https://qvault.app/releases/$version}
name=qvault-$version-$target
out=dist/out/$version
exe=qvault
case $target in *windows*) exe=qvault.exe ;; esac

# The release profile: LTO, one codegen unit, stripped (Cargo.toml).
cargo build --release --locked --target "$target" --bin qvault

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name" "$out"
cp "target/$target/release/$exe" "$stage/$name/"
: > "$stage/$name/qvault.portable"
cp README.md "$stage/$name/"
case $target in
*linux*)
    mkdir -p "$stage/$name/share"
    cp dist/linux/org.qvault.Qvault.desktop dist/linux/org.qvault.Qvault.metainfo.xml \
        dist/linux/org.qvault.Qvault.mime.xml assets/icons/qvault.svg "$stage/$name/share/"
    ;;
esac

rm -f "$out/$name.tar.gz" "$out/$name.zip"
tar -C "$stage" -czf "$out/$name.tar.gz" "$name"
(cd "$stage" && zip -qr "$OLDPWD/$out/$name.zip" "$name")

# Sign first: the signature is embedded in the archive, so the sums and the
# manifest's digests must describe the signed files.
cargo run --quiet --example release -- sign "$key" "$out/$name.tar.gz" "$out/$name.zip"
(cd "$out" && sha256sum -- *.tar.gz *.zip > SHA256SUMS)
# shellcheck disable=SC2046 # one argument per archive
cargo run --quiet --example release -- manifest "$version" "$notes_url" \
    $(ls "$out"/*.tar.gz "$out"/*.zip) > "$out/manifest.json"
echo "release files in $out"
