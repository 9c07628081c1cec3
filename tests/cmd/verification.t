#!/bin/bash
# ceremony verification: the registration code and the certificate.
. "$(dirname "$0")/../lib.sh"

d=$T/c
code=$(openssl rand -hex 32 | tr a-f A-F | sed 's/^\(.\{10\}\)/\L\1/')
cer -C "$d" root --no-passphrase --key ec-p256 >/dev/null 2>&1
before=$(snapshot "$d")

bad() { # bad NAME REGEX ARGS...
	local name=$1 re=$2; shift 2
	run cer -C "$d" verification "$@"
	is "$rc" 2 "$name: exit 2"
	like "$err" "$re" "$name: message"
	is "$(snapshot "$d")" "$before" "$name: nothing written"
}
shape="expected exactly 64 hex characters"
bad "63 chars" "got 63 characters; $shape" --registration-code "${code:0:63}"
bad "65 chars" "got 65 characters; $shape" --registration-code "${code}a"
bad "non-hex" "got 64 characters, not all hex; $shape" --registration-code "${code:0:63}g"
bad "inner whitespace" "$shape" --registration-code "${code:0:32} ${code:32:31}"
bad "empty" "got 0 characters; $shape" --registration-code ""
bad "missing" "--registration-code CODE is required"
bad "days 0" "--days" --registration-code "$code" --days 0
bad "unknown key" "unknown key type" --registration-code "$code" --key dsa
bad "days beyond CA" "--days 4000: the certificate would outlive the CA.*smaller --days" --registration-code "$code" --days 4000

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

before=$(snapshot "$d")
bad "existing outputs" "verificationCert.key exists; use --force" --registration-code "$code"

# CA key protected: wrong passphrase, and a key that does not match
printf 'right\n' >"$T/pw"; printf 'wrong\n' >"$T/bad"
cer -C "$T/p" root --key ec-p256 --passphrase-file "$T/pw" >/dev/null 2>&1
run cer -C "$T/p" verification --registration-code "$code" --passphrase-file "$T/bad"
is "$rc" 2 "wrong CA passphrase: exit 2"
like "$err" "deviceRootCA.key: wrong passphrase" "wrong CA passphrase: message names the key"
[ ! -e "$T/p/verificationCert.crt" ]; ok $? "wrong passphrase: nothing written"
run cer -C "$T/p" verification --registration-code "$code" --passphrase-file "$T/pw"
is "$rc" 0 "right CA passphrase works"
cp "$d/deviceRootCA.key" "$T/p/deviceRootCA.key"
run cer -C "$T/p" verification --registration-code "$code" --force
is "$rc" 1 "CA key not matching the CA cert: exit 1"
like "$err" "deviceRootCA.key: does not match deviceRootCA.pem" "mismatch: message"
run cer -C "$T/none" verification --registration-code "$code"
is "$rc" 2 "no ceremony dir: exit 2"
done_testing
