/*
 * tcpphase engine: the tokens of the contract. They are the display-filter strings users type
 * (tcpphase.role == "final-ack"), so they never change once released.
 */
#include "tcpphase.h"

#include <stdio.h>

#define NAME_OR_UNKNOWN(table, i, count, unknown)                                                  \
    (((unsigned)(i) < (count) && (table)[i]) ? (table)[i] : (unknown))

/* RFC 9293 3.3.2 spells the states with hyphens. */
static const char *const state_names[TP_STATE_COUNT] = {
    [TP_UNKNOWN] = "UNKNOWN",
    [TP_CLOSED] = "CLOSED",
    [TP_LISTEN] = "LISTEN",
    [TP_SYN_SENT] = "SYN-SENT",
    [TP_SYN_RECEIVED] = "SYN-RECEIVED",
    [TP_ESTABLISHED] = "ESTABLISHED",
    [TP_FIN_WAIT_1] = "FIN-WAIT-1",
    [TP_FIN_WAIT_2] = "FIN-WAIT-2",
    [TP_CLOSE_WAIT] = "CLOSE-WAIT",
    [TP_CLOSING] = "CLOSING",
    [TP_LAST_ACK] = "LAST-ACK",
    [TP_TIME_WAIT] = "TIME-WAIT",
};

static const char *const role_names[TP_ROLE_COUNT] = {
    [TP_ROLE_UNKNOWN] = "unknown",
    [TP_ROLE_SYN] = "syn",
    [TP_ROLE_SYN_RETRANSMIT] = "syn-retransmit",
    [TP_ROLE_SYN_ACK] = "syn-ack",
    [TP_ROLE_SYN_ACK_RETRANSMIT] = "syn-ack-retransmit",
    [TP_ROLE_HANDSHAKE_ACK] = "handshake-ack",
    [TP_ROLE_SIMULTANEOUS_SYN] = "simultaneous-syn",
    [TP_ROLE_SIMULTANEOUS_SYN_ACK] = "simultaneous-syn-ack",
    [TP_ROLE_DATA] = "data",
    [TP_ROLE_ACK] = "ack",
    [TP_ROLE_HALF_CLOSED_DATA] = "half-closed-data",
    [TP_ROLE_FIN_ACTIVE] = "fin-active",
    [TP_ROLE_ACK_OF_FIN] = "ack-of-fin",
    [TP_ROLE_FIN_PASSIVE] = "fin-passive",
    [TP_ROLE_FIN_SIMULTANEOUS] = "fin-simultaneous",
    [TP_ROLE_FINAL_ACK] = "final-ack",
    [TP_ROLE_FIN_RETRANSMIT] = "fin-retransmit",
    [TP_ROLE_RST_REFUSED] = "rst-refused",
    [TP_ROLE_RST_INSTEAD_OF_FIN] = "rst-instead-of-fin",
    [TP_ROLE_RST_AFTER_FIN] = "rst-after-fin",
    [TP_ROLE_RST_HALF_OPEN] = "rst-half-open",
    [TP_ROLE_RST_OUT_OF_WINDOW] = "rst-out-of-window",
    [TP_ROLE_AFTER_CLOSE] = "after-close",
    [TP_ROLE_MID_STREAM] = "mid-stream",
};

static const char *const phase_names[TP_PHASE_COUNT] = {
    [TP_PHASE_UNKNOWN] = "unknown",         [TP_PHASE_HANDSHAKE] = "handshake",
    [TP_PHASE_ESTABLISHED] = "established", [TP_PHASE_CLOSING] = "closing",
    [TP_PHASE_CLOSED] = "closed",           [TP_PHASE_RESET] = "reset",
};

static const char *const dir_names[2] = {
    [TP_CLIENT] = "client",
    [TP_SERVER] = "server",
};

/* The expert items' filter names without the "tcpphase." prefix. */
static const char *const finding_names[TP_FIND_COUNT] = {
    [TP_FIND_HALF_OPEN] = "half_open",
    [TP_FIND_HALF_CLOSED] = "half_closed",
    [TP_FIND_TIME_WAIT_REUSE] = "time_wait_reuse",
    [TP_FIND_RST_INSTEAD_OF_FIN] = "rst_instead_of_fin",
    [TP_FIND_RST_AFTER_FIN] = "rst_after_fin",
    [TP_FIND_CAPTURE_GAP] = "capture_gap",
    [TP_FIND_NOT_DELIVERED] = "lost_after_capture",
};

