/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Replays files through a fuzz target without libFuzzer: each argument is
 * a file or a directory of files, each file one input. Built with the
 * sanitizers by `make check`, so every corpus and regression input is run
 * again on every check; a crash or sanitizer report fails it. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path, size_t *n) {
        FILE *f = fopen(path, "rbe");
        uint8_t *buf = NULL;
        size_t len = 0, cap = 0, k;

        if (!f) {
                fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
                return -1;
        }
        do {
                if (len == cap) {
                        uint8_t *p = realloc(buf, cap ? 2 * cap : 4096);

                        if (!p) {
                                free(buf);
                                fclose(f);
                                return -1;
                        }
                        buf = p;
                        cap = cap ? 2 * cap : 4096;
                }
                k = fread(buf + len, 1, cap - len, f);
                len += k;
        } while (k > 0);
        fclose(f);
        /* A copy of exactly len bytes, so ASan sees reads past the input. */
        uint8_t *exact = malloc(len ? len : 1);
        if (!exact) {
                free(buf);
                return -1;
        }
        memcpy(exact, buf, len);
        free(buf);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
        (*n)++;
        return 0;
}

static int replay_path(const char *path, size_t *n) {
        struct stat st;
        struct dirent **list;
        int k, r = 0;

        if (stat(path, &st) < 0) {
                fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
                return -1;
        }
        if (!S_ISDIR(st.st_mode))
                return replay_file(path, n);
        k = scandir(path, &list, NULL, alphasort);
        if (k < 0) {
                fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
                return -1;
        }
        for (int i = 0; i < k; i++) {
                char *sub;

                if (list[i]->d_name[0] != '.' && asprintf(&sub, "%s/%s", path, list[i]->d_name) >= 0) {
                        if (replay_path(sub, n) < 0)
                                r = -1;
                        free(sub);
                }
                free(list[i]);
        }
        free(list);
        return r;
}

int main(int argc, char **argv) {
        size_t n = 0;
        int r = 0;

        for (int i = 1; i < argc; i++)
                if (replay_path(argv[i], &n) < 0)
                        r = 1;
        printf("%s: %zu inputs replayed\n", argv[0], n);
        return r;
}
