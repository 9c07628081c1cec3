#!/bin/bash
# ceremony sign --format tar and import --batch: one deterministic signed
# archive per batch that GNU tar, sha256sum, minisign and openssl accept;
# the same bytes again from the ledger (a rerun, a rerun after SIGKILL);
# an intermediate's batch; the factory's import refusing every byte
# changed, a wrong key, a cut file, members added, path tricks.
. "$(dirname "$0")/../lib.sh"

TOOLS=$TESTS_DIR/tools
d=$T/c
cer -C "$d" root --no-passphrase --key ec-p256 >/dev/null 2>&1 &&
	cer -C "$d" template --region us-east-2 --account 123456789012 \
		--mode sni-only >/dev/null 2>&1
ok $? "ceremony dir with an EC P-256 CA"
KEY=$(tail -n 1 "$d/ceremony.pub")
c=$T/csrs
mkdir -p "$c" "$T/keys"
mkcsr() { # mkcsr FILE SUBJECT [openssl req key options...]
	local f=$1 subj=$2
	shift 2
	[ $# -eq 0 ] && set -- -newkey ec -pkeyopt ec_paramgen_curve:P-256
	openssl req -new "$@" -nodes -subj "$subj" \
		-keyout "$T/keys/$(basename "${f%.*}").key" -out "$f" 2>/dev/null
}
mkcsr "$c/a.csr" "/C=US/O=Acme/CN=dev-a"
mkcsr "$c/b.csr" "/C=US/CN=dev:b" -newkey rsa:2048
mkcsr "$c/c.csr" "/C=US/CN=Dev-C"
mkcsr "$c/bad.csr" "/C=US/CN=weak" -newkey rsa:1024
set -- "$c/a.csr" "$c/b.csr" "$c/c.csr" "$c/bad.csr"

# --- usage errors: exit 2, nothing written ---
refuses 2 "--format: 'zip' is not dir or tar" "bad --format" -- \
	cer -C "$d" sign --format zip "$@"
refuses 2 "--format: 'tar,dir' is not dir or tar" "--format takes one value" -- \
	cer -C "$d" sign --format tar,dir "$@"
echo x >"$T/sp"
refuses 2 "only with --format tar" "--sigkey-passphrase-file without --format tar" -- \
	cer -C "$d" sign --sigkey-passphrase-file "$T/sp" "$@"
mkdir -p "$T/adir"
refuses 2 "--out .*adir: a folder; with --format tar --out names the archive file" \
	"--format tar --out a folder" -- cer -C "$d" sign --format tar --out "$T/adir" "$@"
refuses 2 "no folder .*nowhere for the archive" "--out in a missing folder" -- \
	cer -C "$d" sign --format tar --out "$T/nowhere/x.tar.gz" "$@"
rmdir "$T/adir"

# --- one batch, one archive ---
run cer -C "$d" sign --format tar "$@"
is "$rc" 1 "sign --format tar with one bad CSR: exit 1"
id=$(sed -n 's/^batch  *//p' "$T/out")
A=$d/issued/$id.tar.gz
is "$(ls -A "$d/issued")" "$id.tar.gz" "issued/ holds the archive alone, no per-device file"
has "$out" "At the factory:  ceremony import --batch issued/$id.tar.gz --pubkey $KEY" \
	"the factory's command is printed"
has "$err" "bad.csr: RSA key of 1024 bits" "the rejected CSR is reported"
top=$(tar -tzf "$A" | head -n 1)
is "$(tar -tzf "$A" | tr '\n' ' ')" "$id/ $id/Dev-C-chain.crt $id/Dev-C.crt $id/MANIFEST $id/MANIFEST.minisig $id/dev-a-chain.crt $id/dev-a.crt $id/dev:b-chain.crt $id/dev:b.crt $id/rejected.txt $id/summary.txt " \
	"GNU tar lists the top folder, then every member in byte order"
like "$(tar -tvzf "$A" | awk '{ print $1, $2 }' | sort -u | tr '\n' ' ')" \
	"^-rw-r--r-- root/root drwxr-xr-x root/root $" "GNU tar: owner root, modes 0755 and 0644"
x=$T/x
mkdir -p "$x" && tar -xzf "$A" -C "$x"
ok $? "GNU tar extracts it"
(cd "$x/$id" && sha256sum -c --quiet MANIFEST)
ok $? "sha256sum -c MANIFEST"
is "$(cut -c67- "$x/$id/MANIFEST" | tr '\n' ' ')" "Dev-C-chain.crt Dev-C.crt dev-a-chain.crt dev-a.crt dev:b-chain.crt dev:b.crt rejected.txt summary.txt " \
	"MANIFEST lists every member but itself and its signature"
run minisign -Vm "$x/$id/MANIFEST" -P "$KEY"
is "$rc" 0 "minisign -Vm MANIFEST verifies the signature"
like "$out" "Trusted comment: timestamp:[0-9]+.file:MANIFEST.batch:$id.ca:root.hashed" \
	"the trusted comment names the batch and the CA"
v=0
for f in "$x/$id"/*.crt; do
	openssl verify -CAfile "$d/deviceRootCA.pem" "$f" >/dev/null 2>&1 || v=1
done
ok $v "openssl verifies every certificate of the archive against the CA"
openssl x509 -in "$x/$id/dev-a-chain.crt" | cmp -s - <(openssl x509 -in "$x/$id/dev-a.crt") &&
	[ "$(awk '/BEGIN/ { n++ } n == 2' "$x/$id/dev-a-chain.crt")" = "$(cat "$d/deviceRootCA.pem")" ]
ok $? "a chain file: the device, then the CA"
grep -q "^/.*bad.csr: RSA key of 1024 bits" "$x/$id/rejected.txt"
ok $? "rejected.txt names the rejected CSR"
like "$(cat "$x/$id/summary.txt")" "^batch +$id
csr_set_sha256 +[0-9a-f]{64}
ca +root
ca_subject +CN=.*
ca_sha256 +$(openssl x509 -in "$d/deviceRootCA.pem" -outform DER | sha256sum | cut -c1-64)
csrs +4
certificates +3
rejected +1
not_regular_files +0
time +[0-9-]+T[0-9:]+Z$" "summary.txt: batch, CA, counts, time"
nb=$(openssl x509 -in "$x/$id/Dev-C.crt" -noout -startdate | cut -d= -f2)
mt=$(tar -tvzf "$A" --full-time | awk 'NR == 1 { print $4, $5 }')
is "$(date -u -d "$mt" +%s)" "$(date -u -d "$nb" +%s)" "every mtime is the latest notBefore"
sha1=$(sha256sum <"$A")
tail -n 1 "$d/transcript.log" | jq -e --arg s "${sha1%% *}" \
	'.command == "sign" and .args.format == "tar" and .archive_sha256 == $s' >/dev/null
ok $? "the transcript records the format and the archive's SHA-256"
run cer -C "$d" transcript verify
is "$rc" 0 "transcript verify passes"

# --- the same bytes again ---
sleep 1
run cer -C "$d" sign --format tar "$@"
is "$rc" 1 "a second run: exit 1 again (the same rejection)"
has "$out" "certificates, unchanged)" "a second run: the archive is unchanged"
is "$(sha256sum <"$A")" "$sha1" "a second run: the same bytes"
rm "$A"
run cer -C "$d" sign --format tar --jobs 1 "$@"
is "$(sha256sum <"$A")" "$sha1" "rebuilt from the ledger after it was removed: byte for byte"
run cer -C "$d" sign --format tar --out "$T/other.tar.gz" "$c/c.csr" "$c/b.csr" "$c/bad.csr" "$c/a.csr"
is "$(sha256sum <"$T/other.tar.gz")" "$sha1" "--out, the CSRs in another order: the same bytes"
run cer -C "$d" sign --out "$T/dir" "$@"
r=0
for f in "$x/$id"/*.crt; do cmp -s "$f" "$T/dir/$(basename "$f")" || r=1; done
ok $r "--format dir of the same batch writes the archive's certificate files byte for byte"

# --- the factory: import --batch ---
f=$T/factory
mkdir -p "$f"
run bash -c "cd '$f' && '$CEREMONY' import --batch '$A' --pubkey $KEY"
is "$rc" 0 "import --batch: exit 0"
has "$out" "Batch $id verified and unpacked into $id/" "import --batch: the batch id"
has "$out" "certificates     3" "import --batch: the count of certificates"
like "$out" "CA               root: CN=" "import --batch: the CA"
diff -r "$x/$id" "$f/$id" >/dev/null
ok $? "import --batch unpacks exactly what tar -x does"
is "$(stat -c %a "$f/$id" "$f/$id/dev-a.crt" | tr '\n' ' ')" "755 644 " "import --batch: modes 0755 and 0644"
run cer import --batch "$A" --pubkey-file "$d/ceremony.pub" --out "$T/f2"
is "$rc" 0 "import --batch --pubkey-file --out"
refuses 2 "f2 exists; choose another --out" "import --batch: --out exists" -- \
	cer import --batch "$A" --pubkey "$KEY" --out "$T/f2"
cer -C "$T/other" root --no-passphrase --key ec-p256 >/dev/null 2>&1
refuses 1 "MANIFEST.minisig: signed by key id [0-9A-F]+, but the public key has id [0-9A-F]+.*not signed by the pinned key" \
	"import --batch: a wrong pubkey" -- cer import --batch "$A" --pubkey "$(tail -n 1 "$T/other/ceremony.pub")" --out "$T/f3"
refuses 2 "no pinned key: refusing to trust" "import --batch: no pubkey" -- \
	cer import --batch "$A" --out "$T/f3"
like "$err" "The batch says it is signed by key id [0-9A-F]{16}" "import --batch: no pubkey: the key id shown"
head -c 1000 "$A" >"$T/cut.tgz"
refuses 1 "cut.tgz: truncated gzip stream" "import --batch: a truncated archive" -- \
	cer import --batch "$T/cut.tgz" --pubkey "$KEY" --out "$T/f3"
head -c 0 "$A" >"$T/empty.tgz"
refuses 1 "empty.tgz: not a gzip file" "import --batch: an empty file" -- \
	cer import --batch "$T/empty.tgz" --pubkey "$KEY" --out "$T/f3"
refuses 2 "give one bundle" "import --batch with --qr" -- \
	cer import --batch "$A" --qr - --pubkey "$KEY"
mt=$(date -u -d "$nb" +%s)
/usr/bin/python3 "$TOOLS/batch_tar.py" "$T/same.tgz" "$id" "$mt" "$x/$id"
cmp -s "$T/same.tgz" "$A"
ok $? "the test's own writer (tools/batch_tar.py) makes the archive byte for byte"
/usr/bin/python3 "$TOOLS/batch_tar.py" "$T/extra.tgz" "$id" "$mt" "$x/$id" "evil.crt=x"
refuses 1 "evil.crt: in the archive but not listed in MANIFEST" "import --batch: a member added" -- \
	cer import --batch "$T/extra.tgz" --pubkey "$KEY" --out "$T/f3"
/usr/bin/python3 "$TOOLS/batch_tar.py" "$T/extra2.tgz" "$id" "$mt" "$x/$id" "notes.txt=x"
refuses 1 "notes.txt: not a file a batch archive carries" "import --batch: a member outside the layout" -- \
	cer import --batch "$T/extra2.tgz" --pubkey "$KEY" --out "$T/f3"
mkdir -p "$T/less" && cp "$x/$id"/* "$T/less/" && rm "$T/less/dev-a.crt"
/usr/bin/python3 "$TOOLS/batch_tar.py" "$T/less.tgz" "$id" "$mt" "$T/less"
refuses 1 "dev-a.crt: listed in MANIFEST but missing from the archive" "import --batch: a member removed" -- \
	cer import --batch "$T/less.tgz" --pubkey "$KEY" --out "$T/f3"
cp "$x/$id/dev-a.crt" "$T/less/" && cp "$x/$id/dev:b.crt" "$T/less/dev-a.crt"
/usr/bin/python3 "$TOOLS/batch_tar.py" "$T/swap.tgz" "$id" "$mt" "$T/less"
refuses 1 "dev-a.crt: SHA-256 does not match MANIFEST" "import --batch: a member replaced" -- \
	cer import --batch "$T/swap.tgz" --pubkey "$KEY" --out "$T/f3"
for trick in "../evil.crt=x:has a '..' component" "/etc/evil.crt=x:has an absolute path" \
	"link.crt@2:is a symlink" "hard.crt@1:is a hard link" "sub/x.crt=x:has a bad name" \
	"dev@3:is a character device" "zz@x:is a pax extended header"; do
	/usr/bin/python3 "$TOOLS/batch_tar.py" "$T/trick.tgz" "$id" "$mt" "$x/$id" "${trick%%:*}"
	refuses 1 "${trick#*:}" "import --batch: member ${trick%%[=@]*}" -- \
		cer import --batch "$T/trick.tgz" --pubkey "$KEY" --out "$T/f3"
done

# --- --strict and a repeated CN ---
st=$T/st
sni_ca "$st" ec-p256
refuses 1 "--strict: 1 of 2 CSRs rejected; nothing signed" "--strict --format tar with a bad CSR" -- \
	cer -C "$st" sign --strict --format tar "$c/a.csr" "$c/bad.csr"
mkcsr "$c/twin.csr" "/C=US/CN=dev-a"
run cer -C "$st" sign --strict --format tar -q --allow-duplicate-cn "$c/a.csr" "$c/twin.csr"
is "$rc" 0 "--strict --allow-duplicate-cn --format tar"
TA=$(ls "$st"/issued/*.tar.gz)
is "$(tar -tzf "$TA" | grep crt | sed 's|.*/||' | tr '\n' ' ')" "dev-a-chain.crt dev-a.2-chain.crt dev-a.2.crt dev-a.crt " \
	"a repeated CN: dev-a.crt and dev-a.2.crt, with their chains"
run cer import --batch "$TA" --pubkey "$(tail -n 1 "$st/ceremony.pub")" --out "$T/ft"
is "$rc" 0 "import --batch takes dev-a.2.crt as a certificate of CN dev-a"

# --- every single-byte change of a small archive is refused ---
s=$T/small
sni_ca "$s" ec-p256
run cer -C "$s" sign --format tar -q "$c/a.csr"
is "$rc" 0 "a one-device archive"
SA=$(ls "$s"/issued/*.tar.gz)
SK=$(tail -n 1 "$s/ceremony.pub")
mkdir -p "$T/flips" "$T/fw"
/usr/bin/python3 - "$SA" "$T/flips" <<'EOF'
import sys
d = open(sys.argv[1], "rb").read()
for i in range(len(d)):
    f = bytearray(d)
    f[i] ^= 1 << (i % 8)
    open("%s/%05d" % (sys.argv[2], i), "wb").write(f)
EOF
n=$(stat -c %s "$SA")
bad=0
for i in $(seq 0 $((n - 1))); do
	f=$T/flips/$(printf %05d "$i")
	(cd "$T/fw" && "$CEREMONY" import --batch "$f" --pubkey "$SK" >/dev/null 2>"$T/ferr")
	r=$?
	if [ "$r" -ne 1 ] || [ ! -s "$T/ferr" ] || [ -n "$(ls -A "$T/fw")" ]; then
		bad=$((bad + 1)); diag "byte $i: exit $r, $(ls -A "$T/fw" | head -1)"; rm -rf "${T:?}/fw"/*
	fi
done
is "$bad" 0 "every one of the $n single-byte changes is refused (exit 1, a message, nothing written)"
(cd "$T/fw" && "$CEREMONY" import --batch "$SA" --pubkey "$SK" >/dev/null)
ok $? "the unchanged small archive imports"
rm -rf "$T/flips"

# --- an intermediate's batch ---
make_intermediate "$d" line-a
ok $? "an intermediate made with openssl"
cer -C "$d" template --ca line-a --mode sni-only --region us-east-2 --account 123456789012 >/dev/null 2>&1
ok $? "its template"
mkcsr "$c/i1.csr" "/C=US/CN=int-1"
mkcsr "$c/i2.csr" "/C=US/CN=int-2"
run cer -C "$d" sign --ca line-a --format tar "$c/i1.csr" "$c/i2.csr"
is "$rc" 0 "sign --ca line-a --format tar"
iid=$(sed -n 's/^batch  *//p' "$T/out")
IA=$d/issued/$iid.tar.gz
run cer import --batch "$IA" --pubkey "$KEY" --out "$T/fi"
is "$rc" 0 "import --batch of the intermediate's batch"
has "$out" "CA               line-a: CN=Issuing line-a" "import --batch names the intermediate"
[ "$(awk '/BEGIN/ { n++ } n == 2' "$T/fi/int-1-chain.crt")" = "$(cat "$d/intermediate/line-a/deviceRootCA.pem")" ]
ok $? "the intermediate's chain files: the device, then the intermediate"
openssl verify -CAfile "$d/deviceRootCA.pem" -untrusted "$d/intermediate/line-a/deviceRootCA.pem" \
	"$T/fi/int-1.crt" "$T/fi/int-2.crt" >/dev/null
ok $? "openssl verifies the intermediate's certificates up to the root"
grep -q "^ca  *line-a$" "$T/fi/summary.txt"
ok $? "summary.txt: ca line-a"
minisign -Vm "$T/fi/MANIFEST" -P "$KEY" | grep -q "ca:line-a"
ok $? "minisign: the signed comment names the intermediate"

# --- an encrypted ceremony.key ---
e=$T/enc
printf 'correct horse battery staple\n' >"$T/pass"
printf 'wrong horse battery staple\n' >"$T/wrong"
cer -C "$e" root --key ec-p256 --passphrase-file "$T/pass" >/dev/null 2>&1 &&
	cer -C "$e" template --region us-east-2 --account 123456789012 --mode sni-only >/dev/null 2>&1
ok $? "a ceremony with encrypted keys"
refuses 2 "ceremony.key signs the archive: give its passphrase with --sigkey-passphrase-file" "a wrong --sigkey-passphrase-file" -- \
	cer -C "$e" sign --format tar --passphrase-file "$T/pass" --sigkey-passphrase-file "$T/wrong" "$c/a.csr"
run cer -C "$e" sign --format tar -q --passphrase-file "$T/pass" "$c/a.csr"
is "$rc" 0 "ceremony.key unlocked with the CA key's --passphrase-file"
run cer -C "$e" sign --format tar -q --passphrase-file "$T/pass" --sigkey-passphrase-fd 3 "$c/a.csr" 3<"$T/pass"
is "$rc" 0 "--sigkey-passphrase-fd"

# --- crash safety: SIGKILL at random points, rerun, the same archive ---
dk=$T/ck
sni_ca "$dk" ec-p256
n=3000
many_csrs "$n" "$T/many.pem"
ok $? "$n CSRs for the crash test"
kills=0 span=60
for i in $(seq 40); do
	"$CEREMONY" -C "$dk" sign -q --format tar --jobs 2 "$T/many.pem" >/dev/null 2>"$T/kerr" &
	pid=$!
	sleep "$(printf '0.%02d' $((RANDOM % span + 2)))"
	if kill -KILL "$pid" 2>/dev/null; then kills=$((kills + 1)); else span=$((span > 4 ? span / 2 : 2)); fi
	wait "$pid" 2>/dev/null
	[ "$kills" -ge 15 ] && break
done
diag "killed $kills times"
[ "$kills" -ge 5 ]; ok $? "killed mid-batch at least 5 times"
run cer -C "$dk" sign -q --format tar "$T/many.pem"
is "$rc" 0 "a final rerun finishes the batch and writes the archive"
KA=$(ls "$dk"/issued/*.tar.gz)
is "$(ls -A "$dk/issued" | wc -l)" 1 "after the crashes: the archive alone in issued/, no temp file"
/usr/bin/python3 - "$T/many.pem" "$dk/ledger.jsonl" "$KA" <<'EOF'
import sys, json, hashlib, tarfile
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
csrs = [x509.load_pem_x509_csr(b"-----BEGIN" + p) for p in
        open(sys.argv[1], "rb").read().split(b"-----BEGIN")[1:]]
want = {hashlib.sha256(c.public_bytes(Encoding.DER)).hexdigest() for c in csrs}
lines = [json.loads(l) for l in open(sys.argv[2])]
errs = []
if len(lines) != len(csrs): errs.append("ledger has %d lines for %d CSRs" % (len(lines), len(csrs)))
if {l["csr_sha256"] for l in lines} != want: errs.append("ledger CSR set differs")
byfile = {l["file"]: l for l in lines}
t = tarfile.open(sys.argv[3])
names = [m.name.split("/", 1)[1] for m in t.getmembers()[1:]]
if len(names) != 2 * len(csrs) + 4: errs.append("%d members for %d CSRs" % (len(names), len(csrs)))
for m in t.getmembers()[1:]:
    n = m.name.split("/", 1)[1]
    if not n.endswith(".crt"): continue
    stem = n[:-len("-chain.crt")] if n.endswith("-chain.crt") else n[:-4]
    c = x509.load_pem_x509_certificate(t.extractfile(m).read())
    if hashlib.sha256(c.public_bytes(Encoding.DER)).hexdigest() != byfile[stem]["cert_sha256"]:
        errs.append("%s does not match the ledger" % n)
print("\n".join(errs[:5]))
sys.exit(1 if errs else 0)
EOF
ok $? "after the crashes: one certificate per CSR in the ledger, the archive's certificates are the ledger's"
ksha=$(sha256sum <"$KA")
rm "$KA"
run cer -C "$dk" sign -q --format tar "$T/many.pem"
is "$(sha256sum <"$KA")" "$ksha" "rebuilt from the ledger after the crashes: byte for byte"
run cer import --batch "$KA" --pubkey "$(tail -n 1 "$dk/ceremony.pub")" --out "$T/kf"
is "$rc" 0 "the archive after the crashes imports"
has "$out" "certificates     $n " "all $n certificates"

done_testing
