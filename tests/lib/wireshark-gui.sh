# shellcheck shell=bash
# wireshark-gui.sh: driving the Wireshark (Qt) GUI under Xvfb, shared by tools/gui-screenshots,
# bench/gui-open and the GUI tests (tests/gui). Sourced, not run.
#
# Wireshark under Xvfb has no window manager, so keyboard focus cannot be given to a window:
# menus are opened by a click on their title, then walked with the arrow keys; a widget gets the
# keys after a click on it. Positions are those of Wireshark 4.0 (Debian 12) with its default
# font, the only GUI the tests run.

# The Statistics menu's title on the menu bar (pixels from the top left of the screen).
wsgui_statistics_x=324
wsgui_statistics_y=10
# Statistics > Flow Graph is the 17th item of the menu (separators are skipped): Capture File
# Properties ... Service Response Time, then the registered statistics in alphabetical order,
# in which 29West, ANCP, BACnet, Collectd and DNS precede Flow Graph.
wsgui_flow_graph_item=17
# The packet details pane of a 1600x900 main window (wsgui_launch): the middle of its first row
# and the height of a row (one line of the default font).
wsgui_details_first_row_y=495
wsgui_details_row_height=17
# A point of that pane below the rows of a frame whose subtrees are collapsed (a click there
# gives the pane the keyboard and selects nothing).
wsgui_details_empty_y=840

# wsgui_start_xvfb WORKDIR WIDTH HEIGHT: starts a private X server on a free display; sets
# DISPLAY and wsgui_xvfb_pid. Returns 1 (with the log on stderr) if it did not start.
wsgui_start_xvfb() {
    local work="$1" width="$2" height="$3" fd
    exec {fd}>"$work/display"
    Xvfb -displayfd "$fd" -screen 0 "${width}x${height}x24" -nolisten tcp >"$work/xvfb.log" 2>&1 &
    # shellcheck disable=SC2034 # read by the script that sources this file
    wsgui_xvfb_pid=$!
    exec {fd}>&-
    for _ in $(seq 50); do
        [[ -s "$work/display" ]] && break
        sleep 0.1
    done
    if [[ ! -s "$work/display" ]]; then
        cat "$work/xvfb.log" >&2
        return 1
    fi
    DISPLAY=":$(head -n1 "$work/display")"
    export DISPLAY
}

# wsgui_open_flow_graph TITLE: Statistics > Flow Graph; waits for its window (named
# "Wireshark · Flow · TITLE") and prints its id. Returns 1 if it did not open.
wsgui_open_flow_graph() {
    local title="$1"
    xdotool mousemove "$wsgui_statistics_x" "$wsgui_statistics_y" click 1
    sleep 0.7
    for _ in $(seq "$wsgui_flow_graph_item"); do
        xdotool key Down
    done
    xdotool key Return
    timeout 30 xdotool search --sync --onlyvisible --name "Flow · $title" | head -n1
}

# --- The GUI tests (tests/gui): Wireshark with the Lua probe (tests/gui/probe.lua) ------------
#
# A test sets wsgui_prog (its name, for messages), checks wsgui_have_tools (skip with 77 when it
# fails), calls wsgui_prepare, may add to $wsgui_work (a profile, say), calls wsgui_launch and
# then drives the GUI, announcing each step with wsgui_phase and reading the probe's lines in
# $wsgui_work/probe.tsv (see probe.lua).

# wsgui_have_tools: whether wireshark, Xvfb and xdotool are there; says which one is missing.
wsgui_have_tools() {
    local tool
    for tool in wireshark Xvfb xdotool; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "${wsgui_prog:-wireshark-gui}: $tool missing (scripts/setup installs it): skipped"
            return 1
        fi
    done
}

# wsgui_prepare PLUGIN_DIR CAPTURE: a private folder $wsgui_work (removed on exit, with the GUI
# and its X server stopped) holding everything the GUI reads or writes, readable by the
# unprivileged user it runs as: HOME ($wsgui_work/home), the plugin folder, a copy of the
# capture (named $wsgui_capture), the probe, its output and phase files. Installs the EXIT trap.
wsgui_prepare() {
    local plugin_dir="$1" capture="$2"
    wsgui_as_user=()
    if [[ "$(id -u)" -eq 0 ]]; then
        # Wireshark ignores WIRESHARK_PLUGIN_DIR and personal folders when privileged.
        wsgui_as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
    fi
    wsgui_work="$(mktemp -d "${TMPDIR:-/tmp}/${wsgui_prog:-wireshark-gui}.XXXXXX")"
    wsgui_ws_pid=""
    trap wsgui_cleanup EXIT
    chmod 755 "$wsgui_work"
    mkdir -p "$wsgui_work/home/run" "$wsgui_work/plugins"
    chmod 700 "$wsgui_work/home/run"
    cp -r "$plugin_dir"/. "$wsgui_work/plugins/"
    wsgui_capture="$(basename "$capture")"
    cp "$capture" "$wsgui_work/$wsgui_capture"
    cp "$(dirname "${BASH_SOURCE[0]}")/../gui/probe.lua" "$wsgui_work/probe.lua"
    : >"$wsgui_work/probe.tsv"
    echo load >"$wsgui_work/phase"
}

