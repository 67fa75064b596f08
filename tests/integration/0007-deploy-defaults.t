#!/bin/sh
# Deployment defaults (issue 10): the programs, their --help and the man
# pages agree on the configured paths; "make install" puts the admin
# programs in sbin, the CGI in pkglibexecdir and the templates where the
# compiled-in [templates] dir looks; contrib/deps.sh installs no MTA
# unless asked for the test servers; every program logs to syslog with
# [log] facility and level; the CGI's 500 page says "logged" only when
# it was; a store the user cannot open is named with owner and mode.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-syslog.sh"
B=$top_builddir
plan 27
at_exit syslog_stop

# --- paths -------------------------------------------------------------
conf=$(sed -n 's/^#define POSTDESK_CONFIG_PATH "\(.*\)"$/\1/p' "$B/pdconfig.h")
check "pdconfig.h has the configured config path: $conf" test -n "$conf"
for p in postdesk postdesk-ingest postdesk-notify postdesk-fetch; do
	check "$p --help names $conf" sh -c "'$B/$p' --help | grep -qF '$conf'"
done
check "the installed man pages name it too" sh -c \
    "grep -qF '$conf' '$B/man/postdesk.8' && grep -qF '$conf' '$B/man/postdesk.conf.5' && grep -qF '$conf' '$B/man/postdesk-ingest.8'"
check "no @PLACEHOLDER@ is left in an installed man page" \
    sh -c "! grep -l '@[A-Z]*@' '$B'/man/*"

# make install into a throw-away root, as the package does.
R=$T/root
env -u MAKEFLAGS -u MFLAGS make -s -C "$B" install DESTDIR="$R" \
    >"$T/install.out" 2>&1
check "make install DESTDIR= works" test $? -eq 0
progs=$(cd "$R" && find . -type f -name 'postdesk*' ! -name '*.cgi' \
    -perm -u+x | sort | tr '\n' ' ')
check "the four admin programs are in sbin, none elsewhere: $progs" sh -c \
    "[ \$(echo '$progs' | wc -w) = 4 ] && for p in $progs; do case \$p in */sbin/postdesk*) ;; *) exit 1 ;; esac; done"
cgi=$(find "$R" -name postdesk.cgi -type f)
check "the CGI is in pkglibexecdir, not on PATH: ${cgi#$R}" sh -c \
    "case '${cgi#$R}' in */libexec/postdesk/postdesk.cgi|*/lib/postdesk/postdesk.cgi) true ;; *) false ;; esac"
tpl=$(sed -n 's/^#define POSTDESK_TEMPLATES_DIR "\(.*\)"$/\1/p' "$B/pdconfig.h")
check "the default [templates] dir ($tpl) has mail/ and web/ once installed" \
    test -f "$R$tpl/mail/new-ticket.txt" -a -f "$R$tpl/web/style.css"
check "LICENSE (ISC, the postdesk authors) is in the tree" \
    grep -q 'Copyright (c) 2026 the postdesk authors' "$top_srcdir/LICENSE"

# --- contrib/deps.sh: no MTA unless --tests ------------------------------
mkdir -p "$T/fake"
printf '#!/bin/sh\nexit 1\n' > "$T/fake/dpkg-query"
printf '#!/bin/sh\necho "$*" >> "%s/apt.args"\n' "$T" > "$T/fake/apt-get"
printf '#!/bin/sh\ncat >/dev/null\n' > "$T/fake/debconf-set-selections"
printf '#!/bin/sh\nexec "$@"\n' > "$T/fake/sudo"
printf '#!/bin/sh\nexit 0\n' > "$T/fake/service"
chmod +x "$T/fake/"*
PATH="$T/fake:$PATH" sh "$top_srcdir/contrib/deps.sh" >/dev/null
check "deps.sh installs no MTA or test server" sh -c \
    "! grep -Ewq 'postfix|exim4|exim4-daemon-light|opensmtpd|sendmail|dma|dovecot-imapd|lighttpd|swaks' '$T/apt.args'"
check "deps.sh installs the build and runtime packages" sh -c \
    "grep -wq libpsl-dev '$T/apt.args' && grep -wq libopendkim-dev '$T/apt.args' && grep -wq sqlite3 '$T/apt.args' && grep -wq libgmime-3.0-dev '$T/apt.args'"
rm -f "$T/apt.args"
PATH="$T/fake:$PATH" sh "$top_srcdir/contrib/deps.sh" --tests >/dev/null
check "deps.sh --tests adds the test servers and tools" sh -c \
    "for p in postfix dovecot-imapd lighttpd swaks opendkim-tools debhelper lintian; do grep -wq \$p '$T/apt.args' || exit 1; done"
