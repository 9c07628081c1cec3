#!/bin/bash
# ceremony restore with the words typed at a terminal (a pty from
# script(1)): the words are not echoed and never reach the terminal's
# output; each share shows its word count and checksum result; the
# terminal is given back as it was, also when the restore is interrupted.
. "$(dirname "$0")/../lib.sh"

fresh() {
	rm -rf "$1" && mkdir -p "$1/backup" &&
		cp "$2/deviceRootCA.pem" "$1/" &&
		cp "$2/backup/deviceRootCA.vault" "$1/backup/"
}
# prompts FILE: how many "share N> " prompts FILE shows
prompts() { grep -ao 'share [0-9]*> ' "$1" | wc -l; }
# await FILE N: until FILE shows N prompts (30 s at most)
await() {
	local i
	for ((i = 0; i < 600; i++)); do
		[ "$(prompts "$1")" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}
# session OUT CMD LINE...: CMD on a pty, its output in OUT; each LINE is
# typed only once the prompt for it is shown (so that it is typed while
# restore reads, as a person would). Sets $rc.
session() {
	local out=$1 cmd=$2 pid k=0 line
	shift 2
	rm -f "$T/fifo" && mkfifo "$T/fifo" && : >"$out"
	script -qefc "$cmd" /dev/null <"$T/fifo" >"$out" 2>&1 &
	pid=$!
	exec 7>"$T/fifo"
	for line in "$@"; do
		k=$((k + 1))
		await "$out" "$k" || { diag "no prompt $k"; break; }
		printf '%s\n' "$line" >&7
	done
	exec 7>&-
	wait "$pid"
	rc=$?
}
# shown TEXT: every SLIP-39 word of the typed shares that TEXT shows as
# a word (leaving out the few that are words of the messages too, and
# the "Restoring" line, which names the CA: "Device Root CA")
shown() {
	local w text
	text=$(printf '%s\n' "$1" | grep -v '^Restoring ')
	for w in $typed; do
		case $w in group | member | type | check | again | have | echo) continue ;; esac
		printf '%s\n' "$text" | grep -qiw -- "$w" && echo "$w"
	done | sort -u | tr '\n' ' '
}

A=$T/a
mkdir "$A" && cd "$A" || exit 2
cer root --no-passphrase --key ec-p256 >/dev/null 2>&1 &&
	cer backup --threshold 3 --shares 5 --iteration-exponent 0 >/dev/null 2>&1
ok $? "a 3 of 5 backup"
S=$A/backup
s2=$(words "$S/share-1-2.txt")
s3=$(words "$S/share-1-3.txt")
s4=$(words "$S/share-1-4.txt")
s5=$(words "$S/share-1-5.txt")
# share 5 with word 9 replaced: one wrong word
w9=$(echo "$s5" | cut -d' ' -f9)
sub=academic; [ "$w9" = academic ] && sub=acid
bad5=$(echo "$s5" | awk -v s=$sub '{ $9 = s; print }')
# share 4 upper case, cut to 4 letters
s4u=$(echo "$s4" | tr a-z A-Z |
	awk '{ for (i = 1; i <= NF; i++) $i = substr($i, 1, 4); print }')
typed="$s2 $s3 $s4 $s5 $sub"

# ---- a drill typed share by share
R=$T/r
fresh "$R" "$A" && cd "$R" || exit 2
session "$T/tty" "'$CEREMONY' restore --check" \
	"zzyzx qqq" "$s2" "$s2" "$bad5" "$s3" "$s4u"
is "$rc" 0 "restore --check with the words typed at a terminal"
tty=$(tr -d '\r' <"$T/tty")
like "$tty" "^Restoring backup/deviceRootCA.vault \(Device Root CA, identifier [0-9]+, scheme 3 of 5\)" \
	"names the backup"
has "$tty" "they are not shown" "the prompt says the words are not shown"
is "$(shown "$tty")" "" "no word of a typed share appears on the terminal"
case $tty in *zzyzx* | *qqq*) fail "a bad word is not shown either" ;;
*) pass "a bad word is not shown either" ;; esac
has "$tty" "  2 words: word 1 is not a SLIP-39 word; compare it with the share sheet; type this share again" \
	"a bad word: its position only, and the share is asked again"
has "$tty" "  33 words, checksum ok (group 1, member 2); still too few shares: have 1 of the 3 needed (2 more)" \
	"a good share: word count, checksum, how many more"
like "$tty" "  33 words, checksum ok, but typed share 2 is a duplicate of typed share 1 .*; this share was not kept" \
	"a duplicate: not kept"
