# ceremony: offline root CA ceremony tool for AWS IoT Core JITP.
PREFIX ?= /usr/local
DESTDIR ?=
B ?= build
CC ?= cc
PKGS = libcrypto libsodium libqrencode zlib jansson libp11 p11-kit-1

# pkg-config must find every package: a missing one is an error, not an
# empty flag that shows up later as a cryptic compile failure.
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null || echo PKGFAIL)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo PKGFAIL)
ifneq ($(filter PKGFAIL,$(PKG_CFLAGS) $(PKG_LIBS)),)
ifeq ($(filter deps test-deps demo clean format,$(MAKECMDGOALS)),)
$(error pkg-config cannot find all of: $(PKGS); run scripts/install-deps)
endif
endif

# The source commit and its time: a reproducible build of one commit gives
# the same bytes wherever and whenever it is built.
COMMIT := $(shell git rev-parse HEAD 2>/dev/null || echo unknown)$(shell \
	git diff --quiet HEAD -- 2>/dev/null || echo -dirty)
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

# User knobs (make CFLAGS=-O0 keeps every required flag below).
OPT ?= -O2
CFLAGS ?= $(OPT) -g
# Required flags, used by the binary, the unit tests and the fuzzers.
REQ_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat \
	-Wformat-security -Wno-unused-parameter -Iceremony -I. \
	-ffile-prefix-map=$(CURDIR)=. $(PKG_CFLAGS)
ALL_CFLAGS = $(REQ_CFLAGS) $(CFLAGS) $(SANFLAGS) $(VERSION_FLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
ALL_LIBS = $(LDLIBS) $(PKG_LIBS) -lpthread

SRC := $(sort $(wildcard ceremony/*.c ceremony/*/*.c media/*.c))
OBJ := $(SRC:%.c=$(B)/obj/%.o)
LIBOBJ := $(filter-out $(B)/obj/ceremony/main.o,$(OBJ))
UNIT := $(patsubst tests/unit/%.c,$(B)/tests/%,$(sort $(wildcard tests/unit/test_*.c)))
SHTESTS = $(sort $(wildcard tests/cmd/*.t tests/interop/*.t))
# Whole-system tests (two clean builds, the offline kit in a minimal
# Debian 12 chroot): run once by make test, as root.
SYSTESTS = $(sort $(wildcard tests/system/*.t))

all: $(B)/ceremony

$(B)/ceremony: $(OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $(OBJ) $(ALL_LIBS)

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The commit is compiled into one object, rebuilt when the commit changes.
$(B)/commit: FORCE
	@mkdir -p $(@D)
	@echo '$(COMMIT)' | cmp -s - $@ || echo '$(COMMIT)' >$@
$(B)/obj/ceremony/core/version.o: $(B)/commit
$(B)/obj/ceremony/core/version.o: VERSION_FLAGS = -DCEREMONY_COMMIT='"$(COMMIT)"'

-include $(OBJ:.o=.d)

$(B)/tests/%: tests/unit/%.c $(LIBOBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(LIBOBJ) \
		$(ALL_LIBS) -lcmocka

# it includes these sources itself
$(B)/tests/test_keyquality_portable: tests/unit/test_keyquality.c \
	ceremony/ca/keyquality.c ceremony/ca/keyquality_small.c

unit: $(UNIT)

deps:
	scripts/install-deps

test-deps:
	scripts/install-deps --test

# Run every test against the build in $(B).
check: $(B)/ceremony $(UNIT)
	@fail=0; for t in $(UNIT); do echo "== $$t"; $$t || fail=1; done; \
	CEREMONY=$(CURDIR)/$(B)/ceremony prove -e /bin/bash $(PROVEFLAGS) \
		$(SHTESTS) || fail=1; exit $$fail

check-system: $(B)/ceremony
	CEREMONY=$(CURDIR)/$(B)/ceremony prove -e /bin/bash $(PROVEFLAGS) $(SYSTESTS)

test-asan:
	$(MAKE) B=build-asan CC=clang OPT=-O1 \
		SANFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" check

test: test-deps
	$(MAKE) check
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 $(MAKE) test-asan
	$(MAKE) check-system
	$(MAKE) fuzz

demo:
	scripts/install-deps --demo
	$(MAKE) $(B)/ceremony
	scripts/demo $(B)/ceremony demo

# The CA key in a PKCS#11 token, on SoftHSM2 (scripts/demo-hsm).
demo-hsm: $(B)/ceremony
	scripts/demo-hsm $(B)/ceremony demo-hsm

bench: test-deps $(B)/ceremony
	@set -e; for s in scripts/bench-*; do echo "== $$s"; $$s $(B)/ceremony; done

# Fuzz harnesses: built by make test (so none can rot), run with
# build-fuzz/fuzz_NAME [corpus-dir] [-max_total_time=S].
FUZZ := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_CFLAGS = $(filter-out -Werror,$(REQ_CFLAGS)) -g -O1 \
	-fsanitize=fuzzer,address,undefined
FUZZOBJ := $(patsubst %.c,build-fuzz/obj/%.o,$(filter-out ceremony/main.c,$(SRC)))
build-fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS:-fsanitize=fuzzer,%=-fsanitize=fuzzer-no-link,%) -MMD -MP -c -o $@ $<
-include $(FUZZOBJ:.o=.d)
.SECONDARY: $(FUZZOBJ)
build-fuzz/%: tests/fuzz/%.c $(FUZZOBJ)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ $< $(FUZZOBJ) $(PKG_LIBS) -lpthread
fuzz:
	@if command -v clang >/dev/null; then $(MAKE) -j2 fuzz-build; \
	else echo "fuzz: clang not found (scripts/install-deps --test)"; exit 2; fi
fuzz-build: $(FUZZ)

# The offline install kit: kit/ceremony-kit-VERSION-ARCH.tar.gz (needs the
# Debian archive; KIT_SIGN_KEY=minisign.key also signs its SHA256SUMS).
kit: $(B)/ceremony
	KIT_SIGN_KEY=$(KIT_SIGN_KEY) scripts/kit $(B)/ceremony kit

MAN1 = $(wildcard ceremony/man/*.1)
MAN5 = $(wildcard ceremony/man/*.5)
install: $(B)/ceremony
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5
	install -m 0755 $(B)/ceremony $(DESTDIR)$(PREFIX)/bin/ceremony
	install -m 0644 $(MAN1) $(DESTDIR)$(PREFIX)/share/man/man1/
	$(if $(MAN5),install -m 0644 $(MAN5) $(DESTDIR)$(PREFIX)/share/man/man5/)

FMT_SRC = $(wildcard ceremony/*.[ch] ceremony/*/*.[ch] media/*.[ch] \
	tests/unit/*.c tests/fuzz/*.c tests/tools/*.c)
# The tree keeps hand-wrapped KNF that clang-format 14 cannot express in
# full (split string literals, mixed initialiser styles): format only the
# lines changed since HEAD (FMT_BASE=ref for another base); format-all
# rewrites whole files.
FMT_BASE ?= HEAD
format:
	git clang-format --binary clang-format $(FMT_BASE) -- $(FMT_SRC)
format-all:
	clang-format -i $(FMT_SRC)

clean:
	rm -rf build build-asan build-fuzz demo demo-hsm bench-cache kit

FORCE:
.PHONY: all unit deps test-deps check check-system test test-asan demo demo-hsm bench fuzz \
	fuzz-build kit install format format-all clean FORCE
