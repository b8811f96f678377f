/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "login_defs.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "../common/parse.h"

#define MAX_VALUE 64

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

int login_defs_u32(const char *text, size_t len, const char *key, uint32_t *ret) {
        size_t key_len = strlen(key), pos = 0;
        char value[MAX_VALUE + 1];
        bool found = false;
        uint64_t u = 0;

        while (pos < len) {
                const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
                size_t n = nl ? (size_t) (nl - line) : len - pos, i = 0, v;

                pos += n + 1;
                while (i < n && is_blank(line[i]))
                        i++;
                if (n - i <= key_len || memcmp(line + i, key, key_len) != 0 || !is_blank(line[i + key_len]))
                        continue; /* another key, a comment, or KEY as a prefix of a longer one */
                i += key_len;
                while (i < n && is_blank(line[i]))
                        i++;
                for (v = 0; i < n && !is_blank(line[i]) && line[i] != '\r'; i++) {
                        if (v == MAX_VALUE)
                                return -EINVAL;
                        value[v++] = line[i];
                }
                value[v] = '\0';
                found = true;
                if (parse_u64_max(value, UINT32_MAX, &u) < 0)
                        return -EINVAL;
        }
        if (!found)
                return -ENOENT;
        *ret = (uint32_t) u;
        return 0;
}
