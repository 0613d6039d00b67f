/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_vdisk --headroom against libvirt's test driver: the pool under an
 * image (tests/fixtures/storage.xml), the file system of an image outside
 * any pool (a real file in a folder the test makes), block and network
 * disks, and the libvirt calls it costs (none without --headroom). */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "ck_run.h"
#include "fsutil.h"
#include "plugin_run.h"

#define FAST "--no-state", vm_run_interval_arg(0.1)
#define POOL_FREE "91268055040" /* 85 GiB: storage.xml's 100 less its volumes' 15 */

#define SUITE_PLUGIN "check_vdisk"
#define SUITE_FIXTURE "storage.xml"
#include "plugin_suite.h"

/* Three images in pool images, whose folder does not exist here: the
 * pool's cached figures, read once, shared, said to be the pool's. */
START_TEST(pool_images)
{
    struct vm_run r;
    struct stat st;

    run(&r, ARGV("-U", fixture, "-a", "--headroom", FAST));
    ck_assert_int_eq(r.status, 0);
    vm_assert_has(r.out, "'db01:vda:headroom'=" POOL_FREE "B;;;0 'db01:vda:image_room'=0B;;;0 ");
    vm_assert_has(r.out, "'web01:vda:headroom'=" POOL_FREE "B;;;0 ");
    vm_assert_has(r.out, "[OK] db01:vda: ");
    vm_assert_has(r.out, "; headroom 85.0 GiB (85.0% of the host storage) free on pool images, "
                         "as of the pool's last refresh, the image can grow 0 B more itself (it "
                         "alone cannot fill the host storage); not growing, so not filling up; "
                         "host storage shared with db01:vdb, web01:vda (its free space is not "
                         "this disk's alone); measured over");
    vm_assert_has(r.out, "host storage shared with db01:vda, db01:vdb (its free");
    vm_assert_has(r.out, "[OK] db01:vdd: read ");
    vm_assert_has(r.out, "; no host path (a network disk): the free space of its storage is not "
                         "known here; measured");
    if (stat("/dev/loop0", &st) == 0 && S_ISBLK(st.st_mode))
        vm_assert_has(r.out, "; a block device: its size is known, the free space of the storage "
                             "under it (LVM, SAN) is not; measured");
    vm_assert_lacks(r.out, "db01:vdc:headroom");
    vm_assert_lacks(r.out, "db01:vdd:image_room");
    vm_assert_lacks(r.out, "host_free");
    vm_assert_lacks(r.out, "time_to_full"); /* the test driver's images do not grow */
    vm_run_free(&r);
}
END_TEST

/* Thresholds: on headroom in bytes and in % of the pool (85 GiB of 100
 * free; the images' own room, none, is not headroom), on a time to full
 * that an image which does not grow never reaches, on a disk that has no
 * headroom figure. */
static const struct vm_run_case room_th[] = {
    {{"-c", "headroom=90GiB:"},
     2,
     "VDISK CRITICAL - 3 CRITICAL: db01:vda (headroom 85.0 GiB), db01:vdb (headroom 85.0 GiB), "
     "web01:vda (headroom 85.0 GiB); 2 OK | ",
     NULL},
    {{"-w", "headroom=90%:"}, 1, "VDISK WARNING - 3 WARNING: db01:vda (headroom 85.0 GiB), ", NULL},
    {{"-c", "headroom=1GiB:", "-w", "headroom=80%:"}, 0, "VDISK OK - 5 disks OK | ", NULL},
    {{"-w", "headroom=0:"}, 0, "VDISK OK - 5 disks OK | ", "not applied"},
    {{"-c", "time_to_full=4h:"}, 0, "VDISK OK - 5 disks OK | ", "not applied"},
    {{"-c", "time_to_full=90min:", "-w", "time_to_full=1d:"},
     0,
     "VDISK OK - 5 disks OK | ",
     "not applied"},
    {{"--device", "vdd", "-c", "headroom=1GiB:"},
     3,
     "VDISK UNKNOWN - threshold on headroom not applied: no disk reports it (only file images "
     "on a pool or file system have one); db01:vdd: ",
     NULL},
    {{"-c", "time_to_full=4w:"},
     3,
     "unknown unit 'w' (a time: s, min, h or d; a bare number is s)",
     NULL},
};

