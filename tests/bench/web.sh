#!/bin/sh
# Benchmark of postdesk.cgi on a large database (not part of make check):
#   tests/bench/web.sh [TICKETS [MESSAGES_PER_TICKET [RUNS]]]
# Builds tests/bench/fill-web, fills a database with 200,000 tickets of
# 5 messages (1,000,000 messages) through the store API, then runs the
# CGI binary with a CGI environment (no web server) RUNS times for the
# list page, a thread page, FTS searches, the page of a ticket holding a
# 20 MB message and the POST of a staff reply, and prints median and
# p95 in milliseconds.  Set BENCH_DB to reuse a database, or BENCH_URL
# (a libpq connection string) to run on a filled PostgreSQL store instead
# (tests/bench/web-pg.sh migrates BENCH_DB into one and runs both).
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
tickets=${1:-200000}
per=${2:-5}
runs=${3:-50}
dir=$(mktemp -d "${TMPDIR:-/tmp}/pdbench.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
db=${BENCH_DB:-$dir/bench.db}
url=${BENCH_URL:-}
sqlq() {
	if [ -n "$url" ]; then psql -X -q -A -t -d "$url" -c "$1"
	else sqlite3 "$db" "$1"; fi
}

make -C "$top_builddir" -s postdesk postdesk.cgi tests/bench/fill-web
if [ -z "$url" ] && [ ! -s "$db" ]; then
	start=$(date +%s)
	"$top_builddir/tests/bench/fill-web" "$db" "$tickets" "$per"
	echo "filled $db: $tickets tickets x $per messages in" \
	    "$(( $(date +%s) - start )) s ($(du -h "$db" | cut -f1))"
fi
cat > "$dir/pd.conf" <<CONF
[store]
$([ -n "$url" ] && echo "url = $url" || echo "path = $db")
[staff]
addresses = staff@example.com
[templates]
dir = $top_srcdir/templates
[web]
link_key = bench
CONF
export POSTDESK_CONFIG="$dir/pd.conf"
# A ticket holding one 20 MB plain-text message, taken in as mail is.
big=$(sqlq "SELECT id FROM tickets WHERE subject = 'bench: 20 MB body'")
if [ -z "$big" ]; then
	python3 -c '
import sys
sys.stdout.write("From: big@example.com\nTo: support@example.com\n"
    "Subject: bench: 20 MB body\nMessage-ID: <bench-20mb@example.com>\n"
    "Content-Type: text/plain; charset=utf-8\n\n")
line = "the printer log says error 42 again and again, see below\n"
sys.stdout.write(line * (20 * 1024 * 1024 // len(line)))' > "$dir/big.eml"
	printf '[mail]\nmax_message_size = 64M\n' >> "$dir/pd.conf"
	"$top_builddir/postdesk-ingest" < "$dir/big.eml"
	big=$(sqlq "SELECT id FROM tickets WHERE subject = 'bench: 20 MB body'")
fi
# A customer's sign-in link: its first use opens a session (a write);
# the customer cases then read with the session cookie, as a browser does.
token=$("$top_builddir/postdesk" link customer123@example.com | sed 's/.*?t=//')
python3 - "$top_builddir/postdesk.cgi" "$runs" "$tickets" "$token" "$big" <<'PY'
import os, re, statistics, subprocess, sys, time, urllib.parse
cgi, runs, tickets = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
token, big = sys.argv[4], int(sys.argv[5])
base = dict(os.environ, REQUEST_METHOD="GET", SCRIPT_NAME="/pd.cgi",
            REMOTE_USER="staff", TZ="UTC")
cases = [
    ("list page (staff, queue order)", "/", ""),
    ("list page (status=closed, by update)", "/", "status=closed&sort=updated"),
    ("list page 100", "/", "page=100&sort=created"),
    ("thread page", "/ticket/%d" % (tickets // 2), ""),
    ("FTS search 'printer fire'", "/search", "q=printer+fire"),
    ("FTS search 'zebrafish'", "/search", "q=zebrafish"),
    ("FTS search 'the' (most messages)", "/search", "q=the"),
    ("customer sign-in (link opens a session)", "/", "t=" + token),
    ("customer list page (session cookie)", "/", "cookie"),
    ("customer FTS search 'the' (session)", "/search", "cookie&q=the"),
    ("ticket page, one 20 MB message", "/ticket/%d" % big, ""),
    ("POST a staff reply (with its outbox row)",
     "/ticket/%d/reply" % (tickets // 3), "post"),
]
env = dict(base, PATH_INFO="/", QUERY_STRING="t=" + token)
del env["REMOTE_USER"]
head = subprocess.run([cgi], env=env, stdout=subprocess.PIPE).stdout
cookie = [l.split(b":", 1)[1].split(b";")[0].strip().decode()
          for l in head.split(b"\r\n") if l.startswith(b"Set-Cookie: pd_session=")][0]
print("%-40s %9s %9s" % ("request", "median ms", "p95 ms"))
for name, path, q in cases:
    env = dict(base, PATH_INFO=path, QUERY_STRING=q)
    if q.startswith("cookie"):
        env.update(QUERY_STRING=q[len("cookie&"):], HTTP_COOKIE=cookie)
    if q.startswith("t=") or q.startswith("cookie"):
        del env["REMOTE_USER"]
    body, want = None, b"Status: 200"
    if q == "post":
        # The form's CSRF token, from the ticket page as a browser has it.
        page = subprocess.run([cgi], stdout=subprocess.PIPE, env=dict(
            base, PATH_INFO=path[:-len("/reply")], QUERY_STRING="")).stdout
        csrf = re.search(rb'name="csrf" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"csrf": csrf.decode(),
            "body": "Thanks, we are looking into it."}).encode()
        env.update(REQUEST_METHOD="POST", QUERY_STRING="",
                   CONTENT_TYPE="application/x-www-form-urlencoded",
                   CONTENT_LENGTH=str(len(body)))
        want = b"Status: 303"
    times = []
    for i in range(runs + 2):
        t = time.perf_counter()
        out = subprocess.run([cgi], env=env, input=body,
                             stdout=subprocess.PIPE).stdout
        dt = (time.perf_counter() - t) * 1000
        if not out.startswith(want):
            sys.exit("%s: %s" % (name, out[:200]))
        if i >= 2:              # two warm-up runs
            times.append(dt)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    print("%-40s %9.1f %9.1f" % (name, statistics.median(times), p95))
PY
