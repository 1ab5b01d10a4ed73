/*
 * tcp_fields.c: reads one TCP segment out of the fields the TCP dissector put in the tree.
 *
 * We do not parse TCP ourselves: the TCP dissector already did, and reading its fields keeps
 * one interpretation of every header. The post-dissector asks for these fields with
 * set_postdissector_wanted_hfids, so they are in the tree on the first pass even when tshark
 * builds only a fake tree.
 *
 * A frame may hold more than one TCP header (a tunnel that carries TCP inside TCP). We use the
 * first one, and keep its fields apart from the others' by position: a field belongs to that
 * header when it lies inside the header's bytes (tcp.srcport's offset plus tcp.hdr_len) in the
 * same data source.
 *
 * Its addresses come from the IP header that carries it: the IPv4 or IPv6 source/destination
 * fields of the deepest layer below it (by the tree's layer numbers). pinfo->net_src/net_dst
 * would not do: they are the frame's innermost IP header, which belongs to another packet when
 * the TCP payload itself carries IP (GTP or PPP over TCP, ...), and mixing those with the
 * outer ports would invent a connection.
 */
#include "tcp_fields.h"

#include "capture_time.h"

#include <string.h>

#include <epan/proto.h>

#include "ws_compat.h"

typedef enum tcp_field {
    TF_SRCPORT,
    TF_DSTPORT,
    TF_SEQ,
    TF_ACK,
    TF_FLAGS,
    TF_LEN,
    TF_WINDOW,
    TF_HDR_LEN,
    TF_WSCALE,
    TF_TSVAL,
    TF_TSECR,
    TF_IP_SRC,
    TF_IP_DST,
    TF_IP6_SRC,
    TF_IP6_DST,
    TF_COUNT
} tcp_field;

/* Field names as the TCP dissector registers them; raw sequence numbers, unscaled window. */
static const char *const tcp_field_names[TF_COUNT] = {
    [TF_SRCPORT] = "tcp.srcport",
    [TF_DSTPORT] = "tcp.dstport",
    [TF_SEQ] = "tcp.seq_raw",
    [TF_ACK] = "tcp.ack_raw",
    [TF_FLAGS] = "tcp.flags",
    [TF_LEN] = "tcp.len",
    [TF_WINDOW] = "tcp.window_size_value",
    [TF_HDR_LEN] = "tcp.hdr_len", /* only to tell a whole header from a cut one */
    [TF_WSCALE] = "tcp.options.wscale.shift",
    [TF_TSVAL] = "tcp.options.timestamp.tsval",
    [TF_TSECR] = "tcp.options.timestamp.tsecr",
    [TF_IP_SRC] = "ip.src",
    [TF_IP_DST] = "ip.dst",
    [TF_IP6_SRC] = "ipv6.src",
    [TF_IP6_DST] = "ipv6.dst",
};

static int tcp_hf[TF_COUNT];
static gboolean tcp_hf_known; /* tcp_hf is filled in (the handoff has run) */

void tcp_fields_lookup(void)
{
    for (int i = 0; i < TF_COUNT; i++)
        tcp_hf[i] = proto_registrar_get_id_byname(tcp_field_names[i]);
    tcp_hf_known = TRUE;
}

GArray *tcp_fields_wanted(void)
{
    GArray *wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));
    for (int i = 0; i < TF_COUNT; i++) {
        /* A name this Wireshark does not know stays -1; asking for it would be an error. */
        if (tcp_hf[i] >= 0)
            g_array_append_val(wanted, tcp_hf[i]);
    }
    return wanted;
}

/* Where the first TCP header lies in its data source, and its layer in the tree. */
typedef struct tcp_header_span {
    tvbuff_t *tvb;
    gint start;
    guint32 len;
    int layer;
    gboolean options_cut; /* the snapshot length cut the options */
} tcp_header_span;

/* The occurrences of a wanted field in this frame, or NULL. */
static GPtrArray *occurrences(proto_tree *tree, tcp_field f)
{
    if (tcp_hf[f] < 0)
        return NULL;
    GPtrArray *found = proto_get_finfo_ptr_array(tree, tcp_hf[f]);
    if (found == NULL || found->len == 0)
        return NULL;
    return found;
}

