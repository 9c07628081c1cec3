#!/bin/bash
# The CA key in a PKCS#11 token (SoftHSM2): for RSA-2048, RSA-3072,
# EC P-256 and P-384, root --key-uri, verification, template, sign (a
# batch) and bundle; OpenSSL and GnuTLS verify every certificate, a signed
# device talks to mosquitto, pkcs11-tool cannot read the key out, and
# neither the PIN nor the key is anywhere in the ceremony directory.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../broker.sh"

broker_tools openssl certtool pkcs11-tool softhsm2-util mosquitto mosquitto_pub mosquitto_sub timeout
hsm_init
hsm_token ceremony
ok $? "a SoftHSM2 token in its own directory"
broker_ca && broker_cert
ok $? "broker TLS certificate for 127.0.0.1"
printf 'correct horse battery staple\n' >"$T/pass"
code=$(printf '0123456789abcdef%.0s' 1 2 3 4)
p11() { pkcs11-tool --module "$HSM_MOD" --token-label ceremony "$@"; }

for key in rsa2048 rsa3072 ec-p256 ec-p384; do
	d=$T/$key
	uri=$(hsm_uri "ca-$key")
	run cer -C "$d" root --key "$key" --key-uri "$uri" --pin-file "$HSM/pin" \
		--passphrase-file "$T/pass"
	is "$rc" 0 "$key: root --key-uri"
	like "$out" "in token 'ceremony' \(serial [0-9a-f]+\), non-extractable" "$key: root says where the key is"
	[ -s "$d/deviceRootCA.uri" ] && [ ! -e "$d/deviceRootCA.key" ]
	ok $? "$key: deviceRootCA.uri in place of deviceRootCA.key"
	like "$(cat "$d/deviceRootCA.uri")" "^pkcs11:token=ceremony;object=ca-$key;serial=[0-9a-f]+;id=[%0-9A-F]+\?module-path=$HSM_MOD$" \
		"$key: the URI names token, object, serial, id and module, no PIN"
	openssl x509 -in "$d/deviceRootCA.pem" -noout -text >"$T/ca.txt"
	case $key in
	rsa*) like "$(cat "$T/ca.txt")" "Public-Key: \(${key#rsa} bit\)" "$key: CA key size"
	      like "$(cat "$T/ca.txt")" "Exponent: 65537" "$key: e = 65537" ;;
	ec-p256) like "$(cat "$T/ca.txt")" "NIST CURVE: P-256" "$key: curve" ;;
	ec-p384) like "$(cat "$T/ca.txt")" "NIST CURVE: P-384" "$key: curve"
		 like "$(cat "$T/ca.txt")" "ecdsa-with-SHA384" "$key: signed with SHA-384" ;;
	esac
	openssl verify -CAfile "$d/deviceRootCA.pem" "$d/deviceRootCA.pem" >/dev/null
	ok $? "$key: openssl verify of the self-signed CA"

	run cer -C "$d" verification --registration-code "$code" --pin-fd 3 3<"$HSM/pin"
	is "$rc" 0 "$key: verification (PIN from --pin-fd)"
	openssl verify -CAfile "$d/deviceRootCA.pem" "$d/verificationCert.crt" >/dev/null
	ok $? "$key: openssl verify of verificationCert.crt"
	run certtool --verify --load-ca-certificate "$d/deviceRootCA.pem" --infile "$d/verificationCert.crt"
	like "$rc:$(tr '\n' ' ' <<<"$out")" "^0:.*Verified" "$key: certtool --verify of verificationCert.crt"
	cer -C "$d" template --region us-east-2 --account 123456789012 >/dev/null 2>&1
	ok $? "$key: template"

	dev=$T/dev-$key
	mkdir -p "$dev"
	(cd "$dev" &&
		openssl genrsa -out thing1.key 2048 2>/dev/null &&
		openssl req -new -key thing1.key -out thing1.csr -subj "/C=US/CN=thing1" &&
		openssl ecparam -genkey -name prime256v1 -noout -out listener.key &&
		openssl req -new -key listener.key -out listener.csr -subj "/C=US/CN=listener" &&
		for i in 1 2 3 4 5 6; do
			openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
				-keyout "d$i.key" -out "d$i.csr" -subj "/C=DE/CN=dev$i" 2>/dev/null || exit 1
		done)
	ok $? "$key: a batch of 8 device CSRs"
	run cer -C "$d" sign --pin-file "$HSM/pin" --out "$dev/issued" "$dev"/*.csr
	is "$rc" 0 "$key: sign the batch with the token key"
	like "$out" "signed +8" "$key: 8 signed"
	bad=0
	for c in "$dev"/issued/*-chain.crt; do
		n=${c%-chain.crt}
		openssl verify -CAfile "$d/deviceRootCA.pem" "$n.crt" >/dev/null || bad=1
		certtool --verify --load-ca-certificate "$d/deviceRootCA.pem" --infile "$c" 2>&1 |
			grep -q "Chain verification output: Verified" || bad=1
	done
	is "$bad" 0 "$key: openssl verify and certtool --verify accept every device certificate"

	run cer -C "$d" bundle --format tar --name hsm --passphrase-file "$T/pass"
	is "$rc" 0 "$key: bundle"
	tar -tzf "$d/bundle/hsm.tar.gz" >"$T/members"
	grep -q 'deviceRootCA.key\|deviceRootCA.uri' "$T/members"
	ok $((!$?)) "$key: the bundle holds neither the key nor its URI"

	broker_roundtrip "$key" "$dev" "$d/deviceRootCA.pem" \
		"$dev/issued/listener-chain.crt" "$dev/listener.key" listener \
		"$dev/issued/thing1-chain.crt" "$dev/thing1.key" thing1 thing1
	broker_stop

	# the key stays in the token
	rm -f "$T/out.der"
	p11 --login --pin "$HSM_PIN" --read-object --type privkey --label "ca-$key" \
		-o "$T/out.der" >/dev/null 2>&1
	[ ! -s "$T/out.der" ]
	ok $? "$key: pkcs11-tool --read-object of the private key gets nothing"
	run p11 --login --pin "$HSM_PIN" --list-objects --type privkey --label "ca-$key"
	like "$out" "Access: +sensitive, always sensitive, never extractable" \
		"$key: pkcs11-tool: sensitive, never extractable"
	run cer -C "$d" key show --pin-file "$HSM/pin"
	is "$rc" 0 "$key: key show"
	like "$out" "CKA_EXTRACTABLE +false" "$key: key show: CKA_EXTRACTABLE false"
	like "$out" "CKA_SENSITIVE +true" "$key: key show: CKA_SENSITIVE true"
	like "$out" "model +SoftHSM v2" "$key: key show: the token's model"
	grep -rqaF -- "$HSM_PIN" "$d"
	ok $((!$?)) "$key: the PIN is nowhere in the ceremony directory"
	like "$(grep '"command":"sign"' "$d/transcript.log")" '"CKA_EXTRACTABLE":false.*"key_uri":"pkcs11:token=ceremony;object=ca-'"$key"'.*"token_serial":"[0-9a-f]+"' \
		"$key: the transcript records URI, serial and attributes"
done

done_testing
