#!/usr/bin/env bash
# Installs what building and testing Coxswain needs on a fresh Debian 12 machine that has the
# .NET 10 SDK. Safe to run again.
set -euo pipefail

if ! command -v kubectl >/dev/null 2>&1; then
  echo "kubectl is missing: the integration tests drive the real kubectl (see README)" >&2
  exit 1
fi
dotnet --version >/dev/null
