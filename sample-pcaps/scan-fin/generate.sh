#!/bin/bash
# scan-fin: HEADER
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
# shellcheck source=../lib/scan.sh
source "$(dirname "$0")/../lib/scan.sh"
out_path "$0" "${1:-}"

scan_setup
nmap_run -sF "${RAW[@]}" -p 10-25,79-81,8080
