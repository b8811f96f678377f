# subid — build, install, test.
#
#   make                      build into $(BUILDDIR)
#   make install              install (helpers get file capabilities, never setuid)
#   make check                unit + integration tests (as root: creates test users,
#                             namespaces; never touches the real /etc/subuid), fuzz
#                             corpus replay, and all of it again under ASan+UBSan
#   make fuzz                 fuzz each parser for FUZZ_SECONDS (clang libFuzzer)
#   make bench                helper latency against Debian's newuidmap
#   make deps                 install build and test dependencies (Debian, idempotent)
#
# Directory variables are compiled into the binaries: a privileged helper
# never takes a path from argv or the environment. Unlike the GNU defaults,
# SYSCONFDIR is /etc and LOCALSTATEDIR /var whatever PREFIX is, because the
# exported /etc/subuid and /etc/subgid are only useful at those paths.

PREFIX        ?= /usr/local
EXEC_PREFIX   ?= $(PREFIX)
BINDIR        ?= $(EXEC_PREFIX)/bin
SBINDIR       ?= $(EXEC_PREFIX)/sbin
LIBDIR        ?= $(EXEC_PREFIX)/lib
DATADIR       ?= $(PREFIX)/share
MANDIR        ?= $(DATADIR)/man
DOCDIR        ?= $(DATADIR)/doc/subid
SYSTEMDUNITDIR ?= $(LIBDIR)/systemd/system
# Where PAM looks for modules: Debian's is /lib/$(DEB_HOST_MULTIARCH)/security
# (e.g. make install PAMDIR=/lib/x86_64-linux-gnu/security).
PAMDIR        ?= $(LIBDIR)/security
SYSCONFDIR    ?= /etc
LOCALSTATEDIR ?= /var
RUNSTATEDIR   ?= /run
DESTDIR       ?=

BUILDDIR      ?= build
VERSION       := 0.1.0
# Whether subid-admind follows the user database when subid.conf does not
# say (auto_allocate); the test build says no, so tests that create accounts
# with a daemon running see them hold nothing unless they turn it on.
AUTO_ALLOCATE ?= yes

CC            ?= cc
PKG_CONFIG    ?= pkg-config
SETCAP        ?= setcap
INSTALL       ?= install

# Where `make check` installs a private copy built with its own paths.
CHECK_ROOT    ?= /tmp/subid-check

WARNINGS := -Wall -Wextra -Werror -Wformat=2 -Wformat-security -Wformat-nonliteral \
            -Wmissing-prototypes -Wstrict-prototypes -Wmissing-declarations -Wshadow \
            -Wpointer-arith -Wundef -Wvla -Wwrite-strings -Wnull-dereference \
            -Wimplicit-fallthrough -Wno-unused-parameter
HARDENING := -fstack-protector-strong -fstack-clash-protection -fcf-protection \
             -fPIE -D_FORTIFY_SOURCE=2 -fno-strict-overflow -fno-delete-null-pointer-checks
OPT       ?= -O2 -g

PKGS      := sqlite3 libcap json-c libselinux audit auparse
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

CPPFLAGS  += -D_GNU_SOURCE -I$(BUILDDIR) -Icommon
CFLAGS    ?=
CFLAGS    := -std=c11 $(OPT) $(WARNINGS) $(HARDENING) $(PKG_CFLAGS) -MMD -MP $(CFLAGS)
LDFLAGS   := -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack -Wl,--as-needed $(LDFLAGS)
LDLIBS    := $(PKG_LIBS) $(LDLIBS)

# A sanitizer build: make SANITIZE=address,undefined BUILDDIR=build/asan
# (check-sanitize does this). Every binary then links
# tests/sanitize/sanitizer_options.c, the runtime defaults compiled in (the
# capability helpers never see ASAN_OPTIONS); with SANITIZER_LOG_DIR every
# report goes to a file there. _FORTIFY_SOURCE's checked libc calls would
# bypass ASan's interceptors, so that build goes without.
SANITIZE  ?=
SANITIZER_LOG_DIR ?=
ifneq ($(SANITIZE),)
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS    := $(filter-out -D_FORTIFY_SOURCE=2,$(CFLAGS)) $(SAN_FLAGS)
LDFLAGS   += $(SAN_FLAGS)
SAN_OBJ   := $(BUILDDIR)/obj/tests/sanitize/sanitizer_options.o
endif

