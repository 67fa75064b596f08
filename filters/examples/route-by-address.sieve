# route-by-address.sieve: route by the address the mail was sent to.
# sales@ and billing@ can be aliases of the same postdesk mailbox; the
# MTA passes the original recipient with --recipient.

require ["fileinto", "envelope", "vnd.postdesk"];

if ticket :is "new" {
	if envelope :localpart :is "to" ["sales", "presales"] {
		fileinto "sales";
	} elsif envelope :localpart :matches "to" "billing*" {
		fileinto "billing";
	} elsif address :localpart :is ["to", "cc"] "projects" {
		fileinto "project";
	}
}
