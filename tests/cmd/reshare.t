#!/bin/bash
# ceremony backup --reshare: a new quorum for the same keys. 3 of 5 to 2 of
# 3: the new shares restore and pass the drill, the old ones are refused
# by the new vault, the old backup is retired whole, every bad input is
# refused with nothing written; also with the CA key in a token and a
# SLIP-39 passphrase on the old shares.
. "$(dirname "$0")/../lib.sh"

vault_id() { sed -n 's/^slip39-id: //p' "$1"; }
# a directory holding only what a restore needs: the cert and the vault
fresh() {
	rm -rf "$1" && mkdir -p "$1/backup" &&
		cp "$2/deviceRootCA.pem" "$1/" &&
		cp "$2/backup/deviceRootCA.vault" "$1/backup/"
}
keyhash() { openssl pkey -in "$1" -outform DER 2>/dev/null | sha256sum | cut -c1-64; }
day=$(date -u +%F)

A=$T/a
mkdir "$A" && cd "$A" || exit 2
cer root --no-passphrase --key ec-p256 >/dev/null 2>&1 &&
	cer backup --threshold 3 --shares 5 --iteration-exponent 0 >/dev/null 2>&1
ok $? "root and a 3 of 5 backup"
O=$T/old
mkdir "$O" && cp backup/share-1-*.txt "$O/"
oldid=$(vault_id backup/deviceRootCA.vault)
oldvault=$(sha256sum <backup/deviceRootCA.vault | cut -c1-64)
cahash=$(keyhash deviceRootCA.key)
pemhash=$(sha256sum <deviceRootCA.pem | cut -c1-64)

run cer backup --help
like "$out" "--reshare" "backup --help teaches --reshare"
like "$out" "--old-share-passphrase-file" "and the old shares' passphrase"

# ---- refusals, nothing written
refuses 1 "too few shares" "two of a 3 of 5 are too few" -- \
	cer backup --reshare --threshold 2 --shares 3 "$O/share-1-1.txt" "$O/share-1-2.txt"
B=$T/b
mkdir "$B" && (cd "$B" && cer root --no-passphrase >/dev/null 2>&1 &&
	cer backup --threshold 2 --shares 3 --iteration-exponent 0 >/dev/null 2>&1)
ok $? "another ceremony's backup"
refuses 1 "do not belong to backup/deviceRootCA.vault" "another backup's shares" -- \
	cer backup --reshare --threshold 2 --shares 3 "$B/backup/share-1-1.txt" "$B/backup/share-1-2.txt"
refuses 1 "is from a different backup" "mixed shares" -- \
	cer backup --reshare --threshold 2 --shares 3 "$O/share-1-1.txt" "$O/share-1-2.txt" \
	"$B/backup/share-1-3.txt"
sed 's/^\( *1 \)[a-z]*/\1academic/' "$O/share-1-4.txt" >"$T/bad.txt"
cmp -s "$T/bad.txt" "$O/share-1-4.txt" && sed -i 's/^\( *1 \)[a-z]*/\1acid/' "$T/bad.txt"
refuses 1 "checksum failed|not a SLIP-39 word" "a share with a wrong word" -- \
	cer backup --reshare --threshold 2 --shares 3 "$O/share-1-1.txt" "$O/share-1-2.txt" "$T/bad.txt"
refuses 1 "duplicate" "the same share twice" -- \
	cer backup --reshare --threshold 2 --shares 3 "$O/share-1-1.txt" "$O/share-1-1.txt" "$O/share-1-2.txt"
refuses 2 "no such file|cannot open|No such file" "a missing share file" -- \
	cer backup --reshare --threshold 2 --shares 3 "$O/share-1-1.txt" "$O/nope.txt"
refuses 2 "--force and the key passphrase options do not apply" "--reshare with --force" -- \
	cer backup --reshare --force --threshold 2 --shares 3 "$O/share-1-1.txt"
echo pass >"$T/kp"
refuses 2 "do not apply" "--reshare with a key passphrase" -- \
	cer backup --reshare --passphrase-file "$T/kp" --threshold 2 --shares 3 "$O/share-1-1.txt"
