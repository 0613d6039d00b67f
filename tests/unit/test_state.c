/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for lib/state.c: the key, the folder checks, planted files,
 * concurrency and failed saves (the file text is test_statefile.c's).
 * Folders are made under /tmp; the tests that need another uid run in a
 * child that drops to 65534. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ck_run.h"
#include "fsutil.h"
#include "snap_fixture.h"
#include "state.h"

#define NOBODY 65534
#define TEST_KEY "check_vcpu-0123456789abcdef"

/* ---- helpers ---------------------------------------------------------- */

static char tmpdir[64];

/* Test allocations are held from a global and freed in the teardown: a
 * failing assertion cannot leak them, and forked children (run under
 * valgrind too) still see them as reachable. */
static void *held[256];
static size_t nheld;

static void *hold(void *p)
{
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_lt(nheld, sizeof(held) / sizeof(held[0]));
    held[nheld++] = p;
    return p;
}

static void tmp_setup(void)
{
    strcpy(tmpdir, "/tmp/vm-test-state.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmp_teardown(void)
{
    vm_fs_rm_rf(tmpdir);
    while (nheld > 0)
        free(held[--nheld]);
}

/* tmpdir/name (held). */
static char *tpath(const char *name)
{
    struct vm_buf b = VM_BUF_INIT;

    vm_buf_printf(&b, "%s/%s", tmpdir, name);
    return hold(vm_buf_steal(&b));
}

/* Whole file into a held string. */
static char *read_file(const char *path, size_t *len)
{
    return hold(vm_fs_slurp(path, len));
}

/* An open state folder tmpdir/s (0700, ours). */
static void open_state(struct vm_state_dir *d)
{
    struct vm_err err = {""};
    char *p = tpath("s");

    ck_assert_msg(vm_state_dir_open(d, p, &err) == 0, "%s", err.msg);
}

/* Run fn in a child as uid/gid 65534; assert it exits 0. Only root can. */
static void run_as_nobody(void (*fn)(void))
{
    pid_t pid;
    int st;

    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
            _exit(90);
        fn();
        _exit(0);
    }
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st), "child died with signal %d", WTERMSIG(st));
    ck_assert_msg(WEXITSTATUS(st) == 0, "child failed with status %d", WEXITSTATUS(st));
}

/* ---- key and meta ----------------------------------------------------- */

/* (char *) casts: the key takes argv-like strings. */

static char *const args_a[] = {(char *)"-d", (char *)"web01"};
static char *const args_b[] = {(char *)"-d", (char *)"web02"};
static char *const args_ab1[] = {(char *)"ab", (char *)"c"};
static char *const args_ab2[] = {(char *)"a", (char *)"bc"};
static char *const args_null[] = {NULL};
static char *const args_empty[] = {(char *)""};
static char *const args_uri[] = {(char *)"b"};

static const struct {
    const char *p1, *u1;
    char *const *a1;
    size_t n1;
    const char *p2, *u2;
    char *const *a2;
    size_t n2;
    bool same;
} keys[] = {
    {"check_vcpu", "qemu:///system", args_a, 2, "check_vcpu", "qemu:///system", args_a, 2, true},
    {"check_vcpu", "qemu:///system", args_a, 2, "check_vdisk", "qemu:///system", args_a, 2, false},
    {"check_vcpu", "qemu:///system", args_a, 2, "check_vcpu", "qemu:///session", args_a, 2, false},
    {"check_vcpu", "qemu:///system", args_a, 2, "check_vcpu", "qemu:///system", args_b, 2, false},
    {"check_vcpu", "qemu:///system", args_a, 2, "check_vcpu", "qemu:///system", args_a, 1, false},
    {"check_vcpu", "qemu:///system", args_a, 2, "check_vcpu", "qemu:///system", NULL, 0, false},
    {"x", "u", args_ab1, 2, "x", "u", args_ab2, 2, false},
    {"x", "u", args_null, 1, "x", "u", args_empty, 1, false},
    {"x", "u", args_empty, 1, "x", "u", NULL, 0, false},
    {"a", "b", NULL, 0, "a", "", args_uri, 1, false},
    {"ab", "", NULL, 0, "a", "b", NULL, 0, false},
    {"x", NULL, NULL, 0, "x", "", NULL, 0, true},
};

START_TEST(test_key_separation)
{
    char k1[128], k2[128];

    vm_state_key(keys[_i].p1, keys[_i].u1, keys[_i].a1, keys[_i].n1, k1, sizeof(k1));
    vm_state_key(keys[_i].p2, keys[_i].u2, keys[_i].a2, keys[_i].n2, k2, sizeof(k2));
    if (keys[_i].same)
        ck_assert_str_eq(k1, k2);
    else
        ck_assert_str_ne(k1, k2);
}
END_TEST

