#!/usr/bin/env bash
# How Fixtures/vault-v1 was made. Do not rerun it to "update" the fixture: the point of a golden vault is that later
# versions must read the bytes the first version wrote. It was rerun, before any vault left the project, when
# version 1 was made strict (every index sealed, audit fields in every chain entry) and when the file digest was
# redefined over chunk ids (docs/FORMAT.md §4.3, §13), when chunk lists became short references (session 16, §8):
# vault-v1-export/Opportunity.csv (a generated CSV of ~1 MB, ~360 chunks) was added then so the second snapshot holds a
# chunk list, and when the chunk id became HMAC-SHA-256 (session 17, §4.3).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
crmvault="${CRMVAULT:-$here/../../../.build/debug/crmvault}"
export CRMVAULT_PASSPHRASE="vault-v1 fixture passphrase"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

rm -rf "$here/vault-v1"
"$crmvault" init --vault "$here/vault-v1" --kdf interactive --json | sed -n 's/.*"ownerFingerprint" *: *"\(.*\)".*/\1/p' > "$here/vault-v1.fingerprint"
mkdir -p "$work/first"
cp "$here/vault-v1-export/Account.csv" "$work/first/"
"$crmvault" backup --vault "$here/vault-v1" --label 2026-01 "$work/first"
"$crmvault" key writer --vault "$here/vault-v1" --out "$work/writer.key" --name fixture-writer
"$crmvault" backup --vault "$here/vault-v1" --key "$work/writer.key" --label 2026-02 "$here/vault-v1-export"
rm -rf "$here/vault-v1/locks" "$here/vault-v1/tmp"
