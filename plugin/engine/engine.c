/*
 * tcpphase engine: feeding segments and reading results.
 *
 * One straight path per segment, top to bottom; each stage gets the connection record and the
 * segment, returns what it found, and calls nothing above it:
 *
 *   tp_engine_feed   the frame's result slot (results.c)
 *    |- find the connection       conntable.c
 *    |- the common segment        fastpath.c: data or an ACK, established both ways, in order,
 *    |                            nothing awaited; the handshake's SYN,ACK and last ACK; the
 *    |                            close's FINs and ACKs, and half-closed data; no stage below
 *    |                            would act but the record, so it goes straight to Zeek's view
 *    |                            and the record, and returns
 *    |- which incarnation         incarnation.c (of the 4-tuple)
 *    '- step
 *        |- segments no state takes: copy.c (a copy of the latest), probe.c, scan.c (an ACK
 *        |                        scan's lone ACK): nothing is taken back, no state moves
 *        |- take back             delivery.c (captured segments never delivered),
 *        |                        order.c (a FIN past a hole, taken once the hole fills),
 *        |                        keepalive.c (a keep-alive the capture started on),
 *        |                        evidence.c (segments the capture missed, or holds later)
 *        |- classify              classify.c (the event, from the receiver's side)
 *        |- transition table      transitions.c (both endpoints' states after it)
 *        |- role                  classify.c; keepalive.c, probe.c name what it answers
 *        |- findings              findings.c (stored as facts; text written on reading)
 *        |- Zeek's view           zeek.c
 *        '- record                endpoint.c, delivery.c (round trips), state.c, side.c,
 *                                 scan.c (attempts and answers), keepalive.c (for the answer)
 *   where a stage proves an earlier frame's answer wrong (a segment never delivered, a SYN
 *   sent again, a FIN not taken, a byte taken for a FIN, a scan's early ACKs), hindsight.c
 *   writes the frames' corrected answers for the second look into corrections.c.
 *
 * Below the stages are the records (conn.h) and their stores (conntable.c, side.c,
 * results.c); state.c is the one writer of states. Each frame is computed once, when first
 * fed, and its 12-byte result stored; later look-ups only read it (the way Wireshark's transum
 * computes on the first pass and only draws on revisits). Facts that need hindsight are
 * derived from the connection record at look-up time.
 */
#include "tcpphase.h"

#include "classify.h"
#include "copy.h"
#include "corrections.h"
#include "coverage.h"
#include "delivery.h"
#include "evidence.h"
#include "fastpath.h"
#include "findings.h"
#include "hindsight.h"
#include "endpoint.h"
#include "incarnation.h"
#include "keepalive.h"
#include "order.h"
#include "probe.h"
#include "results.h"
#include "scan.h"
#include "side.h"
#include "state.h"
#include "summary.h"
#include "transitions.h"
#include "zeek.h"

#include <glib.h>

#define TIME_LIMIT_NS ((int64_t)1 << 62)

struct tp_engine {
    tp_config cfg;
    tp_conntable *conns;
    tp_results results;
    tp_findings *findings;
    tp_coverage *coverage;
    tp_scans *scans;
    tp_corrections *corrections;
};

tp_engine *tp_engine_new(const tp_config *cfg)
{
    tp_engine *e = g_new0(tp_engine, 1);
    e->cfg.time_wait_s = 60.0;
    if (cfg && cfg->time_wait_s >= 0)
        e->cfg = *cfg;
    e->conns = tp_conntable_new();
    e->findings = tp_findings_new(&e->cfg);
    e->coverage = tp_coverage_new();
    e->scans = tp_scans_new();
    e->corrections = tp_corrections_new();
    return e;
}

void tp_engine_free(tp_engine *e)
{
    if (!e)
        return;
    tp_conntable_free(e->conns);
    tp_results_free(&e->results);
    tp_findings_free(e->findings);
    tp_coverage_free(e->coverage);
    tp_scans_free(e->scans);
    tp_corrections_free(e->corrections);
    g_free(e);
}

