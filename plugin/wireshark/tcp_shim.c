/*
 * tcp_shim.c: a shim in front of the TCP dissector that keeps each frame's first TCP header.
 *
 * Why: the post-dissector used to read every segment from the TCP fields of the protocol tree,
 * which meant asking tshark for a tree on the first pass (set_postdissector_wanted_hfids). A
 * tree costs every dissector of every frame: +7 to +85 % instructions per frame on the
 * benchmark (docs/PERFORMANCE.md), however few fields are asked for. Wireshark's "tcp" tap has
 * the header too, but taps run after the post-dissectors of their frame, and tshark -2 runs
 * none on its first pass, which is the one that must feed the engine.
 *
 * How: the shim takes TCP's place in the "ip.proto" table (IPv4 and IPv6 both dispatch
 * through it). For each frame it reads the first TCP header it is handed, then calls TCP's own
 * handle. The shim's handle has no protocol, so the dispatch adds no layer and makes no enabled
 * check for it: TCP's call does both, exactly as when IP calls TCP (frame.protocols, "Enabled
 * Protocols" and Decode As see TCP as before). The header is read before TCP runs: the
 * payload's dissectors may throw, and pinfo's addresses are those of the IP header carrying
 * this segment only until the payload is dissected.
 *
 * Why a handle without a protocol (issue 27): the shim used to carry TCP's protocol and reach
 * TCP through a private dissector table without adding a layer; that second dispatch (a
 * table look-up, and Wireshark's per-handle bookkeeping once more) cost about 300 instructions
 * a segment, 0.7 % of tshark -r's whole cost per frame. What it kept that this does not:
 * `tshark -G decodes` listed ip.proto 6 with TCP's name, and now leaves the entry out (a
 * handle without a protocol has no name to list); gained: `-d ip.proto==6,tcp` no longer warns
 * that two handles are named "tcp".
 *
 * It reads the header's own bytes: ports, raw sequence and acknowledgment numbers, the flags
 * byte, the unscaled window, and the options, walked as the TCP dissector walks them
 * (tcp_dissect_options): EOL ends the list, NOP is one byte, any other option has a length
 * byte, and a length too short or running past the header ends the walk. A window scale
 * option counts only with length 3 and a timestamps option only with length 10, the lengths
 * for which TCP adds the fields tcp_fields.c reads; the first of each wins, as there. The
 * payload length is what TCP computes: the reported length of the segment less the header.
 * A header whose options the snapshot length cut (headers-only captures) is read from its
 * 20-byte base, the options as far as they were captured, and marked options_cut: the engine
 * then treats timestamps and window scale as unknown, not absent. The result equals
 * tcp_fields.c's on every frame of the test captures; the frames it cannot read (fewer than 20
 * bytes, a bogus data offset, a first fragment not reassembled) are those for which
 * tcp_fields.c reports an incomplete header.
 *
 * Trade-off: a plugin now sits in TCP's dispatch. If something else replaces TCP in
 * "ip.proto" first, the shim stays out; if Decode As later maps protocol 6 to TCP itself, the
 * shim is bypassed. Both are seen when a capture is opened (tcp_shim_active) and the
 * post-dissector then goes back to reading the tree. TCP reached another way than through
 * "ip.proto" (a TCP over UDP Decode As, say) is not seen by the shim.
 */
#include "tcp_shim.h"

#include <string.h>

#include <epan/address.h>
#include <epan/tvbuff.h>

#include "capture_time.h"
#include "ws_compat.h"

#define IP_PROTO_TCP 6
#define TCP_MIN_HLEN 20
#define TCP_MAX_HLEN 60

enum { OPT_EOL = 0, OPT_NOP = 1, OPT_WSCALE = 3, OPT_TIMESTAMPS = 8 };

static dissector_handle_t tcp_handle; /* TCP's own, which the shim calls */
static dissector_handle_t shim_handle;

/* The frame whose first TCP header was seen, and its segment if it could be read. */
static struct {
    guint32 frame;
    gboolean quoted; /* that header was inside an ICMP (or other) error packet */
    gboolean ok;
    tp_segment seg;
} last;

static guint16 get16(const guint8 *p)
{
    return (guint16)(p[0] << 8 | p[1]);
}