/* tcpphase.gap names the missed segment as the roles would: "<side> <kind>". */
static const char *const gap_names[TP_GAP_COUNT] = {
    [TP_GAP_SYN_ACK] = "SYN-ACK",
    [TP_GAP_HANDSHAKE_ACK] = "handshake-ack",
    [TP_GAP_DATA] = "data",
    [TP_GAP_FIN] = "FIN",
};

static const char *const open_names[TP_OPEN_COUNT] = {
    [TP_OPEN_UNKNOWN] = "unknown",
    [TP_OPEN_3WAY] = "3way",
    [TP_OPEN_SIMULTANEOUS] = "simultaneous",
    [TP_OPEN_REFUSED] = "refused",
    [TP_OPEN_SYN_UNANSWERED] = "syn-unanswered",
    [TP_OPEN_SYNACK_UNACKED] = "synack-unacked",
    [TP_OPEN_MID_STREAM] = "mid-stream",
};

static const char *const close_names[TP_CLOSE_COUNT] = {
    [TP_CLOSE_UNKNOWN] = "unknown",
    [TP_CLOSE_FIN_4WAY] = "fin-4way",
    [TP_CLOSE_FIN_3WAY] = "fin-3way",
    [TP_CLOSE_FIN_SIMULTANEOUS] = "fin-simultaneous",
    [TP_CLOSE_HALF_CLOSED] = "half-closed",
    [TP_CLOSE_RST_INSTEAD_OF_FIN] = "rst-instead-of-fin",
    [TP_CLOSE_RST_AFTER_FIN] = "rst-after-fin",
    [TP_CLOSE_RST_HALF_OPEN] = "rst-half-open",
    [TP_CLOSE_REFUSED] = "refused",
    [TP_CLOSE_SYN_UNANSWERED] = "syn-unanswered",
    [TP_CLOSE_OPEN] = "open",
};

const char *tp_state_name(tp_state s)
{
    return NAME_OR_UNKNOWN(state_names, s, TP_STATE_COUNT, "UNKNOWN");
}

const char *tp_role_name(tp_role r)
{
    return NAME_OR_UNKNOWN(role_names, r, TP_ROLE_COUNT, "unknown");
}

const char *tp_phase_name(tp_phase p)
{
    return NAME_OR_UNKNOWN(phase_names, p, TP_PHASE_COUNT, "unknown");
}

const char *tp_dir_name(tp_dir d)
{
    return NAME_OR_UNKNOWN(dir_names, d, 2u, "unknown");
}

const char *tp_finding_name(tp_finding_kind k)
{
    return NAME_OR_UNKNOWN(finding_names, k, TP_FIND_COUNT, "unknown");
}

const char *tp_open_name(tp_open_style s)
{
    return NAME_OR_UNKNOWN(open_names, s, TP_OPEN_COUNT, "unknown");
}

const char *tp_close_name(tp_close_style s)
{
    return NAME_OR_UNKNOWN(close_names, s, TP_CLOSE_COUNT, "unknown");
}

const char *tp_seen_name(const bool seen[2])
{
    if (seen[TP_CLIENT] && seen[TP_SERVER])
        return "both";
    if (seen[TP_CLIENT] || seen[TP_SERVER])
        return seen[TP_CLIENT] ? "client-only" : "server-only";
    return "none";
}

char *tp_gaps_text(uint32_t gaps, char *out, size_t size)
{
    size_t len = 0;

    if (size == 0)
        return out;
    out[0] = '\0';
    for (unsigned bit = 0; bit < 2 * TP_GAP_COUNT; bit++) {
        if (!(gaps & (1u << bit)))
            continue;
        int n = snprintf(out + len, size - len, "%s%s %s", len ? ", " : "",
                         tp_dir_name(bit < TP_GAP_COUNT ? TP_CLIENT : TP_SERVER),
                         gap_names[bit % TP_GAP_COUNT]);
        if (n < 0 || (size_t)n >= size - len)
            break; /* cut: snprintf terminated it */
        len += (size_t)n;
    }
    return out;
}
