#!/bin/bash
# register.sh, unmodified, drives the real AWS CLI against a local stub of
# the RegisterCACertificate endpoint; the recorded request carries our files.
. "$(dirname "$0")/../lib.sh"

# Debian's AWS CLI and Python (awscli, python3), whatever else is on PATH.
SYSPATH=/usr/sbin:/usr/bin:/sbin:/bin
for tool in /usr/bin/aws /usr/bin/python3 jq; do
	command -v "$tool" >/dev/null 2>&1; ok $? "$tool is installed"
done
[ "$_fail" -eq 0 ] || { done_testing; exit 1; }
is "$(PATH=$SYSPATH command -v aws)" /usr/bin/aws "register.sh runs with Debian's /usr/bin/aws"

stub=
trap '[ -n "$stub" ] && kill "$stub" 2>/dev/null; rm -rf "$T"' EXIT
/usr/bin/python3 "$TESTS_DIR/tools/aws_stub.py" "$T/requests" "$T/port" 300 &
stub=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
port=$(cat "$T/port" 2>/dev/null)
like "$port" '^[0-9]+$' "stub endpoint listens on 127.0.0.1"

# Isolated from any AWS configuration of the machine running the tests.
export AWS_CONFIG_FILE=$T/no-aws-config AWS_SHARED_CREDENTIALS_FILE=$T/no-aws-credentials
export AWS_EC2_METADATA_DISABLED=true AWS_PAGER=
unset AWS_PROFILE AWS_DEFAULT_REGION AWS_REGION AWS_SESSION_TOKEN 2>/dev/null

code=$(printf '0123456789ABCDEFabcdef%.0s' 1 2 3)
code=${code:0:64}

