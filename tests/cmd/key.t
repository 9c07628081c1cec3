#!/bin/bash
# The CA key in a PKCS#11 token (SoftHSM2): every refusal (message, exit
# code, nothing written), key import from a file ceremony with a SLIP-39
# backup, restore --key-uri into a second, empty token, and sign's crash
# safety with a token key.
. "$(dirname "$0")/../lib.sh"

hsm_init
hsm_token ceremony && hsm_token spare
ok $? "two SoftHSM2 tokens in their own directory"
printf 'correct horse battery staple\n' >"$T/pass"
P=(--pin-file "$HSM/pin" --passphrase-file "$T/pass")
mkcsrs() { # mkcsrs DIR N: N EC CSRs /C=US/CN=<dir-name>N
	local i
	mkdir -p "$1"
	for i in $(seq "$2"); do
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout /dev/null -out "$1/$(basename "$1")$i.csr" \
			-subj "/C=US/CN=$(basename "$1")$i" 2>/dev/null || return 1
	done
}

run cer key --help
is "$rc" 0 "key --help exits 0"
like "$out" "import copies deviceRootCA.key" "key --help explains import"

# --- a token ceremony to break ---
d=$T/tk
run cer -C "$d" root --key ec-p256 --key-uri "$(hsm_uri ca)" "${P[@]}"
is "$rc" 0 "root --key-uri"
cer -C "$d" template --region us-east-2 --account 123456789012 --mode sni-only >/dev/null 2>&1
ok $? "template"
mkcsrs "$T/c" 3
ok $? "3 CSRs"

# --- refusals: exit code, message, nothing written ---
mkdir -m 700 "$T/n1" "$T/n2" "$T/n3" "$T/n4"
refuses 2 "/nonexistent/libnope.so: cannot load the PKCS#11 module \(no such module\?\)" "no such module" -- \
	cer -C "$d" sign --key-uri "pkcs11:token=ceremony;object=ca?module-path=/nonexistent/libnope.so" \
	"${P[@]}" "$T/c/c1.csr"
refuses 2 "no token labelled 'nope'" "no such token" -- \
	cer -C "$T/n1" root --key-uri "$(hsm_uri ca nope)" "${P[@]}"
refuses 2 "token 'ceremony': login failed: wrong PIN" "wrong PIN" -- \
	cer -C "$d" sign --pin-file "$HSM/badpin" "$T/c/c1.csr"
refuses 2 "already holds an object labelled 'ca'" "label already present" -- \
	cer -C "$T/n2" root --key-uri "$(hsm_uri ca)" "${P[@]}"
refuses 2 "the URI holds a PIN \(pin-value\)" "pin-value in the URI" -- \
	cer -C "$T/n3" root --key-uri "pkcs11:token=ceremony;object=x?pin-value=1234&module-path=$HSM_MOD" "${P[@]}"
refuses 2 "the URI holds a PIN \(pin-source\)" "pin-source in the URI" -- \
	cer -C "$T/n3" root --key-uri "pkcs11:token=ceremony;object=x?pin-source=file:/p" "${P[@]}"
refuses 2 "no PKCS#11 module: put module-path" "no module named" -- \
	env -u PKCS11_MODULE_PATH "$CEREMONY" -C "$T/n3" root --key-uri "pkcs11:token=ceremony;object=x" "${P[@]}"
refuses 2 "not a PKCS#11 URI" "not a URI" -- \
	cer -C "$T/n3" root --key-uri "file:///tmp/k" "${P[@]}"
refuses 2 "--pin-fd: 'x' is not a file descriptor" "bad --pin-fd" -- \
	cer -C "$d" sign --pin-fd x "$T/c/c1.csr"
# a token that cannot make EC keys
mkdir -p "$T.hsm/noec"
sed 's|^directories.tokendir.*|&\nslots.mechanisms = CKM_RSA_PKCS_KEY_PAIR_GEN,CKM_RSA_PKCS,CKM_SHA256_RSA_PKCS|' "$SOFTHSM2_CONF" >"$T.hsm/noec.conf"
refuses 2 "token 'ceremony' cannot make or hold this key type" "key type the token cannot make" -- \
	env SOFTHSM2_CONF="$T.hsm/noec.conf" "$CEREMONY" -C "$T/n4" root --key ec-p384 \
	--key-uri "$(hsm_uri ca-p384)" "${P[@]}"
