/* SPDX-License-Identifier: GPL-3.0-or-later */
/* state: the private state folder, its lock and the state file format.
 *
 * The file format (version 1) is plain text, one record per line, fields
 * separated by one space, every line ending in '\n':
 *
 *   # monitoring-plugins-libvirt state
 *   version 1
 *   plugin =check_vcpu
 *   uri =qemu:///system
 *   boot =<boot_id>
 *   time <boottime s> <ns> <wall s> <ns>
 *   domains <n>
 *   then per domain:
 *     dom =<uuid> <id> =<name>|-
 *     state <have 0|1> <state> <reason>
 *     groups <groups> <bulk_groups>
 *     cpu <have> <3 values>
 *     balloon <have> <12 values>
 *     vcpus <current> <maximum> <n>      followed by n lines:
 *     vcpu <have> <4 values>
 *     blocks <n>                         followed by n lines:
 *     block =<name>|- =<path>|- <have> <12 values>
 *     nets <n>                           followed by n lines:
 *     net =<name>|- <have> <8 values>
 *     error =<text>|-
 *   end <FNV-1a 64 of every byte before this line, 16 lowercase hex>
 *
 * A string is "-" for NULL or "=" followed by its bytes, where everything
 * outside [A-Za-z0-9._:/@+,~-] is written %XX: names with spaces, newlines,
 * quotes, '|' or UTF-8 stay on one line and in one field. Numbers are
 * decimal without sign, '+' or leading zeros (the domain ID may be -1);
 * `have` is the presence bit mask. The values of every field are written,
 * present or not, so each line has a fixed number of fields. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "state.h"

#define STATE_APP "monitoring-plugins-libvirt"
#define STATE_MAGIC "# monitoring-plugins-libvirt state"
#define STATE_TMP_INFIX ".state.tmp-"
#define STATE_KEY_MAX 128            /* longest key accepted as a file name stem */
#define STATE_TMP_STALE_S 300        /* a temp file this old is from a killed run */
#define STATE_MAX_TOKENS 20          /* the longest line (block) has 16 fields */
#define STATE_MAX_ITEMS 65536        /* vCPUs, disks or interfaces per domain */

static const char *const why_corrupt = "state file is corrupt";

/* ---- small helpers ---------------------------------------------------- */

#define FNV64_OFFSET 0xcbf29ce484222325ULL
#define FNV64_PRIME 0x100000001b3ULL

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= FNV64_PRIME;
    }
    return h;
}

static double ts_diff(const struct timespec *a, const struct timespec *b)
{
    return (double)(a->tv_sec - b->tv_sec) + (double)(a->tv_nsec - b->tv_nsec) / 1e9;
}