START_TEST(test_key_shape)
{
    char k[128], small[8];
    size_t i;

    vm_state_key("check_vcpu", "qemu:///system", args_a, 2, k, sizeof(k));
    ck_assert_uint_eq(strlen(k), strlen("check_vcpu-") + 16);
    ck_assert_int_eq(strncmp(k, "check_vcpu-", 11), 0);
    for (i = 11; k[i]; i++)
        ck_assert(strchr("0123456789abcdef", k[i]));
    /* a hostile plugin name cannot leave the folder or hide the file */
    vm_state_key("../../etc/passwd .x", "u", NULL, 0, k, sizeof(k));
    ck_assert_ptr_null(strchr(k, '/'));
    ck_assert_ptr_null(strchr(k, ' '));
    ck_assert_int_ne(k[0], '.');
    vm_state_key("", "u", NULL, 0, k, sizeof(k));
    ck_assert_int_eq(strncmp(k, "state-", 6), 0);
    vm_state_key("check_vcpu", "u", NULL, 0, small, sizeof(small));
    ck_assert_uint_eq(strlen(small), 7);
}
END_TEST

START_TEST(test_meta_boot_id)
{
    struct vm_state_meta m;

    vm_state_meta_init(&m, "p", NULL);
    ck_assert_str_eq(m.plugin, "p");
    ck_assert_str_eq(m.uri, "");
    if (access("/proc/sys/kernel/random/boot_id", R_OK) == 0)
        ck_assert_uint_eq(strlen(m.boot_id), 36);
}
END_TEST

/* ---- the folder ------------------------------------------------------- */

START_TEST(test_dir_create)
{
    struct vm_state_dir d;
    struct vm_err err = {""};
    struct stat st;
    char *p = tpath("new");

    ck_assert_int_eq(vm_state_dir_open(&d, p, &err), 0);
    ck_assert_int_ge(d.fd, 0);
    ck_assert_str_eq(d.path, p);
    ck_assert_int_eq(stat(p, &st), 0);
    ck_assert_uint_eq(st.st_mode & 07777, 0700);
    vm_state_dir_clear(&d);
    ck_assert_int_eq(d.fd, -1);
    vm_state_dir_clear(&d);
    vm_state_dir_clear(NULL);
    /* again, existing; trailing slashes are fine */
    p = tpath("new//");
    ck_assert_int_eq(vm_state_dir_open(&d, p, &err), 0);
    vm_state_dir_clear(&d);
    /* a missing parent is not created for an explicit folder */
    p = tpath("no/such");
    ck_assert_int_eq(vm_state_dir_open(&d, p, &err), -1);
    ck_assert_msg(strstr(err.msg, "cannot create state folder"), "%s", err.msg);
    ck_assert_int_eq(d.fd, -1);
    ck_assert_int_eq(vm_state_dir_open(&d, "", &err), -1);
}
END_TEST

/* Opening path as the state folder fails, with a message that holds part
 * (when not NULL). */
static void assert_dir_refused(const char *path, const char *part)
{
    struct vm_state_dir d;
    struct vm_err err = {""};

    ck_assert_int_eq(vm_state_dir_open(&d, path, &err), -1);
    if (part)
        ck_assert_msg(strstr(err.msg, part), "%s", err.msg);
}

