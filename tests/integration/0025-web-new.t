#!/bin/sh
# The portal's forms with files (issue 13): a customer opens a ticket
# on /new with an attachment, through lighttpd and the CGI as deployed,
# and it goes through intake as her mail would; a reply with a file;
# staff reply with a file; view-only members, a bad CSRF token, another
# organization's ticket and an upload over the cap change nothing.
. "$(dirname "$0")/lib-web.sh"

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else nok "$desc"; fi; }

echo "1..23"
if ! web_setup; then
	echo "Bail out! setup failed"; cat "$T/error.log" 2>/dev/null; exit 1
fi
C="$T/curl"; mkdir -p "$C"
get() {
	name=$1; url=$2; shift 2
	curl -s -o "$C/$name" -D "$C/$name.h" -w '%{http_code}' "$@" "$url"
}
csrf() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$C/$1" | head -1; }
session() {
	curl -s -D - -o /dev/null "$("$PD" link "$1")" |
	    sed -n 's/^Set-Cookie: \(pd_session=[^;]*\);.*/\1/p' | tr -d '\r'
}
P="$BASE/pd.cgi"
"$PD" org add OrgA >/dev/null
printf 'max_message_size = 300K\n' > "$T/cap"
# The cap lives in [mail]: put it right after the group header.
sed -i '/^\[mail\]$/r '"$T/cap" "$T/pd.conf"
# The form's categories map to queues: billing has an address of its own.
sed -i 's/^\[web\]$/&\ncategories = Printers=support; Invoices=billing/' "$T/pd.conf"
printf '[queue.billing]\naddress = billing@example.com\n' >> "$T/pd.conf"
printf '[roles]\nprimary = all\nsecondary = view\n' >> "$T/pd.conf"
"$PD" org member add OrgA carol@a.example primary >/dev/null
"$PD" org member add OrgA erin@a.example secondary >/dev/null
count() { sql "SELECT count(*) FROM $1"; }
head -c 100000 /dev/urandom > "$T/photo.bin"

CK=$(session carol@a.example)
st=$(get l1 "$P/" -b "$CK")
check "the ticket list links the new-ticket page ($st)" grep -q 'href="/pd.cgi/new"' "$C/l1"
st=$(get n1 "$P/new" -b "$CK")
tok=$(csrf n1)
check "/new is a form with a file input ($st)" sh -c \
    "[ $st = 200 ] && grep -q 'enctype=\"multipart/form-data\"' '$C/n1' && grep -q 'type=\"file\"' '$C/n1'"

tickets=$(count tickets)
st=$(curl -s -o "$C/c1" -D "$C/c1.h" -w '%{http_code}' -b "$CK" -F "csrf=$tok" \
    -F "subject=Scanner jams" -F "body=It jams on page 2." -F "priority=major" \
    -F "file=@$T/photo.bin;type=image/jpeg;filename=photo.jpg" "$P/new")
id=$(sql "SELECT max(id) FROM tickets")
check "/new opens a ticket: 303 to it ($st, #$id)" sh -c \
    "[ $st = 303 ] && [ $(count tickets) = $((tickets + 1)) ] && grep -qi '^Location: .*/ticket/$id' '$C/c1.h'"
prio=$(sql "SELECT requester || ' ' || priority FROM tickets WHERE id = $id")
check "... hers, with her priority, as her mail command ($prio)" test "$prio" = "carol@a.example major"
att=$(sql "SELECT a.id FROM attachments a JOIN messages m ON m.id = a.message_row WHERE m.ticket_id = $id AND a.filename = 'photo.jpg'")
get a1 "$P/attachment/$att" -b "$CK" >/dev/null
check "... its attachment downloads byte-identical (#$att)" cmp -s "$C/a1" "$T/photo.bin"

long=$(printf 'x%.0s' $(seq 10000))
get c2 "$P/ticket/$id" -b "$CK" >/dev/null
st=$(curl -s -o "$C/p1" -w '%{http_code}' -b "$CK" -F "csrf=$tok" -F "body=Another scan." \
    -F "file=@$T/photo.bin;filename=../../etc/$long.pdf" "$P/ticket/$id/post")
