#!/bin/bash
# Several regions and accounts, and an intermediate CA: the register
# scripts, unmodified from the imported bundle, drive the real AWS CLI
# against the local stub; one request per registration, each signed for
# its own region and carrying that region's files.
. "$(dirname "$0")/../lib.sh"

SYSPATH=/usr/sbin:/usr/bin:/sbin:/bin
for tool in /usr/bin/aws /usr/bin/python3 jq; do
	command -v "$tool" >/dev/null 2>&1; ok $? "$tool is installed"
done
[ "$_fail" -eq 0 ] || { done_testing; exit 1; }

stub=
trap '[ -n "$stub" ] && kill "$stub" 2>/dev/null; rm -rf "$T"' EXIT
/usr/bin/python3 "$TESTS_DIR/tools/aws_stub.py" "$T/requests" "$T/port" 300 &
stub=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
port=$(cat "$T/port" 2>/dev/null)
like "$port" '^[0-9]+$' "stub endpoint listens on 127.0.0.1"

# Isolated from any AWS configuration of the machine running the tests:
# a credentials file of our own, a default profile and one for account B.
printf '[default]\naws_access_key_id = x\naws_secret_access_key = y\n[acct-b]\naws_access_key_id = kb\naws_secret_access_key = sb\n' >"$T/credentials"
export AWS_CONFIG_FILE=$T/no-aws-config AWS_SHARED_CREDENTIALS_FILE=$T/credentials
export AWS_EC2_METADATA_DISABLED=true AWS_PAGER=
unset AWS_PROFILE AWS_DEFAULT_REGION AWS_REGION AWS_SESSION_TOKEN AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY 2>/dev/null

A=123456789012 B=210987654321
nreq() { if [ -f "$T/requests" ]; then wc -l <"$T/requests"; else echo 0; fi; }
# field N KEY: a field of the N-th recorded request, bytes exactly as sent
# (KEY: method, region, key, or body.NAME).
field() {
	/usr/bin/python3 - "$T/requests" "$1" "$2" <<'PY'
import json, sys
req = json.loads(open(sys.argv[1]).read().splitlines()[int(sys.argv[2]) - 1])
key = sys.argv[3]
if key.startswith("body."):
    body = json.loads(req["body"])
    v = body.get(key[5:], "<absent>")
else:
    v = req[key]
sys.stdout.write(v if isinstance(v, str) else json.dumps(v, sort_keys=True))
PY
}
# online SCRIPT ARGS...: a script of the unpacked bundle against the stub
online() {
	local s=$1; shift
	run env PATH="$SYSPATH" timeout 120 sh "$s" --endpoint-url "http://127.0.0.1:$port" "$@"
}
# sent N DIR REGION: request N went to REGION with DIR's files (DIR
# relative to the unpacked CA folder $u)
sent() {
	local n=$1 dir=$2 region=$3 what=$4
	is "$(field "$n" region)" "$region" "$what: signed for $region"
	field "$n" body.caCertificate >"$T/ca.sent"
	cmp -s "$T/ca.sent" "$u/deviceRootCA.pem"; ok $? "$what: the CA certificate byte for byte"
	if [ -f "$u/$dir/verificationCert.crt" ]; then
		field "$n" body.verificationCertificate >"$T/ver.sent"
		cmp -s "$T/ver.sent" "$u/$dir/verificationCert.crt"; ok $? "$what: its own verification certificate"
	fi
	field "$n" body.registrationConfig >"$T/cfg.sent"
	is "$(jq -S . "$T/cfg.sent")" "$(jq -S . "$u/$dir/jitp_template.json")" "$what: its own template"
}

# --- the root in two regions of account A and one of account B ------------
d=$T/d
cer -C "$d" root --no-passphrase >/dev/null 2>&1
i=0
for r in "us-east-1 $A" "eu-west-1 $A" "ap-northeast-1 $B"; do
	set -- $r
	i=$((i + 1))
	run cer -C "$d" verification --registration-code "$(printf '%064x' "$i")" --region "$1" --account "$2"
	is "$rc" 0 "verification for $1 account $2"
done
run cer -C "$d" template --region us-east-1,eu-west-1 --account $A --region ap-northeast-1:$B
is "$rc" 0 "template: three registrations"
is "$(grep -v '^#' "$d/regions.txt" | tr '\n' ';')" \
	"ap-northeast-1 $B DEFAULT;eu-west-1 $A DEFAULT;us-east-1 $A DEFAULT;" "regions.txt"

# Intermediate CA line-a: SNI_ONLY in us-east-2 for both accounts; line-b:
# DEFAULT in one region, at the top of its folder.
make_intermediate "$d" line-a; ok $? "intermediate line-a (openssl)"
make_intermediate "$d" line-b; ok $? "intermediate line-b (openssl)"
run cer -C "$d" template --ca line-a --mode sni-only --region us-east-2 --account $A --account $B
is "$rc" 0 "template --ca line-a, sni-only, two accounts"
run cer -C "$d" verification --registration-code "$(printf '%064x' 9)" --ca line-b
is "$rc" 0 "verification --ca line-b"
run cer -C "$d" template --ca line-b --region eu-central-1 --account $B
is "$rc" 0 "template --ca line-b"

