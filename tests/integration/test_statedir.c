/* SPDX-License-Identifier: GPL-3.0-or-later */
/* State-folder attacks, at the plugin level (tests/unit/test_state.c does
 * the library): each is refused with one UNKNOWN line, or survived with a
 * correct answer, nothing followed, nothing lost and nothing on stderr. */
#include <config.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ck_run.h"
#include "fsutil.h"
#include "plugin_run.h"
#include "state.h"

#define URI "test:///default"
#define PLUGIN "check_vcpu"
#define NOBODY_UID 65534

static char base[] = "/tmp/vm-statedir-XXXXXX"; /* 0700, holds everything below */
static char sdir[64];                           /* the state folder */
static char sdir_arg[96];                       /* --state-dir=... */

static void setup(void)
{
    strcpy(base, "/tmp/vm-statedir-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(base));
    snprintf(sdir, sizeof(sdir), "%s/state", base);
    snprintf(sdir_arg, sizeof(sdir_arg), "--state-dir=%s", sdir);
}

static void teardown(void)
{
    char cmd[128];

    /* a tmpfs mounted below sdir goes first */
    snprintf(cmd, sizeof(cmd), "umount '%s' 2>/dev/null", sdir);
    if (system(cmd) < 0)
        fprintf(stderr, "# umount failed\n");
    if (vm_fs_rm_rf(base) != 0)
        fprintf(stderr, "# could not remove %s\n", base);
}

/* --min-window=0.001: the runs follow each other within milliseconds, and
 * these cases are about the folder, not the window (test_sample_run.c). */
static void run(struct vm_run *r, const char *dirarg)
{
    vm_run_plugin(r, PLUGIN,
                  ARGV("-U", URI, "-d", "test", "--interval=0.05", "--min-window=0.001",
                       vm_run_timeout_arg(10), dirarg),
                  NULL);
}

/* One line (UNKNOWN) or the normal two; nothing on stderr. */
static void check_clean(const struct vm_run *r, int status)
{
    ck_assert_msg(r->err[0] == '\0', "stderr: %s", r->err);
    ck_assert_msg(r->status == status, "exit %d, not %d:\n%s", r->status, status, r->out);
    /* A last "note:" line says when this run's sample could not be saved. */
    ck_assert_msg(vm_count_lines(r->out) == (status == 3                  ? 1u
                                             : strstr(r->out, "\nnote: ") ? 3u
                                                                          : 2u),
                  "output:\n%s", r->out);
    if (status == 3)
        ck_assert_msg(strncmp(r->out, "VCPU UNKNOWN - ", 15) == 0, "output: %s", r->out);
}

/* A folder the state cannot use: the check still answers, measured in
 * this run, with one "note:" line that names the folder's problem. */
static void check_refused(const struct vm_run *r)
{
    check_clean(r, 0);
    vm_assert_has(r->out, "in this run (the state folder cannot be used)");
    vm_assert_has(r->out, "\nnote: ");
}

/* A normal first run: creates sdir and the state file. */
static void first_run(void)
{
    struct vm_run r;

    run(&r, sdir_arg);
    check_clean(&r, 0);
    vm_run_free(&r);
}

/* Path of the file with this suffix in sdir (owned), or NULL. */
static char *find_file(const char *suffix)
{
    DIR *d = opendir(sdir);
    struct dirent *e;
    char *path = NULL;

    if (!d)
        return NULL;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name), k = strlen(suffix);

        if (n > k && strcmp(e->d_name + n - k, suffix) == 0 && !path)
            ck_assert_int_ge(asprintf(&path, "%s/%s", sdir, e->d_name), 0);
    }
    closedir(d);
    return path;
}

/* A normal first run, then the path of its file with this suffix (owned). */
static char *first_run_file(const char *suffix)
{
    char *path;

    first_run();
    path = find_file(suffix);
    ck_assert_ptr_nonnull(path);
    return path;
}

/* sdir on a small tmpfs (root), after a first run: the state file's path
 * (owned) and its text (*before[*blen], owned). */
