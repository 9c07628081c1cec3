#!/bin/bash
# QR frames against a real decoder: zbarimg reads every PNG media/ writes
# (versions 10-25, levels L/M/Q, 2-8 pixels per module) back to the exact
# text, and the frames it prints rebuild the input with frames lost,
# shuffled and duplicated. Uses the test driver tests/tools/qrpng.c.
. "$(dirname "$0")/../lib.sh"

root=$(cd "$TESTS_DIR/.." && pwd)
q=$T/qrpng
# shellcheck disable=SC2046
cc -O1 -std=c11 -D_GNU_SOURCE -I"$root" -o "$q" \
	"$root/tests/tools/qrpng.c" "$root"/media/*.c \
	$(pkg-config --cflags --libs libcrypto libqrencode zlib)
ok $? "build the qrpng test driver"
command -v zbarimg >/dev/null
ok $? "zbarimg is installed"

seed=${QR_SEED:-$RANDOM}
diag "random seed $seed (QR_SEED=$seed to repeat)"
RANDOM=$seed

# Payload bytes per frame for version-level (frames_payload_max).
declare -A pmax=([10L]=245 [10M]=189 [10Q]=129 [11L]=294 [11M]=226
	[11Q]=155 [12L]=339 [12M]=261 [12Q]=179 [13L]=395 [13M]=304 [13Q]=217
	[14L]=427 [14M]=334 [14Q]=233 [15L]=487 [15M]=382 [15Q]=266 [16L]=551
	[16M]=419 [16Q]=295 [17L]=607 [17M]=471 [17Q]=336 [18L]=679 [18M]=526
	[18Q]=365 [19L]=751 [19M]=588 [19Q]=411 [20L]=815 [20M]=629 [20Q]=450
	[21L]=883 [21M]=672 [21Q]=477 [22L]=955 [22M]=738 [22Q]=531 [23L]=1041
	[23M]=814 [23Q]=575 [24L]=1118 [24M]=866 [24Q]=624 [25L]=1217
	[25M]=949 [25Q]=676)

i=0
for v in $(seq 10 25); do
	for l in L M Q; do
		s=$((2 + i % 7))
		i=$((i + 1))
		d=$T/v$v$l && mkdir "$d"
		# two full data frames and one parity frame
		rnd "$v$l" $((2 * pmax[$v$l])) >"$d/in"
		run "$q" split "$d/in" "$d" "$v" "$l" "$s" 1
		like "$out" "^2 3 ${pmax[$v$l]} [0-9a-f]{8}$" \
			"$v-$l: 2 data + 1 parity frames of ${pmax[$v$l]} bytes"
		zbarimg --raw -q -Sdisable -Sqrcode.enable "$d"/frame-*.png >"$d/scan" 2>"$d/zerr"
		is "$(sort "$d/scan")" "$(sort "$d/frames.txt")" \
			"$v-$l at scale $s: zbarimg reads every frame exactly"
		"$q" join <"$d/scan" >"$d/out" 2>"$d/jerr"
		cmp -s "$d/in" "$d/out"
		ok $? "$v-$l: the scanned frames rebuild the input"
	done
done

# Every scale, at the densest code of the range.
d=$T/scales && mkdir "$d"
rnd scales $((pmax[25L] - 5)) >"$d/in"
for s in 2 3 4 5 6 7 8; do
	"$q" split "$d/in" "$d" 25 L "$s" >/dev/null
	zbarimg --raw -q -Sdisable -Sqrcode.enable "$d/frame-001.png" >"$d/scan" 2>/dev/null
	is "$(cat "$d/scan")" "$(head -1 "$d/frames.txt")" \
		"25-L at scale $s: zbarimg reads it exactly"
done

# Trailing spaces survive (a Base45 line may end in spaces).
"$q" text "CB1:TRAILING  " "$T/sp.png" 2 M 3
zbarimg --raw -q -Sdisable -Sqrcode.enable "$T/sp.png" >"$T/sp.txt" 2>/dev/null
is "$(od -c "$T/sp.txt" | head -2)" "$(printf 'CB1:TRAILING  \n' | od -c | head -2)" \
	"trailing spaces intact through zbarimg"

# A demo-sized bundle at 15-M: drop any n-k frames, shuffle, duplicate.
d=$T/drop && mkdir "$d"
rnd drop 9000 >"$d/in"
read -r k n _ id < <("$q" split "$d/in" "$d" 15 M 3)
is "$k $n" "24 34" "9000 bytes at 15-M: 24 data + 10 parity frames"
zbarimg --raw -q -Sdisable -Sqrcode.enable "$d"/frame-*.png >"$d/scan" 2>/dev/null
is "$(wc -l <"$d/scan")" "$n" "zbarimg reads all $n frames"
bad=0
for t in $(seq 1 40); do
	# keep a random k..n of them, add duplicates, blank and junk lines
	keep=$((k + RANDOM % (n - k + 1)))
	{
		shuf --random-source=<(rnd "t$t" 100000) "$d/scan" | head -"$keep"
		shuf --random-source=<(rnd "d$t" 100000) -n 5 "$d/scan"
		echo
		echo "QR-Code:junk line"
	} | shuf --random-source=<(rnd "s$t" 100000) >"$d/sub"
	"$q" join <"$d/sub" >"$d/out" 2>"$d/err" && cmp -s "$d/in" "$d/out" ||
		{ bad=$((bad + 1)); diag "trial $t failed: $(cat "$d/err")"; }
done
is "$bad" 0 "40 trials of k..n shuffled frames with duplicates rebuild"

# Too few frames: how many more, and which are missing.
grep -vxF -e "$(sed -n 2p "$d/frames.txt")" -e "$(sed -n 30p "$d/frames.txt")" \
	"$d/frames.txt" | head -23 >"$d/few"
run "$q" join <"$d/few"
is "$rc" 1 "23 of 24 needed frames: refused"
is "$err" "qrpng: bundle $id: need 1 more frame (have 23 of the 24 needed, 34 made); missing: 02, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34" \
	"the message says how many more and which are missing"

# Frames of two bundles mixed.
d2=$T/other && mkdir "$d2"
rnd other 3000 >"$d2/in"
read -r _ _ _ id2 < <("$q" split "$d2/in" "$d2" 15 M 3)
run "$q" join < <(head -3 "$d/scan"; head -1 "$d2/frames.txt")
is "$rc" 1 "frames of two bundles: refused"
like "$err" "is from bundle $id2, but earlier frames are from bundle $id" \
	"the message names both bundle ids"

done_testing
