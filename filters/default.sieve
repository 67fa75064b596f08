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
#    A change of the hosting plan a customer has (Qualiteam: "How to
#    change hosting plan?": submit a sales ticket) is a sales matter,
#    not a request for hosting, which rule 5 puts out of scope (IXXO):
#    "planchange" keeps rule 5 off it, in a reply too.
set "planchange" "no";
if anyof (header :regex "Subject"
	      ["\\b(change|changing|upgrade|upgrading|downgrade|downgrading|switch|switching)\\s+(\\w+\\s+){0,3}hosting\\s+(plan|package|tariff)s?\\b",
	       "\\bhosting\\s+(plan|package)\\s+(change|upgrade|downgrade|switch)\\b",
	       "\\bhosting-?(tarif|paket|plan)\\w*\\s+(wechseln|upgraden|downgraden|(ä|ae)ndern)\\b",
	       "\\b(wechsel|(ä|ae)nderung|upgrade|downgrade)\\s+(des|meines|unseres)\\s+hosting-?(tarif|paket|plan)"],
	  body :regex
	      ["\\b(change|upgrade|downgrade|switch)\\s+(\\w+\\s+){0,3}hosting\\s+(plan|package|tariff)s?\\b",
	       "\\bhosting-?(tarif|paket|plan)\\w*\\s+(\\S+\\s+){0,5}(wechseln|upgraden|downgraden|(ä|ae)ndern)\\b"])
{
	set "planchange" "yes";
}
if ticket :is "new" {
	if anyof (header :regex "Subject"
		      ["\\binvoice\\s+(#|no\\.?\\s*)?[0-9]+",
		       "\\b(billing|refunds?|receipts?)\\b",
		       "\\b(charged\\s+twice|double[- ]charged)\\b"],
		  body :regex
		      ["\\binvoice\\s+(#|no\\.?\\s*)?[0-9]+",
		       "\\b(refund|charged\\s+twice|double[- ]charged)\\b",
		       "\\bbilling\\s+(question|issue|problem)\\b"])
	{
		fileinto "billing";
	}
	elsif anyof (string :is "${planchange}" "yes",
		     header :regex "Subject"
			 ["\\b(prices?|pricing|quote|discount)\\b",
			  "\\b(purchase|buy|pre-?sales?|licen[cs]es?|lizenz\\w*|licencias?)\\b"],
		     body :regex
			 ["\\blicen[cs]e\\s+(key|transfer|renewal|url)\\b",
			  "\\bprice\\s+(list|quote)\\b",
			  "\\bhow\\s+much\\s+(is|does|do)\\b",
			  "\\b(purchase|buy)\\s+(a|an|the|more)\\b"])
	{
		fileinto "sales";
	}
}

# 3. Emergencies: a store or site that is down: HotRush, the highest
#    priority of any list -- unless staff wrote it, or it is bulk mail.
if allof (not sender_role :is "staff",
	  string :is "${autoreply}" "yes",
	  anyof (header :regex "Subject"
		     ["\\b(store|site|shop|website)\\s+(is\\s+)?down\\b",
		      "\\b(store|(web)?site|shop)\\s+is\\s+\\w+ly\\s+down\\b",
		      "\\bemergency\\b"],
		 body :regex
		     ["\\b(store|site|shop|website)\\s+(is|went)\\s+down\\b",
		      "\\b(store|(web)?site|shop)\\s+is\\s+\\w+ly\\s+down\\b",
		      "\\bemergency\\b"]))
{
	set_hotrush;
	set_priority "highest";
}

# 4. Product version, e.g. "X-Cart 4.7.12" or "version 5.4.1", goes into
#    the ticket field "version".  ${1} is the first group of the regex
#    that matched (anyof stops at the first true test, a key list at the
#    first matching key).
if anyof (header :regex "Subject"
	      ["\\b(?:x-cart|litecommerce)\\s+v?(\\d+(?:\\.\\d+){1,3})\\b",
	       "\\bversion[\\s:]+v?(\\d+(?:\\.\\d+){1,3})\\b"],
	  body :regex
	      ["\\b(?:x-cart|litecommerce)\\s+v?(\\d+(?:\\.\\d+){1,3})\\b",
	       "\\bversion[\\s:]+v?(\\d+(?:\\.\\d+){1,3})\\b"])
{
	set_field "version" "${1}";
}

