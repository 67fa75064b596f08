#!/bin/sh
# postdesk.cgi in headless Chromium (Debian's chromium, driven over the
# DevTools pipe by web-browser.js): a customer opens her link, follows a
# ticket and rates it; staff open the dashboard, see her session and
# sign her out, after which cookie and link fail; staff answer with a
# canned reply, write a note and merge two tickets; a customer opens a
# ticket on /new with an attachment, answers, closes and reopens it;
# she looks at her account page; axe-core checks
# every page.  Screenshots are kept
# in tests/artifacts/.
if ! command -v node >/dev/null || ! command -v chromium >/dev/null; then
	echo "1..0 # SKIP node or chromium not installed"
	exit 0
fi
. "$(dirname "$0")/lib-web.sh"

if ! web_setup; then
	echo "Bail out! setup failed"; exit 1
fi
# Carol is her organization's primary member (the account page).
"$PD" org add OrgA >/dev/null
"$PD" org member add OrgA carol@a.example primary >/dev/null
# Close ticket 1 as staff so the customer can rate it.
curl -s -u alice:alicepw "$BASE/staff/pd.cgi/ticket/1" > "$T/t1"
csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/t1" | head -1)
curl -s -o /dev/null -u alice:alicepw -d "csrf=$csrf&status=closed" \
    "$BASE/staff/pd.cgi/ticket/1/update"
ART="$top_builddir/tests/artifacts"
mkdir -p "$ART"
node "$top_srcdir/tests/integration/web-browser.js" \
    "$("$PD" link carol@a.example)" "$BASE/staff/pd.cgi" "$ART" "$T/chrome"
