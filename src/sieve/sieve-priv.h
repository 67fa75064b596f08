/*
 * sieve-priv.h: private types shared by the files of src/sieve/.
 *
 * Pipeline: lexer.c (text -> tokens) -> parser.c (tokens -> generic AST)
 * -> compile.c + ext_postdesk.c (AST -> typed commands and tests, all
 * checks done here) -> interp.c (run) with match.c (comparators, match
 * types, regex, addresses) and vars.c (variables).
 *
 * Memory: everything built at compile time lives in a struct sieve_arena
 * owned by the script and freed at once; PCRE2 codes are freed with
 * pcre2_code_free() by the script.
 */
#ifndef POSTDESK_SIEVE_PRIV_H
#define POSTDESK_SIEVE_PRIV_H

#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "sieve/sieve.h"

/* Limits: hostile scripts and messages must stay bounded. */
#define SIEVE_MAX_SCRIPT_SIZE	(1024 * 1024)
#define SIEVE_MAX_DEPTH		64
#define SIEVE_MAX_VARIABLES	256
#define SIEVE_MAX_VAR_LEN	(64 * 1024)
#define SIEVE_MAX_EXPANSION	(64 * 1024 * 1024)	/* bytes per run */
#define SIEVE_MAX_ACTIONS	1024
#define SIEVE_MATCH_VARS	10			/* ${0}..${9} */
#define SIEVE_REGEX_MATCH_LIMIT	200000
#define SIEVE_REGEX_DEPTH_LIMIT	5000
#define SIEVE_REGEX_HEAP_KIB	(16 * 1024)
#define SIEVE_REGEX_JIT_STACK	(512 * 1024)
#define SIEVE_TRACE_VALUE_MAX	72

/* ---- arena.c ---- */

struct sieve_arena {
	GPtrArray *blocks;
};

void sieve_arena_init(struct sieve_arena *);
void sieve_arena_clear(struct sieve_arena *);
void *sieve_arena_alloc(struct sieve_arena *, size_t);
char *sieve_arena_strndup(struct sieve_arena *, const char *, size_t);
/* Copies a GPtrArray's pointers into an arena vector. */
void **sieve_arena_vec(struct sieve_arena *, GPtrArray *);

/* ---- sieve.c ---- */

void sieve_error_at(GError **err, int code, const char *file,
    unsigned line, unsigned col, const char *fmt, ...)
    G_GNUC_PRINTF(6, 7);

/* ---- lexer.c ---- */

enum sieve_tok_kind {
	TOK_EOF,
	TOK_IDENT,
	TOK_TAG,
	TOK_NUMBER,
	TOK_STRING,
	TOK_LBRACKET,
	TOK_RBRACKET,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_LBRACE,
	TOK_RBRACE,
	TOK_COMMA,
	TOK_SEMICOLON,
	TOK__MAX
};

struct sieve_token {
	enum sieve_tok_kind kind;
	unsigned line, col;
	const char *text;	/* identifier, tag (no colon), string */
	uint64_t num;
};

/* Tokens end with TOK_EOF; strings live in the arena. */
bool sieve_lexer_tokenize(GArray **out, struct sieve_arena *,
    const char *file, const char *text, size_t len, GError **err);
const char *sieve_lexer_kind_to_text(enum sieve_tok_kind);

/* ---- parser.c: the generic RFC 5228 grammar ---- */

enum sieve_arg_kind {
	ARG_STRLIST,
	ARG_NUMBER,
	ARG_TAG,
	ARG__MAX
};

struct sieve_arg {
	enum sieve_arg_kind kind;
	unsigned line, col;
	const char **strs;	/* ARG_STRLIST */
	unsigned *lines, *cols;	/* position of each string */
	size_t n;
	bool bracketed;		/* written as [ ... ] */
	uint64_t num;		/* ARG_NUMBER */
	const char *tag;	/* ARG_TAG, without the colon */
};

/* A command or a test: both have a name, arguments and tests. */
struct sieve_node {
	const char *name;
	unsigned line, col;
	struct sieve_arg *args;
	size_t n_args;
	struct sieve_node **tests;
	size_t n_tests;
	bool test_list;		/* tests written as ( ... ) */
	struct sieve_node **block;	/* commands only */
	size_t n_block;
	bool has_block;
};

bool sieve_parser_parse(struct sieve_node ***out, size_t *n_out,
    struct sieve_arena *, const char *file, const GArray *tokens,
    GError **err);

/* ---- typed program (compile.c, ext_postdesk.c) ---- */

enum sieve_ext {
	EXT_FILEINTO = 1 << 0,
	EXT_REJECT = 1 << 1,
	EXT_ENVELOPE = 1 << 2,
	EXT_REGEX = 1 << 3,
	EXT_BODY = 1 << 4,
	EXT_VARIABLES = 1 << 5,
	EXT_IMAP4FLAGS = 1 << 6,
	EXT_VACATION = 1 << 7,
	EXT_POSTDESK = 1 << 8,
	EXT_COMPARATORS = 1 << 9	/* comparator-i;octet etc., no-op */
};