/* Refused with exactly the message fmt... */
static void __attribute__((format(printf, 2, 3)))
assert_dir_refused_as(const char *path, const char *fmt, ...)
{
    struct vm_state_dir d;
    struct vm_err err = {""};
    char want[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(want, sizeof(want), fmt, ap);
    va_end(ap);
    ck_assert_int_eq(vm_state_dir_open(&d, path, &err), -1);
    ck_assert_str_eq(err.msg, want);
}

START_TEST(test_dir_symlink)
{
    char *real = tpath("real"), *link = tpath("link"), *slash = tpath("link/");

    ck_assert_int_eq(mkdir(real, 0700), 0);
    ck_assert_int_eq(symlink(real, link), 0);
    assert_dir_refused(link, "is a symlink");
    assert_dir_refused(slash, "is a symlink");
}
END_TEST

START_TEST(test_dir_mode)
{
    char *p = tpath("loose");

    ck_assert_int_eq(mkdir(p, 0700), 0);
    ck_assert_int_eq(chmod(p, 0755), 0);
    assert_dir_refused_as(p, "state folder %s is open to group/others (mode 0755); chmod 700 it",
                          p);
    ck_assert_int_eq(chmod(p, 0710), 0);
    assert_dir_refused(p, NULL);
    ck_assert_int_eq(chmod(p, 0701), 0);
    assert_dir_refused(p, NULL);
}
END_TEST

START_TEST(test_dir_not_folder)
{
    char *p = tpath("file");

    vm_fs_spit(p, "x", 1);
    assert_dir_refused(p, "is not a folder");
}
END_TEST

START_TEST(test_dir_foreign_owner)
{
    char *p = tpath("foreign");

    ck_assert_msg(geteuid() == 0, "SKIP-LIKE: chown to another uid needs root; not run as root");
    ck_assert_int_eq(mkdir(p, 0700), 0);
    ck_assert_int_eq(chown(p, NOBODY, NOBODY), 0);
    assert_dir_refused_as(
        p, "state folder %s is owned by uid %d, not 0; chown it or give another --state-dir", p,
        NOBODY);
}
END_TEST

/* As uid 65534: a root-owned readable folder is refused for its owner,
 * a closed one cannot even be opened, our own works. */
static void child_foreign_checks(void)
{
    struct vm_state_dir d;
    struct vm_err err = {""};
    char *p = tpath("rootopen");
    char *q = tpath("rootclosed");
    char *r = tpath("mine");

    if (vm_state_dir_open(&d, p, &err) != -1 || !strstr(err.msg, "is owned by uid 0, not 65534"))
        _exit(1);
    if (vm_state_dir_open(&d, q, &err) != -1 || !strstr(err.msg, "Permission denied"))
        _exit(2);
    if (vm_state_dir_open(&d, r, &err) != 0)
        _exit(3);
    vm_state_dir_clear(&d);
}

START_TEST(test_dir_other_euid)
{
    char *p = tpath("rootopen"), *q = tpath("rootclosed"), *r = tpath("mine");

    ck_assert_msg(geteuid() == 0,
                  "SKIP-LIKE: the euid != owner case needs root to setuid; not run as root");
    ck_assert_int_eq(chmod(tmpdir, 0755), 0);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    ck_assert_int_eq(mkdir(q, 0700), 0);
    ck_assert_int_eq(mkdir(r, 0700), 0);
    ck_assert_int_eq(chown(r, NOBODY, NOBODY), 0);
    run_as_nobody(child_foreign_checks);
}
END_TEST

/* Environment-derived folders: parents are created 0700. */
START_TEST(test_dir_xdg_and_home)
{
    struct vm_state_dir d;
    struct vm_err err = {""};
    char *xdg = tpath("x/y"), *home = tpath("home"), *want;
    struct stat st;
    char *saved_xdg = getenv("XDG_STATE_HOME") ? xstrdup(getenv("XDG_STATE_HOME")) : NULL;
    char *saved_home = getenv("HOME") ? xstrdup(getenv("HOME")) : NULL;

    setenv("XDG_STATE_HOME", xdg, 1);
    ck_assert_msg(vm_state_dir_open(&d, NULL, &err) == 0, "%s", err.msg);
    want = tpath("x/y/monitoring-plugins-libvirt");
    ck_assert_str_eq(d.path, want);
    vm_state_dir_clear(&d);
    ck_assert_int_eq(stat(xdg, &st), 0);
    ck_assert_uint_eq(st.st_mode & 07777, 0700);

    /* relative XDG_STATE_HOME is invalid: HOME is used */
    setenv("XDG_STATE_HOME", "relative/path", 1);
    ck_assert_int_eq(mkdir(home, 0700), 0);
    setenv("HOME", home, 1);
    ck_assert_msg(vm_state_dir_open(&d, NULL, &err) == 0, "%s", err.msg);
    want = tpath("home/.local/state/monitoring-plugins-libvirt");
    ck_assert_str_eq(d.path, want);
    vm_state_dir_clear(&d);
    want = tpath("home/.local");
    ck_assert_int_eq(stat(want, &st), 0);
    ck_assert_uint_eq(st.st_mode & 07777, 0700);

    if (saved_xdg)
        setenv("XDG_STATE_HOME", saved_xdg, 1);
    else
        unsetenv("XDG_STATE_HOME");
    if (saved_home)
        setenv("HOME", saved_home, 1);
    else
        unsetenv("HOME");
    free(saved_xdg);
    free(saved_home);
}
END_TEST

/* The environment is ignored when uid != euid: the state falls back to
 * /var/tmp/...-<euid>. A HOME owned by someone else is not used either,
 * nor silently replaced: the folder is unknown, and the error says so. */
static void child_bad_home(const char *home)
{
    struct vm_state_dir d;
    struct vm_err err = {""};
    char want[256];

    snprintf(want, sizeof(want), "HOME (%s) is not a folder of this user's", home);
    if (vm_state_dir_open(&d, NULL, &err) != -1)
        _exit(5);
    if (!strstr(err.msg, want) || !strstr(err.msg, "--state-dir"))
        _exit(6);
}

static void child_env_ignored(void)
{
    struct vm_state_dir d;
    struct vm_err err = {""};
    char want[128];
    bool existed;
    struct stat st;

    snprintf(want, sizeof(want), "/var/tmp/monitoring-plugins-libvirt-%lu",
             (unsigned long)geteuid());
    existed = lstat(want, &st) == 0;
    if (vm_state_dir_open(&d, NULL, &err) != 0)
        _exit(1);
    if (strcmp(d.path, want) != 0)
        _exit(2);
    vm_state_dir_clear(&d);
    if (!existed)
        (void)rmdir(want);
}

START_TEST(test_dir_env_ignored)
{
    char *xdg = tpath("x"), *home = tpath("home");
    pid_t pid;
    int st;

    ck_assert_msg(geteuid() == 0, "SKIP-LIKE: needs root to set a real uid apart from the euid");
    ck_assert_int_eq(mkdir(home, 0700), 0);
    ck_assert_int_eq(chown(home, NOBODY, NOBODY), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        /* HOME owned by another user, no XDG: named, not replaced */
        unsetenv("XDG_STATE_HOME");
        setenv("HOME", home, 1);
        child_bad_home(home);
        /* real uid 65534, effective 0: XDG and HOME are not trusted */
        setenv("XDG_STATE_HOME", xdg, 1);
        if (chown(home, 0, 0) < 0 || setresuid(NOBODY, 0, 0) < 0)
            _exit(9);
        child_env_ignored();
        _exit(access(xdg, F_OK) == 0 ? 4 : 0);
    }
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
}
END_TEST

/* ---- files in the folder ---------------------------------------------- */

/* One sample as vm_state_save takes it. */
#define ONE(snap) ((const struct vm_snapshot *const[]){(snap)})

static void save_test_snapshot(struct vm_state_dir *d, uint64_t v)
{
    struct vm_snapshot s;
    struct vm_err err = {""};

    make_snapshot(&s, v);
    ck_assert_msg(vm_state_save(d, TEST_KEY, &test_meta, ONE(&s), 1, &err) == 0, "%s", err.msg);
    vm_snapshot_clear(&s);
}

static int load_test(struct vm_state_dir *d, const char **why, uint64_t *v)
{
    struct vm_state_ring s, lazy;
    struct vm_err err = {""};
    const char *lazy_why = NULL;
    int r = vm_state_load(d, TEST_KEY, &test_meta, &s, why, &err);

    if (r == 1 && v)
        *v = s.snap[0].dom[0].balloon.v[0];
    if (r != 1)
        ck_assert(s.n == 0 && !s.snap[0].dom);
    /* The lazy load makes the same checks on the folder and the file. */
    ck_assert_int_eq(vm_state_load_lazy(d, TEST_KEY, &test_meta, &lazy, &lazy_why, &err), r);
    ck_assert_pstr_eq(lazy_why, *why);
    ck_assert_uint_eq(lazy.n, s.n);
    if (r != 1)
        ck_assert(!lazy.buf && !lazy.text[0]);
    vm_state_ring_clear(&lazy);
    vm_state_ring_clear(&s);
    return r;
}

/* No sample loaded from d, for the reason `why`. */
static void assert_not_loaded(struct vm_state_dir *d, const char *want)
{
    const char *why = NULL;

    ck_assert_int_eq(load_test(d, &why, NULL), 0);
    ck_assert_str_eq(why, want);
}

START_TEST(test_save_load)
{
    struct vm_state_dir d;
    const char *why = NULL;
    uint64_t v = 0;
    struct stat st;
    char *f = tpath("s/" TEST_KEY ".state");

    open_state(&d);
    assert_not_loaded(&d, "no previous sample");
    save_test_snapshot(&d, 41);
    ck_assert_int_eq(load_test(&d, &why, &v), 1);
    ck_assert_uint_eq(v, 41);
    save_test_snapshot(&d, 42);
    ck_assert_int_eq(load_test(&d, &why, &v), 1);
    ck_assert_uint_eq(v, 42);
    ck_assert_int_eq(stat(f, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0600);
    ck_assert_int_eq(vm_fs_count_entries(tpath("s"), ".tmp-"), 0);
    vm_state_dir_clear(&d);
}
END_TEST

/* A ring saved, loaded lazily and saved again with a new sample: the
 * older samples' lines are copied as they were, byte for byte, and read
 * back the same; only the sample a base needs is read. */
START_TEST(test_ring_kept_verbatim)
{
    struct vm_state_dir d;
    struct vm_snapshot s[VM_STATE_RING_MAX];
    const struct vm_snapshot *p[VM_STATE_RING_MAX];
    struct vm_state_item items[VM_STATE_RING_MAX];
    struct vm_state_ring ring, back;
    struct vm_err err = {""};
    const char *why = NULL;
    char path[128], *before, *after;
    size_t k, len1, len2;

    ck_assert_int_eq(vm_state_dir_open(&d, tmpdir, &err), 0);
    for (k = 0; k < VM_STATE_RING_MAX; k++) {
        make_snapshot(&s[k], 10 * k);
        s[k].boot.tv_sec -= (time_t)k;
        s[k].wall.tv_sec -= (time_t)k;
        p[k] = &s[k];
    }
    /* the older three on file */
    ck_assert_int_eq(vm_state_save(&d, TEST_KEY, &test_meta, p + 1, 3, &err), 0);
    snprintf(path, sizeof(path), "%s/%s.state", tmpdir, TEST_KEY);
    before = vm_fs_slurp(path, &len1);
    ck_assert_int_eq(vm_state_load_lazy(&d, TEST_KEY, &test_meta, &ring, &why, &err), 1);
    ck_assert_uint_eq(ring.n, 3);
    for (k = 0; k < 3; k++) {
        ck_assert(!ring.read[k] && !ring.snap[k].dom);
        ck_assert_int_eq(ring.snap[k].boot.tv_sec, s[k + 1].boot.tv_sec);
        ck_assert_int_eq(ring.snap[k].boot.tv_nsec, s[k + 1].boot.tv_nsec);
        ck_assert_int_eq(ring.snap[k].wall.tv_sec, s[k + 1].wall.tv_sec);
        ck_assert_int_eq(strncmp(ring.text[k], "time ", 5), 0);
        ck_assert_int_eq(ring.text[k][ring.len[k] - 1], '\n');
        ck_assert_ptr_nonnull(memmem(before, len1, ring.text[k], ring.len[k]));
    }
    /* the base alone is read */
    ck_assert_int_eq(vm_state_ring_read(&ring, 1, &why, &err), 1);
    ck_assert(ring.read[1] && !ring.read[0] && !ring.read[2]);
    ck_assert_uint_eq(ring.snap[1].n, s[2].n);
    ck_assert_uint_eq(ring.snap[1].dom[0].cpu.v[0], s[2].dom[0].cpu.v[0]);
    ck_assert_int_eq(vm_state_ring_read(&ring, 1, &why, &err), 1); /* once */
    /* the new one formatted, the older ones copied (read or not) */
    items[0] = (struct vm_state_item){&s[0], NULL, 0};
    for (k = 0; k < 3; k++)
        items[k + 1] = (struct vm_state_item){&ring.snap[k], ring.text[k], ring.len[k]};
    ck_assert_int_eq(vm_state_save_items(&d, TEST_KEY, &test_meta, items, 4, &err), 0);
    after = vm_fs_slurp(path, &len2);
    /* each older sample's lines, as they were in the file before */
    for (k = 0; k < 3; k++)
        ck_assert_ptr_nonnull(memmem(after, len2, ring.text[k], ring.len[k]));
    vm_state_ring_clear(&ring);
    /* and the whole is what formatting all four gives */
    {
        struct vm_buf b = VM_BUF_INIT;

        vm_statefile_format(p, 4, &test_meta, &b);
        ck_assert(!b.oom);
        ck_assert_uint_eq(b.len, len2);
        ck_assert_mem_eq(b.s, after, len2);
        vm_buf_clear(&b);
    }
    ck_assert_int_eq(vm_state_load(&d, TEST_KEY, &test_meta, &back, &why, &err), 1);
    ck_assert_uint_eq(back.n, 4);
    vm_state_ring_clear(&back);
    free(before);
    free(after);
    for (k = 0; k < VM_STATE_RING_MAX; k++)
        vm_snapshot_clear(&s[k]);
    vm_state_dir_clear(&d);
}
END_TEST

START_TEST(test_bad_keys)
{
    static const char *const bad[] = {"", ".hidden", "../x", "a/b", "a b", "x\n"};
    struct vm_state_dir d;
    struct vm_snapshot s;
    struct vm_state_ring ring;
    struct vm_err err = {""};
    const char *why;
    size_t i;

    open_state(&d);
    memset(&s, 0, sizeof(s));
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_int_eq(vm_state_lock(&d, bad[i], 0, &err), -1);
        ck_assert_int_eq(vm_state_load(&d, bad[i], &test_meta, &ring, &why, &err), -1);
        ck_assert_int_eq(vm_state_save(&d, bad[i], &test_meta, ONE(&s), 1, &err), -1);
        ck_assert_str_eq(err.msg, "invalid state key");
    }
    vm_state_dir_clear(&d);
    /* a closed folder */
    ck_assert_int_eq(vm_state_load(&d, TEST_KEY, &test_meta, &ring, &why, &err), -1);
    ck_assert_int_eq(vm_state_save(&d, TEST_KEY, &test_meta, ONE(&s), 1, &err), -1);
    ck_assert_int_eq(vm_state_lock(&d, TEST_KEY, 0, &err), -1);
}
END_TEST

START_TEST(test_planted_symlink)
{
    struct vm_state_dir d;
    const char *why = NULL;
    char *target = tpath("precious"), *f = tpath("s/" TEST_KEY ".state"), *back;
    struct stat st;
    size_t len;

    open_state(&d);
    vm_fs_spit(target, "precious\n", 9);
    ck_assert_int_eq(symlink(target, f), 0);
    assert_not_loaded(&d, "state file is a symlink (ignored)");
    save_test_snapshot(&d, 7);
    /* the link itself was replaced by a real file; the target is intact */
    ck_assert_int_eq(lstat(f, &st), 0);
    ck_assert(S_ISREG(st.st_mode));
    back = read_file(target, &len);
    ck_assert_str_eq(back, "precious\n");
    ck_assert_int_eq(load_test(&d, &why, NULL), 1);
    vm_state_dir_clear(&d);
}
END_TEST

START_TEST(test_planted_fifo)
{
    struct vm_state_dir d;
    char *f = tpath("s/" TEST_KEY ".state");
    struct stat st;

    open_state(&d);
    ck_assert_int_eq(mkfifo(f, 0600), 0);
    alarm(5); /* a hang fails the test instead of blocking it */
    assert_not_loaded(&d, "state file is not a regular file");
    save_test_snapshot(&d, 7);
    alarm(0);
    ck_assert_int_eq(lstat(f, &st), 0);
    ck_assert(S_ISREG(st.st_mode));
    vm_state_dir_clear(&d);
}
END_TEST

START_TEST(test_planted_dir)
{
    struct vm_state_dir d;
    struct vm_snapshot s;
    struct vm_err err = {""};
    char *f = tpath("s/" TEST_KEY ".state");
    struct stat st;

    open_state(&d);
    ck_assert_int_eq(mkdir(f, 0700), 0);
    assert_not_loaded(&d, "state file is not a regular file");
    make_snapshot(&s, 1);
    ck_assert_int_eq(vm_state_save(&d, TEST_KEY, &test_meta, ONE(&s), 1, &err), -1);
    ck_assert_msg(strstr(err.msg, "cannot rename"), "%s", err.msg);
    vm_snapshot_clear(&s);
    ck_assert_int_eq(lstat(f, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    ck_assert_int_eq(vm_fs_count_entries(tpath("s"), ".tmp-"), 0);
    vm_state_dir_clear(&d);
}
END_TEST

START_TEST(test_bad_files)
{
    struct vm_state_dir d;
    const char *why = NULL;
    char *f = tpath("s/" TEST_KEY ".state");
    char *text;
    size_t len;
    int fd;

    open_state(&d);
    /* truncated */
    save_test_snapshot(&d, 3);
    text = read_file(f, &len);
    ck_assert_int_eq(truncate(f, (off_t)(len / 2)), 0);
    assert_not_loaded(&d, "state file is corrupt");
    /* binary */
    vm_fs_spit(f, "\x00\x01\x02\xff\xfe garbage", 14);
    assert_not_loaded(&d, "state file is not a state file of this plugin suite");
    /* empty */
    vm_fs_spit(f, "", 0);
    ck_assert_int_eq(load_test(&d, &why, NULL), 0);
    /* too large (sparse) */
    fd = open(f, O_WRONLY | O_TRUNC);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, (off_t)VM_STATE_MAX_BYTES + 1), 0);
    close(fd);
    assert_not_loaded(&d, "state file is too large");
    /* owned by someone else */
    vm_fs_spit(f, text, len);
    ck_assert_int_eq(load_test(&d, &why, NULL), 1);
    if (geteuid() == 0) {
        ck_assert_int_eq(chown(f, NOBODY, NOBODY), 0);
        assert_not_loaded(&d, "state file is owned by another user");
    }
    vm_state_dir_clear(&d);
}
END_TEST

START_TEST(test_lock)
{
    struct vm_state_dir d;
    struct vm_err err = {""};
    struct timespec t0, t1;
    int a, b, e;
    double ms;
    char *lf = tpath("s/" TEST_KEY ".lock"), *target = tpath("victim");

    open_state(&d);
    a = vm_state_lock(&d, TEST_KEY, 0, &err);
    ck_assert_msg(a >= 0, "%s", err.msg);
    /* flock is per open file: a second open conflicts even in-process */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    b = vm_state_lock(&d, TEST_KEY, 150, &err);
    e = errno;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ck_assert_int_eq(b, -1);
    ck_assert_int_eq(e, EWOULDBLOCK);
    ck_assert_msg(strstr(err.msg, "another run holds the state lock"), "%s", err.msg);
    ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    ck_assert_msg(ms >= 140 && ms < 2000, "waited %.0f ms", ms);
    vm_state_unlock(a);
    b = vm_state_lock(&d, TEST_KEY, 0, &err);
    ck_assert_int_ge(b, 0);
    vm_state_unlock(b);
    vm_state_unlock(-1);
    /* a symlink planted as the lock file is not followed */
    ck_assert_int_eq(unlink(lf), 0);
    ck_assert_int_eq(symlink(target, lf), 0);
    ck_assert_int_eq(vm_state_lock(&d, TEST_KEY, 0, &err), -1);
    ck_assert_int_eq(access(target, F_OK), -1);
    /* a FIFO as lock file: refused, no hang */
    ck_assert_int_eq(unlink(lf), 0);
    ck_assert_int_eq(mkfifo(lf, 0600), 0);
    alarm(5);
    ck_assert_int_eq(vm_state_lock(&d, TEST_KEY, 0, &err), -1);
    alarm(0);
    vm_state_dir_clear(&d);
}
END_TEST

/* Temp files of killed runs are swept; a fresh one (a live writer) stays. */
START_TEST(test_sweep_stale_temps)
{
    struct vm_state_dir d;
    char *old = tpath("s/" TEST_KEY ".state.tmp-00000000deadbeef");
    char *young = tpath("s/" TEST_KEY ".state.tmp-00000000cafecafe");
    char *other = tpath("s/otherkey.state.tmp-00000000deadbeef");
    struct timespec times[2] = {{1000000000, 0}, {1000000000, 0}};

    open_state(&d);
    vm_fs_spit(old, "x", 1);
    vm_fs_spit(young, "x", 1);
    vm_fs_spit(other, "x", 1);
    ck_assert_int_eq(utimensat(AT_FDCWD, old, times, 0), 0);
    ck_assert_int_eq(utimensat(AT_FDCWD, other, times, 0), 0);
    save_test_snapshot(&d, 1);
    ck_assert_int_eq(access(old, F_OK), -1);
    ck_assert_int_eq(access(young, F_OK), 0);
    ck_assert_int_eq(access(other, F_OK), 0);
    vm_state_dir_clear(&d);
}
END_TEST

/* ---- failures while saving ---------------------------------------------- */

/* A write that fails half-way (file size limit → EFBIG, as ENOSPC would):
 * -1, the temp file is gone and the old file is untouched. */
START_TEST(test_save_write_fails)
{
    /* global: the child uses it, and valgrind in the child must see
     * d.path as reachable */
    static struct vm_state_dir d;
    char *f = tpath("s/" TEST_KEY ".state");
    char *before, *after;
    size_t l1, l2;
    pid_t pid;
    int st;

    open_state(&d);
    save_test_snapshot(&d, 11);
    before = read_file(f, &l1);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct rlimit rl = {100, 100};
        struct vm_snapshot s;
        struct vm_err err = {""};

        signal(SIGXFSZ, SIG_IGN);
        if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
            _exit(8);
        make_snapshot(&s, 12);
        if (vm_state_save(&d, TEST_KEY, &test_meta, ONE(&s), 1, &err) != -1)
            _exit(1);
        if (!strstr(err.msg, "cannot write state file") || !strstr(err.msg, "too large"))
            _exit(2);
        vm_snapshot_clear(&s);
        _exit(0);
    }
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
    after = read_file(f, &l2);
    ck_assert_uint_eq(l1, l2);
    ck_assert_mem_eq(before, after, l1);
    ck_assert_int_eq(vm_fs_count_entries(tpath("s"), ".tmp-"), 0);
    vm_state_dir_clear(&d);
}
END_TEST