/* True if fi carries an unsigned integer of at most 32 bits, the only kind we read. */
static gboolean is_small_uint(const field_info *fi)
{
    if (fi == NULL || fi->hfinfo == NULL)
        return FALSE;
    switch (fi->hfinfo->type) {
    case FT_UINT8:
    case FT_UINT16:
    case FT_UINT24:
    case FT_UINT32:
        return TRUE;
    default:
        return FALSE;
    }
}

/* The first occurrence of f, whatever its position: used for the header's own anchors. */
static field_info *first_occurrence(proto_tree *tree, tcp_field f)
{
    GPtrArray *found = occurrences(tree, f);
    if (found == NULL)
        return NULL;
    field_info *fi = (field_info *)g_ptr_array_index(found, 0);
    return is_small_uint(fi) ? fi : NULL;
}

/* The first occurrence of f that lies inside the header span. */
static field_info *in_header(proto_tree *tree, tcp_field f, const tcp_header_span *span)
{
    GPtrArray *found = occurrences(tree, f);
    if (found == NULL)
        return NULL;
    for (guint i = 0; i < found->len; i++) {
        field_info *fi = (field_info *)g_ptr_array_index(found, i);
        if (!is_small_uint(fi) || fi->ds_tvb != span->tvb)
            continue;
        if (fi->start >= span->start && (guint32)(fi->start - span->start) < span->len)
            return fi;
    }
    return NULL;
}

static gboolean read_uint(proto_tree *tree, tcp_field f, const tcp_header_span *span, guint32 *out)
{
    field_info *fi = in_header(tree, f, span);
    if (fi == NULL)
        return FALSE;
    *out = tp_ws_fi_get_uint(fi);
    return TRUE;
}

/*
 * Finds the first TCP header and checks its 20-byte base was captured; options cut by the
 * snapshot length are noted in span->options_cut. A header cut shorter still shows some fields
 * (the TCP dissector adds what it read before the exception), so presence alone does not prove
 * the base header is all there.
 */
static gboolean find_header(proto_tree *tree, tcp_header_span *span)
{
    field_info *sport = first_occurrence(tree, TF_SRCPORT);
    if (sport == NULL || sport->ds_tvb == NULL || sport->start < 0)
        return FALSE;
    span->tvb = sport->ds_tvb;
    span->start = sport->start;
    span->layer = TP_WS_FI_LAYER(sport);

    /* The header length is the data-offset byte, 12 bytes in: look for it exactly there. */
    tcp_header_span offset_byte = {span->tvb, span->start + 12, 1, span->layer, FALSE};
    if (!read_uint(tree, TF_HDR_LEN, &offset_byte, &span->len))
        return FALSE;
    if (span->len < 20 || span->len > 60)
        return FALSE;
    /* Headers-only captures cut the options: the base header is what the segment needs. */
    gint captured = tvb_captured_length_remaining(span->tvb, span->start);
    span->options_cut = captured >= 0 && (guint32)captured < span->len;
    return captured >= 20;
}

/* The occurrence of f in the deepest layer below the TCP layer, or NULL. */
static field_info *below_tcp(proto_tree *tree, tcp_field f, enum ftenum type, int tcp_layer)
{
    GPtrArray *found = occurrences(tree, f);
    field_info *best = NULL;

    for (guint i = 0; found != NULL && i < found->len; i++) {
        field_info *fi = (field_info *)g_ptr_array_index(found, i);
        if (fi == NULL || fi->hfinfo == NULL || fi->hfinfo->type != type)
            continue;
        int layer = TP_WS_FI_LAYER(fi);
        if (layer < tcp_layer && (best == NULL || layer > TP_WS_FI_LAYER(best)))
            best = fi;
    }
    return best;
}

/* Copies an address field's bytes as on the wire; its length must be the family's. */
static gboolean copy_addr(const field_info *fi, guint8 len, tp_addr *to)
{
    if (fi == NULL || fi->ds_tvb == NULL || fi->length != len ||
        !tvb_bytes_exist(fi->ds_tvb, fi->start, len))
        return FALSE;
    tvb_memcpy(fi->ds_tvb, to->bytes, fi->start, len);
    to->len = len;
    return TRUE;
}

