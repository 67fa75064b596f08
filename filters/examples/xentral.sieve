# xentral.sieve: Xentral's four request categories as queues, and the
# module named in the subject as the ticket's "module" field.
#
# Xentral asks which kind of support a request needs (Customer Support;
# Onboarding & CSM; Subscription, licenses & invoice; Developer &
# Customizing Support) and for the affected module in the subject line,
# so that the request reaches the right specialists at once.  By mail
# the category is read from the subject and the text; what matches
# nothing stays in the default queue, "support" (Customer Support).
# Use it beside the shipped rules:
#
#	[rules]
#	scripts = /etc/postdesk/default.sieve; /etc/postdesk/xentral.sieve
#
# Test it: postdesk rules test filters/examples/xentral.sieve < mail.eml

require ["fileinto", "regex", "body", "variables", "vnd.postdesk"];

# The module names, one regular-expression alternative each: edit the
# list to match the modules of your product.  The first one named in
# the subject is recorded.
set "modules" "accounting|buchhaltung|warehouse|lager|shipping|versand|orders?|auftr(ae|ä)ge|invoices|rechnungen|purchasing|einkauf|pos|kasse|production|produktion|reports?|berichte|crm|shopware|shopify|amazon|woocommerce|datev";
if header :regex "Subject" "\\b(${modules})\\b"
{
	set :lower "module" "${1}";
	set_field "module" "${module}";
}

# Only a new request is routed: a reply stays in its ticket's queue.
if ticket :is "new" {
	if anyof (header :regex "Subject"
		      ["\\bonboarding\\b", "\\bcsm\\b",
		       "\\b(customer\\s+success|kick-?off|go-?live)\\b",
		       "\\bonboarding-?manager"],
		  body :regex
		      ["\\b(my|our|mein(em|en)?|unser(em|en)?)\\s+onboarding(\\s+|-)manager",
		       "\\bonboarding\\s+(phase|call|meeting|termin)\\b"])
	{
		fileinto "onboarding";
	}
	elsif anyof (header :regex "Subject"
			 ["\\b(subscription|licen[cs]es?|invoice|billing)\\b",
			  "\\b(abo(nnement)?|lizenz(en)?|rechnung)\\b"],
		     body :regex
			 ["\\b(cancel|upgrade|downgrade|change)\\s+(my|our)\\s+(subscription|plan|licen[cs]e)\\b",
			  "\\b(our|your|the)\\s+xentral\\s+invoice\\b",
			  "\\b(abo|lizenz|vertrag)\\s+(k(ue|ü)ndigen|(ae|ä)ndern|erweitern)\\b"])
	{
		fileinto "billing";
	}
	elsif anyof (header :regex "Subject"
			 ["\\b(api|webhooks?|sdk|rest|oauth)\\b",
			  "\\b(developer|customi[sz]ing|custom\\s+development)\\b",
			  "\\b(entwickler|schnittstelle|anpassung)\\b"],
		     body :regex
			 ["\\b(the|your|xentral)\\s+api\\b",
			  "\\bapi\\s+(endpoint|call|key|token|request)s?\\b",
			  "\\b(we|i)\\s+(are\\s+)?develop(ing)?\\s+(a|an|our)\\s+(custom|own)\\b",
			  "\\b(eigene|individuelle)\\s+(entwicklung|anpassung|funktion)"])
	{
		fileinto "developer";
	}
}
