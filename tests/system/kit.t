#!/bin/bash
# The offline kit as it will be used: a fresh minimal Debian 12 (debootstrap
# minbase, cached pristine in build/minbase.tar) with no network
# (unshare -n): unpack, install.sh, a rehearsal, import of its bundle,
# man pages. A kit with any one byte changed is refused, file named,
# nothing installed. Needs root (chroot, unshare), as CI runs.
. "$(dirname "$0")/../lib.sh"
root=$(cd "$TESTS_DIR/.." && pwd)
bin=$root/build/ceremony
[ "$(id -u)" -eq 0 ] || { echo "1..1"; echo "not ok 1 - kit.t needs root (chroot, unshare -n)"; exit 1; }
make -s -C "$root" build/ceremony >/dev/null || { echo "Bail out! cannot build $bin"; exit 1; }

# the pristine minimal system, made once
base=$root/build/minbase.tar
if [ ! -f "$base" ]; then
	mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
	debootstrap --variant=minbase bookworm "$T/mb" "${mirror:-http://deb.debian.org/debian}" >"$T/debootstrap.log" 2>&1 ||
		{ echo "Bail out! debootstrap failed: $(tail -3 "$T/debootstrap.log")"; exit 1; }
	tar -C "$T/mb" -cf "$base.tmp" . && mv "$base.tmp" "$base"
	rm -rf "$T/mb"
fi
fresh() { umount "$T/r/proc" 2>/dev/null; rm -rf "$T/r" && mkdir "$T/r" && tar -C "$T/r" -xf "$base"; }
# in the chroot, no network (its own empty network namespace), /proc
# mounted for the call (no mount namespace: inside a chroot, as on the
# fresh-machine check, / is not a mount point and cannot be made private)
trap 'umount "$T/r/proc" 2>/dev/null; rm -rf "$T"' EXIT
inroot() {
	local rc
	mount -t proc proc "$T/r/proc" || return 2
	unshare -n chroot "$T/r" /bin/sh -c "$1"
	rc=$?
	umount "$T/r/proc"
	return $rc
}

# the kit, signed with a throwaway minisign key, built twice: same bytes
minisign -G -W -p "$T/kit.pub" -s "$T/kit.key" >/dev/null
run env KIT_SIGN_KEY="$T/kit.key" "$root/scripts/kit" "$bin" "$T/kit1"
is "$rc" 0 "make kit: exit 0"
kit=$(ls "$T"/kit1/ceremony-kit-*.tar.gz)
name=$(basename "$kit" .tar.gz)
like "$name" '^ceremony-kit-[0-9.]+-[a-z0-9]+$' "kit name has version and arch"
s0=$(date +%s)
run env KIT_SIGN_KEY="$T/kit.key" "$root/scripts/kit" "$bin" "$T/kit2"
is "$(sha256sum <"$T/kit2/$name.tar.gz")" "$(sha256sum <"$kit")" "two kit builds: byte-identical"
diag "kit: $(wc -c <"$kit") bytes, $(tar -tzf "$kit" | grep -c '\.deb$') packages"
tar -tzvf "$kit" | awk '{ print $2 }' | sort -u | grep -qvx 'root/root\|0/0'; ok $((! $?)) "members owned by 0/0"

# tar and sha256sum agree with what install.sh checks
mkdir "$T/x" && tar -C "$T/x" -xzf "$kit"
k=$T/x/$name
(cd "$k" && sha256sum -c --quiet SHA256SUMS); ok $? "sha256sum -c SHA256SUMS passes"
minisign -Vm "$k/SHA256SUMS" -p "$T/kit.pub" >/dev/null; ok $? "minisign verifies SHA256SUMS.minisig"
for f in bin/ceremony install.sh README man/ceremony.1; do
	grep -q "  $f\$" "$k/SHA256SUMS"; ok $? "SHA256SUMS lists $f"
done
ls "$k"/debs/libsodium23_*.deb "$k"/debs/libssl3_*.deb "$k"/debs/man-db_*.deb >/dev/null 2>&1
ok $? "kit holds libsodium23, libssl3 and man-db"

