#!/bin/bash
# ceremony root: outputs, options, and every refused input.
. "$(dirname "$0")/../lib.sh"

d=$T/c
run cer -C "$d" root --no-passphrase --key ec-p256
is "$rc" 0 "root --no-passphrase succeeds"
for f in deviceRootCA.key deviceRootCA.pem ceremony.key ceremony.pub transcript.log; do
	[ -f "$d/$f" ]; ok $? "writes $f"
done
is "$(stat -c %a "$d/deviceRootCA.key")" 600 "CA key is 0600"
is "$(stat -c %a "$d/ceremony.key")" 600 "signing key is 0600"
like "$out" "SHA-256 +([0-9A-F]{2}:){31}[0-9A-F]{2}" "prints the CA fingerprint"
fp=$(openssl x509 -in "$d/deviceRootCA.pem" -noout -fingerprint -sha256 | cut -d= -f2)
like "$out" "$fp" "printed fingerprint is the certificate's"
has "$out" "public key    $(tail -1 "$d/ceremony.pub")" "prints the signing public key"
like "$err" "unencrypted" "--no-passphrase says the keys are unencrypted"
grep -q "BEGIN PRIVATE KEY" "$d/deviceRootCA.key"; ok $? "plain PEM key with --no-passphrase"

# refuses to overwrite
before=$(snapshot "$d")
refuses 2 "deviceRootCA.key exists; use --force" "existing outputs" -- \
	cer -C "$d" root --no-passphrase
run cer -C "$d" root --no-passphrase --force
is "$rc" 0 "--force replaces"
[ "$(snapshot "$d")" != "$before" ]; ok $? "--force wrote new outputs"

# passphrase-protected keys
printf 'correct horse\n' >"$T/pw"
run cer -C "$T/p" root --key ec-p256 --passphrase-file "$T/pw"
is "$rc" 0 "root --passphrase-file succeeds"
grep -q "BEGIN ENCRYPTED PRIVATE KEY" "$T/p/deviceRootCA.key"; ok $? "key is encrypted PKCS#8"
openssl asn1parse -in "$T/p/deviceRootCA.key" | grep -q ":scrypt"; ok $? "key encryption uses scrypt"
openssl pkey -in "$T/p/deviceRootCA.key" -passin file:"$T/pw" -noout 2>/dev/null; ok $? "openssl decrypts it with the passphrase"
run cer -C "$T/fd" root --key ec-p256 --passphrase-fd 3 3<"$T/pw"
is "$rc" 0 "root --passphrase-fd succeeds"
openssl pkey -in "$T/fd/deviceRootCA.key" -passin file:"$T/pw" -noout 2>/dev/null; ok $? "fd passphrase protects the key"

# no passphrase source and no terminal
run setsid -w "$CEREMONY" -C "$T/nt" root --key ec-p256 </dev/null
is "$rc" 2 "no TTY and no passphrase option: exit 2"
like "$err" "--passphrase-file F or --passphrase-fd N" "no TTY: says which flag to use"
[ ! -e "$T/nt/deviceRootCA.key" ]; ok $? "no TTY: no key written"
: >"$T/empty"
run cer -C "$T/e" root --key ec-p256 --passphrase-file "$T/empty"
is "$rc" 2 "empty passphrase: exit 2"
like "$err" "empty CA key passphrase refused" "empty passphrase: message"

# bad inputs: message, exit 2, nothing written
mkdir "$T/b"

# passphrase rules: no NUL byte (it would cut the passphrase short), and a
# new one has at least 12 characters; reading an existing key has no
# minimum
printf 'ab\0LongSecret123\n' >"$T/nul"
refuses 2 "$T/nul: the passphrase contains a NUL byte; refused" "NUL in a passphrase file" -- \
	cer -C "$T/b" root --key ec-p256 --passphrase-file "$T/nul"
refuses 2 "passphrase fd 3: the passphrase contains a NUL byte; refused" "NUL on a passphrase fd" -- \
	cer -C "$T/b" root --key ec-p256 --passphrase-fd 3 3<"$T/nul"
