/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "import.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/grow.h"
#include "../common/log.h"
#include "../common/parse.h"
#include "db.h"
#include "grant.h"
#include "lookup.h"
#include "store.h"

/* Longer than any real entry (a 256-byte name and two 10-digit numbers). */
#define IMPORT_MAX_LINE 1024

/* Every allocation failure is logged where it happens, once. */
static int oom(void) {
        return log_error_errno(-ENOMEM, "cannot import");
}

static void import_entry_done(import_entry *e) {
        free(e->owner);
        account_user_done(&e->user);
        free(e->group_name);
        free(e->reason);
}

void import_set_done(import_set *s) {
        for (size_t i = 0; i < s->n_sources; i++)
                free(s->sources[i]);
        free(s->sources);
        for (size_t i = 0; i < s->n_entries; i++)
                import_entry_done(&s->entries[i]);
        free(s->entries);
        for (size_t i = 0; i < s->n_refusals; i++)
                free(s->refusals[i].reason);
        free(s->refusals);
        *s = (import_set) {};
}

/* A field quoted in a message, with control characters neutralised: the
 * text comes from a file that may be hostile to the admin's terminal. */
static void printable(const char *in, size_t len, char *out, size_t size) {
        size_t k = 0;

        for (size_t i = 0; i < len && k + 4 < size; i++)
                out[k++] = (unsigned char) in[i] < 0x20 || in[i] == 0x7f ? '?' : in[i];
        if (k + 4 >= size && len > k) {
                memcpy(out + k, "...", 3);
                k += 3;
        }
        out[k] = '\0';
}

static int add_refusal(import_set *s, size_t source, size_t line, char *reason) {
        int r = GROW(s->refusals, s->n_refusals, s->cap_refusals);

        if (r < 0) {
                free(reason);
                return oom();
        }
        s->refusals[s->n_refusals++] = (import_refusal) { source, line, reason };
        return 0;
}

static int refuse_line(import_set *s, size_t source, size_t line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static int refuse_line(import_set *s, size_t source, size_t line, const char *fmt, ...) {
        char *reason;
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vasprintf(&reason, fmt, ap);
        va_end(ap);
        if (k < 0)
                return oom();
        return add_refusal(s, source, line, reason);
}

static int parse_number_field(import_set *s, size_t source, size_t line, const char *what, const char *text,
                              size_t len, bool count, uint32_t *ret) {
        char buf[16], shown[40];
        int r;

        printable(text, len, shown, sizeof shown);
        if (len == 0 || len >= sizeof buf)
                return refuse_line(s, source, line, "invalid %s '%s'", what, shown);
        memcpy(buf, text, len);
        buf[len] = '\0';
        r = count ? parse_count(buf, ret) : parse_id(buf, ret);
        if (r == -ERANGE)
                return refuse_line(s, source, line, "%s '%s' is out of range", what, shown);
        if (r < 0)
                return refuse_line(s, source, line, "invalid %s '%s'", what, shown);
        return 1;
}

/* Parses one line (without its newline). Returns 0 (blank or refused) or
 * -ENOMEM (logged); appends an entry for a well-formed line. */
static int parse_line(import_set *s, size_t source, size_t line, id_kind kind, const char *text, size_t len) {
        const char *c1, *c2;
        char owner_shown[64];
        uint32_t first, count;
        id_range range;
        char *owner;
        int r;

        if (strspn(text, " \t") == len)
                return 0;
        if (memchr(text, '\0', len))
                return refuse_line(s, source, line, "malformed line: contains a NUL byte");
        if (len > IMPORT_MAX_LINE)
                return refuse_line(s, source, line, "malformed line: longer than %d bytes", IMPORT_MAX_LINE);

        c1 = memchr(text, ':', len);
        c2 = c1 ? memchr(c1 + 1, ':', len - (size_t) (c1 + 1 - text)) : NULL;
        if (!c1 || !c2 || memchr(c2 + 1, ':', len - (size_t) (c2 + 1 - text)))
                return refuse_line(s, source, line, "malformed line: expected OWNER:FIRST:COUNT");

        owner = strndup(text, (size_t) (c1 - text));
        if (!owner)
                return oom();
        printable(owner, strlen(owner), owner_shown, sizeof owner_shown);
        if (!policy_name_is_safe(owner)) {
                free(owner);
                return refuse_line(s, source, line, "malformed line: invalid owner '%s'", owner_shown);
        }

        r = parse_number_field(s, source, line, "first id", c1 + 1, (size_t) (c2 - c1 - 1), false, &first);
        if (r > 0)
                r = parse_number_field(s, source, line, "count", c2 + 1, len - (size_t) (c2 + 1 - text), true,
                                       &count);
        if (r <= 0) {
                free(owner);
                return r;
        }
        range = (id_range) { first, count };
        if (!range_is_valid(&range)) {
                free(owner);
                return refuse_line(s, source, line, "range %u+%u goes beyond the largest id %u", first, count,
                                   ID_MAX);
        }

        r = GROW(s->entries, s->n_entries, s->cap_entries);
        if (r < 0) {
                free(owner);
                return oom();
        }
        s->entries[s->n_entries++] = (import_entry) {
                .source = source,
                .line = line,
                .kind = kind,
                .owner = owner,
                .range = range,
                .state = IMPORT_PENDING,
        };
        return 0;
}

int import_parse(import_set *s, FILE *f, const char *source, id_kind kind) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, line = 0, src;
        ssize_t len;
        char *name;
        int r;

        r = GROW(s->sources, s->n_sources, s->cap_sources);
        if (r < 0)
                return oom();
        name = strdup(source);
        if (!name)
                return oom();
        src = s->n_sources;
        s->sources[s->n_sources++] = name;

        while ((len = getline(&buf, &size, f)) >= 0) {
                line++;
                if (len > 0 && buf[len - 1] == '\n')
                        len--;
                r = parse_line(s, src, line, kind, buf, (size_t) len);
                if (r < 0)
                        return r;
        }
        if (ferror(f))
                return log_error_errno(-EIO, "cannot read %s", source);
        return 0;
}

