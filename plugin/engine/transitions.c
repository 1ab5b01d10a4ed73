/*
 * tcpphase engine: the RFC 9293 state machine as data.
 *
 * A passive observer sees each segment once, in the middle. Taking it as delivered when seen,
 * one segment moves two endpoints: its sender (by sending it) and its receiver (by receiving
 * it). So there are two tables, indexed by event and by the endpoint's state before the
 * segment, in the manner of Linux netfilter's tcp_conntracks[]: every cell that moves or
 * deliberately keeps a state says why, citing RFC 9293 (sections given as "3.x"). A cell with
 * no reason keeps the state: the event does not concern that endpoint in that state.
 *
 * The "crossed" events carry the one exception to delivered-when-seen: a SYN or FIN that does
 * not acknowledge the peer's outstanding SYN or FIN was sent before its sender received the
 * peer's, so both ends took the simultaneous path of 3.5 figure 7 or 3.6 figure 13.
 */
#include "transitions.h"

#define CELL(to, reason)                                                                           \
    {                                                                                              \
        .next = (to), .why = (reason)                                                              \
    }

static const tp_cell send_table[TP_EV_COUNT][TP_STATE_COUNT] = {
    [TP_EV_SYN] =
        {
            [TP_CLOSED] = CELL(TP_SYN_SENT, "3.5: an active OPEN sends SYN"),
            [TP_SYN_SENT] = CELL(TP_SYN_SENT, "3.8.1: SYN retransmitted, no answer yet"),
            [TP_ESTABLISHED] =
                CELL(TP_SYN_SENT, "3.8.1: its SYN again: the SYN,ACK never reached it"),
            [TP_TIME_WAIT] =
                CELL(TP_SYN_SENT, "RFC 6191: the TIME-WAIT holder opens the 4-tuple again"),
        },
    [TP_EV_SYN_CROSSED] =
        {
            [TP_UNKNOWN] = CELL(TP_SYN_RECEIVED, "3.5 fig. 7: its SYN crossed the peer's, then "
                                                 "the peer's SYN arrived in SYN-SENT"),
            [TP_CLOSED] = CELL(TP_SYN_RECEIVED, "3.5 fig. 7: its SYN crossed the peer's, then "
                                                "the peer's SYN arrived in SYN-SENT"),
        },
    [TP_EV_SYN_ACK] =
        {
            [TP_UNKNOWN] = CELL(TP_SYN_RECEIVED, "3.10.7.2: a SYN in LISTEN is answered SYN,ACK"),
            [TP_CLOSED] = CELL(TP_SYN_RECEIVED, "3.10.7.2: a SYN in LISTEN is answered SYN,ACK"),
            [TP_TIME_WAIT] =
                CELL(TP_SYN_RECEIVED, "RFC 6191, RFC 1122 4.2.2.13: TIME-WAIT accepts a new SYN "
                                      "with a higher ISN or newer timestamp"),
            [TP_LAST_ACK] = CELL(TP_SYN_RECEIVED,
                                 "3.10.7.2: it answers a new SYN from LISTEN, so the final ACK "
                                 "that ended its LAST-ACK came (not captured)"),
            [TP_SYN_SENT] = CELL(TP_SYN_RECEIVED,
                                 "3.10.7.3: its SYN again, now with ACK: the peer's SYN reached "
                                 "it in SYN-SENT (simultaneous open; that SYN not captured)"),
        },
    [TP_EV_ACK] =
        {
            [TP_UNKNOWN] = CELL(TP_ESTABLISHED,
                                "3.3.2: only a synchronized endpoint sends an ACK; with no FIN "
                                "seen that is ESTABLISHED (picked up mid-stream)"),
        },
    [TP_EV_ACK_FIN] =
        {
            [TP_UNKNOWN] = CELL(TP_CLOSE_WAIT, "3.10.7.4: it acknowledges the peer's FIN, so "
                                               "it is in CLOSE-WAIT (picked up mid-stream)"),
        },
    [TP_EV_FIN] =
        {
            [TP_UNKNOWN] = CELL(TP_FIN_WAIT_1, "3.6 case 1: with no FIN seen from the peer, "
                                               "its FIN is an active close (picked up "
                                               "mid-stream)"),
            [TP_SYN_RECEIVED] = CELL(TP_FIN_WAIT_1, "3.10.4: CLOSE in SYN-RECEIVED sends FIN"),
            [TP_ESTABLISHED] = CELL(TP_FIN_WAIT_1, "3.6 case 1: the local user CLOSEs, FIN sent"),
        },
    [TP_EV_FIN_CROSSED] =
        {
            [TP_CLOSE_WAIT] =
                CELL(TP_CLOSING, "3.6 case 3: its FIN does not acknowledge the peer's, so it "
                                 "was sent in ESTABLISHED; the peer's FIN then arrived in "
                                 "FIN-WAIT-1"),
        },
    [TP_EV_FIN_ACK_FIN] =
        {
            [TP_UNKNOWN] = CELL(TP_LAST_ACK, "3.6 case 2: its FIN acknowledges the peer's FIN, "
                                             "so it closed from CLOSE-WAIT"),
            [TP_CLOSE_WAIT] = CELL(TP_LAST_ACK, "3.6 case 2: the peer closed first; CLOSE sends "
                                                "FIN"),
        },
    [TP_EV_RST] =
        {
            [TP_UNKNOWN] = CELL(TP_CLOSED, "3.5.2: a RST sender keeps no connection"),
            [TP_SYN_SENT] = CELL(TP_SYN_SENT, "3.10.7.3: an unacceptable ACK in SYN-SENT is "
                                              "answered by RST and the SYN stands"),
            [TP_SYN_RECEIVED] = CELL(TP_CLOSED, "3.10.4: ABORT sends RST and deletes the TCB"),
            [TP_ESTABLISHED] = CELL(TP_CLOSED, "3.10.4: ABORT sends RST and deletes the TCB"),
            [TP_FIN_WAIT_1] = CELL(TP_CLOSED, "3.10.4: ABORT sends RST and deletes the TCB"),
            [TP_FIN_WAIT_2] = CELL(TP_CLOSED, "3.10.4: ABORT sends RST and deletes the TCB"),
            [TP_CLOSE_WAIT] = CELL(TP_CLOSED, "3.10.4: ABORT sends RST and deletes the TCB"),
            [TP_CLOSING] = CELL(TP_CLOSED, "3.10.4: ABORT in CLOSING deletes the TCB"),
            [TP_LAST_ACK] = CELL(TP_CLOSED, "3.10.4: ABORT in LAST-ACK deletes the TCB"),
            [TP_TIME_WAIT] = CELL(TP_CLOSED, "3.10.4: ABORT in TIME-WAIT deletes the TCB"),
        },
    [TP_EV_RST_SYN_ANSWERED] =
        {
            [TP_SYN_SENT] = CELL(TP_CLOSED, "3.10.7.3, 3.10.7.1: a RST from its SYN's next "
                                            "number answers a SYN,ACK that acknowledged the SYN "
                                            "(not captured): it aborts, or holds no socket"),
        },
};

