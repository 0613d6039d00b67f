/* SPDX-License-Identifier: GPL-3.0-or-later */
/* timeout: the -t deadline (see timeout.h for why this writes and exits). */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "timeout.h"

static char timeout_line[128];
static size_t timeout_len;
static int timeout_code = VM_UNKNOWN;

static void timeout_fire(int sig)
{
    ssize_t rc;

    (void)sig;
    rc = write(STDOUT_FILENO, timeout_line, timeout_len);
    (void)rc;
    _exit(timeout_code);
}

void vm_timeout_arm(unsigned seconds, const char *service, enum vm_status result)
{
    struct sigaction sa;
    int n;

    if (seconds == 0) {
        alarm(0);
        return;
    }
    n = snprintf(timeout_line, sizeof(timeout_line), "%s %s - timed out after %u s\n", service,
                 vm_status_name(result), seconds);
    timeout_len = n < 0 ? 0
                        : ((size_t)n < sizeof(timeout_line) ? (size_t)n : sizeof(timeout_line) - 1);
    timeout_code = (int)result;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = timeout_fire;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    alarm(seconds);
}