int import_parse_file(import_set *s, const char *path, id_kind kind) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_close_ int fd = -1;
        struct stat st;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                if (errno == ENOENT)
                        return -ENOENT;
                return log_error_errno(negative_errno(), "cannot open %s", path);
        }
        /* A FIFO or a device would block or never end. */
        if (fstat(fd, &st) < 0)
                return log_error_errno(negative_errno(), "cannot stat %s", path);
        if (!S_ISREG(st.st_mode)) {
                log_error("cannot import %s: not a regular file", path);
                return -EINVAL;
        }
        f = fdopen(fd, "r");
        if (!f)
                return log_error_errno(negative_errno(), "cannot read %s", path);
        TAKE_FD(fd);
        return import_parse(s, f, path, kind);
}

typedef struct import_ctx {
        sqlite3 *db;
        import_set *s;
        const accounts *acc;
        overlap_finder f;
        store_cache cache;
        const import_options *opts;
        int64_t now;
} import_ctx;

static int refuse_entry(import_entry *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Marks e refused with the first reason found; returns 0 or -ENOMEM (logged). */
static int refuse_entry(import_entry *e, const char *fmt, ...) {
        va_list ap;
        int k;

        if (e->state == IMPORT_REFUSED)
                return 0;
        va_start(ap, fmt);
        k = vasprintf(&e->reason, fmt, ap);
        va_end(ap);
        if (k < 0) {
                e->reason = NULL;
                return oom();
        }
        e->state = IMPORT_REFUSED;
        return 0;
}

static const char *kind_word(id_kind kind) {
        return kind == ID_KIND_UID ? "subuids" : "subgids";
}

/* count-1 subgid entries naming a group the owner belongs to are
 * delegations; one naming a group the owner is not in is refused. */
static int check_delegation(import_ctx *c, import_entry *e) {
        _cleanup_free_ char *group = NULL;
        int r;

        if (e->kind != ID_KIND_GID || e->range.count != 1)
                return 0;
        r = accounts_group_name(c->acc, e->range.first, &group);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return log_error_errno(r, "cannot look up gid %u", e->range.first);
        /* Names from NSS end up in messages and in the delegation row. */
        if (!policy_name_is_safe(group))
                return refuse_entry(e, "the name of group %u cannot be written in shadow format", e->range.first);
        r = accounts_user_in_group(c->acc, &e->user, e->range.first);
        if (r < 0)
                return log_error_errno(r, "cannot read the groups of %s", e->user.name);
        if (r == 0)
                return refuse_entry(e, "gid %u is group %s, and %s is not a member of it", e->range.first, group,
                                    e->user.name);
        e->group_name = TAKE_PTR(group);
        e->state = IMPORT_DELEGATION;
        return 0;
}

static int check_accounts(import_ctx *c, import_entry *e) {
        const id_set *taken = e->kind == ID_KIND_UID ? &c->acc->uids : &c->acc->gids;
        uint32_t id;

        if (!id_set_find_in_range(taken, &e->range, &id))
                return 0;
        _cleanup_free_ char *name = NULL;
        char shown[64] = "?";
        account_user u = {};

        if (e->kind == ID_KIND_UID) {
                if (accounts_user_by_uid(c->acc, id, &u) >= 0)
                        name = TAKE_PTR(u.name);
        } else
                (void) accounts_group_name(c->acc, id, &name);
        if (name)
                printable(name, strlen(name), shown, sizeof shown);
        return refuse_entry(e, "contains %s %u of existing %s %s", e->kind == ID_KIND_UID ? "uid" : "gid", id,
                            e->kind == ID_KIND_UID ? "user" : "group", shown);
}

/* Everything that can be decided from one entry and the accounts. */
static int check_entry(import_ctx *c, import_entry *e) {
        char shown[64];
        int r;

        r = accounts_resolve_user(c->acc, e->owner, &e->user);
        if (r == -ENOENT) {
                printable(e->owner, strlen(e->owner), shown, sizeof shown);
                return refuse_entry(e, "unknown user '%s'", shown);
        }
        if (r < 0)
                return log_error_errno(r, "cannot look up user %s", e->owner);
        e->resolved = true;
        if (!policy_name_is_safe(e->user.name))
                return refuse_entry(e, "the name of uid %u cannot be written in shadow format", e->user.uid);
        /* Host root must never be mappable through a subordinate range. */
        if (range_contains_id(&e->range, 0))
                return refuse_entry(e, "contains host id 0 (root)");
        r = check_delegation(c, e);
        if (r < 0 || e->state != IMPORT_PENDING)
                return r;
        return check_accounts(c, e);
}

static bool same_owner(const import_entry *a, const import_entry *b) {
        return a->resolved && b->resolved && a->user.uid == b->user.uid;
}

static bool same_range(const id_range *a, const id_range *b) {
        return a->first == b->first && a->count == b->count;
}

static int refuse_overlap(import_ctx *c, import_entry *e, const import_entry *other) {
        return refuse_entry(e, "overlaps the entry %s:%u:%u at %s:%zu", other->owner, other->range.first,
                            other->range.count, c->s->sources[other->source], other->line);
}

static int cmp_entry_range(const void *a, const void *b) {
        const import_entry *x = *(import_entry *const *) a, *y = *(import_entry *const *) b;

        if (x->kind != y->kind)
                return (x->kind > y->kind) - (x->kind < y->kind);
        if (x->range.first != y->range.first)
                return (x->range.first > y->range.first) - (x->range.first < y->range.first);
        if (x->range.count != y->range.count)
                return (x->range.count > y->range.count) - (x->range.count < y->range.count);
        return (x < y) ? -1 : (x > y); /* file order: the first copy stays */
}

/* Overlaps among the files' own entries: sorted by first, each entry is
 * compared with the earlier entry reaching furthest. Every entry taking part
 * in some overlap meets that entry or is that entry, so all are found in one
 * pass. */
static int check_file_overlaps(import_ctx *c) {
        _cleanup_free_ import_entry **order = NULL;
        size_t n = 0;
        int r;

        order = calloc(c->s->n_entries ? c->s->n_entries : 1, sizeof *order);
        if (!order)
                return oom();
        for (size_t i = 0; i < c->s->n_entries; i++)
                if (c->s->entries[i].state != IMPORT_DELEGATION)
                        order[n++] = &c->s->entries[i];
        if (n > 1)
                qsort(order, n, sizeof *order, cmp_entry_range);

        for (size_t i = 0, m = 0; i < n; i++) {
                import_entry *e = order[i], *reach = order[m];

                if (i == 0 || reach->kind != e->kind) {
                        m = i;
                        continue;
                }
                if ((uint64_t) e->range.first < range_end(&reach->range)) {
                        if (same_owner(e, reach) && same_range(&e->range, &reach->range)) {
                                if (e->state != IMPORT_REFUSED)
                                        e->state = IMPORT_DUPLICATE;
                        } else {
                                r = refuse_overlap(c, e, reach);
                                if (r >= 0)
                                        r = refuse_overlap(c, reach, e);
                                if (r < 0)
                                        return r;
                        }
                }
                if (range_end(&e->range) > range_end(&reach->range))
                        m = i;
        }
        return 0;
}

static int check_database_range(import_ctx *c, import_entry *e) {
        quarantine_row *pieces = NULL;
        size_t n = 0;
        range_row row;
        int r;

        r = overlap_find_range(&c->f, e->kind, &e->range, &row);
        if (r < 0)
                return r;
        if (r > 0) {
                if (row.owner_uid == e->user.uid && same_range(&row.range, &e->range))
                        e->state = IMPORT_PRESENT;
                else if (row.owner_uid == e->user.uid)
                        r = refuse_entry(e, "partly overlaps %s's %s %u-%u in the database", row.owner_name,
                                         kind_word(e->kind), row.range.first, range_last(&row.range));
                else
                        r = refuse_entry(e, "overlaps %s %u-%u of %s (uid %u) in the database", kind_word(e->kind),
                                         row.range.first, range_last(&row.range), row.owner_name, row.owner_uid);
                range_row_done(&row);
                return r < 0 ? r : 0;
        }

        r = overlap_find_quarantine(&c->f, e->kind, &e->range, &pieces, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r >= 0; i++)
                if (pieces[i].former_uid != e->user.uid)
                        r = refuse_entry(e, "overlaps quarantined %s %u-%u formerly of %s (uid %u)",
                                         kind_word(e->kind), pieces[i].range.first, range_last(&pieces[i].range),
                                         pieces[i].former_name, pieces[i].former_uid);
        quarantine_rows_free(pieces, n);
        if (r >= 0 && e->state == IMPORT_PENDING) {
                e->state = IMPORT_RANGE;
                e->reclaim = n > 0;
        }
        return r;
}

static int delegation_present(import_ctx *c, const import_entry *e) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, rc;

        r = policy_db_prepare(c->db, "SELECT 1 FROM delegations WHERE owner_uid = ?1 AND gid = ?2", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, e->user.uid);
        sqlite3_bind_int64(st, 2, e->range.first);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                return 1;
        if (rc != SQLITE_DONE)
                return policy_db_error(c->db, rc, "look up delegations");
        return 0;
}

