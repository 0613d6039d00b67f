/* SPDX-License-Identifier: GPL-3.0-or-later */
/* human: sizes, percentages and durations for the plugin text. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "human.h"

static const char *const byte_units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
#define NUNITS (sizeof(byte_units) / sizeof(byte_units[0]))

/* Decimals for 3 significant digits of v (in a unit above bytes). */
static int sig3_decimals(double v)
{
    return fabs(v) >= 100 ? 0 : fabs(v) >= 10 ? 1 : 2;
}

/* v rounded to `dec` decimals, as printf will print it. */
static double rounded(double v, int dec)
{
    char s[400];

    snprintf(s, sizeof(s), "%.*f", dec, v);
    return strtod(s, NULL); /* printf and strtod share the locale */
}

/* The unit and decimals `bytes` is printed with: decided on the rounded
 * figure, so 9.996 GiB is "10.0 GiB" and 1023.9996 GiB "1.00 TiB". */
static void bytes_choose(double bytes, unsigned *unit, int *dec)
{
    unsigned u = 0;
    double v = bytes, r;
    int d = 0;

    for (;;) {
        d = u == 0 ? 0 : sig3_decimals(v);
        r = rounded(v, d);
        if (u > 0 && sig3_decimals(r) < d) { /* 99.996 → "100", not "100.00" */
            d = sig3_decimals(r);
            r = rounded(v, d);
        }
        if (fabs(r) < 1024.0 || u + 1 >= NUNITS)
            break;
        v /= 1024.0;
        u++;
    }
    *unit = u;
    *dec = d;
}

static double in_unit(double bytes, unsigned u)
{
    for (unsigned i = 0; i < u; i++)
        bytes /= 1024.0;
    return bytes;
}

static void bytes_put(struct vm_buf *out, double bytes, unsigned u, int dec)
{
    vm_buf_printf(out, "%.*f %s", dec, in_unit(bytes, u), byte_units[u]);
}

void vm_human_bytes(struct vm_buf *out, double bytes)
{
    unsigned u;
    int dec;

    bytes_choose(bytes, &u, &dec);
    bytes_put(out, bytes, u, dec);
}

void vm_human_rate(struct vm_buf *out, double Bps)
{
    vm_human_bytes(out, Bps);
    vm_buf_append(out, "/s");
}

void vm_human_bytes_pair(struct vm_buf *out, double a, const char *sep, double b)
{
    unsigned ua, ub;
    int da, db;

    bytes_choose(a, &ua, &da);
    bytes_choose(b, &ub, &db);
    if (ua == ub)
        da = db = da > db ? da : db;
    bytes_put(out, a, ua, da);
    vm_buf_append(out, sep);
    bytes_put(out, b, ub, db);
}

void vm_human_pct(struct vm_buf *out, double pct)
{
    int dec = 1;

    /* up to 6 decimals; past that the figure is 100 for any purpose */
    while (dec < 6 && pct != 100.0 && rounded(pct, dec) == 100.0)
        dec++;
    vm_buf_printf(out, "%.*f%%", dec, pct);
}

void vm_human_duration(struct vm_buf *out, double seconds)
{
    static const struct {
        const char *name;
        unsigned long long s;
    } units[] = {
        {"y", 365ull * 86400}, {"d", 86400}, {"h", 3600}, {"min", 60}, {"s", 1},
    };
    unsigned long long s;
    size_t i;

    if (isnan(seconds)) {
        vm_buf_append(out, "? s");
        return;
    }
    if (seconds < 0) {
        vm_buf_append(out, "-");
        seconds = -seconds;
    }
    s = seconds >= 1.8e19 ? 18000000000000000000ull : (unsigned long long)(seconds + 0.5);
    for (i = 0; i + 1 < sizeof(units) / sizeof(units[0]) && s < units[i].s; i++)
        ;
    if (i + 1 == sizeof(units) / sizeof(units[0])) {
        vm_buf_printf(out, "%llu s", s);
        return;
    }
    vm_buf_printf(out, "%llu %s %llu %s", s / units[i].s, units[i].name,
                  s % units[i].s / units[i + 1].s, units[i + 1].name);
}
