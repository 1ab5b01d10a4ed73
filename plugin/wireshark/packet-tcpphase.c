/*
 * packet-tcpphase.c: the TCP Connection Phase post-dissector.
 *
 * Thin glue between Wireshark and the tcpphase engine (plugin/engine/tcpphase.h): it hands each
 * TCP segment to the engine on the first pass and draws the engine's stored answer. It decides
 * nothing about TCP itself.
 *
 * Passes: the engine must see segments once, in capture order, so only the first pass
 * (!PINFO_FD_VISITED) feeds it. Later passes (tshark -2, clicking a packet in Wireshark) only
 * look the frame up, which is also why they can do without the TCP fields in the tree.
 *
 * Where the first pass reads a segment: from the shim in front of TCP (tcp_shim.c), which sees
 * each frame's TCP header whether or not a protocol tree is built, so tshark is not asked for
 * one. Only when the shim is out of TCP's way (Decode As, another plugin) are the TCP fields
 * read from the tree, which then must hold them on the first pass (wanted hfids): slower, as
 * every dissector then builds its part of a tree, but the same answers.
 *
 * Drawing: a tree that tshark builds for filters or -e fields keeps only the fields asked for,
 * so only those are worked out; a visible tree gets everything.
 */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto.h>
#include <epan/tap.h>
#include <wsutil/str_util.h>
#include <wsutil/wmem/wmem.h>

#include "capture_file.h"
#include "conn_tree.h"
#include "inferred.h"
#include "info_column.h"
#include "line.h"
#include "packet-tcpphase.h"
#include "taps.h"
#include "tcp_fields.h"
#include "tcp_shim.h"
#include "tcpphase.h"
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

/* Indexed by tp_finding_kind, so a finding picks its expert item without a table search. */
static expert_field ei_finding[TP_FIND_COUNT] = {EI_INIT, EI_INIT, EI_INIT, EI_INIT,
                                                 EI_INIT, EI_INIT, EI_INIT, EI_INIT,
                                                 EI_INIT, EI_INIT, EI_INIT};

/* Seconds; Linux's TIME-WAIT. Read when a capture file is opened (see tcpphase_init). */
static guint pref_time_wait_s = 60;

/* Start connections where Zeek would (its timers and port-reuse rule) instead of per RFC 9293
 * incarnation: for comparisons with Zeek's conn.log (docs/zeek-differences.md). */
static tp_ws_pref_bool pref_zeek_sessions = FALSE;

static dissector_handle_t tcpphase_handle; /* with the protocol: dissect_tcpphase */
static dissector_handle_t gate_handle;     /* the post-dissector, without: tcpphase_gate */
static protocol_t *tcpphase_protocol;

/* The "tcpphase" tap: one tcpphase_tap_rec per classified segment (taps.h). */
static int tcpphase_tap = -1;

/* One engine per capture file, tcpphase_capture_engine (capture_file.h): it holds every
 * connection and every frame's answer, and the taps read it. */

/* The first pass reads segments from the tree, not the shim (see "Where" above). */
static gboolean read_tree;

/* Protocol ids of the layers carries_own_tcp looks for, found at the handoff. */
static int proto_tcp = -1, proto_icmp = -1, proto_icmpv6 = -1;

static void tcpphase_init(void)
{
    tp_config cfg = {.time_wait_s = (double)pref_time_wait_s,
                     .zeek_sessions = pref_zeek_sessions ? true : false};

    if (tcpphase_capture_engine != NULL) /* defensive: a cleanup should always have come first */
        tp_engine_free(tcpphase_capture_engine);
    tcpphase_capture_engine = tp_engine_new(&cfg);
    inferred_forget();

    /* Checked for each capture file, before tshark decides whether its first pass builds
     * trees: a Decode As change re-dissects, and so comes through here. */
    read_tree = !tcp_shim_active();
    set_postdissector_wanted_hfids(gate_handle, read_tree ? tcp_fields_wanted() : NULL);
}

static void tcpphase_cleanup(void)
{
    tp_engine_free(tcpphase_capture_engine);
    tcpphase_capture_engine = NULL;
    info_column_forget();
    inferred_forget();
}