const tp_result *tp_engine_lookup(const tp_engine *e, uint32_t frame)
{
    return e ? tp_results_get(&e->results, frame) : NULL;
}

static bool segment_valid(const tp_segment *seg)
{
    return seg->frame > 0 && seg->frame < UINT32_MAX && (seg->src.len == 4 || seg->src.len == 16) &&
           seg->src.len == seg->dst.len;
}

/* ---- one segment ------------------------------------------------------------------------- */

static void note(tp_result *r, tp_finding_kind kind)
{
    r->findings |= 1u << kind;
}

static void half_open(tp_engine *e, const tp_segment *seg, tp_result *r, tp_half_open_kind kind,
                      tp_dir dir)
{
    r->half_open_kind = kind;
    tp_findings_half_open(e->findings, seg->frame, kind, dir);
    note(r, TP_FIND_HALF_OPEN);
}

/* Immediate findings, judged on the connection as it was before the segment. */
static void find(tp_engine *e, tp_conn *c, tp_dir dir, const tp_segment *seg, tp_result *r)
{
    tp_endpoint *sender = &c->ep[dir];

    switch ((tp_role)r->role) {
    case TP_ROLE_HALF_CLOSED_DATA:
        if (!sender->half_closed_noted) {
            sender->half_closed_noted = true;
            tp_findings_half_closed(e->findings, seg->frame, dir);
            note(r, TP_FIND_HALF_CLOSED);
        }
        break;
    case TP_ROLE_RST_INSTEAD_OF_FIN:
        tp_findings_rst_instead_of_fin(e->findings, seg->frame, c, dir, seg);
        note(r, TP_FIND_RST_INSTEAD_OF_FIN);
        break;
    case TP_ROLE_RST_AFTER_FIN:
        tp_findings_rst_after_fin(e->findings, seg->frame,
                                  tp_conn_bytes_after_peer_fin(e->conns, c, TP_PEER(dir)), dir);
        note(r, TP_FIND_RST_AFTER_FIN);
        break;
    case TP_ROLE_RST_HALF_OPEN:
        if (tp_state_synchronized((tp_state)r->before[TP_PEER(dir)]) &&
            r->before[TP_PEER(dir)] != TP_TIME_WAIT && r->before[dir] != TP_SYN_SENT)
            half_open(e, seg, r, TP_HALF_OPEN_PEER_LOST_STATE, dir);
        else if (dir == TP_CLIENT && r->before[TP_SERVER] == TP_SYN_RECEIVED && !c->synack_acked)
            half_open(e, seg, r, TP_HALF_OPEN_SYNACK_RESET, dir);
        break;
    case TP_ROLE_PROBE:
        /* One item a probe, until its sender is known to be scanning: the scan then speaks
         * for all of them (tcpphase.scan). */
        if (!tp_scans_active(e->scans, seg)) {
            tp_findings_probe(e->findings, seg->frame, seg->flags, dir);
            note(r, TP_FIND_PROBE);
        }
        break;
    default:
        break;
    }
    if (c->challenge_pending && dir == c->challenge_dir) {
        c->challenge_pending = false;
        if (!(seg->flags & (TP_SYN | TP_RST)))
            half_open(e, seg, r, TP_HALF_OPEN_CHALLENGE_ACK, dir);
    }
}

/* A FIN's capture gap filled later by the captured data (order.c): out of order, not missed.
 * Only a lone gap of the FIN's own data, the case order.c holds a FIN for. */
static void gap_filled(tp_engine *e, uint32_t fin_frame, uint32_t by)
{
    const tp_result *fin = tp_results_get(&e->results, fin_frame);
    if (fin && (fin->findings & (1u << TP_FIND_CAPTURE_GAP)) &&
        tp_findings_gaps(e->findings, fin_frame) == TP_GAP_BIT(fin->sender, TP_GAP_DATA))
        tp_corrections_gap_filled(e->corrections, fin_frame, by);
}

/* Once a host is known to be scanning, the lone ACKs it opened connections with before were
 * probes too (an ACK scan): in the second look they are `probe`, moving no state, and the RST
 * answering one leaves its sender UNKNOWN (hindsight.c). */
