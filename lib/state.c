/* SPDX-License-Identifier: GPL-3.0-or-later */
/* state: the private state folder, its key, lock and files. The text
 * inside a file is statefile.c's. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "state.h"

#define STATE_APP "monitoring-plugins-libvirt"
#define STATE_TMP_INFIX ".state.tmp-"
#define STATE_KEY_MAX 128     /* longest key accepted as a file name stem */
#define STATE_TMP_STALE_S 300 /* a temp file this old is from a killed run */

/* The letters of a key vm_state_key makes; a key given may have dots. */
#define STATE_KEY_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

/* The name of key's file: key and suffix into name[size]. A key becomes a
 * file name: only a safe alphabet, no leading dot. */
static int state_name(const struct vm_state_dir *d, const char *key, const char *suffix, char *name,
                      size_t size, struct vm_err *err)
{
    size_t n = key ? strlen(key) : 0;

    if (!d || d->fd < 0)
        return vm_err_set(err, "state folder is not open");
    if (n == 0 || n > STATE_KEY_MAX || key[0] == '.' || strspn(key, STATE_KEY_CHARS ".") != n)
        return vm_err_set(err, "invalid state key");
    snprintf(name, size, "%s%s", key, suffix);
    return 0;
}

/* ---- the folder ------------------------------------------------------- */

/* Environment overrides are only trusted when the process is not running
 * with another user's or group's rights. */
static bool state_env_trusted(void)
{
    return getuid() == geteuid() && getgid() == getegid();
}

/* The default folder (owned string) and whether its missing parents may be
 * created; NULL with *bad_home set when HOME is set but is not this user's
 * folder (NULL alone: out of memory). */
static char *state_default_path(bool *chain, const char **bad_home)
{
    struct vm_buf b = VM_BUF_INIT;
    const char *xdg, *home;
    struct stat st;

    *chain = true;
    if (state_env_trusted()) {
        /* XDG: a relative $XDG_STATE_HOME is invalid and ignored. */
        xdg = getenv("XDG_STATE_HOME");
        if (xdg && xdg[0] == '/') {
            vm_buf_printf(&b, "%s/%s", xdg, STATE_APP);
            goto done;
        }
        home = getenv("HOME");
        if (home && home[0] == '/' && stat(home, &st) == 0 && S_ISDIR(st.st_mode) &&
            st.st_uid == geteuid()) {
            vm_buf_printf(&b, "%s/.local/state/%s", home, STATE_APP);
            goto done;
        }
        /* A HOME that is set but not this user's folder is a mistake to
         * name, not a reason to move the state elsewhere without a word. */
        if (home && *home) {
            *bad_home = home;
            return NULL;
        }
    }
    /* Sticky /var/tmp: another user can squat the name, which the checks
     * below then refuse; they cannot replace our folder. */
    *chain = false;
    vm_buf_printf(&b, "/var/tmp/%s-%lu", STATE_APP, (unsigned long)geteuid());
done:
    if (b.oom) {
        vm_buf_clear(&b);
        return NULL;
    }
    return vm_buf_steal(&b);
}

/* mkdir every missing parent of `path` (not `path` itself) with 0700.
 * Errors are left to the final open to report. */
static void state_mkdir_parents(char *path)
{
    char *p;

    for (p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
        if (p[-1] == '/')
            continue;
        *p = '\0';
        (void)mkdir(path, 0700);
        *p = '/';
    }
}

int vm_state_dir_open(struct vm_state_dir *d, const char *explicit_path, struct vm_err *err)
{
    char *path = NULL;
    const char *bad_home = NULL;
    bool chain = false;
    int mkdir_errno = 0;
    int fd = -1;
    size_t len;
    struct stat st;

    d->fd = -1;
    d->path = NULL;
    if (explicit_path && !*explicit_path)
        return vm_err_set(err, "the state folder name is empty");
    path = explicit_path ? vm_strdup(explicit_path) : state_default_path(&chain, &bad_home);
    if (!path && bad_home)
        return vm_err_set(err,
                          "HOME (%s) is not a folder of this user's, so the state folder "
                          "is unknown; set HOME or XDG_STATE_HOME, or give --state-dir",
                          bad_home);
    if (!path)
        return vm_err_set(err, "out of memory");
    /* A trailing slash would make open() follow a symlink despite
     * O_NOFOLLOW: strip it. */
    len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        path[--len] = '\0';

    if (chain)
        state_mkdir_parents(path);
    if (mkdir(path, 0700) < 0 && errno != EEXIST)
        mkdir_errno = errno;

    fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;

        if ((e == ELOOP || e == ENOTDIR) && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
            vm_err_set(err, "state folder %s is a symlink; use a real folder", path);
        else if (e == ENOTDIR)
            vm_err_set(err,
                       "state folder %s is not a folder; remove it or give another --state-dir",
                       path);
        else if (e == ENOENT && mkdir_errno)
            vm_err_set(err,
                       "cannot create state folder %s: %s; create it (mode 0700) or give "
                       "another --state-dir",
                       path, strerror(mkdir_errno));
        else
            vm_err_set(err, "cannot open state folder %s: %s; give another --state-dir", path,
                       strerror(e));
        goto fail;
    }
    if (fstat(fd, &st) < 0) {
        vm_err_set(err, "cannot check state folder %s: %s", path, strerror(errno));
        goto fail;
    }
    if (st.st_uid != geteuid()) {
        vm_err_set(err,
                   "state folder %s is owned by uid %lu, not %lu; chown it or give another "
                   "--state-dir",
                   path, (unsigned long)st.st_uid, (unsigned long)geteuid());
        goto fail;
    }
    if (st.st_mode & 077) {
        vm_err_set(err, "state folder %s is open to group/others (mode %04o); chmod 700 it", path,
                   (unsigned)(st.st_mode & 07777));
        goto fail;
    }
    d->fd = fd;
    d->path = path;
    return 0;

fail:
    if (fd >= 0)
        close(fd);
    free(path);
    return -1;
}

