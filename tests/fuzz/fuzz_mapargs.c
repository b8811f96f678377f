/* SPDX-License-Identifier: GPL-2.0-or-later */
/* newuidmap/newgidmap argv -> triples (helpers/mapargs.c) and the map text
 * written to the kernel (map_format). The input is the argv after the
 * target, arguments separated by NUL bytes as the kernel hands them over. */
#include <inttypes.h>
#include <string.h>

#include "../../helpers/mapargs.h"
#include "../../helpers/mapwrite.h"
#include "fuzz.h"

/* A few more than 340 extents' worth, so the limit itself is reached. */
#define MAX_ARGS (3 * MAP_MAX_EXTENTS + 6)

/* Accepted numbers are canonical: printing one back gives the argument. */
static void check_canonical(const char *arg, uint32_t v) {
        char buf[16];

        snprintf(buf, sizeof buf, "%" PRIu32, v);
        FUZZ_ASSERT(strcmp(buf, arg) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text, *argv[MAX_ARGS + 1];
        id_mapping *maps = NULL;
        size_t n = 0;
        char err[256] = "", buf[4096];
        int argc = 0, r;

        text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        /* Split at NUL; an empty input is argc 0. */
        for (size_t pos = 0; size > 0 && pos <= size && argc < MAX_ARGS;) {
                argv[argc++] = text + pos;
                pos += strlen(text + pos) + 1;
        }
        argv[argc] = NULL;

        r = mapargs_parse(argc, argv, &maps, &n, err, sizeof err);
        if (r < 0) {
                /* One printable line naming the reason. */
                FUZZ_ASSERT(r == -EINVAL || r == -ERANGE || r == -E2BIG);
                FUZZ_ASSERT(err[0] != '\0');
                for (const char *p = err; *p; p++)
                        FUZZ_ASSERT((unsigned char) *p >= 0x20 && *p != 0x7f);
                FUZZ_ASSERT(!maps);
        } else {
                FUZZ_ASSERT(argc % 3 == 0 && n == (size_t) argc / 3 && n >= 1 && n <= MAP_MAX_EXTENTS);
                for (size_t i = 0; i < n; i++) {
                        id_range u = { maps[i].upper, maps[i].count }, l = { maps[i].lower, maps[i].count };

                        check_canonical(argv[3 * i], maps[i].upper);
                        check_canonical(argv[3 * i + 1], maps[i].lower);
                        check_canonical(argv[3 * i + 2], maps[i].count);
                        FUZZ_ASSERT(range_is_valid(&u) && range_is_valid(&l));
                        for (size_t j = i + 1; j < n; j++) {
                                id_range u2 = { maps[j].upper, maps[j].count }, l2 = { maps[j].lower, maps[j].count };

                                FUZZ_ASSERT(!ranges_overlap(&u, &u2) && !ranges_overlap(&l, &l2));
                        }
                }
                /* What would be written: one line per mapping, within the limit. */
                r = map_format(maps, n, buf, sizeof buf);
                if (r >= 0) {
                        size_t lines = 0;

                        FUZZ_ASSERT((size_t) r < sizeof buf && buf[r] == '\0' && strlen(buf) == (size_t) r);
                        for (int i = 0; i < r; i++)
                                lines += buf[i] == '\n';
                        FUZZ_ASSERT(lines == n);
                } else
                        FUZZ_ASSERT(r == -E2BIG);
        }
        free(maps);
        free(text);
        return 0;
}