wsgui_cleanup() {
    if [[ -n "${wsgui_ws_pid:-}" ]]; then kill "$wsgui_ws_pid" 2>/dev/null || true; fi
    if [[ -n "${wsgui_xvfb_pid:-}" ]]; then kill "$wsgui_xvfb_pid" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    if [[ -n "${wsgui_work:-}" ]]; then rm -rf "$wsgui_work"; fi
}

# wsgui_launch [WIRESHARK-ARGS...]: a private 1600x900 X server, then Wireshark with the probe
# on the capture (wireshark ARGS -X lua_script:probe.lua -r CAPTURE), its window moved to the top
# left and sized to the screen; sets wsgui_win. Returns 1, saying why, when the X server did
# not start or no window came within 60 s.
wsgui_launch() {
    wsgui_start_xvfb "$wsgui_work" 1600 900 || {
        echo "${wsgui_prog:-wireshark-gui}: Xvfb did not start" >&2
        return 1
    }
    if [[ ${#wsgui_as_user[@]} -gt 0 ]]; then chown -R nobody:nogroup "$wsgui_work"; fi
    "${wsgui_as_user[@]}" env -i PATH=/usr/bin:/bin HOME="$wsgui_work/home" DISPLAY="$DISPLAY" \
        XDG_RUNTIME_DIR="$wsgui_work/home/run" WIRESHARK_PLUGIN_DIR="$wsgui_work/plugins" \
        LC_ALL=C.UTF-8 PROBE_OUT="$wsgui_work/probe.tsv" PROBE_PHASE="$wsgui_work/phase" \
        wireshark "$@" -X "lua_script:$wsgui_work/probe.lua" -r "$wsgui_work/$wsgui_capture" \
        >"$wsgui_work/wireshark.log" 2>&1 &
    wsgui_ws_pid=$!
    wsgui_win="$(timeout 60 xdotool search --sync --onlyvisible --name "^$wsgui_capture" |
        head -n1)"
    if [[ -z "$wsgui_win" ]]; then
        tail -n 5 "$wsgui_work/wireshark.log" >&2
        echo "${wsgui_prog:-wireshark-gui}: no Wireshark window" >&2
        return 1
    fi
    xdotool windowmove "$wsgui_win" 0 0 windowsize "$wsgui_win" 1600 900
}

# wsgui_phase PHASE: what the GUI does next, for the probe's lines (after a moment, so that
# what the GUI still does for the previous step is not counted for this one).
wsgui_phase() {
    echo "$1" >"$wsgui_work/phase"
    sleep 0.5
}

# wsgui_rows PHASE: the probe's lines of that phase for revisits that built an Info column (the
# packet list's rows, the Flow Graph's arrows).
wsgui_rows() {
    awk -F'\t' -v p="$1" '$1 == p && $2 == "true" && $7 != "-"' "$wsgui_work/probe.tsv"
}

# wsgui_rows_seen PHASE FRAMES: whether that phase built the Info column of FRAMES frames.
wsgui_rows_seen() { [[ "$(wsgui_rows "$1" | cut -f3 | sort -u | wc -l)" -ge "$2" ]]; }

# wsgui_details PHASE FRAME: the probe's lines of that phase for the dissections of FRAME with
# a visible tree (the packet details pane): those with tcpphase's header text.
wsgui_details() {
    awk -F'\t' -v p="$1" -v f="$2" '$1 == p && $2 == "true" && $3 == f && $8 != "-" &&
        $8 != "TCP Connection Phase"' "$wsgui_work/probe.tsv"
}

# wsgui_wait_for SECONDS COMMAND...: polls until the command succeeds; 1 if it never did.
wsgui_wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.5
    done
}

# wsgui_details_key KEY...: keys for the packet details pane, after a click on its empty part
# (wsgui_details_empty_y), which gives it the keyboard: Home selects its first row, Down the
# next, Right expands the selected row.
wsgui_details_key() {
    xdotool mousemove 300 "$wsgui_details_empty_y" click 1
    sleep 0.3
    local key
    for key in "$@"; do
        xdotool key "$key"
        sleep 0.1
    done
}

# wsgui_details_double_click ROW: a double click on the row ROW (0 for the first) of the packet
# details pane, which for a frame number field (a link) selects that frame.
wsgui_details_double_click() {
    xdotool mousemove 300 $((wsgui_details_first_row_y + $1 * wsgui_details_row_height)) \
        click --repeat 2 --delay 80 1
}
