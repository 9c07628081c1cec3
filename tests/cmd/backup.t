#!/bin/bash
# ceremony backup / restore: the vault, the share sheets, the proof, the
# drill, and every bad input with its message, exit code and no key written.
. "$(dirname "$0")/../lib.sh"

WORDS_C=$TESTS_DIR/../ceremony/core/wordlist.c
# widx WORD: its index in the SLIP-39 wordlist
widx() { grep -o '"[a-z]*"' "$WORDS_C" | grep -nx "\"$1\"" | cut -d: -f1 |
	awk '{ print $1 - 1 }'; }
keys_absent() { [ ! -e "$1/deviceRootCA.key" ] && [ ! -e "$1/ceremony.key" ]; }
# a directory holding only what a restore needs: the cert and the vault
fresh() {
	rm -rf "$1" && mkdir -p "$1/backup" &&
		cp "$2/deviceRootCA.pem" "$1/" &&
		cp "$2/backup/deviceRootCA.vault" "$1/backup/"
}

A=$T/a
mkdir "$A" && cd "$A" || exit 2
cer root --no-passphrase --key ec-p256 --subject '/C=IN/O=AMZ/CN=Acme <Root> & Co' >/dev/null 2>&1
ok $? "root for the backup"

run cer backup --help
is "$rc" 0 "backup --help exits 0"
like "$out" "--group-threshold" "help teaches the group options"
run cer restore --help
is "$rc" 0 "restore --help exits 0"
like "$out" "--check" "help teaches --check"

# ---- a 3 of 5 backup
run cer backup --threshold 3 --shares 5 --iteration-exponent 0 \
	--custodian Alice --custodian 'Bob & Eve'
is "$rc" 0 "backup 3 of 5"
like "$out" "proved +10 of 10 minimal share sets, 2 through the vault" \
	"proves every one of the 10 minimal sets"
like "$out" "Share sheets +backup/shares.html" "prints the shares.html path"
n=0
for m in 1 2 3 4 5; do
	for x in txt png svg; do [ -s "backup/share-1-$m.$x" ] && n=$((n + 1)); done
done
is "$n" 15 "share-1-M.txt, .png and .svg for each of the 5 shares"
is "$(stat -c %a backup/share-1-1.txt backup/share-1-5.png \
	backup/share-1-3.svg backup/shares.html | sort -u)" 600 "shares are 0600"
is "$(ls -d backup.new-* 2>/dev/null)" "" "no temporary directory left"

# the vault header, readable without the key
hdr=$(sed '/^$/q' backup/deviceRootCA.vault)
like "$hdr" "^ceremony-vault 1" "vault: format line"
like "$hdr" "name: Acme <Root> & Co" "vault: ceremony name is the CA's CN"
sha=$(openssl x509 -in deviceRootCA.pem -outform DER | sha256sum | cut -c1-64)
like "$hdr" "ca-sha256: $sha" "vault: CA certificate SHA-256 (openssl)"
is "$(sed -n 's/^sign-pub: //p' backup/deviceRootCA.vault)" "$(tail -1 ceremony.pub)" \
	"vault: the signing public key"
like "$hdr" "scheme: 3 of 5" "vault: scheme"
like "$hdr" "slip39-passphrase: no" "vault: no SLIP-39 passphrase"
like "$hdr" "created: 20[0-9]{2}-[01][0-9]-[0-3][0-9]T" "vault: creation time"

# the text sheet
w1=$(words backup/share-1-1.txt)
is "$(echo "$w1" | wc -w)" 33 "sheet: 33 numbered words"
like "$(cat backup/share-1-2.txt)" "Custodian +Bob & Eve" "sheet: custodian"
fp=$(openssl x509 -in deviceRootCA.pem -noout -fingerprint -sha256 | cut -d= -f2)
like "$(tr -d ' \n' <backup/share-1-1.txt)" "CASHA-256$fp" "sheet: CA fingerprint (openssl)"
like "$(cat backup/share-1-1.txt)" "member 1 of 5; any 3 shares restore" \
	"sheet: member and threshold"
id=$(sed -n 's/^slip39-id: //p' backup/deviceRootCA.vault)
like "$(cat backup/share-1-4.txt)" "Identifier +$id " "sheet: identifier"

# QR codes: zbar reads the words back, upper case
for m in 1 3 5; do
	got=$(zbarimg --raw -q "backup/share-1-$m.png" 2>/dev/null)
	is "$got" "$(words backup/share-1-$m.txt | tr a-z A-Z)" \
		"share-1-$m.png: zbarimg reads the mnemonic in upper case"
