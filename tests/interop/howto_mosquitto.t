#!/bin/bash
# The AWS how-to's device steps against our CA: a device cert made with
# openssl from deviceRootCA.pem/deviceRootCA.key verifies with OpenSSL and
# GnuTLS, and a local mosquitto broker that trusts only deviceRootCA.pem
# (TLS 1.2, client certificates required) accepts the how-to's
# mosquitto_pub with deviceCertAndCACert.crt; mosquitto_sub receives Hello.
. "$(dirname "$0")/../lib.sh"

for tool in openssl certtool mosquitto mosquitto_pub mosquitto_sub python3 timeout; do
	command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ]
	ok $? "$tool is installed"
done
[ "$_fail" -eq 0 ] || { done_testing; exit 1; }
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)

broker=
sub=
stop() { # stops what this test started, by pid
	[ -n "$sub" ] && kill "$sub" 2>/dev/null
	[ -n "$broker" ] && kill "$broker" 2>/dev/null && wait "$broker" 2>/dev/null
	sub= broker=
}
trap 'stop; rm -rf "$T"' EXIT

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The broker's own TLS identity, from a CA that has nothing to do with ours.
srv=$T/server
mkdir -p "$srv"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
	-subj "/CN=Test Broker CA" -keyout "$srv/ca.key" -out "$srv/ca.pem" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
ok $? "test broker CA"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj "/CN=localhost" -keyout "$srv/server.key" -out "$srv/server.csr" 2>/dev/null &&
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$srv/ext" &&
openssl x509 -req -in "$srv/server.csr" -CA "$srv/ca.pem" -CAkey "$srv/ca.key" \
	-CAcreateserial -days 30 -sha256 -extfile "$srv/ext" -out "$srv/server.crt" 2>/dev/null
ok $? "broker server certificate for 127.0.0.1"

# start_broker DIR CAFILE: mosquitto on 127.0.0.1:$port trusting CAFILE for
# client certificates; log in DIR/broker.log.
start_broker() {
	local dir=$1 cafile=$2 try i
	for try in 1 2 3 4 5; do
		port=$(free_port)
		cat >"$dir/mosquitto.conf" <<-EOF
		per_listener_settings true
		user $(id -un)
		log_dest stderr
		log_type all
		persistence false
		listener $port 127.0.0.1
		cafile $cafile
		certfile $srv/server.crt
		keyfile $srv/server.key
		require_certificate true
		use_identity_as_username true
		tls_version tlsv1.2
		EOF
		"$MOSQUITTO" -c "$dir/mosquitto.conf" 2>"$dir/broker.log" &
		broker=$!
		for i in $(seq 100); do
			grep -q " running" "$dir/broker.log" 2>/dev/null && return 0
			kill -0 "$broker" 2>/dev/null || break
			sleep 0.1
		done
		kill "$broker" 2>/dev/null
		wait "$broker" 2>/dev/null
		broker=
	done
	cat "$dir/broker.log" >&2
	return 1
}

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

	start_broker "$dev" "$ca/deviceRootCA.pem"
	ok $? "$key: mosquitto broker listening on 127.0.0.1:$port"

	timeout 30 mosquitto_sub --cafile "$srv/ca.pem" --cert "$dev/subCertAndCACert.crt" \
		--key "$dev/subCert.key" -h 127.0.0.1 -p "$port" -q 1 -t thing1/test \
		-i subscriber --tls-version tlsv1.2 -C 1 -W 25 >"$dev/received" 2>"$dev/sub.err" &
	sub=$!
	for i in $(seq 100); do
		grep -q "Received SUBSCRIBE from subscriber" "$dev/broker.log" && break
		kill -0 "$sub" 2>/dev/null || break
		sleep 0.1
	done
	grep -q "Received SUBSCRIBE from subscriber" "$dev/broker.log"
	ok $? "$key: mosquitto_sub connected with its device cert and subscribed"

	run timeout 30 mosquitto_pub --cafile "$srv/ca.pem" --cert "$dev/deviceCertAndCACert.crt" \
		--key "$dev/deviceCert.key" -h 127.0.0.1 -p "$port" -q 1 -t thing1/test \
		-i anyclientID --tls-version tlsv1.2 -m Hello -d
	is "$rc" 0 "$key: the how-to's mosquitto_pub succeeds"
	like "$out" "received PUBACK" "$key: broker acknowledged the QoS 1 publish"
	wait "$sub"
	is "$?" 0 "$key: mosquitto_sub exits after one message"
	sub=
	is "$(cat "$dev/received")" Hello "$key: mosquitto_sub received Hello"
	grep -q "New client connected from 127.0.0.1:[0-9]* as anyclientID (.*u'thing1')" "$dev/broker.log"
	ok $? "$key: broker took the device cert's CN thing1 as the username"

	run timeout 30 mosquitto_pub --cafile "$srv/ca.pem" --cert "$dev/strangerCertAndCACert.crt" \
		--key "$dev/strangerCert.key" -h 127.0.0.1 -p "$port" -q 1 -t thing1/test \
		-i stranger --tls-version tlsv1.2 -m Intruder
	[ "$rc" -ne 0 ]; ok $? "$key: device cert from another CA is refused"
	! grep -q "as stranger" "$dev/broker.log"; ok $? "$key: the stranger never connected"
	grep -q "certificate verify failed" "$dev/broker.log"
	ok $? "$key: broker logs: certificate verify failed"

	run timeout 30 mosquitto_pub --cafile "$srv/ca.pem" -h 127.0.0.1 -p "$port" -q 1 \
		-t thing1/test -i nocert --tls-version tlsv1.2 -m Hello
	[ "$rc" -ne 0 ]; ok $? "$key: a client without a certificate is refused"
	grep -q "peer did not return a certificate" "$dev/broker.log"
	ok $? "$key: broker logs: peer did not return a certificate"
	stop
done

done_testing
