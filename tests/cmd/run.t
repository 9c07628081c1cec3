#!/bin/bash
# ceremony init / run: config checks, checkpoints, resume, rehearsal.
. "$(dirname "$0")/../lib.sh"

cd "$T"
code=$(openssl rand -hex 32)
printf 'run passphrase\n' >pw
run cer init
is "$rc" 0 "init writes the example config"
grep -q "^\[ceremony\]" ceremony.cnf; ok $? "example has [ceremony]"
refuses 2 "ceremony.cnf exists; use --force" "init over an existing config" -- cer init

# a config for the steps this build has
mk() { # mk FILE: example with the code filled in and only root..template
	sed -e "s/^registration_code = ask/registration_code = $code/" \
	    -e "s/^key = rsa2048/key = ec-p256/" ceremony.cnf |
	awk '/^\[backup\]|^\[bundle\]/ {skip=1} /^\[(ceremony|root|verification|template)\]/ {skip=0} !skip' >"$1"
}
mk good.cnf
run cer run --check good.cnf
is "$rc" 0 "--check accepts the example"
like "$out" "SHA-256 $(sha256sum <good.cnf | cut -d' ' -f1)" "prints the config SHA-256"
like "$out" "ceremony root --key ec-p256" "prints the plan"
[ ! -e ca ]; ok $? "--check does nothing"

sed 's/^days = 3650/days = 3650\nkeysize = 2048/' good.cnf >bad.cnf
refuses 2 "bad.cnf:[0-9]+: unknown key 'keysize' in \[root\]" "unknown key" -- cer run --check bad.cnf
n=$(grep -n '^keysize' bad.cnf | cut -d: -f1)
like "$err" "bad.cnf:$n:" "unknown key: names its line"
sed '/^\[ceremony\]/,/^directory/d' good.cnf >bad.cnf
refuses 2 "\[ceremony\] needs 'name = ...'" "missing section" -- cer run --check bad.cnf
sed 's/^days = 3650/days = ten years/' good.cnf >bad.cnf
refuses 2 "bad.cnf:[0-9]+: days = ten years: expected a number from 1 to 36500" "bad value" -- cer run --check bad.cnf
sed 's/^key = ec-p256/key = ec-p256\nkey = rsa4096/' good.cnf >bad.cnf
refuses 2 "bad.cnf:[0-9]+: duplicate key 'key' in \[root\] \(first at line [0-9]+\)" "duplicate key" -- cer run --check bad.cnf
sed 's/^\[template\]/[templates]/' good.cnf >bad.cnf
refuses 2 "unknown section \[templates\]" "unknown section" -- cer run --check bad.cnf
sed "s/^registration_code = .*/registration_code = 12ab/" good.cnf >bad.cnf
refuses 2 "registration_code: expected the 64 hex characters" "bad registration code" -- cer run --check bad.cnf
sed 's/^subject = .*/subject = CN=x/' good.cnf >bad.cnf
refuses 2 "subject: subject must start with '/'" "bad subject" -- cer run --check bad.cnf
{ cat good.cnf; echo ".include $T/other.cnf"; } >bad.cnf
printf '[root]\nkey = rsa4096\n' >other.cnf
refuses 2 "bad.cnf:[0-9]+: directives \(.include, .pragma\) are not allowed" "an .include directive" -- cer run --check bad.cnf
sed 's/^key = ec-p256/key = $ENV::KT/' good.cnf >bad.cnf
KT=rsa4096 refuses 2 "bad.cnf:[0-9]+: '\\\$' references are not allowed" "an environment reference" -- cer run --check bad.cnf
printf '[ceremony\nname = x\n' >bad.cnf
refuses 2 "bad.cnf:1: syntax error" "syntax error" -- cer run --check bad.cnf

