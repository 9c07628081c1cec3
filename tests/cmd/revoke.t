#!/bin/bash
# ceremony revoke: every selector, every refusal (nothing written),
# revoking twice, --intermediate, the folder and the ledger lines, and
# crash safety under SIGKILL (complete after --resume, or nothing).
. "$(dirname "$0")/../lib.sh"

d=$T/c
cer -C "$d" root --no-passphrase --key ec-p256 >/dev/null 2>&1 &&
	cer -C "$d" template --region us-east-1 --region us-west-2 --account 123456789012 --mode sni-only >/dev/null 2>&1
ok $? "ceremony dir, registered in two regions"
mkcsrs() { # mkcsrs N PREFIX FILE
	/usr/bin/python3 - "$@" <<'PY'
import sys
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
with open(sys.argv[3], "wb") as f:
    for i in range(int(sys.argv[1])):
        k = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                          x509.NameAttribute(NameOID.COMMON_NAME, "%s%d" % (sys.argv[2], i))])
        f.write(x509.CertificateSigningRequestBuilder().subject_name(name)
                .sign(k, hashes.SHA256()).public_bytes(serialization.Encoding.PEM))
PY
}
mkcsrs 6 dev "$T/a.pem" && cer -C "$d" sign --quiet "$T/a.pem" >/dev/null 2>&1
ok $? "six devices signed"
batch=$(ls "$d/issued")
mkcsrs 3 bat "$T/b.pem" && cer -C "$d" sign --quiet "$T/b.pem" >/dev/null 2>&1
batch2=$(ls "$d/issued" | grep -v "^$batch\$")
serial() { openssl x509 -in "$1" -noout -serial | cut -d= -f2; }
certid() { openssl x509 -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }
lines() { grep -c "$1" "$d/ledger.jsonl"; }

# --- refusals: the right code, a message naming the cause, nothing written ---
refuses 2 "nothing to revoke" "no selector" -- cer -C "$d" revoke --reason keyCompromise
refuses 2 "--reason is required" "no reason" -- cer -C "$d" revoke --cn dev0
refuses 2 "'stolen' is not one of" "bad reason" -- cer -C "$d" revoke --cn dev0 --reason stolen
refuses 2 "not 64 hex" "bad id" -- cer -C "$d" revoke --certificate-id abc --reason superseded
refuses 2 "not hex" "bad serial" -- cer -C "$d" revoke --serial zz --reason superseded
refuses 1 "--cn nobody: not in the ledger" "unknown CN" -- cer -C "$d" revoke --cn dev0 --cn nobody --reason superseded
refuses 1 "--serial 4242: not in the ledger" "unknown serial" -- cer -C "$d" revoke --serial 4242 --reason superseded
refuses 1 "--batch 0000000000000000: not in the ledger" "unknown batch" -- cer -C "$d" revoke --batch 0000000000000000 --reason superseded
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=x \
	-keyout /dev/null -out "$T/other.pem" 2>/dev/null
refuses 1 "certificate file with id [0-9a-f]{64}: not in the ledger" "a certificate not issued here" -- cer -C "$d" revoke "$T/other.pem" --reason superseded
refuses 2 "no intermediate CA 'nope'" "unknown --ca" -- cer -C "$d" revoke --cn dev0 --ca nope --reason superseded
refuses 2 "Bad.*not an AWS region" "bad region" -- cer -C "$d" revoke --cn dev0 --region 'Bad;rm' --reason superseded
refuses 2 "no selectors or --ca beside it" "--intermediate with a selector" -- cer -C "$d" revoke --intermediate x --cn dev0 --reason cACompromise
refuses 2 "no intermediate CA 'nope'" "unknown --intermediate" -- cer -C "$d" revoke --intermediate nope --reason cACompromise
mv "$d/regions.txt" "$T/regions.txt"
refuses 2 "regions.txt is missing and no --region" "no regions" -- cer -C "$d" revoke --cn dev0 --reason superseded
mv "$T/regions.txt" "$d/regions.txt"
printf 'us-east-1 12345 DEFAULT\n' >"$T/bad-regions" && cp "$d/regions.txt" "$T/good-regions" && cp "$T/bad-regions" "$d/regions.txt"
refuses 2 "regions.txt: line 1 is not .REGION ACCOUNT MODE." "bad regions.txt" -- cer -C "$d" revoke --cn dev0 --reason superseded
cp "$T/good-regions" "$d/regions.txt"