/* a > b */
static bool ts_after(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

/* A key becomes a file name: only a safe alphabet, no leading dot. */
static int state_check_key(const char *key, struct vm_err *err)
{
    size_t i, n = key ? strlen(key) : 0;

    if (n == 0 || n > STATE_KEY_MAX || key[0] == '.')
        return vm_err_set(err, "invalid state key");
    for (i = 0; i < n; i++) {
        char c = key[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return vm_err_set(err, "invalid state key");
    }
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
 * created. */
static char *state_default_path(bool *chain)
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
    }
    /* Sticky /var/tmp: another user can squat the name, which the checks
     * below then refuse; they cannot replace our folder. */
    *chain = false;
    vm_buf_printf(&b, "/var/tmp/%s-%lu", STATE_APP, (unsigned long)geteuid());
done:
    if (b.oom) {
        vm_buf_free(&b);
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
    bool chain = false;
    int mkdir_errno = 0;
    int fd = -1;
    size_t len;
    struct stat st;

    d->fd = -1;
    d->path = NULL;
    if (explicit_path && !*explicit_path)
        return vm_err_set(err, "the state folder name is empty");
    path = explicit_path ? vm_strdup(explicit_path) : state_default_path(&chain);
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
            vm_err_set(err, "state folder %s is not a folder", path);
        else if (e == ENOENT && mkdir_errno)
            vm_err_set(err, "cannot create state folder %s: %s", path, strerror(mkdir_errno));
        else
            vm_err_set(err, "cannot open state folder %s: %s", path, strerror(e));
        goto fail;
    }
    if (fstat(fd, &st) < 0) {
        vm_err_set(err, "cannot check state folder %s: %s", path, strerror(errno));
        goto fail;
    }
    if (!S_ISDIR(st.st_mode)) {
        vm_err_set(err, "state folder %s is not a folder", path);
        goto fail;
    }
    if (st.st_uid != geteuid()) {
        vm_err_set(err, "state folder %s is owned by uid %lu, not %lu", path,
                   (unsigned long)st.st_uid, (unsigned long)geteuid());
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

void vm_state_dir_close(struct vm_state_dir *d)
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
    size_t i;
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
    for (i = 0; m->boot_id[i]; i++) {
        char c = m->boot_id[i];

        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-')) {
            m->boot_id[0] = '\0';
            return;
        }
    }
}

void vm_state_key(const char *plugin, const char *uri, char *const *args, size_t nargs,
                  char *key, size_t keylen)
{
    /* Every string is hashed with its terminating NUL, which no string
     * contains: ("ab","c") and ("a","bc") differ. A NULL arg is hashed as a
     * single 0xff byte, which no string ends with. */
    static const unsigned char null_mark = 0xff;
    char stem[65];
    uint64_t h = FNV64_OFFSET;
    size_t i, j;

    if (!key || keylen == 0)
        return;
    plugin = plugin ? plugin : "";
    uri = uri ? uri : "";
    h = fnv1a(h, plugin, strlen(plugin) + 1);
    h = fnv1a(h, uri, strlen(uri) + 1);
    for (i = 0; i < nargs; i++) {
        if (args[i])
            h = fnv1a(h, args[i], strlen(args[i]) + 1);
        else
            h = fnv1a(h, &null_mark, 1);
    }
    for (i = j = 0; plugin[i] && j < sizeof(stem) - 1; i++) {
        char c = plugin[i];

        stem[j++] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '_' || c == '-') ? c : '_';
    }
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

    if (!d || d->fd < 0)
        return vm_err_set(err, "state folder is not open");
    if (state_check_key(key, err) < 0)
        return -1;
    snprintf(name, sizeof(name), "%s.lock", key);
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
        waited = ts_diff(&now, &t0) * 1000.0;
        if (waited >= (double)wait_ms) {
            vm_err_set(err, "another run holds the state lock %s/%s (waited %u ms)", d->path,
                       name, wait_ms);
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

/* ---- format ----------------------------------------------------------- */

static bool state_raw_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == ':' || c == '/' || c == '@' || c == '+' || c == ',' ||
           c == '~' || c == '-';
}

/* " =<escaped>" or " -" for NULL; `lead` says whether to put the space. */
static void state_put_str(struct vm_buf *out, const char *s, bool lead)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p;
    const char *run;

    if (lead)
        vm_buf_append_len(out, " ", 1);
    if (!s) {
        vm_buf_append_len(out, "-", 1);
        return;
    }
    vm_buf_append_len(out, "=", 1);
    run = s;
    for (p = (const unsigned char *)s; *p; p++) {
        char esc[3];

        if (state_raw_char(*p))
            continue;
        vm_buf_append_len(out, run, (size_t)((const char *)p - run));
        esc[0] = '%';
        esc[1] = hex[*p >> 4];
        esc[2] = hex[*p & 15];
        vm_buf_append_len(out, esc, 3);
        run = (const char *)p + 1;
    }
    vm_buf_append_len(out, run, (size_t)((const char *)p - run));
}

static void state_put_values(struct vm_buf *out, uint32_t have, const uint64_t *v, size_t n)
{
    size_t i;

    vm_buf_printf(out, " %" PRIu32, have);
    for (i = 0; i < n; i++)
        vm_buf_printf(out, " %" PRIu64, v[i]);
    vm_buf_append_len(out, "\n", 1);
}

