#!/bin/bash
# ceremony import: pinned key, archive and QR input, the order of checks,
# refused inputs, and that nothing is written unless all checks pass.
. "$(dirname "$0")/../lib.sh"

d=$T/c
cer -C "$d" root --no-passphrase --key ec-p256 >/dev/null 2>&1
cer -C "$d" verification --registration-code "$(openssl rand -hex 32)" >/dev/null 2>&1
cer -C "$d" template --region us-east-2 --account 123456789012 >/dev/null 2>&1
head_before=$(cer -C "$d" transcript verify --quiet 2>/dev/null | grep -Eo '[0-9a-f]{64}' | tail -1)
SOURCE_DATE_EPOCH=1700000000 cer -C "$d" bundle --name b1 --parity 3 >/dev/null 2>&1
tgz=$d/bundle/b1.tar.gz
frames=$d/bundle/qr/frames.txt
pub=$(sed -n 2p "$d/ceremony.pub")
keyid=$(head -1 "$d/ceremony.pub" | awk '{print $NF}')
o=$T/w
mkdir "$o"
cd "$o" || exit 2

flip() { # flip FILE OFFSET: change one bit of one byte
	/usr/bin/python3 -c 'import sys; p, i = sys.argv[1], int(sys.argv[2]); b = bytearray(open(p, "rb").read()); b[i] ^= 1; open(p, "wb").write(b)' "$1" "$2"
}

run cer import --help
is "$rc" 0 "--help exits 0"
like "$out" "Nothing is written unless every check passes" "--help explains the all-or-nothing rule"

refuses 2 "give one bundle" "no bundle" -- cer import --pubkey "$pub"
refuses 2 "give one bundle" "archive and --qr" -- cer import "$tgz" --qr "$frames" --pubkey "$pub"
refuses 2 "give one bundle" "two archives" -- cer import "$tgz" "$tgz" --pubkey "$pub"
refuses 2 "--pubkey or --pubkey-file, not both" "two keys" -- cer import "$tgz" --pubkey "$pub" --pubkey-file "$d/ceremony.pub"
refuses 2 "--pubkey: 'RWSnotakey' is not a minisign public key" "bad key" -- cer import "$tgz" --pubkey RWSnotakey
refuses 2 "not a minisign public key" "bad key file" -- cer import "$tgz" --pubkey-file "$d/deviceRootCA.pem"
refuses 2 "nope.tar.gz: cannot open" "missing archive" -- cer import nope.tar.gz --pubkey "$pub"
refuses 2 "usage: ceremony import" "unknown option" -- cer import "$tgz" --frobnicate
mkdir "$o/exists"
refuses 2 "exists exists; choose another --out" "--out exists" -- \
	cer import "$tgz" --pubkey "$pub" --out exists
rmdir "$o/exists"

# No pinned key: refuse and show the bundle's key.
refuses 2 "no pinned key: refusing to trust" "no pinned key" -- cer import "$tgz"
like "$err" "signed by key id $keyid" "no pinned key: shows the signature's key id"
has "$err" "--pubkey $pub" "no pinned key: shows the bundle's key"

# Another key: the signature check fails.
cer -C "$T/other" root --no-passphrase --key ec-p256 >/dev/null 2>&1
opub=$(sed -n 2p "$T/other/ceremony.pub")
oid=$(head -1 "$T/other/ceremony.pub" | awk '{print $NF}')
refuses 1 "MANIFEST.minisig: signed by key id $keyid, but the public key has id $oid" "wrong key" -- cer import "$tgz" --pubkey "$opub"

# The archive, pinned by --pubkey.
run cer import "$tgz" --pubkey "$pub" --out ca
is "$rc" 0 "import archive: exit 0"
for f in deviceRootCA.pem verificationCert.crt jitp_template.json register.sh ceremony.pub; do
	cmp -s "ca/$f" "$d/$f"; ok $? "ca/$f as made by the ceremony"
