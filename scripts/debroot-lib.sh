# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the scripts that keep a debootstrapped Debian root in the
# cache (scripts/qemu10.sh, scripts/sid-root.sh); log() is the caller's.

# drop_tree DIR: remove a (partial) root.  debootstrap mounts proc and
# sysfs inside its target during the second stage; if it was killed they
# may still be mounted, so unmount everything below the dir (deepest
# first) before deleting, and never cross into another filesystem.
drop_tree() {
	local d=$1 m
	[ -e "$d" ] || return 0
	for m in $(awk -v p="$d/" 'index($5, p) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
	done
	rm -rf --one-file-system "$d"
}

# need_debootstrap: install debootstrap if it is missing.
need_debootstrap() {
	command -v debootstrap >/dev/null 2>&1 && return 0
	log "installing debootstrap"
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2
}
