#!/bin/sh
# Rules through postdesk-ingest: queue, priority, HotRush, tags, fields and
# events land in the store; reject exits 65; discard keeps the raw bytes;
# a script that does not compile exits 78 and stores nothing.
. "$top_srcdir/tests/integration/lib.sh"
plan 22

make_config <<CONF
[rules]
scripts = $top_srcdir/filters/default.sieve; $T/extra.sieve
CONF
cat > "$T/extra.sieve" <<'SIEVE'
require ["reject", "vnd.postdesk"];
if header :contains "Subject" "buy cheap pills" { reject "spam is not accepted here"; }
if header :contains "Subject" "newsletter digest" { discard; }
if address :is "from" "vip@bigcorp.example" { assign "bob"; }
if header :contains "Subject" "minor matter" { set_priority "minor"; }
SIEVE

D="$top_srcdir/tests/data/sample"
"$PD_INGEST" < "$D/01-store-down.eml"; ok $? "store-down mail stored"
check_eq "store down → major priority" "major" "$(sql "select priority from tickets where id=1")"
check_eq "store down → HotRush" "1" "$(sql "select hotrush from tickets where id=1")"
check_eq "version field extracted" "4.7.12" "$(sql "select value from ticket_fields where ticket_id=1 and name='version'")"
check_eq "each action is an event with script:line" "yes" \
    "$(sql "select case when count(*)>=2 then 'yes' else 'no' end from events where ticket_id=1 and kind='rule' and detail like '%(default.sieve:%'")"

# A reply matching the same rules changes nothing and adds no rule event.
"$PD_INGEST" < "$D/04-tagged-reply.eml"; ok $? "tagged reply stored"
check_eq "rules asking for what the ticket has leave no second event" "1" \
    "$(sql "select count(*) from events where ticket_id=1 and kind='rule' and detail like 'set_hotrush%'")"

"$PD_INGEST" < "$D/03-licence-question.eml"; ok $? "licence question stored"
check_eq "licence question routed to sales" "sales" "$(sql "select queue from tickets where id=2")"

"$PD_INGEST" < "$D/05-html-only.eml"; ok $? "out-of-scope request stored"
check_eq "out-of-scope tagged" "out-of-scope" "$(sql "select tag from ticket_tags where ticket_id=3")"
check_eq "vacation auto-answer recorded" "1" "$(sql "select count(*) from events where ticket_id=3 and kind='vacation'")"
check_eq "vacation auto-answer queued with its template" "bob@buyer.example" \
    "$(sql "select recipients from outbox where ticket_id=3 and template='out-of-scope'")"
# The same request again within :days gets no second policy answer.
sed 's/<b1@buyer.example>/<b2@buyer.example>/' "$D/05-html-only.eml" > "$T/again.eml"
"$PD_INGEST" < "$T/again.eml"
check_eq "vacation :days: one answer per sender" "1" \
    "$(sql "select count(*) from outbox where template='out-of-scope'")"
# A list message matching the rule gets none, whatever the script says.
{ printf 'List-Id: <tips.example>\nPrecedence: list\n'; sed 's/<b1@buyer.example>/<l1@buyer.example>/; s/bob@buyer/list@buyer/' "$D/05-html-only.eml"; } > "$T/list.eml"
"$PD_INGEST" < "$T/list.eml"
check_eq "no auto-answer to list mail" "0" \
    "$(sql "select count(*) from outbox where template='out-of-scope' and recipients='list@buyer.example'")"

printf 'From: vip@bigcorp.example\nTo: support@helpdesk.example\nSubject: hello\nMessage-ID: <vip1@bigcorp.example>\n\nplease call me\n' > "$T/vip.eml"
"$PD_INGEST" < "$T/vip.eml"
check_eq "assign sets the owner" "bob" "$(sql "select owner from tickets where requester='vip@bigcorp.example'")"

# Rules change the ticket the way a mail command does: the life cycle
# decides (no priority change on a closed ticket).
"$PD" status 2 closed >/dev/null
printf 'From: juergen@example.de\nTo: support@helpdesk.example\nSubject: Re: [Support #2] minor matter\nMessage-ID: <j2@example.de>\n\nVielen Dank!\n' > "$T/j2.eml"
"$PD_INGEST" < "$T/j2.eml"
check_eq "a rule cannot change the priority of a closed ticket" "closed normal 1" \
    "$(sql "select status || ' ' || priority from tickets where id=2") $(sql "select count(*) from events where ticket_id=2 and kind='rule' and detail like '%ignored: the priority of a closed ticket cannot change%'")"

printf 'From: spammer@spam.example\nSubject: buy cheap pills\nMessage-ID: <s1@spam.example>\n\nbuy\n' > "$T/spam.eml"
"$PD_INGEST" < "$T/spam.eml" 2>"$T/err"; rc=$?
check_eq "reject exits 65" "65" "$rc"
check "reject prints the reason" grep -q "spam is not accepted here" "$T/err"

printf 'From: list@news.example\nSubject: newsletter digest\nMessage-ID: <n1@news.example>\n\nnews\n' > "$T/news.eml"
"$PD_INGEST" < "$T/news.eml"; rc=$?
check_eq "discard exits 0 with an event and the raw kept in quarantine" "0:1:1:0" \
    "$rc:$(sql "select count(*) from events where kind='discard'"):$(sql "select count(*) from quarantine where reason like 'discarded by rule%'"):$(sql "select count(*) from messages where message_id='n1@news.example'")"

printf 'require "fileinto";\nif header :bogus "x" { keep; }\n' > "$T/extra.sieve"
before=$(sql "select count(*) from messages")
"$PD_INGEST" < "$T/vip.eml" 2>"$T/err"; rc=$?
check_eq "broken script exits 78 and stores nothing" "78:$before" "$rc:$(sql "select count(*) from messages")"
check "the error names file:line:column" grep -q "extra.sieve:2:[0-9]" "$T/err"
exit 0
