/*
 * tcpphase engine: a connection's summary, how it opened and closed (summary.c).
 */
#ifndef TCPPHASE_SUMMARY_H
#define TCPPHASE_SUMMARY_H

#include "coverage.h"

void tp_conn_summarize(const tp_conntable *t, const tp_coverage *v, const tp_conn *c,
                       tp_conn_summary *out);

#endif
