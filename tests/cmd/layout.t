#!/bin/bash
# The house's rules, read from the includes: arrows between the folders
# of ceremony/ go down only, and media/ knows nothing of ceremony/.
. "$(dirname "$0")/../lib.sh"
src=$(cd "$TESTS_DIR/.." && pwd)
allowed() { # room: the folders it may include
	case $1 in
	core) echo "core" ;;
	media) echo "media" ;;
	ca) echo "ca core media cmd" ;;
	backup | sign | bundle) echo "$1 ca core media cmd" ;;
	run | top) echo "run backup sign bundle ca core media cmd" ;;
	*) echo "" ;;
	esac
}
cd "$src" || exit 1
is "$(ls ceremony | grep -v '^\(main\.c\|cmd\.h\|README\|core\|ca\|backup\|sign\|bundle\|run\|man\)$' | tr '\n' ' ')" "" \
	"ceremony/ holds main.c, cmd.h and the capability folders only"
for room in core ca backup sign bundle run; do
	[ -s "ceremony/$room/README" ]; ok $? "ceremony/$room/README says what the room is for"
done
# check FILE ROOM: prints each include of FILE that ROOM may not have
check() {
	local ok_rooms=" $(allowed "$2") " inc to
	for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$1"); do
		case $inc in
		cmd.h) to=cmd ;;
		*/*) to=${inc%%/*} ;;
		*) echo "$1:$inc(unqualified)"; continue ;;
		esac
		case $ok_rooms in *" $to "*) ;; *) echo "$1->$inc" ;; esac
	done
}
bad=
for f in ceremony/*.[ch] ceremony/*/*.[ch] media/*.[ch]; do
	case $f in
	media/*) room=media ;;
	ceremony/*/*) room=${f#ceremony/}; room=${room%%/*} ;;
	*) room=top ;;
	esac
	bad="$bad$(check "$f" "$room")"
done
is "$bad" "" "every include goes down the allowed arrows"
# the check can fail: an upward or unqualified include is reported
printf '#include "core/util.h"\n#include "backup/slip39.h"\n#include "pki.h"\n' >"$T/up.c"
is "$(check "$T/up.c" core | tr '\n' ' ')" "$T/up.c->backup/slip39.h $T/up.c:pki.h(unqualified) " \
	"an upward and an unqualified include are caught"
is "$(check "$T/up.c" run | tr '\n' ' ')" "$T/up.c:pki.h(unqualified) " "run/ may include backup/"
grep -l '^#include "' media/*.[ch] | xargs grep -h '^#include "' | grep -v '^#include "media/' >"$T/m"
is "$(cat "$T/m")" "" "media/ includes only media/"
done_testing
