/* SPDX-License-Identifier: GPL-2.0-or-later */
/* subid.conf parsing (policy/config.c). An accepted configuration must be
 * consistent, and writing it back out must parse to the same values. */
#include <string.h>

#include "../../policy/config.h"
#include "fuzz.h"

static void check_pool(uint32_t min, uint32_t max, uint32_t count) {
        FUZZ_ASSERT(min >= 1 && min <= max && count >= 1);
        FUZZ_ASSERT((uint64_t) count <= (uint64_t) max - min + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        subid_config c, again;
        char err[512] = "", text[1024];
        int r, k;

        /* Not NUL-terminated: the parser must stay within size bytes. */
        r = config_parse((const char *) data, size, "fuzz.conf", &c, err, sizeof err);
        if (r < 0) {
                FUZZ_ASSERT(r == -EINVAL && err[0] != '\0' && memchr(err, '\0', sizeof err));
                return 0;
        }
        check_pool(c.sub_uid_min, c.sub_uid_max, c.sub_uid_count);
        check_pool(c.sub_gid_min, c.sub_gid_max, c.sub_gid_count);
        FUZZ_ASSERT(c.auto_uid_min <= c.auto_uid_max);

        k = snprintf(text, sizeof text,
                     "sub_uid_min = %u\nsub_uid_max = %u\nsub_uid_count = %u\n"
                     "sub_gid_min = %u\nsub_gid_max = %u\nsub_gid_count = %u\n"
                     "auto_uid_min = %u\nauto_uid_max = %u\nself_service = %s\n",
                     c.sub_uid_min, c.sub_uid_max, c.sub_uid_count, c.sub_gid_min, c.sub_gid_max, c.sub_gid_count,
                     c.auto_uid_min, c.auto_uid_max, c.self_service ? "yes" : "no");
        FUZZ_ASSERT(k > 0 && (size_t) k < sizeof text);
        r = config_parse(text, (size_t) k, "again.conf", &again, err, sizeof err);
        /* Field by field: the struct's padding is indeterminate. */
        FUZZ_ASSERT(r == 0 && c.sub_uid_min == again.sub_uid_min && c.sub_uid_max == again.sub_uid_max &&
                    c.sub_uid_count == again.sub_uid_count && c.sub_gid_min == again.sub_gid_min &&
                    c.sub_gid_max == again.sub_gid_max && c.sub_gid_count == again.sub_gid_count &&
                    c.auto_uid_min == again.auto_uid_min && c.auto_uid_max == again.auto_uid_max &&
                    c.self_service == again.self_service);
        return 0;
}
