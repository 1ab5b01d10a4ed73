/*
 * tcp_shim.h: reads each frame's first TCP header as the TCP dissector is handed it, so the
 * post-dissector has its segment on every pass without asking tshark for a protocol tree.
 */
#ifndef TCPPHASE_TCP_SHIM_H
#define TCPPHASE_TCP_SHIM_H

#include <glib.h>
#include <epan/packet.h>

#include "tcpphase.h"

/* Puts the shim in front of TCP in "ip.proto"; from the handoff. FALSE if TCP is not there. */
gboolean tcp_shim_install(void);

/* Is the shim still in front of TCP (Decode As may have put TCP back)? Forgets the last frame. */
gboolean tcp_shim_active(void);

/* Where the frame's first TCP header came through the shim: 1 in the frame's own packet, 0
 * inside an error packet that quotes it (ICMP, ICMPv6 and the like set pinfo's in_error_pkt),
 * -1 when the shim has not seen the frame. */
int tcp_shim_saw(const packet_info *pinfo);

/*
 * The segment of the frame's first TCP header, as its bytes and the IP header carrying it say,
 * valid until the next frame; NULL when the shim did not see the frame or the header was not
 * captured whole.
 */
const tp_segment *tcp_shim_segment(const packet_info *pinfo);

#endif
