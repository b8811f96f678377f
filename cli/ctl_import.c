/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/proto.h"
#include "ctl_common.h"
#include "paths.h"

typedef struct source {
        const char *path;
        const char *kind; /* "subuid" / "subgid", as the protocol names the files */
        int fd;
} source;

/* The files are opened here, with the caller's own rights, and passed to
 * subid-admind: an admin imports only what they can read. A file named on
 * the command line must exist; a default one that does not simply has
 * nothing to import. Returns 1 when opened, 0 when skipped. */
static int open_source(source *s, bool is_default) {
        _cleanup_close_ int fd = -1;
        struct stat st;

        /* O_NONBLOCK: opening a FIFO must not hang; it is refused below. */
        fd = open(s->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                if (errno == ENOENT && is_default)
                        return 0;
                return log_error_errno(negative_errno(), "import: cannot open %s", s->path);
        }
        if (fstat(fd, &st) < 0)
                return log_error_errno(negative_errno(), "import: cannot stat %s", s->path);
        if (!S_ISREG(st.st_mode)) {
                log_error("cannot import %s: not a regular file", s->path);
                return -EINVAL;
        }
        s->fd = TAKE_FD(fd);
        return 1;
}

static void close_sources(source *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (s[i].fd >= 0)
                        close(s[i].fd);
}

static int build_args(const source *s, size_t n, bool skip_bad, json_object **ret) {
        json_object *args = NULL, *files = json_object_new_array(), *names = json_object_new_array();
        int r = 0;

        if (!files || !names || ctl_args_new(&args) < 0 || json_object_object_add(args, "files", files) < 0) {
                json_object_put(files);
                json_object_put(names);
                json_object_put(args);
                return log_error_errno(-ENOMEM, "cannot build the request");
        }
        if (json_object_object_add(args, "names", names) < 0) {
                json_object_put(names);
                r = -ENOMEM;
        }
        for (size_t i = 0; i < n && r >= 0; i++)
                if (json_object_array_add(files, json_object_new_string(s[i].kind)) < 0 ||
                    json_object_array_add(names, json_object_new_string(s[i].path)) < 0)
                        r = -ENOMEM;
        if (r < 0) {
                json_object_put(args);
                return log_error_errno(r, "cannot build the request");
        }
        if (skip_bad && ctl_args_add_bool(args, "skip_bad", true) < 0) {
                json_object_put(args);
                return -ENOMEM;
        }
        *ret = args;
        return 0;
}

/* "FILE:LINE: reason" per refused entry, as they come (file order). */
static int print_refusals(json_object *data, size_t *ret_n) {
        json_object *refused;
        size_t n, omitted;

        if (ctl_reply_array(data, "refused", &refused) < 0)
                return -EBADMSG;
        n = json_object_array_length(refused);
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(refused, i);
                const char *file, *reason;
                size_t line;

                if (ctl_reply_string(e, "file", &file) < 0 || ctl_reply_size(e, "line", &line) < 0 ||
                    ctl_reply_string(e, "reason", &reason) < 0)
                        return -EBADMSG;
                log_error("%s:%zu: %s", file, line, reason);
        }
        omitted = ctl_reply_optional_size(data, "refused_omitted");
        if (omitted > 0)
                log_error("... and %zu more refused %s, not listed", omitted, omitted == 1 ? "entry" : "entries");
        *ret_n = n + omitted;
        return 0;
}

static const char *plural(size_t n, const char *one, const char *many) {
        return n == 1 ? one : many;
}

static int print_summary(json_object *data, size_t refused) {
        json_object *imported;
        size_t uids, gids, dels, present, duplicates, reclaimed;

        if (!json_object_object_get_ex(data, "imported", &imported) ||
            ctl_reply_size(imported, "subuids", &uids) < 0 || ctl_reply_size(imported, "subgids", &gids) < 0 ||
            ctl_reply_size(imported, "delegations", &dels) < 0 || ctl_reply_size(data, "present", &present) < 0 ||
            ctl_reply_size(data, "duplicates", &duplicates) < 0 || ctl_reply_size(data, "reclaimed", &reclaimed) < 0)
                return -EBADMSG;
        printf("imported %zu subuid %s, %zu subgid %s, %zu %s; %zu already present", uids,
               plural(uids, "range", "ranges"), gids, plural(gids, "range", "ranges"), dels,
               plural(dels, "delegation", "delegations"), present);
        if (duplicates > 0)
                printf(", %zu duplicate %s skipped", duplicates, plural(duplicates, "line", "lines"));
        if (reclaimed > 0)
                printf(", %zu reclaimed from quarantine", reclaimed);
        if (refused > 0)
                printf(", %zu refused", refused);
        printf("\n");
        return 0;
}

int ctl_import(int argc, char **argv) {
        static const struct option options[] = {
                { "subuid", required_argument, NULL, 'u' },
                { "subgid", required_argument, NULL, 'g' },
                { "skip-bad", no_argument, NULL, 's' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_json_ json_object *data = NULL;
        json_object *args = NULL;
        const char *subuid = NULL, *subgid = NULL;
        source sources[2];
        int fds[2];
        size_t n = 0, refused = 0;
        bool skip_bad = false, defaults;
        int opt, r;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, ":h", options, NULL)) >= 0) {
                switch (opt) {
                case 'u':
                case 'g': {
                        const char **slot = opt == 'u' ? &subuid : &subgid;

                        if (*slot) {
                                log_error("option --%s given twice", opt == 'u' ? "subuid" : "subgid");
                                return 1;
                        }
                        if (optarg[0] == '\0') {
                                log_error("import: --%s needs a file name", opt == 'u' ? "subuid" : "subgid");
                                return 1;
                        }
                        *slot = optarg;
                        break;
                }
                case 's':
                        skip_bad = true;
                        break;
                case 'h':
                        ctl_usage(stdout);
                        return 0;
                default:
                        return ctl_option_error("import", argc, argv, opt);
                }
        }
        if (optind < argc) {
                log_error("import: unexpected argument '%s' (see subidctl --help)", argv[optind]);
                return 1;
        }

        defaults = !subuid && !subgid;
        if (defaults) {
                subuid = SUBID_SUBUID_PATH;
                subgid = SUBID_SUBGID_PATH;
        }
        const source wanted[] = { { subuid, "subuid", -1 }, { subgid, "subgid", -1 } };
        for (size_t i = 0; i < ELEMENTSOF(wanted); i++) {
                if (!wanted[i].path)
                        continue;
                sources[n] = wanted[i];
                r = open_source(&sources[n], defaults);
                if (r < 0) {
                        close_sources(sources, n);
                        return 1;
                }
                if (r > 0) {
                        fds[n] = sources[n].fd;
                        n++;
                }
        }

        r = build_args(sources, n, skip_bad, &args);
        if (r >= 0)
                r = ctl_request("import", args, fds, n, CTL_IMPORT_TIMEOUT_MS, &data);
        close_sources(sources, n);
        if (r < 0)
                return 1;

        if (print_refusals(data, &refused) < 0)
                return 1;
        if (refused > 0 && !skip_bad) {
                log_error("import refused: %zu bad %s, nothing imported (fix them, or use --skip-bad)", refused,
                          plural(refused, "entry", "entries"));
                return 1;
        }
        if (print_summary(data, refused) < 0 || ctl_flush("import") < 0)
                return 1;
        return refused > 0 ? 1 : 0;
}
