/*
 * floor.c: the cost floor of tcpphase's output, as a Wireshark plugin for bench/run only.
 *
 * It registers the protocol and the field names tcpphase registers (so that the same tshark
 * command line runs against it) and, on every TCP segment of a tree, draws what tcpphase
 * draws in a visible tree, with constant values: the protocol item and its header line, six
 * strings and two numbers, and on revisits the connection summary subtree with its fourteen
 * fields. It has no engine, no shim in front of TCP, no findings and no taps; it leaves out
 * tcpphase.reason, which tcpphase draws on about a third of the segments, and it writes no Info
 * column text (it registers tcpphase.info and the expert items' names only so that tcpphase's
 * profile and its colouring rules load). Whatever this
 * costs tshark is the least any plugin drawing tcpphase's fields costs, however fast its engine:
 * bench/run measures it beside the real plugin (docs/PERFORMANCE.md).
 *
 * Never installed, never loaded with tcpphase (both register "tcpphase").
 */
#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto.h>

WS_DLL_PUBLIC_DEF const char plugin_version[] = "0.0.0";
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;
WS_DLL_PUBLIC void plugin_register(void);

static int proto_floor = -1;
static gint ett_floor = -1, ett_conn = -1;

/* The per-segment fields, then the summary's, in tcpphase's order and types. */
enum { ROLE, PHASE, SENDER, CLIENT, SERVER, TRANSITION, CONN, INCARNATION, N_SEGMENT };
enum {
    OPEN,
    CLOSE,
    HOLDER,
    DURATION,
    FIRST,
    LAST,
    BYTES_C,
    BYTES_S,
    FRAMES_C,
    FRAMES_S,
    FINAL_C,
    FINAL_S,
    ZEEK,
    HISTORY,
    N_SUMMARY
};
static int hf_seg[N_SEGMENT], hf_sum[N_SUMMARY];

static void add_string(proto_tree *tree, int hf, tvbuff_t *tvb, const char *value)
{
    proto_item_set_generated(proto_tree_add_string(tree, hf, tvb, 0, 0, value));
}

static void add_uint(proto_tree *tree, int hf, tvbuff_t *tvb, guint32 value)
{
    proto_item_set_generated(proto_tree_add_uint(tree, hf, tvb, 0, 0, value));
}

static void draw_summary(proto_tree *tree, tvbuff_t *tvb, guint32 frame)
{
    proto_item *top;
    proto_tree *sub = proto_tree_add_subtree_format(tree, tvb, 0, 0, ett_conn, &top, "%s",
                                                    "Connection 1: 3way, fin-4way, SF ShADadFf");
    nstime_t duration = {.secs = 1, .nsecs = 500};

    proto_item_set_generated(top);
    add_string(sub, hf_sum[OPEN], tvb, "3way");
    add_string(sub, hf_sum[CLOSE], tvb, "fin-4way");
    add_string(sub, hf_sum[HOLDER], tvb, "client");
    proto_item_set_generated(proto_tree_add_time(sub, hf_sum[DURATION], tvb, 0, 0, &duration));
    add_uint(sub, hf_sum[FIRST], tvb, frame);
    add_uint(sub, hf_sum[LAST], tvb, frame + 9);
    proto_item_set_generated(proto_tree_add_uint64(sub, hf_sum[BYTES_C], tvb, 0, 0, 1000));
    proto_item_set_generated(proto_tree_add_uint64(sub, hf_sum[BYTES_S], tvb, 0, 0, 2000));
    add_uint(sub, hf_sum[FRAMES_C], tvb, 5);
    add_uint(sub, hf_sum[FRAMES_S], tvb, 5);
    add_string(sub, hf_sum[FINAL_C], tvb, "TIME-WAIT");
    add_string(sub, hf_sum[FINAL_S], tvb, "CLOSED");
    add_string(sub, hf_sum[ZEEK], tvb, "SF");
    add_string(sub, hf_sum[HISTORY], tvb, "ShADadFf");
}

static int dissect_floor(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (tree == NULL || pinfo->ptype != PT_TCP || !proto_field_is_referenced(tree, proto_floor))
        return 0;
    proto_item *top = proto_tree_add_protocol_format(
        tree, proto_floor, tvb, 0, 0, "%s",
        "TCP Connection Phase: ack, client ESTABLISHED, server ESTABLISHED");
    proto_item_set_generated(top);
    proto_tree *sub = proto_item_add_subtree(top, ett_floor);

    add_string(sub, hf_seg[ROLE], tvb, "ack");
    add_string(sub, hf_seg[PHASE], tvb, "data");
    add_string(sub, hf_seg[SENDER], tvb, "client");
    add_string(sub, hf_seg[CLIENT], tvb, "ESTABLISHED");
    add_string(sub, hf_seg[SERVER], tvb, "ESTABLISHED");
    add_string(sub, hf_seg[TRANSITION], tvb, "none");
    add_uint(sub, hf_seg[CONN], tvb, 1);
    add_uint(sub, hf_seg[INCARNATION], tvb, 1);
    if (PINFO_FD_VISITED(pinfo))
        draw_summary(sub, tvb, pinfo->num);
    return 0;
}

#define FIELD(var, name, abbrev, type, base)                                                       \
    {                                                                                              \
        &(var),                                                                                    \
        {                                                                                          \
            name, abbrev, type, base, NULL, 0x0, NULL, HFILL                                       \
        }                                                                                          \
    }

