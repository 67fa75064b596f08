#!/bin/sh
# A large attachment through postdesk-ingest (issue 13's upload memory):
# a base64 part over MAIL_LAZY_MIN is not decoded into memory but
# written to its blob piece by piece (mail_parse_large, the store's blob
# writer; on PostgreSQL gathered and bound once).  Its blob is the
# decoded file byte for byte, with its SHA-256 and size; --explain tells
# its size; the same file in another mail reuses the blob; a redelivery
# changes nothing; the raw message comes back byte-exact.
. "${top_srcdir:-.}/tests/integration/lib.sh"
plan 8
make_config </dev/null
head -c 2000000 /dev/urandom > "$T/big.bin"
want=$(sha256sum < "$T/big.bin" | cut -d' ' -f1)
msg() {	# msg MESSAGE-ID SUBJECT
	printf 'From: Ann <ann@customer.example>\r\nTo: support@helpdesk.example\r\n'
	printf 'Subject: %s\r\nDate: Fri, 04 Dec 2026 10:00:00 +0000\r\n' "$2"
	printf 'Message-ID: <%s>\r\nMIME-Version: 1.0\r\n' "$1"
	printf 'Content-Type: multipart/mixed; boundary="b-7f3a"\r\n\r\n'
	printf -- '--b-7f3a\r\nContent-Type: text/plain\r\n\r\nThe log.\r\n'
	printf -- '--b-7f3a\r\nContent-Type: application/octet-stream\r\n'
	printf 'Content-Disposition: attachment; filename="big.bin"\r\n'
	printf 'Content-Transfer-Encoding: base64\r\n\r\n'
	base64 -w 76 < "$T/big.bin" | sed 's/$/\r/'
	printf -- '--b-7f3a--\r\n'
}
msg big1@customer.example "Printer log" > "$T/m1.eml"
msg big2@customer.example "Printer log again" > "$T/m2.eml"
blob_hex() {	# the blob of attachment FILENAME of message ID, as hex
	if _pg_store; then
		sql "SELECT encode(b.data, 'hex') FROM blobs b JOIN attachments a ON a.sha256 = b.sha256 JOIN messages m ON m.id = a.message_row WHERE m.message_id = '$1'"
	else
		sql "SELECT hex(b.data) FROM blobs b JOIN attachments a ON a.sha256 = b.sha256 JOIN messages m ON m.id = a.message_row WHERE m.message_id = '$1'"
	fi
}
att() {	# att MESSAGE-ID COLUMN
	sql "SELECT a.$2 FROM attachments a JOIN messages m ON m.id = a.message_row WHERE m.message_id = '$1'"
}

"$PD_INGEST" --explain --sender ann@customer.example < "$T/m1.eml" > "$T/explain" 2>&1
check "--explain tells the large attachment's decoded size" \
    grep -q 'attachment: big.bin (application/octet-stream, 2000000 bytes)' "$T/explain"
"$PD_INGEST" --sender ann@customer.example < "$T/m1.eml"
check_eq "ingest takes the mail in (exit 0)" 0 $?
check_eq "its attachment has the file's size and SHA-256" "2000000 $want" \
    "$(att big1@customer.example size) $(att big1@customer.example sha256)"
blob_hex big1@customer.example | tr -d '\n' | xxd -r -p > "$T/blob.bin"
check "... and its blob is the file byte for byte" cmp -s "$T/blob.bin" "$T/big.bin"
"$PD" raw big1@customer.example > "$T/raw1"
check "the raw message comes back byte-exact" cmp -s "$T/raw1" "$T/m1.eml"
blobs=$(sql "SELECT count(*) FROM blobs")
msgs=$(sql "SELECT count(*) FROM messages")
"$PD_INGEST" --sender ann@customer.example < "$T/m1.eml"
check_eq "a redelivery changes nothing (exit 0, same rows)" "0 $msgs $blobs" \
    "$? $(sql "SELECT count(*) FROM messages") $(sql "SELECT count(*) FROM blobs")"
"$PD_INGEST" --sender ann@customer.example < "$T/m2.eml"
check_eq "the same file in another mail reuses its blob (one more: the raw)" \
    "0 $((blobs + 1)) $want" \
    "$? $(sql "SELECT count(*) FROM blobs") $(att big2@customer.example sha256)"
blob_hex big2@customer.example | tr -d '\n' | xxd -r -p > "$T/blob2.bin"
check "... still byte for byte" cmp -s "$T/blob2.bin" "$T/big.bin"
