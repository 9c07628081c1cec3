#!/bin/bash
# ceremony template: the three policy variants, modes, and refused inputs.
. "$(dirname "$0")/../lib.sh"

d=$T/c
code=$(openssl rand -hex 32)
cer -C "$d" root --no-passphrase --key ec-p256 >/dev/null 2>&1
cer -C "$d" verification --registration-code "$code" >/dev/null 2>&1
refuses 2 "--region: required" "no region" -- cer -C "$d" template --account 123456789012
refuses 2 "'US_EAST' is not a region name" "bad region" -- cer -C "$d" template --region US_EAST --account 123456789012
refuses 2 "'us-east' is not a region name" "region without number" -- cer -C "$d" template --region us-east --account 123456789012
refuses 2 "'12345678901' is not a 12-digit" "11-digit account" -- cer -C "$d" template --region us-east-2 --account 12345678901
refuses 2 "'12345678901a' is not a 12-digit" "account with letters" -- cer -C "$d" template --region us-east-2 --account 12345678901a
refuses 2 "give --account ID" "no account" -- cer -C "$d" template --region us-east-2
refuses 2 "--role: 'a b' is not an IAM role name" "bad role" -- cer -C "$d" template --region us-east-2 --account 123456789012 --role "a b"
refuses 2 "--policy: 'everything' is not scoped, admin" "bad policy" -- cer -C "$d" template --region us-east-2 --account 123456789012 --policy everything
refuses 2 "--policy: 'name:' is not" "bad policy name" -- cer -C "$d" template --region us-east-2 --account 123456789012 --policy name:
refuses 2 "--mode: 'sni' is not default or sni-only" "bad mode" -- cer -C "$d" template --region us-east-2 --account 123456789012 --mode sni
refuses 2 "--template-name: 'a.b' is not 1-36" "bad template name" -- cer -C "$d" template --region us-east-2 --template-name a.b
refuses 2 "roleArn 'arn:aws:iam::1:role/x' is not" "bad role arn" -- cer -C "$d" template --region us-east-2 --role-arn arn:aws:iam::1:role/x

run cer -C "$d" template --region us-east-2 --account 123456789012
is "$rc" 0 "scoped template"
j=$d/jitp_template.json
jq -e . "$j" >/dev/null; ok $? "jitp_template.json parses with jq"
is "$(jq -r 'keys|join(",")' "$j")" "roleArn,templateBody" "how-to shape: templateBody and roleArn"
is "$(jq -r .roleArn "$j")" "arn:aws:iam::123456789012:role/JITPRole" "roleArn from account and default role"
body=$(jq -r .templateBody "$j")
printf '%s' "$body" | jq -e . >/dev/null; ok $? "templateBody parses as JSON"
pd=$(printf '%s' "$body" | jq -r .Resources.policy.Properties.PolicyDocument)
printf '%s' "$pd" | jq -e . >/dev/null; ok $? "PolicyDocument parses as JSON"
is "$(printf '%s' "$pd" | jq -r '.Statement[0].Resource[0]')" \
	'arn:aws:iot:us-east-2:123456789012:client/${iot:Connection.Thing.ThingName}' "scoped connect resource"
is "$(printf '%s' "$pd" | jq -r '.Statement[1].Action|join(",")')" "iot:Publish,iot:Receive" "publish/receive statement"
is "$(printf '%s' "$pd" | jq -r '.Statement[2].Resource[0]')" \
	'arn:aws:iot:us-east-2:123456789012:topicfilter/${iot:Connection.Thing.ThingName}/*' "subscribe topicfilter"
is "$(printf '%s' "$body" | jq -r '.Resources.thing.Properties.ThingName.Ref')" "AWS::IoT::Certificate::CommonName" "thing named from CN"
is "$(printf '%s' "$body" | jq -r '.Resources.thing.Properties.AttributePayload|"\(.version) \(.country.Ref)"')" \
	"v1 AWS::IoT::Certificate::Country" "attributes version and country"
