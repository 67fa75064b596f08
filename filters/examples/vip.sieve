# vip.sieve: customers on a premium plan go to a named engineer with
# major priority, and their tickets are tagged.

require ["imap4flags", "vnd.postdesk"];

if allof (address :domain :is "from" ["bigshop.example", "megastore.example"],
	  sender_role :is "customer",
	  ticket :is "new")
{
	assign "bob";
	set_priority "major";
	addflag "vip";
}
