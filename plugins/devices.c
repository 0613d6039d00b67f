/* SPDX-License-Identifier: GPL-3.0-or-later */
/* devices: the per-device frame of check_vdisk and check_vnet. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "devices.h"

int vm_devsel_push(struct vm_devsel *s, const char *opt, const char *arg, struct vm_err *err)
{
    const char **p;

    if (!*arg)
        return vm_err_set(err, "invalid %s '': the name is empty", opt);
    p = vm_reallocarray(s->names, s->n + 1, sizeof(*p));
    if (!p)
        return vm_err_set(err, "out of memory");
    p[s->n++] = arg;
    s->names = p;
    return 0;
}

void vm_devsel_clear(struct vm_devsel *s)
{
    if (!s)
        return;
    free(s->names);
    s->names = NULL;
    s->n = 0;
}

static size_t devices_count(const struct vm_eval *ev, const struct vm_devices_ops *ops)
{
    return ops->kind == VM_DEVICES_BLOCK ? ev->cur->nblock : ev->cur->nnet;
}

const char *vm_devices_label(const struct vm_eval *ev, const struct vm_devices_ops *ops,
                             const struct vm_devsel *sel, const struct vm_domxml *x, size_t i)
{
    const char *dev;

    if (ops->kind == VM_DEVICES_BLOCK)
        return ev->cur->block[i].name;
    dev = ev->cur->net[i].name;
    return vm_dev_net_label(sel->label, dev, vm_dev_xml_iface(x, dev));
}

static bool devices_match(const struct vm_eval *ev, const struct vm_devices_ops *ops,
                          const struct vm_domxml *x, size_t i, const char *name)
{
    const char *dev;

    if (ops->kind == VM_DEVICES_BLOCK)
        return vm_dev_block_match(&ev->cur->block[i], name);
    dev = ev->cur->net[i].name;
    return vm_dev_net_match(dev, vm_dev_xml_iface(x, dev), name);
}

static bool devices_selected(const struct vm_eval *ev, const struct vm_devices_ops *ops,
                             const struct vm_devsel *sel, const struct vm_domxml *x, size_t i)
{
    for (size_t k = 0; k < sel->n; k++)
        if (devices_match(ev, ops, x, i, sel->names[k]))
            return true;
    return false;
}

/* Is device i checked? Named drives are checked even when empty: the user
 * asked. Counts the empty drives left out in *nskip. */
static bool devices_pick(const struct vm_eval *ev, const struct vm_devices_ops *ops,
                         const struct vm_devsel *sel, const struct vm_domxml *x, size_t i,
                         size_t *nskip)
{
    if (sel->n)
        return devices_selected(ev, ops, sel, x, i);
    if (ops->kind == VM_DEVICES_BLOCK &&
        vm_dev_block_empty(&ev->cur->block[i], vm_dev_xml_disk(x, ev->cur->block[i].name))) {
        (*nskip)++;
        return false;
    }
    return true;
}

/* Names of the domain's devices, for messages. */
static void devices_list(const struct vm_eval *ev, const struct vm_devices_ops *ops,
                         const struct vm_devsel *sel, const struct vm_domxml *x, struct vm_buf *out)
{
    size_t i, n = devices_count(ev, ops);

    for (i = 0; i < n; i++) {
        const char *l = vm_devices_label(ev, ops, sel, x, i);

        vm_buf_printf(out, "%s%s", i ? ", " : "", l ? l : "?");
    }
    if (n == 0)
        vm_buf_append(out, "none");
}

/* Nothing to check in this domain. Under --all that is a filter: the
 * domain is counted as skipped; named with -d it is UNKNOWN, saying why. */
