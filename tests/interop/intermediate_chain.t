#!/bin/bash
# Issuing CAs against independent X.509 stacks and a real broker: an
# intermediate with its key here and one certified from an openssl req
# CSR (whose key signs devices with openssl x509); openssl verify and
# GnuTLS certtool --verify pass with the chain and fail without it;
# mosquitto trusting the root (or chain.pem) accepts a device presenting
# <CN>-chain.crt (leaf, issuing CA); a TLS server that trusts only one
# issuing CA, as AWS IoT trusts the CA registered with it, accepts that
# CA's devices and refuses another intermediate's.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../broker.sh"

broker_tools openssl certtool mosquitto mosquitto_pub mosquitto_sub /usr/bin/python3 timeout
broker_ca && broker_cert
ok $? "broker TLS certificate for 127.0.0.1"

d=$T/c
sni_ca "$d" rsa2048 &&
	cer -C "$d" intermediate factory --subject "/C=IN/O=AMZ/CN=Factory Issuing CA" --key ec-p256 \
		--no-passphrase >/dev/null 2>&1 &&
	cer -C "$d" intermediate plant-b --subject "/C=IN/O=AMZ/CN=Plant B Issuing CA" --key ec-p384 \
		--no-passphrase >/dev/null 2>&1
ok $? "root (RSA), two intermediates with their keys here"
root=$d/deviceRootCA.pem
fa=$d/intermediate/factory
pb=$d/intermediate/plant-b
cp "$d/jitp_template.json" "$fa/" && cp "$d/jitp_template.json" "$pb/"

# an online CA's key, certified from its CSR
ext=$T/online
mkdir -p "$ext"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$ext/ca.key" \
	-out "$ext/ca.csr" -subj "/CN=whatever the CSR says" 2>/dev/null
run cer -C "$d" intermediate online --subject "/C=IN/O=AMZ/CN=Online Issuing CA" --csr "$ext/ca.csr"
is "$rc" 0 "an intermediate certified from an openssl req CSR"
on=$d/intermediate/online

# device CSRs the how-to's way
dev=$T/dev
mkdir -p "$dev"
for n in thing1 listener other; do
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dev/$n.key" \
		-out "$dev/$n.csr" -subj "/C=US/CN=$n" 2>/dev/null
done
run cer -C "$d" sign --ca factory --out "$dev/fa" "$dev/thing1.csr" "$dev/listener.csr"
is "$rc" 0 "sign --ca factory"
run cer -C "$d" sign --ca plant-b --out "$dev/pb" "$dev/other.csr"
is "$rc" 0 "sign --ca plant-b"
# the online CA signs a device with its own key, as an online CA would
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' >"$ext/dev.ext"
mkdir -p "$dev/on"
openssl x509 -req -in "$dev/other.csr" -CA "$on/deviceRootCA.pem" -CAkey "$ext/ca.key" \
	-CAcreateserial -days 30 -sha256 -extfile "$ext/dev.ext" -out "$dev/on/other.crt" 2>/dev/null &&
	cat "$dev/on/other.crt" "$on/deviceRootCA.pem" >"$dev/on/other-chain.crt"
ok $? "the online CA's key signs a device (openssl x509 -req)"

# --- openssl verify and GnuTLS certtool ---
for ca in factory plant-b online; do
	i=$d/intermediate/$ca
	openssl verify -CAfile "$root" "$i/deviceRootCA.pem" >/dev/null
	ok $? "$ca: openssl verify of the intermediate against the root"
	run certtool --verify --load-ca-certificate "$root" --infile "$i/deviceRootCA.pem"
	is "$rc" 0 "$ca: certtool --verify of the intermediate against the root"
	openssl verify -CAfile "$root" -untrusted "$i/chain.pem" "$i/deviceRootCA.pem" >/dev/null
	ok $? "$ca: chain.pem verifies"