is "$(printf '%s' "$body" | jq -r '.Resources.certificate.Properties.Status')" "ACTIVE" "certificate ACTIVE"
r=$d/register.sh
[ -x "$r" ]; ok $? "register.sh is executable"
sh -n "$r"; ok $? "register.sh parses"
grep -q 'set -eu' "$r"; ok $? "register.sh uses set -eu"
tr -d '\\\t\n' <"$r" | grep -q 'aws iot register-ca-certificate --ca-certificate file://deviceRootCA.pem --verification-cert file://verificationCert.crt --set-as-active --allow-auto-registration --registration-config file://jitp_template.json --region us-east-2'
ok $? "register.sh holds the exact register command"
grep -q "$(sha256sum <"$d/deviceRootCA.pem" | cut -d' ' -f1)" "$r"; ok $? "register.sh pins the CA file's SHA-256"
grep -q "AWSIoTThingsRegistration" "$r"; ok $? "register.sh names the managed policy"
grep -q "iot.amazonaws.com" "$r"; ok $? "register.sh shows the trust policy"

run cer -C "$d" template --region us-east-2 --account 123456789012
is "$rc" 2 "existing outputs: exit 2"
like "$err" "jitp_template.json exists; use --force" "existing outputs: message"

run cer -C "$d" template --region eu-west-1 --account 123456789012 --policy admin --force
is "$rc" 0 "admin template"
like "$err" "grants every device every IoT action" "admin warns"
is "$(jq -r .templateBody "$d/jitp_template.json" | jq -r .Resources.policy.Properties.PolicyDocument | jq -c .Statement)" \
	'[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]' "admin policy iot:* on *"

run cer -C "$d" template --region eu-west-1 --role-arn arn:aws:iam::210987654321:role/Prov --policy name:DevicePolicy --force
is "$rc" 0 "named policy template"
is "$(jq -r .templateBody "$d/jitp_template.json" | jq -r .Resources.policy.Properties.PolicyName)" "DevicePolicy" "policy by name"
is "$(jq -r .roleArn "$d/jitp_template.json")" "arn:aws:iam::210987654321:role/Prov" "--role-arn used as given"

run cer -C "$d" template --region us-east-2 --template-name MyJITP --force
is "$rc" 0 "named template"
is "$(jq -c . "$d/jitp_template.json")" '{"templateName":"MyJITP"}' "registration config names the template"

run cer -C "$d" template --region us-east-2 --account 123456789012 --mode sni-only --force
is "$rc" 0 "sni-only"
grep -q -- "--certificate-mode SNI_ONLY" "$d/register.sh"; ok $? "sni-only: --certificate-mode SNI_ONLY"
! grep -q -- "--verification-cert" "$d/register.sh"; ok $? "sni-only: no verification cert"

cer -C "$T/n" root --no-passphrase --key ec-p256 >/dev/null 2>&1
run cer -C "$T/n" template --region us-east-2 --account 123456789012
is "$rc" 2 "no verification cert: exit 2"
like "$err" "verificationCert.crt is missing" "no verification cert: message"
run cer -C "$T/n" template --region us-east-2 --account 123456789012 --mode sni-only
is "$rc" 0 "sni-only needs no verification cert"
# regions.txt: the one registration
is "$(grep -v '^#' "$T/n/regions.txt")" "us-east-2 123456789012 SNI_ONLY" "regions.txt lists the registration"
cer -C "$d" template --region us-east-2 --template-name MyJITP --mode sni-only --force >/dev/null 2>&1
is "$(grep -v '^#' "$d/regions.txt")" "us-east-2 - SNI_ONLY" "regions.txt: - for no account (named template)"

# --- several regions and accounts ---
m=$T/m
c1=$(openssl rand -hex 32); c2=$(openssl rand -hex 32)
cer -C "$m" root --no-passphrase --key ec-p256 >/dev/null 2>&1
cer -C "$m" verification --registration-code "$c1" --region us-east-1 --account 123456789012 >/dev/null 2>&1
refuses 2 "regions/eu-west-1-123456789012/verificationCert.crt is missing; run 'ceremony verification --registration-code CODE --region eu-west-1 --account 123456789012' first" \
	"DEFAULT region without its verification certificate" -- cer -C "$m" template --region us-east-1,eu-west-1 --account 123456789012
