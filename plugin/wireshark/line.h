/*
 * line.h: a line of text joined in a fixed buffer, for the texts drawn on every segment.
 *
 * Why not wmem_strconcat or a printf: a visible tree (tshark -V, -T fields, the GUI) draws the
 * header line, the transition and the reason for every segment, and Wireshark copies whatever
 * it is handed, so building them in place saves an allocation and a second pass per text. The
 * longest of them, a reason line, is under 300 bytes; a longer one would be cut, never overrun.
 */
#ifndef TCPPHASE_LINE_H
#define TCPPHASE_LINE_H

#include <string.h>

typedef struct line {
    size_t len;
    char text[512];
} line;

static inline void line_clear(line *l)
{
    l->len = 0;
    l->text[0] = '\0';
}

static inline void line_add(line *l, const char *s)
{
    size_t n = strlen(s), room = sizeof(l->text) - 1 - l->len;

    if (n > room)
        n = room;
    memcpy(l->text + l->len, s, n);
    l->len += n;
    l->text[l->len] = '\0';
}

static inline void line_add_uint(line *l, unsigned long long v)
{
    char digits[24];
    size_t i = sizeof(digits);

    digits[--i] = '\0';
    do
        digits[--i] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    line_add(l, digits + i);
}

#endif
