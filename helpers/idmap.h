/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "../policy/ranges.h"

/* The whole of newuidmap (ID_KIND_UID) or newgidmap (ID_KIND_GID): returns
 * the process exit status, 0 or 1 as shadow's helpers do. */
int idmap_main(id_kind kind, int argc, char **argv);