done
is "$(ls ca | tr '\n' ' ')" "MANIFEST MANIFEST.minisig README.txt ceremony.pub deviceRootCA.pem jitp_template.json regions.txt register.sh transcript.log verificationCert.crt " \
	"every bundle file unpacked"
[ -x ca/register.sh ]; ok $? "register.sh stays executable"
is "$(stat -c %a ca)" "755" "DIR is readable (0755)"
fp=$(openssl x509 -in "$d/deviceRootCA.pem" -noout -fingerprint -sha256 | cut -d= -f2)
like "$out" "$fp" "prints the CA fingerprint"
like "$out" "$head_before" "prints the transcript head"
like "$out" "cd ca && sh register.sh" "prints the command to run next"
like "$out" "aws iot register-ca-certificate" "shows the aws command register.sh runs"
like "$out" "key id $keyid" "names the signing key"
is "$(ls -A "$o" | tr '\n' ' ')" "ca " "no temporary folder left"
(cd ca && sha256sum --quiet -c MANIFEST); ok $? "sha256sum -c passes in DIR"
rm -rf ca

# --pubkey-file, default DIR, and an archive file renamed.
cp "$tgz" renamed.tar.gz
run cer import renamed.tar.gz --pubkey-file "$d/ceremony.pub"
is "$rc" 0 "--pubkey-file"
[ -f b1/deviceRootCA.pem ]; ok $? "default DIR: the bundle's name"
refuses 2 "b1 exists; choose another --out" "default DIR exists" -- \
	cer import renamed.tar.gz --pubkey "$pub"
rm -rf b1 renamed.tar.gz

# QR lines: file, stdin, any order, duplicates, blank and foreign lines.
run cer import --qr "$frames" --pubkey "$pub" --out q1
is "$rc" 0 "--qr FILE"
cmp -s q1/deviceRootCA.pem "$d/deviceRootCA.pem"; ok $? "--qr FILE: files unpacked"
n=$(wc -l <"$frames")
like "$err" "rebuilt from $n of $n frames" "--qr: reports the frames used"
{ echo; echo "hello"; shuf "$frames"; sed -n 2p "$frames"; echo "QR-Code:junk"; echo; } >mixed.txt
run cer import --qr - --pubkey "$pub" --out q2 <mixed.txt
is "$rc" 0 "--qr - with shuffled, duplicated, blank and foreign lines"
like "$err" "skipped 1 duplicate frame, 2 foreign lines, 2 blank lines" "counts what it skipped"
diff -r q1 q2 >/dev/null; ok $? "same files either way"
rm -rf q1 q2 mixed.txt

# Enough frames: k of n is enough, fewer is not.
k=$(jq -r .frames_needed <<<"$(tail -1 "$d/transcript.log")")
tail -n "$k" "$frames" >k.txt
run cer import --qr k.txt --pubkey "$pub" --out q3
is "$rc" 0 "the last k frames (all parity) rebuild it"
rm -rf q3
tail -n "$((k - 1))" "$frames" >"$T/few.txt"
rm k.txt
sha1=$(sha256sum <"$tgz")
refuses 1 "few.txt: bundle ${sha1:0:8}: need 1 more frame.*missing: 01, 02" "one frame short" -- cer import --qr "$T/few.txt" --pubkey "$pub"
printf 'hello\n\n' >"$T/none.txt"
refuses 1 "none.txt: no QR frame" "no frames" -- cer import --qr "$T/none.txt" --pubkey "$pub"

# Frames from two bundles.
cer -C "$T/other" verification --registration-code "$(openssl rand -hex 32)" >/dev/null 2>&1
cer -C "$T/other" template --region us-east-2 --account 123456789012 >/dev/null 2>&1
cer -C "$T/other" bundle --name b2 --format qr >/dev/null 2>&1
id1=$(sha256sum <"$tgz" | cut -c1-8)
id2=$(jq -r .bundle_sha256 <<<"$(tail -1 "$T/other/transcript.log")" | cut -c1-8)
{ head -2 "$frames"; head -1 "$T/other/bundle/qr/frames.txt"; } >"$T/two.txt"
refuses 1 "two.txt: line 3: .*from bundle $id2, but earlier frames are from bundle $id1" "two bundles" -- cer import --qr "$T/two.txt" --pubkey "$pub"

