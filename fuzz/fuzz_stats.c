/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz_stats: vm_stats_parse_params on typed-parameter arrays decoded from
 * the input, then the record through the state file format and back.
 *
 * Input, repeated until it runs out: one type byte (low 3 bits: 0 is no
 * valid type, 1-7 are VIR_TYPED_PARAM_INT..STRING), one name byte (below
 * 0x80: a known name, where '#' takes an index from the next byte; else a
 * literal name of (byte & 0x7f) bytes), then the value: 8 bytes for
 * numbers, or a length byte and that many bytes for strings (0xff = NULL). */
#include <config.h>

#include "fuzz.h"
#include "roundtrip.h"
#include "statefile.h"
#include "stats.h"

#define FUZZ_MAXPARAMS 256

static const char *const names[] = {
    "state.state",
    "state.reason",
    "cpu.time",
    "cpu.user",
    "cpu.system",
    "cpu.bogus",
    "balloon.current",
    "balloon.maximum",
    "balloon.swap_in",
    "balloon.swap_out",
    "balloon.major_fault",
    "balloon.minor_fault",
    "balloon.unused",
    "balloon.available",
    "balloon.usable",
    "balloon.rss",
    "balloon.disk_caches",
    "balloon.last-update",
    "vcpu.current",
    "vcpu.maximum",
    "vcpu.#.state",
    "vcpu.#.time",
    "vcpu.#.wait",
    "vcpu.#.delay",
    "vcpu.#.halted",
    "block.count",
    "block.#.name",
    "block.#.path",
    "block.#.rd.reqs",
    "block.#.rd.bytes",
    "block.#.rd.times",
    "block.#.wr.reqs",
    "block.#.wr.bytes",
    "block.#.wr.times",
    "block.#.fl.reqs",
    "block.#.fl.times",
    "block.#.errors",
    "block.#.allocation",
    "block.#.capacity",
    "block.#.physical",
    "block.#.backingIndex",
    "net.count",
    "net.#.name",
    "net.#.rx.bytes",
    "net.#.rx.pkts",
    "net.#.rx.errs",
    "net.#.rx.drop",
    "net.#.tx.bytes",
    "net.#.tx.pkts",
    "net.#.tx.errs",
    "net.#.tx.drop",
    "vcpu.",
    "block.",
    "net.",
    "vcpu.4095.time",
    "vcpu.4096.time",
    "block.99999999999999999999.name",
    "net.-1.name",
    "vcpu.1x.time",
    "",
};

struct reader {
    const uint8_t *p, *end;
};

static bool rd_byte(struct reader *r, uint8_t *b)
{
    if (r->p >= r->end)
        return false;
    *b = *r->p++;
    return true;
}

static bool rd_bytes(struct reader *r, void *dst, size_t n)
{
    if ((size_t)(r->end - r->p) < n)
        return false;
    memcpy(dst, r->p, n);
    r->p += n;
    return true;
}

/* Decode one parameter into *p. False when the input ran out. Strings go
 * into `strs` (owned by the caller). */
static bool decode(struct reader *r, virTypedParameter *p, char **str)
{
    uint8_t t, f, n, idx;
    const char *name;
    char *o;

    memset(p, 0, sizeof(*p));
    *str = NULL;
    if (!rd_byte(r, &t) || !rd_byte(r, &f))
        return false;
    p->type = t & 7;
    if (f < 0x80) {
        name = names[f % (sizeof(names) / sizeof(names[0]))];
        idx = 0;
        if (strchr(name, '#') && !rd_byte(r, &idx))
            return false;
        for (o = p->field; *name && o < p->field + VIR_TYPED_PARAM_FIELD_LENGTH - 4; name++) {
            if (*name == '#')
                o += sprintf(o, "%u", (unsigned)idx);
            else
                *o++ = *name;
        }
        *o = '\0';
    } else {
        n = f & 0x7f;
        if (n >= VIR_TYPED_PARAM_FIELD_LENGTH)
            n = VIR_TYPED_PARAM_FIELD_LENGTH - 1;
        if (!rd_bytes(r, p->field, n))
            return false;
        p->field[n] = '\0';
    }
    if (p->type == VIR_TYPED_PARAM_STRING) {
        if (!rd_byte(r, &n))
            return false;
        if (n == 0xff)
            return true; /* a NULL string */
        *str = malloc((size_t)n + 1);
        if (!*str)
            abort();
        if (!rd_bytes(r, *str, n)) {
            free(*str);
            *str = NULL;
            return false;
        }
        (*str)[n] = '\0';
        p->value.s = *str;
        return true;
    }
    return rd_bytes(r, &p->value.ul, sizeof(p->value.ul));
}

static void check_group(uint32_t have, unsigned nfields)
{
    FUZZ_ASSERT((have >> nfields) == 0);
}

/* The record must survive the state file: format, parse, format again. */
static void check_roundtrip(const struct vm_dom_stats *d)
{
    struct vm_state_meta m = {.plugin = "check_fuzz", .uri = "test:///default", .boot_id = "b"};
    struct vm_snapshot snap;

    memset(&snap, 0, sizeof(snap));
    snap.dom = (struct vm_dom_stats *)d;
    snap.n = 1;
    fuzz_statefile_roundtrip((const struct vm_snapshot *const[]){&snap}, 1, &m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    virTypedParameter params[FUZZ_MAXPARAMS];
    char *strs[FUZZ_MAXPARAMS];
    struct reader r = {data, data + size};
    struct vm_dom_stats d;
    struct vm_err err;
    int n = 0, half;
    size_t i;

    while (n < FUZZ_MAXPARAMS && decode(&r, &params[n], &strs[n]))
        n++;
    if (n < FUZZ_MAXPARAMS)
        free(strs[n]); /* the partial one, if any */

    memset(&d, 0, sizeof(d));
    /* Two calls: "repeated calls add", as for a bulk record then fallbacks. */
    half = n / 2;
    if (vm_stats_parse_params(&d, params, half, &err) == 0 &&
        vm_stats_parse_params(&d, params + half, n - half, &err) == 0) {
        FUZZ_ASSERT(d.nvcpu <= 4096 && d.nblock <= 4096 && d.nnet <= 4096);
        FUZZ_ASSERT(d.vcpu_current <= 4096 && d.vcpu_maximum <= 4096);
        FUZZ_ASSERT((d.nvcpu == 0) == (d.vcpu == NULL));
        check_group(d.cpu.have, VM_CPU_NR);
        check_group(d.balloon.have, VM_BAL_NR);
        for (i = 0; i < d.nvcpu; i++)
            check_group(d.vcpu[i].have, VM_VCPU_NR);
        for (i = 0; i < d.nblock; i++)
            check_group(d.block[i].have, VM_BLK_NR);
        for (i = 0; i < d.nnet; i++)
            check_group(d.net[i].have, VM_NET_NR);
        /* libvirt's states and reasons are never negative; the state
         * file only keeps those. Thousands of entries (which the fuzzer
         * reaches with literal names) only make the round trip slow. */
        if (d.state >= 0 && d.reason >= 0 && d.nvcpu + d.nblock + d.nnet <= 64)
            check_roundtrip(&d);
    }
    vm_dom_stats_clear(&d);
    for (int k = 0; k < n; k++)
        free(strs[k]);
    return 0;
}