# a root that fails after making the key leaves nothing, in the token too
mkdir -m 700 "$T/n5" "$T/n5/deviceRootCA.pem"
run cer -C "$T/n5" root --force --key-uri "$(hsm_uri late)" "${P[@]}"
is "$rc" 2 "root failing after the key is made: exit 2"
like "$err" "the key put in token 'ceremony' was removed again" "root failing late: the key is removed again"
is "$(ls "$T/n5")" "deviceRootCA.pem" "root failing late: no deviceRootCA.uri or other file left"
run pkcs11-tool --module "$HSM_MOD" --token-label ceremony --login --pin "$HSM_PIN" --list-objects
ok $(grep -c "label: *late" <<<"$out") "root failing late: no object labelled 'late' in the token"
rmdir "$T/n5/deviceRootCA.pem"
run cer -C "$T/n5" root --key-uri "$(hsm_uri late)" "${P[@]}"
is "$rc" 0 "the same label then works"
# deviceRootCA.uri naming another key than deviceRootCA.pem's
cer -C "$T/other" root --key ec-p256 --key-uri "$(hsm_uri other)" "${P[@]}" >/dev/null 2>&1
ok $? "a second token CA, key 'other'"
cp "$d/deviceRootCA.uri" "$T/uri.keep"
cp "$T/other/deviceRootCA.uri" "$d/deviceRootCA.uri"
refuses 1 "deviceRootCA.uri: the key in the token does not match deviceRootCA.pem" "uri names another key: sign" -- \
	cer -C "$d" sign "${P[@]}" "$T/c/c1.csr"
refuses 1 "deviceRootCA.uri: the key in the token does not match deviceRootCA.pem" "uri names another key: verification" -- \
	cer -C "$d" verification --registration-code "$(printf 'ab%.0s' $(seq 32))" "${P[@]}"
cp "$T/uri.keep" "$d/deviceRootCA.uri"
# both key files
printf 'stale\n' >"$d/deviceRootCA.key"
refuses 2 "both deviceRootCA.key and deviceRootCA.uri are present" "both .key and .uri: sign" -- \
	cer -C "$d" sign "${P[@]}" "$T/c/c1.csr"
refuses 2 "both deviceRootCA.key and deviceRootCA.uri are present" "both .key and .uri: key show" -- \
	cer -C "$d" key show "${P[@]}"
rm "$d/deviceRootCA.key"
# a locked PIN: SoftHSM2 never locks, so set the token's flag by hand
cp -r "$T.hsm" "$T.hsm/../$(basename "$T").lk"
L=$(dirname "$T")/$(basename "$T").lk
sed -i "s|$T.hsm|$L|" "$L/softhsm2.conf"
/usr/bin/python3 - "$L/tokens" <<'PY'
import glob, struct, sys
for f in glob.glob(sys.argv[1] + "/*/token.object"):
    d = bytearray(open(f, "rb").read())
    for off in range(len(d) - 8):
        x = struct.unpack(">Q", d[off:off + 8])[0]
        if x & 0x40d == 0x40d and x < 1 << 24:  # the token flags
            d[off:off + 8] = struct.pack(">Q", x | 1 << 18)  # USER_PIN_LOCKED
            break
    open(f, "wb").write(d)
PY
refuses 2 "token 'ceremony': the PIN is locked" "locked PIN" -- \
	env SOFTHSM2_CONF="$L/softhsm2.conf" "$CEREMONY" -C "$d" sign "${P[@]}" "$T/c/c1.csr"
rm -rf "$L"
run cer -C "$d" sign "${P[@]}" "$T/c/c1.csr"
is "$rc" 0 "after all that, the token ceremony still signs"

# --- file ceremony, backup, key import, sign ---
A=$T/a
cer -C "$A" root --key rsa2048 --passphrase-file "$T/pass" >/dev/null 2>&1 &&
	cer -C "$A" template --region us-east-2 --account 123456789012 --mode sni-only >/dev/null 2>&1
ok $? "file ceremony: root and template"
printf 'share phrase for tests\n' >"$T/spass"
(cd "$A" && cer backup --threshold 3 --shares 5 --iteration-exponent 0 \
	--passphrase-file "$T/pass" --share-passphrase-file "$T/spass" >/dev/null 2>&1)
ok $? "backup 3 of 5"
run cer -C "$A" key show
is "$rc" 0 "key show of a file key"
like "$out" "CA key +file deviceRootCA.key" "key show: the key is a file"
refuses 2 "key import: --key-uri URI is required" "key import without --key-uri" -- \
	cer -C "$A" key import "${P[@]}"