static void register_floor(void)
{
    static hf_register_info hf[] = {
        FIELD(hf_seg[ROLE], "Role", "tcpphase.role", FT_STRING, BASE_NONE),
        FIELD(hf_seg[PHASE], "Phase", "tcpphase.phase", FT_STRING, BASE_NONE),
        FIELD(hf_seg[SENDER], "Sender", "tcpphase.sender", FT_STRING, BASE_NONE),
        FIELD(hf_seg[CLIENT], "Client state", "tcpphase.client_state", FT_STRING, BASE_NONE),
        FIELD(hf_seg[SERVER], "Server state", "tcpphase.server_state", FT_STRING, BASE_NONE),
        FIELD(hf_seg[TRANSITION], "Transition", "tcpphase.transition", FT_STRING, BASE_NONE),
        FIELD(hf_seg[CONN], "Connection", "tcpphase.conn", FT_UINT32, BASE_DEC),
        FIELD(hf_seg[INCARNATION], "Incarnation", "tcpphase.incarnation", FT_UINT32, BASE_DEC),
        FIELD(hf_sum[OPEN], "Open", "tcpphase.conn.open", FT_STRING, BASE_NONE),
        FIELD(hf_sum[CLOSE], "Close", "tcpphase.conn.close", FT_STRING, BASE_NONE),
        FIELD(hf_sum[HOLDER], "TIME-WAIT holder", "tcpphase.conn.time_wait_holder", FT_STRING,
              BASE_NONE),
        FIELD(hf_sum[DURATION], "Duration", "tcpphase.conn.duration", FT_RELATIVE_TIME, BASE_NONE),
        FIELD(hf_sum[FIRST], "First frame", "tcpphase.conn.first_frame", FT_FRAMENUM, BASE_NONE),
        FIELD(hf_sum[LAST], "Last frame", "tcpphase.conn.last_frame", FT_FRAMENUM, BASE_NONE),
        FIELD(hf_sum[BYTES_C], "Bytes from client", "tcpphase.conn.bytes_client", FT_UINT64,
              BASE_DEC),
        FIELD(hf_sum[BYTES_S], "Bytes from server", "tcpphase.conn.bytes_server", FT_UINT64,
              BASE_DEC),
        FIELD(hf_sum[FRAMES_C], "Segments from client", "tcpphase.conn.frames_client", FT_UINT32,
              BASE_DEC),
        FIELD(hf_sum[FRAMES_S], "Segments from server", "tcpphase.conn.frames_server", FT_UINT32,
              BASE_DEC),
        FIELD(hf_sum[FINAL_C], "Client final state", "tcpphase.conn.client_final", FT_STRING,
              BASE_NONE),
        FIELD(hf_sum[FINAL_S], "Server final state", "tcpphase.conn.server_final", FT_STRING,
              BASE_NONE),
        FIELD(hf_sum[ZEEK], "Zeek conn_state", "tcpphase.conn.zeek_state", FT_STRING, BASE_NONE),
        FIELD(hf_sum[HISTORY], "Zeek history", "tcpphase.conn.history", FT_STRING, BASE_NONE),
    };
    static gint *ett[] = {&ett_floor, &ett_conn};

    proto_floor =
        proto_register_protocol("TCP Connection Phase (cost floor)", "TCPPHASE", "tcpphase");
    proto_register_field_array(proto_floor, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    /* tcpphase's Info preference, so that its profile (which sets it) loads without a warning;
     * the floor writes no Info text whatever it says. */
    static const enum_val_t info_values[] = {{"off", "Off", 0},
                                             {"role", "Role", 1},
                                             {"role_and_states", "Role and states", 2},
                                             {NULL, NULL, -1}};
    static gint info_pref = 2;
    prefs_register_enum_preference(prefs_register_protocol(proto_floor, NULL), "info",
                                   "Info column", "Not used by the floor", &info_pref, info_values,
                                   FALSE);
    /* tcpphase's expert item names, which its profile's colouring rules test; never raised. */
    static expert_field ei[6] = {EI_INIT, EI_INIT, EI_INIT, EI_INIT, EI_INIT, EI_INIT};
    static ei_register_info eis[] = {
        {&ei[0], {"tcpphase.half_open", PI_SEQUENCE, PI_WARN, "Half-open", EXPFILL}},
        {&ei[1], {"tcpphase.half_closed", PI_SEQUENCE, PI_NOTE, "Half-closed", EXPFILL}},
        {&ei[2], {"tcpphase.time_wait_reuse", PI_SEQUENCE, PI_WARN, "Reuse", EXPFILL}},
        {&ei[3], {"tcpphase.rst_instead_of_fin", PI_SEQUENCE, PI_WARN, "RST", EXPFILL}},
        {&ei[4], {"tcpphase.rst_after_fin", PI_SEQUENCE, PI_WARN, "RST after FIN", EXPFILL}},
        {&ei[5], {"tcpphase.capture_gap", PI_SEQUENCE, PI_NOTE, "Gap", EXPFILL}},
    };
    expert_register_field_array(expert_register_protocol(proto_floor), eis, array_length(eis));
    register_postdissector(create_dissector_handle(dissect_floor, proto_floor));
}

static void handoff_floor(void) {}

void plugin_register(void)
{
    static proto_plugin plug;

    plug.register_protoinfo = register_floor;
    plug.register_handoff = handoff_floor;
    proto_register_plugin(&plug);
}