# A damaged frame stops the import.
awk 'NR==1 { $0 = substr($0, 1, 10) (substr($0, 11, 1) == "0" ? "1" : "0") substr($0, 12) } 1' "$frames" >"$T/dmg.txt"
refuses 1 "dmg.txt: line 1: " "damaged frame" -- cer import --qr "$T/dmg.txt" --pubkey "$pub"

# Archive-level checks with a bundle re-signed by hand: every step of the
# order in --help has its own message.
mk() { # mk NAME: unpack the good bundle into $T/m/NAME for editing
	rm -rf "$T/m" && mkdir -p "$T/m" && tar -xzf "$tgz" -C "$T/m" &&
		{ [ "$1" = b1 ] || mv "$T/m/b1" "$T/m/$1"; }
}
# An independent writer of the archive layout (media/tar.h): ustar, names
# split into prefix TOP and name NAME, two zero blocks, zlib level 9 gzip
# with mtime 0 and OS 3. The reader accepts nothing else.
cat >"$T/pack.py" <<'PY'
import os, sys, zlib
src, top, mtime, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def octal(v, w):
    return b"%0*o\0" % (w - 1, v)
def header(prefix, name, typ, mode, size):
    h = bytearray(512)
    h[0:len(name)] = name.encode()
    h[100:108] = octal(mode, 8); h[108:116] = octal(0, 8); h[116:124] = octal(0, 8)
    h[124:136] = octal(size, 12); h[136:148] = octal(mtime, 12)
    h[156] = ord(typ); h[257:265] = b"ustar\x0000"
    h[265:269] = b"root"; h[297:301] = b"root"
    h[329:337] = octal(0, 8); h[337:345] = octal(0, 8)
    h[345:345 + len(prefix)] = prefix.encode()
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)
t = header("", top + "/", "5", 0o755, 0)
for n in sorted(os.listdir(os.path.join(src, top)), key=lambda x: x.encode()):
    data = open(os.path.join(src, top, n), "rb").read()
    mode = os.stat(os.path.join(src, top, n)).st_mode & 0o777
    t += header(top, n, "0", mode, len(data)) + data + b"\0" * (-len(data) % 512)
t += b"\0" * 1024
z = zlib.compressobj(9, zlib.DEFLATED, 31, 8)
open(out, "wb").write(z.compress(t) + z.flush())
PY
pack() { # pack NAME: $T/NAME.tar.gz from $T/m/NAME, as ceremony writes it
	/usr/bin/python3 "$T/pack.py" "$T/m" "$1" 1700000000 "$T/$1.tar.gz"
}
mk b1 && pack b1
cmp -s "$T/b1.tar.gz" "$tgz"; ok $? "the test packer writes the archive byte for byte like ceremony"
mk extra && echo hi >"$T/m/extra/notes.txt" && pack extra
refuses 1 "notes.txt: in the bundle but not listed in MANIFEST" "extra file" -- cer import "$T/extra.tar.gz" --pubkey "$pub"
mk gone && rm "$T/m/gone/jitp_template.json" && pack gone
refuses 1 "jitp_template.json: listed in MANIFEST but missing" "missing file" -- cer import "$T/gone.tar.gz" --pubkey "$pub"
mk edit && printf ' ' >>"$T/m/edit/register.sh" && pack edit
refuses 1 "register.sh: SHA-256 does not match MANIFEST" "edited file" -- cer import "$T/edit.tar.gz" --pubkey "$pub"
mk man && flip "$T/m/man/MANIFEST" 0 && pack man
refuses 1 "MANIFEST.minisig: signature does not match" "edited MANIFEST" -- cer import "$T/man.tar.gz" --pubkey "$pub"
mk cmt && sed -i '1s/$/!/' "$T/m/cmt/MANIFEST.minisig" && pack cmt
refuses 1 "the untrusted comment is not 'signature from ceremony bundle key $keyid'" "edited untrusted comment" -- cer import "$T/cmt.tar.gz" --pubkey "$pub"
mk tc && sed -i '3s/bundle:b1/bundle:b2/' "$T/m/tc/MANIFEST.minisig" && pack tc
refuses 1 "global signature does not match the trusted comment" "edited trusted comment" -- cer import "$T/tc.tar.gz" --pubkey "$pub"
mk nosig && rm "$T/m/nosig/MANIFEST.minisig" && pack nosig
refuses 1 "the bundle has no MANIFEST.minisig" "no signature" -- cer import "$T/nosig.tar.gz" --pubkey "$pub"
mk mode && chmod 0600 "$T/m/mode/README.txt" && pack mode
refuses 1 "README.txt: mode 0600 in the archive, expected 0644" "mode changed" -- cer import "$T/mode.tar.gz" --pubkey "$pub"

