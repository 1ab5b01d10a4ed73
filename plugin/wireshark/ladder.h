/*
 * ladder.h: what the ladder diagram (ladder_tap.c) keeps of a segment, and how it numbers
 * sequence and acknowledgment numbers relative to each side (ladder_seq.c).
 */
#ifndef TCPPHASE_LADDER_H
#define TCPPHASE_LADDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A segment as the ladder draws it: 40 bytes, kept only while a ladder is requested. */
typedef struct ladder_seg {
    uint32_t frame, conn;
    int64_t time_ns;
    uint32_t seq, ack, len;
    uint8_t flags, sender, before[2], after[2];
    bool proved; /* before[] holds what the segment itself proves (tp_result.proved) */
} ladder_seg;

/* One side's sequence space as seen so far: where it starts and the highest end it reached. */
typedef struct seq_space {
    bool known;
    uint32_t base, end;
} seq_space;

/* Both sides' spaces of one connection, indexed by tp_dir. */
typedef struct seq_spaces {
    seq_space side[2];
} seq_spaces;

/*
 * Writes the segment's label, "SYN,ACK seq=0 ack=1 len=100", numbering within cur (updated
 * with the segment) and, for a number that lies outside cur but inside the previous
 * incarnation's space prev (NULL if none), relative to that with the mark "(prev)".
 */
void ladder_label(seq_spaces *cur, const seq_spaces *prev, const ladder_seg *s, char *buf,
                  size_t size);

/* Updates cur with the segment, writing nothing: to learn a previous incarnation's spaces. */
void ladder_walk(seq_spaces *cur, const ladder_seg *s);

#endif