/* A folder the (non-root) user cannot write: -1, old file untouched. */
static void child_readonly_save(void)
{
    struct vm_state_dir d;
    struct vm_snapshot s;
    struct vm_err err = {""};
    char *p = tpath("ro");

    if (vm_state_dir_open(&d, p, &err) != 0)
        _exit(1);
    make_snapshot(&s, 99);
    if (vm_state_save(&d, TEST_KEY, &test_meta, ONE(&s), 1, &err) != -1)
        _exit(2);
    if (!strstr(err.msg, "cannot create a temporary file"))
        _exit(3);
    vm_snapshot_clear(&s);
    vm_state_dir_clear(&d);
}

START_TEST(test_save_readonly_dir)
{
    struct vm_state_dir d;
    struct vm_err err = {""};
    char *p = tpath("ro"), *f = tpath("ro/" TEST_KEY ".state");
    char *before, *after;
    size_t l1, l2;

    ck_assert_msg(geteuid() == 0,
                  "SKIP-LIKE: needs root to make a non-root child; not run as root");
    ck_assert_int_eq(chmod(tmpdir, 0755), 0);
    ck_assert_int_eq(vm_state_dir_open(&d, p, &err), 0);
    save_test_snapshot(&d, 5);
    vm_state_dir_clear(&d);
    ck_assert_int_eq(chown(p, NOBODY, NOBODY), 0);
    ck_assert_int_eq(chown(f, NOBODY, NOBODY), 0);
    ck_assert_int_eq(chmod(p, 0500), 0);
    before = read_file(f, &l1);
    run_as_nobody(child_readonly_save);
    after = read_file(f, &l2);
    ck_assert_uint_eq(l1, l2);
    ck_assert_mem_eq(before, after, l1);
}
END_TEST