SOURCE_DATE_EPOCH=1700000000 run cer -C "$d" bundle --name regions --format tar
is "$rc" 0 "bundle"
cd "$T" || exit 2
run cer import "$d/bundle/regions.tar.gz" --pubkey-file "$d/ceremony.pub" --out "$T/online"
is "$rc" 0 "import"
has "$out" "cd $T/online && sh register-all.sh" "import: run register-all.sh"
has "$out" "cd $T/online && sh intermediate/line-a/register-all.sh" "import: line-a's register-all.sh"
has "$out" "cd $T/online && sh intermediate/line-b/register.sh" "import: line-b's register.sh"
like "$out" "ap-northeast-1 +$B +DEFAULT +root CA" "import: lists the root's registrations"
like "$out" "us-east-2 +$B +SNI_ONLY +intermediate CA 'line-a'" "import: lists line-a's"
o=$T/online
u=$o

# --- register-all.sh: one request per region, in regions.txt order --------
n0=$(nreq)
run env PATH="$SYSPATH" PROFILE_$B=acct-b timeout 120 sh "$o/register-all.sh" --endpoint-url "http://127.0.0.1:$port"
is "$rc" 0 "register-all.sh succeeds against the stub"
is "$(($(nreq) - n0))" 3 "three requests, one per registration"
like "$(tr '\n' ' ' <<<"$err")" "registering in ap-northeast-1.*registering in eu-west-1.*registering in us-east-1.*all 3 registrations done" "names each region as it goes"
sent 1 regions/ap-northeast-1-$B ap-northeast-1 "ap-northeast-1"
sent 2 regions/eu-west-1-$A eu-west-1 "eu-west-1"
sent 3 regions/us-east-1-$A us-east-1 "us-east-1"
is "$(field 1 key) $(field 2 key) $(field 3 key)" "kb x x" "PROFILE_<account> picks account B's credentials"
for n in 1 2 3; do
	is "$(field $n method) $(field $n body.certificateMode)" "POST <absent>" "request $n: DEFAULT mode"
done
! cmp -s "$o/regions/eu-west-1-$A/jitp_template.json" "$o/regions/us-east-1-$A/jitp_template.json"
ok $? "the regions' templates differ (each policy names its region)"
jq -r .templateBody "$o/regions/ap-northeast-1-$B/jitp_template.json" | jq -r .Resources.policy.Properties.PolicyDocument |
	jq -e ".Statement[0].Resource[0] | startswith(\"arn:aws:iot:ap-northeast-1:$B:\")" >/dev/null
ok $? "account B's policy names ap-northeast-1 and account B"

# --- a failing region stops the run and is named ---------------------------
echo eu-west-1 >"$T/requests.fail"
n0=$(nreq)
online "$o/register-all.sh"
[ "$rc" -ne 0 ]; ok $? "register-all.sh fails when a region fails"
like "$err" "registration in region eu-west-1 failed \(regions/eu-west-1-$A/register.sh\)" "names the failed region"
is "$(($(nreq) - n0))" 2 "stopped there: no request after the failed region"
is "$(field $((n0 + 1)) region) $(field $((n0 + 2)) region)" "ap-northeast-1 eu-west-1" "the region before it, then it"
rm "$T/requests.fail"

# --- a changed region script: refused before any request ------------------
cp "$o/regions/us-east-1-$A/register.sh" "$T/saved"
printf '\n' >>"$o/regions/us-east-1-$A/register.sh"
n0=$(nreq)
refuses 1 "register-all.sh: regions/us-east-1-$A/register.sh is not the file the ceremony made" "changed region script" -- \
	env PATH="$SYSPATH" sh "$o/register-all.sh" --endpoint-url "http://127.0.0.1:$port"
is "$(nreq)" "$n0" "changed region script: no request made"
cp "$T/saved" "$o/regions/us-east-1-$A/register.sh"

# --- intermediates: the issuing CA's certificate is sent, not the root ----
u=$o/intermediate/line-a
n0=$(nreq)
online "$u/register-all.sh"
is "$rc" 0 "line-a's register-all.sh succeeds"
is "$(($(nreq) - n0))" 2 "line-a: one request per account"
for k in 1 2; do
	n=$((n0 + k))
	is "$(field $n region) $(field $n body.certificateMode) $(field $n body.verificationCertificate)" \
		"us-east-2 SNI_ONLY <absent>" "line-a request $k: us-east-2, SNI_ONLY, no verification certificate"
	field $n body.caCertificate >"$T/ca.sent"
	cmp -s "$T/ca.sent" "$u/deviceRootCA.pem"; ok $? "line-a request $k: the intermediate's certificate"
	! cmp -s "$T/ca.sent" "$o/deviceRootCA.pem"; ok $? "line-a request $k: not the root's"
done
is "$(field $((n0 + 1)) key) $(field $((n0 + 2)) key)" "x x" "no PROFILE_ set: default credentials"
u=$o/intermediate/line-b
grep -q "registers the issuing CA 'line-b'" "$u/register.sh"; ok $? "line-b's register.sh says it registers the issuing CA"
n0=$(nreq)
online "$u/register.sh"
is "$rc" 0 "line-b's register.sh succeeds"
sent $((n0 + 1)) . eu-central-1 "line-b"
openssl verify -CAfile "$o/deviceRootCA.pem" -untrusted "$u/chain.pem" "$u/verificationCert.crt" >/dev/null
ok $? "line-b's verification certificate verifies with the chain"
cmp -s "$u/deviceRootCA.pem" "$d/intermediate/line-b/deviceRootCA.pem"; ok $? "line-b's certificate as made"
done_testing
