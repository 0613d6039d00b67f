/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Proof that the plugins only read: they never open a read-write libvirt
 * connection and never call an API outside a read-only allowlist (checked
 * in the binaries' imports and in libvirt's own log of each run), and they
 * write nothing outside their state folder (every file-changing system call
 * of each run, traced with strace). */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ck_run.h"
#include "fsutil.h"
#include "plugin_run.h"

#define N(a) (sizeof(a) / sizeof(a[0]))

static const char *const plugins[] = {"check_vmem", "check_vcpu", "check_vdisk", "check_vnet"};

/* The libvirt calls a plugin may make: all work on a read-only connection
 * (facts.md C.1) and change nothing. Anything else, and above all
 * virConnectOpen/virConnectOpenAuth, fails the test. */
static const char *const allowed_api[] = {
    "virConnectOpenReadOnly",
    "virConnectClose",
    "virConnectListAllDomains",
    "virConnectGetAllDomainStats",
    "virConnectIsAlive",
    "virConnectGetLibVersion",
    "virDomainListGetStats",
    "virDomainStatsRecordListFree",
    "virDomainLookupByID",
    "virDomainLookupByName",
    "virDomainLookupByUUIDString",
    "virDomainLookupByUUID",
    "virDomainFree",
    "virDomainRef",            /* a client-side reference count: no call to the daemon */
    "virDomainGetControlInfo", /* read-only: why a domain's figures were skipped */
    "virDomainGetID",
    "virDomainGetName",
    "virDomainGetUUID",
    "virDomainGetUUIDString",
    "virDomainGetInfo",
    "virDomainGetState",
    "virDomainGetXMLDesc",
    "virDomainMemoryStats",
    "virDomainGetVcpus",
    "virDomainGetVcpusFlags",
    "virDomainGetMaxVcpus",
    "virDomainGetCPUStats",
    "virDomainBlockStats",
    "virDomainBlockStatsFlags",
    "virDomainGetBlockInfo",
    "virDomainInterfaceStats",
    "virDomainIsActive",
    /* check_vdisk --headroom: the pool under an image, from the running
     * pools' volumes (no read-only check in libvirt's public API, ACLs
     * connect:search_storage_pools, storage_pool:search_storage_vols and
     * getattr only, as `virsh -r pool-list`/`vol-list`; verified on a
     * read-only test:/// connection and the lab's read-only socket) */
    "virConnectListAllStoragePools",
    "virStoragePoolListAllVolumes",
    "virStorageVolGetKey", /* client-side: the key came with the list */
    "virStoragePoolGetName",
    "virStoragePoolGetInfo",
    "virStoragePoolFree",
    "virStorageVolFree",
    "virNodeGetInfo",
    "virGetVersion",
    "virInitialize",
    "virSetErrorFunc",
    "virGetLastError",
    "virGetLastErrorCode",
    "virGetLastErrorMessage",
    "virResetLastError",
    "virTypedParamsFree",
    "virFreeError",
    "virCopyLastError",
};

/* libvirt-internal functions that log at the public-API level too. */
static const char *const internal_fn[] = {
    "virConnectOpenInternal",   "virGlobalInit",
    "virRegisterConnectDriver", "virRegisterStateDriver",
    "virStateInitialize",       "virConnectOpenResolveURIAlias",
    "virConnectGetDefaultURI",  "virConnectCheckURIMissingSlash",
};

static bool in_list(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, list[i]) == 0)
            return true;
    return false;
}

static char tmp[] = "/tmp/vm-proof-XXXXXX";
static char *devices; /* test:// URI of tests/fixtures/devices.xml */
static char *storage; /* and of storage.xml (pools) */

