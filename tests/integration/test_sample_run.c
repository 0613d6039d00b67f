/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Integration tests for vm_sample_run() against libvirt's test driver
 * (test:///default, domain "test"), whose cpuTime follows the wall clock:
 * one busy CPU, a rate of ~1e9 ns/s. */
#include <config.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "ck_run.h"
#include "clock.h"
#include "fsutil.h"
#include "sample.h"

#define URI "test:///default"
#define PLUGIN "check_vcpu"
#define GROUPS (VM_GROUP_CPU | VM_GROUP_NET)

static virConnectPtr conn;
static virDomainPtr dom;
static char tmpdir[64];
static char statedir[96];
static char statefile[256];
static char *const key_args[] = {(char *)"-d", (char *)"test"};

static void quiet(void *data, virErrorPtr e)
{
    (void)data;
    (void)e;
}

static struct vm_sample_opts opts(void)
{
    struct vm_sample_opts o = {
        .interval_s = 0.2,
        .max_age_s = 3600,
        .no_state = false,
        .state_dir = statedir,
        .plugin = PLUGIN,
        .uri = URI,
        .key_args = key_args,
        .nkey_args = 2,
    };
    return o;
}

/* The options of the test's runs (opts(), set by setup) and their sampling. */
static struct vm_sample_opts opt;
static struct vm_sampling smp;

static void setup(void)
{
    char key[128];

    virSetErrorFunc(NULL, quiet);
    /* read-write: one test restarts the domain */
    conn = virConnectOpen(URI);
    ck_assert_ptr_nonnull(conn);
    dom = virDomainLookupByName(conn, "test");
    ck_assert_ptr_nonnull(dom);
    strcpy(tmpdir, "/tmp/vm-test-sample.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(statedir, sizeof(statedir), "%s/s", tmpdir);
    vm_state_key(PLUGIN, URI, key_args, 2, key, sizeof(key));
    snprintf(statefile, sizeof(statefile), "%s/%s.state", statedir, key);
    opt = opts();
}

static void teardown(void)
{
    vm_fs_rm_rf(tmpdir);
    if (dom)
        virDomainFree(dom);
    if (conn)
        virConnectClose(conn);
    dom = NULL;
    conn = NULL;
}

static void run(const struct vm_sample_opts *o, struct vm_sampling *s)
{
    struct vm_err err = {""};
    struct vm_domxml_cache xml;

    vm_domxml_cache_init(&xml, &dom, 1);
    ck_assert_msg(vm_sample_run(&dom, 1, GROUPS, &xml, o, s, &err) == 0, "%s", err.msg);
    vm_domxml_cache_clear(&xml);
    ck_assert_uint_eq(s->npairs, 1);
    ck_assert_uint_eq(s->cur.n, 1);
    ck_assert_ptr_eq(s->pairs[0].cur, &s->cur.dom[0]);
}

/* cpu.time rate of pair 0, asserted to be one busy CPU (within 20%). */
static void assert_one_cpu(const struct vm_sampling *s)
{
    const struct vm_rate_pair *p = &s->pairs[0];
    double r;

    ck_assert_ptr_nonnull(p->prev);
    ck_assert(VM_HAS(p->prev->cpu, VM_CPU_TIME) && VM_HAS(p->cur->cpu, VM_CPU_TIME));
    ck_assert_int_eq(
        vm_rate(p->prev->cpu.v[VM_CPU_TIME], p->cur->cpu.v[VM_CPU_TIME], p->elapsed_s, &r), 0);
    ck_assert_msg(fabs(r - 1e9) < 0.2e9, "cpu.time rate %.4g ns/s over %.3f s", r, p->elapsed_s);
}

/* Pair 0 is sampled in this run (slept, no saved base), for `note`. */
static void assert_in_run(const struct vm_sampling *s, const char *note)
{
    ck_assert(s->slept);
    ck_assert_int_eq(s->pairs[0].from_state, VM_BASE_IN_RUN);
    ck_assert_str_eq(s->pairs[0].note, note);
}

/* Pair 0 has no base and this run did not wait, for `note`. */
static void assert_no_pair(const struct vm_sampling *s, const char *note)
{
    ck_assert(!s->slept);
    ck_assert_ptr_null(s->pairs[0].prev);
    ck_assert_str_eq(s->pairs[0].note, note);
}

/* How many samples the state file holds: 0 when it is not valid. */
static size_t state_file_samples(void)
{
    struct vm_state_dir d;
    struct vm_state_meta m;
    struct vm_state_ring s;
    const char *why;
    char key[128];
    size_t n;
    int r;

    if (vm_state_dir_open(&d, statedir, NULL) < 0)
        return 0;
    vm_state_key(PLUGIN, URI, key_args, 2, key, sizeof(key));
    vm_state_meta_init(&m, PLUGIN, URI);
    r = vm_state_load(&d, key, &m, &s, &why, NULL);
    n = r == 1 ? s.n : 0;
    vm_state_ring_clear(&s);
    vm_state_dir_clear(&d);
    return n;
}

static bool state_file_valid(void)
{
    return state_file_samples() > 0;
}

static void pause_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};

    nanosleep(&ts, NULL);
}