done
/usr/bin/python3 -c "import sys, xml.dom.minidom as m; m.parse(sys.argv[1])" \
	backup/share-1-2.svg
ok $? "share-1-2.svg is well-formed XML"

# shares.html: one page per share, escaped
html=$(cat backup/shares.html)
is "$(grep -o 'class="page"' backup/shares.html | wc -l)" 5 "html: 5 pages"
like "$html" "Bob &amp; Eve" "html: custodian escaped"
like "$html" "Acme &lt;Root&gt; &amp; Co" "html: ceremony name escaped"
case "$html" in *"<Root>"*) fail "html: no raw markup from the CN" ;;
*) pass "html: no raw markup from the CN" ;; esac
like "$html" "$fp" "html: fingerprint"
like "$html" "@page \{ size: A4;" "html: A4 unless asked"
is "$(grep -c '<svg' backup/shares.html)" 5 "html: a QR code per page"
refuses 2 "--paper: 'A3' is not A4 or Letter" "paper A3" -- \
	cer backup --threshold 2 --shares 3 --paper A3 --force
cp -a "$A" "$T/letter"
(cd "$T/letter" && cer backup --threshold 2 --shares 2 --iteration-exponent 0 \
	--paper Letter --force >/dev/null 2>&1)
ok $? "backup --paper Letter"
grep -q "@page { size: Letter;" "$T/letter/backup/shares.html"
ok $? "shares.html asks for Letter"

# transcript: vault hash and share identifiers, never words
line=$(tail -1 transcript.log)
like "$line" '"command":"backup"' "transcript: backup line"
like "$line" "\"vault_sha256\":\"$(sha256sum <backup/deviceRootCA.vault | cut -c1-64)\"" \
	"transcript: vault SHA-256"
like "$line" "\"shares\":\\[\"$id-1-1\",\"$id-1-2\"" "transcript: share identifiers"
case "$line" in *"$(echo "$w1" | cut -d' ' -f4-6)"*)
	fail "transcript: no share words" ;;
*) pass "transcript: no share words" ;; esac
run cer transcript verify
is "$rc" 0 "transcript verifies"

# ---- restore --check: the drill
before=$(snapshot "$A" | grep -v transcript.log)
run cer restore --check backup/share-1-1.txt backup/share-1-3.txt backup/share-1-5.txt
is "$rc" 0 "restore --check from 3 sheets"
like "$out" "restore check ok: 3 shares open" "--check says it worked"
like "$out" "CA SHA-256 +$fp" "--check prints the fingerprint it reached"
is "$(snapshot "$A" | grep -v transcript.log)" "$before" "--check wrote no key"
like "$(tail -1 transcript.log)" '"check":true' "--check is in the transcript"

# ---- restore for real, in a directory with only the cert and the vault
R=$T/r
fresh "$R" "$A"
cd "$R" || exit 2
printf 'new secret phrase\n' >"$T/newpass"
run cer restore --passphrase-file "$T/newpass" \
	"$A/backup/share-1-2.txt" "$A/backup/share-1-4.txt" "$A/backup/share-1-5.txt"
is "$rc" 0 "restore from 3 sheets"
like "$out" "Restored deviceRootCA.key \(passphrase-protected\)" "restore says so"
is "$(stat -c %a deviceRootCA.key ceremony.key | sort -u)" 600 "keys are 0600"
like "$(head -1 deviceRootCA.key)" "BEGIN ENCRYPTED PRIVATE KEY" \
	"deviceRootCA.key is passphrase-protected"
is "$(openssl pkey -in deviceRootCA.key -passin file:"$T/newpass" -pubout)" \
	"$(openssl pkey -in "$A/deviceRootCA.key" -pubout)" \
	"openssl: the restored CA key is the original"
cmp -s ceremony.pub "$A/ceremony.pub"
ok $? "ceremony.pub written back, the same"
refuses 2 "deviceRootCA.key exists; use --force" "restore over existing keys" -- \
	cer restore --passphrase-file "$T/newpass" \
	"$A/backup/share-1-2.txt" "$A/backup/share-1-4.txt" "$A/backup/share-1-5.txt"

