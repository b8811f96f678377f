/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "idmap.h"

int main(int argc, char **argv) {
        return idmap_main(ID_KIND_GID, argc, argv);
}
