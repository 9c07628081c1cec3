#!/bin/bash
# ceremony ledger find|list: by CN, serial, id and file; --expiring,
# --revoked, --ca, --json; refusals.
. "$(dirname "$0")/../lib.sh"

d=$T/c
cer -C "$d" root --no-passphrase --key ec-p256 >/dev/null 2>&1 &&
	cer -C "$d" template --region us-east-1 --account 123456789012 --mode sni-only >/dev/null 2>&1
ok $? "ceremony dir"
for n in 1 2 3; do
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/C=US/CN=dev$n" \
		-keyout /dev/null -out "$T/dev$n.csr" 2>/dev/null
done
cer -C "$d" sign --quiet --days 10 "$T/dev1.csr" >/dev/null 2>&1 &&
	cer -C "$d" sign --quiet --days 200 "$T/dev2.csr" "$T/dev3.csr" >/dev/null 2>&1
ok $? "three devices in two batches"
f=$(ls "$d"/issued/*/dev2.crt)
s2=$(openssl x509 -in "$f" -noout -serial | cut -d= -f2)
id2=$(openssl x509 -in "$f" -outform DER | sha256sum | cut -d' ' -f1)

refuses 2 "usage: ceremony ledger" "no verb" -- cer -C "$d" ledger
refuses 2 "usage: ceremony ledger" "unknown verb" -- cer -C "$d" ledger show
refuses 2 "usage: ceremony ledger" "find without a key" -- cer -C "$d" ledger find
refuses 2 "usage: ceremony ledger" "find takes no --revoked" -- cer -C "$d" ledger find dev1 --revoked
refuses 1 "'nobody' matches no certificate" "find nothing" -- cer -C "$d" ledger find nobody
refuses 2 "--ca: " "bad --ca" -- cer -C "$d" ledger list --ca 'A/B'

run cer -C "$d" ledger find dev2
ok $rc "find by CN"
like "$out" "^dev2	$(echo "$s2" | tr A-F a-f)	$id2	-	[0-9T:-]+Z	valid$" "CN, serial, id, CA, notAfter, status"
run cer -C "$d" ledger find "$s2"; has "$out" "$id2" "find by serial (openssl's form)"
run cer -C "$d" ledger find "$id2"; has "$out" "dev2	" "find by certificate id"
run cer -C "$d" ledger find "$f"; has "$out" "dev2	" "find by certificate file"
run cer -C "$d" ledger list; is "$(echo "$out" | wc -l)" 3 "list: all three"
run cer -C "$d" ledger list --expiring 30; is "$out" "$(cer -C "$d" ledger find dev1)" "--expiring 30: only the 10-day one"
run cer -C "$d" ledger list --ca sub; is "$out" "" "--ca sub: none"
run cer -C "$d" ledger list --ca -; is "$(echo "$out" | wc -l)" 3 "--ca -: the root's"
run cer -C "$d" ledger list --revoked; is "$out" "" "--revoked: none yet"
cer -C "$d" revoke --cn dev1 --reason superseded --region us-east-1 >/dev/null 2>&1
run cer -C "$d" ledger list --revoked
like "$out" "^dev1	.*	revoked:superseded:[0-9-]+-1$" "--revoked: dev1, with reason and revocation"
run cer -C "$d" ledger list --expiring 30; is "$out" "" "a revoked certificate is not 'expiring'"
run cer -C "$d" ledger list --json
ok $rc "--json"
is "$(echo "$out" | jq -r 'select(.status=="revoked") | .revocation.reason')" superseded "--json: the revocation"
is "$(echo "$out" | jq -r 'select(.cn=="dev2") | .certificate_id')" "$id2" "--json: certificate_id"
is "$(echo "$out" | jq -s length)" 3 "--json: one object per line"
done_testing