static void state_format_dom(const struct vm_dom_stats *d, struct vm_buf *out)
{
    size_t i;

    vm_buf_append(out, "dom");
    state_put_str(out, d->uuid, true);
    vm_buf_printf(out, " %d", d->id);
    state_put_str(out, d->name, true);
    vm_buf_printf(out, "\nstate %d %d %d\n", d->have_state ? 1 : 0, d->state, d->reason);
    vm_buf_printf(out, "groups %u %u\n", d->groups, d->bulk_groups);
    vm_buf_append(out, "cpu");
    state_put_values(out, d->cpu.have, d->cpu.v, VM_CPU_NR);
    vm_buf_append(out, "balloon");
    state_put_values(out, d->balloon.have, d->balloon.v, VM_BAL_NR);
    vm_buf_printf(out, "vcpus %u %u %zu\n", d->vcpu_current, d->vcpu_maximum, d->nvcpu);
    for (i = 0; i < d->nvcpu; i++) {
        vm_buf_append(out, "vcpu");
        state_put_values(out, d->vcpu[i].have, d->vcpu[i].v, VM_VCPU_NR);
    }
    vm_buf_printf(out, "blocks %zu\n", d->nblock);
    for (i = 0; i < d->nblock; i++) {
        vm_buf_append(out, "block");
        state_put_str(out, d->block[i].name, true);
        state_put_str(out, d->block[i].path, true);
        state_put_values(out, d->block[i].have, d->block[i].v, VM_BLK_NR);
    }
    vm_buf_printf(out, "nets %zu\n", d->nnet);
    for (i = 0; i < d->nnet; i++) {
        vm_buf_append(out, "net");
        state_put_str(out, d->net[i].name, true);
        state_put_values(out, d->net[i].have, d->net[i].v, VM_NET_NR);
    }
    vm_buf_append(out, "error");
    state_put_str(out, d->error, true);
    vm_buf_append_len(out, "\n", 1);
}

void vm_state_format(const struct vm_snapshot *snap, const struct vm_state_meta *m,
                     struct vm_buf *out)
{
    size_t start = out->len, i;
    uint64_t h;

    vm_buf_printf(out, "%s\nversion %d\nplugin", STATE_MAGIC, VM_STATE_VERSION);
    state_put_str(out, m->plugin ? m->plugin : "", true);
    vm_buf_append(out, "\nuri");
    state_put_str(out, m->uri ? m->uri : "", true);
    vm_buf_append(out, "\nboot");
    state_put_str(out, m->boot_id, true);
    vm_buf_printf(out, "\ntime %lld %ld %lld %ld\n", (long long)snap->mono.tv_sec,
                  (long)snap->mono.tv_nsec, (long long)snap->wall.tv_sec,
                  (long)snap->wall.tv_nsec);
    vm_buf_printf(out, "domains %zu\n", snap->n);
    for (i = 0; i < snap->n; i++)
        state_format_dom(&snap->dom[i], out);
    if (out->oom)
        return;
    h = fnv1a(FNV64_OFFSET, out->s + start, out->len - start);
    vm_buf_printf(out, "end %016" PRIx64 "\n", h);
}

/* ---- parse ------------------------------------------------------------ */

struct tok {
    const char *s;
    size_t n;
};

struct state_cursor {
    const char *p, *end;            /* the rest of the body */
    struct tok t[STATE_MAX_TOKENS]; /* the current line's fields */
    size_t nt;
};

/* Split the next line into fields. False at the end of the body, on an
 * empty field (two spaces, leading/trailing space) or too many fields. */
static bool cur_line(struct state_cursor *c)
{
    const char *nl, *q, *f;

    if (c->p >= c->end)
        return false;
    nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    if (!nl)
        return false;
    c->nt = 0;
    for (f = q = c->p;; q++) {
        if (q == nl || *q == ' ') {
            if (q == f || c->nt == STATE_MAX_TOKENS)
                return false;
            c->t[c->nt].s = f;
            c->t[c->nt].n = (size_t)(q - f);
            c->nt++;
            if (q == nl)
                break;
            f = q + 1;
        }
    }
    c->p = nl + 1;
    return true;
}