static void correct_early_acks(tp_engine *e, const tp_segment *seg)
{
    uint32_t ids[8];
    size_t n = tp_scans_early_acks(e->scans, seg, ids, G_N_ELEMENTS(ids));

    tp_hindsight_early_acks(e->corrections, &e->results, e->conns, ids, n, seg->frame,
                            seg->time_ns);
}

/* A scan's attempts (a client's SYN or probe opening a connection) and the answers to them. */
static void account_scan(tp_engine *e, tp_conn *c, tp_dir dir, const tp_segment *seg, tp_result *r)
{
    tp_role role = (tp_role)r->role;

    if (c->first_frame == seg->frame) {
        if (dir == TP_CLIENT &&
            (role == TP_ROLE_SYN || role == TP_ROLE_PROBE || tp_probe_lone_ack(c, seg)) &&
            tp_scans_attempt(e->scans, c, seg)) {
            correct_early_acks(e, seg);
            if (tp_probe_lone_ack(c, seg)) { /* the lone ACK that shows the scan is a probe */
                r->role = TP_ROLE_PROBE;
                r->event = TP_EV_NONE;
                r->after[dir] = r->before[dir];
            }
        }
        return;
    }
    if (role == TP_ROLE_SYN_ACK && dir == TP_SERVER)
        tp_scans_answer(e->scans, c, TP_ANSWER_OPEN);
    else if ((role == TP_ROLE_RST_REFUSED || role == TP_ROLE_RST_PROBE) && dir == TP_SERVER)
        tp_scans_answer(e->scans, c, TP_ANSWER_CLOSED);
    else if (role == TP_ROLE_HANDSHAKE_ACK && dir == TP_CLIENT)
        tp_scans_answer(e->scans, c, TP_ANSWER_COMPLETED);
}

/* Connection bookkeeping for the summary and the hindsight findings. */
static void account(tp_engine *e, tp_conn *c, tp_dir dir, const tp_segment *seg, tp_result *r)
{
    tp_conntable *t = e->conns;
    tp_role role = (tp_role)r->role;

    c->last_frame = seg->frame;
    c->tuple_moved = false;
    tp_conn_set_last_ns(t, c, seg->time_ns);
    tp_conn_count_frame(t, c, dir);
    tp_conn_add_bytes(t, c, dir, seg->len);
    if (seg->len > 0 && c->ep[TP_PEER(dir)].fin_seen)
        tp_conn_add_bytes_after_peer_fin(t, c, dir, seg->len);
    if (!c->ep[dir].captured) { /* once per side: which directions the capture sees */
        c->ep[dir].captured = true;
        tp_coverage_note(e->coverage, seg);
    }
    switch (role) { /* facts of a few roles; data and ACKs, most segments, have none */
    case TP_ROLE_SYN:
    case TP_ROLE_SYN_RETRANSMIT:
        if (dir == TP_CLIENT)
            tp_conn_count_syn(t, c, seg->frame);
        break;
    case TP_ROLE_SYN_ACK:
        if (!c->first_synack_frame)
            c->first_synack_frame = seg->frame;
        /* An answer also when the SYN is not in the capture, or comes later (evidence.c
         * keeps the ISN the SYN-ACK acknowledges). */
        if (tp_endpoint_acks_syn(&c->ep[TP_CLIENT], seg))
            c->syn_answered = true;
        break;
    case TP_ROLE_SYN_ACK_RETRANSMIT:
        c->synack_again = true;
        break;
    case TP_ROLE_SIMULTANEOUS_SYN:
    case TP_ROLE_SIMULTANEOUS_SYN_ACK: /* the peer's SYN may be missing: its own tells */
        c->simultaneous = true;
        break;
    case TP_ROLE_FIN_SIMULTANEOUS:
        c->fin_simultaneous_seen = true;
        break;
    default:
        break;
    }
    if (c->scan_attempt || c->first_frame == seg->frame)
        account_scan(e, c, dir, seg, r);
    tp_conn_apply(t, c, dir, seg, r->before, r->after);
    /* The RST that ended the connection names its close; one a SYN survives does not, nor one
     * that only cuts a TIME-WAIT short (the FINs had closed it). */
    if (!c->end_rst &&
        ((role >= TP_ROLE_RST_REFUSED && role <= TP_ROLE_RST_HALF_OPEN) ||
         role == TP_ROLE_RST_PROBE) &&
        tp_conn_ended(c) &&
        !(tp_state_gone((tp_state)r->before[0]) && tp_state_gone((tp_state)r->before[1])))
        c->end_rst = tp_conn_end_rst_of(role);
}

