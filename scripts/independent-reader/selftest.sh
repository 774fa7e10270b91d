#!/bin/sh
# The independent reader on the golden vault: keyless verify passes, and restore (with the §5 re-chunking check)
# equals the fixture's export byte for byte. Needs python3, libsodium.so.23 and libzstd.so.1; no crmvault build.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
fixtures="$here/../../Tests/VaultCoreTests/Fixtures"
target=$(mktemp -d)
trap 'rm -rf "$target"' EXIT
python3 "$here/crmvault_reader.py" verify "$fixtures/vault-v1"
CRMVAULT_PASSPHRASE="vault-v1 fixture passphrase" \
    python3 "$here/crmvault_reader.py" restore "$fixtures/vault-v1" 269d0f065ecc "$target/export" --check-chunking
diff -r "$target/export" "$fixtures/vault-v1-export"
echo "selftest: OK"