/* ---- concurrency -------------------------------------------------------- */

#define NPROC 50
#define NITER 20

/* Each child: 20 times lock, load, check the file is whole, save the
 * counter + 1, unlock. With a working lock no increment is lost. */
static int child_hammer(int who)
{
    struct vm_state_dir d;
    struct vm_err err = {""};
    char *path = tpath("s");
    int i;

    if (vm_state_dir_open(&d, path, &err) != 0)
        return 1;
    for (i = 0; i < NITER; i++) {
        struct vm_snapshot s;
        struct vm_state_ring ring;
        const char *why = NULL;
        uint64_t count = 0;
        int lock = vm_state_lock(&d, TEST_KEY, 60000, &err);
        int r;

        if (lock < 0)
            return 2;
        r = vm_state_load(&d, TEST_KEY, &test_meta, &ring, &why, &err);
        if (r < 0 || (r == 0 && strcmp(why, "no previous sample") != 0))
            return 3;
        if (r == 1) {
            const struct vm_dom_stats *d0 = &ring.snap[0].dom[0];

            /* make_snapshot(v) puts v in every counter: all must agree */
            count = d0->balloon.v[0];
            if (ring.n != 1 || d0->cpu.v[0] != count + 1000 || d0->net[0].v[7] != count + 7 ||
                d0->block[2].v[11] != count + 211)
                return 4;
        }
        vm_state_ring_clear(&ring);
        make_snapshot(&s, count + 1);
        s.dom[1].id = who; /* every writer leaves its mark */
        if (vm_state_save(&d, TEST_KEY, &test_meta, ONE(&s), 1, &err) != 0)
            return 5;
        vm_snapshot_clear(&s);
        vm_state_unlock(lock);
    }
    vm_state_dir_clear(&d);
    return 0;
}

