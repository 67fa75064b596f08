#!/bin/sh
# Several addresses and brands (issue 17, item 3), through a real
# Postfix (lib-postfix.sh, as 0004) and postdesk-notify against the SMTP
# sink of the notify tests:
#   mail to sales@       -> a ticket in queue sales
#   the acknowledgement  -> From "Example Sales" <sales@>, [Sales #1],
#                           Reply-To sales+TOKEN@, the sales signature
#   a reply to sales+TOKEN@ through Postfix -> the same ticket
#   Queue: support       -> the old sales token and [Sales #1] still
#                           thread; new mail comes From support@
#   a DSN to bounces+N@  -> still marks the sales row failed
#   a queue address of another domain -> postdesk check warns
# The shipped postfix-main.cf is used as is; the admin's one step is
# postdesk_queue_maps, as the snippet documents.
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
. "$top_srcdir/tests/integration/notify-lib.sh"
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
. "$top_srcdir/tests/integration/lib-postfix.sh"
pf_require
[ -x "$PY" ] && "$PY" -c 'import aiosmtpd' 2>/dev/null ||
    pf_skip_all "python3-aiosmtpd not installed (contrib/deps.sh --tests)"

echo "1..22"

T=$(mktemp -d /tmp/postdesk-brands.XXXXXX)
cleanup() {
	pf_stop
	stop_sink out
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

pf_setup
cp "$top_builddir/postdesk-notify" "$T/bin/"
# The admin's step for a queue address (postfix-main.cf): route it.
postconf -c "$T/etc" -e \
    'postdesk_queue_maps = inline:{ sales@$postdesk_domain=postdesk: }'
SINK_PORT=$(free_port)
start_sink out "$SINK_PORT"
chmod 0777 "$T/out"

nl_pg_start	# POSTDESK_TEST_STORE=postgresql: a throw-away server
cat > "$T/postdesk.conf" <<EOF
[store]
path = $T/db/postdesk.db
$(nl_pg && pg_store_url "$T/db/postdesk.db")
[mail]
address = support@helpdesk.test
subject_tag = Support
host = helpdesk.test
token_key = key-0058-brands-not-a-real-secret
[staff]
addresses = staff@helpdesk.test
[auth]
spf_local_records = customer.test v=spf1 ip4:127.0.0.1 -all
[templates]
dir = $top_srcdir/templates
[notify]
smtp_url = smtp://127.0.0.1:$SINK_PORT
from_name = Example Support
retry_base = 1
timeout = 10
[queue.sales]
address = sales@helpdesk.test
from_name = Example Sales
subject_tag = Sales
signature = The sales team\nsales@helpdesk.test
[queue.elsewhere]
address = info@elsewhere.test
subject_tag = Other
EOF
chmod 0644 "$T/postdesk.conf"
export POSTDESK_CONFIG="$T/postdesk.conf"
PD="$T/bin/postdesk"
"$PD" init >/dev/null
pd() { as_pipe_user "$PD" "$@"; }
# As the store's user, so no -shm/-wal is left that postdesk cannot write.
q() {
	if nl_pg; then
		sqlq "$T/db/postdesk.db" "$1"
	else
		as_pipe_user sqlite3 -cmd ".timeout 5000" "$T/db/postdesk.db" "$1"
	fi
}
notify() { as_pipe_user "$T/bin/postdesk-notify" --once >/dev/null 2>&1; }

pf_check
pf_start || exit 1

ticket_count() {
	pd list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
field() {	# field TICKET KEY
	pd show "$1" --json 2>/dev/null |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}
thread_len() {
	pd show "$1" --json 2>/dev/null |
	    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["thread"]))'
}
thread_is() { [ "$(thread_len "$1")" = "$2" ]; }
ticket_count_is() { [ "$(ticket_count)" = "$1" ]; }
# The last "thread" event's detail of ticket 1.
last_rule() {
	pd show 1 --json 2>/dev/null | python3 -c '
import json, sys
t = json.load(sys.stdin)
print([e["detail"] for e in t["events"] if e["kind"] == "thread"][-1])'
}
# The newest mail in the sink to alice.
to_alice() { grep -il '^X-Envelope-To: alice@customer.test' "$T"/out/*.eml 2>/dev/null | sort | tail -1; }
alice_mail_count() { grep -il '^X-Envelope-To: alice@customer.test' "$T"/out/*.eml 2>/dev/null | wc -l; }

cat > "$T/m1.eml" <<'EOF'
From: Alice Customer <alice@customer.test>
To: sales@helpdesk.test
Subject: Quote for 20 printers
Message-ID: <m1.alice@customer.test>
Date: Mon, 23 Nov 2026 10:00:00 +0000

Please send us a quote for 20 printers.
EOF
send "$T/m1.eml" alice@customer.test sales@helpdesk.test
if wait_for 300 ticket_count_is 1; then
	ok "mail to sales@ went through Postfix's postdesk service"
else
	nok "mail to sales@ went through Postfix's postdesk service"
	diag "$(tail -20 "$T/maillog")"
fi
check "the ticket opened in queue sales: $(field 1 queue)" \
    test "$(field 1 queue)" = sales

notify
ack=$(to_alice)
check "the acknowledgement reached the sink" test -n "$ack"
from=$(hdr "$ack" From)
check "From is the sales brand: $from" \
    test "$from" = '"Example Sales" <sales@helpdesk.test>' -o \
    "$from" = 'Example Sales <sales@helpdesk.test>'
subj=$(hdr "$ack" Subject)
check "the subject carries the sales tag: $subj" \
    sh -c "printf '%s' '$subj' | grep -q '^\(Re: \)\?\[Sales #1\] '"
reply_to=$(hdr "$ack" Reply-To | sed 's/.*<//; s/>.*//')
check "Reply-To is a sales token: $reply_to" \
    sh -c "printf '%s' '$reply_to' | grep -Eq '^sales\+[a-z0-9.]+@helpdesk.test$'"
undeliver "$ack" >"$T/ack.txt"
check "the sales signature closes the body, in the one signature block" \
    sh -c "[ \$(grep -c '^-- \$' '$T/ack.txt') = 1 ] &&
	grep -q '^The sales team\$' '$T/ack.txt'"
check "the bounce path is still bounces+N@" \
    sh -c "grep -qi '^X-Envelope-From: bounces+[0-9]*@helpdesk.test' '$ack'"

# A reply to the token address, no In-Reply-To: the token threads it.
cat > "$T/m2.eml" <<EOF
From: Alice Customer <alice@customer.test>
To: $reply_to
Subject: quote
Message-ID: <m2.alice@customer.test>
Date: Mon, 23 Nov 2026 10:05:00 +0000

And 20 scanners, please.
EOF
base=$(thread_len 1)
send "$T/m2.eml" alice@customer.test "$reply_to"
wait_for 300 thread_is 1 $((base + 1))
check "a reply to the sales token joined ticket 1" \
    test "$(thread_len 1)-$(ticket_count)" = "$((base + 1))-1"
case "$(last_rule)" in reply-token*) ok "rule reply-token";; *) nok "rule reply-token: $(last_rule)";; esac

