#!/usr/bin/python3
# Writes a tar.gz the way ceremony's stream writer does (ustar headers as
# media/tar.c makes them, gzip as zlib with mtime 0 and OS 3), from
# the files of a folder (deflate level 1, as a batch archive), so that
# tests can make archives ceremony would
# accept but for one thing they change:
#   batch_tar.py OUT TOP MTIME DIR [EXTRA...]
# every regular file of DIR in byte order, then each EXTRA, a member
# spec "NAME=TEXT" (a regular file; NAME as given, slashes and .. kept) or
# "NAME@TYPE" (an empty member of tar type TYPE, e.g. 2 for a symlink);
# EXTRA members go in sorted order with the others.
import os
import sys
import zlib


def octal(v, width):
    return b"%0*o\0" % (width - 1, v)


def header(prefix, name, typ, mode, size, mtime):
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = octal(mode, 8)
    h[108:116] = octal(0, 8)
    h[116:124] = octal(0, 8)
    h[124:136] = octal(size, 12)
    h[136:148] = octal(mtime, 12)
    h[156] = ord(typ)
    h[257:265] = b"ustar\x0000"
    h[265:269] = b"root"
    h[297:301] = b"root"
    h[329:337] = octal(0, 8)
    h[337:345] = octal(0, 8)
    h[345:345 + len(prefix)] = prefix
    h[148:156] = b" " * 8
    h[148:155] = b"%06o\0" % sum(h)
    return bytes(h)


def main():
    out, top, mtime, d = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3]), sys.argv[4]
    members = []
    for n in sorted(os.listdir(d)):
        p = os.path.join(d, n)
        if os.path.isfile(p) and not os.path.islink(p):
            members.append((n.encode(), "0", open(p, "rb").read()))
    for x in sys.argv[5:]:
        if "=" in x:
            n, t = x.split("=", 1)
            members.append((n.encode(), "0", t.encode()))
        else:
            n, t = x.split("@", 1)
            members.append((n.encode(), t, b""))
    members.sort(key=lambda m: m[0])
    t = bytearray(header(b"", top + b"/", "5", 0o755, 0, mtime))
    for name, typ, data in members:
        pre = b"" if name.startswith(b"/") else top
        t += header(pre, name, typ, 0o644, len(data), mtime)
        t += data + b"\0" * ((512 - len(data) % 512) % 512)
    t += b"\0" * 1024
    z = zlib.compressobj(1, zlib.DEFLATED, 31, 8)
    open(out, "wb").write(z.compress(bytes(t)) + z.flush())


main()