void vm_state_dir_clear(struct vm_state_dir *d)
{
    if (!d)
        return;
    if (d->fd >= 0)
        close(d->fd);
    d->fd = -1;
    free(d->path);
    d->path = NULL;
}

/* ---- meta and key ----------------------------------------------------- */

void vm_state_meta_init(struct vm_state_meta *m, const char *plugin, const char *uri)
{
    ssize_t n;
    int fd;

    m->plugin = plugin ? plugin : "";
    m->uri = uri ? uri : "";
    m->boot_id[0] = '\0';
    fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    do
        n = read(fd, m->boot_id, sizeof(m->boot_id) - 1);
    while (n < 0 && errno == EINTR);
    close(fd);
    if (n <= 0) {
        m->boot_id[0] = '\0';
        return;
    }
    m->boot_id[n] = '\0';
    m->boot_id[strcspn(m->boot_id, "\n")] = '\0';
    /* Only a UUID-like text is worth comparing. */
    if (m->boot_id[strspn(m->boot_id, "0123456789abcdef-")] != '\0')
        m->boot_id[0] = '\0';
}

void vm_state_key(const char *plugin, const char *uri, char *const *args, size_t nargs, char *key,
                  size_t keylen)
{
    /* Every string is hashed with its terminating NUL, which no string
     * contains: ("ab","c") and ("a","bc") differ. A NULL arg is hashed as a
     * single 0xff byte, which no string ends with. */
    static const unsigned char null_mark = 0xff;
    char stem[65];
    uint64_t h = VM_FNV1A_INIT;
    size_t i, j;

    if (!key || keylen == 0)
        return;
    plugin = plugin ? plugin : "";
    uri = uri ? uri : "";
    h = vm_statefile_fnv1a(h, plugin, strlen(plugin) + 1);
    h = vm_statefile_fnv1a(h, uri, strlen(uri) + 1);
    for (i = 0; i < nargs; i++) {
        if (args[i])
            h = vm_statefile_fnv1a(h, args[i], strlen(args[i]) + 1);
        else
            h = vm_statefile_fnv1a(h, &null_mark, 1);
    }
    for (i = j = 0; plugin[i] && j < sizeof(stem) - 1; i++)
        stem[j++] = strchr(STATE_KEY_CHARS, plugin[i]) ? plugin[i] : '_';
    stem[j] = '\0';
    snprintf(key, keylen, "%s-%016" PRIx64, j ? stem : "state", h);
}

/* ---- lock ------------------------------------------------------------- */