START_TEST(room_thresholds)
{
    vm_run_case_check(SUITE_PLUGIN, ARGV("-U", fixture, "-a", FAST), &room_th[_i], _i);
}
END_TEST

/* Two images in a real folder, a a volume of a pool on it whose figures
 * (85 GiB free of 100) are not the file system's, b in no pool: statvfs
 * of the folder, live, for both, one storage shared by the two disks,
 * free space as the test reads it around the run; the pool only names
 * a's. */
START_TEST(file_system)
{
    char dir[] = "/tmp/vm-room-XXXXXX", node[96], a[96], b[96], *xml, *uri, want[128];
    struct statvfs sv0, sv1;
    struct vm_run r;
    double lo, hi, got;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(a, sizeof(a), "%s/a.qcow2", dir);
    snprintf(b, sizeof(b), "%s/b.qcow2", dir);
    vm_fs_spit(a, "x", 1);
    vm_fs_spit(b, "y", 1);
    snprintf(node, sizeof(node), "%s/node.xml", dir);
    ck_assert_int_ne(asprintf(&xml,
                              "<node><domain type='test'><name>tmp01</name><memory>1048576"
                              "</memory><os><type>hvm</type></os><devices>"
                              "<disk type='file' device='disk'><source file='%s'/>"
                              "<target dev='vda'/></disk>"
                              "<disk type='file' device='disk'><source file='%s'/>"
                              "<target dev='vdb'/></disk></devices></domain>"
                              "<pool type='dir'><name>tmppool</name>"
                              "<uuid>33333333-3333-4333-8333-333333333334</uuid>"
                              "<capacity unit='GiB'>100</capacity>"
                              "<allocation unit='GiB'>15</allocation>"
                              "<available unit='GiB'>85</available>"
                              "<target><path>%s</path></target>"
                              "<volume type='file'><name>a.qcow2</name>"
                              "<capacity unit='GiB'>20</capacity>"
                              "<allocation unit='GiB'>5</allocation>"
                              "<target><path>%s</path></target></volume></pool></node>",
                              a, b, dir, a),
                     -1);
    vm_fs_spit(node, xml, strlen(xml));
    ck_assert_int_ne(asprintf(&uri, "test://%s", node), -1);
    ck_assert_int_eq(statvfs(dir, &sv0), 0);
    run(&r, ARGV("-U", uri, "-d", "tmp01", "--headroom", FAST));
    ck_assert_int_eq(statvfs(dir, &sv1), 0);
    ck_assert_int_eq(r.status, 0);
    /* others write to this file system meanwhile: between the two reads,
     * within a MiB */
    lo = (double)(sv0.f_bavail < sv1.f_bavail ? sv0.f_bavail : sv1.f_bavail) * sv0.f_frsize;
    hi = (double)(sv0.f_bavail > sv1.f_bavail ? sv0.f_bavail : sv1.f_bavail) * sv0.f_frsize;
    got = vm_perf_value(r.out, "tmp01:vda:headroom");
    ck_assert_msg(got >= lo - 1048576 && got <= hi + 1048576, "headroom %.0f, statvfs %.0f..%.0f",
                  got, lo, hi);
    ck_assert(vm_perf_value(r.out, "tmp01:vdb:headroom") == got);
    ck_assert(got != atof(POOL_FREE));
    snprintf(want, sizeof(want), " free on the file system of %s (pool tmppool), the image", dir);
    vm_assert_has(r.out, want);
    snprintf(want, sizeof(want), " free on the file system of %s, the image can grow", dir);
    vm_assert_has(r.out, want);
    vm_assert_lacks(r.out, "last refresh");
    vm_assert_has(r.out, "host storage shared with tmp01:vdb (its free space");
    vm_assert_has(r.out, "host storage shared with tmp01:vda (its free space");
    vm_run_free(&r);
    ck_assert_int_eq(vm_fs_rm_rf(dir), 0);
    free(xml);
    free(uri);
}
END_TEST