START_TEST(test_first_run)
{
    ck_assert_int_eq(access(statefile, F_OK), -1);
    run(&opt, &smp);
    ck_assert(smp.slept);
    ck_assert_msg(smp.slept_s >= 0.2 && smp.slept_s < 0.6, "slept %.3f s", smp.slept_s);
    ck_assert_ptr_null(smp.state_note);
    ck_assert_uint_eq(smp.saved.n, 0);
    ck_assert_uint_eq(smp.first.n, 1);
    ck_assert_ptr_eq(smp.pairs[0].prev, &smp.first.dom[0]);
    ck_assert(!smp.pairs[0].from_state);
    ck_assert_str_eq(smp.pairs[0].note, "no previous sample");
    ck_assert_msg(smp.pairs[0].elapsed_s >= 0.19 && smp.pairs[0].elapsed_s < 0.6, "elapsed %.3f",
                  smp.pairs[0].elapsed_s);
    assert_one_cpu(&smp);
    ck_assert(state_file_valid());
    vm_sampling_clear(&smp);
}
END_TEST

START_TEST(test_second_run_from_state)
{
    struct timespec boot;

    run(&opt, &smp);
    vm_sampling_clear(&smp);
    pause_s(0.3);
    run(&opt, &smp);
    ck_assert(!smp.slept);
    ck_assert_uint_eq(smp.first.n, 0);
    ck_assert_uint_eq(smp.saved.n, 1);
    ck_assert(smp.pairs[0].from_state);
    ck_assert_ptr_eq(smp.pairs[0].prev, &smp.saved.snap[0].dom[0]);
    ck_assert_ptr_null(smp.pairs[0].note);
    ck_assert_msg(smp.pairs[0].elapsed_s >= 0.29 && smp.pairs[0].elapsed_s < 1.0, "elapsed %.3f",
                  smp.pairs[0].elapsed_s);
    assert_one_cpu(&smp);
    /* boot holds CLOCK_BOOTTIME */
    clock_gettime(CLOCK_BOOTTIME, &boot);
    ck_assert(fabs((double)(boot.tv_sec - smp.cur.boot.tv_sec)) < 2);
    vm_sampling_clear(&smp);

    /* right after: still from the state, a short but measured elapsed */
    run(&opt, &smp);
    ck_assert(!smp.slept);
    ck_assert(smp.pairs[0].from_state);
    ck_assert(smp.pairs[0].elapsed_s > 0 && smp.pairs[0].elapsed_s < 0.5);
    vm_sampling_clear(&smp);
}
END_TEST

