#!/bin/sh
# The {{_ text}} strings of the viewer's pages as C, for xgettext (which
# does not read our templates): one _("text") per line, with the file
# and line as a comment so that the .pot names where each comes from.
for f in "$@"; do
	grep -n -o '{{_ [^}]*}}' "$f" | while IFS= read -r l; do
		n=${l%%:*}; t=${l#*:\{\{_ }; t=${t%\}\}}
		printf '/* %s:%s */ _("%s");\n' "$f" "$n" \
		    "$(printf '%s' "$t" | sed 's/\\/\\\\/g; s/"/\\"/g')"
	done
done
