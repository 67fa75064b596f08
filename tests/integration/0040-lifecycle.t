#!/bin/sh
# The ticket life cycle through real mail: postdesk-ingest, postdesk
# tick and postdesk-notify against an aiosmtpd sink.  Staff reply by
# mail, internal note, forged staff command, pre-close and close with
# notices, reopen, acknowledgement, customer closing and rating, follow-up
# after the reopen window, view-only member refused.
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
trap 'stop_sink sink; rm -rf "$T"' EXIT
echo "1..43"
PORT=$(free_port)
start_sink sink "$PORT"
# secondary members view-only ([roles]; the built-in X-Cart roles give
# them full access): 0049 tests the built-in roles.
nl_pg_start	# before the pipe into mkconf, a subshell
printf '[staff]\naddresses = bob@staff.example.com\n[auth]\n%s\n[roles]\nprimary = all\nsecondary = view\n' \
    'spf_local_records = staff.example.com v=spf1 ip4:192.0.2.0/24 -all; shop.example v=spf1 ip4:198.51.100.0/24 -all' |
    mkconf "$T/pd.conf" "$T/pd.db" support@example.com pd.example.com "$PORT"
export POSTDESK_CONFIG="$T/pd.conf"
DB=$T/pd.db
NOW=$(date +%s)
DAY=86400
"$B/postdesk" init >/dev/null
st() { sqlq "$DB" "SELECT status FROM tickets WHERE id=$1"; }
outbox_to() {
	sqlq "$DB" "SELECT count(*) FROM outbox WHERE recipients='$1' AND template = '$2'"
}
ingest() { "$B/postdesk-ingest" "$@"; }

ingest --sender alice@shop.example --recipient support@example.com \
    <"$S/tests/data/sample/01-store-down.eml"
"$B/postdesk-notify" --once >/dev/null
STAFFMAIL=$(mail_to sink bob@staff.example.com)
RT=$(hdr "$STAFFMAIL" Reply-To | sed 's/.*<//; s/>.*//')
# alice's own token, from her acknowledgement (postdesk-auth(5)).
ART=$(hdr "$(mail_to sink alice@shop.example)" Reply-To | sed 's/.*<//; s/>.*//')
check "new ticket is submitted" test "$(st 1)" = submitted

# Staff reply by mail, to the token address, from an SPF-pass host.
mail bob@staff.example.com "$RT" "Re: [Support #1] store down" \
    "Priority: major\nCc: add carol@shop.example\n\nPlease clear the cache and retry." >"$T/s1.eml"
ingest --sender bob@staff.example.com --client-ip 192.0.2.5 \
    --recipient "$RT" <"$T/s1.eml"
check "staff reply: ticket waits for the customer" \
    test "$(st 1)" = waiting-for-customer
check "staff reply: command applied (priority major)" \
    test "$(sqlq "$DB" "SELECT priority FROM tickets WHERE id=1")" = major
check "staff reply: messages.spf recorded" \
    test "$(sqlq "$DB" "SELECT spf FROM messages WHERE from_addr='bob@staff.example.com' AND direction='in'")" = pass
