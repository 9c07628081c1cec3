#!/bin/bash
# ceremony intermediate: every option (a key here, in a SoftHSM2 token, or
# from a CSR made with openssl req), every refusal (message, exit code,
# nothing written), the AWS limit of 10 CAs per subject, and sign --ca's
# refusals of issuing CAs that cannot sign.
. "$(dirname "$0")/../lib.sh"

printf 'root passphrase here\n' >"$T/rootpass"
printf 'intermediate passphrase\n' >"$T/pass"
printf 'short\n' >"$T/short"
R=(--root-passphrase-file "$T/rootpass")
d=$T/c
cer -C "$d" root --key ec-p256 --passphrase-file "$T/rootpass" >/dev/null 2>&1 &&
	cer -C "$d" template --region us-east-2 --account 123456789012 \
		--mode sni-only >/dev/null 2>&1
ok $? "a root (EC P-256, passphrase) and its template"
ext() { openssl x509 -in "$1" -noout -text; }
ski() { openssl x509 -in "$1" -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' '; }
aki() { openssl x509 -in "$1" -noout -ext authorityKeyIdentifier | tail -1 | tr -d ' '; }
mkcsr() { # mkcsr FILE SUBJECT [openssl req key options...]
	local f=$1 subj=$2
	shift 2
	[ $# -eq 0 ] && set -- -newkey ec -pkeyopt ec_paramgen_curve:P-256
	openssl req -new "$@" -nodes -subj "$subj" -keyout "${f%.*}.key" \
		-out "$f" 2>/dev/null
}

run cer intermediate --help
is "$rc" 0 "--help exits 0"
like "$out" "chain.pem +the issuing CA, then the root" "--help names the outputs"
like "$out" "--csr FILE" "--help explains --csr"

# --- a key here, passphrase-protected ---
run cer -C "$d" intermediate factory-a --subject "/C=IN/O=AMZ/CN=Factory A Issuing CA" \
	--passphrase-file "$T/pass" "${R[@]}"
is "$rc" 0 "intermediate with a file key"
i=$d/intermediate/factory-a
like "$out" "SHA-256 +([0-9A-F]{2}:){31}[0-9A-F]{2}" "prints the fingerprint as hex"
is "$(ls "$i")" "$(printf 'chain.pem\ndeviceRootCA.key\ndeviceRootCA.pem')" "outputs in intermediate/NAME/"
is "$(stat -c %a "$i/deviceRootCA.key")" 600 "its key is 0600"
grep -q "BEGIN ENCRYPTED PRIVATE KEY" "$i/deviceRootCA.key"; ok $? "its key is encrypted"
openssl pkey -in "$i/deviceRootCA.key" -passin "file:$T/pass" -noout 2>/dev/null
ok $? "the passphrase opens it"
t=$(ext "$i/deviceRootCA.pem")
like "$t" "Basic Constraints: critical" "basicConstraints critical"
like "$t" "CA:TRUE, pathlen:0" "CA:TRUE, pathlen 0 by default"
like "$t" "Key Usage: critical" "keyUsage critical"
like "$t" "Digital Signature, Certificate Sign, CRL Sign" "keyCertSign, cRLSign, digitalSignature"
like "$t" "Signature Algorithm: ecdsa-with-SHA256" "SHA-256 by the root's P-256 key"
like "$t" "Issuer: C = IN, O = AMZ, CN = Device Root CA" "issued by the root"
is "$(aki "$i/deviceRootCA.pem")" "$(ski "$d/deviceRootCA.pem")" "AKI = the root's SKI"
[ -n "$(ski "$i/deviceRootCA.pem")" ]; ok $? "its own SKI"
like "$(openssl x509 -in "$i/deviceRootCA.pem" -noout -serial)" "serial=[4-7][0-9A-F]{31}$" "random 16-byte serial"
nb=$(date -d "$(openssl x509 -in "$i/deviceRootCA.pem" -noout -startdate | cut -d= -f2)" +%s)
na=$(date -d "$(openssl x509 -in "$i/deviceRootCA.pem" -noout -enddate | cut -d= -f2)" +%s)
is "$(( (na - nb) / 86400 ))" 1826 "valid 5 years (1826 days) by default"
is "$(cat "$i/chain.pem")" "$(cat "$i/deviceRootCA.pem" "$d/deviceRootCA.pem")" "chain.pem = issuing CA, then root"
openssl verify -CAfile "$d/deviceRootCA.pem" "$i/deviceRootCA.pem" >/dev/null
ok $? "openssl verify: the root certifies it"
l=$(grep '"command":"intermediate"' "$d/transcript.log")
has "$l" '"name":"factory-a"' "transcript: the name"
has "$l" '"subject":"/C=IN/O=AMZ/CN=Factory A Issuing CA"' "transcript: the subject"
has "$l" "\"sha256\":\"$(openssl x509 -in "$i/deviceRootCA.pem" -outform DER | sha256sum | cut -d' ' -f1)\"" "transcript: the fingerprint"
has "$l" '"key_location":"intermediate/factory-a/deviceRootCA.key"' "transcript: where the key is"
! grep -q "intermediate passphrase\|root passphrase here" "$d/transcript.log"; ok $? "transcript: no passphrase"
cer -C "$d" transcript verify >/dev/null 2>&1; ok $? "transcript verifies"

# --- every refusal: message, exit code, nothing written ---
S=(--subject "/C=IN/O=AMZ/CN=Other CA" --no-passphrase "${R[@]}")
refuses 2 "NAME" "no NAME" -- cer -C "$d" intermediate "${S[@]}"
refuses 2 "CA name 'Factory': use lower-case letters" "upper-case NAME" -- cer -C "$d" intermediate Factory "${S[@]}"
refuses 2 "CA name '../x': use lower-case" "NAME with a slash" -- cer -C "$d" intermediate ../x "${S[@]}"
refuses 2 "CA name '-x': use lower-case" "NAME starting with -" -- cer -C "$d" intermediate "${S[@]}" -- -x
refuses 2 "use 1 to 64 characters" "NAME too long" -- cer -C "$d" intermediate "$(printf 'a%.0s' $(seq 65))" "${S[@]}"
refuses 2 "give one NAME, and nothing after it" "two NAMEs" -- cer -C "$d" intermediate a b "${S[@]}"
refuses 2 "--subject DN is required" "no subject" -- cer -C "$d" intermediate x --no-passphrase "${R[@]}"
refuses 2 "--subject: subject must start with '/'" "bad subject" -- cer -C "$d" intermediate x --subject CN=x --no-passphrase "${R[@]}"
refuses 2 "is the root's subject; an issuing CA needs its own" "subject of the root" -- \
	cer -C "$d" intermediate x --subject "/C=IN/O=AMZ/CN=Device Root CA" --no-passphrase "${R[@]}"
refuses 2 "intermediate 'factory-a' was made before \(transcript line [0-9]+\): a NAME is never reused" "NAME already used" -- \
	cer -C "$d" intermediate factory-a "${S[@]}"
refuses 2 "intermediate 'factory-a' was made before" "NAME already used, even with --force" -- \
	cer -C "$d" intermediate factory-a "${S[@]}" --force
refuses 2 "--days 4000: the intermediate would outlive the root \(deviceRootCA.pem ends in 36[45][0-9] days\); use --days 36[45][0-9] or less" "days past the root's end" -- \
	cer -C "$d" intermediate x "${S[@]}" --days 4000
refuses 2 "--path-len: 'x' is not a number from 0 to 8" "path length not a number" -- cer -C "$d" intermediate x "${S[@]}" --path-len x
refuses 2 "--path-len: '9' is not a number from 0 to 8" "path length too large" -- cer -C "$d" intermediate x "${S[@]}" --path-len 9
refuses 2 "--path-len: '-1' is not a number" "negative path length" -- cer -C "$d" intermediate x "${S[@]}" --path-len -1
refuses 2 "--key: unknown key type 'dsa'" "unknown key type" -- cer -C "$d" intermediate x "${S[@]}" --key dsa
refuses 2 "wrong passphrase" "wrong root passphrase" -- cer -C "$d" intermediate x "${S[@]:0:3}" --root-passphrase-file "$T/pass"
refuses 2 "a new passphrase needs at least 12" "new passphrase too short" -- \
	cer -C "$d" intermediate x --subject /CN=x --passphrase-file "$T/short" "${R[@]}"
mkdir -m 700 "$T/empty"
refuses 2 "deviceRootCA.pem: missing; run 'ceremony root' first" "no root" -- \
	cer -C "$T/empty" intermediate x "${S[@]}"
mkdir -p "$d/intermediate/stale"
: >"$d/intermediate/stale/deviceRootCA.pem"
refuses 2 "intermediate/stale exists, but the transcript records no intermediate 'stale'.*--force" "leftovers of an unfinished attempt" -- \
	cer -C "$d" intermediate stale "${S[@]}"
run cer -C "$d" intermediate stale "${S[@]}" --force
is "$rc" 0 "--force replaces an unfinished attempt's leftovers"
openssl verify -CAfile "$d/deviceRootCA.pem" "$d/intermediate/stale/deviceRootCA.pem" >/dev/null
ok $? "the replaced certificate verifies"

# --- options: --days, --path-len, the digest of a P-384 root ---
S=(--no-passphrase "${R[@]}")
run cer -C "$d" intermediate short-lived --subject "/CN=Short" --days 30 --key rsa2048 "${S[@]}"
is "$rc" 0 "--days 30 --key rsa2048"
na=$(date -d "$(openssl x509 -in "$d/intermediate/short-lived/deviceRootCA.pem" -noout -enddate | cut -d= -f2)" +%s)
is "$(( (na - $(date +%s) + 600) / 86400 ))" 30 "valid 30 days"
like "$(ext "$d/intermediate/short-lived/deviceRootCA.pem")" "Public-Key: \(2048 bit\)" "an RSA-2048 key"
run cer -C "$d" intermediate deeper --subject "/CN=Deeper" --path-len 2 --key ec-p384 "${S[@]}"
is "$rc" 0 "--path-len 2 --key ec-p384"
like "$(ext "$d/intermediate/deeper/deviceRootCA.pem")" "CA:TRUE, pathlen:2" "pathlen 2"
cer -C "$T/p384" root --key ec-p384 --no-passphrase >/dev/null 2>&1
run cer -C "$T/p384" intermediate a --subject /CN=a --no-passphrase
like "$(ext "$T/p384/intermediate/a/deviceRootCA.pem")" "Signature Algorithm: ecdsa-with-SHA384" "SHA-384 by a P-384 root"

# --- a root whose own pathLenConstraint limits what is under it ---
# rootpl DIR N: DIR/deviceRootCA.pem replaced by one with pathlen N, same key
rootpl() {
	/usr/bin/python3 "$TESTS_DIR/tools/root_cert.py" "$1" "$1/deviceRootCA.key" "Limited Root" "$2"
}
cer -C "$T/pl0" root --key ec-p256 --no-passphrase >/dev/null 2>&1 && rootpl "$T/pl0" 0
ok $? "a root with pathLenConstraint 0"
refuses 1 "deviceRootCA.pem has pathLenConstraint 0: it may certify no CA" "root with pathLen 0" -- \
	cer -C "$T/pl0" intermediate x --subject /CN=x --no-passphrase
cer -C "$T/pl1" root --key ec-p256 --no-passphrase >/dev/null 2>&1 && rootpl "$T/pl1" 1
refuses 2 "--path-len 1: the root's pathLenConstraint is 1; use --path-len 0 or less" "path length the root forbids" -- \
	cer -C "$T/pl1" intermediate x --subject /CN=x --no-passphrase --path-len 1
run cer -C "$T/pl1" intermediate x --subject /CN=x --no-passphrase
is "$rc" 0 "pathlen 0 under a root with pathlen 1"

# --- from a CSR made with openssl req ---
mkdir -p "$T/csr"
mkcsr "$T/csr/online.csr" "/CN=Online CA request" -addext "basicConstraints=critical,CA:TRUE,pathlen:5" \
	-addext "keyUsage=critical,keyCertSign" -addext "subjectAltName=DNS:evil.example"
run cer -C "$d" intermediate online --subject "/C=IN/O=AMZ/CN=Online Issuing CA" --csr "$T/csr/online.csr" "${R[@]}"
is "$rc" 0 "intermediate from an external CSR"
o=$d/intermediate/online
is "$(ls "$o")" "$(printf 'chain.pem\ndeviceRootCA.pem')" "no key written for a CSR"
like "$out" "stays with the CSR's maker" "the summary says where the key is"
is "$(openssl x509 -in "$o/deviceRootCA.pem" -noout -pubkey)" "$(openssl req -in "$T/csr/online.csr" -noout -pubkey)" "it certifies the CSR's key"
t=$(ext "$o/deviceRootCA.pem")
like "$t" "CA:TRUE, pathlen:0" "the CSR's pathlen 5 is ignored"
! grep -q "evil.example" <<<"$t"; ok $? "the CSR's subjectAltName is ignored"
like "$t" "Subject: C = IN, O = AMZ, CN = Online Issuing CA" "--subject, not the CSR's"
has "$(tail -1 "$d/transcript.log")" "\"csr_sha256\":\"$(sha256sum <"$T/csr/online.csr" | cut -d' ' -f1)\"" "transcript: the CSR's SHA-256"
openssl req -in "$T/csr/online.csr" -outform DER >"$T/csr/online.der"
run cer -C "$d" intermediate online-der --subject "/CN=Online DER" --csr "$T/csr/online.der" "${R[@]}"
is "$rc" 0 "a DER CSR"
# bad CSRs
openssl req -in "$T/csr/online.csr" -outform DER >"$T/csr/sig.der"
/usr/bin/python3 -c 'import sys; p=sys.argv[1]; d=bytearray(open(p,"rb").read()); d[-1]^=1; open(p,"wb").write(d)' "$T/csr/sig.der"
mkcsr "$T/csr/rsa1024.csr" "/CN=weak" -newkey rsa:1024
mkcsr "$T/csr/k256.csr" "/CN=k256" -newkey ec -pkeyopt ec_paramgen_curve:secp256k1
head -c 300 /dev/urandom >"$T/csr/junk"
cat "$T/csr/online.csr" "$T/csr/online.csr" >"$T/csr/two.csr"
S=(--subject "/CN=Bad" "${R[@]}")
refuses 1 "sig.der: the CSR's signature does not verify with its own key \(no proof of possession\); nothing written" "CSR with a bad signature" -- \
	cer -C "$d" intermediate bad --csr "$T/csr/sig.der" "${S[@]}"
refuses 1 "rsa1024.csr: RSA key of 1024 bits; AWS IoT needs at least 2048" "CSR with a weak key" -- \
	cer -C "$d" intermediate bad --csr "$T/csr/rsa1024.csr" "${S[@]}"
refuses 1 "k256.csr: EC curve secp256k1; AWS IoT accepts P-256 and P-384" "CSR with an unsupported curve" -- \
	cer -C "$d" intermediate bad --csr "$T/csr/k256.csr" "${S[@]}"
refuses 2 "junk: not a certificate request" "not a CSR" -- cer -C "$d" intermediate bad --csr "$T/csr/junk" "${S[@]}"
refuses 2 "two.csr: not a certificate request \(one PEM" "two CSRs in one file" -- cer -C "$d" intermediate bad --csr "$T/csr/two.csr" "${S[@]}"
refuses 2 "nope.csr: cannot open: No such file" "missing CSR" -- cer -C "$d" intermediate bad --csr "$T/csr/nope.csr" "${S[@]}"
refuses 2 "--csr: the key is the CSR's; --key does not apply" "--csr with --key" -- \
	cer -C "$d" intermediate bad --csr "$T/csr/online.csr" --key ec-p256 "${S[@]}"
refuses 2 "--passphrase-file: no key file is written with --csr" "--csr with a new passphrase" -- \
	cer -C "$d" intermediate bad --csr "$T/csr/online.csr" --passphrase-file "$T/pass" "${S[@]}"

# --- sign --ca with each ---
mkcsr "$T/csr/dev1.csr" "/C=US/CN=dev1"
mkcsr "$T/csr/dev2.csr" "/C=US/CN=dev2"
cp "$d/jitp_template.json" "$i/"
run cer -C "$d" sign --ca factory-a --passphrase-file "$T/pass" --out "$T/out-a" "$T/csr/dev1.csr"
is "$rc" 0 "sign --ca with the intermediate's passphrase"
openssl verify -CAfile "$d/deviceRootCA.pem" -untrusted "$i/deviceRootCA.pem" "$T/out-a/dev1.crt" >/dev/null
ok $? "the device verifies through the intermediate"
is "$(cat "$T/out-a/dev1-chain.crt")" "$(cat "$T/out-a/dev1.crt" "$i/deviceRootCA.pem")" "<CN>-chain.crt = leaf, issuing CA"
has "$(tail -1 "$d/ledger.jsonl")" '"ca":"factory-a"' "the ledger line names the CA"
has "$(tail -1 "$d/transcript.log")" '"inputs":{"intermediate/factory-a/deviceRootCA.pem"' "sign's transcript line names the CA certificate"
refuses 2 "intermediate/online/jitp_template.json: .*'ceremony template --ca NAME' first" "sign --ca: no template of that CA" -- \
	cer -C "$d" sign --ca online --out "$T/out-o" "$T/csr/dev2.csr"
cp "$d/jitp_template.json" "$o/"
refuses 2 "intermediate CA 'online' has no key here \(neither intermediate/online/deviceRootCA.key nor intermediate/online/deviceRootCA.uri\)" "sign --ca: a CSR intermediate's key is elsewhere" -- \
	cer -C "$d" sign --ca online --out "$T/out-o" "$T/csr/dev2.csr"
refuses 2 "--ca: no intermediate CA 'nope' \(intermediate/nope/deviceRootCA.pem is missing\)" "sign --ca: no such CA" -- \
	cer -C "$d" sign --ca nope "$T/csr/dev2.csr"
refuses 2 "--ca: CA name 'No!'" "sign --ca: bad NAME" -- cer -C "$d" sign --ca 'No!' "$T/csr/dev2.csr"
cp "$d/jitp_template.json" "$d/intermediate/short-lived/"
refuses 2 "--days 365: the certificates would outlive the CA \(intermediate/short-lived/deviceRootCA.pem ends in (29|30) days\)" "sign --ca: device validity past the CA's end" -- \
	cer -C "$d" sign --ca short-lived --out "$T/out-s" "$T/csr/dev2.csr"
run cer -C "$d" sign --passphrase-file "$T/rootpass" --out "$T/out-a" "$T/csr/dev1.csr"
is "$rc" 1 "the root does not re-sign a CSR an intermediate signed"
like "$err" "this CSR was already signed by intermediate CA 'factory-a'" "and says which CA did"
run cer -C "$d" preview --ca factory-a "$T/out-a/dev1.crt"
is "$rc" 0 "preview --ca: the intermediate's device"
like "$out" "ThingName +dev1" "preview --ca reads that CA's template"
run cer -C "$d" preview --ca online "$T/out-a/dev1.crt"
is "$rc" 1 "preview --ca: a device of another CA"
like "$err" "JITP would fail: not signed by intermediate CA 'online'" "preview --ca says so"

# --- issuing CAs that cannot sign (made with python3-cryptography) ---
# badca DIR NAME KIND: intermediate/NAME under DIR's root (plain key), KIND
# expired | future | noca | nokeycertsign
badca() {
	mkdir -p "$1/intermediate/$2" && cp "$1/jitp_template.json" "$1/intermediate/$2/" &&
	/usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import sys, datetime
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
d, name, kind = sys.argv[1:4]
rk = serialization.load_pem_private_key(open(d + "/deviceRootCA.key", "rb").read(), None)
root = x509.load_pem_x509_certificate(open(d + "/deviceRootCA.pem", "rb").read())
k = ec.generate_private_key(ec.SECP256R1())
now = datetime.datetime.now(datetime.timezone.utc)
nb, na = now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=100)
if kind == "expired":
    nb, na = now - datetime.timedelta(days=10), now - datetime.timedelta(days=1)
if kind == "future":
    nb = now + datetime.timedelta(days=2)
ku = x509.KeyUsage(True, False, False, False, False, kind != "nokeycertsign", True, False, False)
b = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bad " + kind)]))
     .issuer_name(root.subject).public_key(k.public_key()).serial_number(x509.random_serial_number())
     .not_valid_before(nb).not_valid_after(na)
     .add_extension(x509.BasicConstraints(ca=kind != "noca", path_length=0 if kind != "noca" else None), critical=True)
     .add_extension(ku, critical=True)
     .add_extension(x509.SubjectKeyIdentifier.from_public_key(k.public_key()), critical=False))
