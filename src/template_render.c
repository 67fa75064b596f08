/*
 * template_render: filling a parsed template with values from a JSON
 * object; see template.h.  Values come from mail and customers, so
 * every append is bounded and every string is made valid UTF-8.
 */
#include <libintl.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "html.h"
#include "template.h"
#include "template_priv.h"

struct render {
	const char		*name;		/* for error messages */
	GString			*out;
	GPtrArray		*scopes;	/* JsonNode, innermost last */
	enum template_escape	 esc;
	size_t			 max;		/* bytes of output */
	guint64			 steps;		/* nodes and iterations */
};

static bool	render_nodes(struct render *, const GPtrArray *, GError **);

static bool
over_limit(struct render *r, GError **err)
{
	g_set_error(err, TEMPLATE_ERROR, TEMPLATE_ERROR_LIMIT,
	    "%s: output larger than %zu bytes", r->name, r->max);
	return false;
}

/*
 * Counts work, so that nested sections over large arrays with little
 * or no output cannot keep us busy for ever.
 */
static bool
step(struct render *r, GError **err)
{
	if (++r->steps <= TEMPLATE_STEPS_MAX)
		return true;
	g_set_error(err, TEMPLATE_ERROR, TEMPLATE_ERROR_LIMIT,
	    "%s: more than %d rendering steps", r->name, TEMPLATE_STEPS_MAX);
	return false;
}

/*
 * The value NAME resolves to: the first segment is looked up from the
 * innermost scope outwards, the other segments only inside it (as in
 * mustache), so {{a.b}} never picks up an outer "b".
 */
static JsonNode *
lookup(const struct render *r, const struct node *n)
{
	JsonNode	*v = NULL, *s;
	JsonObject	*o;
	char		**seg;
	guint		 i;

	if (n->path == NULL)
		return r->scopes->len > 0 ?
		    g_ptr_array_index(r->scopes, r->scopes->len - 1) : NULL;
	for (i = r->scopes->len; i > 0 && v == NULL; i--) {
		s = g_ptr_array_index(r->scopes, i - 1);
		if (!JSON_NODE_HOLDS_OBJECT(s))
			continue;
		o = json_node_get_object(s);
		if (o != NULL && json_object_has_member(o, n->path[0]))
			v = json_object_get_member(o, n->path[0]);
	}
	for (seg = n->path + 1; v != NULL && *seg != NULL; seg++) {
		if (!JSON_NODE_HOLDS_OBJECT(v))
			return NULL;
		o = json_node_get_object(v);
		v = o != NULL ? json_object_get_member(o, *seg) : NULL;
	}
	return v;
}

static bool
truthy(JsonNode *v)
{
	JsonArray	*a;
	const char	*s;

	if (v == NULL)
		return false;
	switch (JSON_NODE_TYPE(v)) {
	case JSON_NODE_OBJECT:
		return true;
	case JSON_NODE_ARRAY:
		a = json_node_get_array(v);
		return a != NULL && json_array_get_length(a) > 0;
	case JSON_NODE_VALUE:
		break;
	default:
		return false;
	}
	switch (json_node_get_value_type(v)) {
	case G_TYPE_BOOLEAN:
		return json_node_get_boolean(v);
	case G_TYPE_INT64:
		return json_node_get_int(v) != 0;
	case G_TYPE_DOUBLE:
		return json_node_get_double(v) != 0.0;
	case G_TYPE_STRING:
		s = json_node_get_string(v);
		return s != NULL && *s != '\0';
	default:
		return false;
	}
}

static bool
append_string(struct render *r, const char *s, bool raw, GError **err)
{
	char	*valid;
	size_t	 len = strlen(s);

	/* Refuse before allocating: escaping only makes it longer. */
	if (len > r->max - r->out->len)
		return over_limit(r, err);
	if (!raw && r->esc == TEMPLATE_ESCAPE_HTML)
		html_escape_append(r->out, s);
	else if (g_utf8_validate(s, len, NULL))
		g_string_append_len(r->out, s, len);
	else {
		valid = g_utf8_make_valid(s, len);
		g_string_append(r->out, valid);
		g_free(valid);
	}
	return r->out->len <= r->max ? true : over_limit(r, err);
}

/* Scalars print; null, objects and arrays print nothing. */
static bool
append_value(struct render *r, JsonNode *v, bool raw, GError **err)
{
	char	 buf[G_ASCII_DTOSTR_BUF_SIZE];
	char	*num;
	bool	 ok;

	if (v == NULL || !JSON_NODE_HOLDS_VALUE(v))
		return true;
	switch (json_node_get_value_type(v)) {
	case G_TYPE_STRING:
		return append_string(r, json_node_get_string(v), raw, err);
	case G_TYPE_BOOLEAN:
		return append_string(r, json_node_get_boolean(v) ? "true" :
		    "false", raw, err);
	case G_TYPE_INT64:
		num = g_strdup_printf("%" G_GINT64_FORMAT,
		    json_node_get_int(v));
		ok = append_string(r, num, raw, err);
		g_free(num);
		return ok;
	case G_TYPE_DOUBLE:
		/* %.15g: 0.1 prints as 0.1, not 0.10000000000000001. */
		g_ascii_formatd(buf, sizeof(buf), "%.15g",
		    json_node_get_double(v));
		return append_string(r, buf, raw, err);
	default:
		return true;
	}
}