START_TEST(test_no_state)
{
    opt.no_state = true;
    run(&opt, &smp);
    assert_in_run(&smp, "state is off (--no-state)");
    assert_one_cpu(&smp);
    /* nothing was created */
    ck_assert_int_eq(access(statedir, F_OK), -1);
    vm_sampling_clear(&smp);

    /* and an existing folder stays empty */
    ck_assert_int_eq(mkdir(statedir, 0700), 0);
    run(&opt, &smp);
    ck_assert(smp.slept);
    ck_assert_int_eq(rmdir(statedir), 0);
    vm_sampling_clear(&smp);
}
END_TEST

START_TEST(test_max_age)
{
    run(&opt, &smp);
    vm_sampling_clear(&smp);
    opt.max_age_s = 1e-6;
    run(&opt, &smp);
    assert_in_run(&smp, "previous sample too old");
    ck_assert_ptr_eq(smp.pairs[0].prev, &smp.first.dom[0]);
    assert_one_cpu(&smp);
    vm_sampling_clear(&smp);
}
END_TEST

START_TEST(test_corrupt_state)
{
    struct stat st;

    run(&opt, &smp);
    vm_sampling_clear(&smp);
    /* cut the file in half */
    ck_assert_int_eq(stat(statefile, &st), 0);
    ck_assert_int_eq(truncate(statefile, st.st_size / 2), 0);
    run(&opt, &smp);
    assert_in_run(&smp, "state file is corrupt");
    ck_assert_ptr_nonnull(smp.pairs[0].prev);
    ck_assert(state_file_valid()); /* replaced */
    vm_sampling_clear(&smp);
    /* garbage */
    vm_fs_spit(statefile, "\x01\x02garbage", 9);
    run(&opt, &smp);
    assert_in_run(&smp, "state file is not a state file of this plugin suite");
    ck_assert(state_file_valid());
    vm_sampling_clear(&smp);
}
END_TEST

START_TEST(test_domain_restarted)
{
    int id;

    run(&opt, &smp);
    id = smp.cur.dom[0].id;
    vm_sampling_clear(&smp);
    ck_assert_int_eq(virDomainDestroy(dom), 0);
    ck_assert_int_eq(virDomainCreate(dom), 0);
    run(&opt, &smp);
    ck_assert_int_ne(smp.cur.dom[0].id, id);
    assert_in_run(&smp, "domain ID changed: domain restarted");
    ck_assert_ptr_eq(smp.pairs[0].prev, &smp.first.dom[0]);
    vm_sampling_clear(&smp);
}
END_TEST

START_TEST(test_folder_refused)
{
    struct vm_err err = {""};

    ck_assert_int_eq(mkdir(statedir, 0755), 0);
    ck_assert_int_eq(chmod(statedir, 0755), 0);
    /* A cache that cannot be trusted: not used, the run measures in-run,
     * and says why; nothing is written there. */
    ck_assert_int_eq(vm_sample_run(&dom, 1, GROUPS, NULL, &opt, &smp, &err), 0);
    ck_assert_str_eq(smp.state_note, "the state folder cannot be used");
    ck_assert_msg(strstr(smp.state_err.msg, "open to group/others (mode 0755)"), "%s",
                  smp.state_err.msg);
    ck_assert(smp.slept);
    ck_assert_uint_eq(smp.npairs, 1);
    ck_assert_ptr_nonnull(smp.pairs[0].prev);
    ck_assert_int_eq(smp.pairs[0].from_state, VM_BASE_IN_RUN);
    ck_assert_str_eq(smp.pairs[0].note, "the state folder cannot be used");
    ck_assert_int_eq(vm_fs_count_entries(statedir, NULL), 0);
    vm_sampling_clear(&smp);
}
END_TEST

