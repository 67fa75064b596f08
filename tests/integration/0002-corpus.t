#!/bin/sh
# Every message of the real-world corpus (201 upstream test fixtures of
# three mail libraries; see tests/data/corpus/SOURCES.md) through
# postdesk-ingest into one database.  For each file: no crash, exit 0,
# stored or quarantined, and the stored bytes are exactly the input:
#
#   stored       postdesk raw MESSAGE-ID        | cmp - FILE
#   quarantined  postdesk quarantine show ID    | cmp - FILE
#   duplicate    (same Message-ID and body as an earlier file: not stored
#                again, by design) the stored message's body is FILE's
#   reused id    (same Message-ID, different body: stored separately, and
#                postdesk raw prints the first one) the message row with
#                FILE's SHA-256 holds FILE's bytes (sqlite3)
#
# The corpus is read from the copy in tests/data/corpus/, so that a fresh
# clone has it; ../shared/corpus/real next to the source tree, where it
# came from, is checked to be identical when present.
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"

corpus="$top_srcdir/tests/data/corpus"
shared="$top_srcdir/../shared/corpus/real"
[ -f "$corpus/INDEX.tsv" ] || corpus="$shared"
if [ ! -f "$corpus/INDEX.tsv" ]; then
	echo "1..0 # SKIP no corpus in tests/data/corpus or ../shared"
	exit 0
fi
command -v python3 >/dev/null || { echo "1..0 # SKIP needs python3"; exit 0; }

INGEST="$top_builddir/postdesk-ingest"
PD="$top_builddir/postdesk"

T=$(mktemp -d /tmp/postdesk-corpus.XXXXXX)
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP

cat > "$T/postdesk.conf" <<EOF
[store]
path = $T/postdesk.db
[mail]
address = support@helpdesk.test
subject_tag = Support
host = helpdesk.test
EOF
export POSTDESK_CONFIG="$T/postdesk.conf"

# Columns: path, size, tags.  Paths may contain blanks.
nfiles=$(grep -c . "$corpus/INDEX.tsv")
echo "1..$((nfiles + 4))"

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

if [ "$corpus" != "$shared" ] && [ -d "$shared" ]; then
	if diff -r "$shared" "$corpus" >"$T/diff" 2>&1; then
		ok "tests/data/corpus is identical to ../shared/corpus/real"
	else
		not_ok "tests/data/corpus is identical to ../shared/corpus/real"
		diag "$(head -5 "$T/diff")"
	fi
else
	ok "# SKIP ../shared/corpus/real not present to compare with"
fi

# The sizes in INDEX.tsv catch a copy that was altered (EOL conversion).
if awk -F '\t' -v dir="$corpus" '{
	cmd = "wc -c < \"" dir "/" $1 "\""; cmd | getline sz; close(cmd)
	if (sz + 0 != $2 + 0) { print $1 ": " sz " != " $2; bad = 1 }
    } END { exit bad }' "$corpus/INDEX.tsv" >"$T/sizes"; then
	ok "all $nfiles files have the size INDEX.tsv records"
else
	not_ok "all $nfiles files have the size INDEX.tsv records"
	diag "$(head -5 "$T/sizes")"
fi

if "$PD" init >/dev/null; then
	ok "postdesk init"
else
	not_ok "postdesk init"
fi

# Python helpers for the two cases the CLI cannot show byte for byte.
cat > "$T/check.py" <<'EOF'
import re, sqlite3, sys

def body(b):
    # As mail.c's body_offset(): after the first empty line, LF or CRLF.
    m = re.search(rb"\n\r?\n", b)
    return b[m.end():] if m else b""

mode, db, mid, path = sys.argv[1:5]
data = open(path, "rb").read()
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
rows = [bytes(r[0]) for r in con.execute(
    "SELECT b.data FROM messages m JOIN blobs b ON b.sha256 = m.raw_sha256"
    " WHERE m.message_id = ?", (mid,))]
if mode == "duplicate":
    # A stored message with this Message-ID has exactly this body.
    ok = any(body(r) == body(data) for r in rows)
else:
    # Reused Message-ID: one of its messages is exactly this file.
    ok = data in rows
sys.exit(0 if ok else 1)
EOF

newest_quarantine() {
	"$PD" quarantine list | awk '$1 ~ /^[0-9]+$/ && $1 > max { max = $1 }
	    END { print max + 0 }'
}

: > "$T/seen"
stored=0 quarantined=0 duplicates=0 reused=0
cut -f1 "$corpus/INDEX.tsv" > "$T/files"
while IFS= read -r rel <&3; do
	f="$corpus/$rel"
	"$INGEST" --explain <"$f" >"$T/explain" 2>"$T/explain.err"
	rcx=$?
	"$INGEST" <"$f" >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -ne 0 ] || [ $rcx -ne 0 ]; then
		not_ok "$rel: exit $rc (--explain: $rcx)"
		diag "$(cat "$T/err" "$T/explain.err" | head -5)"
		continue
	fi
	mid=$(sed -n 's/^  Message-ID: \([^ ]*\).*/\1/p' "$T/explain")
	if grep -q '^quarantine: yes' "$T/explain"; then
		qid=$(newest_quarantine)
		if [ "$qid" -gt 0 ] &&
		    "$PD" quarantine show "$qid" | cmp -s - "$f"; then
			quarantined=$((quarantined + 1))
			ok "$rel: quarantined as $qid, bytes kept exactly"
		else
			not_ok "$rel: quarantined, but quarantine show $qid differs"
		fi
	elif [ -z "$mid" ]; then
		not_ok "$rel: --explain named no Message-ID"
		diag "$(head -5 "$T/explain")"
	elif grep -q '^duplicate:' "$T/explain"; then
		if python3 "$T/check.py" duplicate "$T/postdesk.db" "$mid" \
		    "$f"; then
			duplicates=$((duplicates + 1))
			ok "$rel: duplicate of <$mid>, same body as stored"
		else
			not_ok "$rel: called a duplicate of <$mid>, body differs"
		fi
	elif grep -qxF -- "$mid" "$T/seen"; then
		if python3 "$T/check.py" reused "$T/postdesk.db" "$mid" "$f"; then
			reused=$((reused + 1))
			ok "$rel: <$mid> reused with another body, stored exactly"
		else
			not_ok "$rel: <$mid> reused, stored bytes differ"
		fi
	elif "$PD" raw "$mid" | cmp -s - "$f"; then
		stored=$((stored + 1))
		ok "$rel: stored, postdesk raw returns the exact bytes"
	else
		not_ok "$rel: postdesk raw <$mid> differs from the input"
	fi
	printf '%s\n' "$mid" >> "$T/seen"
done 3< "$T/files"
# MHTML puts an image before the text/html root of a multipart/related;
# its text ("def") is the whole message and must not be lost.
mhtml="$corpus/mimekit/messages/multipart-related-mhtml.txt"
sum=$(sha256sum "$mhtml" | cut -d' ' -f1)
if [ "$(python3 -c 'import sqlite3, sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
r = c.execute("SELECT stripped FROM messages WHERE raw_sha256 = ?",
    (sys.argv[2],)).fetchone()
print(r[0].strip() if r and r[0] else "")' "$T/postdesk.db" "$sum")" = def ]; then
	ok "multipart/related with an image first keeps its text"
else
	not_ok "multipart/related with an image first lost its text"
fi
diag "$stored stored, $reused with a reused Message-ID," \
    "$duplicates duplicates, $quarantined quarantined"
exit 0