static const tp_cell recv_table[TP_EV_COUNT][TP_STATE_COUNT] = {
    [TP_EV_SYN] =
        {
            [TP_UNKNOWN] = CELL(TP_UNKNOWN, "3.10.7.1-2: LISTEN answers SYN,ACK, CLOSED answers "
                                            "RST; only its answer will tell"),
            [TP_ESTABLISHED] = CELL(TP_ESTABLISHED, "3.10.7.4, RFC 5961 4: a SYN in a "
                                                    "synchronized state gets a challenge ACK"),
            [TP_TIME_WAIT] = CELL(TP_TIME_WAIT, "RFC 6191: TIME-WAIT may accept or refuse a new "
                                                "SYN; only its answer will tell"),
        },
    [TP_EV_SYN_CROSSED] =
        {
            [TP_SYN_SENT] = CELL(TP_SYN_RECEIVED, "3.10.7.3: a SYN without ACK in SYN-SENT: "
                                                  "simultaneous open"),
        },
    [TP_EV_SYN_ACK] =
        {
            [TP_UNKNOWN] = CELL(TP_ESTABLISHED, "3.10.7.3: a SYN,ACK answers its SYN (not "
                                                "captured)"),
            [TP_SYN_SENT] = CELL(TP_ESTABLISHED, "3.10.7.3: SYN,ACK acknowledging its SYN"),
            [TP_SYN_RECEIVED] = CELL(TP_ESTABLISHED, "3.10.7.4: an acceptable ACK in "
                                                     "SYN-RECEIVED"),
        },
    [TP_EV_ACK_SYN] =
        {
            [TP_SYN_RECEIVED] = CELL(TP_ESTABLISHED, "3.10.7.4: an acceptable ACK in "
                                                     "SYN-RECEIVED"),
        },
    [TP_EV_ACK_FIN] =
        {
            [TP_FIN_WAIT_1] = CELL(TP_FIN_WAIT_2, "3.10.7.4: its FIN is acknowledged"),
            [TP_CLOSING] = CELL(TP_TIME_WAIT, "3.10.7.4: its FIN is acknowledged in CLOSING"),
            [TP_LAST_ACK] = CELL(TP_CLOSED, "3.10.7.4: its FIN is acknowledged in LAST-ACK"),
        },
    [TP_EV_FIN] =
        {
            [TP_SYN_RECEIVED] = CELL(TP_CLOSE_WAIT, "3.10.7.4: a FIN, the peer closed (its ACK "
                                                    "completing the handshake)"),
            [TP_ESTABLISHED] = CELL(TP_CLOSE_WAIT, "3.10.7.4: a FIN, the peer closed"),
        },
    [TP_EV_FIN_CROSSED] =
        {
            [TP_FIN_WAIT_1] = CELL(TP_CLOSING, "3.10.7.4: a FIN not acknowledging its FIN: "
                                               "simultaneous close"),
            [TP_FIN_WAIT_2] = CELL(TP_TIME_WAIT, "3.10.7.4: a FIN in FIN-WAIT-2"),
        },
    [TP_EV_FIN_ACK_FIN] =
        {
            [TP_FIN_WAIT_1] =
                CELL(TP_TIME_WAIT, "3.10.7.4: a FIN acknowledging its FIN: the ACK (fifth "
                                   "step) takes it to FIN-WAIT-2, the FIN (eighth) to TIME-WAIT"),
            [TP_FIN_WAIT_2] = CELL(TP_TIME_WAIT, "3.10.7.4: a FIN in FIN-WAIT-2"),
            [TP_CLOSING] = CELL(TP_TIME_WAIT, "3.10.7.4: its FIN is acknowledged in CLOSING"),
        },
    [TP_EV_RST] =
        {
            [TP_SYN_SENT] = CELL(TP_CLOSED, "3.10.7.3: a RST acknowledging its SYN: refused"),
            [TP_SYN_RECEIVED] = CELL(TP_CLOSED, "3.10.7.4: a RST in SYN-RECEIVED"),
            [TP_ESTABLISHED] = CELL(TP_CLOSED, "3.10.7.4: an in-window RST"),
            [TP_FIN_WAIT_1] = CELL(TP_CLOSED, "3.10.7.4: an in-window RST"),
            [TP_FIN_WAIT_2] = CELL(TP_CLOSED, "3.10.7.4: an in-window RST"),
            [TP_CLOSE_WAIT] = CELL(TP_CLOSED, "3.10.7.4: an in-window RST"),
            [TP_CLOSING] = CELL(TP_CLOSED, "3.10.7.4: a RST in CLOSING"),
            [TP_LAST_ACK] = CELL(TP_CLOSED, "3.10.7.4: a RST in LAST-ACK"),
            [TP_TIME_WAIT] = CELL(TP_CLOSED, "3.10.7.4: a RST in TIME-WAIT (RFC 1337 hazard; "
                                             "Linux honours it)"),
        },
    [TP_EV_RST_SYN_ANSWERED] =
        {
            [TP_SYN_RECEIVED] = CELL(TP_CLOSED, "3.10.7.4: a RST in SYN-RECEIVED"),
        },
};