c = b.sign(rk, hashes.SHA256())
p = d + "/intermediate/" + name
open(p + "/deviceRootCA.pem", "wb").write(c.public_bytes(serialization.Encoding.PEM))
open(p + "/deviceRootCA.key", "wb").write(k.private_bytes(serialization.Encoding.PEM,
    serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
PY
}
p=$T/plain
cer -C "$p" root --key ec-p256 --no-passphrase >/dev/null 2>&1 &&
	cer -C "$p" template --region us-east-2 --account 123456789012 --mode sni-only >/dev/null 2>&1 &&
	badca "$p" old expired && badca "$p" early future && badca "$p" leafish noca &&
	badca "$p" nosign nokeycertsign
ok $? "issuing CAs that are expired, not yet valid, not a CA, without keyCertSign"
refuses 1 "intermediate CA 'old' cannot sign: expired \(notAfter 20[0-9-]+T[0-9:]+Z\)" "sign --ca: expired" -- \
	cer -C "$p" sign --ca old "$T/csr/dev2.csr"
refuses 1 "intermediate CA 'early' cannot sign: not yet valid" "sign --ca: not yet valid" -- \
	cer -C "$p" sign --ca early "$T/csr/dev2.csr"
refuses 1 "intermediate CA 'leafish' cannot sign: not a CA certificate" "sign --ca: not a CA" -- \
	cer -C "$p" sign --ca leafish "$T/csr/dev2.csr"
refuses 1 "intermediate CA 'nosign' cannot sign: keyUsage lacks keyCertSign" "sign --ca: no keyCertSign" -- \
	cer -C "$p" sign --ca nosign "$T/csr/dev2.csr"
# an intermediate under a root whose pathLenConstraint is 0
cer -C "$p" template --region us-east-2 --account 123456789012 --mode sni-only >/dev/null 2>&1
cp "$p/jitp_template.json" "$T/pl0/" && badca "$T/pl0" under ok
ok $? "an issuing CA under the root with pathLen 0"
refuses 1 "intermediate CA 'under' cannot sign: the root's pathLenConstraint 0 allows no CA under it" "sign --ca: pathLen forbids it" -- \
	cer -C "$T/pl0" sign --ca under "$T/csr/dev2.csr"
openssl verify -CAfile "$T/pl0/deviceRootCA.pem" -untrusted "$T/pl0/intermediate/under/deviceRootCA.pem" \
	"$T/out-a/dev1.crt" >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "(openssl agrees such a chain cannot verify)"

# --- the key in a SoftHSM2 token ---
hsm_init
hsm_token ceremony
run cer -C "$d" intermediate hsm-ca --subject "/C=IN/O=AMZ/CN=HSM Issuing CA" --key ec-p256 \
	--key-uri "$(hsm_uri hsm-ca)" --pin-file "$HSM/pin" "${R[@]}"
is "$rc" 0 "intermediate with --key-uri"
h=$d/intermediate/hsm-ca
is "$(ls "$h")" "$(printf 'chain.pem\ndeviceRootCA.pem\ndeviceRootCA.uri')" "deviceRootCA.uri in place of the key"
like "$(cat "$h/deviceRootCA.uri")" "^pkcs11:.*object=hsm-ca" "the URI names the token key"
like "$out" "in token 'ceremony' \(serial [0-9a-f]+\), non-extractable" "the summary names the token"
has "$(tail -1 "$d/transcript.log")" '"key_protection":"pkcs11"' "transcript: the key is in a token"
run pkcs11-tool --module "$HSM_MOD" --token-label ceremony --login --pin "$HSM_PIN" --list-objects
like "$out" "label: +hsm-ca" "the key is in the token"
refuses 2 "--passphrase-file: no key file is written with --key-uri" "--key-uri with a new passphrase" -- \
	cer -C "$d" intermediate hsm-2 --subject /CN=h2 --key-uri "$(hsm_uri h2)" --pin-file "$HSM/pin" \
	--passphrase-file "$T/pass" "${R[@]}"
refuses 2 "already holds an object labelled 'hsm-ca'" "--key-uri: label already in the token" -- \
	cer -C "$d" intermediate hsm-2 --subject /CN=h2 --key-uri "$(hsm_uri hsm-ca)" --pin-file "$HSM/pin" "${R[@]}"
cp "$d/jitp_template.json" "$h/"
run cer -C "$d" sign --ca hsm-ca --pin-file "$HSM/pin" --out "$T/out-h" "$T/csr/dev2.csr"
is "$rc" 0 "sign --ca with the key in the token"
openssl verify -CAfile "$d/deviceRootCA.pem" -untrusted "$h/deviceRootCA.pem" "$T/out-h/dev2.crt" >/dev/null
ok $? "the device verifies through the token's CA"
# a root in a token: its PIN by --root-pin-file
tk=$T/tk
cer -C "$tk" root --key ec-p256 --key-uri "$(hsm_uri root-ca)" --pin-file "$HSM/pin" --no-passphrase >/dev/null 2>&1
ok $? "a root whose key is in the token"
run cer -C "$tk" intermediate both --subject /CN=both --key ec-p256 --key-uri "$(hsm_uri both)" \
	--pin-file "$HSM/pin" --root-pin-file "$HSM/pin"
is "$rc" 0 "root key and intermediate key both in the token"
has "$(tail -1 "$tk/transcript.log")" '"root_key":{' "transcript: the root's token key"
refuses 2 "login failed: wrong PIN" "wrong root PIN" -- \
	cer -C "$tk" intermediate other --subject /CN=o --no-passphrase --root-pin-file "$HSM/badpin"

# --- AWS's limit: 10 CAs with one subject per account ---
l10=$T/l10
cer -C "$l10" root --key ec-p256 --no-passphrase >/dev/null 2>&1
for n in 1 2 3 4 5 6 7 8; do
	cer -C "$l10" intermediate "same-$n" --subject "/CN=Same" --key ec-p256 --no-passphrase >/dev/null 2>&1 || break
done
run cer -C "$l10" intermediate same-9 --subject "/CN=Same" --key ec-p256 --no-passphrase
is "$rc" 0 "a 9th CA with one subject"
! grep -q "other CAs in the transcript" <<<"$err"; ok $? "no warning with 8 others"
run cer -C "$l10" intermediate same-10 --subject "/CN=Same" --key ec-p256 --no-passphrase
is "$rc" 0 "a 10th CA with one subject is still made"
like "$err" "9 other CAs in the transcript have the subject '/CN=Same'; AWS IoT registers at most 10 CAs with one subject per account" "the 10th warns of AWS's limit"

done_testing
