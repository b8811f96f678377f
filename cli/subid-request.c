/* SPDX-License-Identifier: GPL-2.0-or-later */
/* subid-request: a user asks subid-admind for a group delegation or their
 * own range, or shows their status. (Filled in with the delegation work.) */
#include <stdio.h>

#include "../common/log.h"

int main(int argc, char **argv) {
        log_set_program("subid-request");
        log_error("not implemented yet");
        return 1;
}
