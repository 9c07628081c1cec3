#!/bin/bash
# The CA and verification certificates checked by two independent X.509
# stacks (OpenSSL and GnuTLS) for every key type; the bundle-signing key
# checked by the real minisign.
. "$(dirname "$0")/../lib.sh"

for tool in openssl certtool minisign; do
	command -v "$tool" >/dev/null 2>&1; ok $? "$tool is installed"
done
[ "$_fail" -eq 0 ] || { done_testing; exit 1; }

# What aws iot get-registration-code prints is lower case; mixed case here
# shows the CN keeps the code exactly as given.
code=0123456789abcdefABCDEF0123456789abcdef0123456789ABCDEF0123456789

# serial DER-FILE: octets of the serial INTEGER's content, then its value
serial() {
	openssl asn1parse -in "$1" |
		awk '/d=2 .* prim: INTEGER/ { sub(/.*l= */, ""); split($0, a, /[ :]+/);
			print a[1], a[length(a)]; exit }'
}
# days CERT: notAfter - notBefore, in days
days() {
	local nb na
	nb=$(openssl x509 -in "$1" -noout -startdate | cut -d= -f2)
	na=$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)
	echo $((($(date -ud "$na" +%s) - $(date -ud "$nb" +%s)) / 86400))
}
# ext TEXT NAME: the line after "X509v3 NAME:" with its critical flag
ext() {
	printf '%s\n' "$1" | awk -v n="X509v3 $2:" 'index($0, n) { hdr = $0; getline;
		sub(/^ +/, ""); crit = (hdr ~ /critical/) ? "critical " : ""; print crit $0; exit }'
}

for key in rsa2048 rsa3072 rsa4096 ec-p256 ec-p384; do
	d=$T/$key
	run cer -C "$d" root --no-passphrase --key "$key"
	is "$rc" 0 "$key: root"
	run cer -C "$d" verification --registration-code "$code"
	is "$rc" 0 "$key: verification"
	ca=$d/deviceRootCA.pem
	ver=$d/verificationCert.crt

	case $key in
	rsa*) sig=sha256WithRSAEncryption; gsig=RSA-SHA256
		keyline="Public-Key: \(${key#rsa} bit\)" ;;
	ec-p256) sig=ecdsa-with-SHA256; gsig=ECDSA-SHA256; keyline="NIST CURVE: P-256" ;;
	ec-p384) sig=ecdsa-with-SHA384; gsig=ECDSA-SHA384; keyline="NIST CURVE: P-384" ;;
	esac

	# OpenSSL and GnuTLS agree the verification cert chains to the CA.
	run openssl verify -x509_strict -CAfile "$ca" "$ver"
	is "$rc:$out" "0:$ver: OK" "$key: openssl verify -CAfile deviceRootCA.pem verificationCert.crt"
	run certtool --verify --verify-profile=medium --load-ca-certificate "$ca" --infile "$ver"
	is "$rc" 0 "$key: certtool --verify passes"
	like "$out" "Chain verification output: Verified" "$key: GnuTLS: Verified"
	like "$out" "Signature algorithm: $gsig" "$key: GnuTLS sees $gsig"
	run certtool --verify --load-ca-certificate "$ca" --infile "$ca"
	is "$rc" 0 "$key: certtool accepts the CA as its own trust anchor"

	# The CA certificate's fields, as OpenSSL prints them.
	text=$(openssl x509 -in "$ca" -noout -text)
	like "$text" "Version: 3 \(0x2\)" "$key: CA is X.509 v3"
	is "$(ext "$text" "Basic Constraints")" "critical CA:TRUE" "$key: basicConstraints critical CA:TRUE"
	is "$(ext "$text" "Key Usage")" "critical Certificate Sign, CRL Sign" \
		"$key: keyUsage critical Certificate Sign, CRL Sign"
	ski=$(ext "$text" "Subject Key Identifier")
	like "$ski" '^([0-9A-F]{2}:){19}[0-9A-F]{2}$' "$key: CA has a subjectKeyIdentifier"
	is "$(ext "$text" "Authority Key Identifier" | sed 's/^keyid://')" "$ski" \
		"$key: CA authorityKeyIdentifier is its own key id"
	is "$(printf '%s\n' "$text" | grep -c "Signature Algorithm: $sig")" 2 "$key: CA signed with $sig"
	like "$text" "$keyline" "$key: CA key is $key"
	like "$text" "Subject: C = IN, O = AMZ, CN = " "$key: default subject C=IN, O=AMZ"
	is "$(days "$ca")" 3650 "$key: CA valid 3650 days"
	read -r len val < <(serial "$ca")
	[ "$len" -ge 8 ] && [ "$len" -le 20 ]; ok $? "$key: CA serial is 8-20 octets ($len)"
	[[ $val =~ ^[0-7][0-9A-F]+$ ]] && [[ ! $val =~ ^0+$ ]]; ok $? "$key: CA serial is positive ($val)"

	# The verification certificate.
	vtext=$(openssl x509 -in "$ver" -noout -text)
	is "$(openssl x509 -in "$ver" -noout -subject -nameopt RFC2253)" "subject=CN=$code" \
		"$key: verification cert subject is CN=<code>, case kept"
	is "$(openssl x509 -in "$ver" -noout -issuer -nameopt RFC2253)" \
		"$(openssl x509 -in "$ca" -noout -subject -nameopt RFC2253 | sed 's/^subject=/issuer=/')" \
		"$key: verification cert issuer is the CA's subject"
	like "$vtext" "Version: 3 \(0x2\)" "$key: verification cert is v3"
	is "$(ext "$vtext" "Basic Constraints")" "critical CA:FALSE" "$key: verification cert is not a CA"
	is "$(ext "$vtext" "Authority Key Identifier" | sed 's/^keyid://')" "$ski" \
		"$key: verification cert AKI is the CA's SKI"
	like "$(ext "$vtext" "Subject Key Identifier")" '^([0-9A-F]{2}:){19}[0-9A-F]{2}$' \
		"$key: verification cert has a subjectKeyIdentifier"
	is "$(printf '%s\n' "$vtext" | grep -c "Signature Algorithm: $sig")" 2 \
		"$key: verification cert signed with $sig"
	is "$(days "$ver")" 500 "$key: verification cert valid 500 days"
	read -r len val < <(serial "$ver")
	[ "$len" -ge 8 ] && [ "$len" -le 20 ] && [[ $val =~ ^[0-7] ]]
	ok $? "$key: verification serial is positive, 8-20 octets ($len)"
	[ "$(serial "$ca")" != "$(serial "$ver")" ]; ok $? "$key: serials differ"

	# GnuTLS parses both in full.
	run certtool -i --infile "$ca"
	is "$rc" 0 "$key: certtool -i parses the CA"
	like "$out" "Basic Constraints \(critical\):" "$key: GnuTLS sees critical basicConstraints"
	like "$out" "Certificate Authority \(CA\): TRUE" "$key: GnuTLS sees CA: TRUE"
	run certtool -i --infile "$ver"
	is "$rc" 0 "$key: certtool -i parses the verification cert"
	like "$out" "Subject: CN=$code" "$key: GnuTLS reads the code as the CN"