START_TEST(test_lock_held)
{
    struct vm_state_dir d;
    char key[128];
    int lock;

    ck_assert_int_eq(vm_state_dir_open(&d, statedir, NULL), 0);
    vm_state_key(PLUGIN, URI, key_args, 2, key, sizeof(key));
    lock = vm_state_lock(&d, key, 0, NULL);
    ck_assert_int_ge(lock, 0);
    run(&opt, &smp);
    ck_assert_ptr_null(smp.state_note); /* the holder saves: nothing to tell */
    ck_assert_msg(strstr(smp.state_err.msg, "another run holds the state lock"), "%s",
                  smp.state_err.msg);
    ck_assert(smp.slept);
    assert_one_cpu(&smp);
    ck_assert_int_eq(access(statefile, F_OK), -1); /* not saved without the lock */
    vm_sampling_clear(&smp);
    vm_state_unlock(lock);
    vm_state_dir_clear(&d);
}
END_TEST

/* ---- the minimum window ----------------------------------------------- */

/* A run right after another: the saved sample is too young to be a base,
 * so this run samples in-run; a run a little later answers from the
 * older sample (not the previous check's), and the state keeps both. */
START_TEST(test_min_window_young_base)
{
    /* B is ~0.32 s old at the third run, A at least the 0.2 s interval
     * more: A is the base, B is not */
    opt.min_window_s = 0.5;
    run(&opt, &smp); /* in-run; saves sample A */
    vm_sampling_clear(&smp);
    run(&opt, &smp); /* A is milliseconds old */
    assert_in_run(&smp, "previous sample too recent for --min-window");
    ck_assert_ptr_eq(smp.pairs[0].prev, &smp.first.dom[0]);
    assert_one_cpu(&smp);
    vm_sampling_clear(&smp);
    ck_assert_uint_eq(state_file_samples(), 2); /* B did not replace A */

    pause_s(0.32);
    run(&opt, &smp);
    ck_assert(!smp.slept);
    ck_assert_uint_eq(smp.saved.n, 2);
    ck_assert_int_eq(smp.pairs[0].from_state, VM_BASE_EARLIER);
    ck_assert_ptr_eq(smp.pairs[0].prev, &smp.saved.snap[1].dom[0]);
    ck_assert_ptr_null(smp.pairs[0].note);
    ck_assert_msg(smp.pairs[0].elapsed_s >= 0.5 && smp.pairs[0].elapsed_s < 3.0, "elapsed %.3f",
                  smp.pairs[0].elapsed_s);
    assert_one_cpu(&smp);
    vm_sampling_clear(&smp);
    ck_assert_uint_eq(state_file_samples(), 3); /* A (the base), B (a step newer), C */
}
END_TEST

/* The in-run interval may make the newest saved sample old enough: then
 * the average since that check, over more than the window. */
START_TEST(test_min_window_after_sleep)
{
    opt.min_window_s = 0.3;
    opt.interval_s = 0.4;
    run(&opt, &smp);
    vm_sampling_clear(&smp);
    pause_s(0.05);
    run(&opt, &smp); /* 0.05 s old: too young; 0.45 s after the 0.4 s interval */
    ck_assert(smp.slept);
    ck_assert_int_eq(smp.pairs[0].from_state, VM_BASE_PREVIOUS);
    ck_assert_ptr_eq(smp.pairs[0].prev, &smp.saved.snap[0].dom[0]);
    ck_assert_msg(smp.pairs[0].elapsed_s >= 0.3, "elapsed %.3f", smp.pairs[0].elapsed_s);
    assert_one_cpu(&smp);
    vm_sampling_clear(&smp);
}
END_TEST

/* Many checks in a tight loop: never a base under the window, the ring
 * within its bound, and once a sample is old enough no more sleeping. */
