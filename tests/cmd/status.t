#!/bin/bash
# ceremony status: a healthy ceremony exits 0, a CA expiring in 20 days
# warns and exits 1; --json parses with jq and holds every field; an
# intermediate made with openssl shows up with its own counts; revoked
# counts and CRLs (made with python3-cryptography) warn when they should;
# the online copy (public files only) works; status writes nothing.
. "$(dirname "$0")/../lib.sh"

mkcsr() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj "/C=US/O=Acme/CN=$2" -keyout "$T/$2.key" -out "$1" 2>/dev/null
}
# crl CA-DIR KEY NEXT-DAYS [SERIAL...]: CA-DIR/crl.pem signed by KEY for
# CA-DIR/deviceRootCA.pem, nextUpdate NEXT-DAYS from now (negative: past)
crl() {
	/usr/bin/python3 - "$@" <<'PY'
import sys, datetime
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
d, keyf, nxt = sys.argv[1], sys.argv[2], int(sys.argv[3])
ca = x509.load_pem_x509_certificate(open(d + "/deviceRootCA.pem", "rb").read())
key = serialization.load_pem_private_key(open(keyf, "rb").read(), None)
now = datetime.datetime.now(datetime.timezone.utc)
b = (x509.CertificateRevocationListBuilder().issuer_name(ca.subject)
     .last_update(now - datetime.timedelta(days=1 if nxt >= 0 else 40))
     .next_update(now + datetime.timedelta(days=nxt))
     .add_extension(x509.CRLNumber(7), False))
for s in sys.argv[4:]:
    b = b.add_revoked_certificate(x509.RevokedCertificateBuilder()
        .serial_number(int(s, 16)).revocation_date(now).build())
open(d + "/crl.pem", "wb").write(b.sign(key, hashes.SHA256())
                                  .public_bytes(serialization.Encoding.PEM))
PY
}
# revoke_line SERIAL CN ID [CA]: a revocation line in the ledger's format
revoke_line() {
	jq -cn --arg s "$1" --arg cn "$2" --arg id "$3" --arg ca "${4:-}" \
		'{revoked:$s,certificate_id:$id,cn:$cn,reason:"keyCompromise",
		  time:"2026-12-01T10:00:00Z",revocation:"2026-12-01-1",n:1,of:1}
		 + (if $ca == "" then {} else {ca:$ca} end)'
}

# ---- a CA with 20 days left
W=$T/w
cer -C "$W" root --no-passphrase --days 20 >/dev/null 2>&1
ok $? "root --days 20"
run cer -C "$W" status
is "$rc" 1 "status on a CA with 20 days left exits 1"
like "$out" "WARNING: root CA: expires in 20 days" "and warns, with the days"
like "$out" "valid +[0-9-]+ to [0-9-]+, 20 days left \(WARNING\)" "the CA line shows it"
run cer -C "$W" status --json
is "$rc" 1 "status --json exits 1 too"
is "$(echo "$out" | jq -r '.healthy, .cas[0].days_left')" "false
20" "--json: not healthy, 20 days left"
like "$(echo "$out" | jq -r '.warnings[0]')" "expires in 20 days" "--json: the warning"

# ---- a healthy ceremony: backup, drill, devices
H=$T/h
sni_ca "$H" ec-p256 &&
	(cd "$H" && cer backup --threshold 2 --shares 3 --iteration-exponent 0 \
		--custodian Alice --custodian Bob >/dev/null 2>&1 &&
		cer restore --check backup/share-1-1.txt backup/share-1-3.txt >/dev/null 2>&1)
ok $? "root, template, a 2 of 3 backup and a drill"
mkdir "$T/csr"
for n in dev1 dev2 dev3; do mkcsr "$T/csr/$n.csr" $n; done
cer -C "$H" sign --quiet --out soon --days 30 "$T/csr/dev1.csr" >/dev/null 2>&1 &&
	cer -C "$H" sign --quiet --out later "$T/csr/dev2.csr" "$T/csr/dev3.csr" >/dev/null 2>&1
