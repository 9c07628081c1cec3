#!/bin/bash
# Reproducible build: two clones of the committed HEAD, in directories of
# different depth, built one after the other with different umask, locale
# and time zone, give a byte-identical build/ceremony, whose --version and
# transcript name that commit.
. "$(dirname "$0")/../lib.sh"
root=$(cd "$TESTS_DIR/.." && pwd)
head=$(git -C "$root" rev-parse HEAD)
git clone -q "$root" "$T/a" && git -C "$T/a" checkout -q "$head"
mkdir -p "$T/deeper/second/clone"
git clone -q "$root" "$T/deeper/second/clone/b" && git -C "$T/deeper/second/clone/b" checkout -q "$head"
(cd "$T/a" && umask 022 && LC_ALL=C TZ=UTC make -j2 build/ceremony) >"$T/a.log" 2>&1
ok $? "first build"
sleep 2
(cd "$T/deeper/second/clone/b" && umask 077 && LC_ALL=C.UTF-8 LANG=C.UTF-8 TZ=Pacific/Auckland \
	make -j2 build/ceremony) >"$T/b.log" 2>&1
ok $? "second build (other dir, umask, locale, time zone, time)"
ha=$(sha256sum <"$T/a/build/ceremony" | cut -d' ' -f1)
hb=$(sha256sum <"$T/deeper/second/clone/b/build/ceremony" | cut -d' ' -f1)
is "$hb" "$ha" "byte-identical build/ceremony"
diag "build/ceremony of $head: sha256 $ha"
run "$T/a/build/ceremony" --version
is "$(sed -n 2p "$T/out")" "source commit $head" "--version names the source commit"
like "$(sed -n 1p "$T/out")" '^ceremony [0-9]+\.[0-9]+\.[0-9]+$' "--version prints the version"
grep -q "$T" "$T/a/build/ceremony"; ok $((! $?)) "no build path in the binary"
grep -rlE '__DATE__|__TIME__|__TIMESTAMP__' "$root/ceremony" "$root/media" >/dev/null; ok $((! $?)) "no __DATE__/__TIME__ in the sources"
mkdir "$T/c" && (cd "$T/c" && "$T/a/build/ceremony" root --no-passphrase >/dev/null 2>&1)
v=$("$T/a/build/ceremony" --version | awk 'NR == 1 { v = $2 } NR == 2 { c = $3 } END { print v "+" c }')
is "$(head -1 "$T/c/transcript.log" | jq -r .version)" "$v" "transcript version carries the source commit"
done_testing