# The plan is pasted into a shell: every value is one shell word, so
# hostile custodian names run nothing.
evil1="x' ; touch PWNED1 ; echo '"
evil2='Bob;touch PWNED2 `touch PWNED3` "q"'
sed -e "s/^registration_code = ask/registration_code = $code/" \
    -e "s/^custodians = .*/custodians = \"$evil1\", '$evil2'/" ceremony.cnf >evil.cnf
run cer run --check evil.cnf
is "$rc" 0 "--check: hostile custodian names are valid text"
grep '^  ceremony ' "$T/out" | sed 's/^  //' >plan.sh
is "$(wc -l <plan.sh)" 5 "--check: one plan line per step"
sh -n plan.sh; ok $? "the printed plan parses with sh -n"
mkdir -p scratch/bin
printf '#!/bin/sh\nprintf "%%s\\n" "$@" >>argv\n' >scratch/bin/ceremony
chmod +x scratch/bin/ceremony
(cd scratch && PATH=$PWD/bin:$PATH sh ../plan.sh) 2>/dev/null
is "$(ls scratch | tr '\n' ' ')" "argv bin " "pasting the plan creates no stray file"
[ ! -e PWNED1 ] && [ ! -e PWNED2 ] && [ ! -e PWNED3 ]; ok $? "nor outside the scratch dir"
grep -Fxq -- "$evil1" scratch/argv; ok $? "the first name is one argument, as written"
grep -Fxq -- "$evil2" scratch/argv; ok $? "the second name is one argument, as written"
is "$(grep -c '^--custodian$' scratch/argv)" 2 "two --custodian options"
has "$(sed -n '/^backup$/,$p' scratch/argv | head -12 | tr '\n' '|')" \
	"backup|--threshold|3|--shares|5|--custodian|$evil1|--custodian|$evil2|" \
	"backup's argv, word for word"
grep '^subject' ceremony.cnf | sed 's/^subject = //' >subject.txt
grep -Fxq -- "$(cat subject.txt)" scratch/argv; ok $? "a subject with spaces stays one argument"
rm -rf scratch plan.sh subject.txt evil.cnf
sed -e "s/^registration_code = ask/registration_code = $code/" \
    -e 's/^custodians = .*/custodians = Al\\nice, Bob/' ceremony.cnf >bad.cnf
refuses 2 "bad.cnf:[0-9]+: custodians: control character \\\\x0a in the value" \
	"a control character in a value (a line break in the plan)" -- cer run --check bad.cnf

# checkpoint answered with anything but yes stops
run sh -c "echo no | '$CEREMONY' run --passphrase-file pw good.cnf"
is "$rc" 1 "checkpoint 'no': exit 1"
like "$err" "stopped at the checkpoint" "checkpoint 'no': message"
[ -f ca/deviceRootCA.pem ] && [ ! -e ca/verificationCert.crt ]; ok $? "checkpoint 'no': nothing after root"
run sh -c "echo YES | '$CEREMONY' run --passphrase-file pw good.cnf"
is "$rc" 1 "checkpoint 'YES' is not yes"
run sh -c "echo yes | '$CEREMONY' run --passphrase-file pw good.cnf"
is "$rc" 0 "re-run continues and completes"
like "$out" "root: done earlier, skipped" "re-run skips root"
for f in deviceRootCA.pem verificationCert.crt jitp_template.json register.sh; do
	[ -f "ca/$f" ]; ok $? "run wrote $f"
done
openssl verify -CAfile ca/deviceRootCA.pem ca/verificationCert.crt >/dev/null; ok $? "run's verification cert verifies"
run cer -C ca transcript verify
is "$rc" 0 "run's transcript verifies"
is "$(head -1 ca/transcript.log | jq -r .args.config_sha256)" "$(sha256sum <good.cnf | cut -d' ' -f1)" "transcript records the config hash"
head -1 ca/transcript.log | jq -e '.args.airgap | has("interfaces_up") and has("rng_ready")' >/dev/null
ok $? "transcript records the air-gap report"