int vm_state_lock(struct vm_state_dir *d, const char *key, unsigned wait_ms, struct vm_err *err)
{
    char name[STATE_KEY_MAX + 16];
    struct timespec t0, now, pause;
    struct stat st;
    int fd;

    if (state_name(d, key, ".lock", name, sizeof(name), err) < 0)
        return -1;
    /* O_NONBLOCK: a FIFO planted at the name must not hang the open. */
    fd = openat(d->fd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
                0600);
    if (fd < 0) {
        int e = errno;

        vm_err_set(err, "cannot open lock file %s/%s: %s", d->path, name, strerror(e));
        errno = e == EWOULDBLOCK ? EIO : e;
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
        vm_err_set(err, "lock file %s/%s is not a regular file of uid %lu", d->path, name,
                   (unsigned long)geteuid());
        close(fd);
        errno = EPERM;
        return -1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        double waited;

        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return fd;
        if (errno == EINTR)
            continue;
        if (errno != EWOULDBLOCK) {
            int e = errno;

            vm_err_set(err, "cannot lock %s/%s: %s", d->path, name, strerror(e));
            close(fd);
            errno = e;
            return -1;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        waited = vm_clock_diff(&now, &t0) * 1000.0;
        if (waited >= (double)wait_ms) {
            vm_err_set(err, "another run holds the state lock %s/%s (waited %u ms)", d->path, name,
                       wait_ms);
            close(fd);
            errno = EWOULDBLOCK;
            return -1;
        }
        /* Poll every 10 ms (or what is left of the wait). */
        waited = (double)wait_ms - waited;
        pause.tv_sec = 0;
        pause.tv_nsec = waited < 10.0 ? (long)(waited * 1e6) : 10000000L;
        nanosleep(&pause, NULL);
    }
}

void vm_state_unlock(int lockfd)
{
    if (lockfd < 0)
        return;
    /* The file stays: removing it would race with a waiter that opened it. */
    (void)flock(lockfd, LOCK_UN);
    close(lockfd);
}
/* ---- load / save ------------------------------------------------------ */

int vm_state_load_lazy(struct vm_state_dir *d, const char *key, const struct vm_state_meta *m,
                       struct vm_state_ring *out, const char **why, struct vm_err *err)
{
    char name[STATE_KEY_MAX + 16];
    struct vm_buf b = VM_BUF_INIT;
    struct stat st;
    char *text;
    size_t len;
    int fd, rc = -1;

    memset(out, 0, sizeof(*out));
    *why = NULL;
    if (state_name(d, key, ".state", name, sizeof(name), err) < 0)
        return -1;
    /* O_NONBLOCK: a FIFO at the name must not block the open or a read. */
    fd = openat(d->fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        switch (errno) {
        case ENOENT:
            *why = "no previous sample";
            return 0;
        case ELOOP:
            *why = "state file is a symlink (ignored)";
            return 0;
        case EACCES:
        case EPERM:
        case ENXIO:
        case ENODEV:
        case EISDIR:
        case EWOULDBLOCK:
        case ETXTBSY:
        case EOVERFLOW:
            *why = "state file cannot be opened";
            return 0;
        default:
            return vm_err_set(err, "cannot open state file %s/%s: %s", d->path, name,
                              strerror(errno));
        }
    }
    if (fstat(fd, &st) < 0) {
        vm_err_set(err, "cannot check state file %s/%s: %s", d->path, name, strerror(errno));
        goto cleanup;
    }
    rc = 0;
    if (!S_ISREG(st.st_mode)) {
        *why = "state file is not a regular file";
        goto cleanup;
    }
    if (st.st_uid != geteuid()) {
        *why = "state file is owned by another user";
        goto cleanup;
    }
    if ((uintmax_t)st.st_size > VM_STATE_MAX_BYTES) {
        *why = "state file is too large";
        goto cleanup;
    }
    /* Read to EOF (the size may have changed since fstat), never more than
     * the limit. */
    for (;;) {
        char chunk[65536];
        ssize_t got = read(fd, chunk, sizeof(chunk));

        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = vm_err_set(err, "cannot read state file %s/%s: %s", d->path, name,
                            strerror(errno));
            goto cleanup;
        }
        if (got == 0)
            break;
        if (b.len + (size_t)got > VM_STATE_MAX_BYTES) {
            *why = "state file is too large";
            goto cleanup;
        }
        vm_buf_append_len(&b, chunk, (size_t)got);
        if (b.oom) {
            rc = vm_err_set(err, "out of memory reading the state file");
            goto cleanup;
        }
    }
    len = b.len;
    text = vm_buf_steal(&b);
    rc = text ? vm_statefile_index(text, len, m, out, why, err)
              : vm_err_set(err, "out of memory reading the state file");

cleanup:
    close(fd);
    vm_buf_clear(&b);
    return rc;
}

int vm_state_load(struct vm_state_dir *d, const char *key, const struct vm_state_meta *m,
                  struct vm_state_ring *out, const char **why, struct vm_err *err)
{
    int rc = vm_state_load_lazy(d, key, m, out, why, err);

