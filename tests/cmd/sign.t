#!/bin/bash
# ceremony sign: usage errors, the bad-CSR corpus beside good CSRs, the
# issued certificates checked by OpenSSL and GnuTLS, the ledger, reruns,
# --strict, stdin, and crash safety under SIGKILL.
. "$(dirname "$0")/../lib.sh"

d=$T/c
cer -C "$d" root --no-passphrase --key ec-p256 >/dev/null 2>&1 &&
	cer -C "$d" template --region us-east-2 --account 123456789012 \
		--mode sni-only >/dev/null 2>&1
ok $? "ceremony dir with an EC P-256 CA and a scoped template"
c=$T/csrs
mkdir -p "$c" "$T/keys"

# mkcsr FILE SUBJECT [openssl req key options...]: a CSR and its key.
mkcsr() {
	local f=$1 subj=$2
	shift 2
	[ $# -eq 0 ] && set -- -newkey ec -pkeyopt ec_paramgen_curve:P-256
	openssl req -new "$@" -nodes -subj "$subj" \
		-keyout "$T/keys/$(basename "${f%.*}").key" -out "$f" 2>/dev/null
}
pem2der() { openssl req -in "$1" -outform DER; }

# --- usage and I/O errors: exit 2, nothing written ---
mkcsr "$c/good1.csr" "/C=US/O=Acme/CN=good1"
refuses 2 "no CSRs given" "no CSRs" -- cer -C "$d" sign
refuses 2 "$c/nope.csr: No such file" "missing file" -- cer -C "$d" sign "$c/nope.csr"
refuses 2 "a directory; use --csr-dir" "directory" -- cer -C "$d" sign "$c"
refuses 2 "cannot read the directory" "unreadable dir" -- cer -C "$d" sign --csr-dir "$c/nope"
refuses 2 "--days 4000: the certificates would outlive the CA.*use --days [0-9]+ or less" "days beyond CA" -- cer -C "$d" sign --days 4000 "$c/good1.csr"
refuses 2 "--days" "days 0" -- cer -C "$d" sign --days 0 "$c/good1.csr"
refuses 2 "--jobs: '0' is not a number" "jobs 0" -- cer -C "$d" sign --jobs 0 "$c/good1.csr"
refuses 2 "stdin\) given twice" "stdin twice" -- cer -C "$d" sign - -
refuses 2 "nope.json.*cannot" "no template" -- cer -C "$d" sign --template nope.json "$c/good1.csr"
refuses 2 "unrecognized option" "unknown option" -- cer -C "$d" sign --frobnicate "$c/good1.csr"
refuses 2 "not a directory" "out is a file" -- cer -C "$d" sign --out "$c/good1.csr" "$c/good1.csr"
run cer -C "$d" sign --help
is "$rc" 0 "--help exits 0"
like "$out" "ledger.jsonl" "--help explains the ledger"

# --- the good CSRs and the bad corpus in one batch ---
mkcsr "$c/good2.csr" "/C=US/O=Acme/OU=Plant 7/CN=good2" -newkey rsa:2048
mkcsr "$c/good3.csr" "/C=DE/ST=Bayern/CN=good3/L=Munich/emailAddress=x@example.com" \
	-newkey ec -pkeyopt ec_paramgen_curve:P-384 \
	-addext "subjectAltName=DNS:evil.example" -addext "basicConstraints=critical,CA:TRUE"
b=$T/bad
mkdir -p "$b"
cp "$c/good1.csr" "$b/a-good1.csr" # sorts first: the original
pem2der "$c/good1.csr" >"$b/sig.der"
# flip the last byte: inside the signature
/usr/bin/python3 -c 'import sys; p=sys.argv[1]; d=bytearray(open(p,"rb").read()); d[-1]^=1; open(p,"wb").write(d)' "$b/sig.der"
openssl req -inform DER -in "$b/sig.der" -out "$b/badsig.csr" 2>/dev/null
rm "$b/sig.der"
mkcsr "$b/rsa1024.csr" "/C=US/CN=rsa1024" -newkey rsa:1024
mkcsr "$b/p521.csr" "/C=US/CN=p521" -newkey ec -pkeyopt ec_paramgen_curve:P-521
mkcsr "$b/k256.csr" "/C=US/CN=k256" -newkey ec -pkeyopt ec_paramgen_curve:secp256k1
mkcsr "$b/sha1.csr" "/C=US/CN=sha1" -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha1
mkcsr "$b/nocn.csr" "/C=US/O=Acme"
mkcsr "$b/nocountry.csr" "/O=Acme/CN=nocountry"
mkcsr "$b/space.csr" "/C=US/CN=bad name"
# openssl req refuses a CN over 64 characters; build this one in Python
/usr/bin/python3 -W ignore - "$b/long.csr" <<'EOF'
import sys
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                  x509.NameAttribute(NameOID.COMMON_NAME, "x" * 129, _validate=False)])
csr = x509.CertificateSigningRequestBuilder().subject_name(name).sign(
    ec.generate_private_key(ec.SECP256R1()), hashes.SHA256())
