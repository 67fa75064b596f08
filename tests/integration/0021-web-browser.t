#!/bin/sh
# postdesk.cgi in headless Chromium (Debian's chromium, driven over the
# DevTools pipe by web-browser.js): a customer opens her link, follows a
# ticket and rates it; staff open the dashboard, see her session and
# sign her out, after which cookie and link fail; staff answer with a
# canned reply and a file, write a note, change owner and status in one
# form, add and remove a CC, link and unlink a ticket, see a rule's
# field and a message too long to show whole, and merge two tickets; a
# customer opens a ticket on /new in a category, with a priority,
# HotRush and an attachment, answers with a file, switches HotRush
# off, closes it, reopens it by writing and by her form, and in a
# ticket closed past the window may only ask for a follow-up; she
# looks at her account page.  Page scripts are off throughout (the
# forms need none); axe-core checks every page.  Screenshots are kept
# in tests/artifacts/.
if ! command -v node >/dev/null || ! command -v chromium >/dev/null; then
	echo "1..0 # SKIP node or chromium not installed"
	exit 0
fi
. "$(dirname "$0")/lib-web.sh"

if ! web_setup; then
	echo "Bail out! setup failed"; exit 1
fi
# The new-ticket form's categories: Invoices is the billing queue.
sed -i 's/^\[web\]$/&\ncategories = Printers=support; Invoices=billing/' "$T/pd.conf"
printf '[queue.billing]\naddress = billing@example.com\n' >> "$T/pd.conf"
# Carol is her organization's primary member (the account page).
"$PD" org add OrgA >/dev/null
"$PD" org member add OrgA carol@a.example primary >/dev/null
# A field a rule would set (set_field), shown on the desk.
sql "INSERT INTO ticket_fields (ticket_id, name, value) VALUES (1, 'product_version', '4.2.1')"
# A message over [web] max_message_view (256 KB) in ticket 1: shown cut,
# with the whole text as a download.
{
	printf 'From: Carol Customer <carol@a.example>\nTo: support@example.com\n'
	printf 'Subject: Re: [Support #1] Printer on fire\nMessage-ID: <carol-3@a.example>\n'
	printf 'Content-Type: text/plain; charset=utf-8\n\nThe printer log:\n'
	i=0; while [ $i -lt 6000 ]; do
		printf 'line %05d: toner sensor reports E42 at tray 2, again\n' $i
		i=$((i + 1))
	done
	printf 'END OF LOG\n'
} > "$T/carol3.eml"
ingest carol@a.example "$T/carol3.eml"
# Her ticket closed past the reopen window: only a follow-up request.
cat > "$T/carol4.eml" <<'MSG'
From: Carol Customer <carol@a.example>
To: support@example.com
Subject: Old toner question
Message-ID: <carol-4@a.example>

Which toner fits the P2000?
MSG
ingest carol@a.example "$T/carol4.eml"
old=$(sql "SELECT ticket_id FROM messages WHERE message_id = 'carol-4@a.example'")
"$PD" status "$old" closed >/dev/null 2>&1
sql "UPDATE tickets SET status_since = status_since - 15 * 86400 WHERE id = $old"
export PD_OLD_TICKET=$old
# Close ticket 1 as staff so the customer can rate it.
curl -s -u alice:alicepw "$BASE/staff/pd.cgi/ticket/1" > "$T/t1"
csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/t1" | head -1)
curl -s -o /dev/null -u alice:alicepw -d "csrf=$csrf&status=closed" \
    "$BASE/staff/pd.cgi/ticket/1/update"
ART="$top_builddir/tests/artifacts"
mkdir -p "$ART"
node "$top_srcdir/tests/integration/web-browser.js" \
    "$("$PD" link carol@a.example)" "$BASE/staff/pd.cgi" "$ART" "$T/chrome"