static int cmp_entry_delegation(const void *a, const void *b) {
        const import_entry *x = *(import_entry *const *) a, *y = *(import_entry *const *) b;

        if (x->user.uid != y->user.uid)
                return (x->user.uid > y->user.uid) - (x->user.uid < y->user.uid);
        if (x->range.first != y->range.first)
                return (x->range.first > y->range.first) - (x->range.first < y->range.first);
        return (x < y) ? -1 : (x > y);
}

static int check_delegations(import_ctx *c) {
        _cleanup_free_ import_entry **order = NULL;
        size_t n = 0;
        int r;

        order = calloc(c->s->n_entries ? c->s->n_entries : 1, sizeof *order);
        if (!order)
                return oom();
        for (size_t i = 0; i < c->s->n_entries; i++)
                if (c->s->entries[i].state == IMPORT_DELEGATION)
                        order[n++] = &c->s->entries[i];
        if (n > 1)
                qsort(order, n, sizeof *order, cmp_entry_delegation);
        for (size_t i = 0; i < n; i++) {
                if (i > 0 && order[i - 1]->user.uid == order[i]->user.uid &&
                    order[i - 1]->range.first == order[i]->range.first) {
                        order[i]->state = IMPORT_DUPLICATE;
                        continue;
                }
                r = delegation_present(c, order[i]);
                if (r < 0)
                        return r;
                if (r > 0)
                        order[i]->state = IMPORT_PRESENT;
        }
        return 0;
}