refuses 2 "--region eu-west-1: DEFAULT mode registers a CA in one account per region" "DEFAULT, two accounts in a region" -- \
	cer -C "$m" template --region eu-west-1 --account 123456789012 --account 210987654321
refuses 2 "--region: us-east-1 for account 123456789012 is named twice" "a registration twice" -- \
	cer -C "$m" template --region us-east-1,us-east-1:123456789012 --account 123456789012
refuses 2 "'us-east-1:1234': the account after ':' is not 12 digits" "short :ID" -- cer -C "$m" template --region us-east-1:1234
refuses 2 "--region: 'Mars' is not a region name" "bad region in a list" -- cer -C "$m" template --region us-east-1,Mars --account 123456789012
refuses 2 "--region: '' is not a region name" "empty list item" -- cer -C "$m" template --region us-east-1,,eu-west-1 --account 123456789012
refuses 2 "give --account ID \(12 digits\) or --role-arn ARN for eu-west-1" "a region without an account" -- \
	cer -C "$m" template --region us-east-1:123456789012,eu-west-1 --mode sni-only
refuses 2 "--role-arn names a role in account 210987654321; account 123456789012 needs its own role" "role in another account" -- \
	cer -C "$m" template --region us-east-1:123456789012 --role-arn arn:aws:iam::210987654321:role/R --mode sni-only
refuses 2 "no intermediate CA 'nope'" "unknown --ca" -- cer -C "$m" template --region us-east-1 --account 123456789012 --ca nope
cp "$T/c/verificationCert.crt" "$m/regions/us-east-1-123456789012/other.crt"
cp "$m/regions/us-east-1-123456789012/verificationCert.crt" "$T/ver.saved"
cp "$T/c/verificationCert.crt" "$m/regions/us-east-1-123456789012/verificationCert.crt"
refuses 1 "regions/us-east-1-123456789012/verificationCert.crt: not a verification certificate of the root CA" \
	"a verification certificate of another CA" -- cer -C "$m" template --region us-east-1 --account 123456789012
cp "$T/ver.saved" "$m/regions/us-east-1-123456789012/verificationCert.crt"
rm "$m/regions/us-east-1-123456789012/other.crt"

run cer -C "$m" template --region us-east-1 --account 123456789012
is "$rc" 0 "one region whose regions/ folder exists"
[ -f "$m/regions/us-east-1-123456789012/jitp_template.json" ] && [ -x "$m/regions/us-east-1-123456789012/register.sh" ] &&
	[ -x "$m/register-all.sh" ] && [ ! -e "$m/jitp_template.json" ] && [ ! -e "$m/register.sh" ]
ok $? "its files go into its folder, with register-all.sh"
cer -C "$m" verification --registration-code "$c2" --region eu-west-1 --account 123456789012 >/dev/null 2>&1
refuses 2 "regions/us-east-1-123456789012/jitp_template.json exists; use --force" "existing outputs" -- \
	cer -C "$m" template --region us-east-1,eu-west-1 --account 123456789012
run cer -C "$m" template --region us-east-1,eu-west-1 --account 123456789012 --force
is "$rc" 0 "two regions, DEFAULT"
is "$(grep -v '^#' "$m/regions.txt")" "eu-west-1 123456789012 DEFAULT
us-east-1 123456789012 DEFAULT" "regions.txt: both, sorted"
for R in us-east-1 eu-west-1; do
	rd=$m/regions/$R-123456789012
	pd=$(jq -r .templateBody "$rd/jitp_template.json" | jq -r .Resources.policy.Properties.PolicyDocument)
	is "$(jq -r '.Statement[0].Resource[0]' <<<"$pd")" \
		"arn:aws:iot:$R:123456789012:client/\${iot:Connection.Thing.ThingName}" "$R: scoped policy names its region and account"
	sh -n "$rd/register.sh"; ok $? "$R: register.sh parses"
	tr -d '\\\t\n' <"$rd/register.sh" | grep -q "aws iot register-ca-certificate --ca-certificate file://deviceRootCA.pem --verification-cert file://regions/$R-123456789012/verificationCert.crt --set-as-active --allow-auto-registration --registration-config file://regions/$R-123456789012/jitp_template.json --region $R"
	ok $? "$R: register.sh sends the region's files to the region"
	grep -q "^check regions/$R-123456789012/register.sh $(sha256sum <"$rd/register.sh" | cut -d' ' -f1)$" "$m/register-all.sh"
	ok $? "$R: register-all.sh pins its register.sh"
