/* SPDX-License-Identifier: GPL-3.0-or-later */
/* clock: timespec arithmetic for the clocks the library reads.
 *
 * Counter samples are stamped on CLOCK_BOOTTIME (stats.c, at collection):
 * it keeps counting while the host is suspended, so a rate across a
 * suspend is not inflated, and it is the clock the kernel's boot_id goes
 * with, which makes it comparable across runs of one boot (state file). */
#ifndef VM_CLOCK_H
#define VM_CLOCK_H

#include <stdbool.h>
#include <time.h>

#define VM_NS_PER_S 1000000000LL

/* a - b in seconds. */
static inline double vm_clock_diff(const struct timespec *a, const struct timespec *b)
{
    return (double)(a->tv_sec - b->tv_sec) + (double)(a->tv_nsec - b->tv_nsec) / 1e9;
}

/* a > b */
static inline bool vm_clock_after(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

/* t as nanoseconds, and back (t >= 0). */
static inline long long vm_clock_ns(const struct timespec *t)
{
    return (long long)t->tv_sec * VM_NS_PER_S + t->tv_nsec;
}

static inline struct timespec vm_clock_from_ns(long long ns)
{
    struct timespec t = {(time_t)(ns / VM_NS_PER_S), (long)(ns % VM_NS_PER_S)};

    return t;
}

#endif
