/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Allocation failure, site by site (jansson's test_chaos): each scenario
 * runs once normally, then again with its 1st, 2nd, ... allocation
 * failing, until a run meets no failure. Every failed run must report the
 * failure in the module's own way (buf's oom flag, report's "UNKNOWN - out
 * of memory", statefile's -1) or still give the full result, never crash,
 * and leave the heap as it found it (mallinfo2 in use bytes, with glibc's
 * per-thread cache off so that a freed block counts as free; LeakSanitizer
 * checks the same in the sanitizer build, where mallinfo2 reads 0). */
#include <config.h>

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ck_run.h"
#include "mem.h"
#include "range.h"
#include "render.h"
#include "report.h"
#include "snap_fixture.h"

static long fail_at; /* the allocation that fails, counting from 1 */
static long calls;

static void *chaos_realloc(void *p, size_t size)
{
    if (++calls == fail_at)
        return NULL;
    return realloc(p, size);
}

/* A scenario's result as a plain string (libc strdup, outside the
 * counted calls), and whether it reported running out of memory. */
static char *result(const struct vm_buf *b, bool *failed, bool oom)
{
    *failed = oom;
    return strdup(oom ? "" : vm_buf_str(b));
}

static char *run_buf(bool *failed)
{
    struct vm_buf b = VM_BUF_INIT;
    char *s, *r;
    int i;

    for (i = 0; i < 40; i++)
        vm_buf_printf(&b, "line %d of a text that outgrows the first block\n", i);
    vm_buf_append(&b, "end");
    vm_buf_truncate(&b, b.len - 1);
    if (b.oom) {
        vm_buf_clear(&b);
        return result(NULL, failed, true);
    }
    s = vm_buf_steal(&b);
    vm_buf_append(&b, s);
    r = result(&b, failed, b.oom);
    free(s);
    vm_buf_clear(&b);
    return r;
}

static char *run_range(bool *failed)
{
    static const char *const texts[] = {"10", "10:", "~:10", "@10:20", "1.5:2.25"};
    struct vm_buf b = VM_BUF_INIT;
    struct vm_range r;
    struct vm_err err = {""};
    char *out;
    size_t i;

    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        if (vm_range_parse(&r, texts[i], 0, &err) < 0)
            break; /* cannot happen: the reference run would differ */
        vm_range_format(&r, &b);
        vm_buf_append(&b, " ");
    }
    out = result(&b, failed, b.oom);
    vm_buf_clear(&b);
    return out;
}

static char *run_report(bool *failed)
{
    static const char *const label[] = {"web01", "rx"};
    struct vm_report rep;
    struct vm_buf b = VM_BUF_INIT;
    struct vm_thresh th = {0};
    struct vm_err err = {""};
    enum vm_status st;
    char *out;
    int i;

    th.has_warn = vm_range_parse(&th.warn, "80", 0, &err) == 0;
    vm_report_init(&rep, "TEST", "domain");
    for (i = 0; i < 3; i++) {
        struct vm_item *it = vm_report_add(&rep, i == 1 ? VM_WARNING : VM_OK, "web|01");

        if (!it)
            continue; /* the report notes the failure itself */
        vm_item_brief(it, "%d%% used", 70 + 5 * i);
        vm_item_detail(it, "%d of 100 units, item %d", 70 + 5 * i, i);
        vm_item_perf(it, label, 2, 70 + 5 * i, "%", &th, 0, 100);
    }
    st = vm_render_report(&rep, 0, &b);
    vm_report_clear(&rep);
    /* Out of memory is UNKNOWN with a line that says so, or (when even
     * that line could not be written) the buffer's flag. */
    if (b.oom ||
        (st == VM_UNKNOWN && strcmp(vm_buf_str(&b), "TEST UNKNOWN - out of memory\n") == 0))
        out = result(&b, failed, true);
    else
        out = result(&b, failed, false);
    vm_buf_clear(&b);
    return out;
}

/* Built before the counted calls start (xcalloc/xstrdup are libc's). */
static struct vm_snapshot snap;

