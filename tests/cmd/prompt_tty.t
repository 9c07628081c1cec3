#!/bin/bash
# The passphrase prompt on a real pty: echo off while it reads, and the
# terminal given back as it was when the command is interrupted (^C or
# kill -TERM), with nothing written.
. "$(dirname "$0")/../lib.sh"
command -v script >/dev/null || { echo "1..1"; echo "not ok 1 - script (bsdutils) is needed"; exit 1; }
cd "$T" || exit 1
mkdir w && chmod 700 w
settings() { printf '%s\n' "$1" | sed -n "/^$2\$/,/^END$2\$/p" | grep -v "$2\$"; }
echo_on() { printf '%s\n' "$1" | grep -Eq '(^| )echo( |$)'; }
for how in int term; do
	if [ $how = int ]; then
		body="trap 'echo; echo AFTER; stty -a; echo ENDAFTER; exit 0' INT; '$CEREMONY' -C w root"
	else
		body="'$CEREMONY' -C w root </dev/tty & echo PID=\$!; wait"
	fi
	rm -f fifo out && mkfifo fifo && : >out
	env --default-signal=INT,QUIT script -qefc "tty; echo BEFORE; stty -a; echo ENDBEFORE; $body; \
echo; echo AFTER; stty -a; echo ENDAFTER" /dev/null <fifo >out 2>&1 &
	pid=$!
	exec 7>fifo
	for ((i = 0; i < 600; i++)); do grep -aqi 'passphrase' out && break; sleep 0.05; done
	pts=$(head -1 out | tr -d '\r')
	during=$(stty -a -F "$pts" 2>&1)
	if [ $how = int ]; then printf '\003' >&7; else kill -TERM "$(grep -ao 'PID=[0-9]*' out | cut -d= -f2)"; fi
	for ((i = 0; i < 600; i++)); do grep -aq ENDAFTER out && break; sleep 0.05; done
	exec 7>&-
	wait "$pid"
	tty=$(tr -d '\r' <out)
	like "$tty" "[Pp]assphrase" "$how: root prompts for the passphrase"
	echo_on "$during"; ok $((! $?)) "$how: echo is off while the passphrase is read"
	echo_on "$(settings "$tty" BEFORE)"; ok $? "$how: echo was on before"
	is "$(settings "$tty" AFTER)" "$(settings "$tty" BEFORE)" "$how: the terminal is given back as it was"
	is "$(ls -A w)" "" "$how: nothing written"
done
done_testing
