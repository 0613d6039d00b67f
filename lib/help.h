/* SPDX-License-Identifier: GPL-3.0-or-later */
/* help: the --help, --version and usage text of a plugin, rendered into a
 * buffer for the plugin to print. Lines fit 80 columns and follow the
 * layout help2man reads (the man pages are made from --help). */
#ifndef VM_HELP_H
#define VM_HELP_H

#include "buf.h"
#include "cli.h"

void vm_help_render(const struct vm_plugin_def *p, struct vm_buf *out);
/* One line: plugin, package version, and the libvirt actually loaded. */
void vm_help_version(const struct vm_plugin_def *p, struct vm_buf *out);
/* The short "Usage: ..." line(s), for errors. */
void vm_help_usage(const struct vm_plugin_def *p, struct vm_buf *out);

#endif