static bool
render_scoped(struct render *r, JsonNode *scope, const GPtrArray *nodes,
    GError **err)
{
	bool	 ok;

	g_ptr_array_add(r->scopes, scope);
	ok = render_nodes(r, nodes, err);
	g_ptr_array_remove_index(r->scopes, r->scopes->len - 1);
	return ok;
}

static bool
render_section(struct render *r, const struct node *n, GError **err)
{
	JsonNode	*v = lookup(r, n);
	JsonArray	*a;
	guint		 i, len;

	if (n->kind == NODE_INVERTED)
		return truthy(v) ? true : render_nodes(r, n->children, err);
	if (!truthy(v))
		return true;
	if (!JSON_NODE_HOLDS_ARRAY(v))
		return render_scoped(r, v, n->children, err);
	a = json_node_get_array(v);
	len = json_array_get_length(a);
	for (i = 0; i < len; i++) {
		if (!step(r, err) ||
		    !render_scoped(r, json_array_get_element(a, i),
		    n->children, err))
			return false;
	}
	return true;
}

static bool
render_nodes(struct render *r, const GPtrArray *nodes, GError **err)
{
	const struct node	*n;
	guint			 i;
	bool			 ok = true;

	for (i = 0; i < nodes->len && ok; i++) {
		n = g_ptr_array_index(nodes, i);
		if (!step(r, err))
			return false;
		switch (n->kind) {
		case NODE_TEXT:
			if (n->len > r->max - r->out->len)
				return over_limit(r, err);
			g_string_append_len(r->out, n->text, n->len);
			break;
		case NODE_VAR:
		case NODE_RAW:
			ok = append_value(r, lookup(r, n),
			    n->kind == NODE_RAW, err);
			break;
		case NODE_I18N:
			/* The program bound the catalog and chose the
			 * language (web_lang.c); unbound, it is the text. */
			ok = append_string(r, dgettext(POSTDESK_TEXTDOMAIN,
			    n->text), false, err);
			break;
		case NODE_SECTION:
		case NODE_INVERTED:
			ok = render_section(r, n, err);
			break;
		default:
			g_assert_not_reached();
		}
	}
	return ok;
}

static char *
render_list(const struct template *t, const GPtrArray *nodes,
    JsonObject *ctx, enum template_escape esc, size_t max, GError **err)
{
	struct render	 r;
	JsonNode	*root = NULL;
	bool		 ok;

	memset(&r, 0, sizeof(r));
	r.name = t->name;
	r.out = g_string_new(NULL);
	r.scopes = g_ptr_array_new();
	r.esc = esc;
	r.max = max;
	if (ctx != NULL) {
		root = json_node_alloc();
		json_node_init_object(root, ctx);
		g_ptr_array_add(r.scopes, root);
	}
	ok = render_nodes(&r, nodes, err);
	g_ptr_array_unref(r.scopes);
	if (root != NULL)
		json_node_unref(root);
	if (!ok) {
		g_string_free(r.out, TRUE);
		return NULL;
	}
	return g_string_free(r.out, FALSE);
}

char *
template_render_max(const struct template *t, JsonObject *ctx,
    enum template_escape esc, size_t max, GError **err)
{
	g_return_val_if_fail(t != NULL, NULL);
	g_return_val_if_fail(esc < TEMPLATE_ESCAPE__MAX, NULL);
	return render_list(t, t->root, ctx, esc, max, err);
}

char *
template_render(const struct template *t, JsonObject *ctx,
    enum template_escape esc, GError **err)
{
	return template_render_max(t, ctx, esc, TEMPLATE_OUTPUT_MAX, err);
}

/*
 * A header must stay on one line whatever the ticket subject held:
 * every run of blanks and control characters becomes one space.
 */
static char *
fold_header(char *s)
{
	GString		*out;
	const char	*p;
	bool		 blank = false;

	out = g_string_sized_new(strlen(s));
	for (p = s; *p != '\0'; p++) {
		if (g_ascii_isspace(*p) || g_ascii_iscntrl(*p)) {
			blank = true;
			continue;
		}
		if (blank && out->len > 0)
			g_string_append_c(out, ' ');
		blank = false;
		g_string_append_c(out, *p);
	}
	g_free(s);
	return g_string_free(out, FALSE);
}

bool
template_render_mail(const struct template *t, JsonObject *ctx,
    char **subject, char **body, GError **err)
{
	char	*s = NULL, *b;

	g_return_val_if_fail(subject != NULL && body != NULL, false);
	*subject = *body = NULL;
	g_return_val_if_fail(t != NULL, false);
	if (!t->header) {
		b = render_list(t, t->root, ctx, TEMPLATE_ESCAPE_NONE,
		    TEMPLATE_OUTPUT_MAX, err);
		*body = b;
		return b != NULL;
	}
	if (t->subject != NULL) {
		s = render_list(t, t->subject, ctx, TEMPLATE_ESCAPE_NONE,
		    TEMPLATE_OUTPUT_MAX, err);
		if (s == NULL)
			return false;
		s = fold_header(s);
	}
	b = render_list(t, t->body, ctx, TEMPLATE_ESCAPE_NONE,
	    TEMPLATE_OUTPUT_MAX, err);
	if (b == NULL) {
		g_free(s);
		return false;
	}
	*subject = s;
	*body = b;
	return true;
}