# ---- sources ---------------------------------------------------------------

CORE_SRCS    := $(wildcard common/*.c) $(wildcard policy/*.c)
HELPER_SRCS  := $(filter-out helpers/newuidmap.c helpers/newgidmap.c,$(wildcard helpers/*.c))
CLI_SRCS     := $(filter-out cli/subidctl.c cli/subid-request.c,$(wildcard cli/*.c))
ADMIND_SRCS  := $(filter-out admind/main.c,$(wildcard admind/*.c))
UNIT_SRCS    := $(wildcard tests/unit/test_*.c)

obj = $(patsubst %.c,$(BUILDDIR)/obj/%.o,$(1))

CORE_OBJS    := $(call obj,$(CORE_SRCS)) $(BUILDDIR)/obj/schema_sql.o
HELPER_OBJS  := $(call obj,$(HELPER_SRCS))
CLI_OBJS     := $(call obj,$(CLI_SRCS))
ADMIND_OBJS  := $(call obj,$(ADMIND_SRCS))
UNIT_BINS    := $(patsubst tests/unit/%.c,$(BUILDDIR)/tests/%,$(UNIT_SRCS))

BINS := $(BUILDDIR)/newuidmap $(BUILDDIR)/newgidmap $(BUILDDIR)/subid-admind
BINS += $(BUILDDIR)/subidctl $(BUILDDIR)/subid-request $(BUILDDIR)/pam_subid.so

# The libsubid provider (libsubid/, docs/libsubid.md) and the man pages
# (docs/man/NAME.SECTION.scd, every one built and installed by wildcard).
PROVIDER  := $(BUILDDIR)/libsubid_subid.so
MAN_SRCS  := $(wildcard docs/man/*.scd)
MAN_PAGES := $(patsubst docs/man/%.scd,$(BUILDDIR)/man/%,$(MAN_SRCS))
COMPLETIONS := $(wildcard completion/*)

# Small programs the integration tests drive (tests/tools/*.c), and
# libraries they preload (tests/tools/lib*.c, built as lib*.so).
TOOL_LIB_SRCS := $(wildcard tests/tools/lib*.c)
TOOL_SRCS := $(filter-out $(TOOL_LIB_SRCS),$(wildcard tests/tools/*.c))
TOOL_BINS := $(patsubst tests/tools/%.c,$(BUILDDIR)/tests/tools/%,$(TOOL_SRCS))
TOOL_LIBS := $(patsubst tests/tools/%.c,$(BUILDDIR)/tests/tools/%.so,$(TOOL_LIB_SRCS))

.PHONY: all install uninstall check check-unit check-integration check-install bench deps clean paths tools man \
        fuzz fuzz-bins fuzz-merge check-fuzz check-sanitize
all: $(BINS) $(PROVIDER) man

# ---- generated -------------------------------------------------------------

# paths.h is rewritten only when a directory variable changes, so switching
# configurations rebuilds exactly what embeds a path.
$(BUILDDIR)/paths.h: paths
	@mkdir -p $(BUILDDIR)
	@{ echo '/* generated by make: compiled-in paths */'; \
	   echo '#pragma once'; \
	   echo '#define SUBID_VERSION "$(VERSION)"'; \
	   echo '#define SUBID_SYSCONFDIR "$(SYSCONFDIR)"'; \
	   echo '#define SUBID_DB_PATH "$(LOCALSTATEDIR)/lib/subid/subid.db"'; \
	   echo '#define SUBID_SOCKET_PATH "$(RUNSTATEDIR)/subid/admind.sock"'; \
	   echo '#define SUBID_SUBUID_PATH "$(SYSCONFDIR)/subuid"'; \
	   echo '#define SUBID_SUBGID_PATH "$(SYSCONFDIR)/subgid"'; \
	   echo '#define SUBID_CONFIG_PATH "$(SYSCONFDIR)/subid/subid.conf"'; \
	   echo '#define SUBID_BINDIR "$(BINDIR)"'; \
	   echo '#define SUBID_AUTO_ALLOCATE_DEFAULT $(if $(filter yes,$(AUTO_ALLOCATE)),true,false)'; \
	 } > $@.tmp
	@cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp

$(BUILDDIR)/schema_sql.c: policy/schema.sql
	@mkdir -p $(BUILDDIR)
	@{ echo '/* generated from policy/schema.sql */'; \
	   echo 'extern const char policy_schema_sql[];'; \
	   echo 'const char policy_schema_sql[] ='; \
	   sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
	   echo ';'; } > $@

$(BUILDDIR)/obj/schema_sql.o: $(BUILDDIR)/schema_sql.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-variable-declarations -c -o $@ $<

# ---- objects and binaries ---------------------------------------------------

$(BUILDDIR)/obj/%.o: %.c | $(BUILDDIR)/paths.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILDDIR)/libcore.a: $(CORE_OBJS)
	$(AR) rcs $@ $^
$(BUILDDIR)/libhelpers.a: $(HELPER_OBJS)
	$(AR) rcs $@ $^
$(BUILDDIR)/libcli.a: $(CLI_OBJS)
	$(AR) rcs $@ $^
$(BUILDDIR)/libadmind.a: $(ADMIND_OBJS)
	$(AR) rcs $@ $^

# The helpers run on every container start, so they link a SQLite built for
# them (scripts/build-helper-sqlite.sh: Debian's own source, minus threads,
# extension loading, JSON...) and libcap (and libaudit, libcap-ng for the
# audit record) statically: 1.4x -> 1.1x of
# shadow's start-up (docs/benchmarks.md). The SQLite build is shared by every
# BUILDDIR of this tree. HELPER_LIBS=dynamic links them like everything else.
HELPER_LIBS ?= static
HELPER_SQLITE_DIR := $(CURDIR)/build/helper-sqlite
ifeq ($(HELPER_LIBS),static)
HELPER_SQLITE := $(HELPER_SQLITE_DIR)/libsqlite3-helper.a
HELPER_LDLIBS := -Wl,--gc-sections -Wl,-z,pack-relative-relocs $(HELPER_SQLITE) \
                 -Wl,-Bstatic -lcap -laudit -lcap-ng -Wl,-Bdynamic -lm -lz
else
HELPER_SQLITE :=
HELPER_LDLIBS := $(shell $(PKG_CONFIG) --libs sqlite3 libcap audit)
endif

$(HELPER_SQLITE_DIR)/libsqlite3-helper.a: scripts/build-helper-sqlite.sh
	@scripts/build-helper-sqlite.sh $(HELPER_SQLITE_DIR)

$(BUILDDIR)/newuidmap: $(BUILDDIR)/obj/helpers/newuidmap.o $(BUILDDIR)/libhelpers.a $(BUILDDIR)/libcore.a $(HELPER_SQLITE) $(SAN_OBJ)
	$(CC) $(LDFLAGS) -o $@ $(filter-out $(HELPER_SQLITE),$^) $(HELPER_LDLIBS)
$(BUILDDIR)/newgidmap: $(BUILDDIR)/obj/helpers/newgidmap.o $(BUILDDIR)/libhelpers.a $(BUILDDIR)/libcore.a $(HELPER_SQLITE) $(SAN_OBJ)
	$(CC) $(LDFLAGS) -o $@ $(filter-out $(HELPER_SQLITE),$^) $(HELPER_LDLIBS)
$(BUILDDIR)/subid-admind: $(BUILDDIR)/obj/admind/main.o $(BUILDDIR)/libadmind.a $(BUILDDIR)/libcore.a $(SAN_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILDDIR)/subidctl: $(BUILDDIR)/obj/cli/subidctl.o $(BUILDDIR)/libcli.a $(BUILDDIR)/libcore.a $(SAN_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILDDIR)/subid-request: $(BUILDDIR)/obj/cli/subid-request.o $(BUILDDIR)/libcli.a $(BUILDDIR)/libcore.a $(SAN_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# pam_subid.so is loaded into login programs: position-independent objects
# of its own, only the PAM entry points exported (pam/pam_subid.sym), and
# only the protocol code it needs (no logging to the host's stderr).
PAM_OBJS := $(BUILDDIR)/pic/pam/pam_subid.o $(BUILDDIR)/pic/common/proto.o $(BUILDDIR)/pic/common/errname.o \
            $(BUILDDIR)/pic/common/parse.o
$(BUILDDIR)/pam_subid.so: $(PAM_OBJS) pam/pam_subid.sym
	$(CC) -shared -Wl,-z,relro,-z,now -Wl,-z,noexecstack -Wl,--as-needed -Wl,-z,defs \
	  -Wl,--version-script=pam/pam_subid.sym -o $@ $(PAM_OBJS) -lpam $(shell $(PKG_CONFIG) --libs json-c)

$(BUILDDIR)/tests/tools/%: tests/tools/%.c $(BUILDDIR)/libcore.a $(SAN_OBJ) | $(BUILDDIR)/paths.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILDDIR)/tests/tools/%.so: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -shared -o $@ $<
tools: $(TOOL_BINS) $(TOOL_LIBS)