static void setup(void)
{
    strcpy(tmp, "/tmp/vm-proof-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp));
    devices = vm_fixture_uri("devices.xml");
    storage = vm_fixture_uri("storage.xml");
}

static void teardown(void)
{
    if (vm_fs_rm_rf(tmp) != 0)
        fprintf(stderr, "# could not remove %s\n", tmp);
    free(devices);
    free(storage);
}

/* ---- the binaries ---------------------------------------------------- */

/* Every libvirt symbol a plugin imports is on the allowlist, and it imports
 * virConnectOpenReadOnly and no other way to open a connection. */
START_TEST(imports_read_only)
{
    const char *top = getenv("VM_TOP_BUILDDIR");
    char cmd[4096], line[512];
    bool has_ro = false;
    size_t nvir = 0;
    FILE *f;

    snprintf(cmd, sizeof(cmd), "nm -D --undefined-only '%s/plugins/%s' 2>&1", top ? top : ".",
             plugins[_i]);
    f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    while (fgets(line, sizeof(line), f)) {
        char *sym = strstr(line, " vir"), *at;

        if (!sym)
            continue;
        sym++;
        sym[strcspn(sym, "\n")] = '\0';
        if ((at = strchr(sym, '@')) != NULL)
            *at = '\0';
        nvir++;
        has_ro |= strcmp(sym, "virConnectOpenReadOnly") == 0;
        ck_assert_msg(in_list(sym, allowed_api, N(allowed_api)),
                      "%s imports %s, which is not on the read-only allowlist", plugins[_i], sym);
    }
    ck_assert_int_eq(pclose(f), 0);
    ck_assert_msg(nvir > 5, "%s: no libvirt imports found (nm missing?)", plugins[_i]);
    ck_assert_msg(has_ro, "%s does not import virConnectOpenReadOnly", plugins[_i]);
}
END_TEST

/* ---- libvirt's log of each run --------------------------------------- */

/* Run a plugin with libvirt's public-API debug log going to a file, and
 * check every API it shows. Returns the number of read-only opens. */
static int run_logged(const char *plugin, const char *const *argv)
{
    char log[128], env_out[192], line[4096];
    struct vm_run r;
    int opens = 0;
    FILE *f;

    snprintf(log, sizeof(log), "%s/libvirt.log", tmp);
    unlink(log);
    snprintf(env_out, sizeof(env_out), "LIBVIRT_LOG_OUTPUTS=1:file:%s", log);
    vm_run_plugin(&r, plugin, argv, ARGV("LIBVIRT_LOG_FILTERS=1:libvirt 4:*", env_out));
    ck_assert_msg(r.err[0] == '\0', "%s: stderr: %s", plugin, r.err);
    vm_run_free(&r);
    f = fopen(log, "r");
    ck_assert_msg(f != NULL, "%s: libvirt wrote no log to %s", plugin, log);
    while (fgets(line, sizeof(line), f)) {
        char fn[128];
        const char *p = strstr(line, ": debug : ");

        if (!p || sscanf(p + 10, "%127[A-Za-z0-9_]", fn) != 1)
            continue;
        if (in_list(fn, internal_fn, N(internal_fn)))
            continue;
        ck_assert_msg(in_list(fn, allowed_api, N(allowed_api)),
                      "%s called %s, which is not on the read-only allowlist:\n%s", plugin, fn,
                      line);
        opens += strcmp(fn, "virConnectOpenReadOnly") == 0;
    }
    fclose(f);
    return opens;
}

START_TEST(runtime_read_only)
{
    const char *p = plugins[_i];
    char sd[128];

    snprintf(sd, sizeof(sd), "--state-dir=%s/state", tmp);
    /* One domain, every domain of a device fixture, a missing domain; the
     * rate plugins twice with state (the second run uses the saved sample).
     * Each run opens exactly one connection, read-only. */
    if (_i == 0) {
        ck_assert_int_eq(run_logged(p, ARGV("-U", "test:///default", "-d", "test", "--max-age=0")),
                         1);
        ck_assert_int_eq(run_logged(p, ARGV("-U", devices, "-a", "--max-age=0")), 1);
        ck_assert_int_eq(run_logged(p, ARGV("-U", devices, "-d", "nosuch", "-d", "1")), 1);
        return;
    }
    for (int k = 0; k < 2; k++) {
        ck_assert_int_eq(
            run_logged(p, ARGV("-U", "test:///default", "-d", "test", "--interval=0.05", sd)), 1);
        ck_assert_int_eq(run_logged(p, ARGV("-U", devices, "-a", "--interval=0.05", sd)), 1);
    }
    ck_assert_int_eq(run_logged(p, ARGV("-U", devices, "-d", "nosuch", "--no-state")), 1);
    /* check_vdisk's pool lookups */
    if (strcmp(p, "check_vdisk") == 0)
        ck_assert_int_eq(
            run_logged(p, ARGV("-U", storage, "-a", "--headroom", "--interval=0.05", "--no-state")),
            1);
}
END_TEST

/* ---- what the runs write (strace) ------------------------------------- */

static const char *const write_calls[] = {
    "mkdir",    "mkdirat", "rename",   "renameat",  "renameat2",   "unlink",       "unlinkat",
    "rmdir",    "link",    "linkat",   "symlink",   "symlinkat",   "truncate",     "chmod",
    "fchmodat", "chown",   "lchown",   "fchownat",  "mknod",       "mknodat",      "utimensat",
    "utime",    "utimes",  "setxattr", "lsetxattr", "removexattr", "lremovexattr",
};
static const char *const open_calls[] = {"open", "openat", "openat2", "creat"};
#define TRACED                                                                                     \
    "open,openat,openat2,creat,mkdir,mkdirat,rename,renameat,renameat2,unlink,unlinkat,rmdir,"     \
    "link,linkat,symlink,symlinkat,truncate,chmod,fchmodat,chown,lchown,fchownat,mknod,mknodat,"   \
    "utimensat,utime,utimes,setxattr,lsetxattr,removexattr,lremovexattr,connect"

/* The next path argument in an strace argument list, resolved against a
 * "N</dir>" fd just before it (strace -y) or the working directory.
 * Advances *pp. False when there is none. */
static bool next_path(const char **pp, const char *cwd, char *out, size_t outlen)
{
    const char *p = *pp, *q, *dir = cwd, *dirend = cwd + strlen(cwd);
    const char *fdpath = NULL, *fdend = NULL;

    for (; *p; p++) {
        if (p[0] == '<' && p[1] == '/') { /* an fd decoded by -y */
            fdpath = p + 1;
            fdend = strchr(fdpath, '>');
            if (!fdend)
                return false;
            p = fdend;
            continue;
        }
        if (*p == '"')
            break;
        if (*p == ',' && p[1] == ' ' && fdpath && p > fdend + 1)
            fdpath = NULL; /* the fd was some earlier argument */
    }
    if (*p != '"')
        return false;
    q = strchr(p + 1, '"');
    if (!q)
        return false;
    if (fdpath) {
        dir = fdpath;
        dirend = fdend;
    }
    if (p[1] == '/')
        snprintf(out, outlen, "%.*s", (int)(q - p - 1), p + 1);
    else
        snprintf(out, outlen, "%.*s/%.*s", (int)(dirend - dir), dir, (int)(q - p - 1), p + 1);
    *pp = q + 1;
    return true;
}

static bool under(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Run under strace; every write-mode open and every file-changing call
 * must name a path inside `allowed` (mkdir also a parent of it, as the
 * folder is created with its parents). Returns the number of such calls. */
static int run_traced(const char *plugin, const char *const *argv, const char *const *env,
                      const char *allowed)
{
    char trace[128], wrapper[1024], cwd[1024], line[8192];
    struct vm_run r;
    int writes = 0;
    FILE *f;

    ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
    snprintf(trace, sizeof(trace), "%s/strace.log", tmp);
    unlink(trace);
    snprintf(wrapper, sizeof(wrapper), "strace -f -qq -y -e trace=" TRACED " -o %s", trace);
    setenv("VM_PLUGIN_WRAPPER", wrapper, 1);
    {
        /* LeakSanitizer (--enable-sanitizers) cannot work in a process that
         * strace already traces; the leak checks run in the other suites. */
        const char *envs[8] = {"ASAN_OPTIONS=detect_leaks=0"};

        for (size_t i = 0; env && env[i] && i + 2 < N(envs); i++)
            envs[i + 1] = env[i];
        vm_run_plugin(&r, plugin, argv, envs);
    }
    unsetenv("VM_PLUGIN_WRAPPER");
    ck_assert_msg(r.status != 127, "strace could not run (Debian: apt-get install strace)");
    ck_assert_msg(r.err[0] == '\0', "%s: stderr: %s", plugin, r.err);
    vm_run_free(&r);
    f = fopen(trace, "r");
    ck_assert_msg(f != NULL, "no strace log: is strace installed?");
    while (fgets(line, sizeof(line), f)) {
        char name[32], path[4096];
        const char *args = strchr(line, '(');
        bool is_open, is_write;
        size_t k;

        /* "PID name(args) = result" */
        if (!args || sscanf(line, "%*d %31[a-z0-9_]", name) != 1)
            continue;
        if (strcmp(name, "connect") == 0) {
            const char *sun = strstr(args, "sun_path=");

            /* The only socket a plugin may talk to is libvirt's read-only
             * one (and the name service for user lookups). */
            if (sun)
                ck_assert_msg(strstr(sun, "-sock-ro\"") || strstr(sun, "/nscd/") ||
                                  strstr(sun, "/userdb/"),
                              "%s connects to a socket other than libvirt's read-only one:\n%s",
                              plugin, line);
            continue;
        }
        is_open = in_list(name, open_calls, N(open_calls));
        is_write = in_list(name, write_calls, N(write_calls));
        if (is_open) {
            const char *flags = strstr(args, "O_");

            is_write = strcmp(name, "creat") == 0 ||
                       (flags && (strstr(flags, "O_WRONLY") || strstr(flags, "O_RDWR") ||
                                  strstr(flags, "O_CREAT") || strstr(flags, "O_TRUNC") ||
                                  strstr(flags, "O_APPEND")));
        }
        if (!is_write)
            continue;
        writes++;
        for (k = 0; next_path(&args, cwd, path, sizeof(path)); k++) {
            bool ok = allowed && (under(path, allowed) ||
                                  (strncmp(name, "mkdir", 5) == 0 && under(allowed, path)));

            ck_assert_msg(ok, "%s writes outside its state folder (%s):\n%s", plugin,
                          allowed ? allowed : "none allowed", line);
        }
        ck_assert_msg(k > 0, "no path found in:\n%s", line);
    }
    fclose(f);
    return writes;
}

START_TEST(writes_confined)
{
    const char *p = plugins[_i];
    char sd[128], sdarg[160], xdg[128], xdgenv[160], xdgdir[192];

    snprintf(sd, sizeof(sd), "%s/state", tmp);
    snprintf(sdarg, sizeof(sdarg), "--state-dir=%s", sd);
    snprintf(xdg, sizeof(xdg), "%s/xdg", tmp);
    snprintf(xdgenv, sizeof(xdgenv), "XDG_STATE_HOME=%s", xdg);
    snprintf(xdgdir, sizeof(xdgdir), "%s/monitoring-plugins-libvirt", xdg);

    /* Every plugin keeps state (check_vmem for its pressure rates).
     * Explicit folder: first run (creates it), second run (reads, replaces). */
    ck_assert_int_gt(run_traced(p, ARGV("-U", devices, "-a", "--interval=0.05", sdarg), NULL, sd),
                     0);
    ck_assert_int_gt(run_traced(p, ARGV("-U", devices, "-a", "--interval=0.05", sdarg), NULL, sd),
                     0);
    /* The default folder under $XDG_STATE_HOME. */
    ck_assert_int_gt(run_traced(p, ARGV("-U", "test:///default", "-d", "test", "--interval=0.05"),
                                ARGV(xdgenv), xdgdir),
                     0);
    /* --no-state: nothing at all. */
    ck_assert_int_eq(run_traced(p, ARGV("-U", devices, "-a", "--interval=0.05", "--no-state"),
                                ARGV(xdgenv), NULL),
                     0);
    /* Refused folder (open to others) and failed connections: at most the
     * folder's own mkdir. */
    ck_assert_int_eq(chmod(sd, 0777), 0);
    run_traced(p, ARGV("-U", devices, "-a", "--interval=0.05", sdarg), NULL, sd);
    ck_assert_int_eq(
        run_traced(p, ARGV("-U", "test:///nonexistent.xml", "-a", "--no-state"), NULL, NULL), 0);
    /* A failed connection writes nothing, with the state on too. */
    ck_assert_int_eq(run_traced(p, ARGV("-U", "test:///nonexistent.xml", "-a"), NULL, NULL), 0);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("proof");

    /* The proof runs its own wrapper (strace); a valgrind wrapper from the
     * environment is not for it. */
    unsetenv("VM_PLUGIN_WRAPPER");
    VM_CK_TCASE(s, "read_only", 120, setup, teardown, VM_CK_LOOP(imports_read_only, N(plugins)),
                VM_CK_LOOP(runtime_read_only, N(plugins)));

    VM_CK_TCASE(s, "writes", 120, setup, teardown, VM_CK_LOOP(writes_confined, N(plugins)));
    return s;
}

VM_CK_MAIN(make_suite)