static void devices_none(const struct vm_eval *ev, struct vm_report *rep,
                         const struct vm_devices_ops *ops, const struct vm_devsel *sel,
                         const struct vm_domxml *x, size_t nskip)
{
    struct vm_buf list = VM_BUF_INIT, want = VM_BUF_INIT, why = VM_BUF_INIT;
    size_t i;

    devices_list(ev, ops, sel, x, &list);
    for (i = 0; i < sel->n; i++)
        vm_buf_printf(&want, "%s%s", i ? ", " : "", sel->names[i]);
    if (ev->cli->all) {
        if (sel->n)
            vm_buf_printf(&why, "without %s %s", ops->noun, vm_buf_str(&want));
        else if (nskip)
            vm_buf_printf(&why, "with only empty removable drives");
        else
            vm_buf_printf(&why, "with no %s", ops->noun);
        vm_report_skip(rep, vm_buf_str(&why));
    } else if (sel->n)
        vm_eval_nodata(ev, rep, "no %s matches %s %s (%ss: %s)", ops->noun, ops->opt,
                       vm_buf_str(&want), ops->noun, vm_buf_str(&list));
    else if (nskip)
        vm_eval_nodata(ev, rep, "no %s to check: only %zu empty removable drive%s", ops->noun,
                       nskip, nskip == 1 ? "" : "s");
    else
        vm_eval_nodata(ev, rep, "libvirt reports no %ss for this domain", ops->noun);
    vm_buf_clear(&list);
    vm_buf_clear(&want);
    vm_buf_clear(&why);
}

/* With -d (not --all), a name that matches no device of the domain is a
 * mistake worth an UNKNOWN line; with --all it is a filter. */
static void devices_unmatched(const struct vm_eval *ev, struct vm_report *rep,
                              const struct vm_devices_ops *ops, const struct vm_devsel *sel,
                              const struct vm_domxml *x)
{
    size_t i, j, n = devices_count(ev, ops);

    if (ev->cli->all || ev->cli->ignore_nodata)
        return;
    for (i = 0; i < sel->n; i++) {
        struct vm_buf name = VM_BUF_INIT, list = VM_BUF_INIT;
        struct vm_item *it;

        for (j = 0; j < n; j++)
            if (devices_match(ev, ops, x, j, sel->names[i]))
                break;
        if (j < n)
            continue;
        vm_buf_printf(&name, "%s:%s", ev->name, sel->names[i]);
        devices_list(ev, ops, sel, x, &list);
        it = vm_report_add(rep, VM_UNKNOWN, vm_buf_str(&name));
        if (it) {
            vm_item_brief(it, "no such %s", ops->noun);
            vm_item_detail(it, "no %s with this %s (%ss: %s)", ops->noun, ops->what, ops->noun,
                           vm_buf_str(&list));
        }
        vm_buf_clear(&name);
        vm_buf_clear(&list);
    }
}

/* The item DOM:LABEL, OK until its metrics and notes say otherwise; with
 * no previous sample of the device, an UNKNOWN note first. NULL on
 * allocation failure. */
static struct vm_item *devices_item(const struct vm_eval *ev, struct vm_report *rep,
                                    const struct vm_devices_ops *ops, const struct vm_device *d)
{
    struct vm_buf name = VM_BUF_INIT;
    struct vm_item *it;

    vm_buf_printf(&name, "%s:%s", ev->name, d->label);
    it = vm_report_add(rep, VM_OK, vm_buf_str(&name));
    if (it && !d->prev_block && !d->prev_net)
        vm_item_note(it, VM_UNKNOWN, "no previous sample of this %s (new or hot-plugged)",
                     ops->noun);
    vm_buf_clear(&name);
    return it;
}

enum vm_status vm_devices_metric(struct vm_item *it, const struct vm_eval *ev,
                                 const struct vm_metric_def *defs, const char *dev,
                                 const char *metric, double v, const char *uom, int mi,
                                 bool show_only)
{
    const char *parts[] = {ev->name, dev, metric};

    return vm_eval_metric(it, ev, defs, dev ? parts : NULL, 3, v, uom, mi, NAN, show_only);
}

/* The device's raw counters as perfdata (UOM c), last: a budget trims from
 * the end, and a grapher can do without them where the rates are shown. */