# unencrypted, from a file of mnemonics in any case with 4-letter prefixes;
# minisign signs with the restored key
R2=$T/r2
fresh "$R2" "$A"
cd "$R2" || exit 2
for m in 5 1 4; do
	words "$A/backup/share-1-$m.txt" | tr a-z A-Z |
		awk '{ for (i = 1; i <= NF; i++) $i = substr($i, 1, 4); print }' |
		sed 's/ /   /g'
done >"$T/mnemonics"
run cer restore --no-passphrase - <"$T/mnemonics"
is "$rc" 0 "restore from mnemonics on stdin (upper case, prefixes)"
echo hello >"$T/msg"
minisign -S -s ceremony.key -m "$T/msg" -x "$T/msg.sig" </dev/null >/dev/null 2>&1 &&
	minisign -V -p "$A/ceremony.pub" -m "$T/msg" -x "$T/msg.sig" >/dev/null 2>&1
ok $? "minisign: the restored signing key signs for the original ceremony.pub"

# words typed at the terminal (script(1) gives restore a TTY; all of
# them are written before restore turns echo off, so the pty echoes
# them: restore_tty.t types each after its prompt, as a person does)
R3=$T/r3
fresh "$R3" "$A"
cd "$R3" || exit 2
{ echo "foo bar"; words "$A/backup/share-1-2.txt"; words "$A/backup/share-1-2.txt"
	words "$A/backup/share-1-3.txt"; words "$A/backup/share-1-4.txt"; } >"$T/typed"
script -qec "'$CEREMONY' restore --check" /dev/null <"$T/typed" >"$T/tty" 2>&1
is "$?" 0 "restore --check with words typed at a TTY"
tty=$(tr -d '\r' <"$T/tty")
like "$tty" '2 words: word 1 is not a SLIP-39 word; compare it with the share sheet; type this share again' \
	"TTY: a bad word is placed (not quoted) and the share asked again"
like "$tty" "still too few shares: have 1 of the 3 needed \(2 more\)" \
	"TTY: says how many more"
like "$tty" "is a duplicate of typed share 1.*not kept" "TTY: a duplicate is refused"
like "$tty" "enough shares" "TTY: stops when there are enough"
like "$tty" "restore check ok: 3 shares" "TTY: the drill succeeds"
keys_absent "$R3"
ok $? "TTY --check wrote no key"

# ---- bad inputs: message, exit code, no key written
B=$T/b
S=$A/backup
awk '/^Words:/ { g = 1 } g && / 7 / { sub(/ 7 [a-z]+/, " 7 zzzzz") } { print }' \
	"$S/share-1-1.txt" >"$T/badword.txt"
fresh "$B" "$A" && cd "$B" || exit 2
refuses 1 "$T/badword.txt: word 7 \"zzzzz\" is not a SLIP-39 word \(closest: " "unknown word" -- \
	cer restore --no-passphrase "$T/badword.txt" "$S/share-1-2.txt" "$S/share-1-3.txt"
w9=$(words "$S/share-1-1.txt" | cut -d' ' -f9)
sub=academic; [ "$w9" = academic ] && sub=acid
awk -v s=$sub '/^Words:/ { g = 1 } g && / 9 / { sub(/ 9 [a-z]+/, " 9 " s) } { print }' \
	"$S/share-1-1.txt" >"$T/badsum.txt"
fresh "$B" "$A" && cd "$B" || exit 2
refuses 1 "badsum.txt: checksum failed: word 9 may be \"$w9\"" "one wrong word" -- \
	cer restore --no-passphrase "$T/badsum.txt" "$S/share-1-2.txt" "$S/share-1-3.txt"
fresh "$B" "$A" && cd "$B" || exit 2
refuses 1 "too few shares: have 2 of the 3 needed \(1 more\)" "too few" -- \
	cer restore --no-passphrase "$S/share-1-2.txt" "$S/share-1-3.txt"
fresh "$B" "$A" && cd "$B" || exit 2
refuses 1 "share-1-2.txt is a duplicate of .*share-1-2.txt \(group 1, member 2\)" "duplicate" -- \
	cer restore --no-passphrase "$S/share-1-2.txt" "$S/share-1-3.txt" "$S/share-1-2.txt"
# untrusted text is quoted: a word, a file name
awk '/^Words:/ { g = 1 } g && / 7 / { sub(/ 7 [a-z]+/, " 7 zz\033[8mzz\302\233") } { print }' \
	"$S/share-1-1.txt" >"$T/escword.txt"