/* The role, refined by what the segment answers: the RST answering a probe, the ACK of a
 * keep-alive; and a keep-alive itself, which the tables read as an ACK. */
static tp_role refine(const tp_conn *c, tp_dir dir, const tp_segment *seg, tp_role role,
                      bool keepalive_ack)
{
    switch (role) {
    case TP_ROLE_RST_REFUSED:
    case TP_ROLE_RST_INSTEAD_OF_FIN:
    case TP_ROLE_RST_HALF_OPEN:
    case TP_ROLE_RST_OUT_OF_WINDOW:
    case TP_ROLE_AFTER_CLOSE:
        return tp_probe_answered(c, dir, seg) ? TP_ROLE_RST_PROBE : role;
    case TP_ROLE_ACK:
    case TP_ROLE_DATA:
    case TP_ROLE_MID_STREAM:
        if (tp_keepalive_probe(c, dir, seg))
            return TP_ROLE_KEEPALIVE;
        if (seg->len == 0 && (keepalive_ack || tp_keepalive_acked(c, dir, seg)))
            return TP_ROLE_KEEPALIVE_ACK;
        return role;
    default:
        return role;
    }
}

/* A segment no state takes, known before anything is taken back: a copy of the connection's
 * latest segment (copy.c), or a lone ACK from a host known to be scanning (an ACK scan's
 * probe). Probes by their flags are the classification's (classify.c). */
static tp_role odd_role(const tp_engine *e, const tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    if (tp_copy_of_latest(&e->results, c, dir, seg))
        return TP_ROLE_DUPLICATE;
    if (tp_probe_lone_ack(c, seg) && tp_scans_active(e->scans, seg))
        return TP_ROLE_PROBE;
    return TP_ROLE_UNKNOWN;
}

/* The record of a classified segment: Zeek's view, the sender's facts, the round trips, the
 * latest odd segment, and the connection's accounting. odd: odd_role's answer. */
static void record(tp_engine *e, tp_conn *c, tp_dir dir, const tp_segment *seg, tp_result *r,
                   tp_role odd)
{
    tp_zeek_segment(e->conns, c, dir, seg);
    /* A copy shows nothing new of its sender, a probe nothing of a connection. */
    if (odd != TP_ROLE_DUPLICATE && r->role != TP_ROLE_PROBE)
        tp_endpoint_sent(&c->ep[dir], seg);
    if (seg->options_cut)
        c->ep[dir].options_cut = true;
    tp_delivery_note(&e->results, c, dir, seg, r);
    tp_keepalive_odd(c, dir, seg, (tp_role)r->role);
    account(e, c, dir, seg, r);
}

