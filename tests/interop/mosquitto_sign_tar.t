#!/bin/bash
# mosquitto_sign.t once more with the batch as one signed archive: the
# certificates of 'ceremony sign --format tar', checked and unpacked at
# the factory by 'ceremony import --batch', let mosquitto_pub (thing1,
# RSA key) and mosquitto_sub (listener, EC key) through a local broker
# (TLS 1.2, require_certificate, use_identity_as_username, cafile = our
# CA) for each CA key type.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../broker.sh"

broker_tools openssl mosquitto mosquitto_pub mosquitto_sub /usr/bin/python3 timeout
broker_ca && broker_cert
ok $? "broker TLS certificate for 127.0.0.1"

for key in rsa2048 ec-p256; do
	ca=$T/$key dev=$T/dev-$key
	sni_ca "$ca" "$key"
	ok $? "$key: ceremony root and template"
	broker_devices "$dev"
	ok $? "$key: device keys and CSRs made with openssl"
	run cer -C "$ca" sign --format tar --out "$dev/batch.tar.gz" "$dev/thing1.csr" "$dev/listener.csr"
	is "$rc" 0 "$key: ceremony sign --format tar"
	# the factory: the archive and the pinned key, nothing else
	run cer import --batch "$dev/batch.tar.gz" --pubkey "$(tail -n 1 "$ca/ceremony.pub")" \
		--out "$dev/factory"
	is "$rc" 0 "$key: ceremony import --batch at the factory"
	openssl verify -CAfile "$ca/deviceRootCA.pem" "$dev/factory/thing1.crt" \
		"$dev/factory/listener.crt" >/dev/null
	ok $? "$key: openssl verify of the imported certificates"

	broker_roundtrip "$key" "$dev" "$ca/deviceRootCA.pem" \
		"$dev/factory/listener-chain.crt" "$dev/listener.key" listener \
		"$dev/factory/thing1-chain.crt" "$dev/thing1.key" thing1 thing1
	broker_pub --cert "$dev/factory/thing1.crt" --key "$dev/listener.key" \
		-i wrongkey -m Hello
	[ "$rc" -ne 0 ]; ok $? "$key: a cert with the wrong key is refused"
	broker_stop
done

done_testing
