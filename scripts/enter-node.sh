#!/bin/sh
# Usage: enter-node.sh NETNS_PATH SCRATCH_DIR COMMAND [ARGS...]
# Runs COMMAND inside a test or benchmark "node": the network namespace NETNS_PATH and a private mount
# namespace that dies with its processes (containerd's mounts stay in it). /sys is remounted so that it
# shows the namespace's network devices, keeping the machine's cgroup hierarchies under /sys/fs/cgroup
# (`ip netns exec` hides them, and runc then fails "no cgroup mount found in mountinfo"). SCRATCH_DIR
# holds the one-launch temporary mount point. Ends by exec-ing COMMAND, so its pid is the one started.
set -e
netns=$1 scratch=$2
shift 2
exec nsenter --net="$netns" -- unshare --mount --propagation slave -- sh -c '
set -e
keep=$(mktemp -d "$0/cgroup-mounts-XXXXXX")
mount --rbind /sys/fs/cgroup "$keep"
mount -t sysfs sysfs /sys
mount --move "$keep" /sys/fs/cgroup
rmdir "$keep"
exec "$@"' "$scratch" "$@"
