#!/usr/bin/python3
"""Writes a CSR (DER) that is valid but not in DER, or whose algorithm
parameters or key field break the rules, for the tests of 'ceremony sign'.
usage: ber_csr.py MODE OUT.der CN
MODE:
  outer-long    the outer SEQUENCE length one byte longer than needed
  indefinite    the outer SEQUENCE with an indefinite length (BER)
  subject-long  a length inside the subject not in its shortest form,
                signed as it is
  rdn-unsorted  a two-attribute RDN whose SET OF is not sorted (DER sorts
                it), signed as it is
  ecdsa-null    ECDSA signature AlgorithmIdentifier with NULL parameters
  rsa-absent    sha256WithRSAEncryption without its NULL parameters
  rsa-trailing  two bytes after the RSAPublicKey in the key's BIT STRING,
                signed as it is"""
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from der import children, parse, tlv


def main():
    mode, out, cn = sys.argv[1:4]
    rsa_key = mode.startswith("rsa")
    if rsa_key:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    der = x509.CertificateSigningRequestBuilder().subject_name(name).sign(
        key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    _, body, _ = parse(der)
    (_, info), (_, alg), (_, sig) = children(body)

    def sign(tbs):
        if rsa_key:
            s = key.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
        else:
            s = key.sign(tbs, ec.ECDSA(hashes.SHA256()))
        return tlv(0x30, tbs + tlv(0x30, alg) + tlv(0x03, b"\0" + s))

    if mode == "outer-long":
        res = tlv(0x30, body, extra=1)
    elif mode == "indefinite":
        res = b"\x30\x80" + body + b"\0\0"
    elif mode == "ecdsa-null":
        res = tlv(0x30, tlv(0x30, info) + tlv(0x30, alg + b"\x05\x00") +
                  tlv(0x03, sig))
    elif mode == "rsa-absent":
        oid = children(alg)[0]
        res = tlv(0x30, tlv(0x30, info) + tlv(0x30, tlv(*oid)) +
                  tlv(0x03, sig))
    elif mode == "subject-long":
        ver, subj, spki, attrs = children(info)
        rdns = b""
        for _, rdn in children(subj[1]):
            (_, atv), = children(rdn)
            (otag, o), (stag, s) = children(atv)
            rdns += tlv(0x31, tlv(0x30, tlv(otag, o) + tlv(stag, s, extra=1)))
        res = sign(tlv(0x30, tlv(*ver) + tlv(0x30, rdns) + tlv(*spki) +
                       tlv(*attrs)))
    elif mode == "rdn-unsorted":
        ver, subj, spki, attrs = children(info)
        atvs = sorted(tlv(0x30, atv) for _, rdn in children(subj[1])
                      for _, atv in children(rdn))
        rdns = tlv(0x31, b"".join(reversed(atvs)))
        res = sign(tlv(0x30, tlv(*ver) + tlv(0x30, rdns) + tlv(*spki) +
                       tlv(*attrs)))
    elif mode == "rsa-trailing":
        ver, subj, spki, attrs = children(info)
        (atag, a), (btag, bits) = children(spki[1])
        spki = tlv(0x30, tlv(atag, a) + tlv(btag, bits + b"\0\0"))
        res = sign(tlv(0x30, tlv(*ver) + tlv(*subj) + spki + tlv(*attrs)))
    else:
        sys.exit("ber_csr.py: unknown mode " + mode)
    with open(out, "wb") as f:
        f.write(res)


main()