static const char *const event_names[TP_EV_COUNT] = {
    [TP_EV_NONE] = "none",
    [TP_EV_SYN] = "SYN",
    [TP_EV_SYN_CROSSED] = "crossed SYN",
    [TP_EV_SYN_ACK] = "SYN,ACK",
    [TP_EV_ACK] = "ACK",
    [TP_EV_ACK_SYN] = "ACK of SYN",
    [TP_EV_ACK_FIN] = "ACK of FIN",
    [TP_EV_FIN] = "FIN",
    [TP_EV_FIN_CROSSED] = "crossed FIN",
    [TP_EV_FIN_ACK_FIN] = "FIN acknowledging FIN",
    [TP_EV_RST] = "RST",
    [TP_EV_RST_SYN_ANSWERED] = "RST answering a SYN,ACK",
};

static inline const tp_cell *cell_of(const tp_cell table[TP_EV_COUNT][TP_STATE_COUNT], tp_event ev,
                                     tp_state s)
{
    if ((unsigned)ev >= TP_EV_COUNT || (unsigned)s >= TP_STATE_COUNT)
        return NULL;
    const tp_cell *c = &table[ev][s];
    return c->why ? c : NULL;
}

/*
 * Here, beside the tables, so that the look-ups inline: this runs for every segment. The event
 * and the states come from the engine, always in range, so the cells are read without
 * cell_of's checks (those are for tp_result_reasons, which reads any result it is given). A
 * cell without a reason, as all of TP_EV_NONE's are, keeps the state.
 */