fn=$(sql "SELECT a.filename FROM attachments a JOIN messages m ON m.id = a.message_row WHERE m.ticket_id = $id ORDER BY a.id DESC LIMIT 1")
check "a reply with a file: path parts stripped, name cut (${#fn} bytes)" sh -c \
    "[ $st = 303 ] && [ ${#fn} -le 255 ] && [ ${#fn} -gt 100 ] && case '$fn' in *[/\\\\]*|.*) false;; esac"

msgs=$(count messages); blobs=$(count blobs)
st=$(curl -s -o "$C/p2" -w '%{http_code}' -b "$CK" -F "csrf=wrong" -F "body=x" \
    -F "file=@$T/photo.bin" "$P/ticket/$id/post")
check "a wrong CSRF token in a multipart body: 403, nothing stored ($st)" sh -c \
    "[ $st = 403 ] && [ $(count messages) = $msgs ] && [ $(count blobs) = $blobs ]"
cat "$T/photo.bin" "$T/photo.bin" "$T/photo.bin" "$T/photo.bin" > "$T/big.bin"
st=$(curl -s -o "$C/p3" -w '%{http_code}' -b "$CK" -F "csrf=$tok" -F "body=big" \
    -F "file=@$T/big.bin" "$P/ticket/$id/post")
check "over max_message_size: 413, nothing half-stored ($st)" sh -c \
    "[ $st = 413 ] && [ $(count messages) = $msgs ] && [ $(count blobs) = $blobs ]"

# A file over MAIL_LAZY_MIN (256 KB base64) goes to the store piece by
# piece (mail_parse_large, store_blob_writer); the same file again is
# its blob already: one more blob only, the new mail's raw bytes.
head -c 250000 /dev/urandom > "$T/large.bin"
st=$(curl -s -o "$C/p4" -w '%{http_code}' -b "$CK" -F "csrf=$tok" -F "body=The scan log." \
    -F "file=@$T/large.bin;filename=scan.log" "$P/ticket/$id/post")
att=$(sql "SELECT a.id FROM attachments a JOIN messages m ON m.id = a.message_row WHERE m.ticket_id = $id AND a.filename = 'scan.log'")
get a4 "$P/attachment/$att" -b "$CK" >/dev/null
check "a 250 KB file, stored piece by piece, downloads byte-identical ($st, #$att)" sh -c \
    "[ $st = 303 ] && cmp -s '$C/a4' '$T/large.bin' && [ $(sql "SELECT size FROM attachments WHERE id = ${att:-0}") = 250000 ]"
blobs=$(count blobs)
st=$(curl -s -o "$C/p5" -w '%{http_code}' -b "$CK" -F "csrf=$tok" -F "body=The log again." \
    -F "file=@$T/large.bin;filename=scan2.log" "$P/ticket/$id/post")
check "... the same file again: its blob is reused (blobs $blobs -> $(count blobs))" sh -c \
    "[ $st = 303 ] && [ $(count blobs) = $((blobs + 1)) ] && [ $(sql "SELECT count(DISTINCT sha256) FROM attachments WHERE filename IN ('scan.log', 'scan2.log')") = 1 ]"
msgs=$(count messages)

EK=$(session erin@a.example)
tickets=$(count tickets)
st=$(get e2 "$P/new" -b "$EK")
check "a view-only member: /new is a 409 saying why, no ticket ($st)" sh -c \
    "[ $st = 409 ] && grep -q 'View-only' '$C/e2' && [ $(count tickets) = $tickets ]"

DK=$(session dave@b.example)
get d1 "$P/ticket/2" -b "$DK" >/dev/null
dtok=$(csrf d1)
st=$(curl -s -o "$C/d2" -w '%{http_code}' -b "$DK" -F "csrf=$dtok" -F "body=hi" \
    -F "file=@$T/photo.bin" "$P/ticket/$id/post")
check "another organization's ticket: 404, nothing stored ($st)" sh -c \
    "[ $st = 404 ] && [ $(count messages) = $msgs ]"

get s1 "$BASE/staff/pd.cgi/ticket/$id" -u alice:alicepw >/dev/null
stok=$(csrf s1)
st=$(curl -s -o "$C/s2" -w '%{http_code}' -u alice:alicepw -F "csrf=$stok" \
    -F "body=Here is the driver." -F "file=@$T/photo.bin;filename=driver.zip" \
    "$BASE/staff/pd.cgi/ticket/$id/reply")