open(sys.argv[1], "wb").write(csr.public_bytes(serialization.Encoding.PEM))
EOF
mkcsr "$b/dupcn.csr" "/C=US/CN=good1"
openssl req -new -key "$T/keys/good1.key" -subj "/C=US/CN=samekey" -out "$b/dupkey.csr"
head -n 4 "$c/good2.csr" >"$b/truncated.csr"
{ printf '\x30\x82\x01\x00'; head -c 300 /dev/urandom; } >"$b/garbage.der"
{ echo "-----BEGIN CERTIFICATE REQUEST-----"
  head -c 7700000 /dev/urandom | base64 -w 64
  echo "-----END CERTIFICATE REQUEST-----"; } >"$b/huge.csr"
mkcsr "$b/dsa.csr" "/C=US/CN=dsa" -newkey dsa:<(openssl dsaparam 2048 2>/dev/null)
cp "$T/keys/good1.key" "$b/key.pem"
[ "$(stat -c %s "$b/huge.csr")" -gt 10000000 ]; ok $? "a 10 MB file in the corpus"

run cer -C "$d" sign --quiet "$c/good2.csr" "$c/good3.csr" --csr-dir "$b"
is "$rc" 1 "batch with rejected CSRs exits 1"
batch=$(ls "$d/issued")
o=$d/issued/$batch
rej=$(cat "$o/rejected.txt")
reason() { # reason FILE REGEX
	like "$(grep -F "$b/$1: " "$o/rejected.txt")" "$2" "rejected $1: $2"
	like "$err" "$b/$1: .*$2" "stderr names $1"
}
reason badsig.csr "bad signature"
reason rsa1024.csr "RSA key of 1024 bits; AWS IoT needs at least 2048"
reason p521.csr "curve secp521r1; AWS IoT accepts P-256 and P-384"
reason k256.csr "curve secp256k1"
reason sha1.csr "signed with SHA1; use SHA-256"
reason nocn.csr "lacks AWS::IoT::Certificate::CommonName \(CN\)"
reason nocountry.csr "lacks AWS::IoT::Certificate::Country \(C\)"
reason space.csr "CN 'bad name' is not a valid thing name"
reason long.csr "CN .* (is not a valid thing name|characters; X.509 allows at most 64)"
reason dupcn.csr "duplicate CN: the same CN as $b/a-good1.csr in this batch"
reason dupkey.csr "duplicate: the same public key as $b/a-good1.csr in this batch"
reason truncated.csr "truncated PEM block"
reason garbage.der "DER does not parse"
reason huge.csr "PEM block larger than 65536 bytes"
reason dsa.csr "DSA key"
reason key.pem "PRIVATE KEY PEM block, not a CERTIFICATE REQUEST"
is "$(wc -l <"$o/rejected.txt")" 16 "16 rejections, one line each"
is "$(cut -d: -f2- "$o/rejected.txt" | sort | uniq -d)" "" "each with its own message"
is "$(cd "$o" && ls *.crt | sort | tr '\n' ' ')" \
	"good1-chain.crt good1.crt good2-chain.crt good2.crt good3-chain.crt good3.crt " \
	"only the 3 good CSRs signed"
is "$(wc -l <"$d/ledger.jsonl")" 3 "ledger: one line per issued cert"