# any one byte changed: refused, file named, nothing installed
fresh
installed() { [ -e "$T/r/usr/local/bin/ceremony" ] || grep -q '^Package: libsodium23$' "$T/r/var/lib/dpkg/status"; }
for f in $(cd "$k" && find . -type f | sed 's|^\./||' | LC_ALL=C sort); do
	rm -rf "$T/r/root/k" && cp -a "$k" "$T/r/root/k"
	t=$T/r/root/k/$f
	size=$(stat -c %s "$t")
	off=$((size / 2))
	[ "$f" = install.sh ] && off=$((size - 2)) # in the last line, past the checks
	b=$(od -An -tu1 -j "$off" -N1 "$t" | tr -d ' ')
	printf "$(printf '\\%03o' $(((b + 1) % 256)))" | dd of="$t" bs=1 seek="$off" conv=notrunc status=none
	a=""; [ "$f" = SHA256SUMS.minisig ] && a="--pubkey /root/kit.pub"
	cp "$T/kit.pub" "$T/r/root/kit.pub"
	run inroot "cd /root/k && ./install.sh $a"
	if [ "$f" = install.sh ]; then
		is "$rc" 2 "changed byte in install.sh: refused"
		like "$err" "install.sh: (SHA-256 does not match|.*altered)" "changed byte in install.sh: named"
	else
		is "$rc" 2 "changed byte in $f: refused"
		has "$err" "$f" "changed byte in $f: file named"
	fi
	installed; ok $((! $?)) "changed byte in $f: nothing installed"
done
# a file added to the kit
rm -rf "$T/r/root/k" && cp -a "$k" "$T/r/root/k" && echo x >"$T/r/root/k/debs/extra.deb"
run inroot "cd /root/k && ./install.sh"
is "$rc" 2 "extra file: refused"
has "$err" "debs/extra.deb: not in SHA256SUMS" "extra file: named"
installed; ok $((! $?)) "extra file: nothing installed"
# the wrong signing key
minisign -G -W -p "$T/r/root/other.pub" -s "$T/other.key" >/dev/null
rm -rf "$T/r/root/k" && cp -a "$k" "$T/r/root/k"
run inroot "cd /root/k && ./install.sh --pubkey /root/other.pub"
is "$rc" 2 "other signing key: refused"
has "$err" "SHA256SUMS.minisig" "other signing key: signature named"
installed; ok $((! $?)) "other signing key: nothing installed"

# the real install, offline, then a rehearsal and the import of its bundle
fresh
cp "$kit" "$T/kit.pub" "$T/r/root/"
s=$(date +%s)
run inroot "cd /root && tar -xzf $name.tar.gz && cd $name && ./install.sh --pubkey /root/kit.pub"
is "$rc" 0 "install.sh in a minimal Debian 12 without network: exit 0"
diag "install.sh: $(($(date +%s) - s)) s"
has "$out" "good signature" "install.sh checked the signature"
has "$out" "$(sha256sum <"$bin" | cut -d' ' -f1)" "install.sh prints the installed binary's SHA-256"
like "$out" "source commit [0-9a-f]{40}" "installed ceremony --version names the commit"
run inroot 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
is "$out" "lo" "the install runs in a network namespace with only a loopback"
run inroot 'cd /root && ceremony init c.cnf >/dev/null && TMPDIR=/root ceremony run --rehearse --yes c.cnf'
is "$rc" 0 "installed ceremony: run --rehearse"
b=$(ls "$T"/r/root/ceremony-REHEARSAL-*/bundle/REHEARSAL-bundle.tar.gz 2>/dev/null | sed "s|^$T/r||")
pk=$(ls "$T"/r/root/ceremony-REHEARSAL-*/ceremony.pub 2>/dev/null | sed "s|^$T/r||")
run inroot "ceremony import $b --pubkey-file $pk --out /root/online"
is "$rc" 0 "installed ceremony: import of the rehearsal's bundle"
[ -f "$T/r/root/online/deviceRootCA.pem" ]; ok $? "import unpacked deviceRootCA.pem"
run inroot "MANPAGER=cat MANWIDTH=80 man ceremony-sign"
is "$rc" 0 "man ceremony-sign works"
has "$out" "--csr-dir" "man ceremony-sign documents --csr-dir"
run inroot "MANPAGER=cat man 5 ceremony-formats"
is "$rc" 0 "man 5 ceremony-formats works"
run inroot "cd /root/$name && ./install.sh"
is "$rc" 0 "install.sh again: exit 0"
like "$out" "^ceremony [0-9]" "install.sh again: binary in place"
case $out in *"installing"*) fail "install.sh again: no package reinstalled" ;; *) pass "install.sh again: no package reinstalled" ;; esac
diag "kit test: $(($(date +%s) - s0)) s"
done_testing
