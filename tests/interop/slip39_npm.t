#!/bin/bash
# SLIP-39 interop with an independent implementation: the npm package
# `slip39` (JavaScript). It recovers our shares, we recover its shares
# (extendable and legacy), we pass the spec's test vectors it ships, and
# a ceremony backup is opened with it and Node's own ciphers alone.
. "$(dirname "$0")/../lib.sh"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "1..1"; echo "not ok 1 - node and npm are needed (scripts/install-deps --test)"
	exit 1
fi
NPM=$T/npm
mkdir -p "$NPM"
if ! npm install --prefix "$NPM" --no-audit --no-fund --loglevel=error \
	slip39 >"$T/npm.log" 2>&1; then
	echo "1..1"; echo "not ok 1 - npm could not install slip39 (is the npm registry reachable?): $(tail -1 "$T/npm.log")"
	exit 1
fi
export NODE_PATH=$NPM/node_modules
VECTORS=$NPM/node_modules/slip39/test/vectors.json
diag "slip39 $(node -p 'require("slip39/package.json").version')"

# js-recover PASS < mnemonics: the master secret in hex
cat >"$T/recover.js" <<'EOF'
const slip39 = require("slip39");
const m = require("fs").readFileSync(0, "utf8").trim().split("\n");
for (const x of m)
	if (!slip39.validateMnemonic(x)) throw new Error("invalid: " + x);
const s = slip39.recoverSecret(m, process.argv[2] || "");
console.log(Buffer.from(s).toString("hex"));
EOF
# js-split HEX PASS EXP EXT PATHS...: mnemonics made by the JS library,
# 2 of [1 of 1, 3 of 5, 2 of 6]
cat >"$T/split.js" <<'EOF'
const slip39 = require("slip39");
const [hex, pass, e, ext, ...paths] = process.argv.slice(2);
const s = slip39.fromArray(Array.from(Buffer.from(hex, "hex")), {
	passphrase: pass, threshold: 2, groups: [[1, 1], [3, 5], [2, 6]],
	iterationExponent: +e, extendableBackupFlag: +ext });
for (const p of paths) console.log(s.fromPath(p).mnemonics[0]);
EOF

S16=bb54aac4b89dc868ba37d9cc21b2cece
S32=$(openssl rand -hex 32)
printf 'TREZOR\n' >"$T/pass" # the vectors' passphrase: read, any length
printf 'TREZORTREZOR\n' >"$T/newpass" # a new one: 12 characters at least

# ours -> theirs
echo "$S16" | cer shares split --threshold 3 --shares 5 \
	--passphrase-file "$T/newpass" >"$T/ours"
got=$(sed -n '1p;3p;5p' "$T/ours" | node "$T/recover.js" TREZORTREZOR)
is "$got" "$S16" "npm slip39 recovers our 3-of-5 shares (128 bits, passphrase, e=1)"
echo "$S32" | cer shares split --group 2/3 --group 3/5 --group 1/1 \
	--group-threshold 2 --iteration-exponent 0 >"$T/ours2"
got=$(sed -n '2p;3p;9p' "$T/ours2" | node "$T/recover.js")
is "$got" "$S32" "npm slip39 recovers our two-level shares (256 bits)"
got=$(sed -n '4p;6p;8p;1p;3p' "$T/ours2" | node "$T/recover.js")
is "$got" "$S32" "and another group combination"

# theirs -> ours
for ext in 1 0; do
	node "$T/split.js" "$S32" TREZOR 2 $ext r/0 r/1/4 r/1/0 r/1/2 >"$T/theirs"
	got=$(cer shares combine --reveal --passphrase-file "$T/pass" <"$T/theirs")
	is "$got" "$S32" "we recover npm slip39 shares (ext=$ext, e=2, groups)"
	node "$T/split.js" "$S16" "" 0 $ext r/2/5 r/2/1 r/1/3 r/1/1 r/1/2 >"$T/theirs"
	got=$(cer shares combine --reveal <"$T/theirs")
	is "$got" "$S16" "we recover npm slip39 shares (ext=$ext, no passphrase)"
	run bash -c "head -3 '$T/theirs' | '$CEREMONY' shares combine"
	is "$rc" 1 "an incomplete npm set does not combine (ext=$ext)"
done

# the spec's test vectors, as shipped with the npm package
if [ -r "$VECTORS" ]; then
	node -e '
	const v = require(process.argv[1]);
	v.forEach((t, i) => console.log(JSON.stringify([i, t[0], t[2], t[1]])));
	' "$VECTORS" >"$T/vectors"
	total=0 good=0
	while read -r line; do
		name=$(echo "$line" | jq -r '.[1]')
		want=$(echo "$line" | jq -r '.[2]')
		echo "$line" | jq -r '.[3][]' >"$T/vm"
		got=$(cer shares combine --reveal --passphrase-file "$T/pass" <"$T/vm" 2>/dev/null)
		total=$((total + 1))
		if [ "$got" = "$want" ]; then good=$((good + 1)); else
			diag "vector '$name': got '$got', want '$want'"; fi
	done <"$T/vectors"
	is "$good/$total" "$total/$total" "all SLIP-39 test vectors (valid and invalid)"
	[ "$total" -ge 40 ]
	ok $? "at least 40 vectors ran ($total)"
else
	fail "the npm package ships test/vectors.json"
fi