# --- each selector ---
run cer -C "$d" revoke --cn dev0 --reason keyCompromise
ok $rc "--cn revokes"
has "$out" "revocation $(date -u +%F)-1: 1 certificate revoked" "the revocation id is the UTC date and a count"
r1=$d/revocations/$(date -u +%F)-1
[ -f "$r1/revoke.sh" ] && [ -f "$r1/revoked.txt" ] && [ -f "$r1/crl.pem" ]
ok $? "revoke.sh, revoked.txt and crl.pem in the folder"
id0=$(certid "$d/issued/$batch/dev0.crt")
is "$(grep -c "update-certificate --certificate-id $id0 --new-status REVOKED --region" "$r1/revoke.sh")" 2 "one command per region, with the DER's SHA-256 as id"
has "$(grep -x "set -eu" "$r1/revoke.sh")" "set -eu" "revoke.sh stops at the first failure"
sh -n "$r1/revoke.sh"; ok $? "revoke.sh is valid sh"
cmp -s "$r1/crl.pem" "$d/crl.pem"; ok $? "the folder's CRL is the CA's crl.pem"
like "$(sed -n 2p "$r1/revoked.txt")" "^dev0	[0-9a-f]+	$id0	keyCompromise	[0-9T:-]+Z$" "revoked.txt: CN, serial, id, reason, time"
is "$(lines '"revoked"')" 1 "one ledger line"
refuses 1 "'dev0' \(serial [0-9a-f]+\) is already revoked \(revocation $(date -u +%F)-1, keyCompromise\)" "revoking twice" -- cer -C "$d" revoke --cn dev0 --reason keyCompromise
s1=$(serial "$d/issued/$batch/dev1.crt")
run cer -C "$d" revoke --serial "$(echo "$s1" | sed 's/../&:/g;s/:$//')" --reason superseded
ok $rc "--serial (openssl's upper case, with colons)"
run cer -C "$d" revoke --certificate-id "$(certid "$d/issued/$batch/dev2.crt")" --reason affiliationChanged
ok $rc "--certificate-id"
run cer -C "$d" revoke "$d/issued/$batch/dev3-chain.crt" --reason cessationOfOperation
ok $rc "a certificate file"
run cer -C "$d" revoke --batch "$batch2" --cn dev4 --reason unspecified
ok $rc "--batch mixed with --cn"
has "$out" "4 certificates revoked" "the batch and the CN in one revocation"
is "$(lines '"revoked"')" 8 "eight revocation lines"
refuses 1 "'bat0' .*already revoked" "a batch again" -- cer -C "$d" revoke --batch "$batch2" --reason unspecified
is "$(openssl crl -in "$d/crl.pem" -noout -text | grep -c 'Serial Number')" 8 "the CRL lists all eight"
like "$(openssl crl -in "$d/crl.pem" -noout -crlnumber)" "crlNumber=0x0?5$" "the CRL number went up by one per revocation"
cer -C "$d" transcript verify >/dev/null 2>&1; ok $? "the transcript verifies"
is "$(grep -c '"command":"revoke"' "$d/transcript.log")" 5 "one transcript line per revocation"

# --- --intermediate: made with openssl under the root ---
i=$d/intermediate/sub
mkdir -p "$i"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/C=US/CN=Sub CA" \
	-keyout "$i/deviceRootCA.key" -out "$T/sub.csr" 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' >"$T/ext"
openssl x509 -req -in "$T/sub.csr" -CA "$d/deviceRootCA.pem" -CAkey "$d/deviceRootCA.key" \
	-set_serial 0x4a5b6c7d8e9f00112233445566778899 -days 100 -extfile "$T/ext" -out "$i/deviceRootCA.pem" 2>/dev/null
