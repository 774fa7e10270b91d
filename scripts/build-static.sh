#!/usr/bin/env bash
# Builds the standalone crmvault for the worst case (README, "Operator: restore in the worst case"): the Swift runtime
# and Foundation linked in (--static-swift-stdlib), and libsodium, libzstd and libsqlite3 linked from Debian's static
# archives, so the binary runs on a bare Debian or Ubuntu with nothing installed. `crmvault reader` copies it beside a
# vault. Output: .build/static/crmvault, with FORMAT.md beside it (what `reader` copies too).
#
#   scripts/build-static.sh            release build (what goes on a medium)
#
# A debug build cannot just be relinked statically: its objects were compiled against the shared Foundation, whose
# module does not pull in CoreFoundation and the ICU data the static one needs, so every module is compiled again
# (in release, in .build/release). Check the result with scripts/check-static.sh (.ci/static runs both).
set -euo pipefail
cd "$(dirname "$0")/.."

configuration=release
while [ $# -gt 0 ]; do
    case "$1" in
        -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "error: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

# The system-library targets name `sodium`, `zstd` and `sqlite3` (module maps and pkg-config), and SwiftPM puts the
# pkg-config `-L${libdir}` (Debian's /usr/lib/<multiarch>, which holds the .so files too) ahead of any -L given on the
# command line, so the linker would pick the shared libraries. Instead, pkg-config files of our own give a libdir that
# holds only links to the static archives; SwiftPM reads PKG_CONFIG_PATH first, so that directory is searched before
# any other and `-lsodium` resolves to libsodium.a. Compile flags stay Debian's, so only the link step changes.
multiarch=$(gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")
archives="$PWD/.build/static-archives"
pkgconfig="$PWD/.build/static-pkgconfig"
mkdir -p "$archives" "$pkgconfig"
for library in sodium zstd sqlite3; do
    archive=""
    for directory in "/usr/lib/$multiarch" /usr/lib /usr/local/lib; do
        if [ -f "$directory/lib$library.a" ]; then archive="$directory/lib$library.a"; break; fi
    done
    if [ -z "$archive" ]; then
        echo "error: lib$library.a not found; install the -dev packages (bash scripts/install-dependencies.sh)" >&2
        exit 2
    fi
    ln -sfn "$archive" "$archives/lib$library.a"
done
for package in libsodium libzstd sqlite3; do
    original=$(pkg-config --variable=pcfiledir "$package" 2>/dev/null)/$package.pc
    [ -f "$original" ] || { echo "error: $package.pc not found; install the -dev packages" >&2; exit 2; }
    sed "s|^libdir=.*|libdir=$archives|" "$original" > "$pkgconfig/$package.pc"
done

# --disable-local-rpath: no RUNPATH $ORIGIN, so nothing beside the binary on a medium can be loaded into it.
PKG_CONFIG_PATH="$pkgconfig" swift build -c "$configuration" --product crmvault --static-swift-stdlib --disable-local-rpath
binaries=$(PKG_CONFIG_PATH="$pkgconfig" swift build -c "$configuration" --show-bin-path)
mkdir -p .build/static
cp "$binaries/crmvault" .build/static/crmvault.tmp
if [ "$configuration" = release ] && command -v strip >/dev/null; then strip .build/static/crmvault.tmp; fi
mv .build/static/crmvault.tmp .build/static/crmvault
cp docs/FORMAT.md .build/static/FORMAT.md
echo "Built .build/static/crmvault ($configuration, $(du -h .build/static/crmvault | cut -f1)):"
sha256sum .build/static/crmvault
