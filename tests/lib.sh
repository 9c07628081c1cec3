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
# sni_ca DIR KEY: a root CA of KEY (no passphrase) in DIR and its
# sni-only template for us-east-2
sni_ca() {
	cer -C "$1" root --no-passphrase --key "$2" >/dev/null 2>&1 &&
		cer -C "$1" template --region us-east-2 --account 123456789012 \
			--mode sni-only >/dev/null 2>&1
}

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

# --- SoftHSM2 tokens for the PKCS#11 tests ---
# hsm_init [DIR]: a private SoftHSM2 token directory (default $T.hsm,
# beside $T so that refuses sees only the ceremony's own files) and
# SOFTHSM2_CONF for it; HSM_MOD is the module, $HSM/pin the user PIN ($HSM_PIN).
HSM_MOD=/usr/lib/softhsm/libsofthsm2.so
HSM_PIN=pin-Quixotic-5813
hsm_init() {
	HSM=${1:-$T.hsm}
	mkdir -p "$HSM/tokens"
	printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
		"$HSM" >"$HSM/softhsm2.conf"
	export SOFTHSM2_CONF=$HSM/softhsm2.conf
	echo "$HSM_PIN" >"$HSM/pin"
	echo 000000 >"$HSM/badpin"
	trap 'rm -rf "$T" "$T.hsm"' EXIT
}
# hsm_token LABEL: a new empty token, user PIN $HSM_PIN, SO PIN 87654321
hsm_token() {
	softhsm2-util --init-token --free --label "$1" --so-pin 87654321 \
		--pin "$HSM_PIN" >/dev/null
}
# hsm_uri OBJECT [TOKEN]: the key's URI, with the module path
hsm_uri() { echo "pkcs11:token=${2:-ceremony};object=$1?module-path=$HSM_MOD"; }
# many_csrs N FILE: N PEM CSRs in FILE, EC P-256, /C=US/CN=crashNNNNN
many_csrs() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import sys
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
with open(sys.argv[2], "wb") as f:
    for i in range(int(sys.argv[1])):
        k = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                          x509.NameAttribute(NameOID.COMMON_NAME, "crash%05d" % i)])
        f.write(x509.CertificateSigningRequestBuilder().subject_name(name)
                .sign(k, hashes.SHA256()).public_bytes(serialization.Encoding.PEM))
PY
}

# make_intermediate DIR NAME: an issuing CA under DIR's root (a plain
# root key: 'root --no-passphrase'), made with openssl alone:
# DIR/intermediate/NAME/ deviceRootCA.pem, deviceRootCA.key (plain PEM)
# and chain.pem (issuing CA, then root). Subject /O=Test/CN=Issuing NAME.
make_intermediate() {
	local d=$1 n=$2 i=$1/intermediate/$2 w
	w=$(mktemp -d "${TMPDIR:-/tmp}/ceremony-int.XXXXXX")
	mkdir -p "$i"
	printf '%s\n' "basicConstraints=critical,CA:TRUE,pathlen:0" \
		"keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
		"subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid:always" >"$w/ext"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$i/deviceRootCA.key" 2>/dev/null &&
	chmod 600 "$i/deviceRootCA.key" &&
	openssl req -new -key "$i/deviceRootCA.key" -subj "/O=Test/CN=Issuing $n" \
		-out "$w/csr" 2>/dev/null &&
	openssl x509 -req -in "$w/csr" -CA "$d/deviceRootCA.pem" \
		-CAkey "$d/deviceRootCA.key" -set_serial "0x$(openssl rand -hex 16)" \
		-days 1000 -sha256 -extfile "$w/ext" -out "$i/deviceRootCA.pem" 2>/dev/null &&
	cat "$i/deviceRootCA.pem" "$d/deviceRootCA.pem" >"$i/chain.pem"
	local rc=$?
	rm -rf "$w"
	return $rc
}