cat "$i/deviceRootCA.pem" "$d/deviceRootCA.pem" >"$i/chain.pem"
ok $? "an intermediate made with openssl"
refuses 2 "intermediate/sub/regions.txt is missing" "the intermediate's regions are needed" -- cer -C "$d" revoke --intermediate sub --reason cACompromise
printf 'eu-west-1 - DEFAULT\n' >"$i/regions.txt"
run cer -C "$d" revoke --intermediate sub --reason cACompromise
ok $rc "--intermediate"
r6=$d/revocations/$(date -u +%F)-6
iid=$(certid "$i/deviceRootCA.pem")
has "$(cat "$r6/revoke.sh")" "aws iot update-ca-certificate --certificate-id $iid --new-status INACTIVE --region eu-west-1" "the CA is deactivated"
has "$(cat "$r6/revoke.sh")" "aws iot list-certificates-by-ca --ca-certificate-id $iid --region eu-west-1" "and its certificates listed"
has "$(openssl crl -in "$d/crl.pem" -noout -text)" "4A5B6C7D8E9F00112233445566778899" "the root's CRL lists the intermediate"
has "$(openssl crl -in "$d/crl.pem" -noout -text)" "CA Compromise" "with its reason"
refuses 1 "intermediate CA 'sub' .*already revoked" "an intermediate twice" -- cer -C "$d" revoke --intermediate sub --reason cACompromise

# --- crash safety: SIGKILL at random points; then --resume; complete or nothing ---
e=$T/e
cer -C "$e" root --no-passphrase --key ec-p256 >/dev/null 2>&1 &&
	cer -C "$e" template --region us-east-1 --account 123456789012 --mode sni-only >/dev/null 2>&1
mkcsrs 40 k "$T/k.pem" && cer -C "$e" sign --quiet "$T/k.pem" >/dev/null 2>&1
ok $? "40 devices for the crash test"
kills=0 bad=0 n=0 span=30
while [ $n -lt 25 ]; do
	n=$((n + 1))
	"$CEREMONY" -C "$e" revoke --cn "k$n" --reason keyCompromise >/dev/null 2>&1 &
	pid=$!
	sleep "0.$(printf %03d $((RANDOM % span)))"
	# span in ms: longer while every run is killed, shorter when one ends
	if kill -KILL "$pid" 2>/dev/null; then kills=$((kills + 1)); span=$((span < 900 ? span + 15 : 900)); else span=$((span > 4 ? span / 2 : 2)); fi
	wait "$pid" 2>/dev/null
	cer -C "$e" revoke --resume >"$T/rs" 2>&1 || { bad=$((bad + 1)); diag "resume failed after run $n: $(cat "$T/rs")"; }
	if grep -q "\"cn\":\"k$n\",\"reason\"" "$e/ledger.jsonl" 2>/dev/null; then
		id=$(grep "\"cn\":\"k$n\",\"reason\"" "$e/ledger.jsonl" | sed 's/.*"revocation":"\([^"]*\)".*/\1/')
		[ -f "$e/revocations/$id/revoke.sh" ] && [ -f "$e/revocations/$id/revoked.txt" ] &&
			openssl crl -in "$e/revocations/$id/crl.pem" -noout -text | grep -q "$(openssl x509 -in "$e/issued/"*/k$n.crt -noout -serial | cut -d= -f2)" &&
			grep -q "\"revocation\":\"$id\"" "$e/transcript.log" || { bad=$((bad + 1)); diag "k$n recorded but incomplete"; }
	else
		ls "$e/revocations" 2>/dev/null | grep -v '^\.tmp' | while read -r f; do
			grep -q "\"revocation\":\"$f\"" "$e/ledger.jsonl" || echo "stray $f"; done | grep -q stray && { bad=$((bad + 1)); diag "k$n: a folder without ledger lines"; }
	fi
done
diag "killed $kills times; $(grep -c "\"revoked\"" "$e/ledger.jsonl" 2>/dev/null) of $n revocations recorded"
[ "$kills" -ge 3 ]; ok $? "killed mid-run at least 3 times"
is "$bad" 0 "after every crash: the revocation is complete (after --resume), or nothing"
cer -C "$e" revoke --cn k26 --reason keyCompromise >/dev/null 2>&1; ok $? "a revocation after the crashes, not interrupted"
cer -C "$e" transcript verify >/dev/null 2>&1; ok $? "the transcript verifies after the crashes"
openssl crl -in "$e/crl.pem" -CAfile "$e/deviceRootCA.pem" -noout 2>/dev/null; ok $? "the final CRL verifies"
is "$(openssl crl -in "$e/crl.pem" -noout -text | grep -c 'Serial Number')" "$(grep -c '"revoked"' "$e/ledger.jsonl")" "the CRL lists every revoked serial"
done_testing
