/* SPDX-License-Identifier: GPL-3.0-or-later */
/* status: the four plugin states and how they combine. */
#ifndef VM_STATUS_H
#define VM_STATUS_H

enum vm_status {
    VM_OK = 0,
    VM_WARNING = 1,
    VM_CRITICAL = 2,
    VM_UNKNOWN = 3,
};

/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *vm_status_name(enum vm_status s);

/* Severity for "worst wins": OK < UNKNOWN < WARNING < CRITICAL, so one
 * domain without data never hides a real problem on another. */
int vm_status_rank(enum vm_status s);
enum vm_status vm_status_worst(enum vm_status a, enum vm_status b);

/* Parse "ok|warning|critical|unknown" (any case). Returns 0 or -1. */
int vm_status_parse(const char *text, enum vm_status *out);

#endif
