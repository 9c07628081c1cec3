#!/bin/bash
# ceremony shares split|combine: plain SLIP-39 on a hex secret.
. "$(dirname "$0")/../lib.sh"

S16=00112233445566778899aabbccddeeff
S32=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
mkdir "$T/w" && cd "$T/w" || exit 2
before=$(snapshot .)

run cer shares --help
is "$rc" 0 "shares --help exits 0"
like "$out" "shares split" "help shows split"
like "$out" "--reveal" "help shows --reveal"

# 3 of 5, 128-bit secret
echo "$S16" | cer shares split --threshold 3 --shares 5 >"$T/m5"
is "$?" 0 "split 3 of 5"
is "$(wc -l <"$T/m5")" 5 "five mnemonics, one per line"
is "$(awk '{print NF}' "$T/m5" | sort -u)" 20 "20 words each for 128 bits"
is "$(cut -d' ' -f1-2 "$T/m5" | sort -u | wc -l)" 1 \
	"all shares start with the same two words (id, exponent)"
for sub in "1 2 3" "1 3 5" "2 4 5" "3 4 5"; do
	got=$(for i in $sub; do sed -n "${i}p" "$T/m5"; done |
		cer shares combine --reveal)
	is "$got" "$S16" "shares $sub recover the secret"
done
run bash -c "sed -n '5p;1p;3p' '$T/m5' | '$CEREMONY' shares combine"
is "$rc" 0 "combine without --reveal"
like "$out" "^ok: 3 shares combine to a 16-byte secret" "says they combine"
like "$out" "fingerprint: SHA-256 [0-9a-f]{16}" "prints a fingerprint"
case "$out" in *"$S16"*) fail "does not reveal the secret" ;;
*) pass "does not reveal the secret" ;; esac
fp=$(printf '%b' "$(sed 's/../\\x&/g' <<<"$S16")" | sha256sum | cut -c1-16)
like "$out" "$fp" "fingerprint is the SHA-256 of the secret"

# upper case, extra spaces, 4-letter prefixes
got=$(sed -n '1p;2p;4p' "$T/m5" | tr a-z A-Z | sed 's/ /   /g' |
	awk '{ for (i = 1; i <= NF; i++) $i = substr($i, 1, 4); print }' |
	cer shares combine --reveal)
is "$got" "$S16" "any case, extra spaces and 4-letter prefixes"

# 256 bits, two groups: 2 of [3 of 5, 2 of 3]
echo "$S32" | cer shares split --group 3/5 --group 2/3 \
	--group-threshold 2 --iteration-exponent 0 >"$T/g"
is "$?" 0 "split two groups"
is "$(wc -l <"$T/g")" 8 "eight mnemonics"
is "$(awk '{print NF}' "$T/g" | sort -u)" 33 "33 words each for 256 bits"
got=$(sed -n '2p;4p;5p;6p;8p' "$T/g" | cer shares combine --reveal)
is "$got" "$S32" "3 of group 1 and 2 of group 2 recover"
run bash -c "sed -n '2p;4p;5p;6p' '$T/g' | '$CEREMONY' shares combine"
is "$rc" 1 "too few shares exits 1"
like "$err" "too few shares: 2 of 2 groups are needed and 1 is complete; group 2 has 1 of 2 \(1 more\)" \
	"says which group needs how many more"

# passphrase
printf 'correct horse\n' >"$T/pass"
echo "$S16" | cer shares split --threshold 2 --shares 3 \
	--passphrase-file "$T/pass" >"$T/mp"
