#!/bin/sh
# Peak memory of a POST with one file (not part of make check):
#   tests/bench/upload-rss.sh [MEGABYTES [new|post|reply]]
# new: a customer's new ticket (POST /new, the default); post: her
# message into her open ticket (POST /ticket/N/post); reply: a staff
# reply from the ticket page (POST /ticket/N/reply, through the outbox).
# Runs postdesk.cgi directly with a CGI environment, as the web server
# would, under /usr/bin/time -v, on a fresh database, and prints the
# CGI's maximum resident set in MiB next to the upload's size.  The
# issue's goal is under 3 times the upload.
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
mb=${1:-10}
form=${2:-new}
case $form in new|post|reply) ;; *) echo "usage: $0 [MB [new|post|reply]]" >&2; exit 64;; esac
dir=$(mktemp -d "${TMPDIR:-/tmp}/pdrss.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM

make -C "$top_builddir" -s postdesk postdesk.cgi
cat > "$dir/pd.conf" <<CONF
[store]
path = $dir/pd.db
[mail]
address = support@example.com
max_message_size = $((mb + 1))M
[staff]
addresses = staff@example.com
[templates]
dir = $top_srcdir/templates
[web]
link_key = bench
base_url = http://localhost/pd.cgi
CONF
export POSTDESK_CONFIG="$dir/pd.conf"
head -c $((mb * 1000 * 1000)) /dev/urandom > "$dir/upload.bin"
token=$("$top_builddir/postdesk" link customer@example.com | sed 's/.*?t=//')
python3 - "$top_builddir/postdesk.cgi" "$token" "$dir" "$mb" "$form" <<'PY'
import os, re, subprocess, sys
cgi, token, d, mb = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
form = sys.argv[5]
base = dict(os.environ, REQUEST_METHOD="GET", SCRIPT_NAME="/pd.cgi", TZ="UTC")
head = subprocess.run([cgi], stdout=subprocess.PIPE,
    env=dict(base, PATH_INFO="/", QUERY_STRING="t=" + token)).stdout
cookie = [l.split(b":", 1)[1].split(b";")[0].strip().decode()
          for l in head.split(b"\r\n") if l.startswith(b"Set-Cookie: pd_session=")][0]
def csrf_of(env):
    page = subprocess.run([cgi], stdout=subprocess.PIPE, env=env).stdout
    return re.search(rb'name="csrf" value="([^"]+)"', page).group(1)
def form_body(fields, with_file):
    b = b"----pdbench7f3a"
    body = b""
    for name, val in fields:
        body += b"--" + b + b"\r\nContent-Disposition: form-data; name=\"" + \
            name + b"\"\r\n\r\n" + val + b"\r\n"
    if with_file:
        body += b"--" + b + b"\r\nContent-Disposition: form-data; " \
            b"name=\"file\"; filename=\"upload.bin\"\r\n" \
            b"Content-Type: application/octet-stream\r\n\r\n"
        body += open(d + "/upload.bin", "rb").read() + b"\r\n"
    body += b"--" + b + b"--\r\n"
    open(d + "/body", "wb").write(body)
    return dict(REQUEST_METHOD="POST", QUERY_STRING="",
                CONTENT_LENGTH=str(len(body)),
                CONTENT_TYPE="multipart/form-data; boundary=" + b.decode())
def post(env, timed):
    cmd = (["/usr/bin/time", "-v"] if timed else []) + [cgi]
    with open(d + "/body", "rb") as f:
        r = subprocess.run(cmd, env=env, stdin=f, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    if not r.stdout.startswith(b"Status: 303"):
        sys.exit("POST %s: %s %s" % (env["PATH_INFO"], r.stdout[:300],
                                     r.stderr[-500:]))
    return r
customer = dict(base, PATH_INFO="/new", QUERY_STRING="", HTTP_COOKIE=cookie)
csrf = csrf_of(customer)
fields = [(b"csrf", csrf), (b"subject", b"bench upload"),
          (b"body", b"A file for you.")]
path = "/new"
if form != "new":
    # Her ticket first (no file), then the timed POST into it.
    r = post(dict(customer, **form_body(fields, False)), False)
    tid = int(re.search(rb"Location: [^\r]*/ticket/(\d+)", r.stdout).group(1))
    path = "/ticket/%d/%s" % (tid, form)
    env = dict(customer, PATH_INFO="/ticket/%d" % tid)
    if form == "reply":
        env = dict(base, PATH_INFO="/ticket/%d" % tid, QUERY_STRING="",
                   REMOTE_USER="staff")
    fields = [(b"csrf", csrf_of(env)), (b"body", b"A file for you.")]
    customer = env
env = dict(customer, PATH_INFO=path, **form_body(fields, True))
r = post(env, True)
kb = int(re.search(rb"Maximum resident set size \(kbytes\): (\d+)",
                   r.stderr).group(1))
print("POST %s, one %d MB file: peak RSS %.1f MiB (%.1f x the upload)"
      % ({"new": "/new", "post": "/ticket/N/post",
          "reply": "/ticket/N/reply (staff)"}[form], mb, kb / 1024,
         kb * 1024 / (mb * 1000 * 1000)))
PY
