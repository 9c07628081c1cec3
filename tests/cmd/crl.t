#!/bin/bash
# ceremony crl: the CRL checked by OpenSSL and GnuTLS, a revoked device
# refused and another accepted, the CRL number, nextUpdate, an
# intermediate's CRL with its chain, refusals.
. "$(dirname "$0")/../lib.sh"

d=$T/c
cer -C "$d" root --no-passphrase --key ec-p256 --days 20 >/dev/null 2>&1 &&
	cer -C "$d" template --region us-east-1 --account 123456789012 --mode sni-only >/dev/null 2>&1
ok $? "ceremony dir with a CA that ends in 20 days"
for n in 1 2; do
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/C=US/CN=dev$n" \
		-keyout /dev/null -out "$T/dev$n.csr" 2>/dev/null
done
cer -C "$d" sign --quiet --days 10 "$T/dev1.csr" "$T/dev2.csr" >/dev/null 2>&1
ok $? "two devices"
b=$(ls "$d/issued")

refuses 2 "no intermediate CA 'nope'" "unknown --ca" -- cer -C "$d" crl --ca nope
refuses 2 "--days|next-update|1 to 36500" "bad --next-update" -- cer -C "$d" crl --next-update 0
refuses 2 "unexpected argument" "stray argument" -- cer -C "$d" crl extra

run cer -C "$d" crl
ok $rc "an empty CRL"
has "$out" "CRL number 1, 0 revoked" "number 1"
openssl crl -in "$d/crl.pem" -CAfile "$d/deviceRootCA.pem" -verify -noout 2>/dev/null; ok $? "openssl crl -verify"
next=$(openssl crl -in "$d/crl.pem" -noout -nextupdate | cut -d= -f2)
end=$(openssl x509 -in "$d/deviceRootCA.pem" -noout -enddate | cut -d= -f2)
is "$(date -ud "$next" +%s)" "$(date -ud "$end" +%s)" "nextUpdate (30 days) cut at the CA's end (20 days)"

cer -C "$d" revoke --cn dev1 --reason keyCompromise >/dev/null 2>&1
ok $? "dev1 revoked (CRL 2)"
run cer -C "$d" crl --next-update 7
ok $rc "crl --next-update 7"
has "$out" "CRL number 3, 1 revoked" "the number goes up, kept in the transcript"
like "$(openssl crl -in "$d/crl.pem" -noout -crlnumber)" "crlNumber=0x0?3$" "cRLNumber 3 in the file"
last=$(openssl crl -in "$d/crl.pem" -noout -lastupdate | cut -d= -f2)
next=$(openssl crl -in "$d/crl.pem" -noout -nextupdate | cut -d= -f2)
is $(( $(date -ud "$next" +%s) - $(date -ud "$last" +%s) )) $((7 * 86400)) "nextUpdate 7 days after thisUpdate"
openssl crl -in "$d/crl.pem" -CAfile "$d/deviceRootCA.pem" -verify -noout 2>/dev/null; ok $? "openssl crl -verify"
has "$(openssl crl -in "$d/crl.pem" -noout -text)" "Key Compromise" "the reason code"
has "$(openssl crl -in "$d/crl.pem" -noout -text)" "Authority Key Identifier" "the AKI"
run openssl verify -crl_check -CAfile "$d/deviceRootCA.pem" -CRLfile "$d/crl.pem" "$d/issued/$b/dev1.crt"
[ "$rc" -ne 0 ]; ok $? "openssl verify -crl_check rejects the revoked device"
has "$out$err" "certificate revoked" "as revoked"
openssl verify -crl_check -CAfile "$d/deviceRootCA.pem" -CRLfile "$d/crl.pem" "$d/issued/$b/dev2.crt" >/dev/null 2>&1
ok $? "and accepts the other one"
run certtool --verify-crl --load-ca-certificate "$d/deviceRootCA.pem" --infile "$d/crl.pem"
ok $rc "GnuTLS certtool --verify-crl"
cer -C "$d" transcript verify >/dev/null 2>&1; ok $? "the transcript verifies"

# --- an intermediate's CRL, checked with its chain ---
i=$d/intermediate/sub
mkdir -p "$i"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/C=US/CN=Sub CA" \
	-keyout "$i/deviceRootCA.key" -out "$T/sub.csr" 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' >"$T/ext"
openssl x509 -req -in "$T/sub.csr" -CA "$d/deviceRootCA.pem" -CAkey "$d/deviceRootCA.key" \
	-set_serial 0x4a5b6c7d8e9f00112233445566778899 -days 15 -extfile "$T/ext" -out "$i/deviceRootCA.pem" 2>/dev/null
cat "$i/deviceRootCA.pem" "$d/deviceRootCA.pem" >"$i/chain.pem"
run cer -C "$d" crl --ca sub
ok $rc "crl --ca sub"
has "$out" "CRL number 1, 0 revoked" "its own numbering"
openssl crl -in "$i/crl.pem" -CAfile "$i/chain.pem" -verify -noout 2>/dev/null; ok $? "the intermediate's CRL verifies with its chain"
certtool --verify-crl --load-ca-certificate "$i/deviceRootCA.pem" --infile "$i/crl.pem" >/dev/null 2>&1
ok $? "and with certtool"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/C=US/CN=leaf" \
	-keyout /dev/null -out "$T/leaf.csr" 2>/dev/null
openssl x509 -req -in "$T/leaf.csr" -CA "$i/deviceRootCA.pem" -CAkey "$i/deviceRootCA.key" -days 5 -out "$T/leaf.pem" 2>/dev/null
cer -C "$d" crl >/dev/null 2>&1
openssl verify -crl_check_all -CAfile "$d/deviceRootCA.pem" -untrusted "$i/deviceRootCA.pem" \
	-CRLfile "$d/crl.pem" -CRLfile "$i/crl.pem" "$T/leaf.pem" >/dev/null 2>&1
ok $? "a leaf of the intermediate verifies with both CRLs (crl_check_all)"
cer -C "$d" revoke --intermediate sub --reason cACompromise --region us-east-1 >/dev/null 2>&1
ok $? "the intermediate revoked"
run openssl verify -crl_check_all -CAfile "$d/deviceRootCA.pem" -untrusted "$i/deviceRootCA.pem" \
	-CRLfile "$d/crl.pem" -CRLfile "$i/crl.pem" "$T/leaf.pem"
[ "$rc" -ne 0 ]; ok $? "then its leaf is refused: the root's CRL lists the intermediate"
done_testing