for n in good1 good2 good3; do
	run openssl verify -x509_strict -CAfile "$d/deviceRootCA.pem" "$o/$n.crt"
	is "$rc:$out" "0:$o/$n.crt: OK" "$n: openssl verify -x509_strict"
	run certtool --verify --load-ca-certificate "$d/deviceRootCA.pem" --infile "$o/$n-chain.crt"
	like "$rc:$(tr '\n' ' ' <<<"$out")" "^0:.*Chain verification output: Verified" "$n: certtool --verify of the chain"
	openssl x509 -in "$o/$n.crt" >"$T/leaf"
	awk 'n==1; /END CERT/ {n++}' "$o/$n-chain.crt" >"$T/second"
	cmp -s "$T/leaf" "$o/$n.crt" && head -n "$(wc -l <"$o/$n.crt")" "$o/$n-chain.crt" | cmp -s - "$o/$n.crt"
	ok $? "$n: chain starts with the leaf"
	cmp -s "$T/second" "$d/deviceRootCA.pem"; ok $? "$n: then the CA"
	txt=$(openssl x509 -in "$o/$n.crt" -noout -text | tr -s '\n ' '  ')
	like "$txt" "Version: 3" "$n: v3"
	like "$txt" "Basic Constraints: critical CA:FALSE" "$n: CA:FALSE, critical"
	like "$txt" "Extended Key Usage: TLS Web Client Authentication" "$n: clientAuth"
	like "$txt" "Subject Key Identifier" "$n: SKI"
	like "$txt" "Authority Key Identifier" "$n: AKI"
	like "$txt" "Signature Algorithm: ecdsa-with-SHA256" "$n: SHA-256"
	like "$(openssl x509 -in "$o/$n.crt" -noout -serial)" "^serial=[4-7][0-9A-F]{31}$" "$n: 16-byte positive serial"
	days=$(( ($(date -d "$(openssl x509 -in "$o/$n.crt" -noout -enddate | cut -d= -f2)" +%s) - $(date +%s)) / 86400 ))
	[ "$days" -ge 364 ] && [ "$days" -le 365 ]; ok $? "$n: 365 days"
done
like "$(openssl x509 -in "$o/good2.crt" -noout -text | tr -s '\n ' '  ')" "Key Usage: critical Digital Signature, Key Encipherment " "RSA device: keyEncipherment too"
like "$(openssl x509 -in "$o/good1.crt" -noout -text | tr -s '\n ' '  ')" "Key Usage: critical Digital Signature X509v3 Extended" "EC device: digitalSignature only"
is "$(openssl x509 -in "$o/good3.crt" -noout -subject -nameopt compat)" "subject=/C=DE/ST=Bayern/CN=good3" \
	"subject keeps only what AWS reads (L, emailAddress dropped), in CSR order"
txt=$(openssl x509 -in "$o/good3.crt" -noout -text)
! grep -q "Alternative Name\|CA:TRUE" <<<"$txt"; ok $? "CSR extensions (SAN, CA:TRUE) not copied"
is "$(openssl x509 -in "$o/good2.crt" -noout -subject -nameopt compat)" "subject=/C=US/O=Acme/OU=Plant 7/CN=good2" "OU kept"

# --- the ledger ---
jq -e -s 'length == 3 and all(.[]; (.serial|test("^[0-9a-f]{32}$")) and .batch == "'"$batch"'" and (.cert_sha256|length) == 64)' \
	"$d/ledger.jsonl" >/dev/null
ok $? "ledger lines: serial, batch, hashes"
for n in good1 good2 good3; do
	line=$(jq -c "select(.cn == \"$n\")" "$d/ledger.jsonl")
	is "$(jq -r .cert <<<"$line" | base64 -d | sha256sum | cut -c1-64)" \
		"$(openssl x509 -in "$o/$n.crt" -outform DER | sha256sum | cut -c1-64)" "$n: ledger holds the issued cert"
	is "$(jq -r .csr_sha256 <<<"$line")" "$(pem2der "$c/$n.csr" 2>/dev/null | sha256sum | cut -c1-64)" "$n: ledger CSR hash"
	is "$(jq -r .key_sha256 <<<"$line")" \
		"$(openssl x509 -in "$o/$n.crt" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -c1-64)" \
		"$n: ledger key hash is the SubjectPublicKeyInfo's"
	is "$(jq -r .serial <<<"$line")" "$(openssl x509 -in "$o/$n.crt" -noout -serial | cut -d= -f2 | tr A-F a-f)" "$n: serial"