att=$(sql "SELECT a.id FROM attachments a JOIN messages m ON m.id = a.message_row WHERE m.ticket_id = $id AND m.direction = 'out' AND a.filename = 'driver.zip'")
check "staff reply with a file: stored on the outbound message ($st, #$att)" sh -c \
    "[ $st = 303 ] && [ -n '$att' ]"
get s3 "$BASE/staff/pd.cgi/attachment/$att" -u alice:alicepw >/dev/null
check "... byte-identical" cmp -s "$C/s3" "$T/photo.bin"

"$PD" status "$id" closed >/dev/null 2>&1
# Within the reopen window (14 days by default) her message reopens
# the ticket, as a mail would: no follow-up is forced on her.
get c3 "$P/ticket/$id" -b "$CK" >/dev/null
check "closed within the reopen window: a reply that reopens, and the reopen choice" sh -c \
    "grep -q 'your message reopens it' '$C/c3' && ! grep -q 'Request a follow-up' '$C/c3' && grep -q '/ticket/$id/change' '$C/c3' && grep -q '<option>reopened</option>' '$C/c3'"
st=$(curl -s -o "$C/u1" -w '%{http_code}' -b "$CK" -d "csrf=$tok" --data-urlencode "body=plain form" "$P/ticket/$id/post")
check "a form without files (urlencoded) posts, and reopens it there ($st)" test "$st:$(sql "SELECT status FROM tickets WHERE id = $id"):$(sql "SELECT count(*) FROM tickets WHERE linked_to = $id")" = 303:reopened:0
"$PD" status "$id" closed >/dev/null 2>&1
st=$(curl -s -o "$C/r1" -w '%{http_code}' -b "$CK" -d "csrf=$tok&status=reopened" "$P/ticket/$id/change")
check "... and her form reopens it too ($st)" test "$st:$(sql "SELECT status FROM tickets WHERE id = $id")" = 303:reopened
# Closed longer than the window: only the follow-up request.
"$PD" status "$id" closed >/dev/null 2>&1
sql "UPDATE tickets SET status_since = status_since - 15 * 86400 WHERE id = $id"
get c4 "$P/ticket/$id" -b "$CK" >/dev/null
check "closed past the reopen window: only a follow-up request" sh -c \
    "grep -q 'Request a follow-up' '$C/c4' && ! grep -q '/ticket/$id/change' '$C/c4'"
st=$(curl -s -o "$C/r2" -w '%{http_code}' -b "$CK" -d "csrf=$tok&status=reopened" "$P/ticket/$id/change")
check "... her form is refused there (409), the ticket stays closed ($st)" test "$st:$(sql "SELECT status FROM tickets WHERE id = $id")" = 409:closed
st=$(curl -s -o "$C/u2" -w '%{http_code}' -b "$CK" -d "csrf=$tok" --data-urlencode "body=it broke again" "$P/ticket/$id/post")
check "... and her message opens a follow-up linked to it ($st)" test "$st:$(sql "SELECT status FROM tickets WHERE id = $id"):$(sql "SELECT count(*) FROM tickets WHERE linked_to = $id")" = 303:closed:1

# Categories: the form lists them; Invoices opens the ticket in billing,
# as her mail to billing@ would; a category not on the list is a 400.
get n2 "$P/new" -b "$CK" >/dev/null
check "/new offers the configured categories" sh -c \
    "grep -q '<option value=\"1\">Printers</option>' '$C/n2' && grep -q '<option value=\"2\">Invoices</option>' '$C/n2'"
tickets=$(count tickets)
st=$(curl -s -o /dev/null -w '%{http_code}' -b "$CK" -F "csrf=$tok" -F "subject=Invoice 2026-11" \
    -F "body=The November invoice is twice the usual." -F "category=2" "$P/new")
q=$(sql "SELECT queue FROM tickets WHERE subject = 'Invoice 2026-11'")
check "... Invoices opens the ticket in the billing queue ($st, $q)" test "$st:$q" = 303:billing
st=$(curl -s -o "$C/n3" -w '%{http_code}' -b "$CK" -F "csrf=$tok" -F "subject=x" \
    -F "body=y" -F "category=9" "$P/new")
check "... a category not on the list: 400 saying so, no ticket ($st)" sh -c \
    "[ $st = 400 ] && grep -q 'no such category' '$C/n3' && [ $(count tickets) = $((tickets + 1)) ]"
