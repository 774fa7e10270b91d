#!/usr/bin/env bash
# Checks that a crmvault binary runs without the Swift toolchain, libsodium, libzstd or libsqlite3 (what
# scripts/build-static.sh promises): the dynamic loader must need none of them, no search path may point into a
# toolchain, and the binary must init, back up, verify and restore a vault byte for byte with the toolchain hidden
# behind an empty directory (a private mount namespace; `unshare --map-root-user` when not root).
#
#   scripts/check-static.sh [BINARY]      (default .build/static/crmvault)
set -euo pipefail
binary=$(readlink -f "${1:-$(dirname "$0")/../.build/static/crmvault}" || true)
[ -n "$binary" ] && [ -x "$binary" ] || { echo "error: $binary is not an executable; run scripts/build-static.sh first" >&2; exit 2; }
toolchain=$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")")

fail() { echo "FAIL: $*" >&2; exit 1; }

needed=$(ldd "$binary" 2>&1 || true)
if echo "$needed" | grep -Eq "$toolchain|swift|sodium|zstd|sqlite|not found"; then
    echo "$needed" >&2
    fail "$binary needs libraries a bare machine does not have (above)"
fi
if readelf -d "$binary" | grep -Eq 'RUNPATH|RPATH'; then fail "$binary has a library search path: $(readelf -d "$binary" | grep -E 'RUNPATH|RPATH')"; fi
echo "ldd: $(echo "$needed" | awk '{print $1}' | tr '\n' ' ')"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/empty" "$work/export/Account"
printf 'Id,Name,BillingCity\n"001","Acme","Zürich"\n"002","Globex","Oslo"\n' > "$work/export/Account.csv"
printf 'Id,Subject\n"500","Renewal"\n' > "$work/export/Account/Case.csv"
# The run itself, with the toolchain replaced by an empty directory: a binary that reached into it would fail to start.
cat > "$work/run.sh" <<SCRIPT
set -eu
mount --bind "$work/empty" "$toolchain"
[ -z "\$(ls -A "$toolchain")" ]
export CRMVAULT_PASSPHRASE='static check passphrase' CRMVAULT_ALLOW_INSECURE_KDF=1 CRMVAULT_AUDIT_LOG="$work/audit.log"
"$binary" --version
"$binary" init --quiet --vault "$work/vault" --kdf insecure-test-only
"$binary" backup --quiet --vault "$work/vault" --source static-check --label 2026-11 "$work/export"
"$binary" verify --quiet --vault "$work/vault" --deep
"$binary" restore --quiet --vault "$work/vault" --source static-check latest --to "$work/restored"
diff -r "$work/export" "$work/restored"
SCRIPT
if [ "$(id -u)" -eq 0 ]; then isolate=(unshare --mount); else isolate=(unshare --mount --map-root-user); fi
"${isolate[@]}" sh "$work/run.sh" || fail "$binary did not run with $toolchain hidden"
echo "OK: $binary runs with $toolchain hidden, and needs no libsodium, libzstd or libsqlite3"
