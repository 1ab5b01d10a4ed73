/*
 * The engine tests' check: EXPECT(cond, printf-style message) counts a failure and says where,
 * and the test goes on, so one run reports every failing check. main() returns failures != 0.
 */
#ifndef TCPPHASE_TEST_EXPECT_H
#define TCPPHASE_TEST_EXPECT_H

#include <stdio.h>

static int failures;

#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "line %d: ", __LINE__);                                                \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#endif