enum sieve_match_type {
	MATCH_IS,
	MATCH_CONTAINS,
	MATCH_MATCHES,
	MATCH_REGEX,
	MATCH__MAX
};

enum sieve_comparator {
	CMP_CASEMAP,
	CMP_OCTET,
	CMP__MAX
};

enum sieve_addr_part {
	ADDR_ALL,
	ADDR_LOCALPART,
	ADDR_DOMAIN,
	ADDR__MAX
};

enum sieve_body_part {
	BODY_TEXT,
	BODY_RAW,
	BODY__MAX
};

struct sieve_string {
	const char *text;
	bool has_vars;		/* "${" present and variables required */
};

struct sieve_strlist {
	struct sieve_string *items;
	size_t n;
};

struct sieve_key {
	struct sieve_string s;
	const char *lower;	/* ASCII-lowered, for casemap :contains */
	pcre2_code *re;		/* :regex without variables */
};

enum sieve_test_kind {
	TEST_TRUE,
	TEST_FALSE,
	TEST_NOT,
	TEST_ALLOF,
	TEST_ANYOF,
	TEST_HEADER,
	TEST_ADDRESS,
	TEST_ENVELOPE,
	TEST_EXISTS,
	TEST_SIZE,
	TEST_BODY,
	TEST_STRING,
	TEST_HASFLAG,
	TEST_TICKET,
	TEST_SPF,
	TEST_SENDER_ROLE,
	TEST_ORG_ATTRIBUTE,
	TEST__MAX
};

struct sieve_test {
	enum sieve_test_kind kind;
	const char *name;
	unsigned line, col;
	enum sieve_match_type match;
	enum sieve_comparator cmp;
	enum sieve_addr_part addr;
	enum sieve_body_part body;
	bool over;		/* size :over, else :under */
	uint64_t limit;
	struct sieve_strlist sources;	/* header names, envelope parts... */
	struct sieve_key *keys;
	size_t n_keys;
	struct sieve_test **children;
	size_t n_children;
};

enum sieve_cmd_kind {
	CMD_REQUIRE,
	CMD_IF,
	CMD_STOP,
	CMD_KEEP,
	CMD_DISCARD,
	CMD_FILEINTO,
	CMD_REDIRECT,
	CMD_REJECT,
	CMD_ADDFLAG,
	CMD_SETFLAG,
	CMD_REMOVEFLAG,
	CMD_VACATION,
	CMD_SET,
	CMD_SET_PRIORITY,
	CMD_SET_HOTRUSH,
	CMD_SET_FIELD,
	CMD_ASSIGN,
	CMD__MAX
};

/* "set" modifiers, by RFC 5229 precedence group. */
enum sieve_set_mod {
	MOD_LOWER = 1 << 0,
	MOD_UPPER = 1 << 1,
	MOD_LOWERFIRST = 1 << 2,
	MOD_UPPERFIRST = 1 << 3,
	MOD_QUOTEWILDCARD = 1 << 4,
	MOD_LENGTH = 1 << 5
};

struct sieve_cmd;

struct sieve_block {
	struct sieve_cmd **cmds;
	size_t n;
};

struct sieve_branch {
	struct sieve_test *test;	/* NULL for else */
	struct sieve_block body;
	unsigned line;
};

struct sieve_cmd {
	enum sieve_cmd_kind kind;
	const char *name;
	unsigned line, col;
	struct sieve_branch *branches;	/* if/elsif/else */
	size_t n_branches;
	struct sieve_string arg;	/* first string argument */
	struct sieve_string arg2;	/* second; vacation :subject */
	struct sieve_strlist list;	/* flags */
	unsigned mods;			/* set */
	int days;			/* vacation */
};

struct sieve_script {
	char *name;		/* as given: path or name */
	char *base;		/* base name, for actions */
	struct sieve_arena arena;
	GPtrArray *regexes;	/* pcre2_code *, freed with the script */
	unsigned exts;		/* required extensions */
	struct sieve_block top;
};

/* compile.c: state while checking one script. */
struct sieve_compiler {
	struct sieve_script *script;
	const char *file;
	GHashTable *var_names;
	bool seen_command;	/* a non-require command was seen */
};

/* Helpers of compile.c used by the extension files. */
bool sieve_compile_need_ext(struct sieve_compiler *, unsigned ext,
    const char *ext_name, const char *what, unsigned line, unsigned col,
    GError **err);
bool sieve_compile_string_arg(struct sieve_compiler *,
    const struct sieve_node *, size_t idx, const char *what,
    struct sieve_string *out, GError **err);
bool sieve_compile_arg_count(struct sieve_compiler *,
    const struct sieve_node *, size_t want, GError **err);
