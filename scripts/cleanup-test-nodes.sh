#!/usr/bin/env bash
# Removes what crashed or interrupted kubelet tests left behind: every test node "cox-t-<owner pid>-<id>"
# (network namespace, its processes, processes in its cgroups, mounts and dirs under /tmp/<name>, cgroup
# dirs /<name> in every hierarchy, libcni cache entries) whose owner test process is gone. The same
# steps as tests/Coxswain.Kubelet.Tests/Harness/TestNodeCleanup.cs; nodes of live test runs are kept.
set -uo pipefail

owner_alive() { # name
  local pid=${1#cox-t-}; pid=${pid%%-*}
  [ -r "/proc/$pid/stat" ] || return 1
  local stat; stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  local fields; read -r -a fields <<<"${stat##*) }"
  [ "${fields[0]}" != Z ] || return 1
  local recorded=""; [ -r "/tmp/$1/owner-start-time" ] && recorded=$(cat "/tmp/$1/owner-start-time")
  [ -z "$recorded" ] || [ "$recorded" = "${fields[19]}" ]
}

node_pids() { # name
  { [ -e "/run/netns/$1" ] && ip netns pids "$1"
    find /sys/fs/cgroup/*/"$1" -name cgroup.procs -exec cat {} + 2>/dev/null
  } | sort -u | grep -vx "$$"
}

clean_node() { # name
  local name=$1 dir=/tmp/$1 pids i
  pids=$(node_pids "$name")
  # shellcheck disable=SC2086
  [ -n "$pids" ] && kill -TERM $pids 2>/dev/null
  for i in $(seq 100); do [ -z "$(node_pids "$name")" ] && break; sleep 0.1; done
  for i in $(seq 200); do
    pids=$(node_pids "$name"); [ -z "$pids" ] && break
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null; sleep 0.1
  done
  awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { print length($5), $5 }' /proc/self/mountinfo |
    sort -rn | cut -d' ' -f2- | while read -r m; do umount -l "$m"; done
  for i in $(seq 50); do
    find /sys/fs/cgroup/*/"$name" -depth -type d -exec rmdir {} \; 2>/dev/null
    ls -d /sys/fs/cgroup/*/"$name" >/dev/null 2>&1 || break; sleep 0.1
  done
  [ -d /var/lib/cni/results ] && grep -l -F "$dir/" /var/lib/cni/results/* 2>/dev/null | xargs -r rm -f
  [ -d "$dir" ] && find "$dir" -path '*/io.containerd.runtime.v2.task/*' -name address 2>/dev/null |
    xargs -r cat | sed -n 's#^unix://\(/run/containerd/s/.*\)#\1#p' | xargs -r rm -f
  [ -e "/run/netns/$name" ] && ip netns del "$name"
  if awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
    echo "not removing $dir: still mounted" >&2
  else
    rm -rf "$dir"
  fi
}

names=$( { ip netns list 2>/dev/null | awk '{print $1}'
           ls -d /tmp/cox-t-* /sys/fs/cgroup/*/cox-t-* 2>/dev/null | xargs -r -n1 basename
         } | grep -E '^cox-t-[0-9]+-[0-9a-f]+$' | sort -u)
for name in $names; do
  owner_alive "$name" || clean_node "$name"
done
