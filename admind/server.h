/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sqlite3.h>

#include "../policy/config.h"
#include "../policy/export.h"

/* Limits that keep one client from starving the others. */
#define SERVER_MAX_PEERS 1024
/* Connections one non-root uid may hold at once. */
#define SERVER_MAX_PEERS_PER_UID 128
#define SERVER_IDLE_TIMEOUT_MS 10000

typedef struct server_config {
        const char *socket_path;
        sqlite3 *db;
        const subid_config *config;
        const export_paths *export_paths;
} server_config;

/* Binds the socket (atomically: it appears only once it listens, so
 * "ready when the socket exists" holds), then serves until SIGTERM/SIGINT. */
int server_run(const server_config *config);
