/*
 * tcpphase engine: what a segment is (classify.c).
 */
#ifndef TCPPHASE_CLASSIFY_H
#define TCPPHASE_CLASSIFY_H

#include "conn.h"

tp_event tp_classify_event(const tp_conn *c, tp_dir dir, const tp_segment *seg);
tp_role tp_classify_role(const tp_conn *c, tp_dir dir, const tp_segment *seg, tp_event ev,
                         const uint8_t before[2], const uint8_t after[2]);

#endif
