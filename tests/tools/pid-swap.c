/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pid-swap: makes the pid a helper was given name a different process than
 * the one it checked, for tests/integration/t_helper_adversarial.sh.
 *
 *   pid-swap FORM WHEN USER VICTIM HELPER UPPER LOWER COUNT...
 *
 * Runs as root inside a fresh pid namespace with its own /proc (unshare
 * -pf --mount-proc), where ns_last_pid lets it choose the next pid. The
 * target T is a process of USER in a new user namespace; the helper runs
 * as USER with target "T's pid" (FORM pid) or "fd:3" on T's /proc
 * directory (FORM fd). Then T is killed and reaped and its pid handed to
 * a new process V of user VICTIM, also in a new user namespace:
 *   WHEN before   before the helper is started;
 *   WHEN during   once the helper, traced, enters the openat() of
 *                 setgroups, uid_map or gid_map: after every check.
 * Prints "exit N" (or "signal N"), "victim PID" and V's uid_map, gid_map
 * and setgroups, one per line, blanks squeezed. The helper's stderr is
 * passed through. Exit status: 0 when the swap happened as described,
 * 2 when it could not be arranged. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what) {
        fprintf(stderr, "pid-swap: %s: %s\n", what, strerror(errno));
        exit(2);
}

static void become(const struct passwd *pw) {
        if (setgroups(0, NULL) < 0 || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
            setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
                die("cannot switch user");
}

/* A process of pw in a new user namespace (no maps yet) that lives until
 * killed. Returns once it is in its namespace. */
static pid_t spawn_target(const struct passwd *pw) {
        int p[2];
        char c;
        pid_t pid;

        if (pipe(p) < 0)
                die("pipe");
        pid = fork();
        if (pid < 0)
                die("fork");
        if (pid == 0) {
                become(pw);
                if (unshare(CLONE_NEWUSER) < 0)
                        die("unshare(CLONE_NEWUSER)");
                if (write(p[1], "r", 1) != 1)
                        die("write");
                for (;;)
                        pause();
        }
        close(p[1]);
        if (read(p[0], &c, 1) != 1)
                die("target did not start");
        close(p[0]);
        return pid;
}

static void kill_and_reap(pid_t pid) {
        (void) kill(pid, SIGKILL);
        (void) waitpid(pid, NULL, 0);
}

/* Kills T, then makes V the process with T's pid. */
static pid_t swap(pid_t t, const struct passwd *victim) {
        char buf[32];
        pid_t v;
        int fd;

        kill_and_reap(t);
        fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                die("open ns_last_pid");
        snprintf(buf, sizeof buf, "%d", (int) t - 1);
        if (write(fd, buf, strlen(buf)) < 0)
                die("write ns_last_pid");
        close(fd);
        v = spawn_target(victim);
        if (v != t) {
                fprintf(stderr, "pid-swap: the victim got pid %d, not %d\n", (int) v, (int) t);
                kill_and_reap(v);
                exit(2);
        }
        return v;
}

static void print_file(pid_t pid, const char *name) {
        char path[64], buf[8192];
        ssize_t n;
        int fd;

        snprintf(path, sizeof path, "/proc/%d/%s", (int) pid, name);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
        if (fd >= 0)
                close(fd);
        if (n < 0) {
                printf("%s: unreadable\n", name);
                return;
        }
        buf[n] = 0;
        /* blanks squeezed, as the tests compare them */
        printf("%s:", name);
        for (char *s = buf, prev = ' '; *s; prev = *s++)
                if (*s == ' ' || *s == '\n' || *s == '\t') {
                        if (prev != ' ' && prev != '\n' && prev != '\t')
                                putchar(' ');
                } else
                        putchar(*s);
        putchar('\n');
}

/* In the traced helper, at a syscall entry: is it openat() of a map file
 * or setgroups, the first step after all checks? */
static int at_map_open(pid_t h) {
        struct __ptrace_syscall_info info;
        char path[64] = "";
        struct iovec local, remote;
        const char *base;

        if (ptrace(PTRACE_GET_SYSCALL_INFO, h, (void *) sizeof info, &info) < 0)
                die("PTRACE_GET_SYSCALL_INFO");
        if (info.op != PTRACE_SYSCALL_INFO_ENTRY || info.entry.nr != SYS_openat)
                return 0;
        local = (struct iovec) { path, sizeof path - 1 };
        remote = (struct iovec) { (void *) (uintptr_t) info.entry.args[1], sizeof path - 1 };
        if (process_vm_readv(h, &local, 1, &remote, 1, 0) < 0)
                return 0; /* a short mapping at the end: not ours */
        base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        return strcmp(base, "uid_map") == 0 || strcmp(base, "gid_map") == 0 || strcmp(base, "setgroups") == 0;
}

int main(int argc, char **argv) {
        struct passwd *pw, *vpw, user, victim;
        pid_t t, v = 0, h;
        bool during, by_fd;
        char target[32];
        int status, dirfd = -1;

        if (argc < 9 || (strcmp(argv[1], "pid") != 0 && strcmp(argv[1], "fd") != 0) ||
            (strcmp(argv[2], "before") != 0 && strcmp(argv[2], "during") != 0)) {
                fprintf(stderr, "usage: pid-swap pid|fd before|during USER VICTIM HELPER UPPER LOWER COUNT...\n");
                return 2;
        }
        by_fd = strcmp(argv[1], "fd") == 0;
        during = strcmp(argv[2], "during") == 0;
        pw = getpwnam(argv[3]);
        if (!pw)
                die("no such user");
        user = *pw;
        vpw = getpwnam(argv[4]);
        if (!vpw)
                die("no such victim user");
        victim = *vpw;
        setvbuf(stdout, NULL, _IOLBF, 0);

        t = spawn_target(&user);
        if (by_fd) {
                snprintf(target, sizeof target, "/proc/%d", (int) t);
                dirfd = open(target, O_RDONLY | O_DIRECTORY);
                if (dirfd < 0)
                        die("open the target's /proc directory");
                snprintf(target, sizeof target, "fd:3");
        } else
                snprintf(target, sizeof target, "%d", (int) t);
        if (!during)
                v = swap(t, &victim);

        h = fork();
        if (h < 0)
                die("fork");
        if (h == 0) {
                if (dirfd >= 0 && dup2(dirfd, 3) < 0)
                        die("dup2");
                /* Traced while still root: the kernel grants the file
                 * capabilities at exec only if the tracer's credentials,
                 * taken here, are privileged. */
                if (during && ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
                        die("PTRACE_TRACEME");
                become(&user);
                argv[5 - 1] = argv[5];
                argv[5] = target;
                execv(argv[4], argv + 4);
                die("exec the helper");
        }
        if (dirfd >= 0)
                close(dirfd);

        if (during) {
                /* The exec stop, then syscall stops until the map open. */
                if (waitpid(h, &status, 0) < 0 || !WIFSTOPPED(status))
                        die("the helper did not stop at exec");
                if (ptrace(PTRACE_SETOPTIONS, h, NULL, (void *) (PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)) < 0)
                        die("PTRACE_SETOPTIONS");
                for (;;) {
                        if (ptrace(PTRACE_SYSCALL, h, NULL, NULL) < 0)
                                die("PTRACE_SYSCALL");
                        if (waitpid(h, &status, 0) < 0)
                                die("waitpid");
                        if (WIFEXITED(status) || WIFSIGNALED(status))
                                break;
                        if (WIFSTOPPED(status) && WSTOPSIG(status) == (SIGTRAP | 0x80) && at_map_open(h)) {
                                v = swap(t, &victim);
                                break;
                        }
                }
                if (v == 0) {
                        fprintf(stderr, "pid-swap: the helper ended before opening a map file\n");
                        kill_and_reap(t);
                        return 2;
                }
                if (ptrace(PTRACE_DETACH, h, NULL, NULL) < 0)
                        die("PTRACE_DETACH");
        }

        if (waitpid(h, &status, 0) < 0)
                die("waitpid");
        if (WIFEXITED(status))
                printf("exit %d\n", WEXITSTATUS(status));
        else
                printf("signal %d\n", WTERMSIG(status));
        printf("victim %d\n", (int) v);
        print_file(v, "uid_map");
        print_file(v, "gid_map");
        print_file(v, "setgroups");
        kill_and_reap(v);
        return 0;
}