/*
 * True when the frame has a TCP layer of its own. A TCP header quoted inside an ICMP or ICMPv6
 * error describes another packet (often one never captured here); feeding it would invent a
 * segment, so such frames get no tcpphase output at all.
 */
static gboolean carries_own_tcp(const packet_info *pinfo)
{
    gboolean tcp = FALSE;

    /* One walk over the layers by protocol id: proto_is_frame_protocol looks each name up
     * again, three times a frame. */
    for (wmem_list_frame_t *f = wmem_list_head(pinfo->layers); f != NULL;
         f = wmem_list_frame_next(f)) {
        int id = GPOINTER_TO_INT(wmem_list_frame_data(f));
        if (id == proto_icmp || id == proto_icmpv6)
            return FALSE;
        tcp = tcp || id == proto_tcp;
    }
    return tcp;
}

/* First pass: read the segment and feed it. NULL when the header could not be read whole. */
static const tp_result *feed_frame(proto_tree *tree, packet_info *pinfo)
{
    tp_segment from_tree;
    const tp_segment *seg = NULL;

    if (!read_tree)
        seg = tcp_shim_segment(pinfo);
    else if (tcp_fields_read(tree, pinfo, &from_tree) == TCP_READ_OK)
        seg = &from_tree;
    if (seg == NULL)
        return NULL;
    const tp_result *r = tp_engine_feed(tcpphase_capture_engine, seg);
    ladder_tap_record(seg, r); /* the raw values are only readable now, on the first pass */
    if (r != NULL && r->conn != 0)
        inferred_record(tcpphase_capture_engine, pinfo->num, r);
    return r;
}

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
static proto_item *draw_result(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo,
                               const tp_result *r, guint32 corrected_by)
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
static void draw_unknown(proto_tree *tree, tvbuff_t *tvb)
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

/*
 * Hindsight findings (a SYN never answered) need the whole capture, which is only certain once
 * the frame is revisited; on the first pass only the immediate findings are shown.
 */
static size_t get_findings(packet_info *pinfo, tp_finding *found, size_t max)
{
    size_t n = tp_engine_findings(tcpphase_capture_engine, pinfo->num, PINFO_FD_VISITED(pinfo),
                                  found, max);
    return n < max ? n : max;
}

/* With no tree, top is NULL and the items still reach the expert tap. */
static void add_findings(packet_info *pinfo, proto_item *top, const tp_finding *found, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((unsigned)found[i].kind >= TP_FIND_COUNT)
            continue;
        /* The precision bounds the read: the message is the engine's fixed-size buffer, and a
         * missing terminator must not make us read past it. */
        if (tcpphase_pref_student) /* the item's name only: its explanation is for after the guess
                                    */
            expert_add_info(pinfo, top, &ei_finding[found[i].kind]);
        else
            expert_add_info_format(pinfo, top, &ei_finding[found[i].kind], "%.*s",
                                   (int)sizeof(found[i].message), found[i].message);
    }
}

/* Hands the segment's result to the tap listeners, if any; the copy lives as long as the
 * packet, which outlasts the tap queue. */
static void queue_tap(packet_info *pinfo, const tp_result *r)
{
    if (!have_tap_listener(tcpphase_tap))
        return;
    tcpphase_tap_rec *rec = wmem_new0(pinfo->pool, tcpphase_tap_rec);
    rec->frame = pinfo->num;
    rec->result = *r;
    rec->complete = PINFO_FD_VISITED(pinfo);
    tap_queue_packet(tcpphase_tap, pinfo, rec);
}

/* What the gate (tcpphase_gate) found for the frame, handed to dissect_tcpphase. */
typedef struct frame_work {
    const tp_result *r;   /* NULL: a TCP frame whose header could not be read */
    tp_result final;      /* on revisits, r corrected by a later frame (the second look) */
    guint32 corrected_by; /* that frame, or 0 */
    size_t n;             /* findings in found */
    tp_finding found[2 * TP_FIND_COUNT];
} frame_work;

/* The frame's tcpphase output in the tree, its expert items, tap record and Info text. Called
 * by the gate through tcpphase_handle, which carries the protocol (see tcpphase_gate). */
