#!/bin/bash
# ceremony bundle: contents, signature, determinism, formats, refused inputs.
. "$(dirname "$0")/../lib.sh"

d=$T/c
code=$(openssl rand -hex 32)
cer -C "$d" root --no-passphrase --key ec-p256 >/dev/null 2>&1
cer -C "$d" verification --registration-code "$code" >/dev/null 2>&1
cer -C "$d" template --region us-east-2 --account 123456789012 >/dev/null 2>&1
cp -a "$d" "$T/pristine"
export SOURCE_DATE_EPOCH=1700000000

run cer bundle --help
is "$rc" 0 "--help exits 0"
like "$out" "--format" "--help lists --format"
like "$out" "SOURCE_DATE_EPOCH" "--help explains the archive time"

refuses 2 "--format: 'zip' is not tar, qr or term" "unknown format" -- cer -C "$d" bundle --format zip
refuses 2 "'pdf' is not tar, qr or term" "unknown format in list" -- cer -C "$d" bundle --format tar,pdf
refuses 2 "--qr-level: 'X' is not L, M, Q or H" "qr level" -- cer -C "$d" bundle --qr-level X
refuses 2 "--qr-version: '0' is not a number from 1 to 40" "qr version 0" -- cer -C "$d" bundle --qr-version 0
refuses 2 "--qr-version: '41' is not a number from 1 to 40" "qr version 41" -- cer -C "$d" bundle --qr-version 41
refuses 2 "--scale: '0' is not a number from 1 to 64" "scale" -- cer -C "$d" bundle --scale 0
refuses 2 "--parity: '0' is not a number from 1 to 254" "parity" -- cer -C "$d" bundle --parity 0
refuses 2 "--parity: 'many' is not a number" "parity text" -- cer -C "$d" bundle --parity many
refuses 2 "--name: '../x' is not 1-64" "name with slash" -- cer -C "$d" bundle --name ../x
refuses 2 "--name: '.x' is not 1-64" "hidden name" -- cer -C "$d" bundle --name .x
refuses 2 "--name: '$(printf 'a%.0s' {1..65})' is not" "long name" -- cer -C "$d" bundle --name "$(printf 'a%.0s' {1..65})"
refuses 2 "--paper: 'A3' is not A4 or Letter" "paper" -- cer -C "$d" bundle --paper A3
refuses 2 "unexpected argument 'x'" "extra argument" -- cer -C "$d" bundle x
refuses 2 "usage: ceremony bundle" "unknown option" -- cer -C "$d" bundle --frobnicate
SOURCE_DATE_EPOCH=yesterday refuses 2 "SOURCE_DATE_EPOCH='yesterday' is not a count of seconds" "bad SOURCE_DATE_EPOCH" -- cer -C "$d" bundle --name x
refuses 2 "QR frames: " "too large for the QR version" -- cer -C "$d" bundle --qr-version 1 --qr-level H --format qr

# Missing and changed inputs.
mv "$d/register.sh" "$T/register.sh"
refuses 2 "register.sh is missing" "missing register.sh" -- cer -C "$d" bundle --name x
mv "$T/register.sh" "$d/register.sh"
printf ' ' >>"$d/jitp_template.json"
refuses 1 "jitp_template.json: SHA-256 differs from transcript" "changed template" -- cer -C "$d" bundle --name x
like "$err" "transcript.log does not verify" "changed template: names the transcript"
rm -rf "$d" && cp -a "$T/pristine" "$d"

# A good bundle in both formats (the default).
run cer -C "$d" bundle --name demo
is "$rc" 0 "bundle: exit 0"
tgz=$d/bundle/demo.tar.gz
[ -f "$tgz" ]; ok $? "bundle/demo.tar.gz written"
[ -f "$d/bundle/qr/frames.txt" ]; ok $? "bundle/qr/frames.txt written"
sha=$(sha256sum <"$tgz" | cut -d' ' -f1)
like "$out" "SHA-256 +$sha" "prints the archive's SHA-256"
pub=$(sed -n 2p "$d/ceremony.pub")
has "$out" "ceremony import bundle/demo.tar.gz --pubkey $pub" "prints the import command"

