# subject-priority.sieve: customers may put "[major]" or "[minor]" in the
# subject to choose a priority, as in the web form; a "Version: x.y.z"
# line anywhere in the body fills the version field.

require ["variables", "regex", "body", "vnd.postdesk"];

if header :regex "Subject" "\\[(minor|normal|major)\\]" {
	set :lower "p" "${1}";
	set_priority "${p}";
}

if body :regex "(?m)^version:[[:space:]]*([0-9][0-9.]*[0-9])" {
	set_field "version" "${1}";
}
