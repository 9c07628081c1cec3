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
done_testing
