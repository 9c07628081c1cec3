"""The few DER pieces the CSR-making test tools need (imported by them from
this folder)."""


def length(n, extra=0):
    """DER length; extra > 0: long form with that many leading zeros."""
    if n < 128 and not extra:
        return bytes([n])
    b = n.to_bytes(max(1, (n.bit_length() + 7) // 8), "big")
    b = b"\0" * extra + b
    return bytes([0x80 | len(b)]) + b


def tlv(tag, content, extra=0):
    return bytes([tag]) + length(len(content), extra) + content


def integer(i):
    return tlv(2, i.to_bytes((i.bit_length() + 8) // 8 or 1, "big"))


def seq(*a):
    return tlv(0x30, b"".join(a))


def parse(d):
    """One TLV at the start of d: (tag, content, rest)."""
    tag, n, i = d[0], d[1], 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(d[2:2 + k], "big")
        i = 2 + k
    return tag, d[i:i + n], d[i + n:]


def children(content):
    out = []
    while content:
        tag, c, content = parse(content)
        out.append((tag, c))
    return out
