#!/usr/bin/env bash
# Installs what building and testing Coxswain needs on a fresh Debian 12 machine that has the
# .NET 10 SDK. Safe to run again.
set -euo pipefail

if ! command -v kubectl >/dev/null 2>&1; then
  echo "kubectl is missing: the integration tests drive the real kubectl (see README)" >&2
  exit 1
fi
dotnet --version >/dev/null

# Real nodes (containerd, CNI, local registry, image builds) and the pause binary (gcc, static libc).
packages=(containerd runc containernetworking-plugins docker-registry buildah skopeo busybox-static iptables gcc libc6-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
