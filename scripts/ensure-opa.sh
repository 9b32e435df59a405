#!/usr/bin/env bash
# Prints the path of the pinned opa; installs it into .tools/bin with `go install` when missing.
set -euo pipefail
OPA_VERSION=1.22.3
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin/opa"
version_of() { "$1" version 2>/dev/null | awk '/^Version:/ {print $2}'; }
if [ -x "$bin" ] && [ "$(version_of "$bin")" = "$OPA_VERSION" ]; then echo "$bin"; exit 0; fi
if command -v opa >/dev/null 2>&1 && [ "$(version_of "$(command -v opa)")" = "$OPA_VERSION" ]; then command -v opa; exit 0; fi
command -v go >/dev/null 2>&1 || { echo "ensure-opa: Go is needed to install opa v$OPA_VERSION (or put opa $OPA_VERSION on PATH)" >&2; exit 1; }
echo "ensure-opa: installing opa v$OPA_VERSION into .tools/bin" >&2
GOBIN="$root/.tools/bin" GOFLAGS=-mod=mod go install "github.com/open-policy-agent/opa@v$OPA_VERSION" >&2
echo "$bin"
