/*
 * frame_tree.c: a segment's tcpphase subtree: its role, both endpoints' states, the transition
 * and the rule behind it, the gaps it proves and the second look's corrections.
 *
 * Drawing reads only the engine's stored answer for the frame (and, on revisits, what later
 * frames proved), so every pass draws from the same facts. A tree that tshark builds for
 * filters or -e fields keeps only the fields asked for, so only those are worked out; a
 * visible tree gets everything.
 */
#include "frame_tree.h"

#include <wsutil/str_util.h>

#include "capture_file.h"
#include "conn_tree.h"
#include "inferred.h"
#include "line.h"
#include "ws_compat.h"

static int proto_tcpphase = -1;

static int hf_role = -1;
static int hf_phase = -1;
static int hf_sender = -1;
static int hf_client_state = -1;
static int hf_server_state = -1;
static int hf_transition = -1;
static int hf_reason = -1;
static int hf_conn = -1;
static int hf_incarnation = -1;
static int hf_gap = -1;
static int hf_not_delivered = -1;
static int hf_corrected_by = -1;
static int hf_corrects = -1;
static int hf_inferred = -1;

static gint ett_tcpphase = -1;

/* "client ESTABLISHED -> FIN-WAIT-1; server ...", only the endpoints that changed, or "none". */
static const char *transition_text(line *l, const tp_result *r)
{
    line_clear(l);
    for (int d = TP_CLIENT; d <= TP_SERVER; d++) {
        if (r->before[d] == r->after[d])
            continue;
        if (l->len > 0)
            line_add(l, "; ");
        line_add(l, tp_dir_name((tp_dir)d));
        line_add(l, " ");
        line_add(l, tp_state_name((tp_state)r->before[d]));
        line_add(l, " -> ");
        line_add(l, tp_state_name((tp_state)r->after[d]));
    }
    return l->len > 0 ? l->text : "none";
}

/* The RFC 9293 rule behind each endpoint's state after the segment (the engine's transition
 * tables carry one per cell): "client: ...; server: ...", or NULL when no rule applied. */
static const char *reason_text(line *l, const tp_result *r, unsigned inferred)
{
    const char *why[2];
    tp_dir sender = (tp_dir)r->sender;

    tp_result_reasons(r, &why[sender], &why[TP_PEER(sender)]);
    line_clear(l);
    for (int d = TP_CLIENT; d <= TP_SERVER; d++) {
        gboolean guessed = (inferred & (1u << d)) != 0;
        if (why[d] == NULL && !guessed)
            continue;
        if (l->len > 0)
            line_add(l, "; ");
        line_add(l, tp_dir_name((tp_dir)d));
        line_add(l, ": ");
        if (why[d] != NULL)
            line_add(l, why[d]);
        if (guessed)
            line_add(l, why[d] != NULL ? " (" INFERRED_TEXT ")" : INFERRED_TEXT);
    }
    return l->len > 0 ? l->text : NULL;
}

static void add_string(proto_tree *tree, int hf, tvbuff_t *tvb, const char *value)
{
    proto_item_set_generated(proto_tree_add_string(tree, hf, tvb, 0, 0, value));
}

static void add_uint(proto_tree *tree, int hf, tvbuff_t *tvb, guint32 value)
{
    proto_item_set_generated(proto_tree_add_uint(tree, hf, tvb, 0, 0, value));
}

/* Does the tree keep this field: any field of a visible tree, else only those asked for. */
static gboolean wanted(proto_tree *tree, int hf)
{
    return proto_field_is_referenced(tree, hf);
}

/* Is the header line read: in a visible tree, or when the protocol itself is asked for
 * (tshark -e tcpphase prints it; "indirect" means only some of its fields are). */
static gboolean label_wanted(proto_tree *tree)
{
    hf_ref_type ref = proto_registrar_get_nth(proto_tcpphase)->ref_type;
    return PTREE_DATA(tree)->visible || (ref != HF_REF_TYPE_NONE && ref != HF_REF_TYPE_INDIRECT);
}

/* "client", "server" or "client and server": the sides whose state is inferred. */
static const char *inferred_names(unsigned inferred)
{
    if (inferred == ((1u << TP_CLIENT) | (1u << TP_SERVER)))
        return "client and server";
    return tp_dir_name((inferred & (1u << TP_CLIENT)) ? TP_CLIENT : TP_SERVER);
}

/* A state field; an inferred one says so in the tree's text, its value (for filters and -e
 * fields) stays the state's name. */
