#!/bin/bash
# ceremony preview: what JITP will create for a device cert or CSR.
. "$(dirname "$0")/../lib.sh"

d=$T/c
cer -C "$d" root --no-passphrase --key ec-p256 >/dev/null 2>&1 &&
	cer -C "$d" template --region us-east-2 --account 123456789012 \
		--mode sni-only >/dev/null 2>&1
ok $? "ceremony dir with a scoped template"
mk() { # mk NAME SUBJECT: key and CSR in $T
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj "$2" -keyout "$T/$1.key" -out "$T/$1.csr" 2>/dev/null
}
mk dev1 "/C=US/O=Acme/CN=dev1"
cer -C "$d" sign -q --out "$T/iss" "$T/dev1.csr" >/dev/null 2>&1
ok $? "dev1 signed"

run cer -C "$d" preview "$T/iss/dev1.crt"
is "$rc" 0 "certificate: exit 0"
like "$out" "^certificate $T/iss/dev1.crt" "names the input"
like "$out" "ThingName +dev1" "thing name from the CN"
like "$out" "country +US" "country attribute from C"
like "$out" "version +v1" "version attribute"
like "$out" "Status +ACTIVE" "certificate ACTIVE"
like "$out" "\"arn:aws:iot:us-east-2:123456789012:client/dev1\"" "policy: connect as client/dev1"
like "$out" "topic/dev1/\*" "policy: topics under dev1/"
! grep -q 'ThingName}' <<<"$out"; ok $? "no policy variable left unfilled"

run cer -C "$d" preview --json "$T/iss/dev1.crt"
is "$rc" 0 "--json: exit 0"
is "$(jq -r .thing.Properties.ThingName <<<"$out")" dev1 "--json: ThingName"
is "$(jq -r .thing.Properties.AttributePayload.country <<<"$out")" US "--json: country"
is "$(jq -r .policy.Properties.PolicyDocument <<<"$out" | jq -r '.Statement[0].Resource[0]')" \
	"arn:aws:iot:us-east-2:123456789012:client/dev1" "--json: policy document filled"

run cer -C "$d" preview "$T/dev1.csr"
is "$rc" 0 "the CSR previews the same"
like "$out" "^CSR $T/dev1.csr" "... as a CSR"
like "$out" "ThingName +dev1" "... with its thing name"

mk nocountry "/O=Acme/CN=nocountry"
run cer -C "$d" preview "$T/nocountry.csr"
is "$rc" 1 "no Country: exit 1"
like "$err" "JITP would fail: the subject lacks AWS::IoT::Certificate::Country" "no Country: names the parameter"

mk space "/C=US/CN=bad name"
run cer -C "$d" preview "$T/space.csr"
is "$rc" 1 "CN with a space: exit 1"
like "$err" "CommonName 'bad name' is not a valid thing name" "CN with a space: message"

# a device cert made the how-to's way, without Country
openssl x509 -req -in "$T/nocountry.csr" -CA "$d/deviceRootCA.pem" -CAkey "$d/deviceRootCA.key" \
	-CAcreateserial -days 30 -sha256 -out "$T/howto.crt" 2>/dev/null
run cer -C "$d" preview "$T/howto.crt"
is "$rc" 1 "how-to cert without Country: exit 1"
like "$err" "lacks AWS::IoT::Certificate::Country" "how-to cert: message"

# an RSA-1024 CSR is previewed but 'sign' would refuse it
openssl req -new -newkey rsa:1024 -nodes -subj "/C=US/CN=weak" -keyout "$T/weak.key" -out "$T/weak.csr" 2>/dev/null
run cer -C "$d" preview "$T/weak.csr"
is "$rc" 2 "RSA-1024 CSR: exit 2 (the CSR itself is refused)"
like "$err" "RSA key of 1024 bits" "RSA-1024 CSR: message"

mk ok2 "/C=US/CN=ok2/L=Somewhere"
run cer -C "$d" preview "$T/ok2.csr"
is "$rc" 0 "extra subject attributes are fine"

# other templates
d2=$T/admin
cer -C "$d2" root --no-passphrase --key ec-p256 >/dev/null 2>&1 &&
	cer -C "$d2" template --region us-east-2 --account 123456789012 \
		--mode sni-only --policy admin >/dev/null 2>&1
run cer -C "$T" preview --template "$d2/jitp_template.json" "$T/iss/dev1.crt"
is "$rc" 0 "--template: another template"
like "$out" "\"iot:\*\"" "admin policy shown"
d3=$T/named
cer -C "$d3" root --no-passphrase --key ec-p256 >/dev/null 2>&1 &&
	cer -C "$d3" template --region us-east-2 --account 123456789012 \
		--mode sni-only --template-name MyTemplate >/dev/null 2>&1
run cer -C "$d3" preview "$T/iss/dev1.crt"
is "$rc" 2 "named template: exit 2"
like "$err" "named template 'MyTemplate'.*cannot be previewed offline" "named template: message"

# subject text is quoted: no escape sequence reaches the terminal
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -utf8 \
	-subj "/C=US/CN=ok$(printf '\r\033[2K')Verified" -keyout "$T/esc.key" -out "$T/esc.csr" 2>/dev/null
openssl x509 -req -in "$T/esc.csr" -CA "$d/deviceRootCA.pem" -CAkey "$d/deviceRootCA.key" \
	-CAcreateserial -days 30 -sha256 -out "$T/esc.crt" 2>/dev/null
run cer -C "$d" preview "$T/esc.crt"
is "$rc" 1 "CN with CR and ESC[2K: exit 1"
has "$err" "CommonName 'ok\\x0d\\x1b[2KVerified' is not a valid thing name" "CN quoted in the message"
case $out$err in *$'\e'*|*$'\r'*) fail "no ESC or CR printed" ;; *) pass "no ESC or CR printed" ;; esac
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -utf8 \
	-subj "/C=US/O=Acme$(printf '\xc2\x9b')2J/CN=c1" -keyout "$T/c1.key" -out "$T/c1.csr" 2>/dev/null
run cer -C "$d" preview "$T/c1.csr"
is "$rc" 1 "CSR with U+009B in O: exit 1"
like "$err" "'ceremony sign' would reject this CSR: subject O holds the control character U\+009B" \
	"CSR with U+009B: sign's reason"
case $out$err in *$'\xc2\x9b'*) fail "U+009B not printed" ;; *) pass "U+009B not printed" ;; esac
ln -s dev1.csr "$T/link.csr"
run cer -C "$d" preview "$T/link.csr"
is "$rc" 0 "a CSR named through a link previews (read once, as given)"

# usage and I/O
run cer -C "$d" preview
is "$rc" 2 "no argument: exit 2"
like "$err" "give one device certificate or CSR" "no argument: message"
run cer -C "$d" preview "$T/nope.crt"
is "$rc" 2 "missing file: exit 2"
like "$err" "nope.crt: cannot open" "missing file: message"
head -c 500 /dev/urandom >"$T/junk"
run cer -C "$d" preview "$T/junk"
is "$rc" 2 "junk: exit 2"
like "$err" "junk: (no CSR found|not a certificate signing request)" "junk: message"
run cer -C "$d" preview --template "$T/nope.json" "$T/iss/dev1.crt"
is "$rc" 2 "missing template: exit 2"
run cer -C "$d" preview --help
is "$rc" 0 "--help: exit 0"
like "$out" "AWS::IoT::Certificate" "--help explains the parameters"

done_testing