/* The next line must be `word` followed by exactly `nargs` fields. */
static bool cur_expect(struct state_cursor *c, const char *word, size_t nargs)
{
    size_t wn = strlen(word);

    return cur_line(c) && c->nt == nargs + 1 && c->t[0].n == wn && memcmp(c->t[0].s, word, wn) == 0;
}

static bool tok_eq(const struct tok *t, const char *s)
{
    return t->n == strlen(s) && memcmp(t->s, s, t->n) == 0;
}

/* Unsigned decimal, no sign, no leading zeros, <= max. */
static bool tok_u64(const struct tok *t, uint64_t max, uint64_t *out)
{
    char buf[24], *end;
    unsigned long long v;
    size_t i;

    if (t->n == 0 || t->n >= sizeof(buf) || (t->n > 1 && t->s[0] == '0'))
        return false;
    for (i = 0; i < t->n; i++)
        if (t->s[i] < '0' || t->s[i] > '9')
            return false;
    memcpy(buf, t->s, t->n);
    buf[t->n] = '\0';
    errno = 0;
    v = strtoull(buf, &end, 10);
    if (errno || *end || v > max)
        return false;
    *out = v;
    return true;
}

static bool tok_int(const struct tok *t, int min, int max, int *out)
{
    struct tok u = *t;
    uint64_t v;
    bool neg = false;

    if (u.n > 1 && u.s[0] == '-') {
        neg = true;
        u.s++;
        u.n--;
    }
    if (!tok_u64(&u, (uint64_t)INT_MAX + (neg ? 1 : 0), &v))
        return false;
    if (neg && v == 0)
        return false; /* "-0" */
    *out = neg ? (int)(-(int64_t)v) : (int)v;
    return *out >= min && *out <= max;
}

