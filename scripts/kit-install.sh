#!/bin/sh
# install.sh: installs ceremony from this kit on Debian 12, offline.
#   ./install.sh [--prefix DIR] [--pubkey KEY]
# Every file is checked against SHA256SUMS (and SHA256SUMS.minisig with
# --pubkey, by ceremony's own verifier) before anything is installed.
set -eu
prefix=/usr/local
pub=
die() { echo "install.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
	--pubkey) [ $# -ge 2 ] || die "--pubkey needs a key file or base64 key"; pub=$2; shift 2 ;;
	-h | --help) sed -n '2,5p' "$0"; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
case $prefix in /*) ;; *) die "--prefix must be an absolute path: $prefix" ;; esac
[ -z "$pub" ] || [ ! -f "$pub" ] || pub=$(cd "$(dirname "$pub")" && pwd)/$(basename "$pub")
cd "$(dirname "$0")"

# 1. The kit is whole: every file listed, every listed file unchanged.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
[ -f SHA256SUMS ] || die "SHA256SUMS: missing; the kit is incomplete"
awk 'NF != 2 || length($1) != 64 || $1 !~ /^[0-9a-f]+$/ { exit 1 }' SHA256SUMS ||
	die "SHA256SUMS: not in sha256sum format; the kit was altered"
awk '{ print $2 }' SHA256SUMS | LC_ALL=C sort >"$t/listed"
find . -type f ! -name SHA256SUMS ! -name SHA256SUMS.minisig | sed 's|^\./||' |
	LC_ALL=C sort >"$t/present"
extra=$(LC_ALL=C comm -13 "$t/listed" "$t/present" | head -1)
[ -z "$extra" ] || die "$extra: not in SHA256SUMS; the kit was altered"
bad=$(sha256sum -c --strict SHA256SUMS 2>/dev/null | sed -n 's/: FAILED.*$//p' | head -1)
[ -z "$bad" ] || die "$bad: SHA-256 does not match SHA256SUMS; the kit was altered"
sha256sum -c --strict --quiet SHA256SUMS >/dev/null 2>&1 ||
	die "SHA256SUMS: cannot check every file; the kit is incomplete"
for f in bin/ceremony install.sh; do grep -q " $f\$" SHA256SUMS || die "SHA256SUMS does not list $f"; done

# 2. With --pubkey: the signature, by the kit's own ceremony, run with the
# kit's libraries unpacked in a temp dir (nothing installed yet).
if [ -n "$pub" ]; then
	[ -f SHA256SUMS.minisig ] || die "SHA256SUMS.minisig: missing; this kit is not signed"
	for d in debs/*.deb; do dpkg-deb -x "$d" "$t/root"; done
	libs=$(find "$t/root" -name '*.so*' -exec dirname {} \; | sort -u | tr '\n' ':')
	LD_LIBRARY_PATH=$libs bin/ceremony verify-signature --pubkey "$pub" SHA256SUMS ||
		die "SHA256SUMS.minisig: bad signature; the kit was altered or signed by another key"
fi

# 3. Install: packages missing or older, then binary and manuals.
[ "$(id -u)" -eq 0 ] || die "run as root: packages are installed with dpkg -i"
todo=
for d in debs/*.deb; do
	p=$(dpkg-deb -f "$d" Package) v=$(dpkg-deb -f "$d" Version)
	have=$(dpkg-query -W -f='${Status} ${Version}' "$p" 2>/dev/null || true)
	case $have in
	"install ok installed "*) dpkg --compare-versions "${have##* }" ge "$v" && continue ;;
	esac
	todo="$todo $d"
done
if [ -n "$todo" ]; then
	echo "install.sh: installing$(for d in $todo; do printf ' %s' "$(dpkg-deb -f "$d" Package)"; done)"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive dpkg -i $todo >/dev/null || die "dpkg -i failed (see above)"
fi
install -d "$prefix/bin" "$prefix/share/man/man1" "$prefix/share/man/man5"
install -m 0755 bin/ceremony "$prefix/bin/ceremony"
for m in man/*.1; do [ -f "$m" ] && install -m 0644 "$m" "$prefix/share/man/man1/"; done
for m in man/*.5; do [ -f "$m" ] && install -m 0644 "$m" "$prefix/share/man/man5/"; done
command -v mandb >/dev/null && mandb -q "$prefix/share/man" 2>/dev/null || true
"$prefix/bin/ceremony" --version
sha256sum "$prefix/bin/ceremony"
echo "install.sh: done; compare the SHA-256 above with the reproducible builds'"
