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