# The subid-libsubid-client test tool talks to shadow's libsubid.
$(BUILDDIR)/tests/tools/subid-libsubid-client: LDLIBS += -lsubid

# The provider is loaded into other programs, so its policy code is a second
# build of libcore as position-independent code, and a version script keeps
# everything but the shadow_subid_* entry points private.
# Never sanitized: they are loaded into programs without the ASan runtime.
PIC_CFLAGS    := $(filter-out -fPIE $(SAN_FLAGS),$(CFLAGS)) -fPIC
CORE_PIC_OBJS := $(patsubst %.c,$(BUILDDIR)/pic/%.o,$(CORE_SRCS)) $(BUILDDIR)/pic/schema_sql.o

$(BUILDDIR)/pic/%.o: %.c | $(BUILDDIR)/paths.h
	@mkdir -p $(dir $@)
	@echo "  CC PIC  $<"
	@$(CC) $(CPPFLAGS) $(PIC_CFLAGS) -c -o $@ $<
$(BUILDDIR)/pic/schema_sql.o: $(BUILDDIR)/schema_sql.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PIC_CFLAGS) -Wno-missing-variable-declarations -c -o $@ $<
$(BUILDDIR)/libcore-pic.a: $(CORE_PIC_OBJS)
	$(AR) rcs $@ $^
$(PROVIDER): $(BUILDDIR)/pic/libsubid/provider.o $(BUILDDIR)/libcore-pic.a libsubid/libsubid_subid.sym
	$(CC) -shared -Wl,-soname,libsubid_subid.so -Wl,--version-script=libsubid/libsubid_subid.sym \
	  -Wl,-z,relro,-z,now -Wl,-z,noexecstack -Wl,--as-needed -Wl,--no-undefined \
	  -o $@ $(filter %.o %.a,$^) $(PKG_LIBS)

# Man pages: scdoc sources, one page per binary and file.
man: $(MAN_PAGES)
# The pages name the paths this build compiles in (paths.h changes with them).
$(BUILDDIR)/man/%: docs/man/%.scd $(BUILDDIR)/paths.h
	@mkdir -p $(dir $@)
	sed -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@LOCALSTATEDIR@|$(LOCALSTATEDIR)|g' \
	    -e 's|@RUNSTATEDIR@|$(RUNSTATEDIR)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    $< | scdoc > $@.tmp && mv $@.tmp $@

# Unit tests link everything but the mains; cmocka's --wrap tricks are not used.
$(BUILDDIR)/tests/%: tests/unit/%.c $(BUILDDIR)/libadmind.a $(BUILDDIR)/libcli.a $(BUILDDIR)/libhelpers.a $(BUILDDIR)/libcore.a $(SAN_OBJ) | $(BUILDDIR)/paths.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes -Wno-missing-declarations $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

# ---- install ----------------------------------------------------------------

