/*
 * tcpphase engine: scans, one host trying many ports of another (scan.c).
 */
#ifndef TCPPHASE_SCAN_H
#define TCPPHASE_SCAN_H

#include "conntable.h"
#include "probe.h"

typedef struct tp_scans tp_scans;

tp_scans *tp_scans_new(void);
void tp_scans_free(tp_scans *s);

/* A connection c opened by its client's SYN or probe (seg, at c's first frame). Returns true
 * when it makes its pair a scan: then tp_scans_early_acks names the connections its lone ACKs
 * opened before, when nothing yet told them from connections picked up mid-stream. */
bool tp_scans_attempt(tp_scans *s, tp_conn *c, const tp_segment *seg);
/* Up to max of them (ids), for seg's pair; returns how many. Each is named once. */
size_t tp_scans_early_acks(tp_scans *s, const tp_segment *seg, uint32_t *ids, size_t max);

/* What the target answered on c's port: a SYN-ACK (open), a RST (closed), or the scanner's
 * ACK completing the handshake (a connect scan). */
typedef enum tp_scan_answer {
    TP_ANSWER_OPEN = 1,
    TP_ANSWER_CLOSED = 2,
    TP_ANSWER_COMPLETED = 4
} tp_scan_answer;
void tp_scans_answer(tp_scans *s, const tp_conn *c, tp_scan_answer a);

/* Is the client of seg's new 4-tuple already known to be scanning the target? Its lone ACKs are
 * then probes, and its probes carry no expert item each. */
bool tp_scans_active(const tp_scans *s, const tp_segment *seg);

/* Is c one of the attempts of a scan? first: true when c holds that scan's first probe. */
bool tp_scans_member(const tp_scans *s, const tp_conn *c, bool *first);

/* Scans in the order of their first probes (only pairs that qualify as scans). */
uint32_t tp_scans_count(const tp_scans *s);
bool tp_scans_get(const tp_scans *s, uint32_t i, tp_scan_summary *out);
/* The scan c belongs to, if any. */
bool tp_scans_of(const tp_scans *s, const tp_conn *c, tp_scan_summary *out);

#endif
