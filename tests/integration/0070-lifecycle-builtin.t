#!/bin/sh
# The built-in life cycle (no [lifecycle] in the config) walked by mail
# through postdesk-ingest, postdesk tick and postdesk-notify, customer
# and staff side, with its rating rule: the walk of
# 0069-lifecycle-xcart.t without contrib/lifecycle/x-cart.conf, whose
# timers are the built-in ones spelled out.
VOCABULARY= . "${top_srcdir:-.}/tests/integration/0069-lifecycle-xcart.t"
