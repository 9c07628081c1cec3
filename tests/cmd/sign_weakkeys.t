#!/bin/bash
# Weak keys: device CSRs whose RSA modulus has the ROCA fingerprint, a
# small prime factor, primes close enough for Fermat's method, another
# exponent than 65537, the key of another CSR or of a ledger entry, EC
# points off the curve or at infinity. Each refused with its own message
# while the good CSRs of the same batch are signed; the same keys refused
# by intermediate --csr; a root with a weak key refused by sign,
# intermediate, verification, template, bundle and key import. The keys
# are made here (tests/tools/weak_csr.py) and checked to be what they
# claim with Python's own arithmetic.
. "$(dirname "$0")/../lib.sh"
W=$TESTS_DIR/tools/weak_csr.py

d=$T/c
cer -C "$d" root --no-passphrase --key ec-p256 >/dev/null 2>&1 &&
	cer -C "$d" template --region us-east-2 --account 123456789012 \
		--mode sni-only >/dev/null 2>&1
ok $? "ceremony dir with an EC P-256 CA and a template"

c=$T/csrs
k=$T/keys
mkdir -p "$c" "$k"
w() { /usr/bin/python3 "$W" "$1" "$c/$2.csr" "$2" "$k/$2.pem"; }
w roca roca && w fermat fermat && w fermat50 fermat50 && w fermat200 fermat200 &&
	w small small && w good good && w ec-offcurve offcurve &&
	w ec-infinity infinity &&
	/usr/bin/python3 "$W" exp65539 "$c/exp.csr" exp "$k/good.pem"
ok $? "weak CSRs made"
openssl req -new -key "$k/good.pem" -subj "/C=US/CN=samekey" -out "$c/samekey.csr" &&
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj "/C=US/CN=goodec" -keyout /dev/null -out "$c/goodec.csr" 2>/dev/null
ok $? "a CSR with the good RSA key again, and a good EC CSR"

