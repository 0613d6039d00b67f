/* SPDX-License-Identifier: GPL-3.0-or-later */
/* timeout: the -t deadline.
 *
 * A hung libvirtd accepts the connection and never answers; libvirt then
 * blocks without a limit and cannot be returned into. So this is the one
 * place in the library that writes and exits: the SIGALRM handler writes a
 * line prepared in advance ("<SERVICE> UNKNOWN - timed out after N s") with
 * write(2) and leaves with _exit(3), both async-signal-safe. */
#ifndef VM_TIMEOUT_H
#define VM_TIMEOUT_H

#include "status.h"

/* Arm a one-shot deadline `seconds` from now (0 disarms). */
void vm_timeout_arm(unsigned seconds, const char *service, enum vm_status result);

#endif