START_TEST(test_concurrency)
{
    struct vm_state_dir d;
    const char *why = NULL;
    pid_t pids[NPROC];
    uint64_t v = 0;
    int i, st, failed = 0;

    for (i = 0; i < NPROC; i++) {
        pids[i] = fork();
        ck_assert_int_ge(pids[i], 0);
        if (pids[i] == 0)
            _exit(child_hammer(i));
    }
    for (i = 0; i < NPROC; i++) {
        ck_assert_int_eq(waitpid(pids[i], &st, 0), pids[i]);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            failed++;
    }
    ck_assert_msg(failed == 0, "%d of %d writers failed", failed, NPROC);
    open_state(&d);
    ck_assert_int_eq(load_test(&d, &why, &v), 1);
    ck_assert_uint_eq(v, NPROC * NITER);
    ck_assert_int_eq(vm_fs_count_entries(tpath("s"), ".tmp-"), 0);
    vm_state_dir_clear(&d);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("state");

    VM_CK_TCASE(s, "key", VM_CK_TIMEOUT_S, NULL, NULL,
                VM_CK_LOOP(test_key_separation, VM_CK_N(keys)), VM_CK_TEST(test_key_shape),
                VM_CK_TEST(test_meta_boot_id));

    VM_CK_TCASE(s, "folder", VM_CK_TIMEOUT_S, tmp_setup, tmp_teardown, VM_CK_TEST(test_dir_create),
                VM_CK_TEST(test_dir_symlink), VM_CK_TEST(test_dir_mode),
                VM_CK_TEST(test_dir_not_folder), VM_CK_TEST(test_dir_foreign_owner),
                VM_CK_TEST(test_dir_other_euid), VM_CK_TEST(test_dir_xdg_and_home),
                VM_CK_TEST(test_dir_env_ignored));

    VM_CK_TCASE(s, "files", 120, tmp_setup, tmp_teardown, VM_CK_TEST(test_save_load),
                VM_CK_TEST(test_ring_kept_verbatim), VM_CK_TEST(test_bad_keys),
                VM_CK_TEST(test_planted_symlink), VM_CK_TEST(test_planted_fifo),
                VM_CK_TEST(test_planted_dir), VM_CK_TEST(test_bad_files), VM_CK_TEST(test_lock),
                VM_CK_TEST(test_sweep_stale_temps), VM_CK_TEST(test_save_write_fails),
                VM_CK_TEST(test_save_readonly_dir), VM_CK_TEST(test_concurrency));
    return s;
}

VM_CK_MAIN(make_suite)