START_TEST(test_min_window_loop)
{
    struct timespec t0, now;
    size_t runs = 0, late_in_run = 0;
    double el;

    opt.min_window_s = 0.6;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        run(&opt, &smp);
        clock_gettime(CLOCK_MONOTONIC, &now);
        el = vm_clock_diff(&now, &t0);
        if (smp.pairs[0].from_state)
            ck_assert_msg(smp.pairs[0].elapsed_s >= 0.6, "run %zu: base %.3f s old", runs,
                          smp.pairs[0].elapsed_s);
        else if (el > 1.5)
            late_in_run++;
        assert_one_cpu(&smp);
        vm_sampling_clear(&smp);
        ck_assert_uint_le(state_file_samples(), VM_STATE_RING_MAX);
        runs++;
    } while (el < 2.5);
    ck_assert_msg(late_in_run == 0, "%zu of %zu runs sampled in-run after the first 1.5 s",
                  late_in_run, runs);
    ck_assert_uint_gt(runs, 5);
}
END_TEST

/* A saved sample without the domain (libvirt skipped it then: a stuck
 * guest) between the base and now: no average across that gap, even
 * from an older sample that has it. */
START_TEST(test_min_window_gap)
{
    struct vm_state_meta m;
    struct vm_state_ring ring;
    struct vm_snapshot skipped;
    struct vm_buf out = VM_BUF_INIT;
    const char *why = NULL;
    size_t len;
    char *text;

    opt.min_window_s = 0.3;
    run(&opt, &smp); /* A */
    vm_sampling_clear(&smp);
    pause_s(0.35);
    run(&opt, &smp); /* from A; saves B beside A */
    ck_assert_int_eq(smp.pairs[0].from_state, VM_BASE_PREVIOUS);
    vm_sampling_clear(&smp);
    /* B as if the domain had been skipped */
    text = vm_fs_slurp(statefile, &len);
    vm_state_meta_init(&m, PLUGIN, URI);
    ck_assert_int_eq(vm_statefile_parse(text, len, &m, &ring, &why, NULL), 1);
    ck_assert_uint_eq(ring.n, 2);
    skipped = ring.snap[0]; /* shallow, for formatting only */
    skipped.n = 0;
    vm_statefile_format((const struct vm_snapshot *const[]){&skipped, &ring.snap[1]}, 2, &m, &out);
    ck_assert(!out.oom);
    vm_fs_spit(statefile, out.s, out.len);
    run(&opt, &smp); /* B is too young, A old enough, but B lacks the domain */
    assert_in_run(&smp, "no previous sample of this domain");
    ck_assert_ptr_eq(smp.pairs[0].prev, &smp.first.dom[0]);
    vm_sampling_clear(&smp);
    vm_state_ring_clear(&ring);
    vm_buf_clear(&out);
    free(text);
}
END_TEST

/* A version 2 state file (what the release before wrote: one sample, no
 * "samples" line) is read as the previous sample, and kept in the new
 * file beside this run's. */
START_TEST(test_version2_state)
{
    struct vm_buf v2 = VM_BUF_INIT;
    size_t len;
    char *text, *p, *end;

    run(&opt, &smp);
    vm_sampling_clear(&smp);
    text = vm_fs_slurp(statefile, &len);
    ck_assert_ptr_nonnull(text);
    end = text + len - 21; /* "end <hash>\n" */
    ck_assert(strncmp(end, "end ", 4) == 0);
    for (p = text; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));

        ck_assert_ptr_nonnull(nl);
        if (strncmp(p, "version 3\n", 10) == 0)
            vm_buf_append(&v2, "version 2\n");
        else if (strncmp(p, "samples ", 8) != 0)
            vm_buf_append_len(&v2, p, (size_t)(nl + 1 - p));
        p = nl + 1;
    }
    vm_buf_printf(&v2, "end %016" PRIx64 "\n", vm_statefile_fnv1a(VM_FNV1A_INIT, v2.s, v2.len));
    ck_assert(!v2.oom);
    vm_fs_spit(statefile, v2.s, v2.len);
    pause_s(0.1);
    run(&opt, &smp);
    ck_assert(!smp.slept);
    ck_assert_int_eq(smp.pairs[0].from_state, VM_BASE_PREVIOUS);
    assert_one_cpu(&smp);
    vm_sampling_clear(&smp);
    ck_assert_uint_eq(state_file_samples(), 2);
    free(text);
    vm_buf_clear(&v2);
}
END_TEST

