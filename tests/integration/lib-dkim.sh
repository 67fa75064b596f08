# DKIM with OpenDKIM's own tools, offline: keys from opendkim-genkey,
# signatures from the opendkim binary's test mode (-t), which runs the
# real milter code on a file and prints the header it would insert.
# (opendkim-testmsg of Debian 12 fails on every message: "dkim_chunk():
# Syntax error".)  Source this file; needs opendkim and opendkim-tools.

# dkim_keygen DIR DOMAIN SELECTOR [BITS]: DIR/SELECTOR.private, and the
# record "SELECTOR._domainkey.DOMAIN v=DKIM1; ..." on stdout, one line
# for [auth] dns_records.
dkim_keygen() {
	mkdir -p "$1"
	opendkim-genkey -b "${4:-1024}" -d "$2" -s "$3" -D "$1" || return 1
	# sel._domainkey IN TXT ( "v=DKIM1; ..." "p=..." ) ; comment
	printf '%s._domainkey.%s ' "$3" "$2"
	sed 's/;[^"]*$//' "$1/$3.txt" | tr -d '\n' |
	    sed 's/^[^(]*( *//; s/ *)[^)]*$//; s/"[[:space:]]*"//g; s/"//g'
	echo
}

# dkim_sign DIR DOMAIN SELECTOR [HEADERS] < MESSAGE > SIGNED: MESSAGE
# with a DKIM-Signature of DOMAIN prepended (relaxed/relaxed; HEADERS
# the h= list, default From:To:Subject:Date:Message-ID).  With
# DKIM_BODY_LENGTH=1 in the environment the signature carries l=.
dkim_sign() {
	cat >"$1/in.eml"
	# Any From: (a spoofer signs with her own domain's key), so the
	# tables rather than Domain/KeyFile, which sign only their domain.
	echo "k $2:$3:$1/$3.private" >"$1/keys.tab"
	echo "* k" >"$1/signing.tab"
	cat >"$1/sign.conf" <<EOC
KeyTable $1/keys.tab
SigningTable refile:$1/signing.tab
Mode s
Canonicalization relaxed/relaxed
SignHeaders ${4:-From,To,Subject,Date,Message-ID}
RequireSafeKeys no
Syslog no
EOC
	if [ "${DKIM_BODY_LENGTH:-0}" = 1 ]; then
		echo '*' >"$1/length.tab"
		echo "BodyLengthDB refile:$1/length.tab" >>"$1/sign.conf"
	fi
	opendkim -x "$1/sign.conf" -t "$1/in.eml" >"$1/sig.out" 2>"$1/sig.err" ||
	    { cat "$1/sig.err" >&2; return 1; }
	# "opendkim: FILE:" then the header it would insert, folded.
	sed -n '/^DKIM-Signature:/,$p' "$1/sig.out" | sed 's/\r*$/\r/'
	cat "$1/in.eml"
}
