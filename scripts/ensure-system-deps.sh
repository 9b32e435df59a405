#!/usr/bin/env bash
# Installs the system programs the tests run for real when they are missing: bubblewrap (the
# shell sandbox) and a kubectl client (against the test-double API server). Needs root and apt;
# elsewhere it names what to install and fails.
set -euo pipefail
need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
command -v kubectl >/dev/null 2>&1 || need+=(kubernetes-client)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-system-deps: please install ${need[*]} (Debian package names)" >&2
  exit 1
fi
echo "ensure-system-deps: installing ${need[*]}" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