done
cer -C "$d" transcript verify >/dev/null 2>&1; ok $? "transcript verifies"
last=$(tail -n 1 "$d/transcript.log")
jq -e '.command == "sign" and .signed == 3 and .rejected == 16 and (.csr_set_sha256|startswith("'"$batch"'")) and (.ledger_sha256|length) == 64' \
	<<<"$last" >/dev/null
ok $? "transcript line: counts, CSR set hash, ledger hash"
is "$(jq -r .ledger_sha256 <<<"$last")" "$(sha256sum <"$d/ledger.jsonl" | cut -c1-64)" "transcript holds the ledger's SHA-256"

# --- reruns ---
cp "$o/good2.crt" "$T/good2.before"
rm "$o/good2.crt"
echo garbage >"$o/good1-chain.crt"
ledger_before=$(sha256sum <"$d/ledger.jsonl")
run cer -C "$d" sign "$c/good2.csr" "$c/good3.csr" --csr-dir "$b"
is "$rc" 1 "rerun: still exits 1 for the rejected"
like "$out" "signed +0" "rerun: nothing signed again"
like "$out" "already_issued +3 \(files written again: 2\)" "rerun: 3 already issued, 2 files rewritten"
is "$(sha256sum <"$d/ledger.jsonl")" "$ledger_before" "rerun: ledger unchanged"
cmp -s "$o/good2.crt" "$T/good2.before"; ok $? "rerun: a lost cert is written again, same bytes"
openssl verify -CAfile "$d/deviceRootCA.pem" "$o/good1-chain.crt" >/dev/null 2>&1; ok $? "rerun: a damaged chain file is repaired"

mkcsr "$c/again1.csr" "/C=US/CN=good1"
mkcsr "$c/new4.csr" "/C=US/CN=new4"
refuses 1 "again1.csr: duplicate CN: the same CN as the certificate already issued to CN 'good1' \(serial [0-9a-f]{32}, batch $batch\)" \
	"--strict, a CN already in the ledger" -- cer -C "$d" sign --strict "$c/new4.csr" "$c/again1.csr"
like "$err" "--strict: 1 of 2 CSRs rejected; nothing signed" "--strict: nothing signed"
run cer -C "$d" sign --allow-duplicate-cn --out "$T/dup" "$c/again1.csr"
is "$rc" 0 "--allow-duplicate-cn signs a second cert for a CN"
[ -f "$T/dup/good1.crt" ]; ok $? "... into --out"
is "$(wc -l <"$d/ledger.jsonl")" 4 "... and records it"

# stdin, a multi-CSR PEM file, and the #N labels
for i in 1 2 3; do mkcsr "$c/m$i.csr" "/C=US/CN=multi$i"; done
cat "$c/m1.csr" "$c/m2.csr" "$c/good1.csr" "$c/m3.csr" >"$T/multi.pem"
run cer -C "$d" sign --out "$T/m" - <"$T/multi.pem"
is "$rc" 0 "stdin: exit 0"
like "$out" "signed +3" "stdin: 3 signed"
like "$out" "already_issued +1" "stdin: good1 already issued, not signed again"
ls "$T/m"/multi1.crt "$T/m"/multi2.crt "$T/m"/multi3.crt >/dev/null 2>&1; ok $? "stdin: three certs from one PEM stream"
run cer -C "$d" sign --out "$T/m" - <"$T/multi.pem"
like "$out" "already_issued +4" "stdin rerun: all already issued"
mkcsr "$c/m4.csr" "/C=US/CN=multi4"
mkcsr "$c/m5.csr" "/C=US/CN=multi5"
cat "$c/m4.csr" "$c/m5.csr" "$c/m5.csr" | { run cer -C "$d" sign -q --out "$T/m2" -; echo "$rc" >"$T/rc"; }
is "$(cat "$T/rc")" 1 "a repeated CSR in one stream: exit 1"
is "$(cat "$T/m2/rejected.txt")" "stdin#3: duplicate: the same CSR as stdin#2 in this batch" \
	"blocks of one input are labelled file#N"