static void step(tp_engine *e, tp_conn *c, const tp_segment *seg, tp_result *r)
{
    if (!e->cfg.full_path && tp_fast_opening(c, seg, r)) { /* an opening SYN (fastpath.c) */
        record(e, c, TP_CLIENT, seg, r, TP_ROLE_UNKNOWN);
        return;
    }
    tp_dir dir = tp_conn_dir(c, seg);
    uint8_t was[2] = {c->ep[TP_CLIENT].state, c->ep[TP_SERVER].state};
    tp_role odd = odd_role(e, c, dir, seg);
    uint32_t lost = 0, gaps = 0, hole_from = c->ep[dir].snd_nxt;
    bool late = false, keepalive_ack = false, past_hole = false;

    if (odd == TP_ROLE_UNKNOWN) {
        /* What the segment proves never reached its sender (delivery.c) is taken back first,
         * so that the segments the evidence may imply follow from where the sender really was;
         * then a keep-alive the capture started on (keepalive.c), which the evidence would
         * take for a FIN; then what it proves the capture missed (evidence.c), so that the
         * segment meets the endpoints as they really were. */
        uint32_t since = 0;
        lost = tp_delivery_apply(&e->results, e->conns, e->findings, c, dir, seg, &since);
        if (lost) /* dir was in its restored state all along */
            tp_hindsight_states(e->corrections, &e->results, c, dir, since, seg->frame,
                                (tp_state)c->ep[dir].state, TP_CAUSE_NOT_DELIVERED);
        if (c->ep[TP_CLIENT].fin_held || c->ep[TP_SERVER].fin_held) { /* order.c */
            uint32_t out_of_order[2] = {0, 0};
            if (tp_order_release(e->conns, c, dir, seg, out_of_order) && out_of_order[1])
                gap_filled(e, out_of_order[0], out_of_order[1]);
        } else if (c->ep[TP_PEER(dir)].fin_seen) {
            uint32_t fin = c->last_frame;
            if (tp_order_fin_not_taken(&e->results, e->conns, c, dir, seg))
                tp_hindsight_states(e->corrections, &e->results, c, dir, fin, seg->frame,
                                    (tp_state)c->ep[dir].state, TP_CAUSE_FIN_NOT_TAKEN);
        }
        past_hole = tp_order_fin_past_hole(c, dir, seg);
        if (tp_probe_synack_reset(c, dir, seg)) { /* it never took the SYN-ACK (probe.h) */
            tp_conn_set_state(e->conns, c, dir, TP_CLOSED, seg->time_ns);
            tp_hindsight_states(e->corrections, &e->results, c, dir, c->first_synack_frame,
                                seg->frame, TP_CLOSED, TP_CAUSE_SYN_ACK_RESET);
        }
        keepalive_ack = tp_keepalive_unseen(c, dir, seg);
        if (keepalive_ack) /* the segment it answers was a keep-alive */
            tp_corrections_role(e->corrections, c->last_frame, seg->frame, TP_CAUSE_KEEPALIVE,
                                TP_ROLE_KEEPALIVE);
        uint32_t retracted = 0;
        gaps = tp_evidence_apply(e->conns, c, dir, seg, &retracted);
        if (retracted) /* both ends were ESTABLISHED since: the FIN was a byte of data */
            tp_hindsight_fin_was_data(e->corrections, &e->results, c, retracted, seg->frame);
        late = tp_evidence_late(c, dir, seg);
    }
    tp_event ev = late || odd ? TP_EV_NONE : tp_classify_event(c, dir, seg);

    r->conn = c->id;
    r->sender = (uint8_t)dir;
    r->before[TP_CLIENT] = c->ep[TP_CLIENT].state;
    r->before[TP_SERVER] = c->ep[TP_SERVER].state;
    r->event = (uint8_t)ev;
    r->late = late;
    r->proved = r->before[TP_CLIENT] != was[TP_CLIENT] || r->before[TP_SERVER] != was[TP_SERVER];
    tp_apply_event(ev, dir, r->before, r->after);
    if (ev == TP_EV_SYN && r->before[dir] == TP_ESTABLISHED && r->after[dir] == TP_SYN_SENT)
        tp_hindsight_synack_unseen(e->corrections, &e->results, c, dir, seg->frame);
    if (past_hole && r->after[dir] != r->before[dir]) /* its receiver waits for the hole */
        tp_order_hold(e->conns, c, dir, hole_from, seg, r->after, r->before);
    tp_role role = odd    ? odd
                   : late ? tp_evidence_late_role(c, dir, seg)
                          : tp_classify_role(c, dir, seg, ev, r->before, r->after);
    r->role = (uint8_t)refine(c, dir, seg, role, keepalive_ack);
    if (gaps) {
        tp_findings_capture_gaps(e->findings, seg->frame, gaps, dir);
        note(r, TP_FIND_CAPTURE_GAP);
    }
    if (lost)
        note(r, TP_FIND_NOT_DELIVERED);
    find(e, c, dir, seg, r);
    record(e, c, dir, seg, r, odd);
}