static int dissect_tcpphase(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    const frame_work *w = (const frame_work *)data;
    if (w == NULL)
        return 0;
    const tp_result *r = w->r;
    size_t n = w->n;

    /* A tree that keeps none of our fields gets no subtree, unless a finding needs it: an
     * expert item hangs on the subtree, and _ws.expert filters read it there. */
    proto_item *top = NULL;
    if (tree != NULL && (n > 0 || proto_field_is_referenced(tree, proto_tcpphase))) {
        if (r != NULL)
            top = draw_result(tree, tvb, pinfo, r, w->corrected_by);
        else
            draw_unknown(tree, tvb);
    }
    if (r != NULL) {
        add_findings(pinfo, top, w->found, n);
        queue_tap(pinfo, r);
        info_column_write(pinfo, r);
    }
    /* A post-dissector consumes no bytes; Wireshark ignores the value anyway. */
    return 0;
}

/*
 * The registered post-dissector. Wireshark calls every post-dissector for every frame, and a
 * handle with a protocol costs about 600 instructions a call before the dissector runs (the
 * enabled check, the protocol's name and layer bookkeeping, undone again as a post-dissector
 * consumes nothing): 1.4 % of tshark's own cost per frame when it builds no tree. So the
 * registered handle has no protocol, makes the enabled check itself, and does the common case
 * here: a frame that draws nothing and has no finding only feeds the engine (first pass),
 * queues its tap record and writes the Info column, none of which reads the protocol's
 * bookkeeping. Anything that adds to the tree or makes an expert item (which records
 * pinfo->current_proto) goes through tcpphase_handle, with the bookkeeping, exactly as before.
 */
static int tcpphase_gate(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (!proto_is_protocol_enabled(tcpphase_protocol) || tcpphase_capture_engine == NULL ||
        !carries_own_tcp(pinfo))
        return 0;

    frame_work w;
    w.corrected_by = 0;
    w.r = PINFO_FD_VISITED(pinfo)
              ? tp_engine_final(tcpphase_capture_engine, pinfo->num, &w.final, &w.corrected_by)
              : feed_frame(tree, pinfo);
    if (w.r != NULL && w.r->conn == 0) /* the engine's "not a segment" */
        w.r = NULL;

    /* The first pass has only the immediate findings, whose bits the result carries: most
     * segments have none, and need no look-up. */
    w.n = w.r != NULL && (w.r->findings != 0 || PINFO_FD_VISITED(pinfo))
              ? get_findings(pinfo, w.found, G_N_ELEMENTS(w.found))
              : 0;

    if (w.n > 0 || (tree != NULL && proto_field_is_referenced(tree, proto_tcpphase)))
        return call_dissector_only(tcpphase_handle, tvb, pinfo, tree, &w);
    if (w.r != NULL) {
        queue_tap(pinfo, w.r);
        info_column_write(pinfo, w.r);
    }
    return 0;
}

static void register_fields(void)
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

    proto_register_field_array(proto_tcpphase, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
}

