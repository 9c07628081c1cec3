#!/bin/bash
# The AWS how-to's device steps against our CA: a device cert made with
# openssl from deviceRootCA.pem/deviceRootCA.key verifies with OpenSSL and
# GnuTLS, and a local mosquitto broker that trusts only deviceRootCA.pem
# (TLS 1.2, client certificates required) accepts the how-to's
# mosquitto_pub with deviceCertAndCACert.crt; mosquitto_sub receives Hello.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../broker.sh"

broker_tools openssl certtool mosquitto mosquitto_pub mosquitto_sub /usr/bin/python3 timeout
broker_ca
ok $? "test broker CA"
broker_cert
ok $? "broker server certificate for 127.0.0.1"

# device DIR CADIR NAME CN: the how-to's device steps, in DIR.
device() {
	local dir=$1 ca=$2 name=$3 cn=$4
	(cd "$dir" &&
		openssl genrsa -out "$name.key" 2048 2>/dev/null &&
		openssl req -new -key "$name.key" -out "$name.csr" -subj "/C=IN/CN=$cn" &&
		openssl x509 -req -in "$name.csr" -CA "$ca/deviceRootCA.pem" \
			-CAkey "$ca/deviceRootCA.key" -CAcreateserial \
			-out "$name.crt" -days 365 -sha256 2>/dev/null &&
		cat "$name.crt" "$ca/deviceRootCA.pem" >"${name}AndCACert.crt")
}

# A CA made by hand, outside the ceremony, for the negative case.
other=$T/other
mkdir -p "$other"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/C=IN/O=AMZ/CN=Device Root CA" \
	-keyout "$other/deviceRootCA.key" -out "$other/deviceRootCA.pem" \
	-addext "basicConstraints=critical,CA:TRUE" 2>/dev/null
ok $? "an unrelated CA with the same subject"

for key in rsa2048 ec-p256; do
	ca=$T/$key
	run cer -C "$ca" root --no-passphrase --key "$key"
	is "$rc" 0 "$key: ceremony root"
	dev=$T/dev-$key
	mkdir -p "$dev"
	device "$dev" "$ca" deviceCert thing1
	ok $? "$key: device cert made the how-to's way"
	device "$dev" "$ca" subCert thing1-sub
	ok $? "$key: a second device for the subscriber"
	device "$dev" "$other" strangerCert thing1
	ok $? "$key: a device cert from the unrelated CA"

	run openssl verify -CAfile "$ca/deviceRootCA.pem" "$dev/deviceCert.crt"
	is "$rc:$out" "0:$dev/deviceCert.crt: OK" "$key: openssl verify passes"
	run openssl verify -x509_strict -CAfile "$ca/deviceRootCA.pem" "$dev/deviceCert.crt"
	is "$rc" 0 "$key: openssl verify -x509_strict passes"
	run certtool --verify --load-ca-certificate "$ca/deviceRootCA.pem" \
		--infile "$dev/deviceCertAndCACert.crt"
	is "$rc" 0 "$key: certtool --verify passes for deviceCertAndCACert.crt"
	like "$out" "Chain verification output: Verified" "$key: GnuTLS says Verified"
	run certtool --verify --load-ca-certificate "$ca/deviceRootCA.pem" \
		--infile "$dev/strangerCertAndCACert.crt"
	[ "$rc" -ne 0 ]; ok $? "$key: certtool refuses the unrelated CA's device cert"
	run openssl verify -CAfile "$ca/deviceRootCA.pem" "$dev/strangerCert.crt"
	[ "$rc" -ne 0 ]; ok $? "$key: openssl refuses the unrelated CA's device cert"

	broker_roundtrip "$key" "$dev" "$ca/deviceRootCA.pem" \
		"$dev/subCertAndCACert.crt" "$dev/subCert.key" subscriber \
		"$dev/deviceCertAndCACert.crt" "$dev/deviceCert.key" anyclientID thing1

	broker_pub --cert "$dev/strangerCertAndCACert.crt" --key "$dev/strangerCert.key" \
		-i stranger -m Intruder
	[ "$rc" -ne 0 ]; ok $? "$key: device cert from another CA is refused"
	! grep -q "as stranger" "$dev/broker.log"; ok $? "$key: the stranger never connected"
	grep -q "certificate verify failed" "$dev/broker.log"
	ok $? "$key: broker logs: certificate verify failed"

	broker_pub -i nocert -m Hello
	[ "$rc" -ne 0 ]; ok $? "$key: a client without a certificate is refused"
	grep -q "peer did not return a certificate" "$dev/broker.log"
	ok $? "$key: broker logs: peer did not return a certificate"
	broker_stop
done

done_testing
