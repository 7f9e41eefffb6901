#!/usr/bin/env bash
# Runs the whole test suite: unit tests and integration tests against real `cox` servers.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build Coxswain.slnx -c Release -nologo -v quiet
dotnet test Coxswain.slnx -c Release --no-build -nologo "$@"
