/* SPDX-License-Identifier: GPL-3.0-or-later */
/* replay: a fuzz target as a plain test program (make check).
 *
 * Linked with one fuzz_<name>.c and built by the project's compiler (so also
 * under --enable-sanitizers and valgrind), it feeds every file of
 * fuzz/corpus/<name>/ and fuzz/regress/<name>/ through the target once and
 * writes TAP, one test case per file. Each file runs in a child process so
 * that one crash (abort, sanitizer report, signal) fails that case only.
 * FUZZ_NAME is set by the build; files are found under $VM_TOP_SRCDIR. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef FUZZ_NAME
#error "FUZZ_NAME must name the target's corpus"
#endif

#define REPLAY_MAX_BYTES (1u << 20)

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of `dir`, sorted, as "dir/name" strings; appended to
 * *files. A folder that does not exist adds nothing. */
static void list_files(const char *dir, char ***files, size_t *n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t first = *n;

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        char *path;

        if (e->d_name[0] == '.')
            continue;
        if (asprintf(&path, "%s/%s", dir, e->d_name) < 0)
            abort();
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(path);
            continue;
        }
        *files = realloc(*files, (*n + 1) * sizeof(**files));
        if (!*files)
            abort();
        (*files)[(*n)++] = path;
    }
    closedir(d);
    qsort(*files + first, *n - first, sizeof(**files), cmp_str);
}

/* Run the target on one file; 0 when it returned normally. */
static int replay_one(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data;
    size_t n;

    if (!f)
        return -1;
    data = malloc(REPLAY_MAX_BYTES);
    if (!data) {
        fclose(f);
        return -1;
    }
    n = fread(data, 1, REPLAY_MAX_BYTES, f);
    fclose(f);
    /* A copy of exactly n bytes, as libFuzzer gives: a read past the end
     * is a heap overflow the sanitizers and valgrind see. */
    {
        uint8_t *exact = malloc(n ? n : 1);

        if (!exact) {
            free(data);
            return -1;
        }
        memcpy(exact, data, n);
        free(data);
        LLVMFuzzerTestOneInput(exact, n);
        free(exact);
    }
    return 0;
}

int main(void)
{
    const char *top = getenv("VM_TOP_SRCDIR");
    bool nofork = getenv("CK_FORK") && strcmp(getenv("CK_FORK"), "no") == 0;
    char *dirs[2];
    char **files = NULL;
    size_t n = 0, i;
    int failed = 0;

    if (!top)
        top = ".";
    if (asprintf(&dirs[0], "%s/fuzz/corpus/%s", top, FUZZ_NAME) < 0 ||
        asprintf(&dirs[1], "%s/fuzz/regress/%s", top, FUZZ_NAME) < 0)
        abort();
    list_files(dirs[0], &files, &n);
    list_files(dirs[1], &files, &n);
    if (n == 0) {
        printf("Bail out! no corpus in %s\n", dirs[0]);
        return 1;
    }
    printf("1..%zu\n", n);
    fflush(stdout);
    for (i = 0; i < n; i++) {
        const char *rel = files[i] + strlen(top) + 1;
        int ok;

        if (nofork) {
            /* Under valgrind (CK_FORK=no, like the Check suites): one
             * process, a crash ends the run and the driver counts it. */
            ok = replay_one(files[i]) == 0;
        } else {
            pid_t pid = fork();
            int st = 0;

            if (pid < 0)
                abort();
            if (pid == 0)
                exit(replay_one(files[i]) == 0 ? 0 : 2); /* exit: LSan checks at exit */
            while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
            ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
        }
        printf("%sok %zu - %s\n", ok ? "" : "not ", i + 1, rel);
        fflush(stdout);
        failed += !ok;
        free(files[i]);
    }
    free(files);
    free(dirs[0]);
    free(dirs[1]);
    return failed ? 1 : 0;
}