fresh "$B" "$A" && cd "$B" || exit 2
refuses 1 'escword.txt: word 7 "zz\\x1b\[8mzz\\xc2\\x9b" is not a SLIP-39 word' \
	"a word with control characters is quoted" -- \
	cer restore --no-passphrase "$T/escword.txt" "$S/share-1-2.txt" "$S/share-1-3.txt"
case $err in *$'\033'* | *$'\302'*) fail "restore: no raw control byte on stderr" ;;
*) pass "restore: no raw control byte on stderr" ;; esac
cp "$T/escword.txt" "$T/esc"$'\033[2K\r'"name.txt"
refuses 1 'esc\\x1b\[2K\\x0dname.txt: word 7 "zz\\x1b\[8mzz\\xc2\\x9b" is not a SLIP-39 word' \
	"a share file name with control characters is quoted" -- \
	cer restore --no-passphrase "$T/esc"$'\033[2K\r'"name.txt" "$S/share-1-2.txt" "$S/share-1-3.txt"
rm -f "$T/esc"$'\033[2K\r'"name.txt"
refuses 2 'nothere\\x1b\[2Kx.txt: cannot open' "a missing share file's name is quoted" -- \
	cer restore --no-passphrase "$T/nothere"$'\033[2K'"x.txt"
grep -v '^ *5 ' "$S/share-1-1.txt" | sed 's/^ *16 [a-z]*//' >"$T/hole.txt"
fresh "$B" "$A" && cd "$B" || exit 2
refuses 2 "hole.txt: word 5 of the grid is missing" "missing grid word" -- \
	cer restore --no-passphrase "$T/hole.txt" "$S/share-1-2.txt" "$S/share-1-3.txt"

# a second ceremony, to mix things up
Z=$T/z
mkdir "$Z" && cd "$Z" || exit 2
cer root --no-passphrase --key ec-p256 >/dev/null 2>&1 &&
	cer backup --threshold 2 --shares 3 --iteration-exponent 0 \
		--share-passphrase-file "$T/newpass" >/dev/null 2>&1
ok $? "a second ceremony, with a SLIP-39 passphrase"
like "$(cat backup/deviceRootCA.vault)" "slip39-passphrase: yes" \
	"vault says the shares need a passphrase"
fresh "$B" "$A" && cd "$B" || exit 2
refuses 1 "share-1-1.txt is from a different backup \(identifier [0-9]+\) than backup/deviceRootCA.vault" "shares of two backups" -- \
	cer restore --no-passphrase "$S/share-1-1.txt" "$S/share-1-2.txt" "$Z/backup/share-1-1.txt"
fresh "$B" "$A" && cd "$B" || exit 2
refuses 1 "the shares \(identifier [0-9]+\) do not belong to backup/deviceRootCA.vault \(identifier $id\)" "vault and shares of different backups" -- \
	cer restore --no-passphrase "$Z/backup/share-1-1.txt" "$Z/backup/share-1-2.txt"
zfresh() { rm -rf "$B" && mkdir -p "$B/backup" && cp "$Z/deviceRootCA.pem" "$B/" &&
	cp "$Z/backup/deviceRootCA.vault" "$B/backup/" && cd "$B"; }
zfresh
printf 'not it\n' >"$T/wrongpass"
refuses 1 "did not open: wrong SLIP-39 passphrase" "wrong SLIP-39 passphrase" -- \
	cer restore --no-passphrase --share-passphrase-file "$T/wrongpass" \
	"$Z/backup/share-1-1.txt" "$Z/backup/share-1-3.txt"
zfresh
refuses 2 "no terminal to ask for the SLIP-39 passphrase" "passphrase needed, no terminal" -- \
	cer restore --no-passphrase "$Z/backup/share-1-1.txt" "$Z/backup/share-1-3.txt" </dev/null
zfresh
run cer restore --check --share-passphrase-file "$T/newpass" \
	"$Z/backup/share-1-1.txt" "$Z/backup/share-1-3.txt"
is "$rc" 0 "the right SLIP-39 passphrase opens it"
# the vault of another CA next to this certificate
fresh "$B" "$A" && cp "$Z/deviceRootCA.pem" "$B/" && cd "$B"
refuses 1 "deviceRootCA.pem is not the CA certificate of backup/deviceRootCA.vault" \
	"certificate of another CA" -- \
	cer restore --no-passphrase "$S/share-1-1.txt" "$S/share-1-2.txt" "$S/share-1-3.txt"
