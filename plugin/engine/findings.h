/*
 * tcpphase engine: the stored findings of a capture and the text of their messages (findings.c).
 */
#ifndef TCPPHASE_FINDINGS_H
#define TCPPHASE_FINDINGS_H

#include "conn.h"

typedef struct tp_findings tp_findings;
tp_findings *tp_findings_new(const tp_config *cfg);
void tp_findings_free(tp_findings *f);
size_t tp_findings_of(const tp_findings *f, uint32_t frame, tp_finding *out, size_t max);

/* What a TIME-WAIT reuse message reports. holders: bit (1 << tp_dir) of the new connection. */
typedef struct tp_tw_facts {
    uint32_t old_conn;
    double elapsed_s;
    uint8_t holders;
    bool isn_above; /* new ISN after the old final sequence number (RFC 1122 4.2.2.13) */
    bool ts_known;  /* both the old connection and the SYN carry timestamps */
    bool ts_cut;    /* the SYN's options are not in the capture (snapshot length) */
    bool ts_newer;  /* the SYN's timestamp is newer (RFC 6191) */
} tp_tw_facts;

/*
 * An immediate finding is stored as the facts its message reports, taken when its frame is
 * fed (they describe the connection at that moment); the text is written only when the
 * finding is read. Storing the text cost about 150 bytes a finding and a printf per finding
 * at feed time.
 */
void tp_findings_half_open(tp_findings *f, uint32_t frame, tp_half_open_kind kind, tp_dir sender);
void tp_findings_half_closed(tp_findings *f, uint32_t frame, tp_dir sender);
void tp_findings_rst_instead_of_fin(tp_findings *f, uint32_t frame, const tp_conn *c, tp_dir sender,
                                    const tp_segment *seg);
void tp_findings_rst_after_fin(tp_findings *f, uint32_t frame, uint64_t lost, tp_dir sender);
void tp_findings_time_wait_reuse(tp_findings *f, uint32_t frame, const tp_tw_facts *tw);
/* One finding per gap (TP_GAP_BIT bits); sender: the endpoint whose segment proves them. */
void tp_findings_capture_gaps(tp_findings *f, uint32_t frame, uint32_t gaps, tp_dir sender);
uint32_t tp_findings_gaps(const tp_findings *f, uint32_t frame);
/* What the receiver sent again, proving it never got a segment the capture holds. */
typedef enum tp_resent {
    TP_RESENT_SYN_ACK = 0,
    TP_RESENT_FIN,
    TP_RESENT_DATA,
    TP_RESENT_SYN_ACK_LATE, /* its SYN-ACK once, long after a retransmission timeout: not
                               accepted yet rather than lost (delivery.c) */
} tp_resent;

/* A segment the capture holds (frame lost, its role, sent by `from`) that never reached its
 * receiver, as frame's segment (resent) proves; restored: the receiver's state from there on. */
void tp_findings_not_delivered(tp_findings *f, uint32_t frame, tp_dir from, uint32_t lost,
                               tp_role role, tp_resent resent, tp_state restored);
char *tp_findings_not_delivered_text(const tp_findings *f, uint32_t frame, char *out, size_t size);

/* The half-open messages (syn_count is not read). */
char *tp_msg_half_open(uint32_t syn_count, tp_half_open_kind kind, tp_dir sender);
/* A segment no state accepts (probe.c), its flags named. */
void tp_findings_probe(tp_findings *f, uint32_t frame, uint8_t flags, tp_dir sender);
char *tp_msg_probe(uint8_t flags, tp_dir sender);
/* The hindsight messages: a SYN never answered (syn_count: the client's SYNs), a scan. */
char *tp_msg_syn_unanswered(uint32_t syn_count);
char *tp_msg_scan(const tp_scan_summary *s);
char *tp_msg_out_of_order(tp_dir owner, uint32_t filled_by);

#endif
