#!/bin/bash
# revoke.sh, unmodified, drives the real AWS CLI against a local stub:
# one UpdateCertificate (PUT /certificates/<id>?newStatus=REVOKED) per
# certificate and region, ids equal to the DER's sha256sum; --intermediate:
# UpdateCACertificate (INACTIVE) and ListCertificatesByCA per region.
. "$(dirname "$0")/../lib.sh"

SYSPATH=/usr/sbin:/usr/bin:/sbin:/bin
for tool in /usr/bin/aws /usr/bin/python3; do
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
export AWS_CONFIG_FILE=$T/no-aws-config AWS_SHARED_CREDENTIALS_FILE=$T/no-aws-credentials
export AWS_EC2_METADATA_DISABLED=true AWS_PAGER=
unset AWS_PROFILE AWS_DEFAULT_REGION AWS_REGION AWS_SESSION_TOKEN 2>/dev/null
revoke_sh() {
	env PATH="$SYSPATH" AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y timeout 120 \
		sh "$1" --endpoint-url "http://127.0.0.1:$port"
}
paths() { /usr/bin/python3 -c '
import json, sys
for l in open(sys.argv[1]).read().splitlines()[int(sys.argv[2]):]:
    r = json.loads(l); print(r["method"], r["path"])' "$T/requests" "$1"; }

d=$T/c
cer -C "$d" root --no-passphrase --key ec-p256 >/dev/null 2>&1 &&
	cer -C "$d" template --region us-east-1 --account 123456789012 --mode sni-only >/dev/null 2>&1
printf 'eu-west-1 - DEFAULT\nus-east-1 123456789012 SNI_ONLY\n' >"$d/regions.txt"
for n in 1 2 3; do
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/C=US/CN=dev$n" \
		-keyout /dev/null -out "$T/dev$n.csr" 2>/dev/null
done
cer -C "$d" sign --quiet "$T/dev1.csr" "$T/dev2.csr" "$T/dev3.csr" >/dev/null 2>&1
ok $? "three devices"
run cer -C "$d" revoke --cn dev1 --cn dev3 --reason keyCompromise
ok $rc "two revoked"
r=$(ls -d "$d"/revocations/*-1)
run revoke_sh "$r/revoke.sh"
ok $rc "revoke.sh succeeds against the stub"
want=$(for n in 1 3; do id=$(openssl x509 -in "$d"/issued/*/dev$n.crt -outform DER | sha256sum | cut -d' ' -f1)
	for g in eu-west-1 us-east-1; do echo "PUT /certificates/$id?newStatus=REVOKED"; done; done | sort)
is "$(paths 0 | sort)" "$want" "one UpdateCertificate per certificate and region, id = sha256sum of the DER"
is "$(wc -l <"$T/requests")" 4 "and nothing else"

# --- an intermediate, made with openssl ---
i=$d/intermediate/sub
mkdir -p "$i"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/C=US/CN=Sub CA" \
	-keyout "$i/deviceRootCA.key" -out "$T/sub.csr" 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' >"$T/ext"
openssl x509 -req -in "$T/sub.csr" -CA "$d/deviceRootCA.pem" -CAkey "$d/deviceRootCA.key" \
	-set_serial 0x4a5b6c7d8e9f00112233445566778899 -days 100 -extfile "$T/ext" -out "$i/deviceRootCA.pem" 2>/dev/null
cat "$i/deviceRootCA.pem" "$d/deviceRootCA.pem" >"$i/chain.pem"
printf 'ap-south-1 - DEFAULT\n' >"$i/regions.txt"
run cer -C "$d" revoke --intermediate sub --reason cACompromise
ok $rc "the intermediate revoked"
r=$(ls -d "$d"/revocations/*-2)
iid=$(openssl x509 -in "$i/deviceRootCA.pem" -outform DER | sha256sum | cut -d' ' -f1)
run revoke_sh "$r/revoke.sh"
ok $rc "its revoke.sh succeeds against the stub"
is "$(paths 4)" "PUT /cacertificate/$iid?newStatus=INACTIVE
GET /certificates-by-ca/$iid" "UpdateCACertificate INACTIVE, then ListCertificatesByCA"
done_testing