static void register_expert_items(void)
{
    /* The summaries are defaults: each item's text is the engine's message with its facts. */
    static ei_register_info ei[] = {
        {&ei_finding[TP_FIND_HALF_OPEN],
         {"tcpphase.half_open", PI_SEQUENCE, PI_WARN, "Half-open connection", EXPFILL}},
        {&ei_finding[TP_FIND_HALF_CLOSED],
         {"tcpphase.half_closed", PI_SEQUENCE, PI_NOTE, "Half-closed connection", EXPFILL}},
        {&ei_finding[TP_FIND_TIME_WAIT_REUSE],
         {"tcpphase.time_wait_reuse", PI_SEQUENCE, PI_WARN, "4-tuple reused during TIME-WAIT",
          EXPFILL}},
        {&ei_finding[TP_FIND_RST_INSTEAD_OF_FIN],
         {"tcpphase.rst_instead_of_fin", PI_SEQUENCE, PI_WARN,
          "Connection closed by RST instead of FIN", EXPFILL}},
        {&ei_finding[TP_FIND_RST_AFTER_FIN],
         {"tcpphase.rst_after_fin", PI_SEQUENCE, PI_WARN, "RST after FIN", EXPFILL}},
        {&ei_finding[TP_FIND_CAPTURE_GAP],
         {"tcpphase.capture_gap", PI_SEQUENCE, PI_NOTE,
          "The capture missed a segment this one proves was sent", EXPFILL}},
        {&ei_finding[TP_FIND_PROBE],
         {"tcpphase.probe", PI_SEQUENCE, PI_NOTE,
          "A segment whose flags no TCP state accepts (a scan or OS-detection probe)", EXPFILL}},
        {&ei_finding[TP_FIND_SYN_UNANSWERED],
         {"tcpphase.syn_unanswered", PI_SEQUENCE, PI_NOTE,
          "SYN never answered: no connection on either host", EXPFILL}},
        {&ei_finding[TP_FIND_SCAN],
         {"tcpphase.scan", PI_SECURITY, PI_WARN, "Port scan: one host tried many ports of another",
          EXPFILL}},
        {&ei_finding[TP_FIND_OUT_OF_ORDER],
         {"tcpphase.out_of_order", PI_SEQUENCE, PI_NOTE,
          "A segment before this one comes later in the capture (second look)", EXPFILL}},
        {&ei_finding[TP_FIND_NOT_DELIVERED],
         {"tcpphase.lost_after_capture", PI_SEQUENCE, PI_NOTE,
          "A segment the capture holds never reached its receiver", EXPFILL}},
    };
    expert_module_t *expert = expert_register_protocol(proto_tcpphase);

    expert_register_field_array(expert, ei, array_length(ei));
}

static void register_preferences(void)
{
    /* No apply callback: a changed preference takes effect through the re-dissection Wireshark
     * runs after it, whose init routine builds a fresh engine with the new value. */
    module_t *module = prefs_register_protocol(proto_tcpphase, NULL);

    prefs_register_uint_preference(
        module, "time_wait", "TIME-WAIT period (seconds)",
        "How long an endpoint stays in TIME-WAIT; a new SYN on the same 4-tuple within it is "
        "reported as reuse. Linux uses 60 s; RFC 9293's 2 MSL is 240 s.",
        10, &pref_time_wait_s);
    prefs_register_bool_preference(
        module, "zeek_sessions", "Connections as Zeek splits them",
        "Start a new connection where Zeek would (its inactivity and close timers, its port "
        "reuse rule) instead of at each RFC 9293 incarnation, so that the connection summary "
        "compares with Zeek's conn.log. Off: one connection per incarnation.",
        &pref_zeek_sessions);
    info_column_register_pref(module);
    prefs_register_bool_preference(
        module, "student", "Student mode (predict, then reveal)",
        "Show each segment's role, sender and connection only; hide both endpoints' states, "
        "transitions, reasons, gaps and the explanations of expert items (their names stay), "
        "and write only the role in the Info column. For labs: predict the states, then turn "
        "this off to check.",
        &tcpphase_pref_student);
}

void proto_register_tcpphase(void)
{
    proto_tcpphase = proto_register_protocol("TCP Connection Phase", "TCPPHASE", "tcpphase");
    register_fields();
    conn_tree_register(proto_tcpphase);
    register_expert_items();
    register_preferences();

    tcpphase_tap = register_tap(TCPPHASE_TAP_NAME);
    tcpphase_taps_register();

    tcpphase_handle = create_dissector_handle(dissect_tcpphase, proto_tcpphase);
    tcpphase_protocol = find_protocol_by_id(proto_tcpphase);
    gate_handle = create_dissector_handle(tcpphase_gate, -1);
    register_postdissector(gate_handle);
    tcp_shim_register(proto_tcpphase);
    register_init_routine(tcpphase_init);
    register_cleanup_routine(tcpphase_cleanup);
}

void proto_reg_handoff_tcpphase(void)
{
    /* TCP and its fields exist only once every protocol has registered, i.e. now. Whether the
     * TCP fields are asked for is decided per capture file (tcpphase_init). */
    tcp_fields_lookup();
    proto_tcp = proto_get_id_by_filter_name("tcp");
    proto_icmp = proto_get_id_by_filter_name("icmp");
    proto_icmpv6 = proto_get_id_by_filter_name("icmpv6");
    tcp_shim_install();
}
