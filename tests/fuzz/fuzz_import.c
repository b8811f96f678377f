/* SPDX-License-Identifier: GPL-2.0-or-later */
/* subuid/subgid text as `subidctl import` reads it (policy/import.c:
 * import_parse). The first byte picks subuid or subgid; the rest is the
 * file. Every line ends up either as an entry or as a refusal, and every
 * entry is a well-formed, valid range under a safe owner name. */
#include <string.h>

#include "../../policy/import.h"
#include "../../policy/store.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        import_set s = {};
        id_kind kind;
        FILE *f;
        size_t lines = 0;
        int r;

        if (size < 1)
                return 0;
        kind = data[0] & 1 ? ID_KIND_GID : ID_KIND_UID;
        data++, size--;
        for (size_t i = 0; i < size; i++)
                lines += data[i] == '\n';
        if (size > 0 && data[size - 1] != '\n')
                lines++;

        /* fmemopen of size 0 fails with EINVAL; an empty file is /dev/null. */
        f = size > 0 ? fmemopen((void *) data, size, "r") : fopen("/dev/null", "re");
        if (!f)
                return 0;
        r = import_parse(&s, f, "fuzz", kind);
        fclose(f);
        FUZZ_ASSERT(r == 0 || r == -ENOMEM);

        FUZZ_ASSERT(s.n_sources == 1 && strcmp(s.sources[0], "fuzz") == 0);
        FUZZ_ASSERT(s.n_entries + s.n_refusals <= lines);
        for (size_t i = 0; i < s.n_entries; i++) {
                const import_entry *e = &s.entries[i];

                FUZZ_ASSERT(e->kind == kind && e->state == IMPORT_PENDING && e->source == 0);
                FUZZ_ASSERT(e->line >= 1 && e->line <= lines);
                FUZZ_ASSERT(range_is_valid(&e->range));
                FUZZ_ASSERT(policy_name_is_safe(e->owner) && !strchr(e->owner, ':') && !strchr(e->owner, '\n'));
        }
        for (size_t i = 0; i < s.n_refusals; i++) {
                const import_refusal *x = &s.refusals[i];

                FUZZ_ASSERT(x->line >= 1 && x->line <= lines && x->reason && x->reason[0]);
                /* Quoted file content is neutralised before it reaches a terminal. */
                for (const char *p = x->reason; *p; p++)
                        FUZZ_ASSERT((unsigned char) *p >= 0x20 && *p != 0x7f);
        }
        import_set_done(&s);
        return 0;
}
