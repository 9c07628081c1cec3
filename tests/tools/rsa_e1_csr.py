#!/usr/bin/python3
"""Writes a DER CSR whose RSA key has public exponent 1: its "signature" is
just the PKCS#1 padding around the digest, made without any private key.
usage: rsa_e1_csr.py OUT.der CN"""
import hashlib
import os
import sys

from der import integer, seq, tlv


def oid(s):
    p = [int(x) for x in s.split(".")]
    out = bytes([40 * p[0] + p[1]])
    for v in p[2:]:
        enc = [v & 0x7F]
        v >>= 7
        while v:
            enc.insert(0, 0x80 | (v & 0x7F))
            v >>= 7
        out += bytes(enc)
    return tlv(6, out)


NULL = b"\x05\x00"
name = seq(tlv(0x31, seq(oid("2.5.4.6"), tlv(0x13, b"IN"))),
           tlv(0x31, seq(oid("2.5.4.3"), tlv(0x0C, sys.argv[2].encode()))))
n = int.from_bytes(os.urandom(256), "big") | (1 << 2047) | 1
spki = seq(seq(oid("1.2.840.113549.1.1.1"), NULL),
           tlv(3, b"\x00" + seq(integer(n), integer(1))))
info = seq(integer(0), name, spki, tlv(0xA0, b""))
digest = seq(seq(oid("2.16.840.1.101.3.4.2.1"), NULL),
             tlv(4, hashlib.sha256(info).digest()))
em = b"\x00\x01" + b"\xff" * (256 - 3 - len(digest)) + b"\x00" + digest
csr = seq(info, seq(oid("1.2.840.113549.1.1.11"), NULL), tlv(3, b"\x00" + em))
open(sys.argv[1], "wb").write(csr)
