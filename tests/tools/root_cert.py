#!/usr/bin/python3
"""Writes DIR/deviceRootCA.pem: a self-signed CA certificate, valid for ten
years, that passes ceremony's CA rules (critical basicConstraints and
keyUsage keyCertSign+cRLSign, SKI, AKI), for the key in KEY.pem; with
--install-key the key also becomes DIR/deviceRootCA.key (PKCS#8, clear).
usage: root_cert.py DIR KEY.pem CN PATHLEN|none [--install-key]"""
import datetime
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID


def main():
    d, kf, cn, pl = sys.argv[1:5]
    k = serialization.load_pem_private_key(open(kf, "rb").read(), None)
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    name = x509.Name(attrs)
    now = datetime.datetime.now(datetime.timezone.utc)
    ski = x509.SubjectKeyIdentifier.from_public_key(k.public_key())
    aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)
    ku = x509.KeyUsage(False, False, False, False, False, True, True, False,
                       False)
    bc = x509.BasicConstraints(ca=True,
                               path_length=None if pl == "none" else int(pl))
    c = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
         .public_key(k.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(minutes=5))
         .not_valid_after(now + datetime.timedelta(days=3650))
         .add_extension(bc, critical=True)
         .add_extension(ku, critical=True)
         .add_extension(ski, critical=False)
         .add_extension(aki, critical=False)
         .sign(k, hashes.SHA256()))
    with open(d + "/deviceRootCA.pem", "wb") as f:
        f.write(c.public_bytes(serialization.Encoding.PEM))
    if "--install-key" in sys.argv[5:]:
        with open(d + "/deviceRootCA.key", "wb") as f:
            f.write(k.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))


if __name__ == "__main__":
    main()
