# default.sieve: the rules postdesk ships (see postdesk-rules(5)).
#
# postdesk-ingest runs this script on every incoming message before it
# is stored.  Mail that no rule files elsewhere stays in the default
# queue, "support".  Try it on a message without touching the database:
#
#	postdesk rules test filters/default.sieve < message.eml
#
# Each rule has a message that fires it and one that does not in
# tests/data/rules/; keep them in step when you change a rule.

require ["fileinto", "imap4flags", "regex", "body", "variables",
	 "vacation", "envelope", "vnd.postdesk"];

# 1. Bulk, list and automatic mail is never auto-answered (RFC 3834,
#    RFC 2369, RFC 2919).  It still becomes a ticket, tagged "bulk".
set "autoreply" "yes";
if anyof (exists "List-Id",
	  exists "List-Unsubscribe",
	  header :is "Precedence" ["bulk", "junk", "list"],
	  allof (exists "Auto-Submitted",
		 not header :regex "Auto-Submitted"
		     "^[[:space:]]*no[[:space:]]*(;|$)"),
	  envelope :is "from" "",
	  address :localpart :is "from" ["mailer-daemon", "postmaster"])
{
	set "autoreply" "no";
	addflag "bulk";
}

# 2. Routing.  Only a new ticket is routed: a reply that mentions an
#    invoice stays in the queue its ticket is in.  Billing wins over
#    sales ("invoice 123 for my licence renewal" is a billing question).
#    Words that also name store features ("payment module", "invoice
#    template") are not enough: billing needs an invoice number, a
#    refund or a double charge.
if ticket :is "new" {
	if anyof (header :regex "Subject"
		      "\\b(invoice\\s+(#|no\\.?\\s*)?[0-9]+|billing|refunds?|receipts?|charged\\s+twice|double[- ]charged)\\b",
		  body :regex
		      "\\b(invoice\\s+(#|no\\.?\\s*)?[0-9]+|refund|charged\\s+twice|double[- ]charged|billing\\s+(question|issue|problem))\\b")
	{
		fileinto "billing";
	}
	elsif anyof (header :regex "Subject"
			 "\\b(prices?|pricing|quote|purchase|buy|pre-?sales?|discount|licen[cs]es?)\\b",
		     body :regex
			 "\\b(licen[cs]e\\s+(key|transfer|renewal|upgrade|url)|price\\s+(list|quote)|how\\s+much\\s+(is|does|do)|purchase\\s+(a|an|the)|buy\\s+(a|an|the|more))\\b")
	{
		fileinto "sales";
	}
}

# 3. Emergencies: a store or site that is down is a HotRush with major
#    priority -- unless a staff member writes it, or it is bulk mail.
if allof (not sender_role :is "staff",
	  string :is "${autoreply}" "yes",
	  anyof (header :regex "Subject"
		     "\\b(store|site|shop|website) (is )?(completely |totally )?down\\b|\\bemergency\\b",
		 body :regex
		     "\\b(store|site|shop|website)\\s+(is|went)\\s+(completely\\s+|totally\\s+)?down\\b|\\bsite\\s+down\\b|\\bemergency\\b"))
{
	set_hotrush;
	set_priority "major";
}

# 4. Product version, e.g. "X-Cart 4.7.12" or "version 5.4.1", goes into
#    the ticket field "version".  ${1} is the first group of the regex
#    that matched (anyof stops at the first true test).
if anyof (header :regex "Subject"
	      "\\b(?:x-cart|litecommerce)[[:space:]]+v?([0-9]+(?:\\.[0-9]+){1,3})\\b",
	  header :regex "Subject"
	      "\\bversion[[:space:]:]+v?([0-9]+(?:\\.[0-9]+){1,3})\\b",
	  body :regex
	      "\\b(?:x-cart|litecommerce)[[:space:]]+v?([0-9]+(?:\\.[0-9]+){1,3})\\b",
	  body :regex
	      "\\bversion[[:space:]:]+v?([0-9]+(?:\\.[0-9]+){1,3})\\b")
{
	set_field "version" "${1}";
}

# 5. Out of scope under the support policy: domain and SSL registration,
#    custom HTML/CSS/JavaScript.  Tag it, and answer a new request once a
#    week per sender with templates/mail/out-of-scope.txt -- never bulk
#    mail, never staff.
if anyof (header :regex "Subject"
	      "\\b(domain (name )?(registration|transfer|renewal)|register (a|my) domain|ssl (certificate|cert)|custom (html|css|javascript|js|design|theme)|(html|css|javascript) customi[sz]ation)\\b",
	  body :regex
	      "\\b(register\\s+(a|my|the|our)\\s+domain|domain\\s+(name\\s+)?(registration|transfer)|(buy|install|renew|get)\\s+(an?\\s+|the\\s+|my\\s+|our\\s+)?ssl(\\s+certificate)?|custom\\s+(html|css|javascript|js)|(html|css|javascript)\\s+(customi[sz]ations?|changes))\\b")
{
	addflag "out-of-scope";
	if allof (string :is "${autoreply}" "yes",
		  not sender_role :is "staff",
		  ticket :is "new")
	{
		vacation :days 7 :subject "About your request"
		    "out-of-scope";
	}
}