got=$(head -2 "$T/mp" | cer shares combine --reveal --passphrase-file "$T/pass")
is "$got" "$S16" "passphrase file: recovered"
got=$(head -2 "$T/mp" | cer shares combine --reveal)
[ "$got" != "$S16" ] && [ ${#got} -eq 32 ]
ok $? "no passphrase: another secret, as SLIP-39 intends"
got=$(head -2 "$T/mp" | cer shares combine --reveal --passphrase-fd 3 3<"$T/pass")
is "$got" "$S16" "passphrase fd: recovered"
printf 'caf\xc3\xa9 caf\xc3\xa9 caf\xc3\xa9\n' >"$T/badpass"
refuses 2 "printable ASCII" "non-ASCII passphrase" -- \
	cer shares split --threshold 2 --shares 3 --passphrase-file "$T/badpass" <<<"$S16"
is "$out" "" "non-ASCII passphrase: no shares printed"

# bad split input
refuses 2 "give --threshold T and --shares N" "no scheme" -- cer shares split <<<"$S16"
is "$out" "" "no scheme: nothing printed"
refuses 2 "32 to 128 hex digits" "not hex" -- cer shares split --threshold 2 --shares 3 <<<"zz${S16:2}"
is "$out" "" "not hex: nothing printed"
refuses 2 "32 to 128 hex digits" "15 bytes" -- cer shares split --threshold 2 --shares 3 <<<"${S16:2}"
is "$out" "" "15 bytes: nothing printed"
refuses 2 "multiple of 4" "17 bytes" -- cer shares split --threshold 2 --shares 3 <<<"${S16}aa"
is "$out" "" "17 bytes: nothing printed"
refuses 2 "32 to 128 hex digits" "empty" -- cer shares split --threshold 2 --shares 3 <<<""
is "$out" "" "empty: nothing printed"
refuses 2 "threshold 4 of 3 shares is not possible" "T > N" -- cer shares split --threshold 4 --shares 3 <<<"$S16"
is "$out" "" "T > N: nothing printed"
refuses 2 "1 of 3 shares gives 3 copies" "T = 1 < N" -- cer shares split --threshold 1 --shares 3 <<<"$S16"
is "$out" "" "T = 1 < N: nothing printed"
refuses 2 "--shares: '17' is out of range" "N = 17" -- cer shares split --threshold 2 --shares 17 <<<"$S16"
is "$out" "" "N = 17: nothing printed"
refuses 2 "--group: '3/17' is not T/N" "bad group" -- cer shares split --group 3/17 <<<"$S16"
is "$out" "" "bad group: nothing printed"
refuses 2 "not both" "both forms" -- cer shares split --threshold 2 --shares 3 --group 2/3 <<<"$S16"
is "$out" "" "both forms: nothing printed"
refuses 2 "group threshold 3 must be between 1 and the 2 groups" "group threshold > groups" -- cer shares split --group 2/3 --group 2/3 --group-threshold 3 <<<"$S16"
is "$out" "" "group threshold > groups: nothing printed"
refuses 2 "--iteration-exponent: '16' is out of range" "exponent 16" -- cer shares split --threshold 2 --shares 3 --iteration-exponent 16 <<<"$S16"
is "$out" "" "exponent 16: nothing printed"
refuses 2 "unexpected argument 'extra'" "extra argument" -- cer shares split --threshold 2 --shares 3 extra <<<"$S16"
is "$out" "" "extra argument: nothing printed"

# bad combine input
sed -n 1p "$T/m5" | awk '{ $7 = "zzzzz"; print }' >"$T/c1"
sed -n 2,3p "$T/m5" >>"$T/c1"
refuses 1 'stdin line 1: word 7 "zzzzz" is not a SLIP-39 word \(closest: ' "unknown word" -- cer shares combine --reveal <"$T/c1"
is "$out" "" "unknown word: nothing printed"
w9=$(sed -n 1p "$T/m5" | cut -d' ' -f9)
sub=academic; [ "$w9" = academic ] && sub=acid
sed -n 1p "$T/m5" | awk -v s=$sub '{ $9 = s; print }' >"$T/c2"
refuses 1 "checksum failed: word 9 may be \"$w9\"" "one wrong word" -- cer shares combine --reveal <"$T/c2"
is "$out" "" "one wrong word: nothing printed"
sed -n '1p;1p;2p' "$T/m5" >"$T/c3"
refuses 1 "stdin line 2 is a duplicate of stdin line 1" "duplicate" -- cer shares combine --reveal <"$T/c3"
is "$out" "" "duplicate: nothing printed"
sed -n '1p;2p' "$T/m5" >"$T/c4"
refuses 1 "too few shares: have 2 of the 3 needed \(1 more\)" "too few" -- cer shares combine --reveal <"$T/c4"
is "$out" "" "too few: nothing printed"
{ sed -n '1p;2p' "$T/m5"; sed -n 1p "$T/mp"; } >"$T/c5"
refuses 1 "stdin line 3 is from a different backup than stdin line 1 \(identifier [0-9]+, not [0-9]+\)" "different backups" -- cer shares combine --reveal <"$T/c5"
is "$out" "" "different backups: nothing printed"
: >"$T/c6"
refuses 2 "no mnemonics" "empty input" -- cer shares combine --reveal <"$T/c6"
is "$out" "" "empty input: nothing printed"
sed -n 1p "$T/m5" | cut -d' ' -f1-12 >"$T/c7"
refuses 1 "12 words is not a share" "short mnemonic" -- cer shares combine --reveal <"$T/c7"
is "$out" "" "short mnemonic: nothing printed"

# the input's lines are counted, not its shares: comments, blank lines
{ echo "# custodians' shares"; echo; sed -n 1p "$T/m5"; echo "   "
	sed -n 1p "$T/m5" | awk '{ $7 = "zzzzz"; print }'; } >"$T/c8"
refuses 1 '^ceremony: stdin line 5: word 7 "zzzzz" is not a SLIP-39 word' \
	"a bad share on line 5 (the second share)" -- cer shares combine --reveal <"$T/c8"
is "$out" "" "line 5: nothing printed"
{ sed -n 2p "$T/m5"; echo "# again"; sed -n 2p "$T/m5"; } >"$T/c9"
refuses 1 "stdin line 3 is a duplicate of stdin line 1 \(group 1, member 2\)" \
	"a duplicate on line 3" -- cer shares combine --reveal <"$T/c9"
is "$out" "" "duplicate on line 3: nothing printed"

# untrusted text is quoted: a bad word with ESC, DEL, a C1 byte and a
# backslash come back escaped (\xNN, \\), never raw
sed -n 1p "$T/m5" | awk '{ $3 = "x\033[2Jy\177z\302\233\\"; print }' >"$T/c10"
refuses 1 'stdin line 1: word 3 "x\\x1b\[2Jy\\x7fz\\xc2\\x9b\\\\" is not a SLIP-39 word' \
	"a word with control characters is quoted" -- cer shares combine <"$T/c10"
case $err in *$'\033'* | *$'\177'* | *$'\302'*) fail "no raw control byte on stderr" ;;
*) pass "no raw control byte on stderr" ;; esac
sed -n 1p "$T/m5" | awk '{ $2 = "abcdefghijklmnopqrstuvwxyz0123456789"; print }' >"$T/c11"
refuses 1 'word 2 "abcdefghijklmnopqrst\.\.\." is not a SLIP-39 word' \
	"a long bad word is cut" -- cer shares combine <"$T/c11"
