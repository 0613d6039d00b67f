/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fsutil: files and folders for the unit and integration tests. */
#include <config.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"

static int rm_failed;

/* Keeps walking after a failure, so that as much as can go goes. */
static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if ((flag == FTW_DP ? rmdir(path) : unlink(path)) != 0)
        rm_failed = 1;
    return 0;
}

int vm_fs_rm_rf(const char *path)
{
    struct stat st;

    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    rm_failed = 0;
    if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        return -1;
    return rm_failed ? -1 : 0;
}

char *vm_fs_slurp(const char *path, size_t *len)
{
    struct vm_buf b = VM_BUF_INIT;
    char chunk[4096], *text;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_NOFOLLOW);

    ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
    while ((n = read(fd, chunk, sizeof(chunk))) > 0)
        vm_buf_append_len(&b, chunk, (size_t)n);
    close(fd);
    ck_assert_msg(n == 0 && !b.oom, "read %s failed", path);
    if (len)
        *len = b.len;
    text = vm_buf_steal(&b);
    ck_assert_ptr_nonnull(text);
    return text;
}

void vm_fs_spit(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);

    ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
    ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
    close(fd);
}

int vm_fs_count_entries(const char *dir, const char *part)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            (!part || strstr(e->d_name, part)))
            n++;
    closedir(d);
    return n;
}
