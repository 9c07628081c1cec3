# A local mosquitto broker for interop tests: TLS 1.2, client certificates
# required, the certificate's CN as the username. Source after lib.sh.
# Processes started here are kept by pid and ended by broker_stop.
broker=
sub=
port=
srv=$T/server
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)
trap 'broker_stop; rm -rf "$T"' EXIT

# broker_tools TOOL...: one assertion per tool; stops the test if any is
# missing.
broker_tools() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ]
		ok $? "$tool is installed"
	done
	[ "$_fail" -eq 0 ] || { done_testing; exit 1; }
}

# broker_ca: $srv/ca.pem and ca.key, a throwaway CA unrelated to ours that
# issues the broker's own TLS certificate.
broker_ca() {
	mkdir -p "$srv" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-days 30 -subj "/CN=Test Broker CA" -keyout "$srv/ca.key" \
		-out "$srv/ca.pem" -addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

# broker_cert: $srv/server.crt and server.key for localhost and 127.0.0.1.
broker_cert() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj "/CN=localhost" -keyout "$srv/server.key" \
		-out "$srv/server.csr" 2>/dev/null &&
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$srv/ext" &&
	openssl x509 -req -in "$srv/server.csr" -CA "$srv/ca.pem" \
		-CAkey "$srv/ca.key" -CAcreateserial -days 30 -sha256 \
		-extfile "$srv/ext" -out "$srv/server.crt" 2>/dev/null
}

# broker_devices DIR: the how-to's device steps, up to the CSR: thing1
# (RSA 2048) and listener (EC P-256), keys and CSRs in DIR
broker_devices() {
	mkdir -p "$1" && (cd "$1" &&
		openssl genrsa -out thing1.key 2048 2>/dev/null &&
		openssl req -new -key thing1.key -out thing1.csr -subj "/C=US/CN=thing1" &&
		openssl ecparam -genkey -name prime256v1 -noout -out listener.key &&
		openssl req -new -key listener.key -out listener.csr -subj "/C=US/CN=listener")
}

free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# broker_start DIR CAFILE: mosquitto on 127.0.0.1:$port (a free port)
# trusting CAFILE for client certificates; its log in DIR/broker.log.
broker_start() {
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

# broker_sub DIR CERT KEY ID: mosquitto_sub as client ID on thing1/test in
# the background ($sub), for one message into DIR/received; returns once
# the broker logs its SUBSCRIBE (0) or it gave up (1).
broker_sub() {
	local dir=$1 cert=$2 key=$3 id=$4 i
	timeout 30 mosquitto_sub --cafile "$srv/ca.pem" --cert "$cert" \
		--key "$key" -h 127.0.0.1 -p "$port" -q 1 -t thing1/test \
		-i "$id" --tls-version tlsv1.2 -C 1 -W 25 \
		>"$dir/received" 2>"$dir/sub.err" &
	sub=$!
	for i in $(seq 100); do
		grep -q "Received SUBSCRIBE from $id" "$dir/broker.log" && break
		kill -0 "$sub" 2>/dev/null || break
		sleep 0.1
	done
	grep -q "Received SUBSCRIBE from $id" "$dir/broker.log"
}

# broker_pub ARG...: run (lib.sh) mosquitto_pub at QoS 1 on thing1/test
# with the broker's CA; ARGs add the client's --cert, --key, -i, -m.
broker_pub() {
	run timeout 30 mosquitto_pub --cafile "$srv/ca.pem" -h 127.0.0.1 \
		-p "$port" -q 1 -t thing1/test --tls-version tlsv1.2 "$@"
}

# broker_roundtrip LABEL DIR CAFILE SUBCERT SUBKEY SUBID PUBCERT PUBKEY PUBID CN:
# the TLS round trip both mosquitto tests make, seven assertions: a broker
# trusting CAFILE, mosquitto_sub as SUBID (SUBCERT, SUBKEY) subscribed,
# mosquitto_pub as PUBID (PUBCERT, PUBKEY) publishes Hello at QoS 1 and is
# acknowledged, the subscriber receives it, and the broker took the
# certificate's CN as the username. The broker keeps running for more
# checks; broker_stop ends it.
broker_roundtrip() {
	local label=$1 dir=$2 cafile=$3 subcert=$4 subkey=$5 subid=$6
	local pubcert=$7 pubkey=$8 pubid=$9 cn=${10}
	broker_start "$dir" "$cafile"
	ok $? "$label: mosquitto broker listening on 127.0.0.1:$port"
	broker_sub "$dir" "$subcert" "$subkey" "$subid"
	ok $? "$label: mosquitto_sub connected as $subid and subscribed to thing1/test"
	broker_pub --cert "$pubcert" --key "$pubkey" -i "$pubid" -m Hello -d
	is "$rc" 0 "$label: mosquitto_pub as $pubid with $(basename "$pubcert") succeeds"
	like "$out" "received PUBACK" "$label: broker acknowledged the QoS 1 publish"
	wait "$sub"
	is "$?" 0 "$label: mosquitto_sub exits after one message"
	sub=
	is "$(cat "$dir/received")" Hello "$label: mosquitto_sub received Hello on thing1/test"
	grep -q "New client connected from 127.0.0.1:[0-9]* as $pubid (.*u'$cn')" "$dir/broker.log"
	ok $? "$label: broker took the certificate's CN $cn as the username"
}

# broker_stop: ends the subscriber and the broker started here, by pid.
broker_stop() {
	[ -n "$sub" ] && kill "$sub" 2>/dev/null
	[ -n "$broker" ] && kill "$broker" 2>/dev/null && wait "$broker" 2>/dev/null
	sub= broker=
}