static char *first_run_on_tmpfs(char **before, size_t *blen)
{
    char *state;

    ck_assert_int_eq(mkdir(sdir, 0700), 0);
    if (mount("tmpfs", sdir, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0700") != 0)
        ck_abort_msg("mount tmpfs: %s", strerror(errno));
    state = first_run_file(".state");
    *before = vm_fs_slurp(state, blen);
    return state;
}

/* A run on a folder the state cannot use: refused with `why` in the
 * output and, with `empty`, nothing written into the folder. */
static void check_refused_run(const char *why, bool empty)
{
    struct vm_run r;

    run(&r, sdir_arg);
    check_refused(&r);
    vm_assert_has(r.out, why);
    if (empty)
        ck_assert_int_eq(vm_fs_count_entries(sdir, NULL), 0);
    vm_run_free(&r);
}

/* A run on a folder that takes no new sample: it keeps the old one
 * (before[blen], the text of `state`) untouched, which is not the base:
 * measured in this run, and the note (opening `note`) says why (`cause`). */
static void check_unwritable(const char *state, const char *before, size_t blen, const char *note,
                             const char *cause)
{
    struct vm_run r;
    char *after;
    size_t alen;

    run(&r, sdir_arg);
    check_clean(&r, 0);
    vm_assert_has(r.out, "in this run (the state folder cannot be written)");
    vm_assert_lacks(r.out, "since the previous check");
    vm_assert_has(r.out, note);
    vm_assert_has(r.out, cause);
    vm_run_free(&r);
    after = vm_fs_slurp(state, &alen);
    ck_assert_msg(alen == blen && memcmp(before, after, blen) == 0,
                  "the previous state file changed: %s", cause);
    free(after);
}

/* The state file parses as valid samples of this plugin and URI, each of
 * the one domain. Returns how many samples. */
static size_t assert_state_valid(const char *path)
{
    struct vm_state_meta m;
    struct vm_state_ring s;
    const char *why = NULL;
    size_t len, n;
    char *text = vm_fs_slurp(path, &len);

    vm_state_meta_init(&m, PLUGIN, URI);
    ck_assert_msg(vm_statefile_parse(text, len, &m, &s, &why, NULL) == 1, "%s: %s", path,
                  why ? why : "?");
    ck_assert_uint_ge(s.n, 1);
    for (size_t k = 0; k < s.n; k++)
        ck_assert_uint_eq(s.snap[k].n, 1);
    n = s.n;
    vm_state_ring_clear(&s);
    free(text);
    return n;
}

/* ---- the folder ------------------------------------------------------ */

/* A symlink planted at the folder: not used, the target untouched. */
START_TEST(dir_symlink)
{
    char target[96];
    struct vm_run r;

    snprintf(target, sizeof(target), "%s/elsewhere", base);
    ck_assert_int_eq(mkdir(target, 0700), 0);
    ck_assert_int_eq(symlink(target, sdir), 0);
    run(&r, sdir_arg);
    check_refused(&r);
    vm_assert_has(r.out, "symlink");
    ck_assert_int_eq(vm_fs_count_entries(target, NULL), 0);
    vm_run_free(&r);
    /* with a trailing slash too */
    {
        char arg[128];

        snprintf(arg, sizeof(arg), "--state-dir=%s/", sdir);
        run(&r, arg);
        check_refused(&r);
        ck_assert_int_eq(vm_fs_count_entries(target, NULL), 0);
        vm_run_free(&r);
    }
}
END_TEST

/* Group or world access, sticky or not: not used, nothing written. */
static const mode_t loose_modes[] = {0777, 01777, 0770, 0750, 0701, 0702, 0707};

START_TEST(dir_loose_mode)
{
    ck_assert_int_eq(mkdir(sdir, 0700), 0);
    ck_assert_int_eq(chmod(sdir, loose_modes[_i]), 0);
    check_refused_run("chmod 700", true);
}
END_TEST

/* A folder of another user (needs root to make one): not used. */
START_TEST(dir_foreign_owner)
{
    ck_assert_int_eq(mkdir(sdir, 0700), 0);
    ck_assert_int_eq(chown(sdir, NOBODY_UID, NOBODY_UID), 0);
    check_refused_run("owned by uid 65534", true);
}
END_TEST

/* A file, a FIFO where the folder should be: not used, not waited on. */
START_TEST(dir_not_folder)
{
    if (_i == 0)
        vm_fs_spit(sdir, "x", 1);
    else
        ck_assert_int_eq(mkfifo(sdir, 0600), 0);
    check_refused_run("not a folder", false); /* answered, not ended by the alarm */
}
END_TEST

/* ---- the file -------------------------------------------------------- */

/* A symlink planted at the state file (to a file of the same user): not
 * read, not written through; the run measures in-run and puts a real file
 * in its place. */
START_TEST(file_symlink)
{
    char victim[96], *state;
    static const char secret[] = "precious data\n";
    size_t len;
    struct vm_run r;
    struct stat st;

    state = first_run_file(".state");
    snprintf(victim, sizeof(victim), "%s/victim", base);
    vm_fs_spit(victim, secret, sizeof(secret) - 1);
    ck_assert_int_eq(unlink(state), 0);
    ck_assert_int_eq(symlink(victim, state), 0);
    run(&r, sdir_arg);
    check_clean(&r, 0);
    vm_assert_has(r.out, "symlink");
    vm_assert_has(r.out, "measured over");
    vm_run_free(&r);
    {
        char *v = vm_fs_slurp(victim, &len);

        ck_assert_uint_eq(len, sizeof(secret) - 1);
        ck_assert_mem_eq(v, secret, len);
        free(v);
    }
    ck_assert_int_eq(lstat(state, &st), 0);
    ck_assert_msg(S_ISREG(st.st_mode), "the symlink is still there");
    assert_state_valid(state);
    free(state);
}
END_TEST

/* A symlink at the lock file: never opened through; the run still answers. */
START_TEST(lock_symlink)
{
    char victim[96], *lock;
    size_t len;
    struct vm_run r;

    lock = first_run_file(".lock");
    snprintf(victim, sizeof(victim), "%s/victim", base);
    vm_fs_spit(victim, "keep", 4);
    ck_assert_int_eq(chmod(victim, 0600), 0);
    ck_assert_int_eq(unlink(lock), 0);
    ck_assert_int_eq(symlink(victim, lock), 0);
    run(&r, sdir_arg);
    check_clean(&r, 0);
    vm_assert_has(r.out, "\nnote: cannot open lock file ");
    vm_run_free(&r);
    {
        char *v = vm_fs_slurp(victim, &len);
        struct stat st;

        ck_assert_uint_eq(len, 4);
        ck_assert_mem_eq(v, "keep", 4);
        ck_assert_int_eq(stat(victim, &st), 0);
        ck_assert_uint_eq(st.st_mode & 07777, 0600);
        free(v);
    }
    free(lock);
}
END_TEST

/* A FIFO or a folder where the state file should be: not waited on, the
 * run measures in-run. */
START_TEST(file_not_regular)
{
    char *state;
    struct vm_run r;

    state = first_run_file(".state");
    ck_assert_int_eq(unlink(state), 0);
    if (_i == 0)
        ck_assert_int_eq(mkfifo(state, 0600), 0);
    else
        ck_assert_int_eq(mkdir(state, 0700), 0);
    run(&r, sdir_arg);
    check_clean(&r, 0);
    vm_assert_has(r.out, "measured over"); /* answered, not ended by the alarm */
    if (_i == 1)                           /* a FIFO is replaced by the rename; a folder is not */
        vm_assert_has(r.out, ": Is a directory; this run's sample was not saved\n");
    vm_run_free(&r);
    free(state);
}
END_TEST

/* A state file of another user (root only): not trusted. */
START_TEST(file_foreign_owner)
{
    char *state;
    struct vm_run r;

    state = first_run_file(".state");
    ck_assert_int_eq(chown(state, NOBODY_UID, NOBODY_UID), 0);
    run(&r, sdir_arg);
    check_clean(&r, 0);
    vm_assert_has(r.out, "measured over");
    vm_run_free(&r);
    free(state);
}
END_TEST

enum damage { TRUNCATE_HALF, TRUNCATE_EMPTY, BINARY, FUTURE, OLDER_VERSION, HUGE };

/* A damaged file: no previous sample, the run measures in-run and leaves a
 * valid file behind. */
START_TEST(file_damaged)
{
    char *state, *text;
    size_t len;
    struct vm_run r;

    state = first_run_file(".state");
    text = vm_fs_slurp(state, &len);
    switch ((enum damage)_i) {
    case TRUNCATE_HALF:
        vm_fs_spit(state, text, len / 2);
        break;
    case TRUNCATE_EMPTY:
        vm_fs_spit(state, "", 0);
        break;
    case BINARY: {
        char junk[4096];

        for (size_t i = 0; i < sizeof(junk); i++)
            junk[i] = (char)(i * 7919 % 251);
        memcpy(junk, text, 40); /* even with the right first line */
        vm_fs_spit(state, junk, sizeof(junk));
        break;
    }
    case FUTURE: {
        /* A correct file whose sample is from tomorrow. */
        struct vm_state_meta m;
        struct vm_state_ring s;
        struct vm_buf out = VM_BUF_INIT;
        const struct vm_snapshot *p[VM_STATE_RING_MAX];
        const char *why;

        vm_state_meta_init(&m, PLUGIN, URI);
        ck_assert_int_eq(vm_statefile_parse(text, len, &m, &s, &why, NULL), 1);
        for (size_t k = 0; k < s.n; k++) {
            s.snap[k].boot.tv_sec += 86400;
            s.snap[k].wall.tv_sec += 86400;
            p[k] = &s.snap[k];
        }
        vm_statefile_format(p, s.n, &m, &out);
        vm_fs_spit(state, out.s, out.len);
        vm_buf_clear(&out);
        vm_state_ring_clear(&s);
        break;
    }
    case OLDER_VERSION: {
        /* What version 1 wrote (a second "groups" field), correctly sealed:
         * after an upgrade it is no previous sample, not a corrupt file. */
        struct vm_buf out = VM_BUF_INIT;
        const char *p = text, *end = text + len - 21; /* the "end <hash>" line */

        ck_assert(strncmp(end, "end ", 4) == 0);
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));

            ck_assert_ptr_nonnull(nl);
            if (strncmp(p, "version ", 8) == 0)
                vm_buf_append(&out, "version 1");
            else
                vm_buf_append_len(&out, p, (size_t)(nl - p));
            if (strncmp(p, "groups ", 7) == 0)
                vm_buf_append(&out, " 1");
            vm_buf_append(&out, "\n");
            p = nl + 1;
        }
        vm_buf_printf(&out, "end %016" PRIx64 "\n",
                      vm_statefile_fnv1a(VM_FNV1A_INIT, out.s, out.len));
        ck_assert(!out.oom);
        vm_fs_spit(state, out.s, out.len);
        vm_buf_clear(&out);
        break;
    }
    case HUGE: {
        /* Over VM_STATE_MAX_BYTES: refused without reading it all. */
        int fd = open(state, O_WRONLY | O_TRUNC);

        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(ftruncate(fd, (off_t)VM_STATE_MAX_BYTES + 1), 0);
        close(fd);
        break;
    }
    }
    run(&r, sdir_arg);
    check_clean(&r, 0);
    vm_assert_has(r.out, "measured over");
    if (_i == FUTURE)
        vm_assert_has(r.out, "future");
    if (_i == OLDER_VERSION)
        vm_assert_has(r.out, "no previous sample");
    vm_run_free(&r);
    assert_state_valid(state);
    free(text);
    free(state);
}
END_TEST

