#!/bin/sh
# postdesk.cgi behind a real lighttpd (mod_cgi, basic auth for staff),
# checked with curl: statuses, headers, customer isolation, CSRF, links
# and their revocation, sessions, XSS from mail rendered inert, SQL
# metacharacters in search.
. "$(dirname "$0")/lib-web.sh"

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else nok "$desc"; fi; }

echo "1..135"
if ! web_setup; then
	echo "Bail out! setup failed"; cat "$T/error.log" 2>/dev/null; exit 1
fi

C="$T/curl"; mkdir -p "$C"
# get NAME URL [curl args]: body in $C/NAME, headers in $C/NAME.h,
# status printed.
get() {
	name=$1; url=$2; shift 2
	curl -s -o "$C/$name" -D "$C/$name.h" -w '%{http_code}' "$@" "$url"
}
hdr() { grep -i "^$2:" "$C/$1.h" | tr -d '\r'; }
has() { grep -q -- "$2" "$C/$1"; }
csrf() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$C/$1" | head -1; }
S="$BASE/staff/pd.cgi"
P="$BASE/pd.cgi"
A="-u alice:alicepw"

# --- the permission model (lib-web.sh) -------------------------------
if [ -n "$WEB_USER" ]; then
	check "the CGI runs as www-data, in group postdesk" sh -c \
	    "[ \"\$(ps -o user= -p $LPID)\" = www-data ] && id -nG www-data | grep -qw postdesk"
	# The database file and its -wal are SQLite's.
	if web_pg; then
		check "state directory postdesk:postdesk 2770, no database file" \
		    test "$(stat -c '%U:%G %a' "$STATE")" = "postdesk:postdesk 2770" -a ! -e "$DB"
		ok "# SKIP -wal and -shm are SQLite's"
	else
	check "state directory postdesk:postdesk 2770, database 0660" test \
	    "$(stat -c '%U:%G %a' "$STATE" "$DB" | tr '\n' ' ')" = "postdesk:postdesk 2770 postdesk:postdesk 660 "
	check "no -wal or -shm before the first GET" \
	    test ! -e "$DB-wal" -a ! -e "$DB-shm"
	fi
else
	for i in 1 2 3; do ok "# SKIP not root: no www-data / postdesk users"; done
fi
# --- staff -----------------------------------------------------------
check "staff list is 200" test "$(get slist "$S/" $A)" = 200
# --- the viewer's time zone ------------------------------------------
check "times are in the server's zone by default (UTC here)" \
    sh -c "grep -q 'datetime=\"[0-9T:-]*+00:00\"\|datetime=\"[0-9T:-]*Z\"' '$C/slist'"
check "?tz=Asia/Tokyo shows times in Tokyo" \
    sh -c "test \"\$(curl -s -o '$C/tz' -D '$C/tz.h' -w '%{http_code}' $A '$S/?tz=Asia/Tokyo')\" = 200 && grep -q '+09\(:00\)\?\"' '$C/tz'"
check "?tz= sets a time-zone cookie" grep -qi '^Set-Cookie: pd_tz=Asia/Tokyo;.*SameSite=Strict' "$C/tz.h"
check "the cookie keeps the zone on the next page" \
    sh -c "curl -s $A -H 'Cookie: pd_tz=Asia/Tokyo' '$S/' | grep -q '+09\(:00\)\?\"'"
