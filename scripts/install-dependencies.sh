#!/usr/bin/env bash
# Installs the Debian packages crmvault builds against (C libraries and pkg-config), non-interactively.
# Runs apt-get directly as root, through sudo otherwise; does nothing when they are already installed.
set -euo pipefail
packages=(libsodium-dev libzstd-dev libsqlite3-dev zlib1g-dev pkg-config python3)
if dpkg -s "${packages[@]}" >/dev/null 2>&1; then
    exit 0
fi
as_root=()
if [ "$(id -u)" -ne 0 ]; then as_root=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq "${packages[@]}"