    /* Every sample read, as vm_statefile_parse reads them. */
    for (size_t i = 0; rc == 1 && i < out->n; i++)
        rc = vm_state_ring_read(out, i, why, err);
    if (rc != 1)
        vm_state_ring_clear(out);
    return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        if (w == 0) {
            errno = EIO;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Remove temp files of `key` left by a run that was killed (e.g. by the
 * plugin timeout) between creating and renaming them. Best effort. */
static void state_sweep_temps(struct vm_state_dir *d, const char *key)
{
    char prefix[STATE_KEY_MAX + 16];
    struct timespec now;
    struct dirent *e;
    struct stat st;
    size_t plen;
    DIR *dir;
    int fd;

    snprintf(prefix, sizeof(prefix), "%s" STATE_TMP_INFIX, key);
    plen = strlen(prefix);
    /* A fresh handle: readdir must not move the offset of d->fd. */
    fd = openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    dir = fdopendir(fd);
    if (!dir) {
        close(fd);
        return;
    }
    clock_gettime(CLOCK_REALTIME, &now);
    while ((e = readdir(dir)) != NULL) {
        if (strncmp(e->d_name, prefix, plen) != 0)
            continue;
        if (fstatat(d->fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (st.st_uid == geteuid() && !S_ISDIR(st.st_mode) &&
            now.tv_sec - st.st_mtime > STATE_TMP_STALE_S)
            (void)unlinkat(d->fd, e->d_name, 0);
    }
    closedir(dir);
}

/* Create a new temp file with a name nobody can predict. */
static int state_open_temp(struct vm_state_dir *d, const char *key, char *tmp, size_t tmplen)
{
    static unsigned counter;
    unsigned tries;

    for (tries = 0; tries < 100; tries++) {
        uint64_t r;
        struct timespec ts;
        int fd;

        if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
            /* No entropy yet: O_EXCL still makes the name safe, only less
             * surprising; mix what differs between runs. */
            clock_gettime(CLOCK_REALTIME, &ts);
            r = vm_statefile_fnv1a(VM_FNV1A_INIT, &ts, sizeof(ts)) ^ ((uint64_t)getpid() << 32) ^
                counter++;
        }
        snprintf(tmp, tmplen, "%s" STATE_TMP_INFIX "%016" PRIx64, key, r);
        fd = openat(d->fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
                    0600);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

int vm_state_save(struct vm_state_dir *d, const char *key, const struct vm_state_meta *m,
                  const struct vm_snapshot *const *snaps, size_t n, struct vm_err *err)
{
    struct vm_state_item items[VM_STATE_RING_MAX];
    size_t i;

    for (i = 0; i < n && i < VM_STATE_RING_MAX; i++)
        items[i] = (struct vm_state_item){snaps[i], NULL, 0};
    return vm_state_save_items(d, key, m, items, n, err);
}

int vm_state_save_items(struct vm_state_dir *d, const char *key, const struct vm_state_meta *m,
                        const struct vm_state_item *items, size_t n, struct vm_err *err)
{
    char tmp[STATE_KEY_MAX + 48], name[STATE_KEY_MAX + 16];
    struct vm_buf b = VM_BUF_INIT;
    bool made = false;
    int fd = -1, rc = -1, e;

    if (state_name(d, key, ".state", name, sizeof(name), err) < 0)
        return -1;
    if (n == 0 || n > VM_STATE_RING_MAX)
        return vm_err_set(err, "internal error: %zu samples to save", n);
    /* The size stays bounded: older samples make way for the newest. */
    for (;;) {
        vm_statefile_format_items(items, n, m, &b);
        if (b.oom || b.len <= VM_STATE_MAX_BYTES || n == 1)
            break;
        vm_buf_truncate(&b, 0);
        n--;
    }
    if (b.oom) {
        vm_err_set(err, "out of memory writing the state file");
        goto cleanup;
    }
    if (b.len > VM_STATE_MAX_BYTES) {
        vm_err_set(err, "state would be larger than %u bytes; not saved", VM_STATE_MAX_BYTES);
        goto cleanup;
    }
    state_sweep_temps(d, key);

    fd = state_open_temp(d, key, tmp, sizeof(tmp));
    if (fd < 0) {
        vm_err_set(err, "cannot create a temporary file in %s: %s", d->path, strerror(errno));
        goto cleanup;
    }
    made = true;
    /* fsync before close and rename: after a crash the name points either
     * to the old content or to the complete new one. */
    if (write_all(fd, b.s, b.len) < 0 || fsync(fd) < 0) {
        vm_err_set(err, "cannot write state file %s/%s: %s", d->path, tmp, strerror(errno));
        goto cleanup;
    }
    e = close(fd);
    fd = -1;
    if (e < 0) {
        vm_err_set(err, "cannot write state file %s/%s: %s", d->path, tmp, strerror(errno));
        goto cleanup;
    }
    /* rename replaces whatever is at the name (a planted symlink too)
     * without following it. */
    if (renameat(d->fd, tmp, d->fd, name) < 0) {
        vm_err_set(err, "cannot rename %s/%s to %s: %s", d->path, tmp, name, strerror(errno));
        goto cleanup;
    }
    made = false;
    /* Make the rename durable. Some file systems refuse fsync on a folder
     * (EINVAL); the new file is in place either way. */
    (void)fsync(d->fd);
    rc = 0;

cleanup:
    if (fd >= 0)
        close(fd);
    if (made)
        (void)unlinkat(d->fd, tmp, 0);
    vm_buf_clear(&b);
    return rc;
}