refuses 2 "unexpected argument 'a\\\\x1bb'" "a bad argument is quoted" -- \
	cer shares combine $'a\033b' </dev/null
refuses 2 "--threshold: 'x\\\\x1by' is out of range" "a bad option value is quoted" -- \
	cer shares split --threshold $'x\033y' --shares 3 <<<"$S16"
refuses 2 "--group: '2/x\\\\x9b' is not T/N" "a bad --group is quoted" -- \
	cer shares split --group $'2/x\x9b' <<<"$S16"

# reshare MNEMONIC FIELD VALUE: the share with one header field changed
# (ext, exp, gi: group index, gc: group count) and a valid checksum, as a
# share made that way would be
reshare() {
	/usr/bin/python3 - "$WORDS_TXT" "$@" <<'PY'
import sys
words = [l.strip() for l in open(sys.argv[1]) if l.strip()]
w = [words.index(x) for x in sys.argv[2].split()]
field, val = sys.argv[3], int(sys.argv[4])
hdr = (w[0] << 30) | (w[1] << 20) | (w[2] << 10) | w[3]  # 40 bits
# id 15, ext 1, e 4, GI 4, Gt 4, g 4, I 4, t 4
shift = {"ext": 24, "exp": 20, "gi": 16, "gc": 8}[field]
size = {"ext": 1, "exp": 4, "gi": 4, "gc": 4}[field]
if field == "gc":
    val -= 1
hdr = (hdr & ~(((1 << size) - 1) << shift)) | (val << shift)
w[:4] = [(hdr >> (10 * (3 - i))) & 1023 for i in range(4)]
GEN = [0xE0E040, 0x1C1C080, 0x3838100, 0x7070200, 0xE0E0009,
       0x1C0C2412, 0x38086C24, 0x3090FC48, 0x21B1F890, 0x3F3F120]
def polymod(v):
    chk = 1
    for x in v:
        b = chk >> 20
        chk = (chk & 0xFFFFF) << 10 ^ x
        for i in range(10):
            chk ^= GEN[i] if (b >> i) & 1 else 0
    return chk
cs = b"shamir_extendable" if (w[1] >> 4) & 1 else b"shamir"
data = w[:-3]
chk = polymod(list(cs) + data + [0, 0, 0]) ^ 1
w = data + [(chk >> (10 * (2 - i))) & 1023 for i in range(3)]
print(" ".join(words[i] for i in w))
PY
}
WORDS_TXT=$T/words.txt
grep -o '"[a-z]*"' "$TESTS_DIR/../ceremony/core/wordlist.c" | tr -d '"' >"$WORDS_TXT"
is "$(wc -l <"$WORDS_TXT")" 1024 "the SLIP-39 wordlist"
m1=$(sed -n 1p "$T/m5")
is "$(reshare "$m1" ext 1)" "$m1" "reshare with the same values gives the same share"
# a share differing only in its extendable flag
{ sed -n 2p "$T/m5"; reshare "$(sed -n 3p "$T/m5")" ext 0; sed -n 4p "$T/m5"; } >"$T/e1"
refuses 1 "stdin line 2 is from a different backup than stdin line 1 \(the same identifier [0-9]+, but extendable flag 0, not 1\)" \
	"a share differing only in its extendable flag" -- cer shares combine --reveal <"$T/e1"
