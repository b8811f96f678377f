/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's side of the protocol: one received message body through
 * proto_parse (common/proto.c), the envelope checks and handler lookup of
 * dispatch_request (admind/dispatch.c), and the checked argument getters
 * every handler uses (admind/handle_args.c).
 *
 * The peer is this process under a uid no account has, not an admin: admin
 * operations stop at the access check, and the operations any user may
 * call (ping, whoami, request, status) run and fail to find the account,
 * so nothing is ever written. Each input's reply must be a well-formed
 * envelope that fits in one message. */
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../admind/dispatch.h"
#include "../../admind/handle_args.h"
#include "../../common/cleanup.h"
#include "../../common/log.h"
#include "../../common/proto.h"
#include "fuzz.h"

static request_ctx *context(void) {
        static peer_identity peer;
        static subid_config config;
        static export_paths paths = { "/nonexistent/subuid", "/nonexistent/subgid" };
        static request_ctx ctx;
        static bool done;

        if (!done) {
                peer = (peer_identity) {
                        .pid = getpid(),
                        .uid = 4000000000u,
                        .gid = 4000000000u,
                        .pidfd = (int) syscall(SYS_pidfd_open, getpid(), 0),
                };
                config_defaults(&config);
                ctx = (request_ctx) {
                        .peer = &peer,
                        .is_admin = false,
                        .config = &config,
                        .export_paths = &paths,
                };
                log_set_program("fuzz_proto");
                done = true;
        }
        return &ctx;
}

/* Every getter, with the keys and bounds the handlers use. */
static void args_every_getter(json_object *args) {
        static const char *const strings[] = { "user", "group", "kind", "state", "policy", "reason" };
        static const char *const numbers[] = { "id", "count", "first" };
        static const char *const bools[] = { "force", "skip_bad", "dry_run" };
        static const char *const ranges[] = { "subuids", "subgids" };

        for (size_t i = 0; i < ELEMENTSOF(strings); i++) {
                const char *s = NULL;

                if (args_string(args, "fuzz", strings[i], ARGS_MAX_NAME, i == 0, &s) == 0)
                        FUZZ_ASSERT(s && s[0] && strlen(s) <= ARGS_MAX_NAME);
        }
        for (size_t i = 0; i < ELEMENTSOF(numbers); i++) {
                uint32_t v;

                if (args_u32(args, "fuzz", numbers[i], ID_MAX, false, &v) == 0)
                        FUZZ_ASSERT(v <= ID_MAX);
        }
        for (size_t i = 0; i < ELEMENTSOF(bools); i++) {
                bool b = false;

                (void) args_bool(args, "fuzz", bools[i], &b);
        }
        for (size_t i = 0; i < ELEMENTSOF(ranges); i++) {
                bool has;
                id_range r;

                if (args_range(args, "fuzz", ranges[i], &has, &r) == 0 && has)
                        FUZZ_ASSERT(range_is_valid(&r));
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        request_ctx *ctx = context();
        json_object *req = NULL, *reply, *ok, *args, *again = NULL;
        const char *text;
        size_t len;
        int r;

        if (size > PROTO_MAX_MESSAGE)
                return 0; /* proto_recv refuses these before parsing */
        r = proto_parse((const char *) data, size, &req);
        if (r < 0) {
                FUZZ_ASSERT(r == -EBADMSG || r == -ENOMEM);
                return 0;
        }
        FUZZ_ASSERT(json_object_is_type(req, json_type_object));

        /* What we accept, printed, is accepted again. (Printing is not
         * a fixpoint: json-c, not strict, reads "02e" as a double it
         * prints as 02, which it then reads as the int 2.) */
        text = json_object_to_json_string_length(req, JSON_C_TO_STRING_PLAIN, &len);
        FUZZ_ASSERT(text && proto_parse(text, len, &again) == 0);
        json_object_put(again);

        if (json_object_object_get_ex(req, "args", &args) && json_object_is_type(args, json_type_object))
                args_every_getter(args);

        reply = dispatch_request(ctx, req);
        FUZZ_ASSERT(reply && json_object_is_type(reply, json_type_object));
        FUZZ_ASSERT(json_object_object_get_ex(reply, "ok", &ok) && json_object_is_type(ok, json_type_boolean));
        text = json_object_to_json_string_length(reply, JSON_C_TO_STRING_PLAIN, &len);
        FUZZ_ASSERT(text && len <= PROTO_MAX_MESSAGE);
        json_object_put(reply);
        json_object_put(req);
        return 0;
}
