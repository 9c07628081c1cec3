#!/bin/bash
# The ceremony's own files and directory: transcript.log and ledger.jsonl
# are never followed through a symbolic link nor re-moded, a transcript
# that cannot be appended stops a command before it writes anything, and
# a ceremony directory others can write to (or owned by another user) is
# refused by name.
. "$(dirname "$0")/../lib.sh"

cd "$T"

# --- transcript.log a symbolic link to another file (the issue's repro) ---
printf x >victim
chmod 600 victim
mkdir d
ln -s "$T/victim" d/transcript.log
refuses 2 "transcript.log: a symbolic link; refusing to follow it" \
	"transcript.log a symlink" -- cer -C d root --no-passphrase --key ec-p256
is "$(stat -c %a victim)" 600 "the link's target stays 0600"
is "$(cat victim)" x "the link's target is unchanged"
[ ! -e d/deviceRootCA.key ] && [ ! -e d/deviceRootCA.pem ]
ok $? "no CA key or certificate beside the link"

# --- a dangling symbolic link: nothing is created outside ---
mkdir dg
ln -s "$T/outside.log" dg/transcript.log
refuses 2 "transcript.log: a symbolic link" "transcript.log a dangling symlink" -- \
	cer -C dg root --no-passphrase --key ec-p256
[ ! -e outside.log ]; ok $? "no file created where the dangling link points"

# --- transcript.log a directory: root stops before writing its outputs ---
mkdir -p td/transcript.log
refuses 2 "transcript.log: not a regular file" "transcript.log a directory" -- \
	cer -C td root --no-passphrase --key ec-p256
[ ! -e td/deviceRootCA.key ] && [ ! -e td/deviceRootCA.pem ] && [ ! -e td/ceremony.key ]
ok $? "no CA key, certificate or signing key left behind"

# --- a normal ceremony still works ---
run cer -C c root --no-passphrase --key ec-p256
is "$rc" 0 "root in a fresh directory"
is "$(stat -c %a c/transcript.log)" 644 "a new transcript.log is 0644"
run cer -C c template --region us-east-2 --account 123456789012 --mode sni-only
is "$rc" 0 "template appends"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj "/C=US/O=Acme/CN=dev1" -keyout dev1.key -out dev1.csr 2>/dev/null
run cer -C c sign "$T/dev1.csr"
is "$rc" 0 "sign appends"
is "$(stat -c %a c/ledger.jsonl)" 644 "a new ledger.jsonl is 0644"
run cer -C c transcript verify
is "$rc" 0 "the transcript verifies"
is "$(wc -l <c/transcript.log)" 3 "one line per command"

# an existing transcript keeps the mode it has
chmod 600 c/transcript.log
run cer -C c sign "$T/dev1.csr"
is "$rc" 0 "sign again"
is "$(stat -c %a c/transcript.log)" 600 "an existing transcript.log is not re-moded"
chmod 644 c/transcript.log

# the transcript swapped for a link after root: later commands refuse
cp -a c s
mv s/transcript.log s/transcript.real
ln -s transcript.real s/transcript.log
refuses 2 "transcript.log: a symbolic link" "template with transcript.log a symlink" -- \
	cer -C s template --region us-east-2 --account 123456789012 --mode sni-only --force
refuses 2 "transcript.log: a symbolic link" "transcript verify with a symlink" -- \
	cer -C s transcript verify

# --- ledger.jsonl a symbolic link: sign refuses ---
cp -a c l
printf y >victim2
chmod 600 victim2
mv l/ledger.jsonl l/ledger.real
ln -s "$T/victim2" l/ledger.jsonl
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj "/C=US/O=Acme/CN=dev2" -keyout dev2.key -out dev2.csr 2>/dev/null
refuses 2 "ledger.jsonl: a symbolic link; refusing to follow it" "ledger.jsonl a symlink" -- \
	cer -C l sign "$T/dev2.csr"
is "$(stat -c %a victim2)$(cat victim2)" 600y "the ledger link's target is untouched"
rm l/ledger.jsonl
ln -s "$T/ledger-outside" l/ledger.jsonl
refuses 2 "ledger.jsonl: a symbolic link" "ledger.jsonl a dangling symlink" -- \
	cer -C l sign "$T/dev2.csr"
[ ! -e ledger-outside ]; ok $? "no ledger created where the dangling link points"

# --- the ceremony directory: the user's own, writable by nobody else ---
cp -a c g
chmod 770 g
refuses 2 "g: the ceremony directory is writable by its group" "group-writable dir" -- \
	cer -C g sign "$T/dev2.csr"
chmod 707 g
refuses 2 "g: the ceremony directory is writable by everyone" "world-writable dir" -- \
	cer -C g transcript verify
chmod 700 g
mkdir gw
chmod 775 gw
refuses 2 "gw: the ceremony directory is writable by its group" "root in a group-writable dir" -- \
	cer -C gw root --no-passphrase --key ec-p256
refuses 2 "^ceremony: \.: the ceremony directory is writable" "the current directory named '.'" -- \
	sh -c 'cd gw && exec "$0" root --no-passphrase --key ec-p256' "$CEREMONY"
if [ "$(id -u)" -eq 0 ]; then
	mkdir o
	chown nobody o
	refuses 2 "o: the ceremony directory belongs to another user" "dir owned by another user" -- \
		cer -C o root --no-passphrase --key ec-p256
else
	echo "ok $((_n += 1)) # skip not root: cannot chown a directory to nobody"
fi
# commands that keep no state still run anywhere
run cer -C gw shares split --help
is "$rc" 0 "shares runs in a group-writable directory"
run cer -C gw root --help
is "$rc" 0 "--help needs no check"

# run checks the directory its config names
cer init "$T/run.cnf" >/dev/null 2>&1
code=$(openssl rand -hex 32)
mkdir rw
chmod 775 rw
sed -e "s/^registration_code = ask/registration_code = $code/" \
	-e "s/^key = rsa2048/key = ec-p256/" -e "s|^directory = .*|directory = $T/rw|" run.cnf |
	awk '/^\[backup\]|^\[bundle\]/ {skip=1} /^\[(ceremony|root|verification|template)\]/ {skip=0} !skip' >rw.cnf
printf 'run passphrase\n' >pw
refuses 2 "rw: the ceremony directory is writable by its group" "run in a group-writable dir" -- \
	cer run --yes --passphrase-file pw rw.cnf

done_testing