refuses 2 "unexpected argument" "share files without --reshare" -- \
	cer backup --threshold 2 --shares 3 "$O/share-1-1.txt"
refuses 2 "goes with --reshare" "the old passphrase without --reshare" -- \
	cer backup --threshold 2 --shares 3 --old-share-passphrase-file "$T/kp"
refuses 2 "threshold" "--reshare without a scheme" -- \
	cer backup --reshare "$O/share-1-1.txt"
refuses 2 "3 custodians for 2 shares" "more custodians than shares" -- \
	cer backup --reshare --threshold 2 --shares 2 --custodian a --custodian b --custodian c \
	"$O/share-1-1.txt"
E=$T/e
mkdir "$E" && cp deviceRootCA.pem "$E/"
refuses 2 "no backup to reshare" "no backup to reshare" -- \
	cer -C "$E" backup --reshare --threshold 2 --shares 3 "$O/share-1-1.txt"
run env CEREMONY_TEST_FAULT=share "$CEREMONY" backup --reshare --threshold 2 --shares 3 \
	--iteration-exponent 0 "$O/share-1-1.txt" "$O/share-1-2.txt" "$O/share-1-3.txt"
is "$rc" 1 "a reshare whose proof fails exits 1"
like "$err" "did not prove out" "and says so"
is "$(ls -d backup.* 2>/dev/null)" "" "no new or retired folder is left"
is "$(sha256sum <backup/deviceRootCA.vault | cut -c1-64)" "$oldvault" "the old vault is in place"
is "$(ls backup/share-1-*.txt | wc -l)" 5 "with its five shares"

# ---- 3 of 5 to 2 of 3
run cer backup --reshare --threshold 2 --shares 3 --iteration-exponent 0 \
	--custodian Frank --custodian Grace --custodian Heidi \
	"$O/share-1-5.txt" "$O/share-1-2.txt" "$O/share-1-4.txt"
is "$rc" 0 "reshare 3 of 5 to 2 of 3"
like "$out" "Reshared +backup/deviceRootCA.vault \(3 of 5, identifier $oldid\) is retired in backup.retired-$day/" \
	"says which backup it retired, and where"
like "$out" "proved +3 of 3 minimal share sets, 2 through the vault" "proves the new backup"
like "$out" "destroy that folder" "tells the team to destroy the retired vault"
newid=$(vault_id backup/deviceRootCA.vault)
[ -n "$newid" ] && [ "$newid" != "$oldid" ]
ok $? "the new shares have a new identifier"
like "$(sed '/^$/q' backup/deviceRootCA.vault)" "scheme: 2 of 3" "the new vault's scheme"
is "$(ls backup/ | tr '\n' ' ')" \
	"deviceRootCA.vault share-1-1.png share-1-1.svg share-1-1.txt share-1-2.png share-1-2.svg share-1-2.txt share-1-3.png share-1-3.svg share-1-3.txt shares.html " \
	"backup/ holds the new vault and three shares"
like "$(cat backup/share-1-3.txt)" "Custodian +Heidi" "custodians label the new shares"
is "$(sha256sum <"backup.retired-$day/deviceRootCA.vault" | cut -c1-64)" "$oldvault" \
	"the old vault is retired unchanged"
is "$(ls backup.retired-$day/share-1-*.txt | wc -l)" 5 "the whole old backup/ is retired"
is "$(ls -d backup.new-* 2>/dev/null)" "" "no temporary folder left"
is "$(sha256sum <deviceRootCA.pem | cut -c1-64)" "$pemhash" "the CA certificate is unchanged"
is "$(keyhash deviceRootCA.key)" "$cahash" "the CA key file is unchanged"

# the transcript: both schemes, no share words
line=$(tail -1 transcript.log)
is "$(echo "$line" | jq -r .command)" backup "a backup line"
is "$(echo "$line" | jq -r '.args.reshare, .args.scheme, .reshared.scheme')" "true
2 of 3
3 of 5" "with the new scheme and the old"
is "$(echo "$line" | jq -r '.reshared.slip39_id, .slip39_id')" "$oldid
$newid" "and both identifiers"
is "$(echo "$line" | jq -r '.reshared.shares | join(" ")')" "$oldid-1-5 $oldid-1-2 $oldid-1-4" \
	"the old shares used, by identifier"