nreq() { if [ -f "$T/requests" ]; then wc -l <"$T/requests"; else echo 0; fi; }
# field N KEY: a field of the N-th recorded request, bytes exactly as sent.
# KEY is method, path, auth, or body.NAME (a string, or JSON for objects).
field() {
	/usr/bin/python3 - "$T/requests" "$1" "$2" <<'EOF'
import json, sys
req = json.loads(open(sys.argv[1]).read().splitlines()[int(sys.argv[2]) - 1])
key = sys.argv[3]
if key.startswith("body."):
    body = json.loads(req["body"])
    name = key[5:]
    if name not in body:
        sys.stdout.write("<absent>")
        sys.exit(0)
    v = body[name]
else:
    v = req[key]
sys.stdout.write(v if isinstance(v, str) else json.dumps(v, sort_keys=True))
EOF
}
# query N: the N-th request's path and sorted query, e.g. /a?x=1&y=2
query() {
	/usr/bin/python3 - "$T/requests" "$1" <<'EOF'
import json, sys, urllib.parse
req = json.loads(open(sys.argv[1]).read().splitlines()[int(sys.argv[2]) - 1])
u = urllib.parse.urlsplit(req["path"])
q = sorted(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
print(u.path + "?" + urllib.parse.urlencode(q))
EOF
}
# register_sh DIR ARGS...: DIR/register.sh against the stub, with Debian's
# aws first on PATH; register DIR ARGS...: the same, through run
register_sh() {
	local dir=$1; shift
	env PATH="$SYSPATH" AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y timeout 60 \
		"$dir/register.sh" --endpoint-url "http://127.0.0.1:$port" "$@"
}
register() { run register_sh "$@"; }
json_sorted() { jq -S . "$1"; }

# --- default mode ---------------------------------------------------------
d=$T/d
run cer -C "$d" root --no-passphrase
is "$rc" 0 "root"
run cer -C "$d" verification --registration-code "$code"
is "$rc" 0 "verification"
run cer -C "$d" template --region us-east-2 --account 123456789012
is "$rc" 0 "template"

jq -e . "$d/jitp_template.json" >/dev/null; ok $? "jitp_template.json parses with jq"
jq -e '.templateBody | fromjson' "$d/jitp_template.json" >/dev/null
ok $? "templateBody parses as JSON"
pd=$(jq -r '.templateBody | fromjson | .Resources[]
	| select(.Type == "AWS::IoT::Policy") | .Properties.PolicyDocument' \
	"$d/jitp_template.json")
printf '%s' "$pd" | jq -e '.Statement | length == 3' >/dev/null
ok $? "its PolicyDocument parses as JSON with three statements"
is "$(jq -r .roleArn "$d/jitp_template.json")" \
	"arn:aws:iam::123456789012:role/JITPRole" "roleArn names the account and role"
[ -x "$d/register.sh" ]; ok $? "register.sh is executable"

before=$(snapshot "$d")
cd "$T" # register.sh works from any directory
register "$d"
is "$rc" 0 "register.sh succeeds against the stub"
like "$out" '"certificateArn": "arn:aws:iot:us-east-2:123456789012:cacert/[0-9a-f]{64}"' \
	"register.sh prints the AWS CLI's answer"
is "$(nreq)" 1 "exactly one request"
is "$(field 1 method)" POST "method POST"
is "$(query 1)" "/cacertificate?allowAutoRegistration=true&setAsActive=true" \
	"path /cacertificate, setAsActive=true and allowAutoRegistration=true"
like "$(field 1 auth)" "Credential=x/[0-9]{8}/us-east-2/(iot|execute-api)/aws4_request" \
	"signed for region us-east-2 with the given key id"
field 1 body.caCertificate >"$T/ca.sent"
cmp -s "$T/ca.sent" "$d/deviceRootCA.pem"; ok $? "caCertificate is deviceRootCA.pem byte for byte"
field 1 body.verificationCertificate >"$T/ver.sent"
cmp -s "$T/ver.sent" "$d/verificationCert.crt"
ok $? "verificationCertificate is verificationCert.crt byte for byte"
field 1 body.registrationConfig >"$T/cfg.sent"
is "$(jq -S . "$T/cfg.sent")" "$(json_sorted "$d/jitp_template.json")" \
	"registrationConfig equals jitp_template.json (as JSON)"
is "$(jq -r .templateBody "$T/cfg.sent")" "$(jq -r .templateBody "$d/jitp_template.json")" \
	"templateBody string sent unchanged"
is "$(field 1 body.certificateMode)" "<absent>" "no certificateMode in default mode"
is "$(snapshot "$d")" "$before" "register.sh changes no file"

# --- a changed file: refused, no request ----------------------------------
refused() { # refused FILE NAME: register.sh refuses FILE with a byte added
	local f=$1 n0
	cp "$d/$f" "$T/saved"
	printf ' ' >>"$d/$f"
	n0=$(nreq)
	refuses 1 "register.sh: $f is not the file the ceremony made" "$2" -- register_sh "$d"
	is "$(nreq)" "$n0" "$2: no request made"
	cp "$T/saved" "$d/$f"
}
refused deviceRootCA.pem "modified deviceRootCA.pem"
refused verificationCert.crt "modified verificationCert.crt"
refused jitp_template.json "modified jitp_template.json"
# one flipped byte inside the certificate body
cp "$d/deviceRootCA.pem" "$T/saved"
sed -i '2s/^M/N/' "$d/deviceRootCA.pem"
! cmp -s "$T/saved" "$d/deviceRootCA.pem"; ok $? "one byte of deviceRootCA.pem edited"
refuses 1 "deviceRootCA.pem" "edited byte in deviceRootCA.pem" -- register_sh "$d"
is "$(nreq)" 1 "edited byte: no request made"
cp "$T/saved" "$d/deviceRootCA.pem"
rm "$d/verificationCert.crt"
register "$d"
[ "$rc" -ne 0 ]; ok $? "missing verificationCert.crt: fails"
is "$(nreq)" 1 "missing verificationCert.crt: no request made"

# --- SNI_ONLY -------------------------------------------------------------
s=$T/s
run cer -C "$s" root --no-passphrase --key ec-p256
is "$rc" 0 "root (ec-p256) for sni-only"
run cer -C "$s" template --region eu-west-1 --account 210987654321 --mode sni-only --policy admin
is "$rc" 0 "template --mode sni-only needs no verification certificate"
grep -q -- '--certificate-mode SNI_ONLY' "$s/register.sh"; ok $? "register.sh passes --certificate-mode SNI_ONLY"
! grep -q -- '--verification-cert' "$s/register.sh"; ok $? "register.sh has no --verification-cert"
register "$s"
is "$rc" 0 "sni-only register.sh succeeds against the stub"
is "$(nreq)" 2 "one more request"
is "$(field 2 method)" POST "sni-only: POST"
is "$(query 2)" "/cacertificate?allowAutoRegistration=true&setAsActive=true" "sni-only: same path and query"
like "$(field 2 auth)" "/eu-west-1/" "sni-only: region eu-west-1"
is "$(field 2 body.certificateMode)" SNI_ONLY "certificateMode SNI_ONLY"
is "$(field 2 body.verificationCertificate)" "<absent>" "no verificationCertificate"
field 2 body.caCertificate >"$T/ca2.sent"
cmp -s "$T/ca2.sent" "$s/deviceRootCA.pem"; ok $? "sni-only: caCertificate byte for byte"
field 2 body.registrationConfig >"$T/cfg2.sent"
is "$(jq -S . "$T/cfg2.sent")" "$(json_sorted "$s/jitp_template.json")" \
	"sni-only: registrationConfig equals jitp_template.json"
jq -r .templateBody "$s/jitp_template.json" | jq -e '.Resources.policy.Properties.PolicyDocument
	| fromjson | .Statement[0].Action == "iot:*"' >/dev/null
ok $? "admin policy is iot:* in the sent template"

# --- named template -------------------------------------------------------
run cer -C "$s" template --region eu-west-1 --mode sni-only --template-name My_JITP-1 --force
is "$rc" 0 "template --template-name"
register "$s"
is "$rc" 0 "named-template register.sh succeeds against the stub"
field 3 body.registrationConfig >"$T/cfg3.sent"
is "$(jq -cS . "$T/cfg3.sent")" '{"templateName":"My_JITP-1"}' "registrationConfig names the template"
is "$(jq -cS . "$T/cfg3.sent")" "$(jq -cS . "$s/jitp_template.json")" "and equals jitp_template.json"

done_testing