check "an unknown zone is a 400" test "$(get badtz "$S/?tz=Mars/Olympus_Mons" $A)" = 400
check "CSP forbids scripts" sh -c "grep -qi \"^Content-Security-Policy: default-src 'none'; style-src 'self'\" '$C/slist.h'"
check "X-Frame-Options DENY" test "$(hdr slist X-Frame-Options)" = "X-Frame-Options: DENY"
check "Referrer-Policy no-referrer" test "$(hdr slist Referrer-Policy)" = "Referrer-Policy: no-referrer"
check "nosniff on pages" test "$(hdr slist X-Content-Type-Options)" = "X-Content-Type-Options: nosniff"
check "staff sees both customers' tickets" sh -c "grep -q 'zebrafish' '$C/slist' && grep -q 'on fire' '$C/slist'"
check "subject XSS is escaped in the list" sh -c "! grep -q '<script>alert' '$C/slist' && grep -q '&lt;script&gt;alert' '$C/slist'"
check "no auth on the staff URL is 401" test "$(get s401 "$S/")" = 401
check "a web user not on the staff list gets 403" test "$(get smal "$S/" -u mallory:mallorypw)" = 403
check "staff_users maps jdoe to bob" sh -c "[ \"\$(curl -s -u jdoe:jdoepw '$S/')\" != '' ] && curl -s -u jdoe:jdoepw '$S/' | grep -q 'bob@example.com (staff)'"
check "dashboard renders SVG charts" sh -c "[ \"\$(curl -s -o '$C/dash' -w '%{http_code}' $A '$S/dashboard')\" = 200 ] && grep -q '<svg' '$C/dash' && grep -q '<rect' '$C/dash'"
check "dashboard: the HotRush target is sla_hotrush's, not a fixed one" \
    grep -q "target (sla_hotrush, by default 2 hours)" "$C/dash"
st=$(get sl2 "$S/?status=submitted" $A)
check "staff: the list links its CSV, with the list's filters ($st)" \
    sh -c "[ $st = 200 ] && grep -q 'export.csv?status=submitted' '$C/sl2'"
st=$(get csv "$S/export.csv" $A)
check "export.csv is 200 text/csv, an attachment ($st)" sh -c \
    "[ $st = 200 ] &&
    grep -qi '^Content-Type: text/csv; charset=utf-8' '$C/csv.h' &&
    grep -qi '^Content-Disposition: attachment; filename=\"tickets.csv\"' '$C/csv.h'"
check "export.csv holds every ticket the list shows, as RFC 4180 records" \
    python3 -c 'import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
ids = sorted(sys.argv[2].split())
sys.exit(0 if rows[0][0] == "id" and sorted(r[0] for r in rows[1:]) == ids
    and open(sys.argv[1], "rb").read().endswith(b"\r\n") else 1)' "$C/csv" \
    "$(sql "SELECT id FROM tickets")"
st=$(get csv2 "$S/export.csv?status=no-such-status" $A)
check "export.csv takes the list's filters ($st)" \
    sh -c "[ $st = 200 ] && [ \"\$(wc -l < '$C/csv2')\" = 1 ]"
check "stylesheet served as text/css" sh -c "curl -s -D - -o /dev/null '$P/style.css' | grep -qi '^Content-Type: text/css'"

