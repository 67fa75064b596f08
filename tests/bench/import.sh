#!/bin/sh
# Benchmark (not part of make check):
#   1. postdesk import mbox of N (default 20000) generated ~3 KB messages:
#      messages/second and peak RSS.  Target: >= 2000 msg/s.
#   2. postdesk-fetch of M (default 2000) messages from a local Dovecot
#      over IMAPS: messages/second.
# Usage: tests/bench/import.sh [N] [M]   (from a built tree)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
N=${1:-20000}
M=${2:-2000}
T=$(mktemp -d)
. "$top/tests/integration/dovecot.sh"
trap 'dovecot_stop; rm -rf "$T"' EXIT

# A thread of 5 messages per ticket: a new ticket, then replies that name
# it by In-Reply-To, so threading is exercised too.
python3 - "$N" > "$T/bench.mbox" <<'PY'
import sys, random
n = int(sys.argv[1])
random.seed(7)
words = ("printer network invoice password account server error please "
         "thanks hello urgent update access license renewal backup mail "
         "disk quota screen login").split()
for i in range(n):
    t = i // 5
    body = []
    while sum(len(l) for l in body) < 2700:
        body.append(" ".join(random.choice(words) for _ in range(12)))
    if i % 50 == 0:
        body.insert(3, "From the logs it looks like a timeout.")
    hdr = [
        "From: Customer %d <c%d@example.org>" % (t % 997, t % 997),
        "To: support@example.com",
        "Subject: %sIssue %d" % ("Re: " if i % 5 else "", t),
        "Message-ID: <bench.%d@example.org>" % i,
        "Date: Mon, %02d Jan 2024 %02d:%02d:00 +0000" % (1 + i // 1440 % 28,
            i // 60 % 24, i % 60),
    ]
    if i % 5:
        hdr.append("In-Reply-To: <bench.%d@example.org>" % (i - 1))
    sys.stdout.write("From c%d@example.org Mon Jan  1 10:00:00 2024\n" % t)
    sys.stdout.write("\n".join(hdr) + "\n\n")
    for l in body:
        sys.stdout.write((">" + l if l.startswith("From ") else l) + "\n")
    sys.stdout.write("\n")
PY
size=$(wc -c < "$T/bench.mbox")
cat > "$T/pd.conf" <<CONF
[store]
path = $T/db.sqlite
[mail]
address = support@example.com
CONF
"$top/postdesk" -c "$T/pd.conf" init >/dev/null
start=$(date +%s.%N)
/usr/bin/time -v "$top/postdesk" -c "$T/pd.conf" import mbox --no-progress \
    "$T/bench.mbox" > "$T/out" 2> "$T/time"
end=$(date +%s.%N)
cat "$T/out"
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/time")
echo "import: $N messages, $((size / N)) bytes average, $(echo "$end $start" |
    awk -v n="$N" '{ printf "%.2f s, %.0f msg/s", $1 - $2, n / ($1 - $2) }'),"\
" peak RSS $((rss / 1024)) MB"

# IMAP fetch from a local Dovecot.
dovecot_start "$T/dc"
i=0
head -c 3000 "$T/bench.mbox" > /dev/null
python3 - "$M" "$MAILDIR/new" <<'PY'
import sys, os
m, d = int(sys.argv[1]), sys.argv[2]
body = "\n".join("line %d of a fetched message body, about sixty bytes long." % k
                 for k in range(45))
for i in range(m):
    p = os.path.join(d, "17000%05d.M%d.bench" % (i, i))
    with open(p, "w") as f:
        f.write("From: F <f%d@example.org>\nTo: support@example.com\n"
                "Subject: Fetched %d\nMessage-ID: <fetch.%d@example.org>\n"
                "Date: Tue, 02 Jan 2024 10:00:00 +0000\n\n%s\n" % (i % 50, i, i, body))
    os.chown(p, 65534, 65534) if os.getuid() == 0 else None
PY
cat > "$T/f.conf" <<CONF
[store]
path = $T/db2.sqlite
[mail]
address = support@example.com
[fetch]
password = s3cret
ca_file = $T/dc/cert.pem
CONF
chmod 600 "$T/f.conf"
"$top/postdesk" -c "$T/f.conf" init >/dev/null
start=$(date +%s.%N)
"$top/postdesk-fetch" -c "$T/f.conf" \
    "imaps://support@127.0.0.1:$IMAPS_PORT/INBOX"
end=$(date +%s.%N)
got=$(sqlite3 "$T/db2.sqlite" "select count(*) from messages")
echo "imap fetch: $got of $M messages, $(echo "$end $start" |
    awk -v n="$got" '{ printf "%.2f s, %.0f msg/s", $1 - $2, n / ($1 - $2) }')"
