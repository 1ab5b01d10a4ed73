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
    [TP_ROLE_KEEPALIVE] = "keepalive",
    [TP_ROLE_KEEPALIVE_ACK] = "keepalive-ack",
    [TP_ROLE_PROBE] = "probe",
    [TP_ROLE_RST_PROBE] = "rst-probe",
    [TP_ROLE_DUPLICATE] = "duplicate",
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
    [TP_FIND_PROBE] = "probe",
    [TP_FIND_SYN_UNANSWERED] = "syn_unanswered",
    [TP_FIND_SCAN] = "scan",
    [TP_FIND_OUT_OF_ORDER] = "out_of_order",
};

static const char *const scan_type_names[TP_SCAN_TYPE_COUNT] = {
    [TP_SCAN_SYN] = "SYN",         [TP_SCAN_CONNECT] = "connect", [TP_SCAN_ACK] = "ACK",
    [TP_SCAN_FIN] = "FIN",         [TP_SCAN_NULL] = "NULL",       [TP_SCAN_XMAS] = "Xmas",
    [TP_SCAN_OS] = "OS detection",
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

const char *tp_scan_type_name(tp_scan_type t)
{
    return NAME_OR_UNKNOWN(scan_type_names, t, TP_SCAN_TYPE_COUNT, "unknown");
}

/* IPv6 as RFC 5952 writes it: lower-case hex groups, the longest run of two or more zero
 * groups (the first of equal ones) as "::". */
static char *v6_text(const uint8_t *b, char *out, size_t size)
{
    unsigned g[8];
    int best = -1, best_len = 1, n = 0;

    for (int i = 0; i < 8; i++)
        g[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
    for (int i = 0; i < 8; i++) {
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        if (j > i)
            i = j - 1;
    }
    out[0] = '\0';
    for (int i = 0; i < 8 && (size_t)n < size; i++) {
        if (i == best) {
            n += snprintf(out + n, size - (size_t)n, "::");
            i += best_len - 1;
            continue;
        }
        bool colon = i > 0 && i != best + best_len;
        n += snprintf(out + n, size - (size_t)n, "%s%x", colon ? ":" : "", g[i]);
    }
    return out;
}

char *tp_addr_text(const tp_addr *a, char *out, size_t size)
{
    if (size == 0)
        return out;
    if (a->len == 16)
        return v6_text(a->bytes, out, size);
    if (a->len == 4)
        snprintf(out, size, "%u.%u.%u.%u", a->bytes[0], a->bytes[1], a->bytes[2], a->bytes[3]);
    else
        snprintf(out, size, "?");
    return out;
}
