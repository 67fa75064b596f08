# spam.sieve: drop what the spam filter marked, bounce forged mail that
# claims to come from our own domain.  discard is recorded as an event;
# reject makes postdesk-ingest exit 65 so that the MTA bounces the mail.

require ["reject", "vnd.postdesk"];

if header :contains "X-Spam-Flag" "YES" {
	discard;
	stop;
}

if allof (address :domain :is "from" "helpdesk.example",
	  spf :is ["fail", "softfail"])
{
	reject "Forged sender: mail from helpdesk.example must pass SPF.";
}
