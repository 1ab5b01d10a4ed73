# shellcheck shell=bash
# wireshark-gui.sh: driving the Wireshark (Qt) GUI under Xvfb, shared by tools/gui-screenshots
# and tests/gui/gui-check. Sourced, not run.
#
# Wireshark under Xvfb has no window manager, so keyboard focus cannot be given to a window:
# menus are opened by a click on their title, then walked with the arrow keys. Positions are
# those of Wireshark 4.0 (Debian 12) with its default font, the only GUI the tests run.

# The Statistics menu's title on the menu bar (pixels from the top left of the screen).
wsgui_statistics_x=324
wsgui_statistics_y=10
# Statistics > Flow Graph is the 17th item of the menu (separators are skipped): Capture File
# Properties ... Service Response Time, then the registered statistics in alphabetical order,
# in which 29West, ANCP, BACnet, Collectd and DNS precede Flow Graph.
wsgui_flow_graph_item=17

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