"$B/postdesk-notify" --once >/dev/null
R=$(grep -l "clear the cache" "$T"/sink/*.eml |
    xargs -r grep -il "^X-Envelope-To: alice@shop.example" | head -1)
check "staff reply reaches the requester" test -n "$R"
check "staff 'Cc: add carol@shop.example': a CC, with its event" test \
    "$(sqlq "$DB" "SELECT count(*) FROM participants WHERE ticket_id=1 AND address='carol@shop.example' AND role='cc'"):$(sqlq "$DB" "SELECT count(*) FROM events WHERE ticket_id=1 AND kind='cc'")" = 1:1
check "... who gets that very reply" test -n "$(grep -l "clear the cache" "$T"/sink/*.eml |
    xargs -r grep -il "^X-Envelope-To: carol@shop.example" | head -1)"
check "command block removed from the text sent on" \
    sh -c "! grep -q 'Priority: major' '$R' && ! grep -q 'Cc: add' '$R'"
check "transcript mailed back to the staff sender" \
    test "$(outbox_to bob@staff.example.com command-transcript)" = 1
check "transcript says what was applied" sh -c \
    "grep -l 'applied:  Priority: major' '$T'/sink/*.eml | xargs -r grep -il '^X-Envelope-To: bob@' | grep -q ."

# Internal note to support+comment@: never mailed to the customer.
mail bob@staff.example.com support+comment@example.com \
    "[Support #1] note" "SECRET-NOTE customer runs PHP 5" >"$T/c1.eml"
ingest --sender bob@staff.example.com --client-ip 192.0.2.5 \
    --recipient support+comment@example.com <"$T/c1.eml"
"$B/postdesk-notify" --once >/dev/null
check "internal note stored as internal" \
    test "$(sqlq "$DB" "SELECT internal FROM messages WHERE text LIKE '%SECRET-NOTE%' AND direction='in'")" = 1
check "internal note never mailed to the customer" \
    sh -c "! grep -l SECRET-NOTE '$T'/sink/*.eml | xargs -r grep -il '^X-Envelope-To: alice@' | grep -q ."

# A forged staff command: staff address, host not allowed by SPF.
mail bob@staff.example.com support@example.com "[Support #1] x" \
    "Status: closed\n\nclosing" >"$T/f1.eml"
ingest --sender bob@staff.example.com --client-ip 203.0.113.66 \
    --recipient support@example.com <"$T/f1.eml"
check "forged staff command refused" test "$(st 1)" = waiting-for-customer
check "forged staff command: event names the rule" \
    test "$(sqlq "$DB" "SELECT count(*) FROM events WHERE kind='command-refused' AND detail LIKE '%staff-command: refused%'")" = 1

# Timers: pre-close 3 days after the staff reply, then close.
"$B/postdesk" tick --now $((NOW + 3 * DAY - 60)) >/dev/null
check "one minute before: not pre-closed" test "$(st 1)" = waiting-for-customer
"$B/postdesk" tick --now $((NOW + 3 * DAY + 60)) >/dev/null
check "after 3 days: pre-closed" test "$(st 1)" = pre-closed
"$B/postdesk" tick --now $((NOW + 3 * DAY + 60)) >/dev/null
check "tick is idempotent: one pre-closed notice" \
    test "$(outbox_to alice@shop.example pre-closed)" = 1

# A "thanks" does not reopen; a real answer does.
mail alice@shop.example support@example.com "Re: [Support #1] x" \
    "Thank you, that fixed it!" >"$T/a1.eml"
ingest --sender alice@shop.example <"$T/a1.eml"
check "acknowledgement keeps it pre-closed" test "$(st 1)" = pre-closed
mail alice@shop.example support@example.com "Re: [Support #1] x" \
    "It is broken again, see the log." >"$T/a2.eml"
ingest --sender alice@shop.example <"$T/a2.eml"
check "a real answer reopens a pre-closed ticket" test "$(st 1)" = reopened

# The built-in rating rule: "only a closed ticket can be rated".
mail alice@shop.example "$ART" "Re: [Support #1] x" "Rating: 5" >"$T/a2r.eml"
ingest --sender alice@shop.example --recipient "$ART" <"$T/a2r.eml"
check "rating rule: a reopened ticket is not rated yet, and the refusal says why" \
    test "$(sqlq "$DB" "SELECT count(*) FROM ratings"):$(sqlq "$DB" "SELECT count(*) FROM events WHERE kind='command-refused' AND detail LIKE 'Rating: 5 — %can be rated%'")" = 0:1
# The customer closes and rates by mail: only with proof of who she
# is (customer-command, postdesk-auth(5)).  Without it, nothing moves.
mail alice@shop.example support@example.com "Re: [Support #1] x" \
    "Status: closed\n\nAll good now." >"$T/a3f.eml"
ingest --sender alice@shop.example <"$T/a3f.eml"
check "customer command without proof refused" test "$(st 1)" = reopened
check "... with an event naming the rule" \
    test "$(sqlq "$DB" "SELECT count(*) FROM events WHERE kind='command-refused' AND detail LIKE '%customer-command: refused%'")" = 1
# From her own mail server (aligned SPF pass).
mail alice@shop.example support@example.com "Re: [Support #1] x" \
    "Status: closed\n\nAll good now." >"$T/a3.eml"
ingest --sender alice@shop.example --client-ip 198.51.100.7 <"$T/a3.eml"
check "customer closes own ticket by mail" test "$(st 1)" = closed
check "closed notice queued" test "$(outbox_to alice@shop.example closed)" = 1
check "customer-command allowed, the event says by which proof" \
    test "$(sqlq "$DB" "SELECT count(*) FROM events WHERE kind='policy' AND detail LIKE 'customer-command: allowed%aligned%'")" = 1
# With her own token, from a host SPF cannot vouch for.
mail alice@shop.example "$ART" "Re: [Support #1] x" \
    "Rating: 4 quick and friendly" >"$T/a4.eml"
ingest --sender alice@shop.example --recipient "$ART" <"$T/a4.eml"
check "rating by mail stored, ticket stays closed" \
    test "$(sqlq "$DB" "SELECT rating || ':' || comment FROM ratings WHERE ticket_id=1"):$(st 1)" = "4:quick and friendly:closed"
# X-Cart: rating comments "are addressed by heads of corresponding
# departments": the queue's leads (no lead: the admins) get them.
check "the rating comment is queued to the queue's head" test \
    "$(sqlq_join "$DB" , "SELECT recipients FROM outbox WHERE ticket_id=1 AND template='rating-comment' ORDER BY id")" = bob@staff.example.com
"$B/postdesk-notify" --once >/dev/null
RC=$(grep -l "quick and friendly" "$T"/sink/*.eml |
    xargs -r grep -il "^X-Envelope-To: bob@staff.example.com" | head -1)
check "... and delivered, with the rating and the comment" sh -c \
    "[ -n '$RC' ] && grep -q '^Subject: .*\[Rated 4/5\]' '$RC' && grep -q '^  quick and friendly' '$RC'"

# A message long after the window opens a linked follow-up.
sqlq "$DB" "UPDATE tickets SET status_since = status_since - 15 * $DAY WHERE id=1"
mail alice@shop.example support@example.com "Re: [Support #1] x" \
    "Same problem after the next upgrade." >"$T/a5.eml"
ingest --sender alice@shop.example <"$T/a5.eml"
check "after the window: follow-up ticket linked to #1" \
    test "$(sqlq "$DB" "SELECT linked_to FROM tickets WHERE id=2")" = 1
check "old ticket stays closed" test "$(st 1)" = closed
check "customer told about the follow-up" \
    test "$(outbox_to alice@shop.example follow-up-opened)" = 1

# A view-only member gets the refusal, not a ticket.
"$B/postdesk" org add Shop >/dev/null
"$B/postdesk" org member add Shop viewer@shop.example secondary >/dev/null
N=$(sqlq "$DB" "SELECT count(*) FROM tickets")
mail viewer@shop.example support@example.com "Help" "Please fix" >"$T/v1.eml"
ingest --sender viewer@shop.example <"$T/v1.eml"
check "view-only member opens no ticket" \
    test "$(sqlq "$DB" "SELECT count(*) FROM tickets")" = "$N"
check "view-only refusal queued" \
    test "$(outbox_to viewer@shop.example view-only-refusal)" = 1
check "view-only message kept in quarantine" \
    test "$(sqlq "$DB" "SELECT count(*) FROM quarantine WHERE reason LIKE '%view-only%'")" = 1
"$B/postdesk-notify" --once >/dev/null
check "view-only refusal sent (a row with no ticket)" \
    test "$(sqlq "$DB" "SELECT status || ':' || coalesce(CAST(ticket_id AS TEXT), 'none') FROM outbox WHERE template='view-only-refusal'")" = sent:none
VR=$(mail_to sink viewer@shop.example)
check "view-only refusal delivered to the sink" test -n "$VR"
check "refusal answers the refused message" \
    test "$(hdr "$VR" In-Reply-To)" = "$(hdr "$T/v1.eml" Message-ID)"
check "refusal subject is Re: the message's, with no ticket tag" \
    test "$(hdr "$VR" Subject)" = "Re: Help"
check "refusal names the organization and opens no ticket" sh -c \
    "grep -q 'view-only' '$VR' && grep -q 'member of Shop' '$VR' && grep -q 'not opened a ticket' '$VR'"
check "refusal is auto-replied, without the reply-above marker" sh -c \
    "grep -q '^Auto-Submitted: auto-replied' '$VR' && ! grep -qi 'above this line' '$VR'"

# X-Cart: HotRush is "for an urgent techsupport request": the built-in
# sales life cycle has hotrush = no; staff may still switch it on.
mail alice@shop.example support@example.com "Quote for 20 licences" \
    "Please send a quote." >"$T/q1.eml"
ingest --sender alice@shop.example --client-ip 198.51.100.7 \
    --recipient support@example.com <"$T/q1.eml"
Q=$(sqlq "$DB" "SELECT max(id) FROM tickets")
mail bob@staff.example.com support@example.com "Re: [Support #$Q] quote" \
    "Queue: sales\n\nSales will answer." >"$T/q2.eml"
ingest --sender bob@staff.example.com --client-ip 192.0.2.5 \
    --recipient support@example.com <"$T/q2.eml"
mail alice@shop.example support@example.com "Re: [Support #$Q] quote" \
    "HotRush: on\n\nWe need it today." >"$T/q3.eml"
ingest --sender alice@shop.example --client-ip 198.51.100.7 \
    --recipient support@example.com <"$T/q3.eml"
check "a sales ticket: her HotRush: on is refused" test \
    "$(sqlq "$DB" "SELECT queue || ':' || hotrush FROM tickets WHERE id=$Q")" = sales:0
check "... the refusal says HotRush is for technical support" test \
    "$(sqlq "$DB" "SELECT count(*) FROM events WHERE ticket_id=$Q AND kind='command-refused' AND detail LIKE 'HotRush: on%technical support%'")" = 1
"$B/postdesk" hotrush "$Q" on >/dev/null
check "... staff may still switch it on" \
    test "$(sqlq "$DB" "SELECT hotrush FROM tickets WHERE id=$Q")" = 1