const tp_result *tp_engine_feed(tp_engine *e, const tp_segment *seg)
{
    if (!e || !seg || !segment_valid(seg))
        return NULL;
    const tp_result *done = tp_results_get(&e->results, seg->frame);
    if (done)
        return done;

    /* A capture may say any time at all. Within +-2^62 ns (146 years around 1970; a real
     * capture is well inside) every sum of a time and a delay and every difference of two
     * times fits in int64_t, so no time arithmetic in the engine can overflow. The segment
     * is copied only when its time needs clamping. */
    tp_segment clamped;
    if (seg->time_ns > TIME_LIMIT_NS || seg->time_ns < -TIME_LIMIT_NS) {
        clamped = *seg;
        clamped.time_ns = seg->time_ns > TIME_LIMIT_NS ? TIME_LIMIT_NS : -TIME_LIMIT_NS;
        seg = &clamped;
    }
    /* The result is computed in its slot: nothing in the engine reads results while feeding,
     * and the slot does not move before the next feed. */
    tp_result *r = tp_results_slot(&e->results, seg->frame);
    tp_conn *latest = tp_conntable_find(e->conns, seg);
    if (latest && tp_fast_path(&e->cfg, latest, seg)) { /* the common segment (fastpath.c) */
        tp_fast_step(&e->results, e->conns, e->coverage, latest, seg, r);
        if (latest->scan_attempt &&
            (r->role == TP_ROLE_SYN_ACK || r->role == TP_ROLE_HANDSHAKE_ACK))
            tp_scans_answer(e->scans, latest, /* account_scan's answers */
                            r->role == TP_ROLE_SYN_ACK ? TP_ANSWER_OPEN : TP_ANSWER_COMPLETED);
        return r;
    }
    tp_placement p = tp_incarnation_of(e->conns, e->findings, &e->cfg, seg, latest, r);
    step(e, p.conn, seg, r);
    if (p.conn != p.latest) /* the 4-tuple moved on without the latest (copy.c) */
        p.latest->tuple_moved = true;
    if (p.latest->has_prev) /* only then is there anything to settle */
        tp_incarnation_settle(e->conns, &p);
    return r;
}

/* ---- reading ----------------------------------------------------------------------------- */

static size_t put(tp_finding *out, size_t max, uint32_t frame, tp_finding_kind kind, char *m)
{
    if (max == 0) {
        g_free(m);
        return 0;
    }
    out->kind = kind;
    out->frame = frame;
    g_strlcpy(out->message, m, sizeof out->message);
    g_free(m);
    return 1;
}

/* Findings that rest on the whole capture. A SYN never answered and a SYN-ACK never
 * acknowledged rest on an absence, so only where the capture would have shown the answer; a
 * scan's attempts are spoken for by the scan, on its first probe. */
static size_t hindsight(const tp_engine *e, uint32_t frame, const tp_result *r, tp_finding *out,
                        size_t max)
{
    const tp_conn *c = tp_conntable_get(e->conns, r->conn);
    bool first = false, scanned = false;
    size_t n = 0;

    if (!c)
        return 0;
    if (c->scan_attempt)
        scanned = tp_scans_member(e->scans, c, &first);
    if (scanned && first && frame == c->first_frame) {
        tp_scan_summary s;
        tp_scans_of(e->scans, c, &s);
        n += put(out + n, max - n, frame, TP_FIND_SCAN, tp_msg_scan(&s));
    }
    if (!scanned && frame == tp_conn_first_syn_frame(e->conns, c) && !c->syn_answered &&
        tp_conn_unanswered_provable(e->conns, e->coverage, c, TP_CLIENT))
        n += put(out + n, max - n, frame, TP_FIND_SYN_UNANSWERED,
                 tp_msg_syn_unanswered(tp_conn_syn_count(e->conns, c)));
    else if (frame == c->first_synack_frame && !c->synack_acked && !c->end_rst &&
             tp_conn_unanswered_provable(e->conns, e->coverage, c, TP_SERVER))
        n += put(out + n, max - n, frame, TP_FIND_HALF_OPEN,
                 tp_msg_half_open(0, TP_HALF_OPEN_SYNACK_UNACKED, TP_SERVER));
    return n;
}

