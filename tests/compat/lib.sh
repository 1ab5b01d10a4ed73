# shellcheck shell=bash
# lib.sh: shared by tests/compat/run and tests/compat/deb-test. Sourced, not run.
#
# Keeps one Debian chroot per suite under $TCPPHASE_COMPAT_CACHE (default
# /var/cache/tcpphase-compat), made with debootstrap from the mirror the host's apt already
# uses, so a compat check needs no network beyond what apt needs, and a second run reuses it.
#
# Environment:
#   TCPPHASE_COMPAT_CACHE   where the chroots live (default /var/cache/tcpphase-compat)
#   TCPPHASE_COMPAT_MIRROR  Debian mirror URL (default: read from the host's apt sources)
#   TCPPHASE_COMPAT_UPDATE  1: apt-get update + upgrade a cached chroot before using it
#   TCPPHASE_COMPAT_SRC     the source tree to build and test (default: this checkout)

compat_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The tree to build: this checkout, or TCPPHASE_COMPAT_SRC (e.g. an exported snapshot).
compat_src="$(cd "${TCPPHASE_COMPAT_SRC:-$compat_here/../..}" && pwd)"
compat_cache="${TCPPHASE_COMPAT_CACHE:-/var/cache/tcpphase-compat}"

# Everything the build and the tests need inside the chroot. python3: tests/plugin writes its
# synthetic captures with it; util-linux: setpriv, with which tests/lib/tshark-user drops root;
# dpkg-dev and file: dpkg-shlibdeps and file, which CPack uses to fill in the .deb's library
# dependencies.
compat_packages=(wireshark-dev tshark cmake gcc make libc6-dev pkg-config python3 util-linux
    diffutils dpkg-dev file)

# Where the source tree and the build appear inside the chroot (the build folder is used by the
# scripts that source this file).
compat_chroot_src=/src/tcpphase
# shellcheck disable=SC2034
compat_chroot_build=/var/tmp/tcpphase-build

# Mounts made by this process, undone in reverse order by compat_cleanup.
compat_mounts=()

compat_die() {
    echo "${0##*/}: $*" >&2
    exit 1
}

compat_log() {
    printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"
}

# compat_suite VERSION: the Debian suite whose wireshark-dev is that Wireshark series.
compat_suite() {
    case "$1" in
    4.0) echo bookworm ;;
    4.4) echo trixie ;;
    4.6) echo sid ;;
    *) return 1 ;;
    esac
}

# compat_mirror: the Debian archive URL the host's apt uses for its own release, read from
# /etc/apt/sources.list* (one-line and deb822 formats), so no host is written down here.
compat_mirror() {
    if [[ -n "${TCPPHASE_COMPAT_MIRROR:-}" ]]; then
        echo "$TCPPHASE_COMPAT_MIRROR"
        return
    fi
    local codename url=""
    codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
    [[ -n "$codename" ]] || compat_die "cannot tell the host's Debian codename from /etc/os-release"
    shopt -s nullglob
    local lists=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list)
    local sources=(/etc/apt/sources.list.d/*.sources)
    shopt -u nullglob
    # One-line format: "deb [options] URL SUITE COMPONENTS...". The bare codename (not
    # CODENAME-security or -updates) marks the main archive.
    if [[ ${#lists[@]} -gt 0 ]]; then
        url="$(awk -v c="$codename" '$1 == "deb" {
                for (i = 2; i < NF; i++) if ($i ~ /^[a-z+]+:\/\//) { if ($(i + 1) == c) { print $i; exit } break }
            }' "${lists[@]}" 2>/dev/null || true)"
    fi
    # deb822 format: a stanza whose Suites holds the bare codename; its first URI.
    if [[ -z "$url" && ${#sources[@]} -gt 0 ]]; then
        url="$(awk -v c="$codename" 'BEGIN { RS = ""; FS = "\n" }
            {
                uris = ""; suite_ok = 0; deb_ok = 0
                for (i = 1; i <= NF; i++) {
                    if ($i ~ /^#/) continue
                    n = split($i, w, /[ \t]+/)
                    if (w[1] == "URIs:") uris = w[2]
                    if (w[1] == "Types:") for (j = 2; j <= n; j++) if (w[j] == "deb") deb_ok = 1
                    if (w[1] == "Suites:") for (j = 2; j <= n; j++) if (w[j] == c) suite_ok = 1
                }
                if (uris != "" && suite_ok && deb_ok) { print uris; exit }
            }' "${sources[@]}" 2>/dev/null || true)"
    fi
    [[ -n "$url" ]] || compat_die "no '$codename' Debian archive in /etc/apt/sources.list*;" \
        "set TCPPHASE_COMPAT_MIRROR"
    echo "${url%/}"
}

# compat_mounts_under DIR: succeeds if anything is mounted at or below DIR.
compat_mounts_under() {
    local dir
    dir="$(realpath -m "$1")"
    awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { found = 1 } END { exit !found }' \
        /proc/self/mounts
}

# compat_rm_chroot DIR: deletes a chroot, refusing while anything is mounted inside it, since a
# bind mount of the source tree would otherwise be deleted with it.
compat_rm_chroot() {
    if compat_mounts_under "$1"; then
        compat_die "refusing to delete $1: something is still mounted under it"
    fi
    rm -rf --one-file-system "$1"
}

compat_mount() {
    mount "$@"
    compat_mounts+=("${!#}")
}

# compat_mount_source ROOT: the source tree read-only at $compat_chroot_src, so the build cannot
# write into it and always sees the current files.
compat_mount_source() {
    local root="$1"
    mkdir -p "$root$compat_chroot_src"
    compat_mount --bind "$compat_src" "$root$compat_chroot_src"
    mount -o remount,bind,ro "$root$compat_chroot_src"
    # tests/plugin also reads Zeek's public traces beside the repository when they are there
    # (../shared/oracle/zeek/traces); offer them at the same relative place.
    local traces="$compat_src/../shared/oracle/zeek/traces"
    if [[ -d "$traces" ]]; then
        local at="$root$compat_chroot_src/../shared/oracle/zeek/traces"
        mkdir -p "$at"
        compat_mount --bind "$traces" "$at"
        mount -o remount,bind,ro "$at"
    fi
}

# compat_cleanup: unmounts what this process mounted, newest first. Set as an EXIT trap.
compat_cleanup() {
    local i
    for ((i = ${#compat_mounts[@]} - 1; i >= 0; i--)); do
        # A lazy unmount as a last resort: a stray process still inside must not keep the
        # mount (and so the host's source tree) attached to the chroot.
        umount "${compat_mounts[i]}" 2>/dev/null || umount -l "${compat_mounts[i]}" ||
            echo "${0##*/}: could not unmount ${compat_mounts[i]}" >&2
    done
    compat_mounts=()
}

