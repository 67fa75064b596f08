#!/bin/sh
# Peak memory of a customer's POST /new with one file (not part of make
# check): tests/bench/upload-rss.sh [MEGABYTES]
# Runs postdesk.cgi directly with a CGI environment, as the web server
# would, under /usr/bin/time -v, on a fresh database, and prints the
# CGI's maximum resident set in MiB next to the upload's size.  The
# issue's goal is under 3 times the upload.
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
mb=${1:-10}
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
python3 - "$top_builddir/postdesk.cgi" "$token" "$dir" "$mb" <<'PY'
import os, re, subprocess, sys
cgi, token, d, mb = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
base = dict(os.environ, REQUEST_METHOD="GET", SCRIPT_NAME="/pd.cgi", TZ="UTC")
head = subprocess.run([cgi], stdout=subprocess.PIPE,
    env=dict(base, PATH_INFO="/", QUERY_STRING="t=" + token)).stdout
cookie = [l.split(b":", 1)[1].split(b";")[0].strip().decode()
          for l in head.split(b"\r\n") if l.startswith(b"Set-Cookie: pd_session=")][0]
page = subprocess.run([cgi], stdout=subprocess.PIPE, env=dict(base,
    PATH_INFO="/new", QUERY_STRING="", HTTP_COOKIE=cookie)).stdout
csrf = re.search(rb'name="csrf" value="([^"]+)"', page).group(1)
b = b"----pdbench7f3a"
parts = [(b"csrf", None, csrf), (b"subject", None, b"bench upload"),
         (b"body", None, b"A file for you.")]
body = b""
for name, fn, val in parts:
    body += b"--" + b + b"\r\nContent-Disposition: form-data; name=\"" + \
        name + b"\"\r\n\r\n" + val + b"\r\n"
body += b"--" + b + b"\r\nContent-Disposition: form-data; name=\"file\"; " \
    b"filename=\"upload.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
body += open(d + "/upload.bin", "rb").read() + b"\r\n--" + b + b"--\r\n"
open(d + "/body", "wb").write(body)
env = dict(base, REQUEST_METHOD="POST", PATH_INFO="/new", QUERY_STRING="",
           HTTP_COOKIE=cookie, CONTENT_LENGTH=str(len(body)),
           CONTENT_TYPE="multipart/form-data; boundary=" + b.decode())
with open(d + "/body", "rb") as f:
    r = subprocess.run(["/usr/bin/time", "-v", cgi], env=env, stdin=f,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
if not r.stdout.startswith(b"Status: 303"):
    sys.exit("POST /new: %s %s" % (r.stdout[:300], r.stderr[-500:]))
kb = int(re.search(rb"Maximum resident set size \(kbytes\): (\d+)",
                   r.stderr).group(1))
print("POST /new, one %d MB file: peak RSS %.1f MiB (%.1f x the upload)"
      % (mb, kb / 1024, kb * 1024 / (mb * 1000 * 1000)))
PY