/* Source and destination of the IP header carrying the TCP header; both from one layer. */
static gboolean read_addrs(proto_tree *tree, int tcp_layer, tp_segment *seg)
{
    field_info *v4_src = below_tcp(tree, TF_IP_SRC, FT_IPv4, tcp_layer);
    field_info *v4_dst = below_tcp(tree, TF_IP_DST, FT_IPv4, tcp_layer);
    field_info *v6_src = below_tcp(tree, TF_IP6_SRC, FT_IPv6, tcp_layer);
    field_info *v6_dst = below_tcp(tree, TF_IP6_DST, FT_IPv6, tcp_layer);
    int v4_layer = v4_src != NULL ? TP_WS_FI_LAYER(v4_src) : -1;
    int v6_layer = v6_src != NULL ? TP_WS_FI_LAYER(v6_src) : -1;

    if (v4_layer < 0 && v6_layer < 0)
        return FALSE;
    if (v4_layer > v6_layer)
        return v4_dst != NULL && TP_WS_FI_LAYER(v4_dst) == v4_layer &&
               copy_addr(v4_src, 4, &seg->src) && copy_addr(v4_dst, 4, &seg->dst);
    return v6_dst != NULL && TP_WS_FI_LAYER(v6_dst) == v6_layer &&
           copy_addr(v6_src, 16, &seg->src) && copy_addr(v6_dst, 16, &seg->dst);
}

/* The options we pass on are optional: absent ones are reported as absent, not as an error. */
static void read_options(proto_tree *tree, const tcp_header_span *span, tp_segment *seg)
{
    guint32 shift;
    seg->wscale = -1;
    /* The shift is one byte on the wire; int8_t holds any value a sane sender uses (RFC 7323
     * caps it at 14) and we saturate rather than wrap the rest, leaving the verdict to the
     * engine. */
    if (read_uint(tree, TF_WSCALE, span, &shift))
        seg->wscale = (int8_t)(shift > INT8_MAX ? INT8_MAX : shift);

    seg->has_ts = read_uint(tree, TF_TSVAL, span, &seg->tsval) &&
                  read_uint(tree, TF_TSECR, span, &seg->tsecr);
    if (!seg->has_ts)
        seg->tsval = seg->tsecr = 0;
}

tcp_read_status tcp_fields_read(proto_tree *tree, const packet_info *pinfo, tp_segment *seg)
{
    tcp_header_span span;
    guint32 sport, dport, flags, window;

    memset(seg, 0, sizeof(*seg));
    if (!tcp_hf_known || tree == NULL || !find_header(tree, &span))
        return TCP_READ_INCOMPLETE;

    /* tcp.ack_raw is in the tree whether or not ACK is set, so it is required like seq. */
    if (!read_uint(tree, TF_SRCPORT, &span, &sport) ||
        !read_uint(tree, TF_DSTPORT, &span, &dport) || !read_uint(tree, TF_SEQ, &span, &seg->seq) ||
        !read_uint(tree, TF_ACK, &span, &seg->ack) || !read_uint(tree, TF_FLAGS, &span, &flags) ||
        !read_uint(tree, TF_WINDOW, &span, &window) || !read_uint(tree, TF_LEN, &span, &seg->len))
        return TCP_READ_INCOMPLETE;
    if (!read_addrs(tree, span.layer, seg))
        return TCP_READ_INCOMPLETE;

    seg->frame = pinfo->num;
    seg->time_ns = capture_time_ns(&pinfo->abs_ts);
    seg->sport = (uint16_t)sport;
    seg->dport = (uint16_t)dport;
    /* The engine's flags are the classic byte; AE (ex-NS) and reserved bits sit above it. */
    seg->flags = (uint8_t)(flags & 0xff);
    seg->window = window;
    seg->options_cut = span.options_cut ? true : false;
    read_options(tree, &span, seg);
    return TCP_READ_OK;
}
