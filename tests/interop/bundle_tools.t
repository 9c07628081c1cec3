#!/bin/bash
# Bundles against real tools: GNU tar, sha256sum, minisign, zbarimg. Frames
# lost, shuffled and duplicated; every single-byte change refused; hostile
# archives made with Python's tarfile refused, each with its own message.
. "$(dirname "$0")/../lib.sh"

export SOURCE_DATE_EPOCH=1700000000
# Random but repeatable: BUNDLE_SEED=N reruns a failing draw.
seed=${BUNDLE_SEED:-$RANDOM}
diag "random seed $seed (BUNDLE_SEED=$seed to repeat)"
# Under the sanitizers every process is slow: check every Nth position.
stride=${TAMPER_STRIDE:-1}
case $CEREMONY in *asan*) stride=${TAMPER_STRIDE:-7} ;; esac

# QR codes only: other symbologies can find a stray "barcode" in a QR
# image (import skips such lines, but here every line must be a frame).
zbar() { zbarimg --nodbus --raw -q -Sdisable -Sqrcode.enable "$@" 2>/dev/null; }

p=$T/pristine
cer -C "$p" root --no-passphrase --key ec-p256 >/dev/null 2>&1
cer -C "$p" verification --registration-code "$(openssl rand -hex 32)" >/dev/null 2>&1
cer -C "$p" template --region us-east-2 --account 123456789012 >/dev/null 2>&1
pub=$(sed -n 2p "$p/ceremony.pub")
fresh() { rm -rf "$T/w" && cp -a "$p" "$T/w"; }

# Standard tools on the archive.
fresh
run cer -C "$T/w" bundle --name tools
is "$rc" 0 "bundle"
tgz=$T/w/bundle/tools.tar.gz
x=$T/x && mkdir "$x"
tar -xzf "$tgz" -C "$x"; ok $? "GNU tar -xzf extracts the archive"
(cd "$x/tools" && sha256sum -c MANIFEST >/dev/null); ok $? "sha256sum -c MANIFEST"
run minisign -Vm "$x/tools/MANIFEST" -P "$pub"
is "$rc" 0 "minisign -Vm MANIFEST -P <key> verifies"
run minisign -Vm "$x/tools/MANIFEST" -p "$x/tools/ceremony.pub"
is "$rc" 0 "minisign -V with the bundled ceremony.pub file"
printf ' ' >>"$x/tools/MANIFEST"
run minisign -Vm "$x/tools/MANIFEST" -P "$pub"
is "$rc" 1 "minisign refuses a changed MANIFEST"
gunzip -t "$tgz"; ok $? "gzip -t accepts the archive"

# zbarimg reads every PNG we write: versions 10-25, levels L/M/Q, scales
# 2-8; the scanned lines import to the same archive.
levels=(L M Q)
i=0
for v in $(seq 10 25); do
	l=${levels[i % 3]} s=$((2 + i % 7))
	i=$((i + 1))
	fresh
	cer -C "$T/w" bundle --name z --qr-version "$v" --qr-level "$l" --scale "$s" >/dev/null 2>&1 ||
		{ fail "bundle at $v-$l scale $s"; continue; }
	q=$T/w/bundle/qr
	zbar "$q"/frame-*.png >"$T/scan.txt"
	is "$(sort "$T/scan.txt" | sha256sum)" "$(sort "$q/frames.txt" | sha256sum)" \
		"zbarimg decodes every frame exactly ($v-$l, scale $s, $(wc -l <"$q/frames.txt") frames)"
	run cer import --qr "$T/scan.txt" --pubkey "$pub" --out "$T/o"
	has "$out" "archive SHA-256  $(sha256sum <"$T/w/bundle/z.tar.gz" | cut -d' ' -f1)" \
		"import --qr rebuilds the identical archive ($v-$l)"
	rm -rf "$T/o"
done

# The restore path as documented, through a pipe.
fresh
cer -C "$T/w" bundle --name pipe >/dev/null 2>&1
q=$T/w/bundle/qr
zbarimg --raw -q "$q"/frame-*.png 2>/dev/null | cer import --qr - --pubkey "$pub" --out "$T/o" >"$T/out" 2>&1
ok $? "zbarimg --raw -q frames/*.png | ceremony import --qr -"
cmp -s "$T/o/deviceRootCA.pem" "$T/w/deviceRootCA.pem"; ok $? "pipe: files unpacked"
rm -rf "$T/o"