is "$(echo "$line" | jq -r '.reshared.vault_sha256')" "$oldvault" "the old vault's hash"
is "$(echo "$line" | jq -r '.custodians | join(",")')" "Frank,Grace,Heidi" "the new custodians"
leak=0
for f in "$O"/share-1-*.txt backup/share-1-*.txt; do
	w=$(words "$f" | cut -d' ' -f5-12)
	grep -qF "$w" transcript.log && leak=1
done
is "$leak" 0 "no share's words are in the transcript"
run cer transcript verify
is "$rc" 0 "the transcript verifies"

# ---- the old shares no longer open the new vault
refuses 1 "are those of the retired backup backup.retired-$day/deviceRootCA.vault" \
	"old shares refused by the new vault, naming the retired backup" -- \
	cer restore --check "$O/share-1-1.txt" "$O/share-1-2.txt" "$O/share-1-3.txt"
refuses 1 "are those of the retired backup" "nor reshare it" -- \
	cer backup --reshare --threshold 2 --shares 3 "$O/share-1-1.txt" "$O/share-1-2.txt" "$O/share-1-3.txt"
F=$T/f
fresh "$F" "$A"
refuses 1 "the shares \(identifier $oldid\) do not belong to backup/deviceRootCA.vault \(identifier $newid\)" \
	"old shares refused by the new vault elsewhere" -- \
	cer -C "$F" restore --check "$O/share-1-1.txt" "$O/share-1-2.txt" "$O/share-1-3.txt"
run cer restore --check --vault "backup.retired-$day/deviceRootCA.vault" \
	"$O/share-1-1.txt" "$O/share-1-2.txt" "$O/share-1-3.txt"
is "$rc" 0 "the old shares still open the retired vault (so it must be destroyed)"

# ---- the new shares restore, into a fresh folder
run cer -C "$F" restore --check "$A/backup/share-1-1.txt" "$A/backup/share-1-3.txt"
is "$rc" 0 "restore --check with 2 new shares"
run cer -C "$F" restore --check "$A/backup/share-1-2.txt"
is "$rc" 1 "one new share is too few"
line=$(tail -1 "$F/transcript.log")
is "$(echo "$line" | jq -r '.command, .args.check, .scheme')" "restore
true
2 of 3" "the drill's transcript line: restore, check, the scheme"
like "$(echo "$line" | jq -r .time)" "^${day}T" "with the date"
run cer -C "$F" restore --no-passphrase "$A/backup/share-1-2.txt" "$A/backup/share-1-3.txt"
is "$rc" 0 "restore with 2 new shares"
is "$(keyhash "$F/deviceRootCA.key")" "$cahash" "the restored CA key is the same key"
cmp -s "$F/ceremony.pub" ceremony.pub
ok $? "the restored signing key is the same key (ceremony.pub)"
printf 'abc\n' >"$T/m"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$T/d.key" -subj /C=US/CN=dev1 -out "$T/d.csr" 2>/dev/null
openssl x509 -req -in "$T/d.csr" -CA "$F/deviceRootCA.pem" -CAkey "$F/deviceRootCA.key" \
	-CAcreateserial -days 10 -out "$T/d.pem" 2>/dev/null
run openssl verify -CAfile deviceRootCA.pem "$T/d.pem"
is "$rc" 0 "a certificate signed by the restored key verifies against the old CA certificate"

# typed (here from stdin), and twice in a day
for m in 1 3; do words "backup/share-1-$m.txt"; done >"$T/typed"
run cer backup --reshare --threshold 1 --shares 1 --iteration-exponent 0 <"$T/typed"
is "$rc" 0 "reshare with the shares on stdin"
[ -d "backup.retired-$day-2" ] && [ -d "backup.retired-$day" ]
ok $? "a second retirement the same day is backup.retired-$day-2"
is "$(vault_id "backup.retired-$day-2/deviceRootCA.vault")" "$newid" "holding the 2 of 3 backup"
run cer restore --check backup/share-1-1.txt
is "$rc" 0 "the 1 of 1 share restores"

