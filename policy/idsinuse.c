/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "idsinuse.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/grow.h"
#include "../common/log.h"
#include "../common/parse.h"

/* getgrouplist() needs a buffer guess; grow it this far and no further. */
#define MAX_GROUPS 65536

static int cmp_u32(const void *a, const void *b) {
        uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;

        return (x > y) - (x < y);
}

int id_set_from_array(const uint32_t *ids, size_t n, id_set *ret) {
        _cleanup_free_ uint32_t *copy = NULL;
        size_t k = 0;

        if (n > 0) {
                copy = malloc(n * sizeof *copy);
                if (!copy)
                        return -ENOMEM;
                memcpy(copy, ids, n * sizeof *copy);
                qsort(copy, n, sizeof *copy, cmp_u32);
                for (size_t i = 0; i < n; i++)
                        if (k == 0 || copy[k - 1] != copy[i])
                                copy[k++] = copy[i];
        }
        *ret = (id_set) { TAKE_PTR(copy), k };
        return 0;
}

void id_set_done(id_set *s) {
        free(s->ids);
        *s = (id_set) { NULL, 0 };
}

/* Index of the first id >= x (s->n when none). */
static size_t lower_bound(const id_set *s, uint32_t x) {
        size_t lo = 0, hi = s->n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (s->ids[mid] < x)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

bool id_set_contains(const id_set *s, uint32_t id) {
        size_t i = lower_bound(s, id);

        return i < s->n && s->ids[i] == id;
}

bool id_set_find_in_range(const id_set *s, const id_range *r, uint32_t *ret_id) {
        size_t i = lower_bound(s, r->first);

        if (i >= s->n || !range_contains_id(r, s->ids[i]))
                return false;
        if (ret_id)
                *ret_id = s->ids[i];
        return true;
}

void account_user_done(account_user *u) {
        free(u->name);
        u->name = NULL;
}

static int cmp_user_name(const void *a, const void *b) {
        const account_user *x = a, *y = b;
        int c = strcmp(x->name, y->name);

        if (c != 0)
                return c;
        return (x->uid > y->uid) - (x->uid < y->uid);
}

static int cmp_user_uid(const void *a, const void *b) {
        const account_user *x = *(account_user *const *) a, *y = *(account_user *const *) b;

        return (x->uid > y->uid) - (x->uid < y->uid);
}

static int cmp_group_gid(const void *a, const void *b) {
        const account_group *x = a, *y = b;

        return (x->gid > y->gid) - (x->gid < y->gid);
}

void accounts_done(accounts *a) {
        for (size_t i = 0; i < a->n_users; i++)
                free(a->users[i].name);
        for (size_t i = 0; i < a->n_groups; i++)
                free(a->groups[i].name);
        for (size_t i = 0; i < a->n_members; i++)
                free((char *) a->members[i].user);
        free(a->users);
        free(a->users_by_uid);
        free(a->groups);
        free(a->members);
        id_set_done(&a->uids);
        id_set_done(&a->gids);
        *a = (accounts) {};
}

/* Sorts the tables and derives the id sets; takes ownership of everything in a. */
static int accounts_index(accounts *a) {
        _cleanup_free_ uint32_t *ids = NULL;
        size_t n_ids = a->n_users > a->n_groups ? a->n_users : a->n_groups;
        int r;

        if (a->n_users > 0)
                qsort(a->users, a->n_users, sizeof *a->users, cmp_user_name);
        if (a->n_groups > 0)
                qsort(a->groups, a->n_groups, sizeof *a->groups, cmp_group_gid);

        a->users_by_uid = calloc(a->n_users ? a->n_users : 1, sizeof *a->users_by_uid);
        ids = calloc(n_ids ? n_ids : 1, sizeof *ids);
        if (!a->users_by_uid || !ids)
                return -ENOMEM;
        for (size_t i = 0; i < a->n_users; i++) {
                a->users_by_uid[i] = &a->users[i];
                ids[i] = a->users[i].uid;
        }
        if (a->n_users > 0)
                qsort(a->users_by_uid, a->n_users, sizeof *a->users_by_uid, cmp_user_uid);
        r = id_set_from_array(ids, a->n_users, &a->uids);
        if (r < 0)
                return r;
        for (size_t i = 0; i < a->n_groups; i++)
                ids[i] = a->groups[i].gid;
        return id_set_from_array(ids, a->n_groups, &a->gids);
}

/* A NULL from getpw*()/getgr*() means "none" only with one of these errnos;
 * anything else (EIO from an unreachable directory, ENOMEM) is a failure. */
static bool errno_means_not_found(int e) {
        return e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM;
}

static int load_users(accounts *a) {
        size_t capacity = 0;
        struct passwd *pw;
        int r = 0;

        setpwent();
        for (;;) {
                errno = 0;
                pw = getpwent();
                if (!pw) {
                        if (!errno_means_not_found(errno))
                                r = log_error_errno(negative_errno(), "cannot enumerate the user database");
                        break;
                }
                r = GROW(a->users, a->n_users, capacity);
                if (r < 0)
                        break;
                a->users[a->n_users].name = strdup(pw->pw_name);
                if (!a->users[a->n_users].name) {
                        r = -ENOMEM;
                        break;
                }
                a->users[a->n_users].uid = (uint32_t) pw->pw_uid;
                a->users[a->n_users].gid = (uint32_t) pw->pw_gid;
                a->n_users++;
        }
        endpwent();
        return r;
}

static int load_groups(accounts *a) {
        size_t capacity = 0;
        struct group *gr;
        int r = 0;

        setgrent();
        for (;;) {
                errno = 0;
                gr = getgrent();
                if (!gr) {
                        if (!errno_means_not_found(errno))
                                r = log_error_errno(negative_errno(), "cannot enumerate the group database");
                        break;
                }
                r = GROW(a->groups, a->n_groups, capacity);
                if (r < 0)
                        break;
                a->groups[a->n_groups].name = strdup(gr->gr_name);
                if (!a->groups[a->n_groups].name) {
                        r = -ENOMEM;
                        break;
                }
                a->groups[a->n_groups].gid = (uint32_t) gr->gr_gid;
                a->n_groups++;
        }
        endgrent();
        return r;
}

int accounts_load_nss(accounts *ret) {
        accounts a = { .nss = true };
        int r;

        r = load_users(&a);
        if (r >= 0)
                r = load_groups(&a);
        if (r >= 0)
                r = accounts_index(&a);
        if (r < 0) {
                accounts_done(&a);
                return r == -ENOMEM ? log_error_errno(r, "cannot load the user database") : r;
        }
        *ret = a;
        return 0;
}

static int copy_tables(const account_user *users, size_t n_users, const account_group *groups, size_t n_groups,
                       const account_member *members, size_t n_members, accounts *a) {
        a->users = calloc(n_users ? n_users : 1, sizeof *a->users);
        a->groups = calloc(n_groups ? n_groups : 1, sizeof *a->groups);
        a->members = calloc(n_members ? n_members : 1, sizeof *a->members);
        if (!a->users || !a->groups || !a->members)
                return -ENOMEM;
        for (; a->n_users < n_users; a->n_users++) {
                a->users[a->n_users] = users[a->n_users];
                a->users[a->n_users].name = strdup(users[a->n_users].name);
                if (!a->users[a->n_users].name)
                        return -ENOMEM;
        }
        for (; a->n_groups < n_groups; a->n_groups++) {
                a->groups[a->n_groups] = groups[a->n_groups];
                a->groups[a->n_groups].name = strdup(groups[a->n_groups].name);
                if (!a->groups[a->n_groups].name)
                        return -ENOMEM;
        }
        for (; a->n_members < n_members; a->n_members++) {
                a->members[a->n_members].gid = members[a->n_members].gid;
                a->members[a->n_members].user = strdup(members[a->n_members].user);
                if (!a->members[a->n_members].user)
                        return -ENOMEM;
        }
        return 0;
}

int accounts_from_tables(const account_user *users, size_t n_users, const account_group *groups, size_t n_groups,
                         const account_member *members, size_t n_members, accounts *ret) {
        accounts a = {};
        int r;

        r = copy_tables(users, n_users, groups, n_groups, members, n_members, &a);
        if (r >= 0)
                r = accounts_index(&a);
        if (r < 0) {
                accounts_done(&a);
                return r;
        }
        *ret = a;
        return 0;
}

static int user_copy(const char *name, uint32_t uid, uint32_t gid, account_user *ret) {
        char *copy = strdup(name);

        if (!copy)
                return -ENOMEM;
        *ret = (account_user) { copy, uid, gid };
        return 0;
}

static const account_user *find_user_by_name(const accounts *a, const char *name) {
        size_t lo = 0, hi = a->n_users;

        /* users are sorted by (name, uid): the first entry with this name. */
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (strcmp(a->users[mid].name, name) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo < a->n_users && strcmp(a->users[lo].name, name) == 0)
                return &a->users[lo];
        return NULL;
}

static const account_user *find_user_by_uid(const accounts *a, uint32_t uid) {
        size_t lo = 0, hi = a->n_users;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (a->users_by_uid[mid]->uid < uid)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo < a->n_users && a->users_by_uid[lo]->uid == uid)
                return a->users_by_uid[lo];
        return NULL;
}