void tp_apply_event(tp_event ev, tp_dir dir, const uint8_t before[2], uint8_t after[2])
{
    tp_dir peer = TP_PEER(dir);
    const tp_cell *s = &send_table[ev][before[dir]], *v = &recv_table[ev][before[peer]];

    after[dir] = s->why ? s->next : before[dir];
    after[peer] = v->why ? v->next : before[peer];
}

const tp_cell *tp_send_cell(tp_event ev, tp_state sender)
{
    return cell_of(send_table, ev, sender);
}

const tp_cell *tp_recv_cell(tp_event ev, tp_state receiver)
{
    return cell_of(recv_table, ev, receiver);
}

const char *tp_event_name(tp_event ev)
{
    return (unsigned)ev < TP_EV_COUNT ? event_names[ev] : "none";
}

void tp_result_reasons(const tp_result *r, const char **sender_why, const char **receiver_why)
{
    tp_dir dir = r->sender ? TP_SERVER : TP_CLIENT;
    const tp_cell *s = tp_send_cell((tp_event)r->event, (tp_state)r->before[dir]);
    const tp_cell *v = tp_recv_cell((tp_event)r->event, (tp_state)r->before[TP_PEER(dir)]);

    if (sender_why)
        *sender_why = s ? s->why : NULL;
    /* A segment the evidence had applied already (evidence.c) changes nothing itself. */
    if (sender_why && r->late)
        *sender_why = "captured after a segment whose numbers proved it; its effect was applied "
                      "there (the capture's order is not the wire's)";
    /* A retransmission that proved the peer's acknowledgment never arrived (delivery.c). */
    if (sender_why && (r->findings & (1u << TP_FIND_NOT_DELIVERED)))
        *sender_why = r->role == TP_ROLE_SYN_ACK_RETRANSMIT
                          ? "3.8.1, 3.10.7.4: it retransmits its SYN,ACK, so no ACK of it "
                            "arrived: the peer's segments seen acknowledging it were lost after "
                            "the capture point; still SYN-RECEIVED"
                          : "3.8.1, 3.10.7.4: it retransmits its FIN (or data before it), so no "
                            "ACK of the FIN arrived: the peer's segments seen acknowledging it "
                            "were lost after the capture point; still awaiting that ACK";
    if (receiver_why)
        *receiver_why = v ? v->why : NULL;
}