install: all
	$(INSTALL) -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR)
	$(INSTALL) -m 0755 $(BUILDDIR)/newuidmap $(DESTDIR)$(BINDIR)/newuidmap
	$(INSTALL) -m 0755 $(BUILDDIR)/newgidmap $(DESTDIR)$(BINDIR)/newgidmap
	$(SETCAP) cap_setuid,cap_audit_write+ep $(DESTDIR)$(BINDIR)/newuidmap
	$(SETCAP) cap_setgid,cap_audit_write+ep $(DESTDIR)$(BINDIR)/newgidmap
	$(INSTALL) -m 0755 $(BUILDDIR)/subid-admind $(DESTDIR)$(SBINDIR)/subid-admind
	$(INSTALL) -m 0755 $(BUILDDIR)/subidctl $(DESTDIR)$(SBINDIR)/subidctl
	$(INSTALL) -m 0755 $(BUILDDIR)/subid-request $(DESTDIR)$(BINDIR)/subid-request
	$(INSTALL) -d -m 0755 $(DESTDIR)$(LOCALSTATEDIR)/lib/subid
	$(INSTALL) -d -m 0755 $(DESTDIR)$(SYSTEMDUNITDIR)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@LOCALSTATEDIR@|$(LOCALSTATEDIR)|g' \
	    -e 's|@RUNSTATEDIR@|$(RUNSTATEDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' \
	    systemd/subid-admind.service.in > $(DESTDIR)$(SYSTEMDUNITDIR)/subid-admind.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/subid-admind.service
	$(INSTALL) -d -m 0755 $(DESTDIR)$(LIBDIR)/sysusers.d
	$(INSTALL) -m 0644 sysusers.d/subid.conf $(DESTDIR)$(LIBDIR)/sysusers.d/subid.conf
	$(INSTALL) -d -m 0755 $(DESTDIR)$(LIBDIR)
	$(INSTALL) -m 0644 $(PROVIDER) $(DESTDIR)$(LIBDIR)/libsubid_subid.so
	if [ -z "$(DESTDIR)" ]; then ldconfig || true; fi
	for p in $(MAN_PAGES); do s=$${p##*.}; \
	  $(INSTALL) -d -m 0755 $(DESTDIR)$(MANDIR)/man$$s && \
	  $(INSTALL) -m 0644 $$p $(DESTDIR)$(MANDIR)/man$$s/ || exit 1; done
	$(INSTALL) -d -m 0755 $(DESTDIR)$(DATADIR)/bash-completion/completions
	for c in $(COMPLETIONS); do $(INSTALL) -m 0644 $$c $(DESTDIR)$(DATADIR)/bash-completion/completions/ || exit 1; done
	$(INSTALL) -d -m 0755 $(DESTDIR)$(PAMDIR)
	$(INSTALL) -m 0644 $(BUILDDIR)/pam_subid.so $(DESTDIR)$(PAMDIR)/pam_subid.so

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/subid-request $(DESTDIR)$(BINDIR)/newuidmap $(DESTDIR)$(BINDIR)/newgidmap $(DESTDIR)$(SBINDIR)/subidctl \
	      $(DESTDIR)$(SBINDIR)/subid-admind $(DESTDIR)$(SYSTEMDUNITDIR)/subid-admind.service \
	      $(DESTDIR)$(LIBDIR)/sysusers.d/subid.conf $(DESTDIR)$(LIBDIR)/libsubid_subid.so \
	      $(DESTDIR)$(PAMDIR)/pam_subid.so \
	      $(addprefix $(DESTDIR)$(DATADIR)/bash-completion/completions/,$(notdir $(COMPLETIONS)))
	for p in $(notdir $(MAN_PAGES)); do rm -f $(DESTDIR)$(MANDIR)/man$${p##*.}/$$p; done

# ---- tests ------------------------------------------------------------------

check: check-unit check-fuzz check-integration check-sanitize

check-unit: $(UNIT_BINS)
	@tests/run-unit.sh $(UNIT_BINS)

# Integration tests run against a second build whose compiled-in paths all
# point under $(CHECK_ROOT), installed there with real file capabilities.
check-integration:
	@tests/integration/run.sh "$(CHECK_ROOT)"

# Builds and installs the private test configuration (used by the test runner).
check-install:
	$(MAKE) --no-print-directory BUILDDIR=$(BUILDDIR)/check/$(notdir $(CHECK_ROOT)) PREFIX=$(CHECK_ROOT)/usr \
	  SYSCONFDIR=$(CHECK_ROOT)/etc LOCALSTATEDIR=$(CHECK_ROOT)/var RUNSTATEDIR=$(CHECK_ROOT)/run AUTO_ALLOCATE=no \
	  install tools
	if [ -n "$(TOOL_SRCS)" ]; then install -d -m 0755 $(CHECK_ROOT)/tools && \
	  install -m 0755 $(patsubst tests/tools/%.c,$(BUILDDIR)/check/$(notdir $(CHECK_ROOT))/tests/tools/%,$(TOOL_SRCS)) \
	    $(patsubst tests/tools/%.c,$(BUILDDIR)/check/$(notdir $(CHECK_ROOT))/tests/tools/%.so,$(TOOL_LIB_SRCS)) $(CHECK_ROOT)/tools/; fi

# ---- fuzzing and sanitizers ------------------------------------------------
#
#   make fuzz [FUZZ_SECONDS=60]  each tests/fuzz/fuzz_*.c under libFuzzer (clang),
#                                on a copy of its corpus in build/libfuzzer/work
#   make fuzz-merge              adds what make fuzz found that reaches new code
#                                to tests/fuzz/corpus (review, then commit)
#   make check-fuzz              replays corpus and regressions without libFuzzer
#   make check-sanitize          unit tests, fuzz replay and the integration suite
#                                built with ASan+UBSan (build/asan)

FUZZ_SRCS    := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRCS))
FUZZ_SECONDS ?= 60
# libfuzzer: link libFuzzer's main; otherwise tests/fuzz/replay.c's.
FUZZ_ENGINE  ?= replay
ifeq ($(FUZZ_ENGINE),libfuzzer)
FUZZ_MAIN    :=
FUZZ_LDFLAGS := -fsanitize=fuzzer
else
FUZZ_MAIN    := $(BUILDDIR)/obj/tests/fuzz/replay.o
FUZZ_LDFLAGS :=
endif
FUZZ_BINS    := $(patsubst %,$(BUILDDIR)/fuzz/fuzz_%,$(FUZZ_NAMES))
SANITIZERS   ?= address,undefined
ASAN_BUILDDIR ?= build/asan
ASAN_CHECK_ROOT ?= $(CHECK_ROOT)-asan

$(BUILDDIR)/fuzz/fuzz_%: $(BUILDDIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_MAIN) $(BUILDDIR)/libadmind.a $(BUILDDIR)/libhelpers.a $(BUILDDIR)/libcore.a $(SAN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(FUZZ_LDFLAGS) -o $@ $^ $(LDLIBS)
fuzz-bins: $(FUZZ_BINS)
# Kept: make would otherwise delete them as intermediates and relink every time.
.SECONDARY: $(patsubst %,$(BUILDDIR)/obj/tests/fuzz/fuzz_%.o,$(FUZZ_NAMES)) $(BUILDDIR)/obj/tests/fuzz/replay.o

$(BUILDDIR)/obj/tests/sanitize/sanitizer_options.o: CPPFLAGS += $(if $(SANITIZER_LOG_DIR),-DSANITIZER_LOG_DIR='"$(SANITIZER_LOG_DIR)"')

check-fuzz: $(FUZZ_BINS)
	@for n in $(FUZZ_NAMES); do \
	  $(BUILDDIR)/fuzz/fuzz_$$n tests/fuzz/corpus/$$n $$(test -d tests/fuzz/regressions/$$n && echo tests/fuzz/regressions/$$n) \
	    2>$(BUILDDIR)/fuzz/fuzz_$$n.log || { cat $(BUILDDIR)/fuzz/fuzz_$$n.log >&2; exit 1; }; done

fuzz:
	$(MAKE) --no-print-directory CC=clang BUILDDIR=build/libfuzzer SANITIZE=fuzzer-no-link,$(SANITIZERS) FUZZ_ENGINE=libfuzzer fuzz-bins
	@tests/fuzz/run.sh build/libfuzzer $(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-merge:
	@tests/fuzz/run.sh --merge build/libfuzzer 0 $(FUZZ_NAMES)

check-sanitize:
	@$(MAKE) --no-print-directory BUILDDIR=$(ASAN_BUILDDIR) SANITIZE=$(SANITIZERS) check-unit check-fuzz
	@SUBID_CHECK_MAKE_ARGS="BUILDDIR=$(ASAN_BUILDDIR) SANITIZE=$(SANITIZERS) SANITIZER_LOG_DIR=$(ASAN_CHECK_ROOT).sanitizer" \
	  SUBID_SANITIZER_LOG_DIR=$(ASAN_CHECK_ROOT).sanitizer tests/integration/run.sh "$(ASAN_CHECK_ROOT)"

bench:
	@tests/bench/run.sh

deps:
	@scripts/install-deps.sh

clean:
	rm -rf $(BUILDDIR)

-include $(shell find $(BUILDDIR)/obj $(BUILDDIR)/pic -name '*.d' 2>/dev/null)
