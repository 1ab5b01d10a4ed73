/*
 * conn_tree.c: the connection summary subtree, "Connection 3: 3way, fin-4way, SF ShADadFf".
 *
 * Every value comes from the engine's tp_conn_summary; this file only lays them out. The
 * subtree is drawn on revisits only (see conn_tree_add), so all its fields are two-pass fields:
 * a single-pass tshark never has them, while the per-segment fields are the same either way.
 */
#include "conn_tree.h"

#include <string.h>

#include <epan/proto.h>

#include "conn_text.h"
#include "line.h"

static int hf_open = -1;
static int hf_close = -1;
static int hf_time_wait_holder = -1;
static int hf_duration = -1;
static int hf_first_frame = -1;
static int hf_last_frame = -1;
static int hf_bytes_client = -1;
static int hf_bytes_server = -1;
static int hf_frames_client = -1;
static int hf_frames_server = -1;
static int hf_client_final = -1;
static int hf_server_final = -1;
static int hf_zeek_state = -1;
static int hf_history = -1;
static int hf_seen = -1;

static gint ett_conn = -1;

void conn_tree_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_open,
         {"Open", "tcpphase.conn.open", FT_STRING, BASE_NONE, NULL, 0x0,
          "How the connection opened: 3way simultaneous refused syn-unanswered synack-unacked "
          "mid-stream",
          HFILL}},
        {&hf_close,
         {"Close", "tcpphase.conn.close", FT_STRING, BASE_NONE, NULL, 0x0,
          "How the connection closed: fin-4way fin-3way fin-simultaneous half-closed "
          "rst-instead-of-fin rst-after-fin rst-half-open refused syn-unanswered open",
          HFILL}},
        {&hf_time_wait_holder,
         {"TIME-WAIT holder", "tcpphase.conn.time_wait_holder", FT_STRING, BASE_NONE, NULL, 0x0,
          "Which endpoint ended in TIME-WAIT: client server both none", HFILL}},
        {&hf_duration,
         {"Duration", "tcpphase.conn.duration", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
          "Time from the connection's first segment to its last", HFILL}},
        {&hf_first_frame,
         {"First frame", "tcpphase.conn.first_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          "The connection's first segment", HFILL}},
        {&hf_last_frame,
         {"Last frame", "tcpphase.conn.last_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          "The connection's last segment", HFILL}},
        {&hf_bytes_client,
         {"Bytes from client", "tcpphase.conn.bytes_client", FT_UINT64, BASE_DEC, NULL, 0x0,
          "TCP payload bytes the client sent, retransmissions included", HFILL}},
        {&hf_bytes_server,
         {"Bytes from server", "tcpphase.conn.bytes_server", FT_UINT64, BASE_DEC, NULL, 0x0,
          "TCP payload bytes the server sent, retransmissions included", HFILL}},
        {&hf_frames_client,
         {"Segments from client", "tcpphase.conn.frames_client", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Segments the client sent", HFILL}},
        {&hf_frames_server,
         {"Segments from server", "tcpphase.conn.frames_server", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Segments the server sent", HFILL}},
        {&hf_client_final,
         {"Client final state", "tcpphase.conn.client_final", FT_STRING, BASE_NONE, NULL, 0x0,
          "RFC 9293 state the client was left in after the connection's last segment", HFILL}},
        {&hf_server_final,
         {"Server final state", "tcpphase.conn.server_final", FT_STRING, BASE_NONE, NULL, 0x0,
          "RFC 9293 state the server was left in after the connection's last segment", HFILL}},
        {&hf_zeek_state,
         {"Zeek conn_state", "tcpphase.conn.zeek_state", FT_STRING, BASE_NONE, NULL, 0x0,
          "Zeek's conn_state for the connection: S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 RSTRH SH "
          "SHR OTH",
          HFILL}},
        {&hf_history,
         {"Zeek history", "tcpphase.conn.history", FT_STRING, BASE_NONE, NULL, 0x0,
          "Zeek's history letters; upper case: Zeek's originator", HFILL}},
        {&hf_seen,
         {"Sides seen", "tcpphase.conn.seen", FT_STRING, BASE_NONE, NULL, 0x0,
          "Whose segments the capture holds: both, client-only, server-only (one direction: "
          "the other side's states are inferred from these segments' numbers)",
          HFILL}},
    };
    static gint *ett[] = {&ett_conn};

    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
}

/* A NUL-terminated copy of one of the summary's fixed-size strings, whatever it holds. */
static void copy_fixed(char *to, size_t size, const char *from, size_t from_size)
{
    size_t n = conn_fixed_len(from, from_size);
    if (n >= size)
        n = size - 1;
    memcpy(to, from, n);
    to[n] = '\0';
}

static void add_string(proto_tree *tree, int hf, tvbuff_t *tvb, const char *value)
{
    proto_item_set_generated(proto_tree_add_string(tree, hf, tvb, 0, 0, value));
}

static void add_uint(proto_tree *tree, int hf, tvbuff_t *tvb, guint32 value)
{
    proto_item_set_generated(proto_tree_add_uint(tree, hf, tvb, 0, 0, value));
}

static void add_uint64(proto_tree *tree, int hf, tvbuff_t *tvb, guint64 value)
{
    proto_item_set_generated(proto_tree_add_uint64(tree, hf, tvb, 0, 0, value));
}

static void add_duration(proto_tree *tree, tvbuff_t *tvb, int64_t ns)
{
    nstime_t t;

    t.secs = (time_t)(ns / 1000000000);
    t.nsecs = (int)(ns % 1000000000);
    proto_item_set_generated(proto_tree_add_time(tree, hf_duration, tvb, 0, 0, &t));
}

bool conn_tree_wanted(proto_tree *tree)
{
    const int *const fields[] = {
        &hf_open,          &hf_close,        &hf_time_wait_holder,
        &hf_duration,      &hf_first_frame,  &hf_last_frame,
        &hf_bytes_client,  &hf_bytes_server, &hf_frames_client,
        &hf_frames_server, &hf_client_final, &hf_server_final,
        &hf_zeek_state,    &hf_history,      &hf_seen,
    };
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
        if (proto_field_is_referenced(tree, *fields[i]))
            return true;
    }
    return false;
}

void conn_tree_add(proto_tree *tree, tvbuff_t *tvb, const tp_conn_summary *s)
{
    char zeek_state[sizeof s->zeek_state + 1], history[sizeof s->history + 1];
    const char *open = tp_open_name(s->open), *close = tp_close_name(s->close);

    copy_fixed(zeek_state, sizeof zeek_state, s->zeek_state, sizeof s->zeek_state);
    copy_fixed(history, sizeof history, s->history, sizeof s->history);

    /* "Connection 3: 3way, fin-4way, SF ShADadFf", joined rather than printed (line.h). */
    line label;
    line_clear(&label);
    line_add(&label, "Connection ");
    line_add_uint(&label, s->conn);
    line_add(&label, ": ");
    line_add(&label, open);
    line_add(&label, ", ");
    line_add(&label, close);
    line_add(&label, ", ");
    line_add(&label, zeek_state);
    if (history[0] != '\0') {
        line_add(&label, " ");
        line_add(&label, history);
    }

    proto_item *top;
    proto_tree *sub =
        proto_tree_add_subtree_format(tree, tvb, 0, 0, ett_conn, &top, "%s", label.text);
    proto_item_set_generated(top);

    add_string(sub, hf_open, tvb, open);
    add_string(sub, hf_close, tvb, close);
    add_string(sub, hf_time_wait_holder, tvb, conn_time_wait_holder(s));
    add_duration(sub, tvb, conn_span_ns(s));
    add_uint(sub, hf_first_frame, tvb, s->first_frame);
    add_uint(sub, hf_last_frame, tvb, s->last_frame);
    add_uint64(sub, hf_bytes_client, tvb, s->bytes[TP_CLIENT]);
    add_uint64(sub, hf_bytes_server, tvb, s->bytes[TP_SERVER]);
    add_uint(sub, hf_frames_client, tvb, s->frames[TP_CLIENT]);
    add_uint(sub, hf_frames_server, tvb, s->frames[TP_SERVER]);
    add_string(sub, hf_client_final, tvb, tp_state_name(s->state[TP_CLIENT]));
    add_string(sub, hf_server_final, tvb, tp_state_name(s->state[TP_SERVER]));
    add_string(sub, hf_zeek_state, tvb, zeek_state);
    add_string(sub, hf_history, tvb, history);
    add_string(sub, hf_seen, tvb, tp_seen_name(s->seen));
}