static const account_group *find_group_by_gid(const accounts *a, uint32_t gid) {
        size_t lo = 0, hi = a->n_groups;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (a->groups[mid].gid < gid)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo < a->n_groups && a->groups[lo].gid == gid)
                return &a->groups[lo];
        return NULL;
}

int accounts_user_by_name(const accounts *a, const char *name, account_user *ret) {
        const account_user *u = find_user_by_name(a, name);
        struct passwd *pw;

        if (u)
                return user_copy(u->name, u->uid, u->gid, ret);
        if (!a->nss)
                return -ENOENT;
        errno = 0;
        pw = getpwnam(name);
        if (!pw)
                return errno_means_not_found(errno) ? -ENOENT : negative_errno();
        return user_copy(pw->pw_name, (uint32_t) pw->pw_uid, (uint32_t) pw->pw_gid, ret);
}

int accounts_user_by_uid(const accounts *a, uint32_t uid, account_user *ret) {
        const account_user *u = find_user_by_uid(a, uid);
        struct passwd *pw;

        if (u)
                return user_copy(u->name, u->uid, u->gid, ret);
        if (!a->nss)
                return -ENOENT;
        errno = 0;
        pw = getpwuid((uid_t) uid);
        if (!pw)
                return errno_means_not_found(errno) ? -ENOENT : negative_errno();
        return user_copy(pw->pw_name, (uint32_t) pw->pw_uid, (uint32_t) pw->pw_gid, ret);
}

