/*
 * template_priv: the parsed form shared by template.c and
 * template_render.c.  Not for other modules: they see struct template
 * only as an opaque pointer.
 */
#ifndef POSTDESK_TEMPLATE_PRIV_H
#define POSTDESK_TEMPLATE_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

enum node_kind {
	NODE_TEXT,		/* literal text */
	NODE_VAR,		/* {{name}}: escaped per the render mode */
	NODE_RAW,		/* {{{name}}} or {{&name}} */
	NODE_SECTION,		/* {{#name}}...{{/name}} */
	NODE_INVERTED,		/* {{^name}}...{{/name}} */
	NODE_I18N,		/* {{_ text}}: text through gettext */
	NODE__MAX
};

struct node {
	enum node_kind	  kind;
	unsigned int	  line;		/* where the tag or text starts */
	char		 *text;		/* TEXT: the literal; else the name */
	size_t		  len;		/* of text */
	char		**path;		/* name split at dots; NULL for "." */
	GPtrArray	 *children;	/* SECTION, INVERTED: struct node */
};

struct template {
	char		*name;		/* for error messages */
	GPtrArray	*root;		/* the whole text */
	bool		 header;	/* starts with a header block */
	GPtrArray	*subject;	/* the Subject value, or NULL */
	GPtrArray	*body;		/* after the header block, or NULL */
};

#endif
