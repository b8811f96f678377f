/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <json-c/json.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>

#include "../policy/export.h"
#include "../policy/idsinuse.h"
#include "../policy/ranges.h"

/* subidctl commands (issue 3: direct database access as root). Each parses
 * its own options from argv (argv[0] is the command name) and returns the
 * process exit status: 0, or 1 after printing one line naming the cause. */
int ctl_grant(int argc, char **argv);
int ctl_revoke(int argc, char **argv);
int ctl_list(int argc, char **argv);
int ctl_who_owns(int argc, char **argv);
int ctl_import(int argc, char **argv);

/* The usage text (stdout for --help, stderr after a usage error). */
void ctl_usage(FILE *f);

/* The compiled-in exported files. */
const export_paths *ctl_export_paths(void);

/* Opens the compiled-in policy database for writing (created if missing). */
int ctl_open_db(sqlite3 **ret);

/* Logs the getopt failure for argv (with opterr = 0 and a leading ':' in
 * the option string) and returns exit status 1. */
int ctl_option_error(const char *command, int argc, char **argv, int opt);

/* Parses a FIRST-LAST option argument; logs and returns -EINVAL/-ERANGE. */
int ctl_parse_range(const char *option, const char *arg, id_range *ret);

/* The same for an option that may appear once: *seen is set; a second
 * occurrence is an error. */
int ctl_parse_range_once(const char *option, const char *arg, bool *seen, id_range *ret);

/* Prints o (pretty, stable key order) followed by a newline. */
int ctl_print_json(json_object *o);

/* The common freeing of an accounts snapshot at scope end. */
static inline void accounts_donep(accounts *a) {
        accounts_done(a);
}
#define _cleanup_accounts_ __attribute__((cleanup(accounts_donep)))

static inline void account_user_donep(account_user *u) {
        account_user_done(u);
}
#define _cleanup_account_user_ __attribute__((cleanup(account_user_donep)))
