/*
 * tcpphase engine: what one endpoint's segments show of it (endpoint.c).
 */
#ifndef TCPPHASE_ENDPOINT_H
#define TCPPHASE_ENDPOINT_H

#include "conn.h"

void tp_endpoint_sent(tp_endpoint *ep, const tp_segment *seg);
bool tp_rst_acceptable(const tp_endpoint *sender, const tp_endpoint *receiver,
                       const tp_segment *seg);

#endif
