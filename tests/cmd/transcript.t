#!/bin/bash
# ceremony transcript: the chain, and tampering detected.
. "$(dirname "$0")/../lib.sh"

d=$T/c
cer -C "$d" root --no-passphrase --key ec-p256 >/dev/null 2>&1
cer -C "$d" verification --registration-code "$(openssl rand -hex 32)" >/dev/null 2>&1
cer -C "$d" template --region us-east-2 --account 123456789012 >/dev/null 2>&1
tl=$d/transcript.log
is "$(wc -l <"$tl")" 3 "one line per command"
run cer -C "$d" transcript verify
is "$rc" 0 "intact transcript verifies"
head=$(tail -1 "$tl" | tr -d '\n' | sha256sum | cut -d' ' -f1)
like "$out" "head $head" "head hash is the SHA-256 of the last line"
for l in 1 2 3; do
	is "$(sed -n ${l}p "$tl" | jq -r .seq)" "$l" "line $l has seq $l"
done
is "$(sed -n 2p "$tl" | jq -r .prev)" "$(sed -n 1p "$tl" | tr -d '\n' | sha256sum | cut -d' ' -f1)" "line 2 holds the hash of line 1"
is "$(sed -n 1p "$tl" | jq -r '.outputs["deviceRootCA.pem"]')" "$(sha256sum <"$d/deviceRootCA.pem" | cut -d' ' -f1)" "outputs carry SHA-256"
is "$(sed -n 1p "$tl" | jq -r .version)" "$(cer --version | awk 'NR == 1 { v = $2 } NR == 2 { c = $3 } END { print v "+" c }')" "tool version and source commit recorded"
! grep -q "PRIVATE KEY" "$tl"; ok $? "no key material in the transcript"
run cer -C "$d" transcript show
like "$out" "#2 .* verification" "show lists the steps"
run cer -C "$d" transcript show --html --paper Letter --out "$T/t.html"
is "$rc" 0 "show --html --paper Letter"
grep -q "@page { size: Letter;" "$T/t.html"; ok $? "the page asks for Letter"
grep -q 'class="keep"' "$T/t.html"; ok $? "head hash and signatures kept in one block"
refuses 2 "--paper: 'A3' is not A4 or Letter" "paper A3" -- \
	cer -C "$d" transcript show --html --paper A3 --out "$T/t2.html"

cp "$tl" "$T/orig"
tamper() { # tamper NAME REGEX: verify refuses the edited transcript; restore it
	refuses 1 "$2" "$1" -- cer -C "$d" transcript verify
	cp "$T/orig" "$tl"
}
sed -i '2s/"days":500/"days":501/' "$tl"; tamper "edited line" "line 3 does not chain to line 2"
sed -i '1d' "$tl"; tamper "deleted first line" "line 1 has sequence number 2"
sed -i '2d' "$tl"; tamper "deleted middle line" "line 2 has sequence number 3"
{ sed -n 2p "$T/orig"; sed -n 1p "$T/orig"; sed -n 3p "$T/orig"; } >"$tl"; tamper "reordered lines" "line 1 has sequence number 2"
head -c -1 "$T/orig" >"$tl"; tamper "truncated last line" "incomplete"
echo "not json" >>"$tl"; tamper "garbage line" "line 4 is not a transcript entry"
echo "# x" >>"$d/deviceRootCA.pem"
run cer -C "$d" transcript verify
is "$rc" 1 "changed output file: exit 1"
like "$err" "deviceRootCA.pem: SHA-256 differs from transcript line" "changed file: names it"
run cer -C "$d" transcript verify missing.log
is "$rc" 2 "missing transcript: exit 2"
run cer -C "$d" transcript frob
is "$rc" 2 "unknown subcommand: exit 2"
done_testing