# --- parameters and routing ------------------------------------------
check "bad page number is 400" test "$(get bad1 "$S/?page=0" $A)" = 400
check "bad priority is 400" test "$(get bad2 "$S/?priority=urgent" $A)" = 400
check "control character in search is 400" test "$(get bad3 "$S/search?q=%01" $A)" = 400
check "400 page is in the site's style" has bad1 'style.css'
check "unknown path is 404" test "$(get nf "$S/nope" $A)" = 404
check "GET on a POST page is 405" test "$(get m405 "$S/ticket/1/rate" $A)" = 405
check "SQL metacharacters in search are text" test "$(get sq1 "$S/search?q=%27%3B%20DROP%20TABLE%20tickets%3B--" $A)" = 200
check "FTS5 syntax in search is text" test "$(get sq2 "$S/search?q=%22%20NEAR(%20*%20OR" $A)" = 200
check "tickets survive the injection attempt" sh -c "curl -s $A '$S/' | grep -q zebrafish"
check "search highlights hits" sh -c "curl -s $A '$S/search?q=zebrafish' | grep -q '<mark>zebrafish</mark>'"

# --- customer links --------------------------------------------------
link=$("$PD" link carol@a.example)
check "postdesk link prints a link to the viewer" sh -c "echo '$link' | grep -q '^$P/?t='"
check "no credentials is 403" test "$(get anon "$P/")" = 403
check "customer link is 200" test "$(get clink "$link")" = 200
cookie=$(hdr clink Set-Cookie)
check "session cookie is HttpOnly SameSite=Strict" sh -c "echo '$cookie' | grep -q 'pd_session=.*HttpOnly; SameSite=Strict'"
check "no Secure flag over plain HTTP" sh -c "! echo '$cookie' | grep -q Secure"
sess=$(echo "$cookie" | sed 's/^Set-Cookie: \(pd_session=[^;]*\);.*/\1/')
CK="-b $sess"
check "customer list shows only her ticket" sh -c "[ \"\$(curl -s $CK '$P/' | grep -c 'zebrafish')\" = 0 ] && curl -s $CK '$P/' | grep -q 'on fire'"
check "another customer's ticket is 404" test "$(get c404 "$P/ticket/2" $CK)" = 404
check "another customer's attachment is 404" test "$(get ca404 "$P/attachment/2" $CK)" = 404
check "another customer's search hit is hidden" sh -c "[ \"\$(curl -s -o '$C/cs' -w '%{http_code}' $CK '$P/search?q=zebrafish')\" = 200 ] && ! grep -q 'zebrafish budget' '$C/cs' && grep -q 'Nothing found' '$C/cs'"
check "another customer's Message-ID is 404" test "$(get cm404 "$P/message?id=%3Cdave-1%40b.example%3E" $CK)" = 404
check "own Message-ID redirects to the ticket" sh -c "curl -s -o /dev/null -D - $CK '$P/message?id=%3Ccarol-2%40a.example%3E' | grep -qi '^Location: /pd.cgi/ticket/1#m'"
check "customer cannot open the dashboard" test "$(get cd "$P/dashboard" $CK)" = 404
check "customer cannot export CSV" test "$(get ccsv "$P/export.csv" $CK)" = 404
st=$(get cl2 "$P/" $CK)
check "customer's list has no CSV link ($st)" \
    sh -c "[ $st = 200 ] && ! grep -q export.csv '$C/cl2'"
check "own attachment downloads" test "$(get att "$P/attachment/1" $CK)" = 200
check "attachment is Content-Disposition attachment with filename*" sh -c "grep -qi \"^Content-Disposition: attachment; filename=\\\".*\\\"; filename\\*=UTF-8''\" '$C/att.h' && grep -qi '^X-Content-Type-Options: nosniff' '$C/att.h'"
check "thread escapes body and filename XSS" sh -c "curl -s $CK '$P/ticket/1' > '$C/thr' && ! grep -q '<img src=x' '$C/thr' && grep -q '&lt;img src=x onerror=alert(&quot;body&quot;)&gt;' '$C/thr' && grep -q '&lt;img src=x onerror=alert(1)&gt;.html' '$C/thr'"
check "quoted history is behind <details>" sh -c "grep -q '<details>' '$C/thr'"

# --- forged and expired links ----------------------------------------
# Change the signature's last character, whatever it is.
case $link in *A) forged=$(echo "$link" | sed 's/.$/B/') ;;
*) forged=$(echo "$link" | sed 's/.$/A/') ;; esac
check "forged link is 403" test "$(get forged "$forged")" = 403
# Expiry is the row's: age a fresh link in the store instead of waiting.
# sql (lib-web.sh) runs as the store's user and waits for a writer.
linkid() { echo "$1" | sed 's/.*?t=\([0-9a-f]*\)\..*/\1/'; }
short=$("$PD" link carol@a.example)
sql "UPDATE web_links SET expires = $(date +%s) - 1 WHERE id = '$(linkid "$short")'"
check "expired link is 403" test "$(get expired "$short")" = 403
check "... with the friendly page" has expired 'This link is invalid or has expired'
# A stateless link of before (EXPIRES.B64(ADDR).MAC, correctly signed).
legacy=$(python3 -c '
import base64, hashlib, hmac, time
exp = int(time.time()) + 3600
a = base64.urlsafe_b64encode(b"carol@a.example").decode().rstrip("=")
m = hmac.new(b"integration-test-key", ("link\n%d\ncarol@a.example" % exp).encode(), hashlib.sha256).digest()
print("%d.%s.%s" % (exp, a, base64.urlsafe_b64encode(m).decode().rstrip("=")))')
check "an old stateless link is refused (403)" test "$(get legacy "$P/?t=$legacy")" = 403
check "... with a hint why" has legacy 'no longer work'

# --- CSRF and POSTs --------------------------------------------------
curl -s $A "$S/ticket/1" > "$C/sthr"
scsrf=$(csrf sthr)
check "staff update without CSRF is 403" test "$(curl -s -o /dev/null -w '%{http_code}' $A -d status=closed "$S/ticket/1/update")" = 403
check "staff closes the ticket with CSRF" test "$(curl -s -o /dev/null -w '%{http_code}' $A -d "csrf=$scsrf&status=closed&priority=major" "$S/ticket/1/update")" = 303
curl -s $CK "$P/ticket/1" > "$C/cthr"
ccsrf=$(csrf cthr)
code_wrong=$(curl -s -o /dev/null -w '%{http_code}' $CK -d "csrf=$scsrf&rating=4" "$P/ticket/1/rate")
code_ok=$(curl -s -o /dev/null -w '%{http_code}' $CK -d "csrf=$ccsrf&rating=4&comment=quick+%3Cb%3Efix%3C%2Fb%3E" "$P/ticket/1/rate")
if [ "$code_wrong" = 403 ] && [ "$code_ok" = 303 ] &&
    curl -s $CK "$P/ticket/1" | grep -q '4 / 5' &&
    curl -s $CK "$P/ticket/1" | grep -q 'quick &lt;b&gt;fix'; then
	ok "CSRF token of another session is refused; the right one rates"
else
	nok "CSRF token of another session is refused; the right one rates ($code_wrong $code_ok)"
fi

# --- the life cycle decides, as for mail commands ----------------------
# sql (lib-web.sh) waits for the CGI's closing checkpoint.
code=$(curl -s -o "$C/bad-tr" -w '%{http_code}' $A -d "csrf=$scsrf&priority=major&status=reopened" "$S/ticket/2/update")
check "an invalid transition via the web is refused (409)" test "$code" = 409
check "the refusal says why" has bad-tr 'Status reopened was refused: the life cycle has no such transition (submitted → reopened)'
check "nothing of a refused form is applied" test "$(sql "SELECT status || ' ' || priority FROM tickets WHERE id=2")" = "submitted normal"
check "closing via the web queued the closed notice and its event" test "$(sql "SELECT count(*) FROM outbox WHERE ticket_id=1 AND template='closed' AND recipients='carol@a.example'"):$(sql "SELECT count(*) FROM events WHERE ticket_id=1 AND kind='status' AND actor='alice@example.com'")" = 1:1
# One form, owner and the status that setting an owner brings: only
# what differs from the ticket as each change leaves it is applied.
code=$(curl -s -o "$C/own" -w '%{http_code}' $A -d "csrf=$scsrf&owner=bob&status=assigned" "$S/ticket/2/update")
check "owner=bob with status=assigned in one form: 303 ($code)" test "$code" = 303
check "... owner set, status assigned once" test "$(sql "SELECT owner || ' ' || status FROM tickets WHERE id=2"):$(sql "SELECT count(*) FROM events WHERE ticket_id=2 AND kind='status'")" = "bob@example.com assigned:1"
code=$(curl -s -o "$C/own2" -w '%{http_code}' $A -d "csrf=$scsrf&owner=bob&status=assigned&priority=major" "$S/ticket/2/update")
check "the same owner as a local part, with a new priority: 303 ($code)" test "$code" = 303
check "... only the priority changed" test "$(sql "SELECT owner || ' ' || status || ' ' || priority FROM tickets WHERE id=2"):$(sql "SELECT count(*) FROM events WHERE ticket_id=2 AND kind='owner'")" = "bob@example.com assigned major:1"
cat > "$T/mail/carol3.eml" <<'MSG'
From: Carol Customer <carol@a.example>
To: support@example.com
Subject: Toner question
Message-ID: <carol-3@a.example>
Date: Tue, 03 Nov 2026 09:00:00 +0000

Which toner fits?
MSG
ingest carol@a.example "$T/mail/carol3.eml"
code=$(curl -s -o "$C/rate-open" -w '%{http_code}' $CK -d "csrf=$ccsrf&rating=5" "$P/ticket/3/rate")
if [ "$code" = 409 ] && has rate-open 'only a closed ticket can be rated' &&
    [ "$(sql "SELECT count(*) FROM ratings WHERE ticket_id=3")" = 0 ]; then
	ok "a rating on a ticket that is not closed is refused"
else
	nok "a rating on a ticket that is not closed is refused ($code)"
fi

# --- organizations: members see each other's tickets, nothing else ----
"$PD" org add OrgA >/dev/null && "$PD" org add OrgB >/dev/null
# Member rights are configuration ([roles]); this site keeps secondary
# members view-only, as Xentral does (the built-in X-Cart roles give
# them full access).
printf '[roles]\nprimary = all\nadvanced = create;comment;rate;view\nsecondary = view\n' >> "$T/pd.conf"
"$PD" org member add OrgA carol@a.example primary >/dev/null
"$PD" org member add OrgA frank@a.example advanced >/dev/null
"$PD" org member add OrgA erin@a.example secondary >/dev/null
"$PD" org member add OrgB dave@b.example primary >/dev/null
cat > "$T/mail/frank1.eml" <<'MSG'
From: Frank Fellow <frank@a.example>
To: support@example.com
Subject: Fax machine jammed
Message-ID: <frank-1@a.example>
Date: Tue, 03 Nov 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="ff"

--ff
Content-Type: text/plain

The fax eats paper (walrus pattern).

--ff
Content-Type: text/plain; name="fax.log"
Content-Disposition: attachment; filename="fax.log"

jam at tray 2
--ff--
MSG
ingest frank@a.example "$T/mail/frank1.eml"
# session NAME ADDRESS: signs ADDRESS in, sets $NAME to "-b pd_session=..."
session() {
	curl -s -o /dev/null -D "$C/$1.login.h" "$("$PD" link "$2")"
	eval "$1=\"-b \$(hdr $1.login Set-Cookie | sed 's/^Set-Cookie: \(pd_session=[^;]*\);.*/\1/')\""
}
session EK erin@a.example
session DK dave@b.example
check "a view-only member's list shows her organization's tickets" sh -c "curl -s $EK '$P/' > '$C/elist' && grep -q 'on fire' '$C/elist' && grep -q 'Fax machine jammed' '$C/elist' && grep -q 'Toner question' '$C/elist'"
check "... and not another organization's" sh -c "! grep -q zebrafish '$C/elist'"
check "a member opens a colleague's ticket" test "$(get eo "$P/ticket/1" $EK)" = 200
check "a member downloads a colleague's attachment" test "$(get eatt "$P/attachment/1" $EK)" = 200
check "a member finds a colleague's message" sh -c "curl -s $EK '$P/search?q=technician' | grep -q '<mark>technician</mark>'"
check "a member looks up a colleague's Message-ID" sh -c "curl -s -o /dev/null -D - $EK '$P/message?id=frank-1%40a.example' | grep -qi '^Location: /pd.cgi/ticket/4#m'"
check "another organization's ticket is 404 to a member" test "$(get e404 "$P/ticket/2" $EK)" = 404
check "another organization's attachment is 404 to a member" test "$(get ea404 "$P/attachment/2" $EK)" = 404
check "another organization's search hit is hidden from a member" sh -c "curl -s $EK '$P/search?q=zebrafish' | grep -q 'Nothing found'"
check "another organization's Message-ID is 404 to a member" test "$(get em404 "$P/message?id=dave-1%40b.example" $EK)" = 404
check "the primary member sees the advanced member's ticket" sh -c "curl -s $CK '$P/' | grep -q 'Fax machine jammed' && [ \"\$(curl -s -o /dev/null -w '%{http_code}' $CK '$P/attachment/3')\" = 200 ]"
check "the other organization sees none of it" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $DK '$P/ticket/4')\" = 404 ] && [ \"\$(curl -s -o /dev/null -w '%{http_code}' $DK '$P/attachment/3')\" = 404 ] && curl -s $DK '$P/search?q=walrus' | grep -q 'Nothing found'"
check "the other organization still sees its own ticket" test "$(get dd "$P/ticket/2" $DK)" = 200
check "a view-only member gets no rating form" sh -c "! grep -q 'name=\"rating\"' '$C/eo'"
# Her own valid CSRF token, made with the site key as the viewer would.
esess=$(echo "$EK" | sed 's/^-b pd_session=//')
ecsrf=$(python3 -c '
import base64, hashlib, hmac, sys, time
exp = int(time.time()) + 3600
m = hmac.new(b"integration-test-key", ("csrf\n%d\n%s" % (exp, sys.argv[1])).encode(), hashlib.sha256).digest()
print("%d.%s" % (exp, base64.urlsafe_b64encode(m).decode().rstrip("=")))' "$esess")
check "a view-only member cannot rate (403), even with a valid form" test "$(curl -s -o /dev/null -w '%{http_code}' $EK -d "csrf=$ecsrf&rating=1" "$P/ticket/1/rate")" = 403
check "... and the rating is unchanged" test "$(sql "SELECT rating FROM ratings WHERE ticket_id=1")" = 4

# --- related tickets: staff link and unlink (ticket_link.h) -----------
# post NAME PATH DATA: staff POST, body in $C/NAME, status printed.
spost() { curl -s -o "$C/$1" -w '%{http_code}' $A -d "$3" "$S$2"; }
nlinks() { sql "SELECT count(*) FROM ticket_links"; }
check "staff link without CSRF is 403, nothing linked" test "$(spost lk0 /ticket/1/link other=2):$(nlinks)" = 403:0
check "staff link #1 to #2 with CSRF (303)" test "$(spost lk1 /ticket/1/link "csrf=$scsrf&other=2")" = 303
check "... an event on each names who linked" test "$(sql "SELECT count(*) FROM events WHERE ticket_id IN (1,2) AND kind='linked' AND actor='alice@example.com'")" = 2
code=$(spost lk2 /ticket/2/link "csrf=$scsrf&other=1")
check "linking them again the other way is a 409 that says why ($code)" sh -c "[ $code = 409 ] && grep -q 'tickets #2 and #1 are already linked' '$C/lk2' && [ $(nlinks) = 1 ]"
code=$(spost lk3 /ticket/1/link "csrf=$scsrf&other=1")
check "linking a ticket to itself is a 409 ($code)" sh -c "[ $code = 409 ] && grep -q 'cannot be linked to itself' '$C/lk3'"
check "a missing ticket is a 404, either side" test "$(spost lk4 /ticket/1/link "csrf=$scsrf&other=999"):$(spost lk5 /ticket/999/link "csrf=$scsrf&other=1"):$(nlinks)" = 404:404:1
check "staff link #4 to #1 (303)" test "$(spost lk6 /ticket/4/link "csrf=$scsrf&other=1")" = 303
curl -s $A "$S/ticket/1" > "$C/lks1"
related() { sed -n '/class="related"/,/<\/section>/p' "$C/$1"; }
related lks1 > "$C/lks1r"
check "staff see both related tickets on #1, each with an unlink form" sh -c "grep -q 'ticket/2\"' '$C/lks1r' && grep -q 'ticket/4\"' '$C/lks1r' && [ \"\$(grep -c 'ticket/1/unlink' '$C/lks1r')\" = 2 ]"
curl -s $A "$S/ticket/2" > "$C/lks2"
check "... and #1 on #2's page" sh -c "sed -n '/class=\"related\"/,/<\/section>/p' '$C/lks2' | grep -q 'ticket/1\"'"
curl -s $CK "$P/ticket/1" > "$C/lkc1"
related lkc1 > "$C/lkc1r"
check "the customer sees the related ticket of her organization, not the other's" sh -c "grep -q 'Fax machine jammed' '$C/lkc1r' && ! grep -q 'ticket/2' '$C/lkc1r' && ! grep -q 'unlink' '$C/lkc1r'"
check "... and the other organization sees no related section on #2" sh -c "curl -s $DK '$P/ticket/2' > '$C/lkd2'; ! grep -q 'class=\"related\"' '$C/lkd2'"
check "a customer cannot link (404)" test "$(curl -s -o /dev/null -w '%{http_code}' $CK -d "csrf=$ccsrf&other=3" "$P/ticket/1/link"):$(nlinks)" = 404:2
code=$(spost ul1 /ticket/2/unlink "csrf=$scsrf&other=1")
check "staff unlink #2 from #1 (303), an event on each" test "$code:$(nlinks):$(sql "SELECT count(*) FROM events WHERE ticket_id IN (1,2) AND kind='unlinked'")" = 303:1:2
check "unlinking tickets that are not linked is a 409" test "$(spost ul2 /ticket/2/unlink "csrf=$scsrf&other=1")" = 409
"$PD" link 3 1 > "$C/cli-link" 2>&1
check "postdesk link A B links tickets" sh -c "grep -q '^tickets #3 and #1 linked' '$C/cli-link' && [ $(nlinks) = 2 ]"
"$PD" link 1 3 > /dev/null 2>&1; rc1=$?
"$PD" link 1 999 > /dev/null 2>&1; rc2=$?
check "... again: exit 65; a missing ticket: exit 66" test "$rc1:$rc2" = 65:66
"$PD" unlink 1 3 > "$C/cli-unlink" 2>&1; rc1=$?
"$PD" unlink 1 3 > /dev/null 2>&1; rc2=$?
check "postdesk unlink A B removes it; again: exit 65" test "$rc1:$rc2:$(nlinks)" = 0:65:1

# --- revocable links and sessions --------------------------------------
# session_of NAME LINK: opens LINK with no cookie; sets $NAME to the
# "-b pd_session=..." of the session it opened.
session_of() {
	curl -s -o /dev/null -D "$C/$1.login.h" "$2"
	eval "$1=\"-b \$(hdr $1.login Set-Cookie | sed 's/^Set-Cookie: \(pd_session=[^;]*\);.*/\1/')\""
}
nsess() { sql "SELECT count(*) FROM web_sessions WHERE link_id = '$1'"; }
rl=$("$PD" link carol@a.example 1)
rid=$(linkid "$rl")
check "a minted link is a web_links row" test "$(sql "SELECT address || ' ' || ticket || ' ' || revoked FROM web_links WHERE id = '$rid'")" = "carol@a.example 1 0"
session_of R1 "$rl"
check "its first use opens a session (a web_sessions row)" test "$(nsess "$rid")" = 1
check "the cookie carries the session id, signed, not the address" sh -c "echo '$R1' | grep -q 'pd_session=[0-9a-f]\{32\}\.' && ! echo '$R1' | grep -q 'carol'"
check "the session shows the customer her ticket" sh -c "curl -s $R1 '$P/ticket/1' | grep -q 'on fire'"
code=$(curl -s -o /dev/null -w '%{http_code}' $R1 "$rl")
check "reloading the link with its session opens no second one" test "$code:$(nsess "$rid")" = 200:1
session_of R2 "$rl"
check "the link works again until revoked (a second device)" test "$(nsess "$rid")" = 2
# last_seen is written sparingly: not on every GET.
sid=$(echo "$R1" | sed 's/^-b pd_session=\([0-9a-f]*\)\..*/\1/')
sql "UPDATE web_sessions SET last_seen = 1000 WHERE id = '$sid'"
sql "UPDATE web_sessions SET last_seen = $(date +%s) - 60 WHERE id <> '$sid'"
seen0=$(sql "SELECT last_seen FROM web_sessions WHERE link_id = '$rid' AND id <> '$sid'")
curl -s -o /dev/null $R2 "$P/"
check "a GET within 10 minutes of the last does not write last_seen" test "$(sql "SELECT last_seen FROM web_sessions WHERE link_id = '$rid' AND id <> '$sid'")" = "$seen0"
curl -s -o /dev/null $R1 "$P/"
check "a GET after 10 minutes does" test "$(sql "SELECT count(*) FROM web_sessions WHERE id = '$sid' AND last_seen > 1000")" = 1
"$PD" link --list carol@a.example > "$C/list" 2>&1
check "postdesk link --list shows the link and its sessions" sh -c "grep -q '^link  *$rid .* active' '$C/list' && [ \"\$(grep -c '^session  *$rid .* active' '$C/list')\" = 2 ]"
curl -s $A "$S/ticket/1" > "$C/ssess"
check "staff see the requester's active sessions on her ticket" sh -c "grep -q \"Requester&#39;s viewer sessions\" '$C/ssess' && [ \"\$(sed -n '/class=\"signins\"/,/<\/section>/p' '$C/ssess' | grep -c '<tr><td><time')\" -ge 2 ]"
check "... and a customer sees no such section" sh -c "! curl -s $R1 '$P/ticket/1' | grep -q 'signins'"
"$PD" link --revoke "$rl" > "$C/revoke" 2>&1
check "postdesk link --revoke URL ends the link and its sessions" grep -q "^$rid: revoked 1 link and 2 sessions" "$C/revoke"
check "the link replayed after revoke is 403" test "$(get replay "$rl")" = 403
check "... with the friendly page" has replay 'This link is invalid or has expired'
code=$(get rev1 "$P/" $R1)
check "a session of the revoked link is refused at once" sh -c "[ '$code' = 403 ] && grep -qi '^Set-Cookie: pd_session=;.*Max-Age=0' '$C/rev1.h'"
check "... and so is the other" test "$(get rev2 "$P/ticket/1" $R2)" = 403
check "revoking an unknown id fails" sh -c "! '$PD' link --revoke ffffffffffffffffffffffffffffffff 2>/dev/null"
# Expired session: age its row.
xl=$("$PD" link carol@a.example)
session_of X1 "$xl"
sql "UPDATE web_sessions SET expires = $(date +%s) - 1 WHERE link_id = '$(linkid "$xl")'"
check "an expired session is refused" test "$(get xs "$P/" $X1)" = 403
check "its cookie max-age is [web] session_lifetime (8 hours)" grep -qi '^Set-Cookie: pd_session=.*Max-Age=28800;' "$C/X1.login.h"
# Staff revoke from the viewer: a POST with CSRF.
session_of W1 "$("$PD" link carol@a.example)"
check "staff revoke without CSRF is 403" test "$(curl -s -o /dev/null -w '%{http_code}' $A -d '' "$S/ticket/1/signout")" = 403
check "... and the session lives on" test "$(get w1a "$P/" $W1)" = 200
check "a customer cannot use the staff revoke" test "$(curl -s -o /dev/null -w '%{http_code}' $W1 -d "csrf=$(curl -s $W1 "$P/ticket/1" > "$C/w1t"; csrf w1t)" "$P/ticket/1/signout")" = 404
curl -s $A "$S/ticket/1" > "$C/sthr2"
check "staff revoke with CSRF signs her out (303)" test "$(curl -s -o /dev/null -w '%{http_code}' $A -d "csrf=$(csrf sthr2)" "$S/ticket/1/signout")" = 303
check "... her session is refused at once" test "$(get w1b "$P/" $W1)" = 403
check "... the ticket records who did it" test "$(sql "SELECT count(*) FROM events WHERE ticket_id = 1 AND kind = 'web-signout' AND actor = 'alice@example.com'")" = 1
check "... and no live link of hers is left" test "$(sql "SELECT count(*) FROM web_links WHERE address = 'carol@a.example' AND revoked = 0 AND expires > $(date +%s)")" = 0
check "... other customers keep theirs" test "$(get dk2 "$P/ticket/2" $DK)" = 200
"$PD" link --revoke dave@b.example > "$C/revd" 2>&1
check "postdesk link --revoke ADDRESS ends all of hers" sh -c "grep -q '^dave@b.example: revoked 1 link and 1 session' '$C/revd' && [ \"\$(curl -s -o /dev/null -w '%{http_code}' $DK '$P/ticket/2')\" = 403 ]"
# Secure follows base_url too (TLS may end at a proxy): the CGI run
# directly, as the web server would, with only base_url changed.
sed 's|^base_url = .*|base_url = https://help.example/pd.cgi|' "$T/pd.conf" > "$T/https.conf"
hl=$(POSTDESK_CONFIG="$T/https.conf" "$PD" link carol@a.example)
POSTDESK_CONFIG="$T/https.conf" REQUEST_METHOD=GET PATH_INFO=/ \
    SCRIPT_NAME=/pd.cgi QUERY_STRING="t=${hl#*t=}" "$CGI" > "$C/https" 2>&1
check "an https base_url makes the cookie Secure, even over plain HTTP" grep -qi '^Set-Cookie: pd_session=.*; Secure' "$C/https"
check "... and the link still signs in (200)" grep -q '^Status: 200' "$C/https"

# The web's writes (POSTs above) and ingest's share the state directory
# through the group: everything there stays postdesk's group and
# group-writable, nothing is root's.
if [ -n "$WEB_USER" ]; then
	check "state files are group postdesk and group-writable: $(ls -l "$STATE" | tail -n +2 | awk '{print $1, $3, $4, $9}' | tr '\n' ';')" \
	    test -z "$(find "$STATE" ! -group postdesk -o ! -perm -g+rw)"
	check "nothing in the state directory is root's" \
	    test -z "$(find "$STATE" -user root)"
else
	for i in 1 2; do ok "# SKIP not root: no www-data / postdesk users"; done
fi