bool sieve_compile_match_test(struct sieve_compiler *,
    const struct sieve_node *, struct sieve_test *, size_t n_lists,
    unsigned opts, GError **err);
void sieve_compile_string_init(struct sieve_compiler *,
    struct sieve_string *, const char *);
bool sieve_compile_fail(struct sieve_compiler *, unsigned line,
    unsigned col, GError **err, const char *fmt, ...) G_GNUC_PRINTF(5, 6);
bool sieve_compile_test(struct sieve_compiler *, const struct sieve_node *,
    struct sieve_test **, GError **);
bool sieve_compile_strlist_arg(struct sieve_compiler *,
    const struct sieve_node *, size_t idx, const char *what,
    struct sieve_strlist *out, GError **err);

/* compile_cmd.c */
bool sieve_compile_cmd_block(struct sieve_compiler *, struct sieve_node **,
    size_t, struct sieve_block *, GError **);

#define MOPT_CMP	(1u << 0)
#define MOPT_MATCH	(1u << 1)
#define MOPT_ADDR	(1u << 2)
#define MOPT_BODY	(1u << 3)

/* ext_postdesk.c */
bool sieve_ext_postdesk_cmd(struct sieve_compiler *,
    const struct sieve_node *, struct sieve_cmd *, bool *handled,
    GError **err);
bool sieve_ext_postdesk_test(struct sieve_compiler *,
    const struct sieve_node *, struct sieve_test *, bool *handled,
    GError **err);
const char *sieve_ext_postdesk_source(const struct sieve_test *,
    const struct sieve_message *);
const char *sieve_ext_postdesk_org_attr(const struct sieve_message *,
    const char *name);
bool sieve_ext_postdesk_valid_priority(const char *);
bool sieve_ext_postdesk_valid_name(const char *);

/* ---- interp.c: run-time state ---- */

struct sieve_span {
	size_t off, len;
};

struct sieve_run {
	const struct sieve_script *script;
	const struct sieve_message *msg;
	struct sieve_result *res;
	GHashTable *vars;		/* lower-case name -> char * */
	char *match_vars[SIEVE_MATCH_VARS];
	char **hdr_lower;		/* lazily lowered header values */
	char *body_lower[BODY__MAX];
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit_stack;
	size_t expanded;		/* bytes produced by expansion */
	const char *hit_name;		/* header that matched, for trace */
	unsigned depth;			/* for trace indentation */
	bool stop;
	GError *error;			/* first runtime error */
};

void sieve_interp_trace(struct sieve_run *, unsigned line,
    const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Expanded string: borrowed (s->text) or newly allocated in *tofree. */
const char *sieve_interp_expand(struct sieve_run *,
    const struct sieve_string *, char **tofree);
bool sieve_interp_eval(struct sieve_run *, const struct sieve_test *);
bool sieve_interp_add_action(struct sieve_run *, enum sieve_action_kind,
    const struct sieve_cmd *, const char *arg, const char *arg2);

/* ---- match.c ---- */

/* A key ready for matching: expanded, lowered, compiled. */
struct sieve_rkey {
	const char *text;
	size_t len;
	const pcre2_code *re;
	char *owned;
	pcre2_code *owned_re;
	bool broken;		/* regex failed to compile: never matches */
};

pcre2_code *sieve_match_regex_compile(const char *pattern,
    enum sieve_comparator, char *errbuf, size_t errlen);
void sieve_match_prepare(struct sieve_run *, const struct sieve_test *,
    struct sieve_rkey *keys);
void sieve_match_release(struct sieve_rkey *keys, size_t n);
/*
 * Matches one value against all keys; *lower is a cache slot for the
 * ASCII-lowered value (NULL or owned by the caller).  Sets the match
 * variables on success.
 */
bool sieve_match_value(struct sieve_run *, const struct sieve_test *,
    const char *value, char **lower, const struct sieve_rkey *keys);
bool sieve_match_glob(const char *pat, size_t plen, const char *s,
    size_t slen, bool casemap, struct sieve_span *caps, size_t max_caps);
/* Splits an address-list header into addr-specs (char *, g_free). */
void sieve_match_addresses(const char *value, GPtrArray *out);
/* The part of an addr-spec; newly allocated. */
char *sieve_match_addr_part(const char *addr, enum sieve_addr_part);
void sieve_match_ascii_lower(char *s);

/* ---- vars.c ---- */

bool sieve_vars_valid_name(const char *);
char *sieve_vars_expand(struct sieve_run *, const char *text);
void sieve_vars_set(struct sieve_run *, const char *name, const char *value,
    unsigned mods);
void sieve_vars_set_match(struct sieve_run *, const char *s,
    const struct sieve_span *caps, size_t n);
char *sieve_vars_truncate(char *s, size_t max);

#endif /* POSTDESK_SIEVE_PRIV_H */
