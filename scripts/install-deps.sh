#!/usr/bin/env bash
# Installs what building and testing Coxswain needs on a fresh Debian 12 machine that has the
# .NET 10 SDK. Safe to run again.
set -euo pipefail

if ! command -v kubectl >/dev/null 2>&1; then
  echo "kubectl is missing: the integration tests drive the real kubectl (see README)" >&2
  exit 1
fi
dotnet --version >/dev/null

# Real nodes: containerd + runc + CNI plugins, a local registry and image tools, busybox and gcc for
# the seeded pause/busybox images, iptables for the service proxy, iproute2 for the test namespaces.
packages=(containerd runc containernetworking-plugins docker-registry buildah skopeo busybox-static iptables gcc libc6-dev iproute2)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || { echo "run as root to install: ${missing[*]}" >&2; exit 1; }
  # cox starts containerd and the registry itself, as its children: keep the packages' init scripts
  # from starting system-wide ones (policy-rc.d exit 101 = "do not start services").
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
fi

# A containerd or registry that cox did not start (parent is init) would confuse whoever reads `ps`
# and hold the default sockets: say so (not stopped here: it may be someone else's).
for daemon in containerd docker-registry; do
  for pid in $(pgrep -x "$daemon" || true); do
    if [ "$(ps -o ppid= -p "$pid" | tr -d ' ')" = 1 ]; then
      echo "warning: a system $daemon is running (pid $pid); cox runs its own" >&2
    fi
  done
done