static void add_state(proto_tree *tree, int hf, tvbuff_t *tvb, const char *state, unsigned inferred)
{
    proto_item *item = proto_tree_add_string(tree, hf, tvb, 0, 0, state);
    proto_item_set_generated(item);
    if (inferred)
        proto_item_append_text(item, " (" INFERRED_TEXT ")");
}

/* The fields every view shows, student mode included: what the segment is and who sent it. */
static void add_role_fields(proto_tree *sub, tvbuff_t *tvb, const tp_result *r, const char *role)
{
    if (wanted(sub, hf_role))
        add_string(sub, hf_role, tvb, role);
    if (wanted(sub, hf_phase))
        add_string(sub, hf_phase, tvb, tp_phase_name(tp_result_phase(r)));
    if (wanted(sub, hf_sender))
        add_string(sub, hf_sender, tvb, tp_dir_name((tp_dir)r->sender));
}
/* Student mode's subtree: role, phase, sender and connection; the states are to be predicted. */
static proto_item *draw_student(proto_tree *tree, tvbuff_t *tvb, const tp_result *r)
{
    const char *role = tp_role_name((tp_role)r->role);
    proto_item *top = label_wanted(tree)
                          ? proto_tree_add_protocol_format(
                                tree, proto_tcpphase, tvb, 0, 0,
                                "TCP Connection Phase: %s (student mode: states hidden)", role)
                          : proto_tree_add_item(tree, proto_tcpphase, tvb, 0, 0, ENC_NA);
    proto_item_set_generated(top);
    proto_tree *sub = proto_item_add_subtree(top, ett_tcpphase);

    add_role_fields(sub, tvb, r, role);
    if (wanted(sub, hf_conn))
        add_uint(sub, hf_conn, tvb, r->conn);
    if (wanted(sub, hf_incarnation))
        add_uint(sub, hf_incarnation, tvb, tp_engine_incarnation(tcpphase_capture_engine, r->conn));
    return top;
}

/*
 * The subtree for a segment the engine classified. The header line says at a glance what the
 * segment did: its role and the state change it caused (or the states when nothing changed).
 */