# an altered vault: body, header
fresh "$B" "$A" && cd "$B"
sed -i '$ s/^./#/' backup/deviceRootCA.vault
refuses 1 "backup/deviceRootCA.vault: the body is not base64" "altered vault body" -- \
	cer restore --no-passphrase "$S/share-1-1.txt" "$S/share-1-2.txt" "$S/share-1-3.txt"
fresh "$B" "$A" && cd "$B"
last=$(tail -1 backup/deviceRootCA.vault)
flip=$(printf '%s' "$last" | cut -c1 | tr 'A-Za-z0-9+/' 'B-ZAb-za1-90/+')
sed -i "\$ s|^.|$flip|" backup/deviceRootCA.vault
refuses 1 "did not open: the shares need their SLIP-39 passphrase .*or the vault was altered" \
	"altered ciphertext" -- \
	cer restore --no-passphrase "$S/share-1-1.txt" "$S/share-1-2.txt" "$S/share-1-3.txt"
fresh "$B" "$A" && cd "$B"
sed -i 's/^scheme: 3 of 5$/scheme: 2 of 5/' backup/deviceRootCA.vault
run cer restore --no-passphrase "$S/share-1-1.txt" "$S/share-1-2.txt" "$S/share-1-3.txt"
is "$rc" 1 "altered header: exit 1 (the header is authenticated)"
keys_absent "$B"
ok $? "altered header: no key written"
fresh "$B" "$A" && cd "$B"
sed -i 's/^ca-sha256: /ca-sha256: x/' backup/deviceRootCA.vault
refuses 1 "deviceRootCA.vault: header line 3: bad ca-sha256 value" "malformed header" -- \
	cer restore --check "$S/share-1-1.txt" "$S/share-1-2.txt" "$S/share-1-3.txt"
rm -f "$B/backup/deviceRootCA.vault"
refuses 2 "backup/deviceRootCA.vault: cannot open" "no vault" -- \
	cer restore --check "$S/share-1-1.txt"

# ---- backup refusals
cd "$A" || exit 2
refuses 2 "backup: a backup exists; use --force" "existing backup" -- \
	cer backup --iteration-exponent 0 --threshold 2 --shares 3
refuses 2 "threshold 4 of 3 shares is not possible" "T > N" -- \
	cer backup --iteration-exponent 0 --threshold 4 --shares 3 --force
refuses 2 "1 of 3 shares gives 3 copies" "T = 1 < N" -- \
	cer backup --iteration-exponent 0 --threshold 1 --shares 3 --force
refuses 2 "with several groups, give --group-threshold G" "groups without G" -- \
	cer backup --iteration-exponent 0 --group 2/3 --group 2/3 --force
refuses 2 "not both" "both forms" -- \
	cer backup --iteration-exponent 0 --threshold 2 --shares 3 --group 2/3 --force
refuses 2 "3 custodians for 2 shares" "too many custodians" -- \
	cer backup --iteration-exponent 0 --threshold 2 --shares 2 --custodian a --custodian b --custodian c --force
refuses 2 "--custodian: give a name" "control character in a name" -- \
	cer backup --iteration-exponent 0 --threshold 2 --shares 2 --custodian "$(printf 'a\tb')" --force
refuses 2 "--iteration-exponent: '16' is out of range" "exponent 16" -- \
	cer backup --iteration-exponent 0 --threshold 2 --shares 2 --iteration-exponent 16 --force
refuses 2 "the SLIP-39 passphrase must be printable ASCII" "non-ASCII passphrase" -- \
	cer backup --iteration-exponent 0 --threshold 2 --shares 2 --share-passphrase-file <(printf 'caf\xc3\xa9 caf\xc3\xa9 caf\xc3\xa9\n') --force
for f in share vault; do
	CEREMONY_TEST_FAULT=$f refuses 1 "did not prove out; it was deleted" \
		"a backup whose $f fails the proof (old backup kept)" -- \
		cer backup --threshold 2 --shares 3 --iteration-exponent 0 --force
	is "$(ls -d backup.new-* 2>/dev/null)" "" "failed proof ($f): no leftovers"
done
# a key that is not the certificate's
K=$T/k
mkdir "$K" && cp "$A/deviceRootCA.key" "$A/ceremony.key" "$K/" &&
	cp "$Z/deviceRootCA.pem" "$K/" && cd "$K" || exit 2
refuses 1 "deviceRootCA.key does not match deviceRootCA.pem" "CA key of another certificate" -- \
	cer backup --threshold 2 --shares 3