done
sh -n "$m/register-all.sh"; ok $? "register-all.sh parses"
like "$out" "Registrations   2, listed in regions.txt" "prints the registrations"

# sni-only with several accounts: no verification certificate needed
run cer -C "$m" template --region us-east-1 --region ap-south-1 --account 123456789012 --account 210987654321 --mode sni-only --force
is "$rc" 0 "sni-only: two regions, two accounts"
is "$(grep -v '^#' "$m/regions.txt" | tr '\n' ';')" \
	"ap-south-1 123456789012 SNI_ONLY;ap-south-1 210987654321 SNI_ONLY;us-east-1 123456789012 SNI_ONLY;us-east-1 210987654321 SNI_ONLY;" \
	"regions.txt: four SNI_ONLY registrations"
is "$(jq -r .roleArn "$m/regions/ap-south-1-210987654321/jitp_template.json")" "arn:aws:iam::210987654321:role/JITPRole" "each account's own role"
grep -q 'PROFILE_210987654321' "$m/register-all.sh"; ok $? "register-all.sh takes a profile per account"
! grep -q -- '--verification-cert' "$m/regions/ap-south-1-210987654321/register.sh"; ok $? "sni-only region: no verification cert"

# back to one top-level registration: register-all.sh goes with --force
refuses 2 "register-all.sh exists \(from a several-region registration\); use --force" "switching layouts needs --force" -- \
	cer -C "$m" template --region us-west-2 --account 123456789012 --mode sni-only
run cer -C "$m" template --region us-west-2 --account 123456789012 --mode sni-only --force
is "$rc" 0 "single registration again"
[ -f "$m/register.sh" ] && [ ! -e "$m/register-all.sh" ]; ok $? "register.sh at the top, register-all.sh removed"
is "$(tail -1 "$m/transcript.log" | jq -r '.removed[0]')" "register-all.sh" "transcript: what was removed"

# --ca NAME: the intermediate's own files
make_intermediate "$m" line-a; ok $? "an intermediate made with openssl"
cer -C "$m" verification --registration-code "$c1" --ca line-a >/dev/null 2>&1
run cer -C "$m" template --region us-east-2 --account 123456789012 --ca line-a
is "$rc" 0 "template --ca line-a"
i=$m/intermediate/line-a
[ -f "$i/jitp_template.json" ] && [ -x "$i/register.sh" ] && [ -f "$i/regions.txt" ]; ok $? "written into intermediate/line-a/"
grep -q "registers the issuing CA 'line-a'" "$i/register.sh" && grep -q "not the" "$i/register.sh"
ok $? "its register.sh says it registers the issuing CA, not the root"
grep -q "^check deviceRootCA.pem $(sha256sum <"$i/deviceRootCA.pem" | cut -d' ' -f1)$" "$i/register.sh"
ok $? "it pins the intermediate's certificate"
like "$out" "register.sh sends intermediate/line-a/deviceRootCA.pem, not the root" "says which certificate is sent"
is "$(tail -1 "$m/transcript.log" | jq -r .args.ca)" "line-a" "transcript: the CA"
refuses 2 "intermediate/line-a/regions/eu-west-1/verificationCert.crt is missing; run 'ceremony verification --registration-code CODE --region eu-west-1 --ca line-a' first" \
	"--ca: a region without the intermediate's verification certificate" -- cer -C "$m" template --region eu-west-1,us-east-2 --template-name T1 --ca line-a --force
done_testing