# crash after a step wrote its files but before its transcript line
sed -i '$d' ca/transcript.log
rm ca/jitp_template.json
run cer run --yes --passphrase-file pw good.cnf
is "$rc" 0 "re-run after a crash in template completes"
like "$out" "== template" "template step re-run"
run cer -C ca transcript verify
is "$rc" 0 "transcript intact after recovery"

# a changed config is refused
sed 's/^days = 500/days = 400/' good.cnf >changed.cnf
refuses 1 "config changed since this ceremony started" "changed config" -- \
	cer run --yes --passphrase-file pw changed.cnf

# rehearsal never touches the real directory
mkdir real && sed 's/^directory = ca/directory = real/' good.cnf >reh.cnf
run env TMPDIR="$T" "$CEREMONY" run --rehearse --yes reh.cnf
is "$rc" 0 "rehearsal completes"
is "$(ls -A real)" "" "rehearsal leaves the real directory empty"
rdir=$(ls -d "$T"/ceremony-REHEARSAL-* | head -1)
[ -d "$rdir" ]; ok $? "rehearsal dir is named REHEARSAL"
like "$(openssl x509 -in "$rdir/deviceRootCA.pem" -noout -subject)" "REHEARSAL" "rehearsal subject says REHEARSAL"
is "$(head -1 "$rdir/transcript.log" | jq -r .mark)" "REHEARSAL" "rehearsal transcript says REHEARSAL"

# the same artifacts as single commands
mkdir single && (cd single &&
	cer root --key ec-p256 --subject "/C=IN/O=AMZ/CN=Acme Device Root CA 2026" --no-passphrase &&
	cer verification --registration-code "$code" &&
	cer template --region us-east-2 --account 123456789012) >/dev/null 2>&1
is "$(cd ca && ls | grep -v '^transcript' | sort | tr '\n' ' ')" "$(cd single && ls | grep -v '^transcript' | sort | tr '\n' ' ')" "run and single commands write the same files"
is "$(jq -S . ca/jitp_template.json)" "$(jq -S . single/jitp_template.json)" "same template"
is "$(openssl x509 -in ca/deviceRootCA.pem -noout -subject)" "$(openssl x509 -in single/deviceRootCA.pem -noout -subject)" "same CA subject"

# --require-airgap, both branches on every run, each in a network namespace
# of its own (unshare -n, as root): one with only its loopback, down, and
# no route; one with an interface up and a default route.
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null || ! command -v ip >/dev/null; then
	fail "--require-airgap: both branches need root, unshare (util-linux) and ip (iproute2)"
	diag "running as uid $(id -u); unshare: $(command -v unshare || echo missing); ip: $(command -v ip || echo missing)"
else
	run unshare -n sh -c 'ip -o link show up; cat /proc/net/route'
	is "$rc:$(grep -v '^Iface' <<<"$out" | grep -c .)" "0:0" "isolated namespace: no interface up, no route"
	sed 's/^directory = ca/directory = iso/' good.cnf >iso.cnf
	run unshare -n "$CEREMONY" run --yes --require-airgap --passphrase-file pw iso.cnf
	is "$rc" 0 "--require-airgap passes with only a loopback, down"
	! grep -q "air gap:" <<<"$err"; ok $? "isolated: no air-gap problem reported"
	is "$(head -1 iso/transcript.log | jq -c '.args.airgap | [.interfaces_up, .default_route]')" \
		'[[],false]' "isolated: the transcript records no interface up and no default route"
	# a dummy interface (a veth where the kernel has no dummy driver), up,
	# with an address and a default route through it
	net='(ip link add d0 type dummy 2>/dev/null || ip link add d0 type veth peer name d1) &&
		ip link set d0 up && ip addr add 10.9.0.2/24 dev d0 &&
		ip route add default via 10.9.0.1 && exec "$@"'
	run unshare -n sh -c "$net" sh sh -c 'ip -o link show up; cat /proc/net/route'
	like "$out" "^[0-9]+: d0[:@]" "networked namespace: d0 is up"
	like "$out" "d0	00000000	0100090A" "networked namespace: default route via 10.9.0.1 on d0"
	sed 's/^directory = ca/directory = net/' good.cnf >net.cnf
	refuses 1 "air gap: network interface d0 is up" "--require-airgap with an interface up and a default route" -- \
		unshare -n sh -c "$net" sh "$CEREMONY" run --yes --require-airgap --passphrase-file pw net.cnf
	like "$err" "air gap: a default route is configured" "--require-airgap names the default route"
	like "$err" "--require-airgap: 2 air-gap problem\(s\) above" "--require-airgap counts both problems"
