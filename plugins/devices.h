/* SPDX-License-Identifier: GPL-3.0-or-later */
/* devices: the per-device frame that check_vdisk and check_vnet share.
 *
 * A device plugin's evaluate hands vm_devices_evaluate a small ops table;
 * the frame chooses the devices (the --device/--interface list, devices
 * the plugin skips such as empty drives), reads the domain XML when the
 * plugin says it needs it, answers "no such disk" / "no disk matches" /
 * "no valid pair of samples", and calls `one` per chosen device. `one`
 * builds its item with the helpers below: DOM:DEV naming, the previous
 * sample's "new or hot-plugged" note, perfdata, the summary's words and
 * the pair's description. This is plugin-side code (it words output). */
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

struct vm_devices_ops {
    enum vm_devices_kind kind;
    const char *noun;    /* "disk", "interface" */
    const char *opt;     /* "--device" */
    const char *unnamed; /* printf prefix of an unnamed device's name: "disk" gives "disk0" */
    const char *what;    /* how --device matches: "target or source path" */
    /* One chosen device i of ev->cur. x: the XML when the plugin needs it
     * (else NULL); xml_err: why the needed XML is missing, or NULL. */
    void (*one)(const struct vm_eval *ev, struct vm_report *rep, const struct vm_domxml *x,
                const char *xml_err, size_t i, const char *label);
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

/* The item DOM:LABEL, OK until its metrics and notes say otherwise; with
 * no previous sample of the device, an UNKNOWN note first. NULL on
 * allocation failure. */
struct vm_item *vm_devices_item(const struct vm_eval *ev, struct vm_report *rep,
                                const struct vm_devices_ops *ops, const char *label,
                                bool have_prev);

/* One figure of a device, judged against defs[mi]'s threshold (mi < 0:
 * none; show_only: shown, judged elsewhere), and in perfdata as
 * DOM:DEV:metric (dev NULL: judged only). Returns its state. */
enum vm_status vm_devices_metric(struct vm_item *it, const struct vm_eval *ev,
                                 const struct vm_metric_def *defs, const char *dev,
                                 const char *metric, double v, const char *uom, int mi,
                                 bool show_only);

/* The raw counters as perfdata (UOM c), last: a budget trims from the end. */
void vm_devices_raw(struct vm_item *it, const struct vm_eval *ev, const char *dev,
                    const struct vm_dev_raw *raw, size_t n);

/* The summary's words of a bytes-per-second figure that broke its
 * threshold: "read 1.50 MiB/s". */
void vm_devices_note_bps(struct vm_item *it, enum vm_status st, double Bps, const char *what);

/* Brief: the notes' words when not OK, else `figures`. Detail: `detail`,
 * "; domain is paused" when it is, and where the pair comes from. */
void vm_devices_finish(const struct vm_eval *ev, struct vm_item *it, const char *figures,
                       const char *detail);

#endif