static char *run_statefile(bool *failed)
{
    struct vm_buf text = VM_BUF_INIT, again = VM_BUF_INIT;
    struct vm_state_ring back;
    /* two samples, so a failure in the second frees the first */
    struct vm_snapshot older = snap; /* shallow: only formatted */
    const struct vm_snapshot *two[] = {&snap, &older}, *back2[2];
    struct vm_err err = {""};
    const char *why = NULL;
    char *out;
    int rc;

    older.boot.tv_sec -= 1;
    vm_statefile_format(two, 2, &test_meta, &text);
    if (text.oom) {
        vm_buf_clear(&text);
        return result(NULL, failed, true);
    }
    rc = vm_statefile_parse(text.s, text.len, NULL, &back, &why, &err);
    if (rc != 1) {
        /* -1 with a message and nothing half-parsed left in `back`. */
        bool clean = rc == -1 && err.msg[0] && !why && back.n == 0 && !back.snap[0].dom;

        vm_buf_clear(&text);
        *failed = clean;
        return clean ? strdup("") : strdup("parse did not fail cleanly");
    }
    back2[0] = &back.snap[0];
    back2[1] = &back.snap[1];
    vm_statefile_format(back2, back.n == 2 ? 2 : 1, &test_meta, &again);
    vm_state_ring_clear(&back);
    out = result(&again, failed, again.oom);
    if (!again.oom && strcmp(again.s, text.s) != 0) {
        free(out);
        out = strdup("parsed back differently");
    }
    vm_buf_clear(&text);
    vm_buf_clear(&again);
    return out;
}

static const struct {
    const char *name;
    char *(*run)(bool *failed);
} scenarios[] = {
    {"buf", run_buf},
    {"range", run_range},
    {"report", run_report},
    {"statefile", run_statefile},
};

START_TEST(test_chaos)
{
    char *want, *got;
    bool failed;
    long sites;

    make_snapshot(&snap, 7);
    want = scenarios[_i].run(&failed);
    ck_assert(want && !failed);
    for (fail_at = 1;; fail_at++) {
        size_t before, after;
        bool same;

        before = mallinfo2().uordblks;
        calls = 0;
        vm_mem_set_realloc(chaos_realloc);
        got = scenarios[_i].run(&failed);
        vm_mem_set_realloc(NULL);
        same = got && strcmp(got, want) == 0;
        free(got);
        after = mallinfo2().uordblks;
        ck_assert_msg(after == before, "%s, allocation %ld failing: %zd bytes not freed",
                      scenarios[_i].name, fail_at, (ssize_t)(after - before));
        if (calls < fail_at) {
            ck_assert_msg(!failed && same, "%s: a run without failures differs",
                          scenarios[_i].name);
            break;
        }
        ck_assert_msg(failed || same, "%s, allocation %ld failing: neither an error nor the result",
                      scenarios[_i].name, fail_at);
    }
    sites = fail_at - 1;
    ck_assert_msg(sites > 0, "%s allocates nothing through the seam", scenarios[_i].name);
    vm_snapshot_clear(&snap);
    free(want);
}
END_TEST

/* The seam itself: NULL restores realloc, overflow is refused before it. */
START_TEST(test_seam)
{
    void *p;

    fail_at = 1;
    calls = 0;
    vm_mem_set_realloc(chaos_realloc);
    ck_assert_ptr_null(vm_calloc(2, 8));
    ck_assert_int_eq(calls, 1);
    vm_mem_set_realloc(NULL);
    ck_assert_ptr_null(vm_calloc((size_t)-1 / 2, 4));
    ck_assert_ptr_null(vm_strdup(NULL));
    p = vm_calloc(0, 0); /* one byte: NULL only means out of memory */
    ck_assert_ptr_nonnull(p);
    free(p);
    ck_assert_int_eq(calls, 1);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("mem");

    VM_CK_TCASE(s, "chaos", VM_CK_TIMEOUT_S, NULL, NULL, VM_CK_LOOP(test_chaos, VM_CK_N(scenarios)),
                VM_CK_TEST(test_seam));
    return s;
}

int main(int argc, char **argv)
{
    /* glibc keeps freed small blocks in a per-thread cache that mallinfo2
     * counts as in use: run again with it off, so the heap check is exact. */
    if (argc > 0 && !getenv("VM_TEST_MEM_REEXEC")) {
        setenv("VM_TEST_MEM_REEXEC", "1", 1);
        setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0", 1);
        execv(argv[0], argv);
        perror("test_mem: execv");
        return EXIT_FAILURE;
    }
    return vm_ck_run(make_suite());
}
