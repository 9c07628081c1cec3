#!/bin/bash
# The printed pages, proven: headless Chromium prints frames.html,
# shares.html and the transcript page to PDF; pdfinfo checks the paper;
# pdftoppm rasterizes at 300 and 150 dpi; ImageMagick damages the pages;
# zbarimg and ZXingReader each decode them, and `ceremony import --qr -`
# must rebuild the bundle from what each reader found on its own. The
# printed module size is measured from ZXing's corner positions.
#
# Conditions and resolutions (to keep the run to a few minutes):
#   default (15-M): clean, blur (sigma 0.13 mm), rotated (3 degrees and a
#       1.25 % keystone), jpeg (quality 20), stain (a translucent brown
#       disc and ring over a third of the page), strong blur (0.25 mm), at
#       300 and 150 dpi; keystone (4 degrees, 2.5 %) at 300 dpi
#   --qr-version 10, 20, 25 (M): clean, blur, rotated, jpeg, stain at 300
#       dpi; clean and jpeg at 150 dpi
# Required: import rebuilds the bundle from each reader's lines alone in
# every condition at 300 dpi but strong blur and keystone, and for clean
# and jpeg pages at 150 dpi; the rest is recorded (PRINT_SCAN_TABLE=FILE
# copies the table). No reader may ever return a line that is not one of
# the frames.
. "$(dirname "$0")/../lib.sh"

IM=/usr/bin/convert # Debian's ImageMagick, whatever else is on PATH
for t in chromium pdfinfo pdftoppm pdftotext ZXingReader zbarimg "$IM"; do
	command -v "$t" >/dev/null
	ok $? "$t is installed (scripts/install-deps --test)"
done
t0=$(date +%s)

# print HTML PDF: headless Chromium, no network, no header or footer.
print() {
	chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir="$T/chromium" --no-pdf-header-footer \
		--print-to-pdf="$2" "file://$1" >"$T/chromium.log" 2>&1
	[ -s "$2" ]
}
pages() { pdfinfo "$1" | awk '/^Pages:/ { print $2 }'; }
papersize() { pdfinfo "$1" | sed -n 's/^Page size: *\(.*\)$/\1/p'; }

# A ceremony with the default key type, so the bundle has its usual size.
d=$T/c
cer -C "$d" root --no-passphrase >/dev/null 2>&1
cer -C "$d" verification --registration-code "$(openssl rand -hex 32)" >/dev/null 2>&1
cer -C "$d" template --region us-east-2 --account 123456789012 >/dev/null 2>&1
cer -C "$d" backup --threshold 2 --shares 3 --iteration-exponent 0 \
	--custodian Alice --custodian Bob --custodian Carol >/dev/null 2>&1
ok $? "backup written"
pub=$(tail -1 "$d/ceremony.pub")

# One damaged copy of a page and both readers' lines:
# job VERSION DPI CONDITION PAGE-PNG  ->  OUT.zb, OUT.zx (Text and Position)
job() {
	local v=$1 dpi=$2 cond=$3 src=$4 out img w h
	out=$T/scan/$v-$dpi-$cond-$(basename "$src" .png)
	img=$out.png
	case $cond in
	clean) img=$src ;;
	# sigma 0.13 mm and 0.25 mm of paper: 1.5 and 3 px at 300 dpi
	blur) "$IM" "$src" -blur "0x$(awk -v d="$dpi" 'BEGIN { print d / 200 }')" "$img" ;;
	strongblur) "$IM" "$src" -blur "0x$(awk -v d="$dpi" 'BEGIN { print d / 100 }')" "$img" ;;
	rotated) # 3 degrees, and a 1.25 % keystone
		read -r w h < <(/usr/bin/identify -format '%w %h\n' "$src")
		"$IM" "$src" -background white -virtual-pixel white \
			-rotate 3 -distort Perspective \
			"0,0 $((w / 80)),$((h / 120)) $w,0 $((w - w / 160)),0 0,$h 0,$((h - h / 100)) $w,$h $w,$h" \
			"$img" ;;
	keystone) # 4 degrees, and twice that keystone
		read -r w h < <(/usr/bin/identify -format '%w %h\n' "$src")
		"$IM" "$src" -background white -virtual-pixel white \
			-rotate 4 -distort Perspective \
			"0,0 $((w / 40)),$((h / 60)) $w,0 $((w - w / 80)),0 0,$h 0,$((h - h / 50)) $w,$h $w,$h" \
			"$img" ;;
	jpeg) img=$out.jpg && "$IM" "$src" -quality 20 "$img" ;;
	stain)
		read -r w h < <(/usr/bin/identify -format '%w %h\n' "$src")
		"$IM" "$src" -fill 'rgba(130,80,30,0.5)' \
			-draw "circle $((w * 2 / 5)),$((h * 2 / 5)) $((w * 2 / 5 + w / 6)),$((h * 2 / 5))" \
			-fill none -stroke 'rgba(90,50,10,0.8)' -strokewidth $((dpi / 50)) \
			-draw "circle $((w * 3 / 5)),$((h * 3 / 5)) $((w * 3 / 5 + w / 8)),$((h * 3 / 5))" \
			"$img" ;;
	esac
	zbarimg --raw -q -Sdisable -Sqrcode.enable "$img" >"$out.zb" 2>/dev/null
	ZXingReader -format QRCode "$img" >"$out.zx" 2>/dev/null
	return 0
}
export -f job
export T IM