is "$out" "" "extendable flag: nothing printed"
# ... only in its iteration exponent
{ sed -n 2p "$T/m5"; sed -n 4p "$T/m5"; reshare "$(sed -n 3p "$T/m5")" exp 3; } >"$T/e2"
refuses 1 "stdin line 3 is from a different backup than stdin line 1 \(the same identifier [0-9]+, but iteration exponent 3, not 1\)" \
	"a share differing only in its iteration exponent" -- cer shares combine --reveal <"$T/e2"
is "$out" "" "iteration exponent: nothing printed"
# group index 15 of a single group: not a valid share (SLIP-39: the
# group index is the x of a group share, below the group count)
{ reshare "$(sed -n 1p "$T/m5")" gi 15; sed -n 2,3p "$T/m5"; } >"$T/e3"
refuses 1 "stdin line 1: group index 15 is not less than the group count 1: not a valid share" \
	"group index 15, group count 1" -- cer shares combine --reveal <"$T/e3"
is "$out" "" "group index 15: nothing printed"
{ sed -n 1,2p "$T/g"; reshare "$(sed -n 6p "$T/g")" gi 2; } >"$T/e4"
refuses 1 "stdin line 3: group index 2 is not less than the group count 2: not a valid share" \
	"group index 2 of 2 groups" -- cer shares combine --reveal <"$T/e4"
is "$out" "" "group index 2 of 2: nothing printed"

refuses 2 "give 'split' or 'combine'" "no subcommand" -- cer shares
run cer shares combine --bogus
is "$rc" 2 "unknown option: exit 2"

is "$(snapshot .)" "$before" "shares wrote no file"
done_testing
