# xcally.sieve: XCALLY's products as queues, and the request type as a
# ticket field.
#
# In XCALLY's portal "the customer picks the software (XCALLY, XPLANY,
# WitiOp, Vidaoo) and the request type".  By mail, each product has its
# own address (xcally@, xplany@, witiop@, vidaoo@: aliases of the
# postdesk mailbox; the MTA passes the original recipient with
# --recipient), or the customer names the product at the start of the
# subject ("[XPLANY] ...", "Vidaoo: ...").  The address wins over the
# subject; what names no product stays in the default queue.  Each
# product queue needs its [queue.NAME] group (postdesk.conf(5)), and
# contrib/lifecycle/escalation.conf gives them XCALLY's statuses.
# Use it beside the shipped rules:
#
#	[rules]
#	scripts = /etc/postdesk/default.sieve; /etc/postdesk/xcally.sieve
#
# Test it: postdesk rules test filters/examples/xcally.sieve < mail.eml

require ["fileinto", "envelope", "regex", "variables", "vnd.postdesk"];

# Only a new request is routed: a reply stays in its ticket's queue.
if ticket :is "new" {
	set "product" "";
	if envelope :localpart :regex "to"
	    "^(xcally|xplany|witiop|vidaoo)$" {
		set :lower "product" "${1}";
	} elsif header :regex "Subject"
	    "^[[:space:]]*\\[?(xcally|xplany|witiop|vidaoo)\\b" {
		set :lower "product" "${1}";
	}
	if string :is "${product}" "xcally" { fileinto "xcally"; }
	elsif string :is "${product}" "xplany" { fileinto "xplany"; }
	elsif string :is "${product}" "witiop" { fileinto "witiop"; }
	elsif string :is "${product}" "vidaoo" { fileinto "vidaoo"; }

	# The request type, as the portal's form asks for it.
	if header :regex "Subject" "\\b(bug|error|crash)" {
		set_field "request_type" "bug";
	} elsif header :regex "Subject" "\\b(feature|wish|suggestion)" {
		set_field "request_type" "feature request";
	}
}