# the fixtures are what they claim, by Python's arithmetic
fix=$(/usr/bin/python3 - "$k" "$c" <<'PY'
import math, sys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
k, c = sys.argv[1], sys.argv[2]
def nums(name):
    return serialization.load_pem_private_key(open("%s/%s.pem" % (k, name), "rb").read(), None).private_numbers()
def n_of(name):
    return x509.load_pem_x509_csr(open("%s/%s.csr" % (c, name), "rb").read()).public_key().public_numbers()
out = []
# ROCA: n mod each prime 3..167 is a power of 65537
ps = [p for p in range(3, 168) if all(p % d for d in range(2, p))]
n = n_of("roca").n
out.append("roca %d %d" % (n.bit_length(), all(n % p in {pow(65537, i, p) for i in range(p)} for p in ps)))
for name in ("fermat", "fermat50", "fermat200"):
    r = nums(name)
    a = math.isqrt(r.public_numbers.n - 1) + 1
    # the round that finds (p + q) / 2
    out.append("%s %d %d" % (name, r.public_numbers.n.bit_length(), (r.p + r.q) // 2 - a + 1))
r = nums("small")
out.append("small %d %d" % (r.public_numbers.n.bit_length(), min(r.p, r.q)))
e = n_of("exp")
out.append("exp %d %d" % (e.e, e.n == nums("good").public_numbers.n))
print(" / ".join(out))
PY
)
like "$fix" "^roca 2048 1 / fermat 2048 1 / fermat50 2048 [3-7][0-9] / fermat200 2048 ([2-9][0-9]{2}|1[0-9]{2,}) / small 2048 65521 / exp 65539 1$" \
	"fixtures: ROCA residues, Fermat rounds 1, ~50 and over 100, factor 65521, same n with e = 65537 + 2 ($fix)"
r50=$(sed 's/.*fermat50 2048 \([0-9]*\).*/\1/' <<<"$fix")

# --- one batch: the weak refused, each with its own message; the good signed ---
run cer -C "$d" sign --quiet --out "$T/batch" --csr-dir "$c"
is "$rc" 1 "batch with weak keys exits 1"
o=$T/batch
reason() { # reason NAME REGEX
	like "$(grep -F "$c/$1.csr: " "$o/rejected.txt")" "$2" "rejected $1: $2"
	like "$err" "$c/$1.csr: .*$2" "stderr names $1"
}
reason roca "RSA modulus has the ROCA fingerprint \(CVE-2017-15361, Infineon RSALib\): its private key can be computed from it"
reason fermat "RSA modulus falls to Fermat's factorization in round 1 of 100: its two primes are too close together"
reason fermat50 "RSA modulus falls to Fermat's factorization in round $r50 of 100"
reason small "RSA modulus has the prime factor 65521 \(below 2\^16\): anyone can factor it"
reason exp "RSA public exponent 65539 is not 65537 \(as Let's Encrypt's goodkey requires"
reason offcurve "EC public key is not a point on the curve"
reason infinity "EC public key is the point at infinity"
reason samekey "duplicate: the same public key as $c/good.csr in this batch"
is "$(wc -l <"$o/rejected.txt")" 8 "8 rejections, one line each"
is "$(cut -d: -f2- "$o/rejected.txt" | sort | uniq -d)" "" "each with its own message"
is "$(cd "$o" && ls *.crt | sort | tr '\n' ' ')" \
	"fermat200-chain.crt fermat200.crt good-chain.crt good.crt goodec-chain.crt goodec.crt " \
	"only the 3 good CSRs signed (Fermat beyond 100 rounds is not refused)"
is "$(wc -l <"$d/ledger.jsonl")" 3 "ledger: the 3 signed"
grep -q '"cn":"good"' "$d/ledger.jsonl"
is "$?" 0 "ledger: the good RSA device"
for n in roca fermat fermat50 small exp offcurve infinity samekey; do
	grep -q "\"cn\":\"$n\"" "$d/ledger.jsonl"
	is "$?" 1 "ledger: nothing for $n"
done
like "$(cat "$o/summary.txt")" "rejected +8" "summary: 8 rejected"
run openssl verify -CAfile "$d/deviceRootCA.pem" "$o/good.crt"
is "$rc:$out" "0:$o/good.crt: OK" "the good RSA device verifies"

# --- the same RSA modulus again in a later batch: the ledger refuses it
# (--strict: a batch with a refusal writes nothing) ---
mkdir -p "$T/later"
openssl req -new -key "$k/good.pem" -subj "/C=US/CN=again" -out "$T/later/again.csr"
openssl req -new -key "$k/fermat200.pem" -subj "/C=US/CN=again2" -out "$T/later/again2.csr"
refuses 1 "again.csr: duplicate: the same public key as the certificate already issued to CN 'good' \(serial [0-9a-f]{32}, batch [0-9a-f]{16}\)" \
	"the same RSA key as a ledger entry" -- cer -C "$d" sign --strict --out "$T/o2" "$T/later/again.csr"
refuses 1 "again2.csr: duplicate: the same public key as the certificate already issued to CN 'fermat200'" \
	"another RSA key of the ledger" -- cer -C "$d" sign --strict --out "$T/o2" "$T/later/again2.csr"

# --- intermediate --csr: the same keys refused, nothing written ---
S=(--subject "/C=IN/O=AMZ/CN=Bad Issuing CA")
im() { # im NAME REGEX
	refuses 1 "$1.csr: $2.*; nothing written" "intermediate --csr $1" -- \
		cer -C "$d" intermediate bad --csr "$c/$1.csr" "${S[@]}"
}
im roca "RSA modulus has the ROCA fingerprint \(CVE-2017-15361"
im fermat "RSA modulus falls to Fermat's factorization in round 1 of 100"
im small "RSA modulus has the prime factor 65521"
im exp "RSA public exponent 65539 is not 65537"
im infinity "EC public key is the point at infinity"
# OpenSSL's CSR decoder refuses the point itself
im offcurve "the CSR's public key does not parse"
run cer -C "$d" intermediate good --csr "$c/fermat200.csr" "${S[@]}"
is "$rc" 0 "intermediate --csr with a sound RSA key"

# --- a root whose key is weak: every command that would use it refuses ---
# weakroot DIR KEY: DIR/deviceRootCA.{key,pem} replaced by KEY and a CA
# certificate for it that passes every other rule
weakroot() {
	/usr/bin/python3 "$TESTS_DIR/tools/root_cert.py" "$1" "$2" "Weak Root" none --install-key
}
hsm_init
hsm_token ceremony
ok $? "a SoftHSM2 token for key import"
code=$(printf 'ab%.0s' $(seq 32))
for weak in roca fermat small; do
	case $weak in
	roca) msg="RSA modulus has the ROCA fingerprint \(CVE-2017-15361" ;;
	fermat) msg="RSA modulus falls to Fermat's factorization in round 1" ;;
	small) msg="RSA modulus has the prime factor 65521" ;;
	esac
	r=$T/root-$weak
	cer -C "$r" root --no-passphrase --key rsa2048 >/dev/null 2>&1 &&
		cer -C "$r" template --region us-east-2 --account 123456789012 \
			--mode sni-only >/dev/null 2>&1 && weakroot "$r" "$k/$weak.pem"
	ok $? "$weak: a ceremony whose root key is $weak-weak"
	refuses 1 "deviceRootCA.pem: not a usable CA certificate: $msg" "$weak root: sign" -- \
		cer -C "$r" sign --out "$T/o-$weak" "$c/goodec.csr"
	refuses 1 "deviceRootCA.pem: not a usable root CA certificate: $msg" "$weak root: intermediate" -- \
		cer -C "$r" intermediate x --subject /CN=x --no-passphrase
	refuses 1 "deviceRootCA.pem: $msg.*; not registered" "$weak root: verification" -- \
		cer -C "$r" verification --registration-code "$code"
	refuses 1 "deviceRootCA.pem: $msg.*; not registered" "$weak root: template" -- \
		cer -C "$r" template --region eu-west-1 --account 123456789012 --mode sni-only --force
	refuses 1 "deviceRootCA.pem: $msg" "$weak root: bundle" -- cer -C "$r" bundle
	refuses 1 "deviceRootCA.key: $msg.*; the token is not touched" "$weak root: key import" -- \
		cer -C "$r" key import --key-uri "$(hsm_uri ca)" --pin-file "$HSM/pin"
	is "$(pkcs11-tool --module "$HSM_MOD" --token-label ceremony --login \
		--pin "$HSM_PIN" --list-objects 2>/dev/null)" "" "$weak root: the token holds no object"
done

done_testing