# Any k of the n scanned frames, shuffled, with duplicates: many draws.
zbar "$q"/frame-*.png >"$T/scan.txt"
n=$(wc -l <"$T/scan.txt")
k=$(tail -1 "$T/w/transcript.log" | jq -r .frames_needed)
want=$(sha256sum <"$T/w/bundle/pipe.tar.gz" | cut -d' ' -f1)
good=0
for t in $(seq 1 30); do
	shuf -n "$k" --random-source=<(rnd "k$t") "$T/scan.txt" >"$T/pick.txt"
	shuf -n 3 --random-source=<(rnd "d$t") "$T/pick.txt" >>"$T/pick.txt"
	shuf --random-source=<(rnd "s$t") "$T/pick.txt" >"$T/draw.txt"
	if cer import --qr "$T/draw.txt" --pubkey "$pub" --out "$T/o" >"$T/out" 2>&1 &&
		grep -qF "archive SHA-256  $want" "$T/out"; then
		good=$((good + 1))
	else
		diag "draw $t failed: $(cat "$T/out")"
	fi
	rm -rf "$T/o"
done
is "$good" 30 "30 random draws of k=$k of n=$n frames (shuffled, 3 duplicates) rebuild the archive"
short=0
for t in $(seq 1 8); do
	shuf -n "$((k - 1))" --random-source=<(rnd "m$t") "$T/scan.txt" >"$T/draw.txt"
	run cer import --qr "$T/draw.txt" --pubkey "$pub" --out "$T/o"
	[ "$rc" = 1 ] && grep -q "need 1 more frame" <<<"$err" && [ ! -e "$T/o" ] && short=$((short + 1))
done
is "$short" 8 "8 random draws of k-1 frames: refused, 'need 1 more frame', nothing written"

# Same inputs, same bytes, with the time taken from the transcript too.
for j in 1 2; do
	rm -rf "$T/d$j" && cp -a "$p" "$T/d$j"
	env -u SOURCE_DATE_EPOCH "$CEREMONY" -C "$T/d$j" bundle --name same >/dev/null 2>&1
done
cmp -s "$T/d1/bundle/same.tar.gz" "$T/d2/bundle/same.tar.gz"; ok $? "built twice: identical archives"
diff -r "$T/d1/bundle/qr" "$T/d2/bundle/qr" >/dev/null; ok $? "built twice: identical QR folders"

# Tamper: a small bundle (sni-only; small QR codes and one parity frame, so
# the frames hold few bytes more than the archive), every byte of the
# archive and every byte of every frame (binary, re-encoded) and every
# character of one frame line changed in turn. Each import must fail
# (exit 1) and write nothing.
s=$T/small
cer -C "$s" root --no-passphrase --key ec-p256 >/dev/null 2>&1
cer -C "$s" template --region us-east-2 --account 123456789012 --mode sni-only >/dev/null 2>&1
cer -C "$s" bundle --name s --qr-version 10 --qr-level L --parity 1 >/dev/null 2>&1
spub=$(sed -n 2p "$s/ceremony.pub")
cat >"$T/tamper.py" <<'EOF'
import concurrent.futures as cf, os, shutil, subprocess, sys
A45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
def b45dec(s):
    out = bytearray()
    for i in range(0, len(s), 3):
        c = [A45.index(ch) for ch in s[i:i + 3]]
        v = sum(x * 45 ** j for j, x in enumerate(c))
        out += v.to_bytes(2, "big") if len(c) == 3 else bytes([v])
    return bytes(out)