fi

# the whole ceremony: root, verification, template, backup, bundle
sed -e "s/^registration_code = ask/registration_code = $code/" \
    -e "s/^key = rsa2048/key = ec-p256/" -e "s/^iteration_exponent = 1/iteration_exponent = 0/" \
    -e "s/^directory = ca/directory = full/" ceremony.cnf >full.cnf
# stopped at the root checkpoint, at the second share, before the bundle
run sh -c "printf 'yes\nyes\nno\n' | '$CEREMONY' run --passphrase-file pw full.cnf"
is "$rc" 1 "'no' at the second share's checkpoint stops"
[ -f full/backup/deviceRootCA.vault ] && [ ! -e full/bundle ]; ok $? "stopped after backup: no bundle"
run sh -c "printf 'yes\nyes\nyes\nyes\nno\n' | '$CEREMONY' run --passphrase-file pw full.cnf"
is "$rc" 1 "'no' at the transcript-head checkpoint stops"
like "$out" "share-1-1.txt handed to custodian Alice" "resume does not ask again for a passed share"
[ ! -e full/bundle ]; ok $? "stopped before the bundle: none written"
run sh -c "yes yes | '$CEREMONY' run --passphrase-file pw full.cnf"
is "$rc" 0 "full ceremony completes after two interruptions"
is "$(grep -c "\"command\":\"checkpoint:backup:share-1-[1-5]\"" full/transcript.log)" 5 "one checkpoint per share in the transcript"
like "$(grep "\"command\":\"checkpoint:backup:" full/transcript.log | tail -1)" "share-1-5.txt handed to custodian Erin" "share checkpoints name the custodian"
like "$out" "checkpoint: witnesses have recorded the transcript head" "checkpoint before the bundle"
[ -f full/backup/deviceRootCA.vault ]; ok $? "backup vault written"
tgz=$(ls full/bundle/*.tar.gz)
[ -f "$tgz" ] && [ -f full/bundle/qr/frames.txt ]; ok $? "bundle written as tar.gz and QR frames"
run cer import "$tgz" --pubkey-file full/ceremony.pub --out "$T/imported"
is "$rc" 0 "the run's bundle imports with the pinned key"
run sh -c "cd full && '$CEREMONY' restore --check backup/share-1-1.txt backup/share-1-3.txt backup/share-1-5.txt"
is "$rc" 0 "3 of the run's 5 shares restore (--check)"
is "$(grep -c '"command":"checkpoint:' full/transcript.log)" 7 "checkpoints recorded in the transcript"

# a SLIP-39 passphrase from a file, never from the config
printf 'share words passphrase\n' >spw
sed -e "s/^slip39_passphrase = no/slip39_passphrase = yes/" -e "s/^directory = full/directory = sp/" \
    -e "/^\[bundle\]/,\$d" full.cnf >sp.cnf
run cer run --yes --passphrase-file pw --share-passphrase-file spw sp.cnf
is "$rc" 0 "run with slip39_passphrase = yes and --share-passphrase-file"
grep -q "^slip39-passphrase: yes" sp/backup/deviceRootCA.vault; ok $? "the vault records a SLIP-39 passphrase"
! grep -q "share words passphrase" sp/transcript.log sp.cnf; ok $? "the SLIP-39 passphrase is in neither transcript nor config"
run sh -c "cd sp && '$CEREMONY' restore --check --share-passphrase-file ../spw backup/share-1-2.txt backup/share-1-4.txt backup/share-1-5.txt"
is "$rc" 0 "restore --check with the SLIP-39 passphrase"
printf 'wrong\n' >bad
run sh -c "cd sp && '$CEREMONY' restore --check --share-passphrase-file ../bad backup/share-1-2.txt backup/share-1-4.txt backup/share-1-5.txt"
is "$rc" 1 "a wrong SLIP-39 passphrase does not open the vault"
# a new ceremony's passphrases are new ones: 12 characters at least,
# refused before the ceremony directory is made
sed -e "s/^directory = .*/directory = short/" good.cnf >short.cnf
printf 'elevenchars\n' >short.pw
refuses 2 "short.pw: the new CA key passphrase has 11 characters; a new passphrase needs at least 12" \
	"run: a short new key passphrase" -- cer run --yes --passphrase-file short.pw short.cnf
sed -e "s/^directory = .*/directory = short/" sp.cnf >short.cnf
refuses 2 "short.pw: the new SLIP-39 share passphrase has 11 characters" \
	"run: a short new SLIP-39 passphrase" -- \
	cer run --yes --passphrase-file pw --share-passphrase-file short.pw short.cnf
rm short.cnf short.pw
# registration_code = ask with nothing on stdin
sed -e "s/^key = rsa2048/key = ec-p256/" -e "s/^directory = ca/directory = ask/" ceremony.cnf |
	awk '/^\[backup\]|^\[bundle\]/ {skip=1} /^\[(ceremony|root|verification|template)\]/ {skip=0} !skip' >ask.cnf
run cer run --yes --passphrase-file pw ask.cnf </dev/null
is "$rc" 2 "registration code asked, none given: exit 2"
like "$err" "no registration code given" "registration code asked, none given: message"
[ ! -e ask/verificationCert.crt ] && [ ! -e ask/jitp_template.json ]; ok $? "registration code asked, none given: nothing after root"
run sh -c "echo '$code' | '$CEREMONY' run --yes --passphrase-file pw ask.cnf"
is "$rc" 0 "the code typed in on the re-run completes the ceremony"
is "$(openssl x509 -in ask/verificationCert.crt -noout -subject -nameopt multiline | awk -F' = ' '/commonName/ {print $2}')" "$code" "the typed code is the verification CN"

# [intermediate NAME] sections: checked like the others, run after root
sed -e 's/^# \[intermediate factory-a\]/[intermediate factory-a]/' \
    -e 's/^# \(subject = \/C=IN\/O=AMZ\/CN=Acme Factory\)/\1/' \
    -e 's/^# \(days = 1826\)/\1/' -e 's/^# \(key = ec-p256\)/\1/' \
    -e 's/^directory = ca/directory = inter/' good.cnf >inter.cnf
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout online.key \
	-out online.csr -subj "/CN=online" 2>/dev/null
printf '\n[intermediate online]\nsubject = /C=IN/O=AMZ/CN=Online Issuing CA\ncsr = online.csr\n' >>inter.cnf
grep -q '^\[intermediate factory-a\]' inter.cnf && grep -q '^key = ec-p256' inter.cnf
ok $? "init's example holds an [intermediate NAME] section to uncomment"
run cer run --check inter.cnf
is "$rc" 0 "--check accepts [intermediate NAME] sections"
plan=$(grep '^  ceremony ' <<<"$out" | cut -d' ' -f4-5)
is "$(head -3 <<<"$plan" | tr '\n' '|')" "root --key|intermediate factory-a|intermediate online|" "the plan: each intermediate after root, in file order"
like "$out" "ceremony intermediate factory-a --subject '/C=IN/O=AMZ/CN=Acme Factory A Issuing CA 2026' --days 1826 --key ec-p256 --passphrase-fd N --root-passphrase-fd N" "the plan's intermediate line"
like "$out" "ceremony intermediate online --subject '/C=IN/O=AMZ/CN=Online Issuing CA' --csr $T/online.csr --root-passphrase-fd N" "a csr path made absolute"
bad() { # bad REGEX NAME SED-SCRIPT
	sed "$3" inter.cnf >bad.cnf
	refuses 2 "$1" "$2" -- cer run --check bad.cnf
}
bad "bad.cnf:[0-9]+: unknown key 'keysize' in \[intermediate factory-a\]" "[intermediate]: unknown key" 's/^days = 1826/days = 1826\nkeysize = 2048/'
bad "\[intermediate Factory\]: CA name 'Factory': use lower-case" "[intermediate]: bad NAME" 's/^\[intermediate factory-a\]/[intermediate Factory]/'
bad "\[intermediate factory-a\] needs 'subject = ...'" "[intermediate]: no subject" '/^subject = \/C=IN\/O=AMZ\/CN=Acme Factory/d'
bad "bad.cnf:[0-9]+: path_len = 9: expected a number from 0 to 8" "[intermediate]: bad path_len" 's/^days = 1826/days = 1826\npath_len = 9/'
bad "bad.cnf:[0-9]+: \[intermediate factory-a\] again \(first at line [0-9]+\)" "[intermediate]: a section twice" 's/^\[intermediate online\]/[intermediate factory-a]/'
bad "\[intermediate online\]: key_uri or csr, not both" "[intermediate]: key_uri and csr" 's|^csr = online.csr|&\nkey_uri = pkcs11:token=t;object=o|'
bad "\[intermediate online\] csr = nope.csr: No such file" "[intermediate]: missing CSR" 's/^csr = online.csr/csr = nope.csr/'
bad "\[intermediate online\]: passphrase applies to a key file only" "[intermediate]: passphrase with csr" 's/^csr = online.csr/&\npassphrase = yes/'
bad "\[intermediate factory-a\] key_uri: " "[intermediate]: bad key_uri" '/^\[intermediate factory-a\]/,/^\[verification/ s/^key = ec-p256/&\nkey_uri = file:x/'
run sh -c "printf 'yes\nno\n' | '$CEREMONY' run --passphrase-file pw inter.cnf"
is "$rc" 1 "'no' at the first intermediate's checkpoint stops"
[ -f inter/intermediate/factory-a/deviceRootCA.pem ] && [ ! -e inter/intermediate/online ]; ok $? "stopped after factory-a"
like "$out" "Intermediate CA 'factory-a' SHA-256 \(witnesses: write it down\)" "the intermediate's fingerprint is shown"
run sh -c "yes yes | '$CEREMONY' run --passphrase-file pw inter.cnf"
is "$rc" 0 "re-run completes"
like "$out" "intermediate factory-a: done earlier, skipped" "re-run skips the finished intermediate"
openssl verify -CAfile inter/deviceRootCA.pem inter/intermediate/factory-a/deviceRootCA.pem inter/intermediate/online/deviceRootCA.pem >/dev/null
ok $? "both intermediates verify against the run's root"
openssl pkey -in inter/intermediate/factory-a/deviceRootCA.key -passin file:pw -noout 2>/dev/null
ok $? "the run's passphrase protects the intermediate's key"
[ ! -e inter/intermediate/online/deviceRootCA.key ]; ok $? "the CSR's intermediate has no key here"
is "$(grep -c '"command":"checkpoint:intermediate:' inter/transcript.log)" 2 "one checkpoint per intermediate"
run cer -C inter transcript verify
is "$rc" 0 "the transcript verifies"
sed 's/^directory = inter/directory = rinter/' inter.cnf >rinter.cnf
run env TMPDIR="$T" "$CEREMONY" run --rehearse --yes rinter.cnf
is "$rc" 0 "a rehearsal with intermediates completes"

# region lists: checked like the others; sni-only for several, DEFAULT for one
rbad() { # rbad REGEX NAME SED-SCRIPT
	sed -e "$3" -e 's/^directory = ca/directory = rb/' good.cnf >bad.cnf
	refuses 2 "$1" "$2" -- cer run --check bad.cnf
}
rbad "bad.cnf:[0-9]+: region: 'us-east' is not an AWS region name" "[template] bad region" 's/^region = us-east-2/region = us-east/'
rbad "bad.cnf:[0-9]+: region: us-east-2 is given twice" "[template] a region twice" 's/^region = us-east-2/region = us-east-2, eu-west-1, us-east-2/'
rbad "bad.cnf:[0-9]+: region: a comma-separated list with no empty items" "[template] an empty region item" 's/^region = us-east-2/region = us-east-2, ,eu-west-1/'
rbad "bad.cnf:[0-9]+: region: '12' in eu-west-1:12 is not a 12-digit AWS account id" "[template] bad R:ID" 's/^region = us-east-2/region = us-east-2, eu-west-1:12/'
rbad "bad.cnf:[0-9]+: account: '1234' is not a 12-digit AWS account id" "[template] bad account in a list" 's/^account = .*/account = 123456789012, 1234/'
rbad "bad.cnf: \[template\] several regions: DEFAULT mode registers each region and account with a verification certificate of its own" "several regions in DEFAULT mode" 's/^region = us-east-2/region = us-east-2, eu-west-1/'
rbad "\[template\] several accounts: DEFAULT mode" "several accounts in DEFAULT mode" 's/^account = .*/account = 123456789012, 210987654321/'
rbad "bad.cnf:[0-9]+: region = mars: not an AWS region name" "[verification] bad region" 's/^days = 500/&\nregion = mars/'
rbad "\[verification\] account needs region too" "[verification] account alone" 's/^days = 500/&\naccount = 123456789012/'
rbad "\[verification\] region = eu-west-1: the template's region must be that one region" "[verification] another region" 's/^days = 500/&\nregion = eu-west-1/'
rbad "\[verification\] account and the template's account must be the same" "[verification] another account" 's/^days = 500/&\nregion = us-east-2\naccount = 210987654321/'
[ ! -e rb ]; ok $? "refused region configs write nothing"

sed -e 's/^directory = ca/directory = multi/' -e 's/^mode = default/mode = sni-only/' \
    -e 's/^region = us-east-2/region = us-east-2, eu-west-1:210987654321/' \
    -e 's/^account = .*/account = 123456789012, 345678901234/' good.cnf >multi.cnf
run cer run --check multi.cnf
is "$rc" 0 "--check accepts region lists in sni-only mode"
like "$out" "ceremony template --region us-east-2 --region eu-west-1:210987654321 --account 123456789012 --account 345678901234" "the plan: one --region and --account per item"
run cer run --yes --passphrase-file pw multi.cnf
is "$rc" 0 "a run with region lists completes"
for r in us-east-2-123456789012 us-east-2-345678901234 eu-west-1-210987654321; do
	[ -f "multi/regions/$r/register.sh" ] && [ -f "multi/regions/$r/jitp_template.json" ]
	ok $? "regions/$r/ has its template and register.sh"
done
[ -x multi/register-all.sh ]; ok $? "register-all.sh for the three registrations"

sed -e 's/^directory = ca/directory = vreg/' -e 's/^days = 500/&\nregion = us-east-2\naccount = 123456789012/' good.cnf >vreg.cnf
run cer run --yes --passphrase-file pw vreg.cnf
is "$rc" 0 "a run with [verification] region and account completes"
f=vreg/regions/us-east-2-123456789012
is "$(openssl x509 -in "$f/verificationCert.crt" -noout -subject -nameopt multiline | awk -F' = ' '/commonName/ {print $2}')" "$code" "the verification certificate is in regions/R-ID/"
grep -q -- "--verification-cert" "$f/register.sh" && [ -f "$f/jitp_template.json" ]
ok $? "the template and register.sh sit beside it"
run cer -C vreg transcript verify
is "$rc" 0 "the transcript verifies"

done_testing
