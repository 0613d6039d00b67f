#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Split a callgrind profile's instructions (Ir) by who is responsible.

    cgsplit.py CALLGRIND.OUT PROGRAM

PROGRAM is the path of the executable measured (the plugin, with the
project's library linked in statically, or the floor). Prints one line:

    total=N own=N libvirt=N libxml2=N other=N

own      instructions in PROGRAM itself, plus what it spent in libc/libm
         calls it made (string handling, malloc, printf: our choices),
         minus the callbacks libc made back into PROGRAM (qsort comparators)
         so they are not counted twice;
libvirt  inclusive cost of PROGRAM's calls into libvirt.so (everything
         libvirt did for us, its own libxml2 and libc use included);
libxml2  PROGRAM's direct calls into libxml2 (the plugins parse domain XML);
other    the rest: the dynamic loader, library constructors, exit handlers.
"""
import os
import re
import sys


def main():
    path, prog = sys.argv[1], os.path.realpath(sys.argv[2])
    names = {"ob": {}, "fl": {}, "fn": {}}
    cur_ob = None
    call_ob = None
    pending_call = False
    self_cost = {}
    calls = {}
    total = None
    ref = re.compile(r"^\((\d+)\)(?: (.*))?$")

    def name(kind, text):
        m = ref.match(text)
        if not m:
            return text
        if m.group(2) is not None:
            names[kind][m.group(1)] = m.group(2)
            return m.group(2)
        return names[kind].get(m.group(1), text)

    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            c = line[0]
            if c.isdigit() or c in "+-*":
                parts = line.split()
                if len(parts) < 2:
                    continue
                cost = int(parts[1])
                if pending_call:
                    # the cost line after calls= is that call's inclusive cost
                    key = (cur_ob, call_ob or cur_ob)
                    calls[key] = calls.get(key, 0) + cost
                    pending_call = False
                    call_ob = None
                else:
                    self_cost[cur_ob] = self_cost.get(cur_ob, 0) + cost
            elif line.startswith("ob="):
                cur_ob = name("ob", line[3:])
            elif line.startswith("cob="):
                call_ob = name("ob", line[4:])  # callee's object, for the next calls=
            elif line.startswith("calls="):
                pending_call = True
            elif line.startswith(("fl=", "fi=", "fe=")):
                name("fl", line[3:])
            elif line.startswith(("summary:", "totals:")):
                total = int(line.split()[1])

    def is_prog(ob):
        return ob is not None and os.path.realpath(ob) == prog

    def kind(ob):
        b = os.path.basename(ob or "")
        if is_prog(ob):
            return "prog"
        if b.startswith("libvirt.so") or b.startswith("libvirt-"):
            return "libvirt"
        if b.startswith("libxml2"):
            return "libxml2"
        if b.startswith(("libc.so", "libm.so", "libc-")):
            return "libc"
        return "x"

    own = sum(v for ob, v in self_cost.items() if is_prog(ob))
    lv = lx = 0
    for (caller, callee), v in calls.items():
        if is_prog(caller) and not is_prog(callee):
            k = kind(callee)
            if k == "libc":
                own += v
            elif k == "libvirt":
                lv += v
            elif k == "libxml2":
                lx += v
        elif kind(caller) == "libc" and is_prog(callee):
            own -= v  # callbacks from libc, already in PROGRAM's self cost
    if total is None:
        total = sum(self_cost.values())
    print("total=%d own=%d libvirt=%d libxml2=%d other=%d" % (total, own, lv, lx, total - own - lv - lx))


if __name__ == "__main__":
    main()