static bool tok_uint(const struct tok *t, unsigned *out)
{
    uint64_t v;

    if (!tok_u64(t, UINT_MAX, &v))
        return false;
    *out = (unsigned)v;
    return true;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode "-" (NULL) or "=..." into a new string (*out). Returns 1, 0 when
 * malformed, -1 out of memory. */
static int tok_str(const struct tok *t, char **out)
{
    char *s;
    size_t i, j;

    *out = NULL;
    if (tok_eq(t, "-"))
        return 1;
    if (t->n == 0 || t->s[0] != '=')
        return 0;
    s = malloc(t->n);
    if (!s)
        return -1;
    for (i = 1, j = 0; i < t->n; i++) {
        unsigned char ch = (unsigned char)t->s[i];

        if (ch == '%') {
            int hi, lo;

            if (i + 2 >= t->n)
                goto bad;
            hi = hexval(t->s[i + 1]);
            lo = hexval(t->s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                goto bad;
            s[j++] = (char)(hi << 4 | lo);
            i += 2;
        } else if (state_raw_char(ch)) {
            s[j++] = (char)ch;
        } else {
            goto bad;
        }
    }
    s[j] = '\0';
    *out = s;
    return 1;
bad:
    free(s);
    return 0;
}

/* A string into a fixed buffer; NULL is not allowed there. */
static bool tok_str_fixed(const struct tok *t, char *dst, size_t dstlen)
{
    char *s = NULL;
    bool ok;

    if (tok_str(t, &s) != 1 || !s) {
        free(s);
        return false;
    }
    ok = strlen(s) < dstlen;
    if (ok)
        memcpy(dst, s, strlen(s) + 1);
    free(s);
    return ok;
}

/* `have` and n values starting at field `first`. */
static bool tok_values(const struct state_cursor *c, size_t first, size_t n, uint32_t *have,
                       uint64_t *v)
{
    uint64_t h;
    size_t i;

    if (c->nt != first + 1 + n || !tok_u64(&c->t[first], ((uint64_t)1 << n) - 1, &h))
        return false;
    *have = (uint32_t)h;
    for (i = 0; i < n; i++)
        if (!tok_u64(&c->t[first + 1 + i], UINT64_MAX, &v[i]))
            return false;
    return true;
}

/* A count that the rest of the text can hold: every item takes at least
 * `min_bytes` bytes of lines, so a corrupt count cannot make us allocate a
 * fortune. */
static bool tok_count(const struct state_cursor *c, const struct tok *t, uint64_t max,
                      size_t min_bytes, size_t *out)
{
    uint64_t v;

    if (!tok_u64(t, max, &v) || v > (uint64_t)(c->end - c->p) / min_bytes)
        return false;
    *out = (size_t)v;
    return true;
}

/* The shortest lines each item can have (all fields "0", strings "-"). */
#define MIN_DOM_BYTES 100 /* dom...error: nine lines, ~115 bytes */
#define MIN_VCPU_BYTES 15 /* "vcpu 0 0 0 0 0\n" */
#define MIN_BLOCK_BYTES 36
#define MIN_NET_BYTES 24

/* Returns 1, 0 (corrupt) or -1 (out of memory). */
static int state_parse_dom(struct state_cursor *c, struct vm_dom_stats *d)
{
    uint64_t v;
    size_t i, n;
    int r;

    if (!cur_line(c) || c->nt != 4 || !tok_eq(&c->t[0], "dom") ||
        !tok_str_fixed(&c->t[1], d->uuid, sizeof(d->uuid)) ||
        !tok_int(&c->t[2], -1, INT_MAX, &d->id))
        return 0;
    if ((r = tok_str(&c->t[3], &d->name)) != 1)
        return r;
    if (!cur_expect(c, "state", 3) || !tok_u64(&c->t[1], 1, &v) ||
        !tok_int(&c->t[2], 0, INT_MAX, &d->state) || !tok_int(&c->t[3], 0, INT_MAX, &d->reason))
        return 0;
    d->have_state = v == 1;
    if (!cur_expect(c, "groups", 2) || !tok_uint(&c->t[1], &d->groups) ||
        !tok_uint(&c->t[2], &d->bulk_groups))
        return 0;
    if (!cur_line(c) || !tok_eq(&c->t[0], "cpu") ||
        !tok_values(c, 1, VM_CPU_NR, &d->cpu.have, d->cpu.v))
        return 0;
    if (!cur_line(c) || !tok_eq(&c->t[0], "balloon") ||
        !tok_values(c, 1, VM_BAL_NR, &d->balloon.have, d->balloon.v))
        return 0;

    if (!cur_expect(c, "vcpus", 3) || !tok_uint(&c->t[1], &d->vcpu_current) ||
        !tok_uint(&c->t[2], &d->vcpu_maximum) ||
        !tok_count(c, &c->t[3], STATE_MAX_ITEMS, MIN_VCPU_BYTES, &n))
        return 0;
    if (n) {
        d->vcpu = vm_calloc(n, sizeof(*d->vcpu));
        if (!d->vcpu)
            return -1;
        d->nvcpu = n;
    }
    for (i = 0; i < n; i++)
        if (!cur_line(c) || !tok_eq(&c->t[0], "vcpu") ||
            !tok_values(c, 1, VM_VCPU_NR, &d->vcpu[i].have, d->vcpu[i].v))
            return 0;

    if (!cur_expect(c, "blocks", 1) ||
        !tok_count(c, &c->t[1], STATE_MAX_ITEMS, MIN_BLOCK_BYTES, &n))
        return 0;
    if (n) {
        d->block = vm_calloc(n, sizeof(*d->block));
        if (!d->block)
            return -1;
        d->nblock = n;
    }
    for (i = 0; i < n; i++) {
        struct vm_block_stats *b = &d->block[i];

        if (!cur_line(c) || c->nt < 3 || !tok_eq(&c->t[0], "block"))
            return 0;
        if ((r = tok_str(&c->t[1], &b->name)) != 1 || (r = tok_str(&c->t[2], &b->path)) != 1)
            return r;
        if (!tok_values(c, 3, VM_BLK_NR, &b->have, b->v))
            return 0;
    }

    if (!cur_expect(c, "nets", 1) ||
        !tok_count(c, &c->t[1], STATE_MAX_ITEMS, MIN_NET_BYTES, &n))
        return 0;
    if (n) {
        d->net = vm_calloc(n, sizeof(*d->net));
        if (!d->net)
            return -1;
        d->nnet = n;
    }
    for (i = 0; i < n; i++) {
        struct vm_net_stats *e = &d->net[i];

        if (!cur_line(c) || c->nt < 2 || !tok_eq(&c->t[0], "net"))
            return 0;
        if ((r = tok_str(&c->t[1], &e->name)) != 1)
            return r;
        if (!tok_values(c, 2, VM_NET_NR, &e->have, e->v))
            return 0;
    }

    if (!cur_expect(c, "error", 1))
        return 0;
    return tok_str(&c->t[1], &d->error);
}

/* Check the frame: magic, version, the checksum line. Sets c to the body
 * (everything before the end line). Returns NULL or the reason. */
static const char *state_parse_frame(const char *text, size_t len, struct state_cursor *c)
{
    static const char magic[] = STATE_MAGIC "\n";
    const char *endline;
    uint64_t h = 0;
    size_t i;
    int version;

    if (len < sizeof(magic) - 1 || memcmp(text, magic, sizeof(magic) - 1) != 0)
        return "state file is not a state file of this plugin suite";
    if (memchr(text, '\0', len))
        return why_corrupt;
    c->p = text + sizeof(magic) - 1;
    c->end = text + len;
    if (!cur_expect(c, "version", 1) || !tok_int(&c->t[1], 0, INT_MAX, &version))
        return why_corrupt;
    if (version != VM_STATE_VERSION)
        return "state file has another format version";

    /* The last line: "end " + 16 lowercase hex digits + "\n". */
    if (len < 21 + (size_t)(c->p - text) || text[len - 1] != '\n')
        return why_corrupt;
    endline = text + len - 21;
    if (endline[-1] != '\n' || memcmp(endline, "end ", 4) != 0)
        return why_corrupt;
    for (i = 0; i < 16; i++) {
        char ch = endline[4 + i];
        int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;

        if (v < 0)
            return why_corrupt;
        h = h << 4 | (uint64_t)v;
    }
    if (h != fnv1a(FNV64_OFFSET, text, (size_t)(endline - text)))
        return why_corrupt;
    c->end = endline;
    return NULL;
}

int vm_state_parse(const char *text, size_t len, const struct vm_state_meta *m,
                   struct vm_snapshot *out, const char **why, struct vm_err *err)
{
    struct state_cursor c;
    struct vm_snapshot s;
    struct timespec now;
    char *str = NULL;
    uint64_t v[4];
    size_t i, n;
    int r, rc = 0;

    memset(out, 0, sizeof(*out));
    memset(&s, 0, sizeof(s));
    *why = why_corrupt;
    if (!text)
        return 0;
    if ((*why = state_parse_frame(text, len, &c)) != NULL)
        return 0;
    *why = why_corrupt;

    /* plugin, uri, boot: compared with m as we go. */
    if (!cur_expect(&c, "plugin", 1) || (r = tok_str(&c.t[1], &str)) == 0 || (r == 1 && !str))
        goto cleanup;
    if (r < 0)
        goto oom;
    if (m && strcmp(str, m->plugin ? m->plugin : "") != 0) {
        *why = "state file is for another plugin";
        goto cleanup;
    }
    free(str);
    str = NULL;
    if (!cur_expect(&c, "uri", 1) || (r = tok_str(&c.t[1], &str)) == 0 || (r == 1 && !str))
        goto cleanup;
    if (r < 0)
        goto oom;
    if (m && strcmp(str, m->uri ? m->uri : "") != 0) {
        *why = "state file is for another URI";
        goto cleanup;
    }
    free(str);
    str = NULL;
    if (!cur_expect(&c, "boot", 1) || (r = tok_str(&c.t[1], &str)) == 0 || (r == 1 && !str))
        goto cleanup;
    if (r < 0)
        goto oom;
    if (m && strcmp(str, m->boot_id) != 0) {
        *why = "state file is from before a reboot";
        goto cleanup;
    }
    free(str);
    str = NULL;

    if (!cur_expect(&c, "time", 4) || !tok_u64(&c.t[1], INT64_MAX, &v[0]) ||
        !tok_u64(&c.t[2], 999999999, &v[1]) || !tok_u64(&c.t[3], INT64_MAX, &v[2]) ||
        !tok_u64(&c.t[4], 999999999, &v[3]))
        goto cleanup;
    if ((uint64_t)(time_t)v[0] != v[0] || (uint64_t)(time_t)v[2] != v[2])
        goto cleanup;
    s.mono.tv_sec = (time_t)v[0];
    s.mono.tv_nsec = (long)v[1];
    s.wall.tv_sec = (time_t)v[2];
    s.wall.tv_nsec = (long)v[3];
    /* A sample from the future cannot be a previous one: a clock went
     * back, or the file is not what it claims. */
    clock_gettime(CLOCK_BOOTTIME, &now);
    if (ts_after(&s.mono, &now)) {
        *why = "state file is from the future";
        goto cleanup;
    }
    clock_gettime(CLOCK_REALTIME, &now);
    if (ts_after(&s.wall, &now)) {
        *why = "state file is from the future";
        goto cleanup;
    }

    if (!cur_expect(&c, "domains", 1) || !tok_count(&c, &c.t[1], SIZE_MAX, MIN_DOM_BYTES, &n))
        goto cleanup;
    if (n) {
        s.dom = vm_calloc(n, sizeof(*s.dom));
        if (!s.dom)
            goto oom;
        s.n = n;
    }
    for (i = 0; i < n; i++) {
        r = state_parse_dom(&c, &s.dom[i]);
        if (r < 0)
            goto oom;
        if (r == 0)
            goto cleanup;
    }
    if (c.p != c.end)
        goto cleanup;

    *out = s;
    memset(&s, 0, sizeof(s));
    *why = NULL;
    rc = 1;
    goto cleanup;

oom:
    rc = vm_err_set(err, "out of memory reading the state file");
    *why = NULL;
cleanup:
    free(str);
    vm_snapshot_free(&s);
    return rc;
}

/* ---- load / save ------------------------------------------------------ */

int vm_state_load(struct vm_state_dir *d, const char *key, const struct vm_state_meta *m,
                  struct vm_snapshot *out, const char **why, struct vm_err *err)
{
    char name[STATE_KEY_MAX + 16];
    struct vm_buf b = VM_BUF_INIT;
    struct stat st;
    int fd, rc = -1;

    memset(out, 0, sizeof(*out));
    *why = NULL;
    if (!d || d->fd < 0)
        return vm_err_set(err, "state folder is not open");
    if (state_check_key(key, err) < 0)
        return -1;
    snprintf(name, sizeof(name), "%s.state", key);
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
    rc = vm_state_parse(vm_buf_str(&b), b.len, m, out, why, err);

cleanup:
    close(fd);
    vm_buf_free(&b);
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
            r = fnv1a(FNV64_OFFSET, &ts, sizeof(ts)) ^ ((uint64_t)getpid() << 32) ^ counter++;
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
                  const struct vm_snapshot *snap, struct vm_err *err)
{
    char tmp[STATE_KEY_MAX + 48], name[STATE_KEY_MAX + 16];
    struct vm_buf b = VM_BUF_INIT;
    bool made = false;
    int fd = -1, rc = -1, e;

    if (!d || d->fd < 0)
        return vm_err_set(err, "state folder is not open");
    if (state_check_key(key, err) < 0)
        return -1;
    snprintf(name, sizeof(name), "%s.state", key);
    vm_state_format(snap, m, &b);
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
    vm_buf_free(&b);
    return rc;
}
