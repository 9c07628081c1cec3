#!/bin/bash
# ceremony sign, hostile input: what --csr-dir holds besides regular files
# (a link to the CA key, a FIFO, a folder), CSR-derived text quoted in
# messages and rejected.txt, control and bidi characters in the subject,
# and CSRs that are not DER or whose algorithm parameters break the RFCs.
. "$(dirname "$0")/../lib.sh"

d=$T/c
cer -C "$d" root --no-passphrase --key ec-p256 >/dev/null 2>&1 &&
	cer -C "$d" template --region us-east-2 --account 123456789012 \
		--mode sni-only >/dev/null 2>&1
ok $? "ceremony dir with an EC P-256 CA"
mkdir -p "$T/keys"
# mkcsr FILE SUBJECT [openssl req options...]: an EC P-256 CSR
mkcsr() {
	local f=$1 subj=$2
	shift 2
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj "$subj" "$@" -keyout "$T/keys/$(basename "$f").key" \
		-out "$f" 2>/dev/null
}
tools=$TESTS_DIR/tools

# --- --csr-dir: only regular files are read ---
in=$T/in
mkdir -p "$in/sub"
mkcsr "$in/a-good.csr" "/C=US/CN=dirgood"
ln -s ../c/deviceRootCA.key "$in/b-link.csr"
mkfifo "$in/c-fifo.csr"
cp "$in/a-good.csr" "$in/sub/d-inner.csr"
refuses 1 "$in/b-link.csr: not read: a symbolic link \(only regular files are read\)" \
	"--strict --csr-dir with a link to the CA key" -- \
	timeout 60 "$CEREMONY" -C "$d" sign --strict --quiet --csr-dir "$in"
like "$err" "$in/c-fifo.csr: not read: a FIFO" "--strict: the FIFO reported"
like "$err" "$in/sub: not read: a directory" "--strict: the folder reported"
like "$err" "--strict: 3 of 4 CSRs rejected; nothing signed" "--strict: nothing signed"
run timeout 60 "$CEREMONY" -C "$d" sign --out "$T/o-dir" --csr-dir "$in"
is "$rc" 1 "--csr-dir with a link, a FIFO, a folder: exit 1, the FIFO does not block"
rej=$(cat "$T/o-dir/rejected.txt")
is "$rej" "$in/b-link.csr: not read: a symbolic link (only regular files are read)
$in/c-fifo.csr: not read: a FIFO (only regular files are read)
$in/sub: not read: a directory (only regular files are read)" \
	"rejected.txt: one line for each, what it is"
all=$rej$out$err$(cat "$T/o-dir/summary.txt")
case $all in *PRIVATE*|*BEGIN*|*KEY-----*) fail "the CA key was not read" ;;
*) pass "the CA key was not read" ;; esac
like "$(cat "$T/o-dir/summary.txt")" \
	"rejected +3 \(see rejected.txt; 3 not regular files, not read\)" \
	"summary counts what was not read"
like "$out" "signed +1" "the regular file is signed"
[ -f "$T/o-dir/dirgood.crt" ]; ok $? "dirgood.crt written"
[ -p "$in/c-fifo.csr" ] && [ -L "$in/b-link.csr" ]; ok $? "link and FIFO left as they were"
refuses 2 "b-link.csr: a symbolic link; name the file it points to" \
	"a link named on the command line" -- cer -C "$d" sign "$in/b-link.csr"
refuses 2 "c-fifo.csr: not a regular file" "a FIFO named on the command line" -- \
	timeout 60 "$CEREMONY" -C "$d" sign "$in/c-fifo.csr"

# --- CSR-derived text is quoted: no control character reaches the
# terminal or rejected.txt ---
q=$T/q
mkdir -p "$q"
evil=$'ev\r\e[2Kil.csr'
printf -- '-----BEGIN \r\e[2KFAKE-----\nMIIB\n-----END \r\e[2KFAKE-----\n' >"$q/$evil"
{ printf -- '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n'
  printf -- '-----END \e[2KOK\r\e[8m-----\n'; } >"$q/endline.csr"
refuses 1 'ev\\x0d\\x1b\[2Kil.csr: a \\x0d\\x1b\[2KFAKE PEM block, not a CERTIFICATE REQUEST' \
	"BEGIN type and file name quoted in the message" -- \
	cer -C "$d" sign --strict --csr-dir "$q"
like "$err" "endline.csr: PEM block BEGIN CERTIFICATE REQUEST ends with '-----END \\\\x1b\[2KOK\\\\x0d\\\\x1b\[8m-----'" \
	"a bad END line quoted in the message"