mkdir -p "$T/scan"
: >"$T/jobs"
: >"$T/table"
# The sheet's layout for each version: columns, module, codes per page.
for v in 15 10 20 25; do
	if [ "$v" = 15 ]; then opt=(); else opt=(--qr-version "$v"); fi
	cer -C "$d" bundle --format qr --force --name "v$v" "${opt[@]}" >"$T/bundle-$v.log" 2>&1
	ok $? "bundle at QR version $v"
	cp "$d/bundle/qr/frames.txt" "$T/frames-$v.txt"
	html=$d/bundle/qr/frames.html
	n=$(wc -l <"$T/frames-$v.txt")
	k=$(sed -n 's/.*Any \([0-9]*\) of the.*/\1/p' "$html" | head -1)
	mod=$(sed -n 's/.*printed module \([0-9.]*\) mm, \([0-9]*\) codes a page.*/\1/p' "$html" | head -1)
	per=$(sed -n 's/.*printed module \([0-9.]*\) mm, \([0-9]*\) codes a page.*/\2/p' "$html" | head -1)
	cols=$(grep -o 'repeat([0-9]*' "$html" | head -1 | tr -dc 0-9)
	echo "$v $k $n $cols $mod $per" >"$T/geo-$v"
	pdf=$T/frames-$v.pdf
	print "$html" "$pdf"
	ok $? "$v: Chromium prints frames.html"
	like "$(papersize "$pdf")" "\(A4\)" "$v: frames.pdf is A4"
	is "$(pages "$pdf")" $(((n + per - 1) / per)) "$v: $n codes, $per a page: every page full but the last"
	for dpi in 300 150; do
		pdftoppm -r "$dpi" -gray -png "$pdf" "$T/scan/p$v-$dpi"
		case $v-$dpi in
		15-300) conds="clean blur rotated jpeg stain strongblur keystone" ;;
		15-150) conds="clean blur rotated jpeg stain strongblur" ;;
		*-300) conds="clean blur rotated jpeg stain" ;;
		*-150) conds="clean jpeg" ;;
		esac
		for c in $conds; do
			for p in "$T/scan/p$v-$dpi"-*.png; do
				echo "$v $dpi $c $p" >>"$T/jobs"
			done
			echo "$v $dpi $c" >>"$T/table"
		done
	done
done

# Share sheets (A4 by default) and the transcript page on Letter.
cer -C "$d" transcript show --html --paper Letter --out "$d/transcript.html" >"$T/tr.log" 2>&1
ok $? "transcript show --html --paper Letter"
print "$d/backup/shares.html" "$T/shares.pdf"
ok $? "Chromium prints shares.html"
like "$(papersize "$T/shares.pdf")" "\(A4\)" "shares.pdf is A4 (the default)"
is "$(pages "$T/shares.pdf")" 3 "shares.pdf: one page per share"
print "$d/transcript.html" "$T/transcript.pdf"
ok $? "Chromium prints transcript.html"
like "$(papersize "$T/transcript.pdf")" "\(letter\)|612 x 792" "transcript.pdf is Letter"
t1=$(date +%s)

# The damaged copies and both readers, two at a time.
xargs -P 2 -L 1 bash -c 'job "$@"' _ <"$T/jobs"
t2=$(date +%s)

# zx2lines FILE: ZXing's decoded texts, one per line
zx2lines() { sed -n 's/^Text: *"\(.*\)"$/\1/p' "$1"; }
# rebuild V READER FILES...: lines of the reader -> import
printf '%-4s %-4s %-10s %-6s %-9s %s\n' version dpi condition reader decoded rebuilt >"$T/figures"
while read -r v dpi c; do
	read -r _ k n _ _ _ <"$T/geo-$v"
	for r in zbar zxing; do
		if [ $r = zbar ]; then
			cat "$T/scan/$v-$dpi-$c-"*.zb >"$T/lines" 2>/dev/null
		else
			for f in "$T/scan/$v-$dpi-$c-"*.zx; do zx2lines "$f"; done >"$T/lines"
		fi
		got=$(sort -u "$T/lines" | grep -c .)
		wrong=$(sort -u "$T/lines" | grep -c -vxF -f "$T/frames-$v.txt")
		is "$wrong" 0 "$v $dpi dpi $c, $r: no line that is not a frame"
		rm -rf "$T/imp"
		if cer import --qr - --pubkey "$pub" --out "$T/imp" <"$T/lines" >/dev/null 2>&1 &&
			cmp -s "$T/imp/deviceRootCA.pem" "$d/deviceRootCA.pem"; then
			rebuilt=yes
		else
			rebuilt=no
		fi
		printf '%-4s %-4s %-10s %-6s %-9s %s\n' "$v" "$dpi" "$c" "$r" "$got/$n" "$rebuilt" >>"$T/figures"
		case $dpi-$c in
		*-strongblur | *-keystone) required=0 ;;
		300-* | 150-clean | 150-jpeg) required=1 ;;
		*) required=0 ;;
		esac
		if [ $required = 1 ]; then
			is "$rebuilt" yes "$v $dpi dpi $c: import rebuilds the bundle from $r's $got of $n codes (k = $k)"
		else
			diag "$v $dpi dpi $c, $r: $got of $n codes, rebuilt: $rebuilt (recorded, not required)"
		fi
	done