/* no_in_run: never a second sample; the sample is saved all the same,
 * and the next run has its pair from it. */
START_TEST(test_no_in_run)
{
    opt.no_in_run = true; /* as check_vmem's pressure asks */
    run(&opt, &smp);
    assert_no_pair(&smp, "no previous sample");
    ck_assert_uint_eq(smp.first.n, 0);
    ck_assert(state_file_valid());
    vm_sampling_clear(&smp);
    pause_s(0.3);
    run(&opt, &smp);
    ck_assert(!smp.slept);
    ck_assert(smp.pairs[0].from_state);
    assert_one_cpu(&smp);
    vm_sampling_clear(&smp);
    /* --no-state as well: nothing to pair with, and no wait */
    opt.no_state = true;
    run(&opt, &smp);
    assert_no_pair(&smp, "state is off (--no-state)");
    vm_sampling_clear(&smp);
}
END_TEST

/* A balloon-only run of opt into smp, with the domain XML of xml. */
static void run_balloon(struct vm_domxml_cache *xml)
{
    struct vm_err err = {""};

    ck_assert_msg(vm_sample_run(&dom, 1, VM_GROUP_BALLOON, xml, &opt, &smp, &err) == 0, "%s",
                  err.msg);
}

/* The balloon's counters (swap, faults) are counters too: a balloon-only
 * run without a base samples in-run, unless no_in_run. */
START_TEST(test_balloon_counters_sampled)
{
    struct vm_domxml_cache xml;

    opt.no_state = true;
    vm_domxml_cache_init(&xml, &dom, 1);
    run_balloon(&xml);
    ck_assert(VM_HAS(smp.cur.dom[0].balloon, VM_BAL_SWAP_IN));
    ck_assert(VM_HAS(smp.cur.dom[0].balloon, VM_BAL_HUGETLB_PGFAIL));
    ck_assert(smp.slept);
    ck_assert_ptr_nonnull(smp.pairs[0].prev);
    vm_sampling_clear(&smp);
    opt.no_in_run = true;
    run_balloon(&xml);
    ck_assert(!smp.slept);
    ck_assert_ptr_null(smp.pairs[0].prev);
    vm_sampling_clear(&smp);
    vm_domxml_cache_clear(&xml);
}
END_TEST

/* The sampling engine's runs: with a sound state, with a damaged or
 * refused one, under --min-window, and without an in-run sample. */
static Suite *make_suite(void)
{
    Suite *s = suite_create("sample_run");

    VM_CK_TCASE(s, "test driver", 30, setup, teardown, VM_CK_TEST(test_first_run),
                VM_CK_TEST(test_second_run_from_state), VM_CK_TEST(test_no_state),
                VM_CK_TEST(test_max_age));
    VM_CK_TCASE(s, "damaged state", 30, setup, teardown, VM_CK_TEST(test_corrupt_state),
                VM_CK_TEST(test_domain_restarted), VM_CK_TEST(test_folder_refused),
                VM_CK_TEST(test_lock_held), VM_CK_TEST(test_version2_state));
    VM_CK_TCASE(s, "min window", 30, setup, teardown, VM_CK_TEST(test_min_window_young_base),
                VM_CK_TEST(test_min_window_after_sleep), VM_CK_TEST(test_min_window_loop),
                VM_CK_TEST(test_min_window_gap));
    VM_CK_TCASE(s, "no in-run", 30, setup, teardown, VM_CK_TEST(test_no_in_run),
                VM_CK_TEST(test_balloon_counters_sampled));
    return s;
}

VM_CK_MAIN(make_suite)