int accounts_resolve_user(const accounts *a, const char *text, account_user *ret) {
        uint32_t uid;
        int r;

        r = accounts_user_by_name(a, text, ret);
        if (r != -ENOENT)
                return r;
        if (parse_id(text, &uid) < 0)
                return -ENOENT;
        return accounts_user_by_uid(a, uid, ret);
}

int accounts_group_name(const accounts *a, uint32_t gid, char **ret) {
        const account_group *g = find_group_by_gid(a, gid);
        struct group *gr;
        char *copy;

        if (g)
                copy = strdup(g->name);
        else if (!a->nss)
                return -ENOENT;
        else {
                errno = 0;
                gr = getgrgid((gid_t) gid);
                if (!gr)
                        return errno_means_not_found(errno) ? -ENOENT : negative_errno();
                copy = strdup(gr->gr_name);
        }
        if (!copy)
                return -ENOMEM;
        *ret = copy;
        return 0;
}

int accounts_group_by_name(const accounts *a, const char *name, account_group *ret) {
        struct group *gr;
        char *copy;

        /* Groups are indexed by gid; a lookup by name is rare (one per command). */
        for (size_t i = 0; i < a->n_groups; i++)
                if (strcmp(a->groups[i].name, name) == 0) {
                        copy = strdup(name);
                        if (!copy)
                                return -ENOMEM;
                        *ret = (account_group) { copy, a->groups[i].gid };
                        return 0;
                }
        if (!a->nss)
                return -ENOENT;
        errno = 0;
        gr = getgrnam(name);
        if (!gr)
                return errno_means_not_found(errno) ? -ENOENT : negative_errno();
        copy = strdup(gr->gr_name);
        if (!copy)
                return -ENOMEM;
        *ret = (account_group) { copy, (uint32_t) gr->gr_gid };
        return 0;
}

static int nss_user_in_group(const account_user *user, uint32_t gid) {
        int n = 64;

        for (;;) {
                _cleanup_free_ gid_t *groups = malloc((size_t) n * sizeof *groups);
                int want = n;

                if (!groups)
                        return -ENOMEM;
                if (getgrouplist(user->name, (gid_t) user->gid, groups, &want) >= 0) {
                        for (int i = 0; i < want; i++)
                                if ((uint32_t) groups[i] == gid)
                                        return 1;
                        return 0;
                }
                if (want <= n || want > MAX_GROUPS)
                        return -E2BIG;
                n = want;
        }
}

int accounts_user_in_group(const accounts *a, const account_user *user, uint32_t gid) {
        if (user->gid == gid)
                return 1;
        if (a->nss)
                return nss_user_in_group(user, gid);
        for (size_t i = 0; i < a->n_members; i++)
                if (a->members[i].gid == gid && strcmp(a->members[i].user, user->name) == 0)
                        return 1;
        return 0;
}