proto_item *frame_tree_draw(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, const tp_result *r,
                            guint32 corrected_by)
{
    /* Student mode keeps the role (and who sent it, and which connection) and hides every
     * verdict about states, for the student to predict first. */
    if (tcpphase_pref_student)
        return draw_student(tree, tvb, r);

    const char *role = tp_role_name((tp_role)r->role);
    const char *client = tp_state_name((tp_state)r->after[TP_CLIENT]);
    const char *server = tp_state_name((tp_state)r->after[TP_SERVER]);
    gboolean label = label_wanted(tree);
    line transition_line, label_line, reason_line;
    const char *transition =
        label || wanted(tree, hf_transition) ? transition_text(&transition_line, r) : NULL;
    gboolean changed =
        r->before[TP_CLIENT] != r->after[TP_CLIENT] || r->before[TP_SERVER] != r->after[TP_SERVER];
    unsigned inferred = inferred_sides(pinfo->num);
    tp_conn_summary conn;
    /* Only the segments that prove a gap carry it (r->findings says which, with no look-up). */
    char gaps_text[96];
    const char *gaps = NULL;
    guint32 filled_by = 0; /* the second look: the capture holds it later, in this frame */
    if ((r->findings & (1u << TP_FIND_CAPTURE_GAP)) && (label || wanted(tree, hf_gap))) {
        gaps = tp_gaps_text(tp_engine_gaps(tcpphase_capture_engine, pinfo->num), gaps_text,
                            sizeof gaps_text);
        if (PINFO_FD_VISITED(pinfo))
            filled_by = tp_engine_gap_filled_by(tcpphase_capture_engine, pinfo->num);
        if (filled_by != 0) {
            size_t len = strlen(gaps_text);
            g_snprintf(gaps_text + len, sizeof gaps_text - len, ", out of order: frame %u",
                       filled_by);
        }
    }
    /* Likewise the segments that prove others never reached their receiver (rarer still). */
    char lost_text[160];
    const char *lost = NULL;
    if ((r->findings & (1u << TP_FIND_NOT_DELIVERED)) && (label || wanted(tree, hf_not_delivered)))
        lost = tp_engine_not_delivered(tcpphase_capture_engine, pinfo->num, lost_text,
                                       sizeof lost_text);
    if (lost != NULL && lost[0] == '\0') /* only a deferred accept's repeat: nothing was lost */
        lost = NULL;

    /* The second look (revisits only): a later frame corrected this one, or this one corrects
     * earlier frames. */
    char corrects_text[48];
    const char *corrects = NULL;
    guint32 first, last;
    if (PINFO_FD_VISITED(pinfo) && (label || wanted(tree, hf_corrects)) &&
        tp_engine_corrected_range(tcpphase_capture_engine, pinfo->num, &first, &last)) {
        if (first == last)
            g_snprintf(corrects_text, sizeof corrects_text, "frame %u", first);
        else
            g_snprintf(corrects_text, sizeof corrects_text, "frames %u-%u", first, last);
        corrects = corrects_text;
    }

    proto_item *top;
    if (!label) {
        top = proto_tree_add_item(tree, proto_tcpphase, tvb, 0, 0, ENC_NA);
    } else {
        /* Joined first and printed with a lone "%s": a format with several conversions cost
         * twice as much, for every segment of a visible tree. */
        line_clear(&label_line);
        line_add(&label_line, "TCP Connection Phase: ");
        line_add(&label_line, role);
        if (changed) {
            line_add(&label_line, ", ");
            line_add(&label_line, transition);
        } else {
            line_add(&label_line, ", client ");
            line_add(&label_line, client);
            line_add(&label_line, ", server ");
            line_add(&label_line, server);
        }
        if (gaps != NULL) {
            line_add(&label_line, filled_by ? " (after " : " (after what the capture missed: ");
            line_add(&label_line, gaps);
            line_add(&label_line, ")");
        }
        if (lost != NULL) {
            line_add(&label_line, " (not delivered: ");
            line_add(&label_line, lost);
            line_add(&label_line, ")");
        }
        if (corrected_by != 0) {
            char by[32];
            g_snprintf(by, sizeof by, " (corrected by frame %u)", corrected_by);
            line_add(&label_line, by);
        }
        if (corrects != NULL) {
            line_add(&label_line, " (corrects ");
            line_add(&label_line, corrects);
            line_add(&label_line, ")");
        }
        if (inferred != 0) {
            line_add(&label_line, " (");
            line_add(&label_line, inferred_names(inferred));
            line_add(&label_line, " " INFERRED_TEXT ")");
        }
        top =
            proto_tree_add_protocol_format(tree, proto_tcpphase, tvb, 0, 0, "%s", label_line.text);
    }
    proto_item_set_generated(top);
    proto_tree *sub = proto_item_add_subtree(top, ett_tcpphase);

    /* In the order of a visible tree; each only if the tree keeps it (see wanted). */
    add_role_fields(sub, tvb, r, role);
    if (wanted(sub, hf_client_state))
        add_state(sub, hf_client_state, tvb, client, inferred & (1u << TP_CLIENT));
    if (wanted(sub, hf_server_state))
        add_state(sub, hf_server_state, tvb, server, inferred & (1u << TP_SERVER));
    if (inferred != 0 && wanted(sub, hf_inferred))
        add_string(sub, hf_inferred, tvb, inferred_names(inferred));
    if (transition != NULL && wanted(sub, hf_transition))
        add_string(sub, hf_transition, tvb, transition);
    /* A corrected frame's reason is what the later frame proves: the first pass's rule no
     * longer explains the states shown. */
    const char *why =
        corrected_by != 0 ? tp_engine_correction_why(tcpphase_capture_engine, pinfo->num) : NULL;
    const char *reason = NULL;
    if (wanted(sub, hf_reason) && why != NULL) {
        char by[40];
        g_snprintf(by, sizeof by, "Corrected by frame %u: ", corrected_by);
        line_clear(&reason_line);
        line_add(&reason_line, by);
        line_add(&reason_line, why);
        reason = reason_line.text;
    } else if (wanted(sub, hf_reason)) {
        reason = reason_text(&reason_line, r, inferred);
    }
    if (reason != NULL)
        add_string(sub, hf_reason, tvb, reason);
    if (wanted(sub, hf_conn))
        add_uint(sub, hf_conn, tvb, r->conn);
    if (wanted(sub, hf_incarnation))
        add_uint(sub, hf_incarnation, tvb, tp_engine_incarnation(tcpphase_capture_engine, r->conn));
    if (gaps != NULL && wanted(sub, hf_gap))
        add_string(sub, hf_gap, tvb, gaps);
    if (lost != NULL && wanted(sub, hf_not_delivered))
        add_string(sub, hf_not_delivered, tvb, lost);
    if (corrected_by != 0 && wanted(sub, hf_corrected_by))
        add_uint(sub, hf_corrected_by, tvb, corrected_by);
    if (corrects != NULL && wanted(sub, hf_corrects))
        add_string(sub, hf_corrects, tvb, corrects);
    /* The summary changes until the connection's last frame: its subtree on revisits only. */
    if (PINFO_FD_VISITED(pinfo) && conn_tree_wanted(sub) &&
        tp_engine_conn(tcpphase_capture_engine, r->conn, &conn))
        conn_tree_add(sub, tvb, &conn);
    return top;
}

