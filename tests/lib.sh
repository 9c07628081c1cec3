# TAP helpers for command tests. Source it; call plan N or done_testing.
set -u
CEREMONY=${CEREMONY:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/ceremony}
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
_n=0
_fail=0
T=$(mktemp -d "${TMPDIR:-/tmp}/ceremony-test.XXXXXX")
trap 'rm -rf "$T"' EXIT

plan() { echo "1..$1"; }
done_testing() { echo "1..$_n"; [ "$_fail" -eq 0 ]; }
ok() { # ok COND-EXIT-STATUS NAME
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_n - $2"; else
		echo "not ok $_n - $2"; _fail=$((_fail + 1)); fi
}
pass() { ok 0 "$1"; }
fail() { ok 1 "$1"; }
diag() { echo "# $*"; }
# run CMD...: sets $rc, $out, $err (files $T/out, $T/err)
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
	return 0
}
is() { # is GOT WANT NAME
	if [ "$1" = "$2" ]; then pass "$3"; else
		fail "$3"; diag "got:  '$1'"; diag "want: '$2'"; fi
}
like() { # like TEXT REGEX NAME
	if printf '%s' "$1" | grep -Eq -- "$2"; then pass "$3"; else
		fail "$3"; diag "text: '$1'"; diag "want match: '$2'"; fi
}
has() { # has TEXT FIXED-STRING NAME
	if printf '%s' "$1" | grep -Fq -- "$2"; then pass "$3"; else
		fail "$3"; diag "text: '$1'"; diag "want substring: '$2'"; fi
}
# snapshot DIR: listing with hashes, to show nothing changed
snapshot() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum); }
cer() { "$CEREMONY" "$@"; }

# _tree: every entry under $T (type, mode, path) and every file's SHA-256,
# leaving out run's own $T/out and $T/err.
_tree() {
	(cd "$T" && {
		find . -mindepth 1 \( -path ./out -o -path ./err \) -prune -o \
			-printf '%y %m %p\n' | LC_ALL=C sort
		find . -mindepth 1 \( -path ./out -o -path ./err \) -prune -o \
			-type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
	})
}
# refuses RC REGEX NAME -- CMD...: runs CMD as run does ($rc, $out, $err
# stay set for more checks), then three assertions: the exit code is RC,
# stderr matches REGEX (grep -E), and nothing under $T was written: no
# file or folder added, removed, changed or given another mode.
refuses() {
	local want=$1 re=$2 name=$3 before after
	if [ $# -lt 5 ] || [ "$4" != "--" ]; then
		fail "$name: usage: refuses RC REGEX NAME -- CMD..."
		return
	fi
	shift 4
	before=$(_tree)
	run "$@"
	after=$(_tree)
	is "$rc" "$want" "$name: exit $want"
	like "$err" "$re" "$name: message"
	if [ "$after" = "$before" ]; then pass "$name: nothing written"; else
		fail "$name: nothing written"
		diff <(echo "$before") <(echo "$after") | grep '^[<>]' |
			head -20 | while IFS= read -r l; do diag "$l"; done
	fi
}

# words SHEET: a share's words from its sheet's numbered grid, on one line
words() {
	sed -n '/^Words:/,/^$/p' "$1" | grep -oE '[0-9]+ [a-z]+' | sort -n |
		awk '{ printf "%s%s", (NR > 1 ? " " : ""), $2 } END { print "" }'
}
# rnd LABEL [N]: random but repeatable bytes from $seed and LABEL (the
# same seed and label give the same bytes): N of them, or endless.
rnd() {
	if [ $# -ge 2 ]; then
		openssl enc -aes-128-ctr -pass "pass:$seed$1" -nosalt -pbkdf2 \
			</dev/zero 2>/dev/null | head -c "$2"
	else
		openssl enc -aes-128-ctr -pass "pass:$seed$1" -nosalt -pbkdf2 \
			</dev/zero 2>/dev/null
	fi
}
