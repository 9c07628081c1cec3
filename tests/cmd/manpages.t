#!/bin/bash
# Manual pages (ceremony/man/): one page per command of 'ceremony --help',
# the options of each page's OPTIONS section and of 'CMD --help' the same
# in both directions, with the same argument names, ceremony(1)'s command
# list the same as --help's, and every page rendering with groff without
# a warning.
. "$(dirname "$0")/../lib.sh"

MAN=$(cd "$TESTS_DIR/.." && pwd)/ceremony/man

# roff text to plain: \- is -, font escapes dropped
plain() { sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(aq/'"'"'/g' -e 's/\\&//g'; }

# help_opts: the long options a --help text (stdin) lists: every one in the
# usage block (up to the first blank line), and those naming an option line
# (a line starting with '-', up to its description after two spaces).
help_opts() {
	awk 'u == 0 && /^$/ { u = 1; next }
	     u == 0 { print; next }
	     /^[ \t]*-/ { sub(/^[ \t]+/, ""); sub(/  .*/, ""); print }' |
		grep -oE -- '--[a-z0-9]+(-[a-z0-9]+)*' | sort -u
}

# help_args: "--opt ARG" (or "--opt") per long option of a --help text
# (stdin), the argument's name as the option lines give it, else as the
# usage block does
help_args() {
	awk 'u == 0 && /^$/ { u = 1; next }
	     u == 0 { print "U " $0; next }
	     /^[ \t]*-/ { sub(/^[ \t]+/, ""); sub(/  .*/, ""); print "O " $0 }' |
		awk '{ k = $1; $1 = ""
		       while (match($0, /--[a-z0-9]+(-[a-z0-9]+)*( [A-Z][A-Za-z0-9\/_]*)?/)) {
			t = substr($0, RSTART, RLENGTH); $0 = substr($0, RSTART + RLENGTH)
			split(t, w, " ")
			if (k == "O" && !(w[1] in o)) o[w[1]] = t
			if (k == "U" && !(w[1] in u)) u[w[1]] = t
		       } }
		     END { for (x in u) if (!(x in o)) o[x] = u[x]
			   for (x in o) print o[x] }' | sort
}

# page_args PAGE: "--opt ARG" (or "--opt") per option tagged in OPTIONS
page_args() {
	section "$1" OPTIONS | awk 'tag { print; tag = 0 } /^\.TP/ { tag = 1 }' |
		awk '{ sub(/^\.[A-Z]+ */, ""); out = ""; q = 0
		       for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1)
			if (c == "\"") q = !q
			else if (c != " " || q) out = out c
		       }
		       print out }' | plain | sed 's/\\~/ /g' |
		grep -oE -- '--[a-z0-9]+(-[a-z0-9]+)*( [A-Z][A-Za-z0-9/_]*)?' | sort -u
}

# section PAGE NAME: the roff lines of section .SH NAME of PAGE
section() {
	awk -v s="$2" '/^\.SH / { x = $0; sub(/^\.SH +/, "", x); gsub(/"/, "", x)
			in_s = (x == s); next }
		in_s' "$1"
}

# page_opts PAGE: the long options tagged (.TP) in the OPTIONS section
page_opts() {
	section "$1" OPTIONS | awk 'tag { print; tag = 0 } /^\.TP/ { tag = 1 }' |
		grep -oE -- '\\-\\-[a-z0-9]+(\\-[a-z0-9]+)*' | sed 's/\\-/-/g' |
		sort -u
}

# render PAGE: groff's warnings (empty when clean)
render() { groff -man -Tutf8 -ww -z "$1" 2>&1; }

# both_ways WHAT HELP-OPTS PAGE-OPTS: one check per option
both_ways() {
	local o
	for o in $2; do
		grep -qxF -- "$o" <<<"$3"
		ok $? "$1: $o from --help is documented under OPTIONS"
	done
	for o in $3; do
		grep -qxF -- "$o" <<<"$2"
		ok $? "$1: $o under OPTIONS is in --help"
	done
}

have_groff=1
command -v groff >/dev/null || {
	have_groff=0
	diag "groff not found: install groff-base (scripts/install-deps --test)"
}

