/*
 * packet-tcpphase.h: the post-dissector's registration entry points, called by plugin.c.
 */
#ifndef TCPPHASE_PACKET_TCPPHASE_H
#define TCPPHASE_PACKET_TCPPHASE_H

/* Registers the protocol, its fields, expert items and preference. */
void proto_register_tcpphase(void);

/* Looks up the TCP fields the post-dissector reads; runs once every protocol is registered. */
void proto_reg_handoff_tcpphase(void);

#endif