# typed at a terminal (a pty from script(1)), share by share, not echoed
prompts() { grep -ao 'share [0-9]*> ' "$1" | wc -l; }
await() {
	local i
	for ((i = 0; i < 600; i++)); do
		[ "$(prompts "$1")" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}
s1=$(words backup/share-1-1.txt)
rm -f "$T/fifo" && mkfifo "$T/fifo"
script -qefc "'$CEREMONY' backup --reshare --threshold 2 --shares 2 --iteration-exponent 0" \
	/dev/null <"$T/fifo" >"$T/tty" 2>&1 &
pid=$!
exec 7>"$T/fifo"
await "$T/tty" 1 || diag "no prompt"
printf '%s\n' "$s1" >&7
exec 7>&-
wait "$pid"
is "$?" 0 "reshare with the share typed at a terminal"
tty=$(tr -d '\r' <"$T/tty")
like "$tty" "Resharing backup/deviceRootCA.vault \(Device Root CA, identifier [0-9]+, scheme 1 of 1\)" \
	"names the backup it opens"
like "$tty" "33 words, checksum ok \(group 1, member 1\); enough shares" "checks the share as typed"
has "$tty" "backup.retired-$day-3/" "and retires the 1 of 1 backup"
w=$(echo "$s1" | cut -d' ' -f3-10)
printf '%s\n' "$tty" | grep -qF "$w"
ok $((!$?)) "the typed words are not echoed"

# ---- crash safety: SIGKILL at random points; backup/ always holds one
# whole backup, the old or the new, whose shares in it restore
K=$T/k
cer -C "$K" root --no-passphrase --key ec-p256 >/dev/null 2>&1 &&
	(cd "$K" && cer backup --threshold 3 --shares 5 >/dev/null 2>&1)
ok $? "a 3 of 5 backup to crash"
# reshare_once: from the scheme in backup/ to the other one, in the
# background; $pid
reshare_once() {
	rm -rf "$T/cur" && mkdir "$T/cur" && cp "$K"/backup/share-1-*.txt "$T/cur/"
	if grep -q '^scheme: 3 of 5' "$K/backup/deviceRootCA.vault"; then
		set -- --threshold 2 --shares 3 "$T/cur/share-1-1.txt" "$T/cur/share-1-2.txt" "$T/cur/share-1-3.txt"
	else
		set -- --threshold 3 --shares 5 "$T/cur/share-1-1.txt" "$T/cur/share-1-2.txt"
	fi
	"$CEREMONY" -C "$K" backup --reshare "$@" >/dev/null 2>"$T/kerr" &
	pid=$!
}
t0=$(date +%s%N)
reshare_once
wait "$pid"
ok $? "one reshare, timed"
span=$(( ($(date +%s%N) - t0) / 1000000 + 20 )) # ms
kills=0 bad=0 new=0
for i in $(seq 24); do
	before=$(sed -n 's/^slip39-id: //p' "$K/backup/deviceRootCA.vault")
	reshare_once
	sleep "$(awk -v ms=$((RANDOM % span)) 'BEGIN { printf "%.3f", ms / 1000 }')"
	kill -KILL "$pid" 2>/dev/null && kills=$((kills + 1))
	wait "$pid" 2>/dev/null
	after=$(sed -n 's/^slip39-id: //p' "$K/backup/deviceRootCA.vault")
	[ "$after" != "$before" ] && new=$((new + 1))
	if grep -q '^scheme: 3 of 5' "$K/backup/deviceRootCA.vault"; then
		set -- "$K/backup/share-1-1.txt" "$K/backup/share-1-3.txt" "$K/backup/share-1-5.txt"
	else
		set -- "$K/backup/share-1-2.txt" "$K/backup/share-1-3.txt"
	fi
	if ! cer -C "$K" restore --check "$@" >/dev/null 2>"$T/kerr"; then
		bad=$((bad + 1))
		diag "after kill $i: $(cat "$T/kerr")"
	fi
	rm -rf "$K"/backup.new-* # a stray: the unproved new, or the old after the swap
done
diag "killed $kills of 24 runs; $new left the new backup in place"
[ "$kills" -ge 8 ]; ok $? "killed mid-reshare at least 8 times"
is "$bad" 0 "after every kill, backup/ holds one whole backup whose shares restore"

# ---- the CA key in a token, the old shares with a SLIP-39 passphrase
hsm_init
hsm_token ceremony
H=$T/h
printf 'old share phrase for tests\n' >"$T/ospass"
printf 'new share phrase for tests\n' >"$T/nspass"
cer -C "$H" root --no-passphrase --key ec-p256 >/dev/null 2>&1 &&
	(cd "$H" && cer backup --threshold 2 --shares 3 --iteration-exponent 0 \
		--share-passphrase-file "$T/ospass" >/dev/null 2>&1) &&
	cer -C "$H" key import --key-uri "$(hsm_uri ca)" --pin-file "$HSM/pin" >/dev/null 2>&1
ok $? "a backup, then the CA key imported into a token"
[ ! -e "$H/deviceRootCA.key" ] && [ -s "$H/deviceRootCA.uri" ]
ok $? "no CA key file left"
mkdir "$T/ho" && cp "$H"/backup/share-1-*.txt "$T/ho/"
refuses 2 "passphrase" "the old shares' passphrase is needed" -- \
	cer -C "$H" backup --reshare --threshold 2 --shares 2 "$T/ho/share-1-1.txt" "$T/ho/share-1-2.txt" </dev/null
refuses 1 "wrong SLIP-39 passphrase" "a wrong old passphrase" -- \
	cer -C "$H" backup --reshare --threshold 2 --shares 2 --old-share-passphrase-file "$T/nspass" \
	"$T/ho/share-1-1.txt" "$T/ho/share-1-2.txt"
run cer -C "$H" backup --reshare --threshold 2 --shares 2 --iteration-exponent 0 \
	--old-share-passphrase-file "$T/ospass" --share-passphrase-file "$T/nspass" \
	"$T/ho/share-1-1.txt" "$T/ho/share-1-2.txt"
is "$rc" 0 "reshare with the CA key in a token"
like "$(sed '/^$/q' "$H/backup/deviceRootCA.vault")" "slip39-passphrase: yes" \
	"the new shares have the new passphrase"
run cer -C "$H" restore --check --share-passphrase-file "$T/nspass" \
	"$H/backup/share-1-1.txt" "$H/backup/share-1-2.txt"
is "$rc" 0 "the new shares and the new passphrase open the new vault"
run cer -C "$H" restore --check --share-passphrase-file "$T/ospass" \
	"$H/backup/share-1-1.txt" "$H/backup/share-1-2.txt"
is "$rc" 1 "the old passphrase does not"
run cer -C "$H" key show --pin-file "$HSM/pin"
is "$rc" 0 "the token key is untouched"

# groups: two of the groups 2 of 3 and 1 of 1
mkdir "$T/hn" && cp "$H"/backup/share-1-*.txt "$T/hn/"
run cer -C "$H" backup --reshare --group 2/3 --group 1/1 --group-threshold 2 --iteration-exponent 0 \
	--custodian Ann --custodian Ben --custodian Cy --custodian Dee \
	--old-share-passphrase-file "$T/nspass" "$T/hn/share-1-1.txt" "$T/hn/share-1-2.txt"
is "$rc" 0 "reshare to two groups"
like "$out" "Reshared +backup/deviceRootCA.vault \(2 of 2," "from 2 of 2"
like "$(sed '/^$/q' "$H/backup/deviceRootCA.vault")" "scheme: 2 of 2 groups \[2 of 3, 1 of 1\]" \
	"to two groups"
like "$(sed '/^$/q' "$H/backup/deviceRootCA.vault")" "slip39-passphrase: no" \
	"without a passphrase now"
run cer -C "$H" restore --check "$H/backup/share-1-1.txt" "$H/backup/share-1-3.txt" "$H/backup/share-2-1.txt"
is "$rc" 0 "group 1's two shares and group 2's one restore"
run cer -C "$H" restore --check "$H/backup/share-1-1.txt" "$H/backup/share-1-3.txt"
is "$rc" 1 "one group is not enough"
is "$(ls -d "$H"/backup.retired-* | wc -l)" 2 "two backups retired"

done_testing