printf 'elevenchars\n' >"$T/short"
refuses 2 "$T/short: the new CA key passphrase has 11 characters; a new passphrase needs at least 12" \
	"11-character passphrase" -- cer -C "$T/b" root --key ec-p256 --passphrase-file "$T/short"
printf '\xc3\xa9%.0s' 1 2 3 4 5 6 7 8 9 10 11 >"$T/accents"
refuses 2 "the new CA key passphrase has 11 characters" "11 characters in 22 bytes: counted as characters" -- \
	cer -C "$T/b" root --key ec-p256 --passphrase-fd 3 3<"$T/accents"
printf 'twelve chars\n' >"$T/twelve"
run cer -C "$T/t12" root --key ec-p256 --passphrase-file "$T/twelve"
is "$rc" 0 "a 12-character passphrase is enough"
run cer root --help
like "$out" "at least 12" "--help states the minimum"
# an existing key under a short passphrase still opens
openssl pkcs8 -topk8 -scrypt -in "$T/t12/deviceRootCA.key" -passin file:"$T/twelve" \
	-passout pass:short -out "$T/t12/short.key" 2>/dev/null &&
	mv "$T/t12/short.key" "$T/t12/deviceRootCA.key"
printf 'short\n' >"$T/shortpw"
run cer -C "$T/t12" verification --registration-code "$(openssl rand -hex 32)" --passphrase-file "$T/shortpw"
is "$rc" 0 "a key under a 5-character passphrase still opens"
rm -rf "$T/t12"
refuses 2 "unknown key type 'rsa1024'.*under 2048" "rsa1024" -- cer -C "$T/b" root --no-passphrase --key rsa1024
refuses 2 "unknown key type 'ec-p521'" "unknown curve" -- cer -C "$T/b" root --no-passphrase --key ec-p521
refuses 2 "--days: '0' is not a number of days" "days 0" -- cer -C "$T/b" root --no-passphrase --days 0
refuses 2 "--days: '-5'" "negative days" -- cer -C "$T/b" root --no-passphrase --days -5
refuses 2 "--days: '10x'" "days not a number" -- cer -C "$T/b" root --no-passphrase --days 10x
refuses 2 "must start with '/'" "subject without /" -- cer -C "$T/b" root --no-passphrase --subject "CN=x"
refuses 2 "field 2 \('CN'\) has no '='" "subject field without =" -- cer -C "$T/b" root --no-passphrase --subject "/C=IN/CN"
refuses 2 "unknown attribute type 'XX'" "unknown attribute" -- cer -C "$T/b" root --no-passphrase --subject "/XX=1"
refuses 2 "field 1: CN is empty" "empty value" -- cer -C "$T/b" root --no-passphrase --subject "/CN="
refuses 2 "bad value for C: 'India'.*two letters" "bad country" -- cer -C "$T/b" root --no-passphrase --subject "/C=India/CN=x"
refuses 2 "unrecognized option|usage" "unknown option" -- cer -C "$T/b" root --no-passphrase --frobnicate
refuses 2 "unexpected argument 'x'" "extra argument" -- cer -C "$T/b" root --no-passphrase x

# subject with an escaped slash
run cer -C "$T/s" root --no-passphrase --key ec-p256 --subject '/C=DE/O=A\/B/CN=Root 1'
is "$rc" 0 "escaped / in subject"
like "$(openssl x509 -in "$T/s/deviceRootCA.pem" -noout -subject)" "O = A/B" "escaped / kept in O"

# usage
run cer root --help
is "$rc" 0 "root --help exits 0"
like "$out" "ec-p384" "root --help lists key types"
run cer
is "$rc" 2 "no command: exit 2"
run cer frob
is "$rc" 2 "unknown command: exit 2"
like "$err" "unknown command 'frob'" "unknown command: message"
run cer --version
like "$out" "^ceremony [0-9]" "--version"
done_testing