check "only tests/run.sh asks for --tests; the quick start does not" sh -c \
    "grep -q 'deps.sh --tests' '$top_srcdir/tests/run.sh' && ! grep -q 'deps.sh --tests' '$top_srcdir/contrib/quickstart.sh' && grep -q 'deps.sh' '$top_srcdir/contrib/quickstart.sh'"

# --- a store the user cannot open (a file: SQLite's) ------------------
make_config </dev/null
if _pg_store; then
	ok 0 "# SKIP the store is no file on PostgreSQL"
else
chmod 0755 "$T"
chmod 0600 "$T/postdesk.db"
runuser -u nobody -- "$PD" list >/dev/null 2>"$T/ro.err"
check "a store nobody can open: the error names file, owner, mode, user" \
    grep -q "postdesk.db is owned by root:root, mode 0600, and this program runs as nobody" "$T/ro.err"
chmod 0660 "$T/postdesk.db"
fi

# --- syslog ------------------------------------------------------------
if ! syslog_usable || ! syslog_start; then
	for i in 1 2 3 4 5 6 7 8 9 10; do ok 0 "# SKIP needs root and unshare(1)"; done
	exit 0
fi
# PRI = facility * 8 + severity: mail (2) warning (4) = 20.
with_syslog "$PD" show 999 >/dev/null 2>"$T/cli.err"
check "the CLI still writes its error to stderr" grep -q 'no ticket' "$T/cli.err"
check "... and to syslog, facility mail" syslog_has '^<20>.*postdesk\[[0-9]+\]: .*no ticket'
cat >> "$T/postdesk.conf" <<EOF
[log]
facility = local3
EOF
with_syslog "$PD" show 998 >/dev/null 2>&1
check "[log] facility = local3 (19 * 8 + 4 = 156)" syslog_has '^<156>.*ticket.*998'
echo "level = err" >> "$T/postdesk.conf"
with_syslog "$PD" show 997 >/dev/null 2>&1
# A line after the filtered one, so the check cannot pass by timing.
sed -i '/^level = err$/d' "$T/postdesk.conf"
with_syslog "$PD" show 995 >/dev/null 2>&1
syslog_has 'show.*995|ticket.*995|995' || true
check "[log] level = err keeps warnings out of syslog" \
    sh -c "grep -q 995 '$T/syslog' && ! grep -q 997 '$T/syslog'"

# notify: a template missing from [templates] dir/mail is logged.
mkdir -p "$T/empty/mail"
printf '[templates]\ndir = %s/empty\n' "$T" >> "$T/postdesk.conf"
"$PD_INGEST" --sender carol@a.example --recipient support@helpdesk.example \
    <"$top_srcdir/tests/data/sample/01-store-down.eml" 2>/dev/null
with_syslog "$top_builddir/postdesk-notify" --once >/dev/null 2>&1
check "notify: a missing template exits 78" test $? -eq 78
check "... and syslog names it (facility local3)" \
    syslog_has '^<15[0-9]>.*postdesk-notify\[[0-9]+\]: .*no template new-ticket.txt'

echo "facility = nonsense" >> "$T/postdesk.conf"
sed -i 's/^\(facility = nonsense\)$/[log]\n\1/' "$T/postdesk.conf"
"$PD" list >/dev/null 2>"$T/bad.err"

# The CGI with a broken configuration: 500, and "logged" only if it was.
cgi_get() {
	env REQUEST_METHOD=GET PATH_INFO=/ SCRIPT_NAME=/pd.cgi \
	    QUERY_STRING= POSTDESK_CONFIG="$T/postdesk.conf" "$@" "$B/postdesk.cgi"
}
cgi_get >"$T/cgi.nolog" 2>/dev/null
check "[log] facility: a bad name is a config error naming the line" \
    grep -q 'postdesk.conf:[0-9]*: \[log\] facility: expected mail' "$T/bad.err"
check "CGI 500 without a syslog socket does not claim it logged" sh -c \
    "grep -q '^Status: 500' '$T/cgi.nolog' && ! grep -q 'logged' '$T/cgi.nolog'"
with_syslog sh -c "$(command -v env) REQUEST_METHOD=GET PATH_INFO=/ SCRIPT_NAME=/pd.cgi QUERY_STRING= POSTDESK_CONFIG='$T/postdesk.conf' '$B/postdesk.cgi'" >"$T/cgi.log" 2>/dev/null
check "CGI 500 with syslog says so, and syslog has the reason" sh -c \
    "grep -q 'has been logged' '$T/cgi.log'" 
check "... the CGI's line is in syslog (facility mail)" \
    syslog_has '^<20>.*postdesk\.cgi\[[0-9]+\]: .*facility: expected mail'