refuses 2 "key: say 'import' or 'show'" "key without a subcommand" -- cer -C "$A" key
refuses 2 "already holds an object labelled 'ca'" "key import onto a used label" -- \
	cer -C "$A" key import --key-uri "$(hsm_uri ca)" "${P[@]}"
run cer -C "$A" key import --key-uri "$(hsm_uri imported)" "${P[@]}"
is "$rc" 0 "key import"
like "$out" "test signature verified against deviceRootCA.pem" "key import checks a signature in the token"
[ ! -e "$A/deviceRootCA.key" ] && [ -s "$A/deviceRootCA.uri" ]
ok $? "deviceRootCA.key is gone, deviceRootCA.uri is there"
like "$(tail -1 "$A/transcript.log")" '"removed":"deviceRootCA.key".*"command":"key import"' "the transcript records the import"
run cer -C "$A" key show "${P[@]}"
like "$out" "CKA_EXTRACTABLE +false" "imported: CKA_EXTRACTABLE false"
like "$out" "CKA_NEVER_EXTRACTABLE +false" "imported: honest about once being a file"
refuses 2 "deviceRootCA.uri exists: the CA key is already in a token" "key import twice" -- \
	cer -C "$A" key import --key-uri "$(hsm_uri again)" "${P[@]}"