# 5. Out of scope under the support policy (IXXO's list): domain names
#    and SSL certificates, custom HTML/CSS/JavaScript, hosting and the
#    installation of PHP scripts, e-commerce consulting, and third-party
#    software the shop does not integrate.  English and German.  The
#    patterns want a request ("install a PHP script", "Hosting buchen"):
#    a customer who only mentions her hosting provider is in scope.  Tag
#    it, and answer a new request once a week per sender with
#    templates/mail/out-of-scope.txt -- never bulk mail, never staff.
#    A hosting-plan change is sales (rule 2), not a hosting request.
if allof (string :is "${planchange}" "no",
	  anyof (header :regex "Subject"
		      ["\\bdomain\\s+(name\\s+)?(registration|transfer|renewal)\\b",
		       "\\bregister\\s+(a|my|our)\\s+domain\\b",
		       "\\bssl\\s+(certificate|cert)\\b",
		       "\\bcustom\\s+(html|css|javascript|js|design|theme)\\b",
		       "\\b(html|css|javascript)\\s+customi[sz]ation\\b",
		       "\\b(web\\s*)?hosting\\s+(plan|package|offer|account)s?\\b",
		       "\\bphp\\s+(script\\s+)?install(ation)?\\b",
		       "\\be-?commerce\\s+consult(ing|ation|ancy)\\b",
		       "\\bthird[- ]party\\s+(software|plugin|module|app)\\b",
		       "\\bdomain\\s+(registrieren|registrierung|umzug)\\b",
		       "\\bssl-?zertifikat",
		       "\\b(webhosting|webspace|hosting-?paket)\\b",
		       "\\bphp-?(skript|script)",
		       "\\be-?commerce-?beratung\\b",
		       "\\bdrittanbieter"],
		  body :regex
		      ["\\bdomain\\s+(name\\s+)?(registration|transfer)\\b",
		       "\\bregister\\s+(a|my|the|our)\\s+domain\\b",
		       "\\b(buy|install|renew|get)\\s+(an?\\s+|the\\s+|my\\s+)?ssl\\b",
		       "\\bcustom\\s+(html|css|javascript|js)\\b",
		       "\\b(html|css|javascript)\\s+(customi[sz]ations?|changes)\\b",
		       "\\b(need|want|looking\\s+for|recommend|offer|sell|provide)\\s+(a\\s+|an\\s+|some\\s+|your\\s+)?(web\\s*)?hosting\\b",
		       "\\bhost\\s+(my|our)\\s+(shop|store|site|website)\\b",
		       "\\binstall\\s+(a|an|the|this|my|our)\\s+(php|wordpress|joomla)\\b",
		       "\\bphp\\s+(script\\s+)?installation\\b",
		       "\\be-?commerce\\s+(consulting|consultation|consultancy|strategy\\s+advice)\\b",
		       "\\badvi[cs]e\\s+(us\\s+|me\\s+)?on\\s+(our|my)\\s+(online\\s+)?(marketing|sales)\\s+strategy\\b",
		       "\\b(set\\s+up|install|configure|support)\\s+(a\\s+|the\\s+|our\\s+|my\\s+)?third[- ]party\\s+(software|plugin|module|app|tool)\\b",
		       "\\b(domain|ssl-?zertifikat)\\s+(registrieren|bestellen|einrichten|kaufen)\\b",
		       "\\beigenes?\\s+(html|css|javascript|design)\\b",
		       "\\b(webhosting|webspace|hosting-?paket)\\b",
		       "\\bhosting\\s+(buchen|anbieten|empfehlen)\\b",
		       "\\bphp-?(skript|script)\\s+(installieren|einrichten)\\b",
		       "\\b(installieren|einrichten)\\s+(sie\\s+)?(uns\\s+)?(ein|das|unser)\\s+php",
		       "\\be-?commerce-?beratung\\b",
		       "\\bberatung\\s+(zu|zur|f\\S+r)\\s+(unseren?|meinen?)\\s+(online-?)?(shop|vertrieb|strategie)\\b",
		       "\\bsoftware\\s+(eines|von)\\s+drittanbieter",
		       "\\bdrittanbieter-?(software|modul|plugin)"]))
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