size_t tp_engine_findings(const tp_engine *e, uint32_t frame, bool complete, tp_finding *out,
                          size_t max)
{
    const tp_result *r = tp_engine_lookup(e, frame);
    if (!r || !out)
        return 0;
    size_t n = r->findings ? tp_findings_of(e->findings, frame, out, max) : 0;
    if (complete) {
        /* Only a frame with a capture gap can have it filled: no look-up for the others. */
        uint32_t by =
            (r->findings & (1u << TP_FIND_CAPTURE_GAP)) ? tp_engine_gap_filled_by(e, frame) : 0;
        for (size_t i = 0; by && i < n; i++) /* the gap was only out of order */
            if (out[i].kind == TP_FIND_CAPTURE_GAP)
                put(&out[i], 1, frame, TP_FIND_OUT_OF_ORDER,
                    tp_msg_out_of_order((tp_dir)r->sender, by));
        n += hindsight(e, frame, r, out + n, max - n);
    }
    return n;
}

bool tp_engine_conn(const tp_engine *e, uint32_t conn, tp_conn_summary *out)
{
    const tp_conn *c = e ? tp_conntable_get(e->conns, conn) : NULL;
    if (!c || !out)
        return false;
    tp_conn_summarize(e->conns, e->coverage, c, out);
    return true;
}

uint32_t tp_engine_gaps(const tp_engine *e, uint32_t frame)
{
    const tp_result *r = tp_engine_lookup(e, frame);
    if (!r || !(r->findings & (1u << TP_FIND_CAPTURE_GAP)))
        return 0;
    return tp_findings_gaps(e->findings, frame);
}

const char *tp_engine_correction_why(const tp_engine *e, uint32_t frame)
{
    return e ? tp_corrections_why(e->corrections, frame) : NULL;
}

uint32_t tp_engine_gap_filled_by(const tp_engine *e, uint32_t frame)
{
    return e ? tp_corrections_filled_by(e->corrections, frame) : 0;
}

char *tp_engine_not_delivered(const tp_engine *e, uint32_t frame, char *out, size_t size)
{
    const tp_result *r = tp_engine_lookup(e, frame);
    if (!r || !(r->findings & (1u << TP_FIND_NOT_DELIVERED))) {
        if (size > 0)
            out[0] = '\0';
        return out;
    }
    return tp_findings_not_delivered_text(e->findings, frame, out, size);
}

uint32_t tp_engine_incarnation(const tp_engine *e, uint32_t conn)
{
    const tp_conn *c = e ? tp_conntable_get(e->conns, conn) : NULL;
    return c ? tp_conn_incarnation(e->conns, c) : 0;
}

uint32_t tp_engine_conn_count(const tp_engine *e)
{
    return e ? tp_conntable_count(e->conns) : 0;
}

uint32_t tp_engine_scan_count(const tp_engine *e)
{
    return e ? tp_scans_count(e->scans) : 0;
}

bool tp_engine_scan(const tp_engine *e, uint32_t i, tp_scan_summary *out)
{
    return e && out && tp_scans_get(e->scans, i, out);
}

const tp_result *tp_engine_final(const tp_engine *e, uint32_t frame, tp_result *out,
                                 uint32_t *corrected_by)
{
    const tp_result *r = tp_engine_lookup(e, frame);
    if (corrected_by)
        *corrected_by = 0;
    if (!r || !out)
        return r;
    if (tp_corrections_count(e->corrections) == 0)
        return r;
    *out = *r;
    return tp_corrections_apply(e->corrections, frame, out, corrected_by) ? out : r;
}

bool tp_engine_corrected_range(const tp_engine *e, uint32_t proof, uint32_t *first, uint32_t *last)
{
    return e && tp_corrections_range(e->corrections, proof, first, last);
}
