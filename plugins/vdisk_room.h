/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vdisk_room: the headroom part of a check_vdisk item (--headroom): how
 * much more a file image can grow before its host storage is full or it
 * reaches its virtual size, and how soon at its growth between the pair's
 * samples (dev_calc.h computes it from the stats and storage.h's figures).
 * Plugin-side code: it judges, adds perfdata and words the long output. */
#ifndef VM_PLUGIN_VDISK_ROOM_H
#define VM_PLUGIN_VDISK_ROOM_H

#include "devices.h"

/* Nothing when the run has no storage figures (ev->storage NULL: not
 * asked for). Else disk di of ev into item it: perfdata DOM:DEV:headroom
 * (B: the host storage's free space for the image to grow into,
 * thresholds defs[mi_room], which may be a percent of the host storage's
 * size), DOM:DEV:image_room (B: what the image itself can still grow)
 * and, while the host storage fills up, DOM:DEV:time_to_full (s: its free
 * space over the summed growth of the disks on it, thresholds
 * defs[mi_full]; a storage not filling up is judged as never full, with
 * no figure); a broken threshold's words for the summary; and the long
 * output's words appended to det: the headroom, where, the image's own
 * room, the growth and the time left, the disks sharing the host storage,
 * or what is not known and why. */
void vm_vdisk_room(struct vm_item *it, const struct vm_eval *ev, const struct vm_metric_def *defs,
                   int mi_room, int mi_full, const char *dev, size_t di, struct vm_buf *det);

#endif