/* ---- a full disk (root: a tiny tmpfs) -------------------------------- */

START_TEST(disk_full)
{
    char *state, *before, *after, fill[96];
    size_t blen, alen;
    struct vm_run r;
    int fd;

    state = first_run_on_tmpfs(&before, &blen);
    /* Fill every block that is left. */
    snprintf(fill, sizeof(fill), "%s/fill", sdir);
    fd = open(fill, O_WRONLY | O_CREAT, 0600);
    ck_assert_int_ge(fd, 0);
    {
        char block[4096];

        memset(block, 'f', sizeof(block));
        while (write(fd, block, sizeof(block)) > 0)
            ;
        while (write(fd, block, 1) > 0)
            ;
    }
    close(fd);
    check_unwritable(state, before, blen, "\nnote: cannot ",
                     ": No space left on device; this run's sample was not saved\n");
    ck_assert_int_eq(vm_fs_count_entries(sdir, NULL),
                     3); /* .state, .lock, fill: no temp file left */
    /* Room again: the next run saves. */
    ck_assert_int_eq(unlink(fill), 0);
    run(&r, sdir_arg);
    check_clean(&r, 0);
    vm_run_free(&r);
    after = vm_fs_slurp(state, &alen);
    ck_assert_msg(alen != blen || memcmp(before, after, blen) != 0, "not saved with room again");
    assert_state_valid(state);
    free(before);
    free(after);
    free(state);
}
END_TEST

