#!/usr/bin/env bash
# Prints the path of the pinned OpenTofu; builds it into .tools/bin from tools/opentofu (a module
# that requires opentofu and repeats its replace line, since `go install` refuses replace lines).
set -euo pipefail
TOFU_VERSION=1.10.10
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin/tofu"
if [ -x "$bin" ] && TF_CLI_CONFIG_FILE=/dev/null "$bin" version 2>/dev/null | grep -Eq "^OpenTofu v${TOFU_VERSION}(-dev)?$"; then echo "$bin"; exit 0; fi
command -v go >/dev/null 2>&1 || { echo "ensure-tofu: Go is needed to build OpenTofu v$TOFU_VERSION" >&2; exit 1; }
echo "ensure-tofu: building OpenTofu v$TOFU_VERSION into .tools/bin (a few minutes the first time)" >&2
mkdir -p "$root/.tools/bin"
(cd "$root/tools/opentofu" && go build -o "$bin" github.com/opentofu/opentofu/cmd/tofu) >&2
echo "$bin"
