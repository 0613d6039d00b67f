/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz_state: the state file reader (vm_statefile_parse) on any text.
 *
 * Input: one mode byte, then the file. Mode bit 0 appends a correct
 * checksum line ("end <fnv1a>"), so mutations reach the parser proper and
 * are not all stopped by the checksum; bit 1 passes plugin/URI/boot
 * metadata to compare with. A text that parses must format and parse back
 * to the same text. */
#include <config.h>

#include <inttypes.h>

#include "fuzz.h"
#include "roundtrip.h"
#include "statefile.h"

/* The file's checksum: FNV-1a 64, as statefile.c computes it. */
static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    while (n--) {
        h ^= (unsigned char)*p++;
        h *= 0x100000001b3ULL;
    }
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vm_state_meta m = {.plugin = "check_vcpu", .uri = "test:///default", .boot_id = "x"};
    struct vm_state_ring ring;
    const struct vm_snapshot *snaps[VM_STATE_RING_MAX];
    struct vm_buf text = VM_BUF_INIT;
    const char *why = NULL;
    struct vm_err err = {""};
    uint8_t mode;
    int rc;

    if (size < 1)
        return 0;
    mode = data[0];
    vm_buf_append_len(&text, (const char *)data + 1, size - 1);
    if (mode & 1)
        vm_buf_printf(&text, "end %016" PRIx64 "\n", fnv1a(text.s ? text.s : "", text.len));
    FUZZ_ASSERT(!text.oom);

    rc = vm_statefile_parse(text.s, text.len, (mode & 2) ? &m : NULL, &ring, &why, &err);
    FUZZ_ASSERT(rc >= -1 && rc <= 1);
    if (rc == 0) {
        FUZZ_ASSERT(why != NULL && *why);
        FUZZ_ASSERT(ring.n == 0 && ring.snap[0].dom == NULL);
    } else if (rc < 0) {
        FUZZ_ASSERT(err.msg[0] != '\0');
    } else {
        FUZZ_ASSERT(why == NULL);
        FUZZ_ASSERT(ring.n >= 1 && ring.n <= VM_STATE_RING_MAX);
        for (size_t k = 0; k < ring.n; k++)
            snaps[k] = &ring.snap[k];
        fuzz_statefile_roundtrip(snaps, ring.n, &m);
    }
    vm_state_ring_clear(&ring);
    vm_buf_clear(&text);
    return 0;
}
