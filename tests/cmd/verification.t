#!/bin/bash
# ceremony verification: the registration code and the certificate.
. "$(dirname "$0")/../lib.sh"

d=$T/c
code=$(openssl rand -hex 32 | tr a-f A-F | sed 's/^\(.\{10\}\)/\L\1/')
cer -C "$d" root --no-passphrase --key ec-p256 >/dev/null 2>&1
shape="expected exactly 64 hex characters"
refuses 2 "got 63 characters; $shape" "63 chars" -- cer -C "$d" verification --registration-code "${code:0:63}"
refuses 2 "got 65 characters; $shape" "65 chars" -- cer -C "$d" verification --registration-code "${code}a"
refuses 2 "got 64 characters, not all hex; $shape" "non-hex" -- cer -C "$d" verification --registration-code "${code:0:63}g"
refuses 2 "$shape" "inner whitespace" -- cer -C "$d" verification --registration-code "${code:0:32} ${code:32:31}"
refuses 2 "got 0 characters; $shape" "empty" -- cer -C "$d" verification --registration-code ""
refuses 2 "--registration-code CODE is required" "missing" -- cer -C "$d" verification
refuses 2 "--days" "days 0" -- cer -C "$d" verification --registration-code "$code" --days 0
refuses 2 "unknown key type" "unknown key" -- cer -C "$d" verification --registration-code "$code" --key dsa
refuses 2 "--days 4000: the certificate would outlive the CA.*smaller --days" "days beyond CA" -- cer -C "$d" verification --registration-code "$code" --days 4000

run cer -C "$d" verification --registration-code "  $code
"
is "$rc" 0 "pasted code with whitespace is trimmed"
cn=$(openssl x509 -in "$d/verificationCert.crt" -noout -subject -nameopt multiline | awk -F' = ' '/commonName/ {print $2}')
is "$cn" "$code" "CN equals the code, case preserved"
is "$(stat -c %a "$d/verificationCert.key")" 600 "verification key is 0600"
openssl verify -CAfile "$d/deviceRootCA.pem" "$d/verificationCert.crt" >/dev/null; ok $? "openssl verify"
days=$(( ($(date -d "$(openssl x509 -in "$d/verificationCert.crt" -noout -enddate | cut -d= -f2)" +%s) - $(date +%s)) / 86400 ))
[ "$days" -ge 499 ] && [ "$days" -le 500 ]; ok $? "default validity 500 days"
like "$(openssl x509 -in "$d/verificationCert.crt" -noout -text)" "ecdsa-with-SHA256" "SHA-256 signature"

refuses 2 "verificationCert.key exists; use --force" "existing outputs" -- cer -C "$d" verification --registration-code "$code"

# CA key protected: wrong passphrase, and a key that does not match
printf 'right passphrase\n' >"$T/pw"; printf 'wrong\n' >"$T/bad"
cer -C "$T/p" root --key ec-p256 --passphrase-file "$T/pw" >/dev/null 2>&1
refuses 2 "deviceRootCA.key: wrong passphrase" "wrong CA passphrase" -- \
	cer -C "$T/p" verification --registration-code "$code" --passphrase-file "$T/bad"
