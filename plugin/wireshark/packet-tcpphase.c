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
 * Drawing: the segment's subtree is frame_tree.c's, the connection summary's conn_tree.c's;
 * this file decides when a frame draws at all, and adds its expert items, tap record and Info
 * text.
 */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto.h>
#include <epan/tap.h>
#include <wsutil/wmem/wmem.h>

#include "capture_file.h"
#include "conn_tree.h"
#include "frame_tree.h"
#include "inferred.h"
#include "info_column.h"
#include "packet-tcpphase.h"
#include "taps.h"
#include "tcp_fields.h"
#include "tcp_shim.h"
#include "tcpphase.h"
#include "ws_compat.h"

static int proto_tcpphase = -1;

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

/* Is TCP enabled ("Enabled Protocols", --disable-protocol)? A change re-dissects, and so comes
 * through tcpphase_init, which reads it. */
static gboolean tcp_enabled = TRUE;

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
    tcp_enabled = proto_tcp != -1 && proto_is_protocol_enabled(find_protocol_by_id(proto_tcp));
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
 *
 * The shim, when it is in TCP's way, knows at once: it saw the frame's first TCP header, and
 * whether an error packet quoted it; TCP then added its layer unless it is disabled. Only frames
 * the shim did not see (no TCP through "ip.proto", or the shim out of the way) walk the layers:
 * a walk costs about 20 instructions a layer, 120 a TCP frame.
 */
static gboolean carries_own_tcp(const packet_info *pinfo)
{
    int saw = read_tree ? -1 : tcp_shim_saw(pinfo);
    if (saw >= 0)
        return saw && tcp_enabled;

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
            top = frame_tree_draw(tree, tvb, pinfo, r, w->corrected_by);
        else
            frame_tree_draw_unknown(tree, tvb);
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
    frame_tree_register(proto_tcpphase);
    conn_tree_register(proto_tcpphase);
    register_expert_items();
    register_preferences();

    tcpphase_tap = register_tap(TCPPHASE_TAP_NAME);
    tcpphase_taps_register();

    tcpphase_handle = create_dissector_handle(dissect_tcpphase, proto_tcpphase);
    tcpphase_protocol = find_protocol_by_id(proto_tcpphase);
    gate_handle = create_dissector_handle(tcpphase_gate, -1);
    register_postdissector(gate_handle);
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
