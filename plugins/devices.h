/* SPDX-License-Identifier: GPL-3.0-or-later */
/* devices: the per-device frame that check_vdisk and check_vnet share.
 *
 * A device plugin's evaluate hands vm_devices_evaluate a small ops table;
 * the frame chooses the devices (the --device/--interface list, devices
 * the plugin skips such as empty drives), reads the domain XML when the
 * plugin says it needs it, answers "no such disk" / "no disk matches" /
 * "no valid pair of samples", and per chosen device makes its item
 * DOM:DEV (with the previous sample's "new or hot-plugged" note), has
 * `one` fill it (its figures, through the helpers below, and its words),
 * adds the raw counters last and sets the summary and the pair's
 * description. This is plugin-side code (it words output). */
#ifndef VM_PLUGIN_DEVICES_H
#define VM_PLUGIN_DEVICES_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "dev_calc.h"

/* The --device / --interface values, borrowed from argv (array owned),
 * and what names an interface (--label). */
struct vm_devsel {
    const char **names;
    size_t n;
    enum vm_dev_label label;
};

/* Add `arg` for option `opt` ("--device"); an empty name is an error. */
int vm_devsel_push(struct vm_devsel *s, const char *opt, const char *arg, struct vm_err *err);
void vm_devsel_clear(struct vm_devsel *s); /* NULL accepted */

/* Which devices of the stats: they differ in how they are named, matched
 * and skipped (vm_devices_label and the rules in dev_calc). */
enum vm_devices_kind {
    VM_DEVICES_BLOCK, /* named by target; --device: target or source path; empty drives skipped */
    VM_DEVICES_NET,   /* named per --label; --interface: host device, MAC or alias */
};

/* One chosen device, as the frame hands it to `one`. */
struct vm_device {
    size_t i; /* its index in ev->cur's block[] or net[] */
    /* Its stats, now and in the pair's previous sample (NULL: none, so no
     * rates): the block ones for a disk, the net ones for an interface. */
    const struct vm_block_stats *block, *prev_block;
    const struct vm_net_stats *net, *prev_net;
    const char *label;         /* its output name */
    const struct vm_domxml *x; /* the XML when the plugin needs it, else NULL */
    const char *xml_err;       /* why the needed XML is missing, or NULL */
    struct vm_item *it;        /* its item, OK so far */
    struct vm_buf figures;     /* `one` writes the summary's figures for an OK item */
    struct vm_buf detail;      /* and the long-output line */
};

struct vm_devices_ops {
    enum vm_devices_kind kind;
    const char *noun;    /* "disk", "interface" */
    const char *opt;     /* "--device" */
    const char *unnamed; /* printf prefix of an unnamed device's name: "disk" gives "disk0" */
    const char *what;    /* how --device matches: "target or source path" */
    /* Judge one chosen device into d->it, and word it (d->figures,
     * d->detail). */
    void (*one)(const struct vm_eval *ev, struct vm_device *d);
};

/* Evaluate one domain's devices. need_xml: the plugin needs the domain
 * XML (read once, only when the domain has devices). quiet_nopair: a
 * domain without a pair of samples already has its item. */
void vm_devices_evaluate(const struct vm_eval *ev, struct vm_report *rep,
                         const struct vm_devices_ops *ops, const struct vm_devsel *sel,
                         bool need_xml, bool quiet_nopair);

/* Device i's output name, NULL when it has none; x may be NULL. */
const char *vm_devices_label(const struct vm_eval *ev, const struct vm_devices_ops *ops,
                             const struct vm_devsel *sel, const struct vm_domxml *x, size_t i);

/* One figure of a device, judged against defs[mi]'s threshold (mi < 0:
 * none; show_only: shown, judged elsewhere), and in perfdata as
 * DOM:DEV:metric (dev NULL: judged only). Returns its state. */
enum vm_status vm_devices_metric(struct vm_item *it, const struct vm_eval *ev,
                                 const struct vm_metric_def *defs, const char *dev,
                                 const char *metric, double v, const char *uom, int mi,
                                 bool show_only);

/* The summary's words of a bytes-per-second figure that broke its
 * threshold: "read 1.50 MiB/s". */
void vm_devices_note_bps(struct vm_item *it, enum vm_status st, double Bps, const char *what);

#endif