static int cmp_refusal(const void *a, const void *b) {
        const import_refusal *x = a, *y = b;

        if (x->source != y->source)
                return (x->source > y->source) - (x->source < y->source);
        return (x->line > y->line) - (x->line < y->line);
}

static int validate(import_ctx *c) {
        int r;

        for (size_t i = 0; i < c->s->n_entries; i++) {
                r = check_entry(c, &c->s->entries[i]);
                if (r < 0)
                        return r;
        }
        r = check_file_overlaps(c);
        if (r < 0)
                return r;
        for (size_t i = 0; i < c->s->n_entries; i++) {
                import_entry *e = &c->s->entries[i];

                if (e->state != IMPORT_PENDING)
                        continue;
                r = check_database_range(c, e);
                if (r < 0)
                        return r;
        }
        return check_delegations(c);
}

static int collect_refusals(import_set *s) {
        int r;

        for (size_t i = 0; i < s->n_entries; i++) {
                import_entry *e = &s->entries[i];

                if (e->state != IMPORT_REFUSED)
                        continue;
                r = add_refusal(s, e->source, e->line, TAKE_PTR(e->reason));
                if (r < 0)
                        return r;
        }
        if (s->n_refusals > 1)
                qsort(s->refusals, s->n_refusals, sizeof *s->refusals, cmp_refusal);
        return 0;
}

