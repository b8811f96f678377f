/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Linked into every binary of a sanitizer build (make SANITIZE=...), never
 * into a release build. The helpers carry file capabilities: the kernel
 * sets AT_SECURE and they clear their environment, and the tests run them
 * through `setpriv --reset-env`, so ASAN_OPTIONS/UBSAN_OPTIONS from the
 * environment never reach them. The defaults are compiled in instead, and a
 * build for the integration tests (SANITIZER_LOG_DIR set by
 * check-sanitize) sends every report of every process to files there,
 * which tests/integration/run.sh checks after the run: a report from a
 * helper, the daemon or a CLI fails the check even when the test that
 * triggered it only looked at an exit status. */

/* Called by the sanitizer runtimes before main; no prototypes in a header. */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__lsan_default_options(void);

#ifdef SANITIZER_LOG_DIR
#define LOG ":log_path=" SANITIZER_LOG_DIR "/report"
#else
#define LOG ""
#endif

const char *__asan_default_options(void) {
        /* detect_leaks: LeakSanitizer makes even a non-dumpable helper
         * dumpable for its final scan. strict_string_checks and
         * detect_stack_use_after_return find more than the defaults. */
        return "detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1:"
               "check_initialization_order=1:handle_abort=1" LOG;
}

const char *__ubsan_default_options(void) {
        return "print_stacktrace=1:halt_on_error=1" LOG;
}

const char *__lsan_default_options(void) {
        return "" LOG;
}