# Archive layout: sorted, one top folder, fixed owner, modes and mtime.
list=$(tar -tzvf "$tgz" --utc --numeric-owner | awk '{print $1, $2, $4, $5, $6}')
want="drwxr-xr-x 0/0 2023-11-14 22:13 demo/
-rw-r--r-- 0/0 2023-11-14 22:13 demo/MANIFEST
-rw-r--r-- 0/0 2023-11-14 22:13 demo/MANIFEST.minisig
-rw-r--r-- 0/0 2023-11-14 22:13 demo/README.txt
-rw-r--r-- 0/0 2023-11-14 22:13 demo/ceremony.pub
-rw-r--r-- 0/0 2023-11-14 22:13 demo/deviceRootCA.pem
-rw-r--r-- 0/0 2023-11-14 22:13 demo/jitp_template.json
-rw-r--r-- 0/0 2023-11-14 22:13 demo/regions.txt
-rwxr-xr-x 0/0 2023-11-14 22:13 demo/register.sh
-rw-r--r-- 0/0 2023-11-14 22:13 demo/transcript.log
-rw-r--r-- 0/0 2023-11-14 22:13 demo/verificationCert.crt"
is "$list" "$want" "tar -tv: sorted members, uid/gid 0, modes, SOURCE_DATE_EPOCH mtime"
x=$T/x && mkdir "$x"
tar -xzf "$tgz" -C "$x"; ok $? "GNU tar extracts it"
for f in deviceRootCA.pem verificationCert.crt jitp_template.json register.sh ceremony.pub regions.txt; do
	cmp -s "$x/demo/$f" "$d/$f"; ok $? "$f bundled unchanged"
done
cmp -s "$x/demo/transcript.log" "$T/pristine/transcript.log"
ok $? "transcript.log bundled as it was before the bundle line"
(cd "$x/demo" && sha256sum --quiet -c MANIFEST); ok $? "sha256sum -c MANIFEST passes"
is "$(cut -c67- "$x/demo/MANIFEST" | tr '\n' ' ')" \
	"README.txt ceremony.pub deviceRootCA.pem jitp_template.json regions.txt register.sh transcript.log verificationCert.crt " \
	"MANIFEST lists every file but itself and its signature, sorted"
run minisign -Vm "$x/demo/MANIFEST" -x "$x/demo/MANIFEST.minisig" -P "$pub"
is "$rc" 0 "minisign -V verifies MANIFEST.minisig"
like "$out" "Trusted comment: timestamp:1700000000	file:MANIFEST	bundle:demo	ceremony:Device Root CA	hashed" \
	"trusted comment: time, bundle name, ceremony name"
keyid=$(head -1 "$d/ceremony.pub" | awk '{print $NF}')
is "$(head -1 "$x/demo/MANIFEST.minisig")" "untrusted comment: signature from ceremony bundle key $keyid" \
	"untrusted comment names the key id"