static void devices_raw(const struct vm_eval *ev, const struct vm_device *d)
{
    struct vm_dev_raw raw[VM_DEV_MAX_RAW];
    size_t n = d->block ? vm_dev_block_raw(d->block, raw) : vm_dev_net_raw(d->net, raw);

    for (size_t k = 0; k < n; k++)
        vm_devices_metric(d->it, ev, NULL, d->label, raw[k].metric, (double)raw[k].value, "c", -1,
                          false);
}

void vm_devices_note_bps(struct vm_item *it, enum vm_status st, double Bps, const char *what)
{
    struct vm_buf h = VM_BUF_INIT;

    if (st == VM_OK)
        return;
    vm_human_rate(&h, Bps);
    vm_item_note(it, st, "%s %s", what, vm_buf_str(&h));
    vm_buf_clear(&h);
}

/* Brief: the notes' words when not OK, else the figures ("no figures"
 * when `one` gave none). Detail: `one`'s, "; domain is paused" when it
 * is, and where the pair comes from. */
static void devices_finish(const struct vm_eval *ev, const struct vm_device *d)
{
    struct vm_buf how = VM_BUF_INIT;
    struct vm_item *it = d->it;

    vm_item_brief(it, "%s",
                  it->why.len      ? vm_buf_str(&it->why)
                  : d->figures.len ? vm_buf_str(&d->figures)
                                   : "no figures");
    vm_pair_describe(&how, ev->pair);
    vm_item_detail(it, "%s%s; %s", vm_buf_str(&d->detail), ev->paused ? "; domain is paused" : "",
                   vm_buf_str(&how));
    vm_buf_clear(&how);
}

void vm_devices_evaluate(const struct vm_eval *ev, struct vm_report *rep,
                         const struct vm_devices_ops *ops, const struct vm_devsel *sel,
                         bool need_xml, bool quiet_nopair)
{
    const struct vm_rate_pair *pr = ev->pair;
    const struct vm_domxml *x = NULL;
    struct vm_err xerr = {""};
    size_t i, n = devices_count(ev, ops), nsel = 0, nskip = 0;

    if (need_xml && n)
        x = vm_eval_domxml(ev, &xerr);
    /* What to check comes first: "no such disk" says more than "no pair of
     * samples" (a domain without devices has no counters to sample twice). */
    for (i = 0; i < n; i++)
        if (devices_pick(ev, ops, sel, x, i, &nskip))
            nsel++;
    if (nsel == 0) {
        devices_none(ev, rep, ops, sel, x, nskip);
        return;
    }
    if (!pr || !pr->prev) {
        if (!quiet_nopair)
            vm_eval_nodata(ev, rep, "no valid pair of samples: %s",
                           pr && pr->note ? pr->note : "no previous sample");
        return;
    }
    for (i = 0; i < n; i++) {
        struct vm_device d = {.i = i,
                              .label = vm_devices_label(ev, ops, sel, x, i),
                              .x = x,
                              .xml_err = need_xml && !x ? xerr.msg : NULL,
                              .figures = VM_BUF_INIT,
                              .detail = VM_BUF_INIT};
        char unnamed[32];

        if (!devices_pick(ev, ops, sel, x, i, &nskip))
            continue;
        if (!d.label) {
            snprintf(unnamed, sizeof(unnamed), "%s%zu", ops->unnamed, i);
            d.label = unnamed;
        }
        if (ops->kind == VM_DEVICES_BLOCK) {
            d.block = &ev->cur->block[i];
            d.prev_block = vm_stats_block_find(pr->prev, d.block->name, i);
        } else {
            d.net = &ev->cur->net[i];
            d.prev_net = vm_stats_net_find(pr->prev, d.net->name, i);
        }
        if (!(d.it = devices_item(ev, rep, ops, &d)))
            continue;
        ops->one(ev, &d);
        devices_raw(ev, &d);
        devices_finish(ev, &d);
        vm_buf_clear(&d.figures);
        vm_buf_clear(&d.detail);
    }
    if (sel->n)
        devices_unmatched(ev, rep, ops, sel, x);
}