def b45enc(b):
    out = ""
    for i in range(0, len(b), 2):
        if i + 1 < len(b):
            v = b[i] << 8 | b[i + 1]
            out += A45[v % 45] + A45[v // 45 % 45] + A45[v // 2025]
        else:
            out += A45[b[i] % 45] + A45[b[i] // 45]
    return out
binary, mode, src, pub, work, stride = sys.argv[1:7]
stride = int(stride)
cases = []  # (name, bytes of the input file, args)
if mode == "archive":
    data = open(src, "rb").read()
    for i in range(0, len(data), stride):
        b = bytearray(data); b[i] ^= 1
        cases.append(("byte %d" % i, bytes(b), ["in"]))
else:
    lines = open(src).read().split("\n")[:-1]
    tag = lines[0][:4]
    for f, line in enumerate(lines):
        raw = b45dec(line[4:])
        assert b45enc(raw) == line[4:]
        for i in range(0, len(raw), stride):
            r = bytearray(raw); r[i] ^= 1
            new = lines[:]; new[f] = tag + b45enc(bytes(r))
            cases.append(("frame %d byte %d" % (f + 1, i), ("\n".join(new) + "\n").encode(), ["--qr", "in"]))
    for i in range(4, len(lines[0]), stride):
        c = chr(ord(lines[0][i]) ^ 1)
        new = lines[:]; new[0] = lines[0][:i] + c + lines[0][i + 1:]
        cases.append(("frame 1 char %d" % i, ("\n".join(new) + "\n").encode(), ["--qr", "in"]))
def one(case):
    name, data, args = case
    d = os.path.join(work, "t%d" % id(case))
    os.mkdir(d)
    open(os.path.join(d, "in"), "wb").write(data)
    r = subprocess.run([binary, "import"] + args + ["--pubkey", pub, "--out", "out"],
                       cwd=d, capture_output=True)
    extra = sorted(set(os.listdir(d)) - {"in"})
    shutil.rmtree(d)
    return name, r.returncode, extra, r.stderr.decode(errors="replace").strip()
bad = 0
with cf.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
    for name, rc, extra, err in ex.map(one, cases):
        if rc != 1 or extra or not err:
            bad += 1
            print("# %s: exit %d, left %s: %s" % (name, rc, extra, err[-200:]))
print("%d %d" % (len(cases), bad))
EOF
mkdir "$T/tw"
res=$(/usr/bin/python3 "$T/tamper.py" "$CEREMONY" archive "$s/bundle/s.tar.gz" "$spub" "$T/tw" "$stride")
sed -n '/^#/p' <<<"$res"
set -- $(tail -1 <<<"$res")
is "$2" 0 "archive: all $1 single-byte changes refused, nothing written ($(wc -c <"$s/bundle/s.tar.gz") bytes, stride $stride)"
res=$(/usr/bin/python3 "$T/tamper.py" "$CEREMONY" frames "$s/bundle/qr/frames.txt" "$spub" "$T/tw" "$stride")
sed -n '/^#/p' <<<"$res"
set -- $(tail -1 <<<"$res")
is "$2" 0 "frames: all $1 single-byte changes refused, nothing written ($(wc -l <"$s/bundle/qr/frames.txt") frames, stride $stride)"
[ "$1" -gt 100 ]; ok $? "frames: the tamper run covered $1 cases"

# Hostile archives, made with Python's tarfile and gzip.
cat >"$T/hostile.py" <<'EOF'
import gzip, io, sys, tarfile
kind, good, out = sys.argv[1:4]
def member(t, name, data=b"x", type=tarfile.REGTYPE, link=""):
    ti = tarfile.TarInfo(name)
    ti.size = len(data) if type == tarfile.REGTYPE else 0
    ti.type, ti.linkname, ti.mode, ti.mtime = type, link, 0o644, 1700000000
    ti.uname = ti.gname = "root"
    t.addfile(ti, io.BytesIO(data) if type == tarfile.REGTYPE else None)
def top(t):
    member(t, "h/", type=tarfile.DIRTYPE)
buf = io.BytesIO()
if kind in ("truncated", "trailing"):
    raw = open(good, "rb").read()
    open(out, "wb").write(raw[:-20] if kind == "truncated" else raw + b"\0" * 16)
    sys.exit(0)
with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
    top(t)
    if kind == "symlink":
        member(t, "h/ceremony.pub", type=tarfile.SYMTYPE, link="/etc/passwd")
    elif kind == "hardlink":
        member(t, "h/a"); member(t, "h/b", type=tarfile.LNKTYPE, link="h/a")
    elif kind == "device":
        member(t, "h/dev", type=tarfile.CHRTYPE)
    elif kind == "fifo":
        member(t, "h/fifo", type=tarfile.FIFOTYPE)
    elif kind == "dotdot":
        member(t, "h/../x")
    elif kind == "absolute":
        member(t, "/etc/x")
    elif kind == "duplicate":
        member(t, "h/MANIFEST"); member(t, "h/MANIFEST")
    elif kind == "oversized":
        member(t, "h/big", b"\0" * (5 << 20))
    elif kind == "bomb":
        member(t, "h/bomb", b"\0" * (64 << 20))
    elif kind == "subfolder":
        member(t, "h/d", type=tarfile.DIRTYPE)
    elif kind == "deep":
        member(t, "h/a/b/c/d/e/f")
    elif kind == "twotops":
        member(t, "h/a"); member(t, "i/b")
open(out, "wb").write(gzip.compress(buf.getvalue(), 9, mtime=0))
EOF
hostile() { # hostile KIND REGEX: import refuses a hostile archive of KIND
	/usr/bin/python3 "$T/hostile.py" "$1" "$s/bundle/s.tar.gz" "$T/$1.tar.gz" || { fail "make $1"; return; }
	refuses 1 "$2" "hostile $1" -- cer import "$T/$1.tar.gz" --pubkey "$pub" --out "$T/o"
}
hostile symlink "member 'h/ceremony.pub' is a symlink: only regular files are allowed"
hostile hardlink "member 'h/b' is a hard link: only regular files"
hostile device "member 'h/dev' is a character device"
hostile fifo "member 'h/fifo' is a fifo"
hostile dotdot "member 'h/../x' has a '..' component"
hostile absolute "member '/etc/x' has an absolute path"
hostile duplicate "duplicate member name 'h/MANIFEST'"
hostile oversized "member 'h/big' is 5242880 bytes, over the"
hostile bomb "archive expands to more than [0-9]+ bytes: refused \(gzip bomb\?\)"
hostile subfolder "member 'h/d/' is a directory: only the top folder may be one"
hostile deep "member 'h/a/b/c/d/e/f' has a bad name .*at most 5 deep"
hostile twotops "member 'i/b' is under a second top folder"
hostile truncated "truncated gzip stream"
hostile trailing "trailing garbage"

done_testing
