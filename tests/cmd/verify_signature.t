#!/bin/bash
# ceremony verify-signature against signatures made by the real minisign.
. "$(dirname "$0")/../lib.sh"
mkdir "$T/w" && cd "$T/w" || exit 1
minisign -G -W -p k.pub -s k.key >/dev/null
minisign -G -W -p other.pub -s other.key >/dev/null
printf 'abc  bin/ceremony\n' >SUMS
minisign -S -s k.key -m SUMS -t "kit 0.1.0" >/dev/null
before=$(snapshot .)

run cer verify-signature --pubkey k.pub SUMS
is "$rc" 0 "good signature, key file: exit 0"
like "$out" "^SUMS: good signature by key [0-9A-F]{16}" "good signature: key id"
has "$out" "trusted comment: kit 0.1.0" "good signature: trusted comment printed"
run cer verify-signature --pubkey "$(tail -1 k.pub)" --signature SUMS.minisig SUMS
is "$rc" 0 "good signature, base64 key line and --signature: exit 0"

run cer verify-signature --pubkey other.pub SUMS
is "$rc" 1 "another key: exit 1"
like "$err" "SUMS.minisig: .*key" "another key: message names the signature and the key"
cp SUMS changed && printf x >>changed && cp SUMS.minisig changed.minisig
run cer verify-signature --pubkey k.pub changed
is "$rc" 1 "changed file: exit 1"
has "$err" "changed.minisig:" "changed file: signature file named"
sed '4s/^./A/' SUMS.minisig >bad.minisig; [ "$(sed -n 4p bad.minisig)" != "$(sed -n 4p SUMS.minisig)" ] || sed -i '4s/^./B/' bad.minisig
run cer verify-signature --pubkey k.pub --signature bad.minisig SUMS
is "$rc" 1 "altered global signature: exit 1"
has "$err" "bad.minisig:" "altered global signature: named"
printf 'not a signature\n' >junk.minisig
run cer verify-signature --pubkey k.pub --signature junk.minisig SUMS
is "$rc" 1 "malformed signature file: exit 1"
has "$err" "junk.minisig:" "malformed signature file: named"
rm bad.minisig junk.minisig changed changed.minisig

run cer verify-signature --pubkey k.pub missing
is "$rc" 2 "missing file: exit 2"
has "$err" "missing" "missing file: named"
run cer verify-signature --pubkey k.pub --signature none.minisig SUMS
is "$rc" 2 "missing signature: exit 2"
has "$err" "none.minisig" "missing signature: named"
run cer verify-signature --pubkey RWQnotakey SUMS
is "$rc" 2 "bad key: exit 2"
has "$err" "RWQnotakey" "bad key: named"
run cer verify-signature SUMS
is "$rc" 2 "no --pubkey: usage, exit 2"
has "$err" "usage: ceremony verify-signature" "no --pubkey: usage shown"
run cer verify-signature --help
is "$rc" 0 "--help: exit 0"
is "$(snapshot .)" "$before" "nothing written"

# A trusted comment that would rewrite the terminal is printed quoted
# (minisign itself refuses CR in it; so does the parser).
cp SUMS evil && minisign -S -s k.key -m evil -t $'ok\e[2K\e[8mhidden\b\\' >/dev/null
run cer verify-signature --pubkey k.pub evil
is "$rc" 0 "hostile trusted comment: still a good signature"
has "$out" 'trusted comment: ok\x1b[2K\x1b[8mhidden\x08\\' "hostile trusted comment: quoted"
! LC_ALL=C grep -q $'[\r\e]' "$T/out" "$T/err"; ok $? "hostile trusted comment: no raw CR or ESC printed"
done_testing