ok $? "one device for 30 days, two for a year"
before=$(snapshot "$H")
run cer -C "$H" status
is "$rc" 0 "status on a healthy ceremony exits 0"
like "$out" "Healthy: nothing needs doing" "and says so"
like "$out" "certificates +3 issued, 0 revoked, 1 expiring within 90 days" "counts from the ledger"
like "$out" "key +file deviceRootCA.key" "the key is a file"
like "$out" "Backup +backup/deviceRootCA.vault: 2 of 3, made 20" "the backup's scheme"
like "$out" "custodians +Alice, Bob, \(share 1-3\)" "the custodians"
like "$out" "last drill +$(date -u +%F) \(restore --check, 2 shares\)" "the last drill"
like "$out" "CRL +none" "no CRL, and no revocation: no warning"
is "$(snapshot "$H")" "$before" "status writes nothing"

run cer -C "$H" status --json
is "$rc" 0 "status --json exits 0"
j=$out
echo "$j" | jq -e . >/dev/null
ok $? "--json parses with jq"
fp=$(openssl x509 -in "$H/deviceRootCA.pem" -noout -fingerprint -sha256 | cut -d= -f2)
is "$(echo "$j" | jq -r '.cas[0].sha256')" "$fp" "--json: the fingerprint (openssl)"
subj=$(openssl x509 -in "$H/deviceRootCA.pem" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
is "$(echo "$j" | jq -r '.cas[0].subject')" "$subj" "--json: the subject (openssl, RFC 2253)"
end=$(date -u -d "$(openssl x509 -in "$H/deviceRootCA.pem" -noout -enddate | cut -d= -f2)" +%FT%TZ)
is "$(echo "$j" | jq -r '.cas[0].not_after')" "$end" "--json: notAfter (openssl)"
is "$(echo "$j" | jq -r '.cas[0] | [.name, .key.where, .issued, .revoked, .expiring_90_days, .crl] | map(tostring) | join(" ")')" \
	" file 3 0 1 null" "--json: name, key, issued, revoked, expiring, crl"
is "$(echo "$j" | jq -r '.backup | [.scheme, .vault_here, (.custodians | map(. // "-") | join(",")), .last_drill.shares] | map(tostring) | join(" ")')" \
	"2 of 3 true Alice,Bob,- 2" "--json: backup scheme, custodians, drill"
is "$(echo "$j" | jq -r '.backup.slip39_id')" "$(sed -n 's/^slip39-id: //p' "$H/backup/deviceRootCA.vault")" \
	"--json: the backup's identifier"
is "$(echo "$j" | jq -r '.transcript.head')" "$(tail -1 "$H/transcript.log" | tr -d '\n' | sha256sum | cut -c1-64)" \
	"--json: the transcript head is the hash of its last line"
is "$(echo "$j" | jq -r '.transcript.entries')" "$(wc -l <"$H/transcript.log")" "--json: its entries"
is "$(echo "$j" | jq -r '.healthy, (.warnings | length)')" "true
0" "--json: healthy, no warnings"

# ---- an intermediate made with openssl
I=$H/intermediate/factory-a
mkdir -p "$I"
cat >"$T/ext.cnf" <<'EOF'
[v3]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/C=US/O=Acme/CN=Factory A CA" \
	-keyout "$T/int.key" -out "$T/int.csr" 2>/dev/null &&
	openssl x509 -req -in "$T/int.csr" -CA "$H/deviceRootCA.pem" -CAkey "$H/deviceRootCA.key" \
		-set_serial 0x1234abcd -days 25 -extfile "$T/ext.cnf" -extensions v3 -out "$I/deviceRootCA.pem" 2>/dev/null &&
	cat "$I/deviceRootCA.pem" "$H/deviceRootCA.pem" >"$I/chain.pem"
ok $? "an intermediate CA made with openssl, 25 days"
openssl verify -CAfile "$H/deviceRootCA.pem" "$I/deviceRootCA.pem" >/dev/null
ok $? "openssl verifies it against the root"
# one device of the intermediate: the root's dev3 line, as if it had issued it
tail -1 "$H/ledger.jsonl" | jq -c '. + {ca: "factory-a"}' >"$T/line"
run cer -C "$H" status
is "$rc" 1 "an intermediate with 25 days left warns"
like "$out" "Intermediate CA 'factory-a'" "the intermediate shows up"
like "$out" "subject +CN=Factory A CA,O=Acme,C=US" "with its subject"
like "$out" "key +not here" "its key is not here"
like "$out" "WARNING: intermediate CA 'factory-a': expires in 25 days" "and its expiry warns"
cp "$H/ledger.jsonl" "$T/ledger.saved"
cat "$T/line" >>"$H/ledger.jsonl"
run cer -C "$H" status --json
is "$(echo "$out" | jq -r '.cas[1] | [.name, .dir, .days_left, .issued, .key.where] | map(tostring) | join(" ")')" \
	"factory-a intermediate/factory-a 25 1 absent" "--json: the intermediate, its dir, days, issued, key"
is "$(echo "$out" | jq -r '.cas[0].issued')" 3 "the root's count is its own"
is "$(echo "$out" | jq -r '.cas[1].sha256')" \
	"$(openssl x509 -in "$I/deviceRootCA.pem" -noout -fingerprint -sha256 | cut -d= -f2)" \
	"--json: the intermediate's fingerprint (openssl)"
cp "$T/ledger.saved" "$H/ledger.jsonl"
mv "$H/intermediate" "$T/intermediate.saved"

# ---- revocations and CRLs
dev2=$(grep '"cn":"dev2"' "$H/ledger.jsonl")
s2=$(echo "$dev2" | jq -r .serial)
# a revocation line alone, as a crash after the ledger write leaves it
cp "$H/ledger.jsonl" "$T/ledger.saved"
revoke_line "$s2" dev2 "$(echo "$dev2" | jq -r .certificate_id)" >>"$H/ledger.jsonl"
run cer -C "$H" status
is "$rc" 1 "a revocation without a CRL warns"
like "$out" "certificates +3 issued, 1 revoked, 1 expiring" "the revoked count"
like "$out" "WARNING: root CA: 1 certificates revoked but no CRL: run 'ceremony crl'" "no CRL: says what to run"
cp "$T/ledger.saved" "$H/ledger.jsonl"
run cer -C "$H" revoke --cn dev2 --reason keyCompromise --region us-east-2
is "$rc" 0 "ceremony revoke --cn dev2"
[ -s "$H/crl.pem" ]
ok $? "revoke wrote crl.pem"
run cer -C "$H" status
is "$rc" 0 "revoked, with a current CRL: healthy"
like "$out" "certificates +3 issued, 1 revoked, 1 expiring within 90 days" "the revoked count"
like "$out" "CRL +crl.pem number [0-9]+, 1 revoked, this update 20.*, next update 20" "the CRL line"
run cer -C "$H" status --json
is "$(echo "$out" | jq -r '.cas[0].crl | [.revoked, .signed_by_ca] | map(tostring) | join(" ")')" \
	"1 true" "--json: the CRL's entries, its signature"
is "$(echo "$out" | jq -r '.cas[0].crl.number')" \
	"$(openssl crl -in "$H/crl.pem" -noout -crlnumber | sed 's/^crlNumber=0x//' | xargs -I{} printf '%d' 0x{})" \
	"--json: the CRL number (openssl)"
is "$(echo "$out" | jq -r '.cas[0].crl.next_update')" "$(date -u -d "$(openssl crl -in "$H/crl.pem" -noout -nextupdate | cut -d= -f2)" +%FT%TZ)" \
	"--json: nextUpdate (openssl)"
cp "$H/crl.pem" "$T/crl.good"
crl "$H" "$H/deviceRootCA.key" 30 "$s2"
ok $? "a CRL made with python3-cryptography"
openssl crl -in "$H/crl.pem" -CAfile "$H/deviceRootCA.pem" -noout 2>/dev/null
ok $? "openssl checks its signature"
run cer -C "$H" status
is "$rc" 0 "it is current and lists the revocation: healthy"
like "$out" "CRL +crl.pem number 7, 1 revoked" "its number and entries"
crl "$H" "$H/deviceRootCA.key" -2 "$s2"
run cer -C "$H" status
is "$rc" 1 "a CRL past its nextUpdate warns"
like "$out" "WARNING: root CA: crl.pem is out of date \(nextUpdate 20[0-9-]+T" "and says so"
crl "$H" "$H/deviceRootCA.key" 30
run cer -C "$H" status
is "$rc" 1 "a CRL that misses a revocation warns"
like "$out" "the CRL lists 0 of 1 revoked certificates" "and says so"
crl "$H" "$T/dev1.key" 30 "$s2"
run cer -C "$H" status
is "$rc" 1 "a CRL signed by another key warns"
like "$out" "crl.pem is not signed by deviceRootCA.pem" "and says so"
cp "$T/crl.good" "$H/crl.pem"
run cer -C "$H" crl
is "$rc" 0 "ceremony crl signs the next CRL"
run cer -C "$H" status
is "$rc" 0 "healthy again"

# ---- the online copy: public files only
P=$T/online
mkdir "$P"
cp "$H/deviceRootCA.pem" "$H/ledger.jsonl" "$H/transcript.log" "$H/crl.pem" "$P/"
chmod 0444 "$P"/*
run cer -C "$P" status
is "$rc" 0 "status on the online copy exits 0"
like "$out" "key +not here \(a public copy\)" "no key there, and none needed"
like "$out" "certificates +3 issued, 1 revoked" "the counts"
like "$out" "Backup +2 of 3 \(vault not here\)" "the backup, from the transcript"
like "$out" "last drill +$(date -u +%F)" "and its drill"
rm "$P/transcript.log"
run cer -C "$P" status --json
is "$rc" 0 "without the transcript too"
is "$(echo "$out" | jq -r '.backup, .transcript.entries')" "null
0" "--json: no backup known, no entries"

# ---- the CA key in a token: status names it and needs no PIN
hsm_init
hsm_token ceremony
echo 'a passphrase for ceremony.key' >"$T/pass"
cer -C "$T/tk" root --key ec-p256 --key-uri "$(hsm_uri ca)" --pin-file "$HSM/pin" \
	--passphrase-file "$T/pass" >/dev/null 2>&1
ok $? "root --key-uri in SoftHSM2"
run cer -C "$T/tk" status </dev/null
is "$rc" 0 "status of a token ceremony exits 0, with no PIN"
like "$out" "key +token pkcs11:token=ceremony;.*object=ca" "the key is in the token, by URI"
has "$out" "$(cat "$T/tk/deviceRootCA.uri")" "the URI of deviceRootCA.uri"
run cer -C "$T/tk" status --json
is "$(echo "$out" | jq -r '.cas[0].key.where')" token "--json: key.where token"
touch "$T/tk/deviceRootCA.key"
run cer -C "$T/tk" status
is "$rc" 1 "both a key file and a URI warn"
like "$out" "both deviceRootCA.key and deviceRootCA.uri are present" "and say so"
rm "$T/tk/deviceRootCA.key"

# ---- refusals
refuses 2 "usage: ceremony status" "an unknown option" -- cer -C "$H" status --nope
refuses 2 "unexpected argument 'x'" "an argument" -- cer -C "$H" status x
mkdir "$T/empty"
refuses 2 "deviceRootCA.pem" "no CA certificate" -- cer -C "$T/empty" status
cp "$H/ledger.jsonl" "$T/ledger.saved"
echo '{"serial":"zz"}' >>"$H/ledger.jsonl"
refuses 2 "ledger.jsonl: line 5" "a damaged ledger line is named" -- cer -C "$H" status
cp "$T/ledger.saved" "$H/ledger.jsonl"
printf '{"serial":"ab' >>"$H/ledger.jsonl"
before=$(snapshot "$H")
run cer -C "$H" status
is "$rc" 1 "a torn last ledger line warns"
is "$(snapshot "$H")" "$before" "and status leaves it for sign or revoke to drop"
like "$out" "WARNING: ledger.jsonl: line 5 is incomplete" "the torn line is named once"
is "$(echo "$out" | grep -c 'is incomplete')" 1 "once"
cp "$T/ledger.saved" "$H/ledger.jsonl"
# ---- an intermediate revoked by the root
mv "$T/intermediate.saved" "$H/intermediate"
run cer -C "$H" revoke --intermediate factory-a --reason cACompromise --region us-east-2
is "$rc" 0 "ceremony revoke --intermediate factory-a"
run cer -C "$H" status
is "$rc" 1 "status warns"
like "$out" "WARNING: intermediate CA 'factory-a' was revoked on $(date -u +%F) \(cACompromise\)" \
	"the intermediate is named as revoked"
like "$out" "certificates +3 issued, 2 revoked" "the root counts what it revoked"
like "$out" "REVOKED +$(date -u +%F) by the root \(cACompromise\)" "the intermediate's block says it"
like "$out" "CRL +crl.pem number [0-9]+, 2 revoked" "and its CRL lists both"
run cer -C "$H" status --json
is "$(echo "$out" | jq -r '.cas[1].ca_revoked.reason, .cas[0].ca_revoked')" "cACompromise
null" "--json: ca_revoked"

run cer status --help
is "$rc" 0 "status --help exits 0"
like "$out" "--json" "and teaches --json"

done_testing
