# ceremony: offline root CA ceremony tool for AWS IoT Core JITP.
PREFIX ?= /usr/local
DESTDIR ?=
B ?= build
CC ?= cc
PKGS = libcrypto libsodium libqrencode zlib jansson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
OPT ?= -O2
CFLAGS ?= $(OPT) -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat -Wformat-security \
	-Wno-unused-parameter -Iceremony -Imedia $(PKG_CFLAGS) $(SANFLAGS)
LDLIBS += $(PKG_LIBS) -lpthread
LDFLAGS += $(SANFLAGS)

SRC := $(sort $(wildcard ceremony/*.c media/*.c))
OBJ := $(SRC:%.c=$(B)/obj/%.o)
LIBOBJ := $(filter-out $(B)/obj/ceremony/main.o,$(OBJ))
UNIT := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test_*.c))
SHTESTS = $(sort $(wildcard tests/cmd/*.t tests/interop/*.t))

all: $(B)/ceremony

$(B)/ceremony: $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $(OBJ) $(LDLIBS)

$(B)/obj/%.o: %.c $(wildcard ceremony/*.h media/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/tests/%: tests/unit/%.c $(LIBOBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LIBOBJ) $(LDLIBS) -lcmocka

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

test-asan:
	$(MAKE) B=build-asan CC=clang OPT=-O1 \
		SANFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" check

test: test-deps
	$(MAKE) check
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 $(MAKE) test-asan

demo:
	scripts/install-deps --demo
	$(MAKE) $(B)/ceremony
	scripts/demo $(B)/ceremony demo

bench: test-deps $(B)/ceremony
	@set -e; for s in scripts/bench-*; do echo "== $$s"; $$s $(B)/ceremony; done

FUZZ := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
build-fuzz/%: tests/fuzz/%.c $(filter-out ceremony/main.c,$(SRC))
	@mkdir -p $(@D)
	clang -g -O1 -std=c11 -D_GNU_SOURCE -Iceremony -Imedia $(PKG_CFLAGS) \
		-fsanitize=fuzzer,address,undefined -o $@ $^ $(PKG_LIBS) -lpthread
fuzz: $(FUZZ)

install: $(B)/ceremony
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(B)/ceremony $(DESTDIR)$(PREFIX)/bin/ceremony
	install -m 0644 ceremony.1 $(DESTDIR)$(PREFIX)/share/man/man1/ceremony.1

format:
	clang-format -i ceremony/*.[ch] media/*.[ch] tests/unit/*.c tests/fuzz/*.c

clean:
	rm -rf build build-asan build-fuzz demo

.PHONY: all unit deps test-deps check test test-asan demo bench fuzz install format clean