# a ceremony backup, restored without ceremony: npm slip39 gives K, Node's
# chacha20 (HChaCha20) and chacha20-poly1305 open the vault
cat >"$T/vault.js" <<'EOF'
const crypto = require("crypto"), fs = require("fs");
const [vaultFile, keyHex, outDir] = process.argv.slice(2);
const text = fs.readFileSync(vaultFile, "latin1");
const end = text.indexOf("\n\n") + 2;            // header = AD, through the blank line
const header = Buffer.from(text.slice(0, end), "latin1");
const nonce = Buffer.from(/\nnonce: ([0-9a-f]{48})\n/.exec(text.slice(0, end))[1], "hex");
const body = Buffer.from(text.slice(end).replace(/\n/g, ""), "base64");
const key = Buffer.from(keyHex, "hex");
// HChaCha20 = the ChaCha20 block without the final addition of the input
const n16 = nonce.subarray(0, 16);
const ks = crypto.createCipheriv("chacha20", key, n16).update(Buffer.alloc(64));
const sigma = Buffer.from("expand 32-byte k"), sub = Buffer.alloc(32);
for (let i = 0; i < 4; i++) {
	sub.writeUInt32LE((ks.readUInt32LE(4 * i) - sigma.readUInt32LE(4 * i)) >>> 0, 4 * i);
	sub.writeUInt32LE((ks.readUInt32LE(48 + 4 * i) - n16.readUInt32LE(4 * i)) >>> 0, 16 + 4 * i);
}
const iv = Buffer.concat([Buffer.alloc(4), nonce.subarray(16)]);
const d = crypto.createDecipheriv("chacha20-poly1305", sub, iv, { authTagLength: 16 });
d.setAAD(header, { plaintextLength: body.length - 16 });
d.setAuthTag(body.subarray(body.length - 16));
const pt = Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]);
for (let o = 0; o < pt.length;) {                 // "NAME LEN\n" + bytes
	const nl = pt.indexOf(10, o), [name, len] = pt.subarray(o, nl).toString().split(" ");
	fs.writeFileSync(outDir + "/" + name, pt.subarray(nl + 1, nl + 1 + +len), { mode: 0o600 });
	o = nl + 1 + +len;
}
EOF
C=$T/c
mkdir "$C" && cd "$C" || exit 2
cer root --no-passphrase --key ec-p256 >/dev/null 2>&1 &&
	cer backup --threshold 2 --shares 3 --share-passphrase-file "$T/newpass" >/dev/null
ok $? "a ceremony backup with a SLIP-39 passphrase"
{ words backup/share-1-3.txt; words backup/share-1-1.txt; } >"$T/bk"
k=$(node "$T/recover.js" TREZORTREZOR <"$T/bk")
is "${#k}" 64 "npm slip39 recovers the 32-byte vault key from two sheets"
mkdir "$T/opened"
node "$T/vault.js" backup/deviceRootCA.vault "$k" "$T/opened" 2>"$T/node.err"
ok $? "Node's ciphers open the vault with that key"
is "$(openssl pkey -in "$T/opened/deviceRootCA.key" -pubout 2>&1)" \
	"$(openssl x509 -in deviceRootCA.pem -noout -pubkey)" \
	"the CA key from the vault is the certificate's (openssl)"
is "$(openssl pkey -in "$T/opened/deviceRootCA.key" -pubout)" \
	"$(openssl pkey -in deviceRootCA.key -pubout)" "and the original key"
echo hi >"$T/msg"
minisign -S -s "$T/opened/ceremony.key" -m "$T/msg" -x "$T/msg.sig" </dev/null >/dev/null 2>&1 &&
	minisign -V -p ceremony.pub -m "$T/msg" -x "$T/msg.sig" >/dev/null 2>&1
ok $? "the signing key from the vault signs for ceremony.pub (minisign)"
# the README's Python recipe (PyNaCl) opens the vault with the same key
PY=/usr/bin/python3
"$PY" -c 'import nacl.bindings' 2>/dev/null
ok $? "Debian's python3-nacl is installed (scripts/install-deps --test)"
if "$PY" -c 'import nacl.bindings' 2>/dev/null; then
	cat >"$T/open_vault.py" <<'EOF'
import base64, re, sys
import nacl.bindings as na

text = open(sys.argv[1], "rb").read()
end = text.index(b"\n\n") + 2                 # the header, through the blank line
header, body = text[:end], base64.b64decode(text[end:].replace(b"\n", b""))
nonce = bytes.fromhex(re.search(rb"\nnonce: ([0-9a-f]{48})\n", header).group(1).decode())
pt = na.crypto_aead_xchacha20poly1305_ietf_decrypt(body, header, nonce,
                                                    bytes.fromhex(sys.argv[2]))
i = 0
while i < len(pt):                            # "NAME LEN\n" + bytes, repeated
    nl = pt.index(b"\n", i)
    name, n = pt[i:nl].decode().split(" ")
    with open(name, "xb") as f:
        f.write(pt[nl + 1:nl + 1 + int(n)])
    i = nl + 1 + int(n)
EOF
	mkdir "$T/py" && (cd "$T/py" && "$PY" "$T/open_vault.py" "$C/backup/deviceRootCA.vault" "$k")
	ok $? "PyNaCl opens the vault (README recipe)"
	is "$(openssl pkey -in "$T/py/deviceRootCA.key" -pubout 2>&1)" \
		"$(openssl x509 -in deviceRootCA.pem -noout -pubkey)" \
		"PyNaCl: the CA key is the certificate's"
fi
sed -i 's/^scheme: 2 of 3$/scheme: 3 of 3/' backup/deviceRootCA.vault
node "$T/vault.js" backup/deviceRootCA.vault "$k" "$T/opened" 2>/dev/null
[ $? -ne 0 ]
ok $? "Node refuses the vault once its header is altered (header is AD)"

done_testing