run cer -C "$T/p" verification --registration-code "$code" --passphrase-file "$T/pw"
is "$rc" 0 "right CA passphrase works"
cp "$d/deviceRootCA.key" "$T/p/deviceRootCA.key"
run cer -C "$T/p" verification --registration-code "$code" --force
is "$rc" 1 "CA key not matching the CA cert: exit 1"
like "$err" "deviceRootCA.key: does not match deviceRootCA.pem" "mismatch: message"
run cer -C "$T/none" verification --registration-code "$code"
is "$rc" 2 "no ceremony dir: exit 2"
# --- several regions and accounts: one certificate each, under regions/ ---
r=$T/r
cer -C "$r" root --no-passphrase --key ec-p256 >/dev/null 2>&1
c1=$(openssl rand -hex 32); c2=$(openssl rand -hex 32); c3=$(openssl rand -hex 32)
refuses 2 "--region: 'Mars' is not a region name" "bad region" -- cer -C "$r" verification --registration-code "$c1" --region Mars
refuses 2 "--account needs --region" "account without region" -- cer -C "$r" verification --registration-code "$c1" --account 123456789012
refuses 2 "--account: '1234' is not a 12-digit AWS account id" "bad account" -- cer -C "$r" verification --registration-code "$c1" --region us-east-1 --account 1234
refuses 2 "no intermediate CA 'nope' \(intermediate/nope/deviceRootCA.pem is missing\)" "unknown --ca" -- cer -C "$r" verification --registration-code "$c1" --ca nope
refuses 2 "CA name 'Bad/Name': use lower-case" "bad --ca name" -- cer -C "$r" verification --registration-code "$c1" --ca Bad/Name
run cer -C "$r" verification --registration-code "$c1" --region us-east-1
is "$rc" 0 "--region us-east-1"
has "$out" "regions/us-east-1/verificationCert.crt" "names the region's file"
run cer -C "$r" verification --registration-code "$c2" --region eu-west-1 --account 123456789012
is "$rc" 0 "--region eu-west-1 --account"
run cer -C "$r" verification --registration-code "$c3" --region eu-west-1 --account 210987654321
is "$rc" 0 "a second account in the same region"
for x in "us-east-1 $c1" "eu-west-1-123456789012 $c2" "eu-west-1-210987654321 $c3"; do
	set -- $x
	f=$r/regions/$1/verificationCert.crt
	cn=$(openssl x509 -in "$f" -noout -subject -nameopt multiline | awk -F' = ' '/commonName/ {print $2}')
	is "$cn" "$2" "regions/$1: CN is its own code"
	openssl verify -CAfile "$r/deviceRootCA.pem" "$f" >/dev/null; ok $? "regions/$1: openssl verify"
	is "$(stat -c %a "$r/regions/$1/verificationCert.key")" 600 "regions/$1: key 0600"
done
[ ! -e "$r/verificationCert.crt" ]; ok $? "no top-level verification certificate with --region"
is "$(tail -1 "$r/transcript.log" | jq -r '"\(.args.region) \(.args.account)"')" "eu-west-1 210987654321" "transcript: region and account"
refuses 2 "regions/us-east-1/verificationCert.key exists; use --force" "region already has one" -- cer -C "$r" verification --registration-code "$c2" --region us-east-1
run cer -C "$r" verification --registration-code "$c2" --region us-east-1 --force
is "$rc" 0 "--force replaces a region's certificate"
cn=$(openssl x509 -in "$r/regions/us-east-1/verificationCert.crt" -noout -subject -nameopt multiline | awk -F' = ' '/commonName/ {print $2}')
is "$cn" "$c2" "replaced: the new code"

# --- --ca NAME: signed by the intermediate, verifies with the chain ---
make_intermediate "$r" line-a; ok $? "an intermediate made with openssl"
run cer -C "$r" verification --registration-code "$c1" --ca line-a
is "$rc" 0 "--ca line-a"
has "$out" "signed by     intermediate CA 'line-a'" "says which CA signed"
i=$r/intermediate/line-a
openssl verify -CAfile "$r/deviceRootCA.pem" -untrusted "$i/chain.pem" "$i/verificationCert.crt" >/dev/null
ok $? "--ca: openssl verify -CAfile root -untrusted chain"
openssl verify -CAfile "$r/deviceRootCA.pem" "$i/verificationCert.crt" >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "--ca: does not verify against the root alone"
is "$(openssl x509 -in "$i/verificationCert.crt" -noout -issuer -nameopt oneline)" "issuer=O = Test, CN = Issuing line-a" "issuer is the intermediate"
is "$(tail -1 "$r/transcript.log" | jq -r '"\(.args.ca) \(.inputs|keys[0])"')" "line-a intermediate/line-a/deviceRootCA.pem" "transcript: the CA and its certificate"
run cer -C "$r" verification --registration-code "$c3" --ca line-a --region ap-south-1 --account 123456789012
is "$rc" 0 "--ca with --region and --account"
f=$i/regions/ap-south-1-123456789012/verificationCert.crt
openssl verify -CAfile "$r/deviceRootCA.pem" -untrusted "$i/chain.pem" "$f" >/dev/null; ok $? "intermediate's region certificate verifies"
refuses 2 "intermediate/line-a/verificationCert.key exists; use --force" "--ca: existing outputs" -- cer -C "$r" verification --registration-code "$c1" --ca line-a
done_testing