/* A read-only file system under the folder: the saved sample stays as it
 * is, frozen, so it is not the base; measured in this run, the note says
 * why (root: a tmpfs remounted read-only). */
START_TEST(read_only)
{
    char *state, *before;
    size_t blen;

    state = first_run_on_tmpfs(&before, &blen);
    if (mount("tmpfs", sdir, "tmpfs", MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) != 0)
        ck_abort_msg("remount read-only: %s", strerror(errno));
    check_unwritable(state, before, blen, "\nnote: ", "Read-only file system");
    free(before);
    free(state);
}
END_TEST

/* ---- 50 runs at once on one key -------------------------------------- */

#define NCONC 50

START_TEST(concurrent_runs)
{
    pid_t pids[NCONC];
    char *state;
    char timeout[32];
    int fails = 0;

    first_run();
    /* Under a slow wrapper 50 runs on 2 CPUs take long: the plugin's own
     * deadline grows with the slack, the test's checks do not change. */
    snprintf(timeout, sizeof(timeout), "%s", vm_run_timeout_arg(30));
    for (int i = 0; i < NCONC; i++) {
        pids[i] = fork();
        ck_assert_int_ge(pids[i], 0);
        if (pids[i] == 0) {
            struct vm_run r;
            int bad;

            vm_run_plugin(&r, PLUGIN,
                          ARGV("-U", URI, "-d", "test", "--interval=0.05", sdir_arg, timeout),
                          NULL);
            bad = r.status != 0 || r.err[0] || vm_count_lines(r.out) != 2 ||
                  strncmp(r.out, "VCPU OK - test: ", 16) != 0;
            if (bad)
                fprintf(stderr, "# run %d: exit %d, stderr '%s', output:\n%s", i, r.status, r.err,
                        r.out);
            vm_run_free(&r);
            _exit(bad ? 1 : 0);
        }
    }
    for (int i = 0; i < NCONC; i++) {
        int st;

        ck_assert_int_eq(waitpid(pids[i], &st, 0), pids[i]);
        fails += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    ck_assert_msg(fails == 0, "%d of %d concurrent runs went wrong", fails, NCONC);
    state = find_file(".state");
    ck_assert_ptr_nonnull(state);
    assert_state_valid(state);
    ck_assert_int_eq(vm_fs_count_entries(sdir, NULL), 2); /* .state and .lock: no temp files */
    free(state);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("statedir");
    bool root = geteuid() == 0;

    VM_CK_TCASE(s, "folder", 60, setup, teardown, VM_CK_TEST(dir_symlink),
                VM_CK_LOOP(dir_loose_mode, VM_CK_N(loose_modes)), VM_CK_LOOP(dir_not_folder, 2),
                VM_CK_TEST(root ? dir_foreign_owner : NULL));
    VM_CK_TCASE(s, "file", 60, setup, teardown, VM_CK_TEST(file_symlink), VM_CK_TEST(lock_symlink),
                VM_CK_LOOP(file_not_regular, 2), VM_CK_LOOP(file_damaged, HUGE + 1),
                VM_CK_TEST(root ? file_foreign_owner : NULL));
    VM_CK_TCASE(s, "pressure", 1200, setup, teardown, VM_CK_TEST(root ? disk_full : NULL),
                VM_CK_TEST(root ? read_only : NULL), VM_CK_TEST(concurrent_runs));
    if (!root)
        printf("# not root: the foreign-owner and full-disk cases are left out\n");
    return s;
}

VM_CK_MAIN(make_suite)