run cer --help
is "$rc" 0 "ceremony --help: exit 0"
top_help=$out
# the command list: "  NAME  summary" lines after "Commands:"
cmds=$(awk '/^Commands:/ { c = 1; next } c && /^$/ { exit }
	c { print $1 }' <<<"$top_help")
summary() { awk -v n="$1" '/^Commands:/ { c = 1; next } c && /^$/ { exit }
	c && $1 == n { $1 = ""; sub(/^ +/, ""); print }' <<<"$top_help"; }
[ "$(wc -w <<<"$cmds")" -ge 10 ]
ok $? "--help lists the commands ($(echo $cmds))"

required="NAME SYNOPSIS DESCRIPTION OPTIONS EXIT STATUS FILES EXAMPLES SEE ALSO"
for c in $cmds; do
	p=$MAN/ceremony-$c.1
	[ -f "$p" ]
	ok $? "ceremony-$c.1 exists"
	[ -f "$p" ] || continue
	up=$(tr a-z A-Z <<<"ceremony-$c")
	head -1 "$p" | grep -q "^\.TH $up 1 "
	ok $? "ceremony-$c.1: .TH $up 1"
	missing=
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" FILES \
		EXAMPLES "SEE ALSO"; do
		grep -qx "\.SH \"\{0,1\}$s\"\{0,1\}" "$p" || missing="$missing [$s]"
	done
	is "$missing" "" "ceremony-$c.1: has every section ($required)"
	name=$(section "$p" NAME | plain | tr '\n' ' ' | sed 's/ *$//')
	is "$name" "ceremony-$c - $(summary "$c")" \
		"ceremony-$c.1: NAME line is the summary in ceremony --help"
	section "$p" "SEE ALSO" | grep -q '^\.BR ceremony (1)'
	ok $? "ceremony-$c.1: SEE ALSO ceremony(1)"

	run cer "$c" --help
	is "$rc" 0 "ceremony $c --help: exit 0"
	both_ways "ceremony-$c.1" "$(help_opts <<<"$out")" "$(page_opts "$p")"
	ha=$(help_args <<<"$out")
	pa=$(page_args "$p")
	for o in $(help_opts <<<"$out"); do
		h=$(awk -v o="$o" '$1 == o' <<<"$ha")
		g=$(awk -v o="$o" '$1 == o' <<<"$pa")
		[ -n "$g" ] || continue
		is "$g" "$h" "ceremony-$c.1: $o takes the argument --help names"
	done

	if [ "$have_groff" = 1 ]; then
		is "$(render "$p")" "" "ceremony-$c.1 renders without warnings"
	else
		fail "ceremony-$c.1 renders without warnings (no groff)"
	fi
done

# no page for a command that does not exist
for p in "$MAN"/ceremony-*.1; do
	c=${p##*/ceremony-}
	c=${c%.1}
	grep -qxF -- "$c" <<<"$cmds"
	ok $? "ceremony-$c.1 is the page of a command in --help"
done

# ceremony(1)
p=$MAN/ceremony.1
[ -f "$p" ]
ok $? "ceremony.1 exists"
listed=$(section "$p" COMMANDS |
	awk 'n == 1 { sub(/^\.B +/, ""); name = $0; n = 2; next }
	     n == 2 { print name " " $0; n = 0; next }
	     /^\.TP/ { n = 1 }' | plain)
is "$(awk '{ print $1 }' <<<"$listed" | tr '\n' ' ')" "$(echo $cmds) " \
	"ceremony.1 COMMANDS: the commands of --help, in its order"
for c in $cmds; do
	got=$(awk -v n="$c" '$1 == n { $1 = ""; sub(/^ +/, ""); print }' \
		<<<"$listed")
	is "$got" "$(summary "$c")" "ceremony.1 COMMANDS: $c has the --help summary"
done
see=$(section "$p" "SEE ALSO" | plain)
for c in $cmds formats; do
	s=5
	[ "$c" = formats ] || s=1
	grep -qx "\.BR ceremony-$c ($s),\{0,1\}" <<<"$see"
	ok $? "ceremony.1 SEE ALSO ceremony-$c($s)"
done
both_ways "ceremony.1" "$(help_opts <<<"$top_help")" "$(page_opts "$p")"
section "$p" OPTIONS | grep -q '^\.BI \\-C " DIR"'
ok $? "ceremony.1 OPTIONS: -C DIR"
grep -q '^  -C DIR ' <<<"$top_help"
ok $? "ceremony --help: -C DIR"
for code in 0 1 2; do
	section "$p" "EXIT STATUS" | grep -qx "\.B $code"
	ok $? "ceremony.1 EXIT STATUS: $code"
done

# ceremony-formats(5)
p=$MAN/ceremony-formats.5
[ -f "$p" ]
ok $? "ceremony-formats.5 exists"
for s in TRANSCRIPT KEYS "SHARE SHEETS" VAULT LEDGER "SIGNATURE FILES" \
	ARCHIVE "QR FRAMES" "RUN CONFIG"; do
	grep -qx "\.SH $s" "$p"
	ok $? "ceremony-formats.5: section $s"
done
for p in "$MAN/ceremony.1" "$MAN/ceremony-formats.5"; do
	if [ "$have_groff" = 1 ]; then
		is "$(render "$p")" "" "${p##*/} renders without warnings"
	else
		fail "${p##*/} renders without warnings (no groff)"
	fi
done

done_testing
