#!/usr/bin/python3
"""Writes a CSR (PEM) whose key is weak in one way, for the key-quality
tests of 'ceremony sign', 'intermediate --csr' and the CA key checks.
usage: weak_csr.py MODE OUT.csr SUBJECT-CN [KEY.pem]
MODE (RSA-2048 unless said):
  roca        p, q = k*M + (65537^a mod M), M the product of the primes
              2..167: the RSALib structure ROCA (CVE-2017-15361) detects
  fermat      q the next prime after p + 2^20: Fermat's method, round 1
  fermat50    q - p about 20 * 2^512: Fermat's method, round 50 or so
  fermat200   q - p about 40 * 2^512: round 200 or so, beyond the 100
  small       n = 65521 * q (65521 the largest prime below 2^16)
  exp65539    the modulus of KEY.pem (given) with e = 65539
  good        a sound key (p, q from openssl prime)
  ec-offcurve EC P-256, the point's y changed: not on the curve (the
              signature is then wrong too; the key is refused first)
  ec-infinity EC P-256, the point at infinity (one 00 byte)
The private key of an RSA mode is written to KEY.pem when given (and not
read). The subject is /C=US/CN=SUBJECT-CN."""
import base64
import math
import secrets
import subprocess
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from der import children, parse, tlv

SMALL = [p for p in range(3, 2000) if all(p % d for d in range(2, math.isqrt(p) + 1))]


def is_prime(n, rounds=32):
    if n < 2:
        return False
    for p in SMALL:
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for _ in range(rounds):
        a = secrets.randbelow(n - 3) + 2
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def openssl_prime(bits):
    out = subprocess.run(["openssl", "prime", "-generate", "-bits",
                          str(bits), "-hex"], check=True,
                         capture_output=True, text=True).stdout
    return int(out.strip(), 16)


def next_prime(x):
    x |= 1
    while not is_prime(x):
        x += 2
    return x


def roca_prime(bits):
    m = 2
    for p in SMALL:
        if p > 167:
            break
        m *= p
    # k*M + g above 2^(bits - 1/2): a product of two has 2 * bits bits
    lo = math.isqrt(1 << (2 * bits - 1)) // m + 1
    hi = (1 << bits) // m
    while True:
        g = pow(65537, secrets.randbits(64), m)
        p = (lo + secrets.randbelow(hi - lo)) * m + g
        if p < 1 << bits and math.gcd(p - 1, 65537) == 1 and is_prime(p):
            return p


def private_key(p, q, e=65537):
    n = p * q
    lam = (p - 1) * (q - 1) // math.gcd(p - 1, q - 1)
    d = pow(e, -1, lam)
    pub = rsa.RSAPublicNumbers(e, n)
    return rsa.RSAPrivateNumbers(p, q, d, d % (p - 1), d % (q - 1),
                                 pow(q, -1, p), pub).private_key()


def csr_of(key, cn):
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    return x509.CertificateSigningRequestBuilder().subject_name(name).sign(
        key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def ec_point(der, point):
    """The CSR with its EC point replaced, lengths fixed, signature kept."""
    _, body, _ = parse(der)
    (_, info), (_, alg), (_, sig) = children(body)
    parts = children(info)
    _, spki = parts[2]
    (_, kalg), _ = children(spki)
    parts[2] = (0x30, tlv(0x30, kalg) + tlv(0x03, b"\0" + point))
    info = b"".join(tlv(t, c) for t, c in parts)
    return tlv(0x30, tlv(0x30, info) + tlv(0x30, alg) + tlv(0x03, sig))


def pem(der):
    b = base64.b64encode(der).decode()
    lines = [b[i:i + 64] for i in range(0, len(b), 64)]
    return ("-----BEGIN CERTIFICATE REQUEST-----\n" + "\n".join(lines) +
            "\n-----END CERTIFICATE REQUEST-----\n").encode()


def main():
    mode, out, cn = sys.argv[1:4]
    keyfile = sys.argv[4] if len(sys.argv) > 4 else None
    key = None
    if mode == "roca":
        key = private_key(roca_prime(1024), roca_prime(1024))
    elif mode.startswith("fermat"):
        p = openssl_prime(1024)
        delta = {"fermat": 1 << 20, "fermat50": 20 << 512,
                 "fermat200": 40 << 512}[mode]
        key = private_key(p, next_prime(p + delta))
    elif mode == "small":
        while True:
            q = openssl_prime(2032)
            if (65521 * q).bit_length() == 2048:
                break
        key = private_key(65521, q)
    elif mode == "exp65539":
        old = serialization.load_pem_private_key(open(keyfile, "rb").read(),
                                                 None).private_numbers()
        key = private_key(old.p, old.q, 65539)
        keyfile = None
    elif mode == "good":
        while True:
            p, q = openssl_prime(1024), openssl_prime(1024)
            if (p * q).bit_length() == 2048:
                break
        key = private_key(p, q)
    if key is not None:
        der = csr_of(key, cn)
        if keyfile:
            open(keyfile, "wb").write(key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption()))
    else:
        k = ec.generate_private_key(ec.SECP256R1())
        der = csr_of(k, cn)
        pt = k.public_key().public_bytes(serialization.Encoding.X962,
                                         serialization.PublicFormat.UncompressedPoint)
        if mode == "ec-offcurve":
            pt = pt[:-1] + bytes([pt[-1] ^ 1])
        elif mode == "ec-infinity":
            pt = b"\0"
        else:
            sys.exit("weak_csr.py: unknown mode " + mode)
        der = ec_point(der, pt)
    open(out, "wb").write(pem(der))


if __name__ == "__main__":
    main()
