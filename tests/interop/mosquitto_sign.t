#!/bin/bash
# End to end as the how-to ends, with certificates from 'ceremony sign':
# device keys and CSRs made the how-to's way, signed in one batch; a local
# mosquitto broker (TLS 1.2, require_certificate, use_identity_as_username,
# cafile = our CA) accepts mosquitto_pub with <CN>-chain.crt and the key,
# and mosquitto_sub (another signed device) receives it on <thing>/test.
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
	run cer -C "$ca" sign --out "$dev/issued" "$dev/thing1.csr" "$dev/listener.csr"
	is "$rc" 0 "$key: ceremony sign"
	openssl verify -CAfile "$ca/deviceRootCA.pem" "$dev/issued/thing1.crt" >/dev/null
	ok $? "$key: openssl verify"

	broker_roundtrip "$key" "$dev" "$ca/deviceRootCA.pem" \
		"$dev/issued/listener-chain.crt" "$dev/listener.key" listener \
		"$dev/issued/thing1-chain.crt" "$dev/thing1.key" thing1 thing1

	# the leaf alone, without the CA in the chain, also works here (the
	# broker has the CA); a key that does not match the cert does not
	broker_pub --cert "$dev/issued/thing1.crt" --key "$dev/listener.key" \
		-i wrongkey -m Hello
	[ "$rc" -ne 0 ]; ok $? "$key: a cert with the wrong key is refused"
	broker_stop
done

done_testing