# A member name that would rewrite the terminal ("verified" over the
# error) is quoted in the message, before any signature check.
noraw() { # noraw NAME: no raw CR or ESC in what the last run printed
	! LC_ALL=C grep -q $'[\r\e]' "$T/out" "$T/err"; ok $? "$1: no raw CR or ESC printed"
}
mk evil && printf hi >"$T/m/evil/"$'x\r\e[2K\e[8mBundle b1 verified' && pack evil
refuses 1 "member 'evil/x\\\\x0d\\\\x1b\\[2K\\\\x1b\\[8mBundle b1 verified' has a bad name" \
	"hostile member name" -- cer import "$T/evil.tar.gz" --pubkey "$pub"
noraw "hostile member name"
mk evil2 && printf hi >"$T/m/evil2/back\\slash" && pack evil2
refuses 1 "member 'evil2/back\\\\\\\\slash' has a bad name" "backslash in a member name: doubled" -- \
	cer import "$T/evil2.tar.gz" --pubkey "$pub"

# Re-signed with the real key (by real minisign): the later checks.
resign() { # resign NAME: new MANIFEST and signature by ceremony.key
	(cd "$T/m/$1" && ls | grep -v '^MANIFEST' | xargs sha256sum >MANIFEST &&
		rm -f MANIFEST.minisig &&
		minisign -S -s "$d/ceremony.key" -m MANIFEST -x MANIFEST.minisig \
			-c "signature from ceremony bundle key $keyid" -t "re-signed" >/dev/null 2>&1)
}
mk same && resign same && pack same
run cer import "$T/same.tar.gz" --pubkey "$pub" --out same
is "$rc" 0 "a bundle whose MANIFEST minisign signed with the ceremony key imports"
like "$out" "signed comment   re-signed" "shows minisign's trusted comment"
rm -rf same
(cd "$T/m" && tar --sort=name --owner=root:0 --group=root:0 --mtime=@1700000000 -b1 \
	--format=ustar -cf - same | gzip -9n >"$T/gnu.tar.gz")
refuses 1 "gnu.tar.gz: not an archive written by ceremony" "repacked with GNU tar" -- cer import "$T/gnu.tar.gz" --pubkey "$pub"
mk swap && cp "$T/other/ceremony.pub" "$T/m/swap/ceremony.pub" && resign swap && pack swap
refuses 1 "ceremony.pub in the bundle is not the pinned key" "swapped ceremony.pub" -- cer import "$T/swap.tar.gz" --pubkey "$pub"
mk unk && echo hi >"$T/m/unk/notes.txt" && resign unk && pack unk
refuses 1 "notes.txt: not a file a ceremony bundle carries" "unknown file, signed" -- cer import "$T/unk.tar.gz" --pubkey "$pub"
mk nocert && rm "$T/m/nocert/deviceRootCA.pem" && resign nocert && pack nocert
refuses 1 "deviceRootCA.pem: missing from the bundle" "no CA certificate, signed" -- cer import "$T/nocert.tar.gz" --pubkey "$pub"
mk badca && cp "$d/verificationCert.crt" "$T/m/badca/deviceRootCA.pem" && resign badca && pack badca
refuses 1 "deviceRootCA.pem: " "CA certificate that is not a CA, signed" -- cer import "$T/badca.tar.gz" --pubkey "$pub"
mk chain && sed -i '2s/"seq":2/"seq":7/' "$T/m/chain/transcript.log" && resign chain && pack chain
refuses 1 "the bundle's transcript.log does not check out" "broken transcript, signed" -- cer import "$T/chain.tar.gz" --pubkey "$pub"
like "$err" "line 2 has sequence number 7" "broken transcript: says where"
mk tcert && printf '\n' >>"$T/m/tcert/jitp_template.json" && resign tcert && pack tcert
refuses 1 "jitp_template.json: SHA-256 differs from transcript" "file differs from the transcript, signed" -- cer import "$T/tcert.tar.gz" --pubkey "$pub"

