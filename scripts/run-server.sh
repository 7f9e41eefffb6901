#!/usr/bin/env bash
# Builds cox (Release) and starts a single-node control plane in the foreground.
# Extra arguments go to `cox server` (e.g. --data-dir /tmp/cox --port 6443).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Coxswain -c Release -nologo -v quiet
exec dotnet src/Coxswain/bin/Release/net10.0/cox.dll server "$@"