has "$tty" "  33 words: checksum failed: word 9 may be wrong; compare it with the share sheet; type this share again" \
	"one wrong word: its position, not the word it may be"
has "$tty" "  33 words, checksum ok (group 1, member 4); enough shares" \
	"upper case 4-letter prefixes: enough shares"
has "$tty" "restore check ok: 3 shares" "the drill succeeds"
is "$(prompts "$T/tty")" 6 "six prompts for six lines"

# ---- the vault header is read before it is authenticated: its text is
# quoted (a C1 CSI, U+009B, in the name; control bytes below 0x20 are
# refused by the header parser)
fresh "$R" "$A" && cd "$R" || exit 2
sed -i 's/^name: .*/name: Evil\xc2\x9b2J CA/' backup/deviceRootCA.vault
session "$T/tty" "'$CEREMONY' restore --check" ""
is "$rc" 1 "no share typed: exit 1"
tty=$(tr -d '\r' <"$T/tty")
has "$tty" 'Restoring backup/deviceRootCA.vault (Evil\xc2\x9b2J CA, identifier' \
	"the vault's name is quoted"
case $tty in *$'\302'*) fail "no raw C1 byte on the terminal" ;;
*) pass "no raw C1 byte on the terminal" ;; esac
has "$tty" "no shares given" "says no share was given"
fresh "$R" "$A" && cd "$R" || exit 2

# ---- the terminal is quiet while restore reads, and given back as it was
# when restore is interrupted. The shell on the pty prints its tty and
# the settings before and after; stty -F looks at them from outside
# while restore waits for a share.
# interrupted HOW CMD: HOW is "int" (^C typed) or "term" (kill -TERM).
# Sets $during (settings while prompting) and $tty (all output).
interrupted() {
	local how=$1 cmd=$2 pid i pts
	rm -f "$T/fifo" && mkfifo "$T/fifo" && : >"$T/tty3"
	# a job started with & ignores INT: give script and its child the
	# default back, as at an operator's shell
	env --default-signal=INT,QUIT script -qefc "$cmd" /dev/null \
		<"$T/fifo" >"$T/tty3" 2>&1 &
	pid=$!
	exec 7>"$T/fifo"
	await "$T/tty3" 1 || diag "no prompt"
	printf '%s\n' "$s2" >&7
	await "$T/tty3" 2 || diag "no second prompt"
	pts=$(head -1 "$T/tty3" | tr -d '\r')
	during=$(stty -a -F "$pts" 2>&1)
	if [ "$how" = int ]; then
		printf '\003' >&7
	else
		kill -TERM "$(grep -ao 'PID=[0-9]*' "$T/tty3" | cut -d= -f2)"
	fi
	for ((i = 0; i < 600; i++)); do
		grep -aq AFTER "$T/tty3" && break
		sleep 0.05
	done
	exec 7>&-
	wait "$pid"
	rc=$?
	tty=$(tr -d '\r' <"$T/tty3")
}
# settings TEXT WHICH: the stty -a output BEFORE or AFTER restore ran
settings() {
	printf '%s\n' "$1" | sed -n "/^$2\$/,/^END$2\$/p" | grep -v "$2\$"
}
echo_on() { printf '%s\n' "$1" | grep -Eq '(^| )echo( |$)'; }
cd "$R" || exit 2
rm -f transcript.log
for how in int term; do
	if [ $how = int ]; then
		# the shell traps INT (its child does not inherit the trap)
		body="trap 'echo; echo AFTER; stty -a; echo ENDAFTER; exit 0' INT; \
'$CEREMONY' restore --check"
	else
		body="'$CEREMONY' restore --check </dev/tty & echo PID=\$!; wait"
	fi
	before=$(snapshot "$R")
	interrupted $how "tty; echo BEFORE; stty -a; echo ENDBEFORE; $body; \
echo; echo AFTER; stty -a; echo ENDAFTER"
	is "$rc" 0 "$how: the shell goes on after restore"
	has "$tty" "still too few shares" "$how: one share typed"
	case $tty in *"ceremony: too few"*) fail "$how: restore was stopped" ;;
	*) pass "$how: restore was stopped" ;; esac
	echo_on "$during"
	ok $((! $?)) "$how: echo is off while restore reads the words"
	echo_on "$(settings "$tty" BEFORE)"
	ok $? "$how: echo was on before"
	is "$(settings "$tty" AFTER)" "$(settings "$tty" BEFORE)" \
		"$how: restore gives the terminal back as it was"
	is "$(snapshot "$R")" "$before" "$how: nothing written"
done
done_testing