mkcsrs "$T/ia" 4
run cer -C "$A" sign "${P[@]}" --out "$T/ia-out" "$T/ia"/*.csr
is "$rc" 0 "sign with the imported key"
openssl verify -CAfile "$A/deviceRootCA.pem" "$T/ia-out/ia1.crt" >/dev/null
ok $? "openssl verify: the imported key's certificate"

# --- the token died: restore from 3 shares into the spare token ---
R=$T/r
mkdir -p "$R/backup"
cp "$A/deviceRootCA.pem" "$R/" && cp "$A/backup/deviceRootCA.vault" "$R/backup/"
(cd "$R" && cer template --region us-east-2 --account 123456789012 --mode sni-only >/dev/null 2>&1)
refuses 2 "no token labelled 'gone'" "restore into a missing token" -- \
	cer -C "$R" restore --key-uri "$(hsm_uri ca gone)" "${P[@]}" --share-passphrase-file "$T/spass" \
	"$A/backup/share-1-1.txt" "$A/backup/share-1-3.txt" "$A/backup/share-1-5.txt"
run cer -C "$R" restore --key-uri "$(hsm_uri ca spare)" "${P[@]}" --share-passphrase-file "$T/spass" \
	"$A/backup/share-1-1.txt" "$A/backup/share-1-3.txt" "$A/backup/share-1-5.txt"
is "$rc" 0 "restore --key-uri into the spare token from 3 shares"
like "$out" "Restored the CA key into the token \(deviceRootCA.uri\)" "restore says where"
[ ! -e "$R/deviceRootCA.key" ] && [ -s "$R/deviceRootCA.uri" ] && [ -s "$R/ceremony.key" ]
ok $? "restore wrote deviceRootCA.uri and ceremony.key, no deviceRootCA.key"
like "$(cat "$R/deviceRootCA.uri")" "token=spare;object=ca;" "the URI names the spare token"
mkcsrs "$T/rb" 3
run cer -C "$R" sign "${P[@]}" --out "$T/rb-out" "$T/rb"/*.csr
[ "$rc" = 0 ] || diag "$err"
is "$rc" 0 "sign with the restored token key"
openssl verify -CAfile "$A/deviceRootCA.pem" "$T/rb-out/rb1.crt" >/dev/null
ok $? "its certificates chain to the same deviceRootCA.pem"
run cer -C "$R" key show "${P[@]}"
like "$out" "token label +spare" "key show names the spare token"

# --- ceremony run with [root] key_uri ---
cer init "$T/run.cnf" >/dev/null
/usr/bin/python3 - "$T/run.cnf" "$(hsm_uri run-ca)" "$T/runca" <<'PY'
import sys
p, uri, d = sys.argv[1:]
s = open(p).read()
s = s[:s.index("[backup]")] + s[s.index("[bundle]"):]
s = s.replace("[root]\n", "[root]\nkey_uri = %s\n" % uri)
s = s.replace("registration_code = ask", "registration_code = " + "ab" * 32)
s = s.replace("directory = ca", "directory = " + d)
open(p, "w").write(s)
open(p + ".pin", "w").write(s.replace("?module-path", "?pin-value=1234&module-path"))
open(p + ".backup", "w").write(s + "[backup]\nthreshold = 2\nshares = 3\n")
PY
refuses 2 "\[root\] key_uri: the URI holds a PIN" "run: key_uri with pin-value" -- \
	cer run --yes "${P[@]}" "$T/run.cnf.pin"
refuses 2 "\[root\] key_uri: a key made in the token cannot be backed up" "run: key_uri with [backup]" -- \
	cer run --yes "${P[@]}" "$T/run.cnf.backup"
run cer run --check "$T/run.cnf"
like "$out" "ceremony root .*--key-uri 'pkcs11:token=ceremony;object=run-ca.*--pin-fd N" "run --check: root gets --key-uri and the PIN by fd"
mkdir -p "$T/tmp"
run env TMPDIR="$T/tmp" "$CEREMONY" run --rehearse --yes "$T/run.cnf"
is "$rc" 0 "run --rehearse with [root] key_uri"
like "$out" "REHEARSAL token: a throwaway SoftHSM2 token" "the rehearsal says it uses a throwaway token"
rd=$(ls -d "$T"/tmp/ceremony-REHEARSAL-*)
like "$(cat "$rd/deviceRootCA.uri")" "^pkcs11:token=REHEARSAL;object=run-ca;" "the rehearsal's key is in its own token"
run pkcs11-tool --module "$HSM_MOD" --token-label ceremony --login --pin "$HSM_PIN" --list-objects --type privkey
ok $(grep -c "label: *run-ca" <<<"$out") "the rehearsal left the real token alone"
rm -rf "$T/tmp"
run cer run --yes "${P[@]}" "$T/run.cnf"
is "$rc" 0 "run with [root] key_uri"
[ -s "$T/runca/deviceRootCA.uri" ] && [ ! -e "$T/runca/deviceRootCA.key" ] && [ -s "$T/runca/verificationCert.crt" ]
ok $? "run: the CA key in the token, verificationCert.crt signed by it"
openssl verify -CAfile "$T/runca/deviceRootCA.pem" "$T/runca/verificationCert.crt" >/dev/null
ok $? "run: openssl verify of verificationCert.crt"
grep -rqaF -- "$HSM_PIN" "$T/runca" "$T/run.cnf"
ok $((!$?)) "run: the PIN is in neither the config nor the ceremony directory"

# --- sign's crash safety with a token key ---
n=2000
mkdir -p "$T/many"
many_csrs "$n" "$T/many.pem"
ok $? "$n CSRs for the crash test"
kills=0 span=30
for i in $(seq 30); do
	"$CEREMONY" -C "$d" sign -q --jobs 2 "${P[@]}" --out "$T/kout" "$T/many.pem" >/dev/null 2>&1 &
	pid=$!
	sleep "$(printf '0.%02d' $((RANDOM % span + 4)))"
	# a run that ended before its kill: aim earlier next time (a fast
	# machine, or the batch already done and only checked again)
	if kill -KILL "$pid" 2>/dev/null; then kills=$((kills + 1)); else span=$((span > 4 ? span / 2 : 2)); fi
	wait "$pid" 2>/dev/null
	[ "$kills" -ge 8 ] && break
done
diag "killed $kills times"
[ "$kills" -ge 3 ]; ok $? "killed mid-batch at least 3 times"
run cer -C "$d" sign -q "${P[@]}" --out "$T/kout" "$T/many.pem"
is "$rc" 0 "a final rerun finishes the batch"
/usr/bin/python3 - "$n" "$d/ledger.jsonl" "$T/kout" <<'PY'
import sys, os, json, hashlib
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
lines = [json.loads(l) for l in open(sys.argv[2]) if '"crash' in l]
errs = []
if len(lines) != int(sys.argv[1]): errs.append("%d ledger lines" % len(lines))
if len({l["serial"] for l in lines}) != len(lines): errs.append("serial repeated")
names = os.listdir(sys.argv[3])
if any(n.startswith(".") for n in names): errs.append("temp files left")
for l in lines:
    der = x509.load_pem_x509_certificate(open(os.path.join(sys.argv[3], l["file"] + ".crt"), "rb").read()).public_bytes(Encoding.DER)
    if hashlib.sha256(der).hexdigest() != l["cert_sha256"]: errs.append(l["file"] + " differs")
print("\n".join(errs[:5]))
sys.exit(1 if errs else 0)
PY
ok $? "after the crashes: one cert per CSR, unique serials, files match the ledger"
openssl verify -CAfile "$d/deviceRootCA.pem" "$T/kout/crash00000.crt" >/dev/null
ok $? "openssl verify of a crash-test certificate"

done_testing