fp=$(openssl x509 -in "$d/deviceRootCA.pem" -noout -fingerprint -sha256 | cut -d= -f2)
grep -qF "$fp" "$x/demo/README.txt"; ok $? "README.txt shows the CA fingerprint"
grep -qF "minisign -Vm MANIFEST -P $pub" "$x/demo/README.txt"; ok $? "README.txt shows the minisign check"
thead=$(cer -C "$T/pristine" transcript verify --quiet 2>/dev/null | grep -Eo '[0-9a-f]{64}' | tail -1)
[ ${#thead} -eq 64 ] && grep -qF "$thead" "$x/demo/README.txt"
ok $? "README.txt shows the transcript head"

# Transcript line.
last=$(tail -1 "$d/transcript.log")
is "$(jq -r .command <<<"$last")" "bundle" "transcript: bundle line appended"
is "$(jq -r .bundle_sha256 <<<"$last")" "$sha" "transcript: bundle SHA-256"
n=$(wc -l <"$d/bundle/qr/frames.txt")
is "$(jq -r .frames <<<"$last")" "$n" "transcript: frame count"
is "$(jq -r '.outputs["bundle/demo.tar.gz"]' <<<"$last")" "$sha" "transcript: archive listed as output"
cer -C "$d" transcript verify --quiet >/dev/null 2>&1; ok $? "transcript still verifies"

# QR outputs.
qr=$d/bundle/qr
k=$(jq -r .frames_needed <<<"$last")
is "$n" "$((k + (k * 2 + 4) / 5))" "default parity: ceil(40% of k)"
is "$(ls "$qr" | grep -c '^frame-[0-9][0-9][0-9]\.png$')" "$n" "one PNG per frame"
is "$(ls "$qr" | grep -c '^frame-[0-9][0-9][0-9]\.svg$')" "$n" "one SVG per frame"
[ -f "$qr/frame-$(printf %03d "$n").png" ]; ok $? "frame files are numbered from 001"
is "$(head -c 8 "$qr/frame-001.png" | od -An -tx1 | tr -d ' ')" "89504e470d0a1a0a" "PNG signature"
grep -q '^CB1:' "$qr/frames.txt"; ok $? "frames.txt lines carry the CB1: tag"
id=${sha:0:8}
nn=$(printf %02d "$n")
grep -qF "01/$nn $id" "$qr/frames.html"; ok $? "frames.html labels: 01/$nn $id"
grep -qF "$nn/$nn $id" "$qr/frames.html"; ok $? "frames.html labels the last frame"
grep -qF "$sha" "$qr/frames.html"; ok $? "frames.html shows the bundle SHA-256"
grep -qF "ceremony import --qr -" "$qr/frames.html"; ok $? "frames.html shows the restore command"
grep -qF "zbarimg --raw -q -Sdisable -Sqrcode.enable" "$qr/frames.html"; ok $? "frames.html: the QR-only zbarimg line"
grep -qE "printed module 0\.[6-9][0-9] mm" "$qr/frames.html"; ok $? "frames.html states a printed module of 0.6 mm or more"
is "$(grep -c '<svg' "$qr/frames.html")" "$n" "frames.html holds every code"

# Existing outputs need --force; --force replaces the QR folder whole.
refuses 2 "bundle/demo.tar.gz exists; use --force" "tar exists" -- cer -C "$d" bundle --name demo
refuses 2 "bundle/qr exists; use --force" "qr exists" -- cer -C "$d" bundle --name other --format qr
run cer -C "$d" bundle --name demo --force --parity 1 --qr-version 25 --qr-level L
is "$rc" 0 "--force rewrites"
n2=$(wc -l <"$qr/frames.txt")
is "$(ls "$qr" | grep -c '^frame-')" "$((n2 * 2))" "old frames removed with --force ($n2 frames now)"
is "$(ls "$d/bundle")" "demo.tar.gz
qr" "no temporary folders left"

# Formats one at a time.
rm -rf "$d" && cp -a "$T/pristine" "$d"
run cer -C "$d" bundle --name t --format tar
is "$rc" 0 "--format tar"
is "$(ls "$d/bundle")" "t.tar.gz" "--format tar: archive only"
run cer -C "$d" bundle --name t --format qr
is "$rc" 0 "--format qr"
is "$(ls "$d/bundle")" "qr
t.tar.gz" "--format qr: adds bundle/qr only"
run cer -C "$d" bundle --name t --format term --qr-version 20 --qr-level L </dev/null
is "$rc" 0 "--format term"
nt=$(jq -r .frames <<<"$(tail -1 "$d/transcript.log")")
is "$(grep -Ec "^[0-9]{2}/[0-9]{2} [0-9a-f]{8}   \(any" <<<"$out")" "$nt" "--format term: one label per frame"
like "$out" "▀|▄|█" "--format term: half-block characters"

# Default name and time from the transcript.
rm -rf "$d" && cp -a "$T/pristine" "$d"
t=$(tail -1 "$d/transcript.log" | jq -r .time)
name=ceremony-$(date -u -d "$t" +%Y%m%d-%H%M%S)
SOURCE_DATE_EPOCH= run env -u SOURCE_DATE_EPOCH "$CEREMONY" -C "$d" bundle --format tar
is "$rc" 0 "bundle without SOURCE_DATE_EPOCH"
[ -f "$d/bundle/$name.tar.gz" ]; ok $? "default name from the transcript time: $name"
is "$(tar -tzvf "$d/bundle/$name.tar.gz" --utc | awk 'NR==1 {print $4" "$5}')" \
	"$(date -u -d "$t" '+%Y-%m-%d %H:%M')" "mtime from the transcript's last line"

# Deterministic: the same ceremony gives the same bytes.
for i in 1 2; do
	rm -rf "$T/det$i" && cp -a "$T/pristine" "$T/det$i"
	cer -C "$T/det$i" bundle --name same >/dev/null 2>&1
done
cmp -s "$T/det1/bundle/same.tar.gz" "$T/det2/bundle/same.tar.gz"; ok $? "two builds: identical archives"
is "$(cd "$T/det1/bundle/qr" && sha256sum * )" "$(cd "$T/det2/bundle/qr" && sha256sum *)" \
	"two builds: identical frames, PNGs, SVGs and sheet"

# sni-only: no verification certificate.
rm -rf "$d" && cp -a "$T/pristine" "$d"
cer -C "$d" template --region us-east-2 --account 123456789012 --mode sni-only --force >/dev/null 2>&1
run cer -C "$d" bundle --name sni --format tar
is "$rc" 0 "sni-only bundle"
members=$(tar -tzf "$d/bundle/sni.tar.gz") && grep -qx "sni/deviceRootCA.pem" <<<"$members" &&
	! grep -q verificationCert <<<"$members"
ok $? "sni-only: no verificationCert.crt"
tar -xzOf "$d/bundle/sni.tar.gz" sni/README.txt | grep -q "SNI_ONLY"; ok $? "sni-only: README says so"

# Encrypted signing key: passphrase options.
e=$T/enc
printf 'correct horse\n' >"$T/pw"
printf 'wrong horse\n' >"$T/bad"
cer -C "$e" root --key ec-p256 --passphrase-file "$T/pw" >/dev/null 2>&1
cer -C "$e" verification --registration-code "$code" --passphrase-file "$T/pw" >/dev/null 2>&1
cer -C "$e" template --region us-east-2 --account 123456789012 >/dev/null 2>&1
refuses 2 "use --passphrase-file F or --passphrase-fd N" "encrypted key, no passphrase source" -- \
	setsid "$CEREMONY" -C "$e" bundle --name e </dev/null
refuses 2 "ceremony.key: wrong passphrase" "wrong passphrase" -- \
	cer -C "$e" bundle --name e --passphrase-file "$T/bad"
run cer -C "$e" bundle --name e --passphrase-fd 3 3<"$T/pw"
is "$rc" 0 "--passphrase-fd"
[ -f "$e/bundle/e.tar.gz" ]; ok $? "bundle signed with the encrypted key"

# --- several regions and an intermediate CA ---------------------------------
r=$T/reg
A=123456789012 B=210987654321
cer -C "$r" root --no-passphrase --key ec-p256 >/dev/null 2>&1
cer -C "$r" verification --registration-code "$(openssl rand -hex 32)" --region us-east-1 --account $A >/dev/null 2>&1
cer -C "$r" verification --registration-code "$(openssl rand -hex 32)" --region eu-west-1 --account $A >/dev/null 2>&1
cer -C "$r" template --region us-east-1,eu-west-1 --account $A >/dev/null 2>&1
make_intermediate "$r" line-a; ok $? "an intermediate made with openssl"
cer -C "$r" verification --registration-code "$(openssl rand -hex 32)" --ca line-a >/dev/null 2>&1
cer -C "$r" template --ca line-a --mode sni-only --region us-east-2 --account $A --account $B >/dev/null 2>&1
cp -a "$r" "$T/reg-pristine"
run cer -C "$r" bundle --name rb --format tar
is "$rc" 0 "bundle with regions and an intermediate"
tgz=$r/bundle/rb.tar.gz
members=$(tar -tzf "$tgz" | grep -v '/$' | sed 's|^rb/||' | LC_ALL=C sort | tr '\n' ' ')
is "$members" "MANIFEST MANIFEST.minisig README.txt ceremony.pub deviceRootCA.pem intermediate/line-a/chain.pem intermediate/line-a/deviceRootCA.pem intermediate/line-a/regions.txt intermediate/line-a/regions/us-east-2-$A/jitp_template.json intermediate/line-a/regions/us-east-2-$A/register.sh intermediate/line-a/regions/us-east-2-$B/jitp_template.json intermediate/line-a/regions/us-east-2-$B/register.sh intermediate/line-a/register-all.sh regions.txt regions/eu-west-1-$A/jitp_template.json regions/eu-west-1-$A/register.sh regions/eu-west-1-$A/verificationCert.crt regions/us-east-1-$A/jitp_template.json regions/us-east-1-$A/register.sh regions/us-east-1-$A/verificationCert.crt register-all.sh transcript.log " \
	"every region's files, register-all.sh, regions.txt and the intermediate's public files"
! tar -tzf "$tgz" | grep -q '\.key$'; ok $? "no key in the bundle"
! tar -tzf "$tgz" | grep -q 'intermediate/line-a/verificationCert.crt'; ok $? "a verification certificate no registration uses stays behind"
is "$(tar -tzvf "$tgz" | awk '$6 ~ /register(-all)?\.sh$/ {print $1}' | sort -u)" "-rwxr-xr-x" "every register script 0755"
x=$T/rx && mkdir "$x" && tar -xzf "$tgz" -C "$x"; ok $? "GNU tar extracts the subfolders"
(cd "$x/rb" && sha256sum --quiet -c MANIFEST); ok $? "sha256sum -c MANIFEST passes over subfolders"
run minisign -Vm "$x/rb/MANIFEST" -x "$x/rb/MANIFEST.minisig" -P "$(sed -n 2p "$r/ceremony.pub")"
is "$rc" 0 "minisign -V verifies it"
cmp -s "$x/rb/intermediate/line-a/deviceRootCA.pem" "$r/intermediate/line-a/deviceRootCA.pem"; ok $? "the intermediate's certificate bundled unchanged"
rd=$x/rb/README.txt
grep -q "regions/eu-west-1-$A/verificationCert.crt .*for eu-west-1 account $A" "$rd"; ok $? "README lists a region's file and what it is for"
grep -q "intermediate/line-a/chain.pem .*then the root" "$rd"; ok $? "README lists the intermediate's chain"
grep -q "sh register-all.sh .*# root CA" "$rd"; ok $? "README: the root's register-all.sh"
grep -q "sh intermediate/line-a/register-all.sh .*# intermediate CA 'line-a'" "$rd"; ok $? "README: line-a's register-all.sh"
grep -Eq "us-east-2 +$B +SNI_ONLY" "$rd"; ok $? "README lists the registrations"
for i in 1 2; do
	rm -rf "$T/rdet$i" && cp -a "$T/reg-pristine" "$T/rdet$i"
	SOURCE_DATE_EPOCH=1700000000 cer -C "$T/rdet$i" bundle --name same --format tar >/dev/null 2>&1
done
cmp -s "$T/rdet1/bundle/same.tar.gz" "$T/rdet2/bundle/same.tar.gz"; ok $? "with subfolders: still the same bytes twice"

# refused: a registration's files missing, a broken chain, two layouts
reset() { rm -rf "$r" && cp -a "$T/reg-pristine" "$r"; }
reset
rm "$r/regions/eu-west-1-$A/jitp_template.json"
refuses 2 "regions/eu-west-1-$A/jitp_template.json is missing" "a region's template missing" -- cer -C "$r" bundle --name x --format tar
reset
rm "$r/regions/us-east-1-$A/verificationCert.crt"
refuses 2 "regions/us-east-1-$A/verificationCert.crt is missing" "a DEFAULT region's verification certificate missing" -- cer -C "$r" bundle --name x --format tar
reset
rm "$r/intermediate/line-a/chain.pem"
refuses 2 "intermediate/line-a/chain.pem is missing" "an intermediate without chain.pem" -- cer -C "$r" bundle --name x --format tar
reset
cp "$r/deviceRootCA.pem" "$r/intermediate/line-a/chain.pem"
refuses 1 "intermediate/line-a/chain.pem: not the issuing CA's certificate, then the root's" "a wrong chain.pem" -- cer -C "$r" bundle --name x --format tar
reset
cp "$T/c/verificationCert.crt" "$r/regions/eu-west-1-$A/verificationCert.crt"
refuses 1 "regions/eu-west-1-$A/verificationCert.crt: " "another CA's verification certificate in a region" -- cer -C "$r" bundle --name x --format tar
reset
printf 'us-east-1 123456789012 DEFAULT\neu-west-1 123456789012 DEFAULT\n' >"$r/regions.txt"
refuses 2 "regions.txt: line 2 is out of order or repeated" "regions.txt out of order" -- cer -C "$r" bundle --name x --format tar
reset
cp "$r/regions/us-east-1-$A/register.sh" "$r/register.sh"
cp "$r/regions/us-east-1-$A/jitp_template.json" "$r/jitp_template.json"
refuses 2 "register.sh and register-all.sh: one CA, two layouts" "both layouts" -- cer -C "$r" bundle --name x --format tar
reset
rm "$r/register-all.sh" "$r/regions.txt"
rm -r "$r/regions"
run cer -C "$r" bundle --name only-int --format tar
is "$rc" 0 "only the intermediate registered: bundled"
! tar -tzf "$r/bundle/only-int.tar.gz" | grep -q 'only-int/register'; ok $? "no root register script then"
# --ca NAME: that intermediate alone, with the root's certificate
reset
run cer -C "$r" bundle --ca line-a --name la --format tar
is "$rc" 0 "bundle --ca line-a"
is "$(tar -tzf "$r/bundle/la.tar.gz" | grep -v '/$' | sed 's|^la/||' | LC_ALL=C sort | tr '\n' ' ')" \
	"MANIFEST MANIFEST.minisig README.txt ceremony.pub deviceRootCA.pem intermediate/line-a/chain.pem intermediate/line-a/deviceRootCA.pem intermediate/line-a/regions.txt intermediate/line-a/regions/us-east-2-$A/jitp_template.json intermediate/line-a/regions/us-east-2-$A/register.sh intermediate/line-a/regions/us-east-2-$B/jitp_template.json intermediate/line-a/regions/us-east-2-$B/register.sh intermediate/line-a/register-all.sh transcript.log " \
	"--ca: the root's certificate and line-a's files, no root registration"
is "$(tail -1 "$r/transcript.log" | jq -r .args.ca)" "line-a" "--ca: in the transcript"
run cer import "$r/bundle/la.tar.gz" --pubkey-file "$r/ceremony.pub" --out "$T/la"
is "$rc" 0 "--ca bundle imports"
has "$out" "sh intermediate/line-a/register-all.sh" "--ca bundle: import names line-a's script"
refuses 2 "--ca: no intermediate CA 'nope'" "--ca unknown" -- cer -C "$r" bundle --ca nope --name x --format tar
refuses 2 "--ca: give an intermediate CA's name" "--ca empty" -- cer -C "$r" bundle --ca "" --name x --format tar
mkdir -p "$r/intermediate/line-c" && cp "$r/intermediate/line-a/deviceRootCA.pem" "$r/intermediate/line-c/"
refuses 2 "intermediate/line-c/chain.pem is missing" "--ca: an intermediate without chain.pem" -- cer -C "$r" bundle --ca line-c --name x --format tar
cp "$r/intermediate/line-a/chain.pem" "$r/intermediate/line-c/"
refuses 2 "register.sh is missing; run 'ceremony template' first" "--ca: an intermediate with no registration" -- cer -C "$r" bundle --ca line-c --name x --format tar
done_testing