/* A TCP frame whose header was cut short or lacked a field: say so rather than guess. */
void frame_tree_draw_unknown(proto_tree *tree, tvbuff_t *tvb)
{
    proto_item *top =
        label_wanted(tree)
            ? proto_tree_add_protocol_format(tree, proto_tcpphase, tvb, 0, 0,
                                             "TCP Connection Phase: %s (TCP header incomplete)",
                                             tp_role_name(TP_ROLE_UNKNOWN))
            : proto_tree_add_item(tree, proto_tcpphase, tvb, 0, 0, ENC_NA);
    proto_item_set_generated(top);
    proto_tree *sub = proto_item_add_subtree(top, ett_tcpphase);

    add_string(sub, hf_role, tvb, tp_role_name(TP_ROLE_UNKNOWN));
    add_string(sub, hf_phase, tvb, tp_phase_name(TP_PHASE_UNKNOWN));
}

void frame_tree_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_role,
         {"Role", "tcpphase.role", FT_STRING, BASE_NONE, NULL, 0x0,
          "What this segment does in its connection's life", HFILL}},
        {&hf_phase,
         {"Phase", "tcpphase.phase", FT_STRING, BASE_NONE, NULL, 0x0,
          "The connection phase this segment belongs to", HFILL}},
        {&hf_sender,
         {"Sender", "tcpphase.sender", FT_STRING, BASE_NONE, NULL, 0x0,
          "Which endpoint sent the segment; the client sent the first SYN", HFILL}},
        {&hf_client_state,
         {"Client state", "tcpphase.client_state", FT_STRING, BASE_NONE, NULL, 0x0,
          "RFC 9293 state of the client after this segment", HFILL}},
        {&hf_server_state,
         {"Server state", "tcpphase.server_state", FT_STRING, BASE_NONE, NULL, 0x0,
          "RFC 9293 state of the server after this segment", HFILL}},
        {&hf_transition,
         {"Transition", "tcpphase.transition", FT_STRING, BASE_NONE, NULL, 0x0,
          "State changes this segment caused, or none", HFILL}},
        {&hf_reason,
         {"Reason", "tcpphase.reason", FT_STRING, BASE_NONE, NULL, 0x0,
          "The RFC 9293 rule behind each endpoint's state after this segment", HFILL}},
        {&hf_conn,
         {"Connection", "tcpphase.conn", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Connection number in the capture, from 1", HFILL}},
        {&hf_incarnation,
         {"Incarnation", "tcpphase.incarnation", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Which use of this 4-tuple the connection is, from 1", HFILL}},
        {&hf_gap,
         {"Capture gap", "tcpphase.gap", FT_STRING, BASE_NONE, NULL, 0x0,
          "Segments the capture missed (or holds later) that this segment's numbers prove were "
          "sent, e.g. \"server SYN-ACK\"; their effect on the states is applied here",
          HFILL}},
        {&hf_not_delivered,
         {"Not delivered", "tcpphase.not_delivered", FT_STRING, BASE_NONE, NULL, 0x0,
          "Segments the capture holds that this segment proves never reached their receiver "
          "(it retransmits what they acknowledged), e.g. \"client final-ack, frame 7\"; the "
          "receiver's state is taken back here",
          HFILL}},
        {&hf_corrected_by,
         {"Corrected by", "tcpphase.corrected_by", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          "The later frame that proves this one's states or role (the second look: GUI, "
          "tshark -2); a single pass shows what was known when the frame was read",
          HFILL}},
        {&hf_corrects,
         {"Corrects", "tcpphase.corrects", FT_STRING, BASE_NONE, NULL, 0x0,
          "The earlier frames this segment proves wrong as first read, e.g. \"frames 3-5\"",
          HFILL}},
        {&hf_inferred,
         {"Inferred", "tcpphase.inferred", FT_STRING, BASE_NONE, NULL, 0x0,
          "Endpoints whose state after this segment is inferred: the capture holds no segment "
          "of theirs up to here (a one-direction capture, or their first segments missed)",
          HFILL}},
    };
    static gint *ett[] = {&ett_tcpphase};

    proto_tcpphase = proto;
    proto_register_field_array(proto_tcpphase, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
}
