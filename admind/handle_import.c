/* SPDX-License-Identifier: GPL-2.0-or-later */
/* import: the client opens the files with its own rights and passes the
 * fds, so an admin can import only what they can read; the daemon never
 * opens a path a client names. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/proto.h"
#include "../policy/import.h"
#include "handle_args.h"
#include "handlers.h"
#include "render_ranges.h"

/* Far above any real subuid file (100,000 lines are about 2.5 MB); the
 * daemon holds a file in memory while it parses it. */
#define IMPORT_MAX_FILE_SIZE ((size_t) 64 * 1024 * 1024)

static void import_set_donep(import_set *s) {
        import_set_done(s);
}

typedef struct passed_file {
        id_kind kind;
        const char *name; /* for FILE:LINE messages */
        int fd;
} passed_file;

static int string_at(json_object *array, size_t i, size_t max_len, const char **ret) {
        json_object *v = json_object_array_get_idx(array, i);
        const char *s;

        if (!v || !json_object_is_type(v, json_type_string))
                return -EINVAL;
        s = json_object_get_string(v);
        if (s[0] == '\0' || (size_t) json_object_get_string_len(v) > max_len ||
            strlen(s) != (size_t) json_object_get_string_len(v))
                return -EINVAL;
        *ret = s;
        return 0;
}

/* "files" says what each passed fd is, "names" what to call it. */
static int parse_files(request_ctx *ctx, json_object *args, passed_file ret[PROTO_MAX_FDS], size_t *ret_n) {
        json_object *files, *names;
        size_t n;

        if (!json_object_object_get_ex(args, "files", &files) || !json_object_is_type(files, json_type_array) ||
            !json_object_object_get_ex(args, "names", &names) || !json_object_is_type(names, json_type_array)) {
                log_error("import: \"files\" and \"names\" must be arrays, one entry per passed file");
                return -EINVAL;
        }
        n = json_object_array_length(files);
        if (n != ctx->n_passed_fds || json_object_array_length(names) != n) {
                log_error("import: %zu files passed, but \"files\" names %zu and \"names\" %zu", ctx->n_passed_fds, n,
                          json_object_array_length(names));
                return -EINVAL;
        }
        for (size_t i = 0; i < n; i++) {
                const char *kind;

                if (string_at(files, i, 8, &kind) < 0 ||
                    (strcmp(kind, "subuid") != 0 && strcmp(kind, "subgid") != 0)) {
                        log_error("import: each entry of \"files\" must be \"subuid\" or \"subgid\"");
                        return -EINVAL;
                }
                if (string_at(names, i, PATH_MAX, &ret[i].name) < 0) {
                        log_error("import: each entry of \"names\" must be a non-empty path");
                        return -EINVAL;
                }
                ret[i].kind = strcmp(kind, "subuid") == 0 ? ID_KIND_UID : ID_KIND_GID;
                ret[i].fd = ctx->passed_fds[i];
        }
        *ret_n = n;
        return 0;
}

/* Reads a passed file whole, from its start, at most IMPORT_MAX_FILE_SIZE
 * bytes. Only a regular file: a pipe, socket or device could block the
 * daemon or never end. */
static int read_passed_file(const passed_file *p, char **ret, size_t *ret_len) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, size;
        struct stat st;

        if (fstat(p->fd, &st) < 0)
                return log_error_errno(negative_errno(), "import: cannot stat %s", p->name);
        if (!S_ISREG(st.st_mode)) {
                log_error("cannot import %s: not a regular file", p->name);
                return -EINVAL;
        }
        if ((uint64_t) st.st_size > IMPORT_MAX_FILE_SIZE) {
                log_error("cannot import %s: larger than %zu MiB", p->name, IMPORT_MAX_FILE_SIZE >> 20);
                return -EFBIG;
        }
        /* One byte more than the limit, to notice a file that grew. */
        size = (size_t) st.st_size + 1;
        buf = malloc(size);
        if (!buf)
                return log_error_errno(-ENOMEM, "cannot import %s", p->name);
        for (;;) {
                ssize_t k;

                if (len == size) {
                        char *bigger;

                        if (size > IMPORT_MAX_FILE_SIZE) {
                                log_error("cannot import %s: larger than %zu MiB", p->name,
                                          IMPORT_MAX_FILE_SIZE >> 20);
                                return -EFBIG;
                        }
                        size = size * 2 > IMPORT_MAX_FILE_SIZE + 1 ? IMPORT_MAX_FILE_SIZE + 1 : size * 2;
                        bigger = realloc(buf, size);
                        if (!bigger)
                                return log_error_errno(-ENOMEM, "cannot import %s", p->name);
                        buf = bigger;
                }
                k = pread(p->fd, buf + len, size - len, (off_t) len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return log_error_errno(negative_errno(), "cannot read %s", p->name);
                if (k == 0)
                        break;
                len += (size_t) k;
        }
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

static int parse_passed_file(import_set *set, const passed_file *p) {
        _cleanup_free_ char *buf = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        size_t len = 0;
        int r;

        r = read_passed_file(p, &buf, &len);
        if (r < 0)
                return r;
        f = fmemopen(buf, len, "r");
        if (!f)
                return log_error_errno(negative_errno(), "cannot import %s", p->name);
        return import_parse(set, f, p->name, p->kind);
}

/* One record per entry written, under the account it went to; refused
 * entries are counted in the request's own record when they stopped the
 * import. */
static void audit_imported(audit_event *ev, const import_set *set, const import_result *result,
                           bool skip_bad) {
        char why[256];

        for (size_t i = 0; result->changed && i < set->n_entries; i++) {
                const import_entry *e = &set->entries[i];
                size_t rec;

                if (e->state != IMPORT_RANGE && e->state != IMPORT_DELEGATION)
                        continue;
                rec = audit_add_record(ev, "import");
                if (rec == 0)
                        return;
                audit_set_acct(ev, rec, e->user.name);
                if (e->state == IMPORT_RANGE)
                        audit_add_range(ev, rec, e->kind, &e->range);
                else
                        audit_set_grp(ev, rec, e->group_name);
        }
        if (result->refused > 0 && !skip_bad) {
                snprintf(why, sizeof why, "%zu entries refused, nothing imported", result->refused);
                audit_set_failed(ev, 0, why);
        }
}

HANDLER(handle_import) {
        __attribute__((cleanup(import_set_donep))) import_set set = {};
        _cleanup_accounts_ accounts acc = {};
        passed_file files[PROTO_MAX_FDS];
        import_result result = {};
        bool skip_bad = false;
        size_t n = 0;
        int r;

        r = parse_files(ctx, args, files, &n);
        if (r < 0)
                return r;
        r = args_bool(args, "import", "skip_bad", &skip_bad);
        if (r < 0)
                return r;
        /* Files are read completely before anything is written: the
         * default sources are the very files the import re-exports. */
        for (size_t i = 0; i < n; i++) {
                r = parse_passed_file(&set, &files[i]);
                if (r < 0)
                        return r;
        }

        r = accounts_load_nss(&acc);
        if (r < 0)
                return r;
        r = policy_import(ctx->db, &set, &acc,
                          &(import_options) { .skip_bad = skip_bad, .admin_uid = (uint32_t) ctx->peer->uid },
                          ctx->export_paths, &result);
        if (r < 0)
                return r;
        audit_imported(ctx->audit, &set, &result, skip_bad);
        return args_reply(render_import(&set, &result), "import", ret_data);
}