# The trusted comment is signed, but still not the terminal's to obey.
mk tcq && (cd "$T/m/tcq" && ls | grep -v '^MANIFEST' | xargs sha256sum >MANIFEST &&
	rm -f MANIFEST.minisig &&
	minisign -S -s "$d/ceremony.key" -m MANIFEST -x MANIFEST.minisig \
		-c "signature from ceremony bundle key $keyid" \
		-t $'bundle:b1\e[2K\e[8m' >/dev/null 2>&1) && pack tcq
run cer import "$T/tcq.tar.gz" --pubkey "$pub" --out tcq
is "$rc" 0 "hostile trusted comment, signed: imports"
has "$out" 'signed comment   bundle:b1\x1b[2K\x1b[8m' "hostile trusted comment: quoted"
noraw "hostile trusted comment"
rm -rf tcq

# Default mode without verificationCert.crt, signed: register.sh would
# fail online, so import refuses it and unpacks nothing.
mk nover && rm "$T/m/nover/verificationCert.crt" && resign nover && pack nover
refuses 1 "register.sh names file://verificationCert.crt, but verificationCert.crt is missing from the bundle" \
	"register.sh names a file the bundle lacks" -- cer import "$T/nover.tar.gz" --pubkey "$pub" --out nover

# --- a bundle with regions and an intermediate CA ---------------------------
r=$T/reg
A=123456789012 B=210987654321
cer -C "$r" root --no-passphrase --key ec-p256 >/dev/null 2>&1
cer -C "$r" verification --registration-code "$(openssl rand -hex 32)" --region us-east-1 --account $A >/dev/null 2>&1
cer -C "$r" verification --registration-code "$(openssl rand -hex 32)" --region eu-west-1 --account $A >/dev/null 2>&1
cer -C "$r" template --region us-east-1,eu-west-1 --account $A >/dev/null 2>&1
make_intermediate "$r" line-a; ok $? "an intermediate made with openssl"
make_intermediate "$r" line-b; ok $? "a second intermediate"
cer -C "$r" verification --registration-code "$(openssl rand -hex 32)" --ca line-a >/dev/null 2>&1
cer -C "$r" template --ca line-a --region us-east-2 --account $B >/dev/null 2>&1
SOURCE_DATE_EPOCH=1700000000 cer -C "$r" bundle --name rb --format tar >/dev/null 2>&1
rtgz=$r/bundle/rb.tar.gz
rpub=$(sed -n 2p "$r/ceremony.pub")
rid=$(head -1 "$r/ceremony.pub" | awk '{print $NF}')
run cer import "$rtgz" --pubkey "$rpub" --out rb
is "$rc" 0 "import a bundle with regions and intermediates"
[ -x rb/register-all.sh ] && [ -x rb/regions/eu-west-1-$A/register.sh ] && [ -x rb/intermediate/line-a/register.sh ]
ok $? "register scripts unpacked executable"
is "$(stat -c %a rb/regions rb/regions/eu-west-1-$A rb/intermediate/line-a)" "755
755
755" "subfolders 0755"
(cd rb && sha256sum --quiet -c MANIFEST); ok $? "sha256sum -c passes in DIR"
cmp -s rb/regions/us-east-1-$A/verificationCert.crt "$r/regions/us-east-1-$A/verificationCert.crt"; ok $? "a region's file as made"
like "$out" "root CA +deviceRootCA.pem" "prints the root"
like "$out" "intermediate CA 'line-a' +intermediate/line-a/deviceRootCA.pem" "prints the intermediate"
like "$out" "intermediate CA 'line-b' +intermediate/line-b/deviceRootCA.pem \(not registered here\)" "an intermediate without a registration"
like "$out" "eu-west-1 +$A +DEFAULT +root CA" "prints a region of the root"
like "$out" "us-east-1 +$A +DEFAULT +root CA" "and the other"
like "$out" "us-east-2 +$B +DEFAULT +intermediate CA 'line-a'" "and the intermediate's"
has "$out" "cd rb && sh register-all.sh" "next: register-all.sh"
has "$out" "cd rb && sh intermediate/line-a/register.sh" "next: the intermediate's register.sh"
! find rb -name '*.key' | grep -q .; ok $? "no key unpacked"
rm -rf rb