done <"$T/table"

# The printed module, measured on the clean 300 dpi pages: the side of a
# code between ZXing's corners, over 17 + 4V modules.
for v in 15 10 20 25; do
	read -r _ _ _ cols mod per <"$T/geo-$v"
	w=$((17 + 4 * v))
	min=$(cat "$T/scan/$v-300-clean-"*.zx | awk -v w=$w '
		/^Position:/ { split($2, a, "x"); split($3, b, "x");
			dx = b[1] - a[1]; dy = b[2] - a[2]; s = sqrt(dx * dx + dy * dy)
			m = s / w / 300 * 25.4; if (min == "" || m < min) min = m }
		END { printf "%.3f", min }')
	awk -v m="$min" 'BEGIN { exit !(m >= 0.6) }'
	ok $? "$v: printed module measured $min mm >= 0.6 mm ($cols columns, $per a page)"
	awk -v m="$min" -v s="$mod" 'BEGIN { exit !(m >= s * 0.97 && m <= s * 1.03 + 0.01) }'
	ok $? "$v: the sheet states the module it prints ($mod mm, measured $min)"
done
has "$(cat "$d/bundle/qr/frames.html")" "zbarimg --raw -q -Sdisable -Sqrcode.enable" "frames.html: the QR-only restore line"
has "$(cat "$d/bundle/qr/frames.html")" "Scan at 300 dpi or more" "frames.html: the scanning advice"
pdftotext -layout "$T/frames-15.pdf" - | grep -q "ceremony import --qr - --pubkey $pub"
ok $? "the printed frames carry the restore command with the key"

# Each share's printed QR decodes to its words, with both readers.
pdftoppm -r 300 -gray -png "$T/shares.pdf" "$T/share"
for m in 1 2 3; do
	want=$(awk '/^Words:/ { w = 1; next } w && NF == 0 { exit }
		w { for (i = 1; i < NF; i += 2) word[$i] = $(i + 1) }
		END { for (i = 1; i in word; i++) printf "%s%s", (i > 1 ? " " : ""), toupper(word[i]) }' \
		"$d/backup/share-1-$m.txt")
	png=$(ls "$T"/share-*.png | sed -n "${m}p")
	is "$(zbarimg --raw -q -Sdisable -Sqrcode.enable "$png" 2>/dev/null)" "$want" "share $m: zbarimg reads the printed words"
	is "$(ZXingReader -format QRCode "$png" | sed -n 's/^Text: *"\(.*\)"$/\1/p')" "$want" "share $m: ZXingReader reads the printed words"
done

# The transcript: the head hash and the signature lines on the last page;
# every page after the first starts with a whole step or the head block.
head=$(tail -1 "$d/transcript.log" | tr -d '\n' | sha256sum | cut -d' ' -f1)
np=$(pages "$T/transcript.pdf")
last=$(pdftotext -f "$np" -l "$np" -layout "$T/transcript.pdf" -)
has "$last" "$head" "transcript: the head hash on the last page ($np pages)"
has "$last" "Signature" "transcript: the signature lines on the same page"
words=$(grep -A1 -F "<pre>$head</pre>" "$d/transcript.html" | tail -1 | sed 's/<[^>]*>//g')
has "$(echo "$last" | tr -s ' \n' '  ')" "$(echo "$words" | cut -d' ' -f1-4)" "transcript: the head words beside it"
split=0
for p in $(seq 2 "$np"); do
	first=$(pdftotext -f "$p" -l "$p" -layout "$T/transcript.pdf" - | grep -m1 .)
	case $first in "#"[0-9]* | *"Head hash"*) ;; *) split=1 ;; esac
done
is "$split" 0 "transcript: no step split across pages"

t3=$(date +%s)
diag "print $((t1 - t0)) s, damage and decode $((t2 - t1)) s, import and checks $((t3 - t2)) s"
while read -r line; do diag "$line"; done <"$T/figures"
for v in 15 10 20 25; do diag "geometry $(cat "$T/geo-$v") (version k n columns module-mm per-page)"; done
[ -n "${PRINT_SCAN_TABLE:-}" ] && cp "$T/figures" "$PRINT_SCAN_TABLE"
done_testing