# Staff moves the ticket to support.
printf 'Queue: support\n' | pd comment 1 --from staff@helpdesk.test >/dev/null 2>&1
check "moved to queue support: $(field 1 queue)" \
    test "$(field 1 queue)" = support

# The old sales token still names the ticket.
cat > "$T/m3.eml" <<EOF
From: Alice Customer <alice@customer.test>
To: $reply_to
Subject: one more thing
Message-ID: <m3.alice@customer.test>
Date: Mon, 23 Nov 2026 11:00:00 +0000

Delivery to building B.
EOF
base=$(thread_len 1)
send "$T/m3.eml" alice@customer.test "$reply_to"
wait_for 300 thread_is 1 $((base + 1))
check "after the move the old sales token still threads" \
    test "$(thread_len 1)-$(ticket_count)" = "$((base + 1))-1"
case "$(last_rule)" in reply-token*) ok "rule reply-token after the move";; *) nok "rule reply-token after the move: $(last_rule)";; esac

# The old [Sales #1] tag still names it, sent to support@.
cat > "$T/m4.eml" <<'EOF'
From: Alice Customer <alice@customer.test>
To: support@helpdesk.test
Subject: Re: [Sales #1] Quote for 20 printers
Message-ID: <m4.alice@customer.test>
Date: Mon, 23 Nov 2026 12:00:00 +0000

Any news?
EOF
base=$(thread_len 1)
send "$T/m4.eml" alice@customer.test support@helpdesk.test
wait_for 300 thread_is 1 $((base + 1))
check "after the move the old [Sales #1] tag still threads" \
    test "$(thread_len 1)-$(ticket_count)" = "$((base + 1))-1"
case "$(last_rule)" in subject-tag*) ok "rule subject-tag after the move";; *) nok "rule subject-tag after the move: $(last_rule)";; esac

# A staff reply now goes out as the support brand, with a support token.
before=$(alice_mail_count)
printf 'The quote is attached.\n' | pd reply 1 --from staff@helpdesk.test >/dev/null 2>&1
notify
more_mail() { [ "$(alice_mail_count)" -gt "$before" ]; }
wait_for 100 more_mail
rep=$(to_alice)
rfrom=$(hdr "$rep" From) rsubj=$(hdr "$rep" Subject) rrt=$(hdr "$rep" Reply-To)
check "after the move the reply comes From support@: $rfrom" \
    sh -c "printf '%s' '$rfrom' | grep -q '<support@helpdesk.test>'"
check "with the support tag and a support token: $rsubj, $rrt" \
    sh -c "printf '%s' '$rsubj' | grep -q '\[Support #1\]' &&
	printf '%s' '$rrt' | grep -Eq 'support\+[a-z0-9.]+@helpdesk.test'"

# Bounces keep working for the sales row.
row=$(q "SELECT min(id) FROM outbox WHERE ticket_id = 1")
cat > "$T/dsn.eml" <<EOF
From: MAILER-DAEMON@customer.test
To: bounces+$row@helpdesk.test
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn1@customer.test>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.customer.test

Final-Recipient: rfc822; alice@customer.test
Action: failed
Status: 5.1.1

--B--
EOF
send "$T/dsn.eml" '<>' "bounces+$row@helpdesk.test"
row_failed() {
	[ "$(q "SELECT status FROM outbox WHERE id = $row")" = failed ]
}
if wait_for 300 row_failed; then
	ok "a DSN to bounces+$row@ failed the sales ack row"
else
	nok "a DSN to bounces+$row@ failed the sales ack row"
fi

# Only the routed addresses: other@ stays refused.
swaks --server "127.0.0.1:$PF_PORT" --from alice@customer.test \
    --to other@helpdesk.test --quit-after RCPT >"$T/swaks.out" 2>&1
check "other@helpdesk.test is still refused at RCPT (550)" \
    grep -q '<\*\* *550' "$T/swaks.out"

pd check >"$T/check.out" 2>&1
check "postdesk check warns about info@elsewhere.test" \
    grep -q 'queue.elsewhere.*info@elsewhere.test is not one of ours' "$T/check.out"
exit 0
