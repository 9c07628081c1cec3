#!/bin/bash
# End to end as the how-to ends, with certificates from 'ceremony sign':
# device keys and CSRs made the how-to's way, signed in one batch; a local
# mosquitto broker (TLS 1.2, require_certificate, use_identity_as_username,
# cafile = our CA) accepts mosquitto_pub with <CN>-chain.crt and the key,
# and mosquitto_sub (another signed device) receives it on <thing>/test.
. "$(dirname "$0")/../lib.sh"

for tool in openssl mosquitto mosquitto_pub mosquitto_sub python3 timeout; do
	command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ]
	ok $? "$tool is installed"
done
[ "$_fail" -eq 0 ] || { done_testing; exit 1; }
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)

broker=
sub=
stop() { # ends what this test started, by pid
	[ -n "$sub" ] && kill "$sub" 2>/dev/null
	[ -n "$broker" ] && kill "$broker" 2>/dev/null && wait "$broker" 2>/dev/null
	sub= broker=
}
trap 'stop; rm -rf "$T"' EXIT

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The broker's own TLS identity, from a throwaway CA unrelated to ours.
srv=$T/server
mkdir -p "$srv"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
	-subj "/CN=Broker Test CA" -keyout "$srv/ca.key" -out "$srv/ca.pem" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null &&
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj "/CN=localhost" -keyout "$srv/server.key" -out "$srv/server.csr" 2>/dev/null &&
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$srv/ext" &&
openssl x509 -req -in "$srv/server.csr" -CA "$srv/ca.pem" -CAkey "$srv/ca.key" \
	-CAcreateserial -days 30 -sha256 -extfile "$srv/ext" -out "$srv/server.crt" 2>/dev/null
ok $? "broker TLS certificate for 127.0.0.1"

# start_broker DIR CAFILE: mosquitto on 127.0.0.1:$port, random free port
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

for key in rsa2048 ec-p256; do
	ca=$T/$key
	cer -C "$ca" root --no-passphrase --key "$key" >/dev/null 2>&1 &&
		cer -C "$ca" template --region us-east-2 --account 123456789012 \
			--mode sni-only >/dev/null 2>&1
	ok $? "$key: ceremony root and template"
	dev=$T/dev-$key
	mkdir -p "$dev"
	# the how-to's device steps, up to the CSR
	(cd "$dev" &&
		openssl genrsa -out thing1.key 2048 2>/dev/null &&
		openssl req -new -key thing1.key -out thing1.csr -subj "/C=US/CN=thing1" &&
		openssl ecparam -genkey -name prime256v1 -noout -out listener.key &&
		openssl req -new -key listener.key -out listener.csr -subj "/C=US/CN=listener")
	ok $? "$key: device keys and CSRs made with openssl"
	run cer -C "$ca" sign --out "$dev/issued" "$dev/thing1.csr" "$dev/listener.csr"
	is "$rc" 0 "$key: ceremony sign"
	openssl verify -CAfile "$ca/deviceRootCA.pem" "$dev/issued/thing1.crt" >/dev/null
	ok $? "$key: openssl verify"

	start_broker "$dev" "$ca/deviceRootCA.pem"
	ok $? "$key: mosquitto listening on 127.0.0.1:$port"

	timeout 30 mosquitto_sub --cafile "$srv/ca.pem" --cert "$dev/issued/listener-chain.crt" \
		--key "$dev/listener.key" -h 127.0.0.1 -p "$port" -q 1 -t thing1/test \
		-i listener --tls-version tlsv1.2 -C 1 -W 25 >"$dev/received" 2>"$dev/sub.err" &
	sub=$!
	for i in $(seq 100); do
		grep -q "Received SUBSCRIBE from listener" "$dev/broker.log" && break
		kill -0 "$sub" 2>/dev/null || break
		sleep 0.1
	done
	grep -q "Received SUBSCRIBE from listener" "$dev/broker.log"
	ok $? "$key: mosquitto_sub connected with a signed cert and subscribed to thing1/test"

	run timeout 30 mosquitto_pub --cafile "$srv/ca.pem" --cert "$dev/issued/thing1-chain.crt" \
		--key "$dev/thing1.key" -h 127.0.0.1 -p "$port" -q 1 -t thing1/test \
		-i thing1 --tls-version tlsv1.2 -m Hello -d
	is "$rc" 0 "$key: mosquitto_pub with thing1-chain.crt and thing1.key"
	like "$out" "received PUBACK" "$key: QoS 1 publish acknowledged"
	wait "$sub"
	is "$?" 0 "$key: mosquitto_sub exits after one message"
	sub=
	is "$(cat "$dev/received")" Hello "$key: mosquitto_sub received Hello on thing1/test"
	grep -q "New client connected from 127.0.0.1:[0-9]* as thing1 (.*u'thing1')" "$dev/broker.log"
	ok $? "$key: the broker took CN thing1 from the cert as the username"

	# the leaf alone, without the CA in the chain, also works here (the
	# broker has the CA); a key that does not match the cert does not
	run timeout 30 mosquitto_pub --cafile "$srv/ca.pem" --cert "$dev/issued/thing1.crt" \
		--key "$dev/listener.key" -h 127.0.0.1 -p "$port" -q 1 -t thing1/test \
		-i wrongkey --tls-version tlsv1.2 -m Hello
	[ "$rc" -ne 0 ]; ok $? "$key: a cert with the wrong key is refused"
	stop
done

done_testing
