/*
 * tcpphase engine: the ports Zeek's rules name: likely server ports, which decide its
 * originator, and interactive ones, which get a longer inactivity timeout (zeek_ports.c).
 */
#ifndef TCPPHASE_ZEEK_PORTS_H
#define TCPPHASE_ZEEK_PORTS_H

#include "tcpphase.h"

bool tp_zeek_likely_server_port(uint16_t port);
bool tp_zeek_interactive_port(uint16_t port);
/* Does Zeek take the receiver of this first segment as the originator? */
bool tp_zeek_flip_at_start(const tp_segment *seg);

#endif
