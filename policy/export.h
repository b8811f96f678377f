/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stddef.h>

/* The shadow-format files podman, util-linux and shadow's own tools read:
 *
 *   subuid: NAME:FIRST:COUNT for every uid range, sorted by name then first
 *   subgid: the same for gid ranges, then NAME:GID:1 for every delegation
 *
 * Delegations come after all ranges because `unshare --map-auto` uses only
 * the first entry under a name: the user's own range must be that entry.
 *
 * Files are replaced atomically: a temp file in the same directory, mode
 * 0644, owned by root, labelled for SELinux as the final path would be,
 * written and fsynced, then renamed over the old file (kept as NAME-, as
 * shadow keeps /etc/subuid-) and the directory fsynced. */

typedef struct export_paths {
        const char *subuid;
        const char *subgid;
} export_paths;

/* Renders both files from what db shows now (inside a transaction: the
 * transaction's own changes). Refuses (-EBADMSG) an owner or group name
 * that would break the format. */
int export_render(sqlite3 *db, char **ret_subuid, size_t *ret_subuid_len, char **ret_subgid,
                  size_t *ret_subgid_len);

/* Two files written and fsynced under temp names, waiting to be renamed. */
typedef struct export_staged_file {
        int dirfd;
        char *path;     /* final path, for messages */
        char *name;     /* final name inside the directory */
        char *tmp_name; /* NULL once renamed or removed */
} export_staged_file;

typedef struct export_staged {
        export_staged_file files[2];
        int lockfd; /* the export lock, held until export_staged_done */
} export_staged;

/* Takes the export lock (flock on the directory of paths->subuid, created
 * if missing). Whoever renders holds it until the rename: a writer that
 * committed first then always renames first, and concurrent writers can
 * never leave an older state in the files. Lock order: the database write
 * lock may be held while waiting for this one, never the other way round. */
int export_lock(const export_paths *paths, int *ret_fd);

/* Takes the export lock, renders the export and writes it to temp files
 * next to the paths. */
int export_stage(sqlite3 *db, const export_paths *paths, export_staged *ret);
/* Renames the staged files over the final paths and fsyncs directories. */
int export_publish(export_staged *s);
/* Removes whatever is still staged and releases s (after publish too). */
void export_staged_done(export_staged *s);

/* Ends the write transaction open on db so that database and files agree:
 * stages the export of exactly the state about to be committed, commits,
 * then publishes. If staging or the commit fails, the transaction is rolled
 * back and the files are untouched. A failure to rename after the commit is
 * reported (the database is then ahead of the files until the next write
 * or `subidctl import` re-exports). */
int policy_commit_and_export(sqlite3 *db, const export_paths *paths);

/* Writes the files from the committed state (no write transaction). */
int policy_export(sqlite3 *db, const export_paths *paths);

/* 1 when both files hold exactly what the database exports now, 0 when
 * either differs (hand-edited, lost, or left behind by a crash between
 * commit and rename), -errno when they cannot be read. */
int export_is_current(sqlite3 *db, const export_paths *paths);