# hand-made variants, re-signed with the real key: the content checks
rmk() { # rmk NAME: unpack the good bundle into $T/m/NAME for editing
	rm -rf "$T/m" && mkdir -p "$T/m" && tar -xzf "$rtgz" -C "$T/m" &&
		{ [ "$1" = rb ] || mv "$T/m/rb" "$T/m/$1"; }
}
cat >"$T/rpack.py" <<'PY'
import os, sys, zlib
src, top, mtime, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def octal(v, w):
    return b"%0*o\0" % (w - 1, v)
def header(prefix, name, typ, mode, size):
    h = bytearray(512)
    h[0:len(name)] = name.encode()
    h[100:108] = octal(mode, 8); h[108:116] = octal(0, 8); h[116:124] = octal(0, 8)
    h[124:136] = octal(size, 12); h[136:148] = octal(mtime, 12)
    h[156] = ord(typ); h[257:265] = b"ustar\x0000"
    h[265:269] = b"root"; h[297:301] = b"root"
    h[329:337] = octal(0, 8); h[337:345] = octal(0, 8)
    h[345:345 + len(prefix)] = prefix.encode()
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)
root = os.path.join(src, top)
files = []
for d, _, fs in os.walk(root):
    for f in fs:
        files.append(os.path.relpath(os.path.join(d, f), root))
t = header("", top + "/", "5", 0o755, 0)
for n in sorted(files, key=lambda x: x.encode()):
    data = open(os.path.join(root, n), "rb").read()
    mode = os.stat(os.path.join(root, n)).st_mode & 0o777
    prefix, name = top, n
    while len(name) > 100:  # the fewest folders into the prefix
        first, name = name.split("/", 1)
        prefix += "/" + first
    t += header(prefix, name, "0", mode, len(data)) + data + b"\0" * (-len(data) % 512)