static guint32 get32(const guint8 *p)
{
    return (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 | p[3];
}

static void read_options(const guint8 *opt, guint len, tp_segment *seg)
{
    gboolean have_wscale = FALSE;

    seg->wscale = -1;
    /* Most segments of a connection with timestamps carry exactly NOP, NOP, timestamps (RFC
     * 7323 appendix A's layout, which Linux, the BSDs and Windows send): read at once, as the
     * walk below would. */
    if (len == 12 && opt[0] == OPT_NOP && opt[1] == OPT_NOP && opt[2] == OPT_TIMESTAMPS &&
        opt[3] == 10) {
        seg->has_ts = true;
        seg->tsval = get32(opt + 4);
        seg->tsecr = get32(opt + 8);
        return;
    }
    while (len > 0) {
        guint8 kind = opt[0];
        len--;
        if (kind == OPT_EOL || kind == OPT_NOP) {
            opt++;
        } else {
            if (len == 0)
                return;
            guint optlen = opt[1];
            len--;
            if (optlen < 2 || optlen - 2 > len)
                return;
            if (kind == OPT_WSCALE && optlen == 3 && !have_wscale) {
                /* Saturated as tcp_fields.c does: the engine judges the value. */
                seg->wscale = (int8_t)(opt[2] > INT8_MAX ? INT8_MAX : opt[2]);
                have_wscale = TRUE;
            } else if (kind == OPT_TIMESTAMPS && optlen == 10 && !seg->has_ts) {
                seg->has_ts = true;
                seg->tsval = get32(opt + 2);
                seg->tsecr = get32(opt + 6);
            }
            opt += optlen;
            len -= optlen - 2;
        }
        if (kind == OPT_EOL)
            return;
    }
}

static inline gboolean copy_addr(const address *a, tp_addr *to)
{
    guint8 len = a->type == AT_IPv4 ? 4 : a->type == AT_IPv6 ? 16 : 0;
    if (len == 0 || a->len != len || a->data == NULL)
        return FALSE;
    /* Whole: the bytes past an IPv4 address are zero, as the engine's tuples expect. */
    if (len == 4) {
        memset(to->bytes, 0, sizeof(to->bytes));
        memcpy(to->bytes, a->data, 4);
    } else {
        memcpy(to->bytes, a->data, 16);
    }
    to->len = len;
    return TRUE;
}

/* The segment at the start of tvb, sent from pinfo's addresses; FALSE if not captured whole. */
static gboolean read_segment(tvbuff_t *tvb, const packet_info *pinfo, tp_segment *seg)
{
    guint captured = tvb_captured_length(tvb), reported = tvb_reported_length(tvb);

    /* A first IP fragment that was not reassembled (reassembly off): TCP is handed the
     * fragment's bytes only, so the segment's length is unknown, and TCP gives no tcp.len
     * either; tcp_fields.c then reports the header incomplete, and so must this. */
    if (pinfo->fragmented || captured < TCP_MIN_HLEN || !copy_addr(&pinfo->src, &seg->src) ||
        !copy_addr(&pinfo->dst, &seg->dst) || seg->src.len != seg->dst.len)
        return FALSE;
    /* One pointer into the frame instead of copies: TCP's tvb is a subset of the frame's, so
     * its bytes are contiguous and tvb_get_ptr only checks the bounds. The longest header
     * there can be, as far as captured, at once. */
    const guint8 *h = tvb_get_ptr(tvb, 0, MIN(captured, TCP_MAX_HLEN));
    guint hlen = (h[12] >> 4) * 4u;
    if (hlen < TCP_MIN_HLEN || reported < hlen)
        return FALSE;
    /* Headers-only captures (a small snapshot length) cut the options, not the base header:
     * the segment is read from the 20 bytes, and the options only as far as captured. */
    guint opt_captured = MIN(hlen, captured) - TCP_MIN_HLEN;

    seg->frame = pinfo->num;
    seg->time_ns = capture_time_ns(&pinfo->abs_ts);
    seg->sport = get16(h);
    seg->dport = get16(h + 2);
    seg->seq = get32(h + 4);
    seg->ack = get32(h + 8);
    seg->flags = h[13]; /* the classic byte; AE and the reserved bits sit above it */
    seg->window = get16(h + 14);
    seg->len = reported - hlen;
    seg->has_ts = false;
    seg->tsval = seg->tsecr = 0;
    seg->options_cut = captured < hlen;
    read_options(h + TCP_MIN_HLEN, opt_captured, seg);
    return TRUE;
}

static int shim(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    /* Only the frame's first TCP header, as tcp_fields.c takes the first: a TCP header inside
     * this one's payload comes through here again, during the call below. Revisits need only
     * where it was: the engine is fed on the first pass only. */
    if (last.frame != pinfo->num) {
        last.frame = pinfo->num;
        last.quoted = pinfo->flags.in_error_pkt;
        last.ok = !PINFO_FD_VISITED(pinfo) && read_segment(tvb, pinfo, &last.seg);
    }
    /* TCP's layer and its enabled check come with this call: the shim's handle has neither. */
    return call_dissector_only(tcp_handle, tvb, pinfo, tree, data);
}

gboolean tcp_shim_install(void)
{
    dissector_table_t ip_proto = find_dissector_table("ip.proto");
    dissector_handle_t tcp = find_dissector("tcp");

    if (ip_proto == NULL || tcp == NULL || dissector_get_uint_handle(ip_proto, IP_PROTO_TCP) != tcp)
        return FALSE;
    tcp_handle = tcp;
    /* No protocol (see "How" above); a description of its own, as Decode As lists handles by
     * description. */
    shim_handle = create_dissector_handle_with_name_and_description(
        shim, -1, "tcpphase.tcp", "TCP (read by TCP Connection Phase)");
    dissector_add_uint("ip.proto", IP_PROTO_TCP, shim_handle);
    return TRUE;
}

gboolean tcp_shim_active(void)
{
    dissector_table_t ip_proto = find_dissector_table("ip.proto");

    last.frame = 0; /* a new capture file numbers its frames from 1 again */
    return shim_handle != NULL && ip_proto != NULL &&
           dissector_get_uint_handle(ip_proto, IP_PROTO_TCP) == shim_handle;
}

int tcp_shim_saw(const packet_info *pinfo)
{
    return last.frame != pinfo->num ? -1 : !last.quoted;
}

const tp_segment *tcp_shim_segment(const packet_info *pinfo)
{
    return last.frame == pinfo->num && last.ok ? &last.seg : NULL;
}
