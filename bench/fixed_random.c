/*
 * fixed_random.c: a fixed sequence for glib's g_random_int, preloaded into the tshark runs that
 * bench/run counts with callgrind.
 *
 * Why: Wireshark's wmem maps (conversations, TCP's analysis, ...) multiply every key's hash by a
 * value drawn from g_random_int when the map is made, so which keys share a bucket, and so how
 * many instructions a look-up takes, changes from run to run. Two callgrind runs of the same
 * tshark on the same 50k segments differed by 7 million instructions (140 a segment, a third of
 * what tcpphase's smaller changes save); with this preloaded they differ by fewer than 2,000.
 * Both sides of a comparison get the same sequence. Never used outside the bench.
 */
#include <stdint.h>

static uint32_t state = 0x9e3779b9u;

/* A linear congruential sequence (Numerical Recipes' constants): any fixed values do, as long
 * as the multipliers Wireshark derives from them stay odd and varied. */
uint32_t g_random_int(void);
uint32_t g_random_int(void)
{
    state = state * 1664525u + 1013904223u;
    return state;
}