static int write_range(import_ctx *c, import_entry *e, import_result *result) {
        quarantine_row *pieces = NULL;
        size_t n = 0;
        int r;

        if (e->reclaim) {
                /* Found again now: an earlier entry may have split the piece. */
                r = overlap_find_quarantine(&c->f, e->kind, &e->range, &pieces, &n);
                if (r < 0)
                        return r;
                r = quarantine_take(c->db, pieces, n, &e->range);
                quarantine_rows_free(pieces, n);
                if (r < 0)
                        return r;
                result->reclaimed++;
        }
        r = store_insert_range(c->db, &c->cache, e->kind, e->user.uid, e->user.name, &e->range, c->now, "import");
        if (r < 0)
                return r;
        result->ranges[e->kind]++;
        return 0;
}

static int write_entries(import_ctx *c, import_result *result) {
        int r = 0;

        for (size_t i = 0; i < c->s->n_entries && r >= 0; i++) {
                import_entry *e = &c->s->entries[i];

                if (e->state == IMPORT_RANGE)
                        r = write_range(c, e, result);
                else if (e->state == IMPORT_DELEGATION) {
                        r = store_insert_delegation(c->db, &c->cache, e->range.first, e->group_name, e->user.uid,
                                                    e->user.name, c->now, &c->opts->admin_uid);
                        if (r >= 0)
                                result->delegations++;
                }
        }
        return r;
}

int policy_import(sqlite3 *db, import_set *s, const accounts *acc, const import_options *opts,
                  const export_paths *paths, import_result *ret) {
        import_ctx c = { .db = db, .s = s, .acc = acc, .opts = opts, .now = (int64_t) time(NULL) };
        import_result result = {};
        size_t to_write = 0;
        int r;

        r = policy_db_begin(db);
        if (r < 0)
                return r;
        r = overlap_finder_init(db, &c.f);
        if (r < 0) {
                policy_db_rollback(db);
                return r;
        }
        r = validate(&c);
        if (r >= 0)
                r = collect_refusals(s);
        if (r < 0) {
                overlap_finder_done(&c.f);
                policy_db_rollback(db);
                return r;
        }

        for (size_t i = 0; i < s->n_entries; i++) {
                import_state st = s->entries[i].state;

                if (st == IMPORT_PRESENT)
                        result.present++;
                else if (st == IMPORT_DUPLICATE)
                        result.duplicates++;
                else if (st == IMPORT_RANGE || st == IMPORT_DELEGATION)
                        to_write++;
        }
        result.refused = s->n_refusals;

        /* All or nothing unless told otherwise; and nothing new means no
         * write at all, so re-importing our own export leaves even the
         * files' timestamps alone. */
        if ((result.refused > 0 && !opts->skip_bad) || to_write == 0) {
                overlap_finder_done(&c.f);
                policy_db_rollback(db);
                *ret = result;
                return 0;
        }

        r = write_entries(&c, &result);
        overlap_finder_done(&c.f);
        store_cache_done(&c.cache);
        if (r < 0) {
                policy_db_rollback(db);
                return r;
        }
        r = policy_commit_and_export(db, paths);
        if (r < 0)
                return r;
        result.changed = true;
        *ret = result;
        return 0;
}