t += b"\0" * 1024
z = zlib.compressobj(9, zlib.DEFLATED, 31, 8)
open(out, "wb").write(z.compress(t) + z.flush())
PY
rpack() { /usr/bin/python3 "$T/rpack.py" "$T/m" "$1" 1700000000 "$T/$1.tar.gz"; }
rresign() {
	(cd "$T/m/$1" && find . -type f ! -name MANIFEST ! -name MANIFEST.minisig | sed 's|^\./||' |
		LC_ALL=C sort | xargs sha256sum >MANIFEST && rm -f MANIFEST.minisig &&
		minisign -S -s "$r/ceremony.key" -m MANIFEST -x MANIFEST.minisig \
			-c "signature from ceremony bundle key $rid" -t "re-signed" >/dev/null 2>&1)
}
rmk rb && rpack rb
cmp -s "$T/rb.tar.gz" "$rtgz"; ok $? "the test packer writes subfolders byte for byte like ceremony"
rmk rs && rresign rs && rpack rs
run cer import "$T/rs.tar.gz" --pubkey "$rpub" --out rs
is "$rc" 0 "re-signed with subfolders: imports"
rm -rf rs
rmk key && cp "$r/intermediate/line-a/deviceRootCA.key" "$T/m/key/intermediate/line-a/" && rresign key && rpack key
refuses 1 "intermediate/line-a/deviceRootCA.key: not a file a ceremony bundle carries" "an intermediate's key, signed" -- cer import "$T/key.tar.gz" --pubkey "$rpub"
rmk mars && mv "$T/m/mars/regions/eu-west-1-$A" "$T/m/mars/regions/mars" && rresign mars && rpack mars
refuses 1 "regions/mars/jitp_template.json: not a file a ceremony bundle carries" "a region folder that is not a region, signed" -- cer import "$T/mars.tar.gz" --pubkey "$rpub"
rmk badca && mv "$T/m/badca/intermediate/line-a" "$T/m/badca/intermediate/Line_A" && rresign badca && rpack badca
refuses 1 "intermediate/Line_A/chain.pem: not a file a ceremony bundle carries" "a CA folder that is not a CA name, signed" -- cer import "$T/badca.tar.gz" --pubkey "$rpub"
rmk orphan && rm "$T/m/orphan/intermediate/line-a/deviceRootCA.pem" && rresign orphan && rpack orphan
refuses 1 "its CA's intermediate/line-a/deviceRootCA.pem is missing from the bundle" "an intermediate's files without its certificate, signed" -- cer import "$T/orphan.tar.gz" --pubkey "$rpub"
rmk noreg && rm -r "$T/m/noreg/regions/eu-west-1-$A" && rresign noreg && rpack noreg
refuses 1 "regions/eu-west-1-$A/jitp_template.json: missing from the bundle \(regions.txt lists eu-west-1\)" "a listed region's files gone, signed" -- cer import "$T/noreg.tar.gz" --pubkey "$rpub"
rmk chain && cp "$T/m/chain/deviceRootCA.pem" "$T/m/chain/intermediate/line-a/chain.pem" && rresign chain && rpack chain
refuses 1 "intermediate/line-a/chain.pem: not the issuing CA's certificate, then the root's" "a wrong chain, signed" -- cer import "$T/chain.tar.gz" --pubkey "$rpub"
rmk swapv && cp "$T/m/swapv/intermediate/line-a/verificationCert.crt" "$T/m/swapv/regions/us-east-1-$A/verificationCert.crt" && rresign swapv && rpack swapv
refuses 1 "regions/us-east-1-$A/verificationCert.crt: " "a region's verification certificate from another CA, signed" -- cer import "$T/swapv.tar.gz" --pubkey "$rpub"
rmk txt && printf 'us-east-1 %s DEFAULT\neu-west-1 %s DEFAULT\n' $A $A >"$T/m/txt/regions.txt" && rresign txt && rpack txt
refuses 1 "regions.txt: line 2 is out of order or repeated" "regions.txt out of order, signed" -- cer import "$T/txt.tar.gz" --pubkey "$rpub"
rmk two && printf 'us-east-1 %s DEFAULT\nus-east-1 %s DEFAULT\n' $A $B >"$T/m/two/regions.txt" && rresign two && rpack two
refuses 1 "regions.txt: line 2: a second DEFAULT registration in us-east-1" "two DEFAULT accounts in a region, signed" -- cer import "$T/two.tar.gz" --pubkey "$rpub"
rmk ref && sed -i "s|file://regions/eu-west-1-$A/jitp_template.json|file://regions/eu-west-2-$A/jitp_template.json|" "$T/m/ref/regions/eu-west-1-$A/register.sh" && rresign ref && rpack ref
refuses 1 "regions/eu-west-1-$A/register.sh names file://regions/eu-west-2-$A/jitp_template.json, but regions/eu-west-2-$A/jitp_template.json is missing" \
	"a region script naming a file the bundle lacks, signed" -- cer import "$T/ref.tar.gz" --pubkey "$rpub"
done_testing
