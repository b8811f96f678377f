/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../policy/ranges.h"

/* subidctl commands. Each parses its own options from argv (argv[0] is the
 * command name), sends one request to subid-admind (which decides whether
 * the caller may), and prints text rendered from the reply, or the reply
 * data with --json. Returns the process exit status: 0, or 1 after one
 * line naming the cause. */
int ctl_grant(int argc, char **argv);
int ctl_revoke(int argc, char **argv);
int ctl_list(int argc, char **argv);
int ctl_who_owns(int argc, char **argv);
int ctl_import(int argc, char **argv);

/* Reconciliation with the user database and the quarantine
 * (cli/ctl_sync.c, cli/ctl_quarantine.c). */
int ctl_sync(int argc, char **argv);
int ctl_quarantine(int argc, char **argv);

/* Explains why a user can or cannot run rootless containers
 * (cli/ctl_doctor.c). Exit status 1 when a check failed. */
int ctl_doctor(int argc, char **argv);

/* The audit trail of helper runs and admind changes, read locally through
 * libauparse (cli/ctl_log.c). */
int ctl_log(int argc, char **argv);

/* Group delegations and requests (cli/ctl_group*.c). ctl_delegate serves
 * `grant USER --group GROUP`: ctl_grant hands it its whole argv (getopt
 * reset with optind = 0). */
int ctl_delegate(int argc, char **argv);
int ctl_group(int argc, char **argv);
int ctl_requests(int argc, char **argv);
int ctl_approve(int argc, char **argv);
int ctl_reject(int argc, char **argv);

/* The usage text (stdout for --help, stderr after a usage error). */
void ctl_usage(FILE *f);

/* Logs the getopt failure for argv (with opterr = 0 and a leading ':' in
 * the option string) and returns exit status 1. */
int ctl_option_error(const char *command, int argc, char **argv, int opt);

/* The options of a command that takes only --json and --help. Returns 0
 * (with *ret_help set when the usage was printed: exit 0) or -EINVAL after
 * logging the bad option (exit 1). optind is left at the first operand. */
int ctl_parse_json_only(const char *command, int argc, char **argv, bool *ret_json, bool *ret_help);

/* Parses a FIRST-LAST option argument; logs and returns -EINVAL/-ERANGE. */
int ctl_parse_range(const char *option, const char *arg, id_range *ret);

/* The same for an option that may appear once: *seen is set; a second
 * occurrence is an error. */
int ctl_parse_range_once(const char *option, const char *arg, bool *seen, id_range *ret);

/* Prints o (pretty, stable key order) followed by a newline. */
int ctl_print_json(json_object *o);

/* Flushes stdout; logs "COMMAND: cannot write output" and returns -EIO
 * when that fails (a full disk, a closed pipe). */
int ctl_flush(const char *command);

/* ---- talking to subid-admind (cli/ctl_client.c) ---- */

/* How long to wait for an answer: a request is served in milliseconds
 * unless the daemon is busy with someone's import. */
#define CTL_TIMEOUT_MS (60 * 1000)
/* An import parses files of up to 64 MiB. */
#define CTL_IMPORT_TIMEOUT_MS (10 * 60 * 1000)

/* Connects to subid-admind at the compiled-in socket. When it is not
 * running, logs "subid-admind is not running ..." and returns -errno. */
int ctl_connect(int timeout_ms, int *ret_fd);

/* One request on connection fd: args is consumed (NULL for {}), fds go
 * along (SCM_RIGHTS). On an error reply logs its message and returns
 * -errno; *ret_data is set only on success. */
int ctl_call(int fd, const char *op, json_object *args, const int *fds, size_t n_fds, json_object **ret_data);

/* ctl_connect + ctl_call + close, for the commands of one request. args is
 * consumed whatever happens. */
int ctl_request(const char *op, json_object *args, const int *fds, size_t n_fds, int timeout_ms,
                json_object **ret_data);

/* The whole of a one-request command: sends op with args (consumed), then
 * prints the reply data as JSON or through render, and flushes stdout.
 * Returns the exit status: 0, or 1 after one line naming the cause. */
int ctl_run(const char *command, const char *op, json_object *args, bool json, int (*render)(json_object *data));

/* Request building: each returns 0 or -ENOMEM (logged). */
int ctl_args_new(json_object **ret);
int ctl_args_add_string(json_object *args, const char *key, const char *value);
int ctl_args_add_u32(json_object *args, const char *key, uint32_t value);
int ctl_args_add_bool(json_object *args, const char *key, bool value);
/* {"first": F, "count": C} */
int ctl_args_add_range(json_object *args, const char *key, const id_range *range);

/* Reply reading: a field that is missing or of the wrong type means the
 * daemon sent something this subidctl does not understand: logged as a
 * malformed answer, -EBADMSG. */
int ctl_reply_string(json_object *o, const char *key, const char **ret);
int ctl_reply_u32(json_object *o, const char *key, uint32_t *ret);
int ctl_reply_size(json_object *o, const char *key, size_t *ret);
int ctl_reply_bool(json_object *o, const char *key, bool *ret);
int ctl_reply_array(json_object *o, const char *key, json_object **ret);
/* An optional count: 0 when missing. */
size_t ctl_reply_optional_size(json_object *o, const char *key);
/* A range of a reply: "first" and "count" (range_last gives "last"). */
int ctl_reply_range(json_object *o, id_range *ret);
/* "uid" / "gid" as id_kind. */
int ctl_reply_kind(json_object *o, const char *key, id_kind *ret);