# --force replaces the backup; the old shares no longer fit it
cd "$A" || exit 2
run cer backup --threshold 2 --shares 3 --iteration-exponent 0 --force
is "$rc" 0 "backup --force replaces the backup"
is "$(ls backup | wc -l)" 11 "only the new backup's files remain (3 x 3 + 2)"
is "$(ls -d backup.replaced-* 2>/dev/null)" "" "the old backup directory is gone"

# ---- groups: 2 of [2 of 3, 3 of 5]; the default iteration exponent (1)
G=$T/g
mkdir "$G" && cp "$A/deviceRootCA.pem" "$A/deviceRootCA.key" "$A/ceremony.key" "$G/" &&
	cd "$G" || exit 2
run cer backup --group 2/3 --group 3/5 --group-threshold 2
is "$rc" 0 "backup with two groups"
like "$out" "proved +30 of 30 minimal share sets" "all 3 x 10 minimal sets proved"
is "$(ls backup/share-*.txt | wc -l)" 8 "8 share sheets"
like "$(cat backup/share-2-4.txt)" "group 2 \(any 3 of its 5 shares\), member 4" \
	"sheet: group line"
w2=$(words backup/share-1-1.txt | cut -d' ' -f2)
is "$(($(widx "$w2") & 15))" 1 "default iteration exponent is 1 (second word)"
is "$(((($(widx "$w2") >> 4)) & 1))" 1 "extendable flag set (second word)"
run cer restore --check backup/share-1-3.txt backup/share-1-1.txt \
	backup/share-2-5.txt backup/share-2-2.txt backup/share-2-3.txt
is "$rc" 0 "restore --check from 2 of group 1 and 3 of group 2"
run cer restore --check backup/share-1-3.txt backup/share-1-1.txt \
	backup/share-2-5.txt backup/share-2-2.txt
is "$rc" 1 "one share short in group 2: exit 1"
like "$err" "too few shares: 2 of 2 groups are needed and 1 is complete; group 2 has 2 of 3 \(1 more\)" \
	"says which group needs how many more"

# past 20000 minimal sets: a sample that uses every share
run cer backup --group 8/16 --group 2/3 --group-threshold 2 \
	--iteration-exponent 0 --force
is "$rc" 0 "backup with 38610 minimal sets"
like "$out" "proved +5 of 38610 minimal share sets, 2 through the vault" \
	"a sample of 5 sets covers every share and both thresholds"
run cer restore --check backup/share-2-3.txt backup/share-1-16.txt \
	backup/share-1-1.txt backup/share-1-9.txt backup/share-1-2.txt \
	backup/share-1-3.txt backup/share-1-4.txt backup/share-1-5.txt \
	backup/share-1-6.txt backup/share-2-1.txt
is "$rc" 0 "restore --check from 8 of group 1 and 2 of group 2"

# ---- a passphrase-protected CA key
P=$T/p
mkdir "$P" && cd "$P" || exit 2
printf 'ca passphrase\n' >"$T/capass"
cer root --key ec-p256 --passphrase-file "$T/capass" >/dev/null 2>&1
ok $? "root with a passphrase"
refuses 2 "wrong passphrase" "wrong CA key passphrase" -- \
	cer backup --threshold 2 --shares 2 --iteration-exponent 0 --passphrase-file "$T/wrongpass"
run cer backup --threshold 2 --shares 2 --iteration-exponent 0 --passphrase-file "$T/capass"
is "$rc" 0 "backup of a passphrase-protected CA key"
run cer restore --check backup/share-1-1.txt backup/share-1-2.txt
is "$rc" 0 "and its restore check"

# --force swaps the new backup in whole; something that is not a directory
# is never replaced
old_vault=$(sha256sum <backup/deviceRootCA.vault)
run cer backup --threshold 2 --shares 3 --iteration-exponent 0 --passphrase-file "$T/capass" --force
is "$rc" 0 "backup --force replaces the backup"
[ "$(sha256sum <backup/deviceRootCA.vault)" != "$old_vault" ] && [ -f backup/share-1-3.txt ]
ok $? "backup --force: the new backup is in place"
is "$(ls -d backup.* 2>/dev/null)" "" "backup --force: no old or temporary folder left"
rm -rf backup && echo "not a folder" >backup
refuses 2 "backup: not a readable directory; move it away first" "backup is a file, even with --force" -- \
	cer backup --threshold 2 --shares 2 --iteration-exponent 0 --passphrase-file "$T/capass" --force
is "$(cat backup)" "not a folder" "backup is a file: left alone"

done_testing
