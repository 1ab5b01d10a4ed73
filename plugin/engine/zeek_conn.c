/*
 * tcpphase engine: Zeek's rules for a whole connection (issue 4): who its originator is, where
 * Zeek's session timers end it and start a new one on the same 4-tuple, and its conn_state.
 * The per-segment rules (states, history letters) are in zeek.c.
 */
#include "zeek_conn.h"

#include "side.h"
#include "zeek.h"
#include "zeek_ports.h"

#include <string.h>

#define NS_PER_S  1000000000LL
#define NS_PER_MS 1000000LL

/* Zeek's defaults, scripts/base/init-bare.zeek. */
#define ZK_ATTEMPT_DELAY (5 * NS_PER_S) /* tcp_attempt_delay */
#define ZK_CLOSE_DELAY   (5 * NS_PER_S) /* tcp_close_delay */
#define ZK_LINGER        (5 * NS_PER_S) /* tcp_connection_linger */
#define ZK_SYN_TIMEOUT   (5 * NS_PER_S) /* tcp_SYN_timeout: first expire check */
#define ZK_SESSION_TIMER (6 * NS_PER_S) /* tcp_session_timer: later expire checks */

/* By tp_zeek.timeout: udp_inactivity_timeout, tcp_inactivity_timeout, and an hour for
 * interactive ports (base/protocols/conn/inactivity.zeek). */
static const int64_t inactivity_ns[] = {60 * NS_PER_S, 300 * NS_PER_S, 3600 * NS_PER_S};

/* ---- where Zeek starts a new connection --------------------------------------------------- */

static bool any_ep_bit(const tp_zeek *z, uint8_t bit)
{
    return ((z->ep[0].bits | z->ep[1].bits) & bit) != 0;
}

static bool any_state(const tp_zeek *z, enum zk_state s)
{
    return zk_state_of(z, TP_CLIENT) == s || zk_state_of(z, TP_SERVER) == s;
}

/* ExpireTimer runs tcp_SYN_timeout after the start and every tcp_session_timer after that; it
 * removes a connection idle for tcp_connection_linger with a side closed and the other closed,
 * reset or silent. */
static bool expire_timer_removed(const tp_zeek *z, const tp_conn *c, int64_t now)
{
    bool both_closed = (z->ep[0].bits & z->ep[1].bits & ZK_EP_DID_CLOSE) != 0;
    if (!any_ep_bit(z, ZK_EP_DID_CLOSE) ||
        !(both_closed || any_state(z, ZK_RESET) || any_state(z, ZK_INACTIVE)))
        return false;
    int64_t idle = c->last_ns + ZK_LINGER, check = c->first_ns + ZK_SYN_TIMEOUT;
    if (idle >= check)
        check += ((idle - check) / ZK_SESSION_TIMER + 1) * ZK_SESSION_TIMER;
    return now >= check;
}

/* AttemptTimer: a SYN still unanswered tcp_attempt_delay later ends the attempt. */
static bool attempt_removed(const tp_zeek *z, const tp_conn *c, int64_t now)
{
    enum zk_state o = zk_state_of(z, tp_zeek_orig(z)), r = zk_state_of(z, TP_PEER(tp_zeek_orig(z)));
    return (z->bits & ZK_ATTEMPT) && now >= c->first_ns + ZK_ATTEMPT_DELAY &&
           (o == ZK_SYN_SENT || o == ZK_SYN_ACK_SENT) && r == ZK_INACTIVE;
}

static bool timed_out(const tp_zeek *z, const tp_conn *c, int64_t now)
{
    if (z->closed_ms &&
        now >= c->first_ns + (int64_t)(z->closed_ms - 1) * NS_PER_MS + ZK_CLOSE_DELAY)
        return true;
    return attempt_removed(z, c, now) || expire_timer_removed(z, c, now) ||
           now >= c->last_ns + inactivity_ns[z->timeout];
}

/*
 * IsReuse: on a live 4-tuple only a SYN starts a new connection: any SYN once a side has
 * closed, otherwise one not from the originator's starting sequence number. A SYN-ACK counts
 * only while the originator has said nothing (then the responder's start is compared), and a
 * SYN that follows its own SYN-ACK is the reversed handshake, not reuse.
 */
static bool reuse(const tp_zeek *z, const tp_conn *c, const tp_segment *seg)
{
    tp_dir o = tp_zeek_orig(z), r = TP_PEER(o), who = o;

    if (!(seg->flags & TP_SYN))
        return false;
    if (seg->flags & TP_ACK) {
        if (zk_state_of(z, o) != ZK_INACTIVE)
            return false;
        who = r;
    }
    if (any_ep_bit(z, ZK_EP_DID_CLOSE))
        return true;
    if (tp_zeek_same_start(c, who, seg->seq))
        return false;
    return !(!(seg->flags & TP_ACK) && zk_state_of(z, o) == ZK_SYN_ACK_SENT &&
             zk_state_of(z, r) == ZK_INACTIVE && tp_zeek_same_start(c, r, seg->seq));
}

bool tp_zeek_new_session(const tp_zeek *z, const struct tp_conn *c, const tp_segment *seg)
{
    if (!(z->bits & ZK_STARTED))
        return false;
    return timed_out(z, c, seg->time_ns) || reuse(z, c, seg);
}

/* ---- conn_state --------------------------------------------------------------------------- */

/* main.zeek's /\^?S[^HAFGIQ]*R.* /: the originator's SYN, then its RST before anything that
 * would show the responder answered. */
static bool syn_then_rst(const tp_zeek *z)
{
    char history[TP_ZEEK_HISTORY];
    const char *h = history;

    tp_zeek_history(z, history);
    if (*h == '^')
        h++;
    if (*h++ != 'S')
        return false;
    for (; *h; h++) {
        if (*h == 'R')
            return true;
        if (strchr("HAFGIQ", *h))
            return false;
    }
    return false;
}

static bool inactive(enum zk_state s)
{
    return s == ZK_INACTIVE || s == ZK_PARTIAL;
}

/* main.zeek, conn_state(): from the two endpoints' final states. */
static const char *conn_state(const tp_zeek *z)
{
    tp_dir o = tp_zeek_orig(z), r = TP_PEER(o);
    enum zk_state os = zk_state_of(z, o), rs = zk_state_of(z, r);

    if (rs == ZK_RESET) {
        if (os == ZK_SYN_SENT || os == ZK_SYN_ACK_SENT ||
            (os == ZK_RESET && !any_ep_bit(z, ZK_EP_DATA)))
            return "REJ";
        return inactive(os) ? "RSTRH" : "RSTR";
    }
    if (os == ZK_RESET) {
        if (inactive(rs))
            return syn_then_rst(z) ? "RSTOS0" : "OTH";
        return "RSTO";
    }
    if (os == ZK_CLOSED && rs == ZK_CLOSED)
        return "SF";
    if (os == ZK_CLOSED)
        return inactive(rs) ? "SH" : "S2";
    if (rs == ZK_CLOSED)
        return inactive(os) ? "SHR" : "S3";
    if (os == ZK_SYN_SENT && rs == ZK_INACTIVE)
        return "S0";
    if (os == ZK_ESTABLISHED && rs == ZK_ESTABLISHED)
        return "S1";
    return "OTH";
}

void tp_zeek_summarize(const tp_zeek *z, const struct tp_conn *c, char *state, size_t state_size,
                       char *history, size_t history_size)
{
    (void)c;
    g_strlcpy(state, conn_state(z), state_size);
    char h[TP_ZEEK_HISTORY];
    tp_zeek_history(z, h);
    g_strlcpy(history, h, history_size);
}