# P-384 CA: SHA-384
d3=$T/c384
cer -C "$d3" root --no-passphrase --key ec-p384 >/dev/null 2>&1 &&
	cer -C "$d3" template --region us-east-2 --account 123456789012 --mode sni-only >/dev/null 2>&1
run cer -C "$d3" sign -q --jobs 1 "$c/good1.csr"
is "$rc" 0 "P-384 CA signs"
like "$(openssl x509 -in "$d3/issued/$(ls "$d3/issued")/good1.crt" -noout -text)" "ecdsa-with-SHA384" "P-384 CA: SHA-384"

# an encrypted CA key
dp=$T/cp
printf 'correct horse battery staple\n' >"$T/pass"
printf 'wrong\n' >"$T/wrong"
cer -C "$dp" root --key ec-p256 --passphrase-file "$T/pass" >/dev/null 2>&1 &&
	cer -C "$dp" template --region us-east-2 --account 123456789012 --mode sni-only >/dev/null 2>&1
refuses 2 "deviceRootCA.key: wrong passphrase" "wrong CA passphrase" -- \
	cer -C "$dp" sign --passphrase-file "$T/wrong" "$c/good1.csr"
run cer -C "$dp" sign -q --passphrase-file "$T/pass" "$c/good1.csr"
is "$rc" 0 "encrypted CA key: signs with --passphrase-file"

# --- crash safety: SIGKILL at random points, rerun, check ---
dk=$T/ck
sni_ca "$dk" ec-p256
n=3000
many_csrs "$n" "$T/many.pem"
ok $? "$n CSRs for the crash test"
kills=0 span=40
for i in $(seq 30); do
	"$CEREMONY" -C "$dk" sign -q --jobs 2 "$T/many.pem" >/dev/null 2>"$T/kerr" &
	pid=$!
	sleep "$(printf '0.%02d' $((RANDOM % span + 2)))"
	# a run that ended before its kill: aim earlier next time (a fast
	# machine, or the batch already done and only checked again)
	if kill -KILL "$pid" 2>/dev/null; then kills=$((kills + 1)); else span=$((span > 4 ? span / 2 : 2)); fi
	wait "$pid" 2>/dev/null
	[ "$kills" -ge 15 ] && break
done
diag "killed $kills times"
[ "$kills" -ge 5 ]; ok $? "killed mid-batch at least 5 times"
run cer -C "$dk" sign -q "$T/many.pem"
is "$rc" 0 "a final rerun finishes the batch"
kb=$dk/issued/$(ls "$dk/issued")
/usr/bin/python3 - "$T/many.pem" "$dk/ledger.jsonl" "$kb" <<'EOF'
import sys, os, json, hashlib, base64
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
csrs = [x509.load_pem_x509_csr(b) for b in
        [b"-----BEGIN" + p for p in open(sys.argv[1], "rb").read().split(b"-----BEGIN")[1:]]]
want = {hashlib.sha256(c.public_bytes(Encoding.DER)).hexdigest() for c in csrs}
lines = [json.loads(l) for l in open(sys.argv[2])]
errs = []
if len(lines) != len(csrs): errs.append("ledger has %d lines for %d CSRs" % (len(lines), len(csrs)))
if {l["csr_sha256"] for l in lines} != want: errs.append("ledger CSR set differs")
if len({l["serial"] for l in lines}) != len(lines): errs.append("serial repeated")
names = sorted(os.listdir(sys.argv[3]))
if any(n.startswith(".") for n in names): errs.append("temp files left: %s" % [n for n in names if n.startswith(".")][:3])
crts = [n for n in names if n.endswith(".crt")]
if len(crts) != 2 * len(csrs): errs.append("%d cert files for %d CSRs" % (len(crts), len(csrs)))
byfile = {l["file"]: l for l in lines}
for n in crts:
    pem = open(os.path.join(sys.argv[3], n), "rb").read()
    certs = [x509.load_pem_x509_certificate(b"-----BEGIN" + p)
             for p in pem.split(b"-----BEGIN")[1:]]
    l = byfile[n[:-len("-chain.crt")] if n.endswith("-chain.crt") else n[:-4]]
    der = certs[0].public_bytes(Encoding.DER)
    if hashlib.sha256(der).hexdigest() != l["cert_sha256"] or len(certs) != (2 if n.endswith("-chain.crt") else 1):
        errs.append("%s does not match the ledger" % n)
