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
done_testing