case $err in *$'\e'*|*$'\r'*) fail "no ESC or CR on stderr" ;; *) pass "no ESC or CR on stderr" ;; esac
run cer -C "$d" sign --quiet --out "$T/o-q" --csr-dir "$q"
is "$rc" 1 "batch of two bad PEM files: exit 1"
rej=$(cat "$T/o-q/rejected.txt")
has "$rej" 'ev\x0d\x1b[2Kil.csr: a \x0d\x1b[2KFAKE PEM block' "rejected.txt: name and type quoted"
has "$rej" "ends with '-----END \\x1b[2KOK\\x0d\\x1b[8m-----'" "rejected.txt: END line quoted"
case $rej in *$'\e'*|*$'\r'*) fail "no ESC or CR in rejected.txt" ;; *) pass "no ESC or CR in rejected.txt" ;; esac

# --- control and bidi characters in copied attributes and the CN ---
u=$T/u
mkdir -p "$u"
i=0
for cp in 0080 009B 009F 061C 200E 200F 202A 202E 2066 2069; do
	i=$((i + 1))
	ch=$(/usr/bin/python3 -c 'import sys; sys.stdout.write(chr(int(sys.argv[1], 16)))' "$cp")
	case $cp in 00*) what="control" ;; *) what="bidirectional control" ;; esac
	mkcsr "$u/o$cp.csr" "/C=US/O=Ac${ch}me/CN=uo$i" -utf8
	refuses 1 "subject O holds the $what character U\+$cp" "O with U+$cp" -- \
		cer -C "$d" sign --strict "$u/o$cp.csr"
done
ch=$(printf '\xe2\x80\xae') # U+202E RIGHT-TO-LEFT OVERRIDE
mkcsr "$u/cn.csr" "/C=US/CN=dev${ch}1" -utf8
refuses 1 "subject CN holds the bidirectional control character U\+202E" "CN with U+202E" -- \
	cer -C "$d" sign --strict "$u/cn.csr"
mkcsr "$u/ou.csr" "/C=US/OU=a$(printf '\xc2\x9b')2K/CN=uou" -utf8
refuses 1 "subject OU holds the control character U\+009B" "OU with U+009B (CSI)" -- \
	cer -C "$d" sign --strict "$u/ou.csr"
mkcsr "$u/st.csr" "/C=US/ST=a$(printf '\xe2\x81\xa6')b/CN=ust" -utf8
refuses 1 "subject ST holds the bidirectional control character U\+2066" "ST with U+2066" -- \
	cer -C "$d" sign --strict "$u/st.csr"
# the neighbours of the refused ranges are text
ok=$T/ok
mkdir -p "$ok"
i=0
for cp in 00A0 061B 200D 2029 202F 2065 206A; do
	i=$((i + 1))
	ch=$(/usr/bin/python3 -c 'import sys; sys.stdout.write(chr(int(sys.argv[1], 16)))' "$cp")
	mkcsr "$ok/n$cp.csr" "/C=US/O=Ac${ch}me/CN=near$i" -utf8
done
run cer -C "$d" sign --quiet --strict --out "$T/o-ok" --csr-dir "$ok"
is "$rc:$err" "0:" "U+00A0, U+061B, U+200D, U+2029, U+202F, U+2065, U+206A are signed"

# --- DER only; algorithm parameters as the RFCs say ---
ber=$T/ber
mkdir -p "$ber"
ber() { # ber MODE REGEX NAME
	/usr/bin/python3 "$tools/ber_csr.py" "$1" "$ber/$1.der" "ber-$1"
	openssl req -inform DER -in "$ber/$1.der" -noout -verify >/dev/null 2>&1
	ok $? "$1: its signature verifies (openssl req -verify)"
	refuses 1 "$ber/$1.der: $2" "$3" -- cer -C "$d" sign --strict "$ber/$1.der"
}
ber outer-long "not DER: a length not in its shortest form at byte 1" \
	"outer length not in its shortest form"
ber indefinite "not DER: a length in indefinite form \(BER\) at byte 1" \
	"indefinite outer length (BER)"
ber subject-long "not DER: a length not in its shortest form at byte [0-9]+" \
	"signed subject with a long-form length"
ber rdn-unsorted "not DER: differs from its DER encoding at byte [0-9]+ \(BER, an unsorted SET OF" \
	"signed RDN whose SET OF is not sorted"
ber ecdsa-null "signature algorithm ecdsa-with-SHA256 has parameters \(NULL\); RFC 5758 requires them absent" \
	"ECDSA AlgorithmIdentifier with NULL parameters"
ber rsa-absent "signature algorithm RSA-SHA256 has absent parameters; RFC 4055 requires NULL" \
	"sha256WithRSAEncryption without NULL parameters"
ber rsa-trailing "2 bytes after the RSA public key" \
	"RSA key field with bytes after the key"
run cer -C "$d" sign --quiet --out "$T/o-ber" --csr-dir "$ber"
is "$rc" 1 "the BER batch: exit 1"
is "$(wc -l <"$T/o-ber/rejected.txt")" 7 "every one rejected"
is "$(ls "$T/o-ber" | grep -c '\.crt$')" 0 "none signed"

done_testing