print("\n".join(errs[:5]))
sys.exit(1 if errs else 0)
EOF
ok $? "after the crashes: one cert per CSR, one ledger line per CSR, unique serials, every file parses"

# a key nobody has to hold: RSA with e = 1, "signed" without a private key
/usr/bin/python3 "$TESTS_DIR/tools/rsa_e1_csr.py" "$T/e1.der" e1-device
run cer -C "$d" sign --quiet --out "$T/o-e1" "$T/e1.der"
is "$rc" 1 "RSA CSR with public exponent 1: exit 1"
like "$err" "bad public exponent or modulus" "RSA CSR with public exponent 1: message"
[ ! -e "$T/o-e1/e1-device.crt" ]; ok $? "RSA CSR with public exponent 1: not signed"

# a CN that would be another device's chain file
mkcsr "$T/ch1.csr" "/C=US/CN=pump7"
mkcsr "$T/ch2.csr" "/C=US/CN=pump7-chain"
run cer -C "$d" sign --quiet --out "$T/o-ch" "$T/ch1.csr" "$T/ch2.csr"
is "$rc" 1 "CN ending in -chain: exit 1"
like "$err" "CN 'pump7-chain' ends in '-chain': its certificate file would be the chain file of the device named 'pump7'" "CN ending in -chain: message"
[ -f "$T/o-ch/pump7.crt" ] && [ "$(grep -c BEGIN "$T/o-ch/pump7-chain.crt")" = 2 ]; ok $? "CN ending in -chain: the other device's chain file is intact"

# --strict with every CSR good, on two threads, signs them all
mkcsr "$T/st1.csr" "/C=US/CN=strict1"
mkcsr "$T/st2.csr" "/C=US/CN=strict2"
run timeout 60 "$CEREMONY" -C "$d" sign --quiet --strict --jobs 2 --out "$T/o-st" "$T/st1.csr" "$T/st2.csr"
is "$rc" 0 "--strict --jobs 2 with good CSRs completes"
[ -f "$T/o-st/strict1.crt" ] && [ -f "$T/o-st/strict2.crt" ]; ok $? "--strict --jobs 2: both signed"

# --strict counts a file already in --out as a failure before signing anything
mkcsr "$T/st3.csr" "/C=US/CN=strict3"
mkcsr "$T/st4.csr" "/C=US/CN=strict4"
mkdir -p "$T/o-st2" && echo stale >"$T/o-st2/strict3.crt"
run cer -C "$d" sign --quiet --strict --jobs 2 --out "$T/o-st2" "$T/st3.csr" "$T/st4.csr"
is "$rc" 1 "--strict with a stale file in --out: exit 1"
like "$err" "strict3.crt exists but is not in the ledger" "--strict with a stale file: message"
[ ! -e "$T/o-st2/strict4.crt" ]; ok $? "--strict with a stale file: nothing signed"

# a CN in a legacy string type (T61String, as OpenSSL's string_mask=default
# writes "dev_1"): the certificate gets a UTF8String
printf '[req]\ndistinguished_name=dn\nstring_mask=default\nprompt=no\n[dn]\nC=US\nCN=dev_1\n' >"$T/sm.cnf"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -config "$T/sm.cnf" \
	-keyout "$T/keys/ps.key" -out "$T/ps.csr" 2>/dev/null
like "$(openssl req -in "$T/ps.csr" -noout -subject -nameopt show_type)" "CN=T61STRING:dev_1" "the CSR's CN is a T61String"
run cer -C "$d" sign --quiet --out "$T/o-ps" "$T/ps.csr"
is "$rc" 0 "CN as a T61String: signed"
like "$(openssl x509 -in "$T/o-ps/dev_1.crt" -noout -subject -nameopt show_type)" "CN ?= ?UTF8STRING:dev_1" "CN as a T61String: re-encoded as UTF8String"
certtool --verify --load-ca-certificate "$d/deviceRootCA.pem" --infile "$T/o-ps/dev_1.crt" >/dev/null 2>&1
ok $? "CN re-encoded: GnuTLS verifies the certificate"

done_testing