/* The libvirt calls named in libvirt's own log of a run. */
static unsigned count_calls(const char *const *argv, const char *fn)
{
    char dir[] = "/tmp/vm-room-XXXXXX", log[64], env[96], line[4096];
    unsigned n = 0;
    struct vm_run r;
    FILE *f;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(log, sizeof(log), "%s/libvirt.log", dir);
    snprintf(env, sizeof(env), "LIBVIRT_LOG_OUTPUTS=1:file:%s", log);
    vm_run_plugin(&r, SUITE_PLUGIN, argv, ARGV("LIBVIRT_LOG_FILTERS=1:libvirt 4:*", env));
    vm_run_free(&r);
    f = fopen(log, "r");
    ck_assert_ptr_nonnull(f);
    while (fgets(line, sizeof(line), f)) {
        const char *p = strstr(line, ": debug : ");

        n += p && strncmp(p + 10, fn, strlen(fn)) == 0 && p[10 + strlen(fn)] == ':';
    }
    fclose(f);
    ck_assert_int_eq(vm_fs_rm_rf(dir), 0);
    return n;
}

/* Without --headroom no storage call at all; with it one list of the
 * pools and one of each pool's volumes, however many images (no lookup
 * per image), and one read of the pool, which holds all three. */
START_TEST(calls_only_when_asked)
{
    ck_assert_uint_eq(count_calls(ARGV("-U", fixture, "-a", FAST), "virConnectListAllStoragePools"),
                      0);
    ck_assert_uint_eq(
        count_calls(ARGV("-U", fixture, "-a", "-w", "fill=90", FAST), "virStoragePoolGetInfo"), 0);
    ck_assert_uint_eq(
        count_calls(ARGV("-U", fixture, "-a", "--headroom", FAST), "virStorageVolLookupByPath"), 0);
    ck_assert_uint_eq(
        count_calls(ARGV("-U", fixture, "-a", "--headroom", FAST), "virConnectListAllStoragePools"),
        1);
    ck_assert_uint_eq(
        count_calls(ARGV("-U", fixture, "-a", "--headroom", FAST), "virStoragePoolListAllVolumes"),
        1);
    ck_assert_uint_eq(
        count_calls(ARGV("-U", fixture, "-a", "--headroom", FAST), "virStoragePoolGetInfo"), 1);
    ck_assert_uint_eq(count_calls(ARGV("-U", fixture, "-a", "-c", "time_to_full=1h:", FAST),
                                  "virStoragePoolGetInfo"),
                      1);
}
END_TEST

/* A plugin option is not part of the state key: the service with
 * --headroom and --device finds the sample of the one without them. */
START_TEST(options_share_state)
{
    char dir[] = "/tmp/vm-room-XXXXXX";
    struct vm_run r;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    vm_run_from_state(
        &r, SUITE_PLUGIN,
        ARGV("-U", fixture, "-d", "db01", "--state-dir", dir, vm_run_interval_arg(0.2)),
        ARGV("-U", fixture, "-d", "db01", "--state-dir", dir, "--headroom", "--device", "vda",
             "--interval=2", "--min-window=0.2"));
    vm_assert_has(r.out, "free on pool images");
    vm_run_free(&r);
    ck_assert_int_eq(vm_fs_rm_rf(dir), 0);
}
END_TEST

VM_CK_MAIN_TCASE("check_vdisk_room", "vdisk_room", 60, suite_setup, suite_teardown,
                 VM_CK_TEST(pool_images), VM_CK_LOOP(room_thresholds, VM_CK_N(room_th)),
                 VM_CK_TEST(file_system), VM_CK_TEST(calls_only_when_asked),
                 VM_CK_TEST(options_share_state))