# in_chroot ROOT COMMAND...: runs COMMAND inside ROOT with a clean, predictable environment.
in_chroot() {
    local root="$1"
    shift
    chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# compat_lock SUITE: holds a lock on SUITE's chroot until this process exits, so two runs for
# the same suite (which share the chroot and its build folder) wait for each other.
compat_lock() {
    mkdir -p "$compat_cache"
    exec {compat_lock_fd}>"$compat_cache/$1.lock"
    flock "$compat_lock_fd"
}

# compat_chroot SUITE: sets compat_root to a ready chroot for SUITE, creating or completing it
# first. Not to be called in $(...): the mounts it records must reach compat_cleanup.
# A chroot is only moved to its final name once complete, so an interrupted debootstrap is
# never mistaken for a cached one.
compat_chroot() {
    local suite="$1"
    local root="$compat_cache/$suite"
    local stamp="$root/.tcpphase-compat-packages"
    mkdir -p "$compat_cache"
    if [[ ! -f "$stamp" ]]; then
        local mirror partial="$compat_cache/$suite.partial"
        mirror="$(compat_mirror)"
        command -v debootstrap >/dev/null 2>&1 || {
            compat_log "installing debootstrap on the host"
            # A fresh machine may have no package lists yet.
            apt-get install -y debootstrap || { apt-get update && apt-get install -y debootstrap; }
        }
        # Leftovers of an interrupted run: a chroot without the stamp never finished apt-get.
        if [[ -e "$root" ]]; then compat_rm_chroot "$root"; fi
        if [[ -e "$partial" ]]; then compat_rm_chroot "$partial"; fi
        compat_log "debootstrap --variant=minbase $suite from $mirror into $partial"
        debootstrap --variant=minbase "$suite" "$partial" "$mirror" >"$compat_cache/$suite.log" 2>&1 ||
            { tail -n 30 "$compat_cache/$suite.log" >&2; compat_die "debootstrap $suite failed"; }
        mv "$partial" "$root"
        # Only the main archive: the packages under test are in main, and security or
        # -updates suites are not there for sid anyway.
        echo "deb $mirror $suite main" >"$root/etc/apt/sources.list"
    fi
    cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    # /proc for apt, dpkg and the tests; /dev for /dev/null and /dev/urandom.
    compat_mount -t proc proc "$root/proc"
    compat_mount --bind /dev "$root/dev"
    # Recommends would pull in a desktop's worth of packages the build and tests never use.
    mkdir -p "$root/etc/apt/apt.conf.d"
    # Valid-Until: a mirror that is a dated snapshot serves sid's and testing's Release files
    # past their one-week validity, which apt would refuse; the signatures are still checked.
    printf '%s\n' 'APT::Install-Recommends "false";' 'Acquire::Check-Valid-Until "false";' \
        >"$root/etc/apt/apt.conf.d/90tcpphase-compat"
    local want
    want="$(printf '%s\n' "${compat_packages[@]}")"
    if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" || "${TCPPHASE_COMPAT_UPDATE:-0}" == 1 ]]; then
        compat_log "apt-get install in the $suite chroot: ${compat_packages[*]}"
        {
            in_chroot "$root" apt-get update &&
                { [[ "${TCPPHASE_COMPAT_UPDATE:-0}" != 1 ]] || in_chroot "$root" apt-get -y dist-upgrade; } &&
                in_chroot "$root" apt-get install -y "${compat_packages[@]}" &&
                in_chroot "$root" apt-get clean
        } >>"$compat_cache/$suite.log" 2>&1 ||
            { tail -n 30 "$compat_cache/$suite.log" >&2; compat_die "apt-get in the $suite chroot failed"; }
        echo "$want" >"$stamp"
    fi
    # shellcheck disable=SC2034 # the result, read by the caller
    compat_root="$root"
}

# compat_versions ROOT: what the chroot's suite ships, as apt-cache policy shows it.
compat_versions() {
    in_chroot "$1" apt-cache policy tshark wireshark-dev | sed 's/^/    /'
}

# compat_ws_series ROOT: the major.minor of the Wireshark installed in ROOT.
compat_ws_series() {
    # shellcheck disable=SC2016 # ${Version} is dpkg-query's, not the shell's
    in_chroot "$1" dpkg-query -W -f '${Version}' libwireshark-dev | sed -E 's/^([0-9]+:)?([0-9]+\.[0-9]+).*/\2/'
}

# compat_timer_start / compat_elapsed: seconds since compat_timer_start, for the timings.
compat_timer_start() {
    date +%s
}
compat_elapsed() {
    echo $(($(date +%s) - $1))
}
