#!/bin/bash
# scan-os: HEADER
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
# shellcheck source=../lib/scan.sh
source "$(dirname "$0")/../lib/scan.sh"
out_path "$0" "${1:-}"

scan_setup
nmap_run -O --max-os-tries 1 "${RAW[@]}" -p 1,22