done

# A device cert from another CA with the same subject does not verify.
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/C=IN/O=AMZ/CN=Device Root CA" \
	-keyout "$T/other.key" -out "$T/other.pem" 2>/dev/null
run openssl verify -CAfile "$T/other.pem" "$T/rsa2048/verificationCert.crt"
[ "$rc" -ne 0 ]; ok $? "openssl: verification cert does not verify against another CA"
run certtool --verify --load-ca-certificate "$T/other.pem" --infile "$T/rsa2048/verificationCert.crt"
[ "$rc" -ne 0 ]; ok $? "certtool: verification cert does not verify against another CA"

# --- minisign: the bundle-signing key -------------------------------------
m=$T/ec-p256
echo "bundle manifest" >"$T/msg"
like "$(head -n 1 "$m/ceremony.pub")" "^untrusted comment: minisign public key [0-9A-F]{16}$" \
	"ceremony.pub has minisign's comment line"
like "$(tail -n 1 "$m/ceremony.pub")" "^RW[QRST][A-Za-z0-9+/]{53}$" "ceremony.pub key line: Ed25519, 56 base64 characters"
run minisign -S -s "$m/ceremony.key" -m "$T/msg" -x "$T/msg.sig" </dev/null
is "$rc" 0 "minisign signs with the unencrypted ceremony.key"
run minisign -V -p "$m/ceremony.pub" -m "$T/msg" -x "$T/msg.sig"
is "$rc" 0 "minisign -V -p ceremony.pub verifies it"
like "$out" "Signature and comment signature verified" "minisign: signature and comment verified"
run minisign -V -P "$(tail -n 1 "$m/ceremony.pub")" -m "$T/msg" -x "$T/msg.sig"
is "$rc" 0 "minisign -V -P <key line> verifies it"
run minisign -S -l -s "$m/ceremony.key" -m "$T/msg" -x "$T/legacy.sig" </dev/null
run minisign -V -p "$m/ceremony.pub" -m "$T/msg" -x "$T/legacy.sig"
is "$rc" 0 "legacy (non-prehashed) signature verifies too"
echo tampered >>"$T/msg"
run minisign -V -p "$m/ceremony.pub" -m "$T/msg" -x "$T/msg.sig"
[ "$rc" -ne 0 ]; ok $? "minisign rejects the signature on a changed file"
run minisign -V -p "$T/rsa2048/ceremony.pub" -m "$T/msg" -x "$T/msg.sig"
[ "$rc" -ne 0 ]; ok $? "minisign rejects the signature under another ceremony's key"

printf 'correct horse battery\n' >"$T/pw"
e=$T/enc
run cer -C "$e" root --key ec-p256 --passphrase-file "$T/pw"
is "$rc" 0 "root --passphrase-file"
grep -q '^RWRTY0Iy' "$e/ceremony.key" && grep -q '^RWQAAEIy' "$m/ceremony.key"
ok $? "ceremony.key is scrypt-encrypted with a passphrase (minisign 'Sc'), plain without"
echo "bundle manifest" >"$T/msg2"
run minisign -S -s "$e/ceremony.key" -m "$T/msg2" -x "$T/msg2.sig" <"$T/pw"
is "$rc" 0 "minisign signs with the encrypted ceremony.key (passphrase on stdin)"
run minisign -V -p "$e/ceremony.pub" -m "$T/msg2" -x "$T/msg2.sig"
is "$rc" 0 "minisign -V verifies the signature from the encrypted key"
printf 'wrong horse\n' >"$T/badpw"
run minisign -S -s "$e/ceremony.key" -m "$T/msg2" -x "$T/bad.sig" <"$T/badpw"
[ "$rc" -ne 0 ]; ok $? "minisign refuses a wrong passphrase"
like "$err$out" "Wrong password" "minisign: wrong password message"
[ ! -e "$T/bad.sig" ]; ok $? "no signature with a wrong passphrase"

done_testing