done
for pair in fa/thing1 fa/listener pb/other on/other; do
	c=$dev/$pair.crt
	case $pair in fa/*) i=$fa ;; pb/*) i=$pb ;; on/*) i=$on ;; esac
	openssl verify -CAfile "$root" -untrusted "$i/chain.pem" "$c" >/dev/null
	ok $? "$pair: openssl verify -CAfile root -untrusted chain"
	openssl verify -purpose sslclient -CAfile "$root" -untrusted "$dev/${pair}-chain.crt" "$c" >/dev/null
	ok $? "$pair: <CN>-chain.crt carries what the root needs (purpose sslclient)"
	run certtool --verify --verify-profile=medium --load-ca-certificate "$root" --infile "$dev/${pair}-chain.crt"
	is "$rc" 0 "$pair: certtool --verify with the chain"
	like "$out" "Chain verification output: Verified" "$pair: certtool says Verified"
	run openssl verify -CAfile "$root" "$c"
	[ "$rc" -ne 0 ]; ok $? "$pair: openssl verify against the root alone, without the intermediate, fails"
	like "$err$out" "unable to get local issuer certificate" "$pair: for want of the issuing CA"
	run certtool --verify --load-ca-certificate "$root" --infile "$c"
	[ "$rc" -ne 0 ]; ok $? "$pair: certtool without the intermediate fails"
done
run openssl verify -CAfile "$root" -untrusted "$pb/chain.pem" "$dev/fa/thing1.crt"
[ "$rc" -ne 0 ]; ok $? "another intermediate's chain does not vouch for factory's device"

# --- mosquitto trusting the root: the device presents leaf + issuing CA ---
broker_roundtrip "cafile=root" "$dev/fa" "$root" \
	"$dev/fa/listener-chain.crt" "$dev/listener.key" listener \
	"$dev/fa/thing1-chain.crt" "$dev/thing1.key" thing1 thing1
broker_pub --cert "$dev/fa/thing1.crt" --key "$dev/thing1.key" -i leafonly -m Hello
[ "$rc" -ne 0 ]; ok $? "cafile=root: the leaf alone, without the issuing CA, is refused"
broker_pub --cert "$dev/pb/other-chain.crt" --key "$dev/other.key" -i other -m Hello
is "$rc" 0 "cafile=root: plant-b's device is accepted too (same root)"
broker_stop

# --- mosquitto trusting the issuing CA: OpenSSL anchors at a self-signed
# root, so cafile needs the root too: chain.pem (issuing CA, then root) ---
mkdir -p "$T/b2"
broker_roundtrip "cafile=chain.pem" "$T/b2" "$fa/chain.pem" \
	"$dev/fa/listener-chain.crt" "$dev/listener.key" listener \
	"$dev/fa/thing1-chain.crt" "$dev/thing1.key" thing1 thing1
broker_stop
mkdir -p "$T/b3"
broker_start "$T/b3" "$fa/deviceRootCA.pem"
ok $? "mosquitto with cafile = the issuing CA alone"
broker_pub --cert "$dev/fa/thing1-chain.crt" --key "$dev/thing1.key" -i thing1 -m Hello -d
! grep -q "received PUBACK" <<<"$out"; ok $? "cafile = issuing CA alone: mosquitto (OpenSSL, no partial chain) does not accept it"
broker_stop

# --- a server that trusts only the issuing CA, as AWS IoT trusts the CA
# registered with it (openssl s_server -partial_chain) ---
tls_only() { # tls_only CAFILE CERT KEY: s_server trusting CAFILE only
	local p i
	p=$(free_port)
	openssl s_server -accept "$p" -cert "$srv/server.crt" -key "$srv/server.key" \
		-CAfile "$1" -partial_chain -Verify 3 -verify_return_error -naccept 1 \
		-tls1_2 -quiet >"$T/s_server.out" 2>&1 &
	broker=$!
	for i in $(seq 50); do
		grep -q ACCEPT "$T/s_server.out" 2>/dev/null && break
		sleep 0.1
	done
	run timeout 20 openssl s_client -connect "127.0.0.1:$p" -tls1_2 -CAfile "$srv/ca.pem" \
		-verify_return_error -cert "$2" -cert_chain "$2" -key "$3" </dev/null
	sleep 0.2
	kill "$broker" 2>/dev/null
	wait "$broker" 2>/dev/null
	broker=
}
tls_only "$fa/deviceRootCA.pem" "$dev/fa/thing1-chain.crt" "$dev/thing1.key"
is "$rc" 0 "trusting only factory: factory's device (leaf + issuing CA) is accepted"
like "$out" "Verify return code: 0" "trusting only factory: the handshake verifies"
tls_only "$fa/deviceRootCA.pem" "$dev/pb/other-chain.crt" "$dev/other.key"
[ "$rc" -ne 0 ]; ok $? "trusting only factory: plant-b's device is refused"
like "$(cat "$T/s_server.out")" "unable to get (local )?issuer certificate|certificate verify failed" "trusting only factory: for want of a trusted issuer"
tls_only "$on/deviceRootCA.pem" "$dev/on/other-chain.crt" "$dev/other.key"
is "$rc" 0 "trusting only online: the online CA's device is accepted"
run certtool --verify --load-ca-certificate "$fa/deviceRootCA.pem" --infile "$dev/fa/thing1-chain.crt"
is "$rc" 0 "certtool trusting only factory accepts its device"
run certtool --verify --load-ca-certificate "$fa/deviceRootCA.pem" --infile "$dev/pb/other-chain.crt"
[ "$rc" -ne 0 ]; ok $? "certtool trusting only factory refuses plant-b's device"

done_testing
