/*
 * config: postdesk.conf, a GLib key file, turned into a typed struct.
 *
 * Every key postdesk knows is declared once in config.c's table with its
 * type; an unknown group or key, or a value of the wrong type, is an error
 * naming the file and line, so a typo never silently falls back to a
 * default.  Relative paths in the file are resolved against the file's
 * directory.  The struct is immutable after config_load().
 */
#ifndef POSTDESK_CONFIG_H
#define POSTDESK_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "policy.h"

struct lifecycle_set;
struct roles;

#define CONFIG_ERROR (config_error_quark())
enum config_error_code { CONFIG_ERROR_PARSE, CONFIG_ERROR_VALUE };

/*
 * [queue.NAME]: a brand.  Mail to its address (or address+token) opens
 * tickets in queue NAME, and everything sent about a ticket of the queue
 * comes from that address, with its name, tag and signature.  A key left
 * out falls back to [mail] / [notify] / [templates].
 */
struct config_queue {
	char	 *name;
	char	 *address;		/* lower-case; NULL: [mail] address */
	char	 *from_name;		/* NULL: [notify] from_name */
	char	 *subject_tag;		/* NULL: [mail] subject_tag */
	char	 *signature;		/* appended to mail; NULL: none */
	char	 *templates_dir;	/* looked in first; NULL: none */
	/* The address's domain is none of ours: the address is ignored
	 * (postdesk check warns), the queue sends as [mail] address. */
	bool	  foreign;
};

/*
 * [oauth2.NAME]: one OAuth2 account (client and refresh token) that
 * [fetch] oauth2 or [notify] oauth2 names.  config_oauth2.c fills in
 * the provider's presets, so every URL here is the one to use.
 */
struct config_oauth2 {
	char	 *name;
	char	 *provider;		/* "microsoft", "google"; NULL: URLs */
	char	 *client_id;
	char	 *client_secret;	/* NULL: a public client */
	char	 *tenant;		/* microsoft: "common" by default */
	char	 *scope;		/* space-separated; NULL: none sent */
	char	 *token_url;
	char	 *device_url;		/* NULL: no device-code login */
	char	 *token_file;		/* absolute; 0600 JSON */
};

struct config {
	char	 *path;			/* the file read, or NULL */
	/* [store] */
	char	 *store_path;		/* SQLite; also names the state dir */
	char	 *store_url;		/* PostgreSQL, or NULL: store_path */
	int64_t	  busy_timeout;		/* ms to wait for a locked DB */
	/* [mail] */
	char	 *address;		/* support@example.com */
	char	 *subject_tag;		/* "Support" → [Support #12] */
	char	 *host;			/* for Message-IDs */
	uint64_t  max_message_size;	/* bytes */
	int64_t	  max_run_time;		/* s an ingest may run; 0: no limit */
	char	 *token_key;		/* HMAC key for reply tokens */
	char	**own_addresses;	/* extra addresses that are ours */
	/* [staff] */
	char	**staff_addresses;	/* lower-case */
	/* [intake] */
	bool	  foreign_sender_new_ticket; /* policy for non-participants */
	/* [rules] */
	char	**rules_scripts;	/* absolute paths */
	bool	  discard_keeps_raw;
	/* [templates] */
	char	 *templates_dir;
	/* [fetch] (postdesk-fetch) */
	char	**fetch_sources;	/* URLs */
	char	 *fetch_password;
	char	 *fetch_password_command;
	char	 *fetch_ca_file;	/* NULL: the system's CAs */
	char	 *fetch_after;		/* "seen", "move" or "delete" */
	char	 *fetch_move_to;	/* folder for "move" */
	int64_t	  fetch_poll_interval;	/* seconds, --watch without IDLE */
	char	 *fetch_oauth2;		/* [oauth2.NAME] for IMAP; NULL */
	/* [web] */
	char	 *web_base_url;		/* https://host/cgi-bin/postdesk.cgi */
	char	 *web_link_key;		/* HMAC key for links; NULL: none */
	char	 *web_locale_dir;	/* LANG/LC_MESSAGES/postdesk.mo */
	int64_t	  web_link_lifetime;	/* seconds a customer link lives */
	uint64_t  web_max_message_view;	/* bytes of a message's text shown */
	int64_t	  web_session_lifetime;	/* seconds a link's session lives */
	char	**web_staff_users;	/* "user=address" pairs */
	/* [mail] customer_replies = mail | portal: in portal-only mode a
	 * customer's mail reply is kept as an internal note and answered
	 * with a pointer to the portal (postdesk.conf(5)). */
	bool	  portal_only;
	/* [web] categories: "Label=queue" pairs for the new-ticket form;
	 * NULL: the [queue.NAME] groups. */
	char	**web_categories;
	/* [intake] unknown_sender = open | refuse */
	bool	  unknown_sender_refuse;
	/* [lifecycle] and [lifecycle.QUEUE] (lifecycle.h) */
	struct lifecycle_set *lifecycle;
	/* [roles]: member roles → rights (roles.h) */
	struct roles *roles;
	/* [auth] */
	char	 *trusted_authserv_id;	/* the old singular key */
	char	**trusted_authserv_ids;	/* [auth] trusted_authserv_ids plus
					   trusted_authserv_id; empty: trust
					   no header */
	char	 *auth_dns_records;	/* [auth] dns_records: the test
					   resolver's file, or NULL: DNS */
	bool	  spf;			/* check SPF (default true) */
	char	**spf_local_records;	/* "domain v=spf1 ..." instead of
					   DNS (tests, offline); NULL */
	/* [auth] on_forged (policy.h, postdesk-auth(5)) */
	enum policy_on_forged auth_on_forged;
	/* [notify] (postdesk-notify(8)) */
	char	 *smtp_url;		/* smtp://host:25, smtps://; NULL */
	char	 *smtp_user;
	char	 *smtp_password;
	char	 *smtp_oauth2;		/* [oauth2.NAME] for SMTP; NULL */
	bool	  smtp_starttls;	/* require STARTTLS on smtp:// */
	char	 *smtp_ca_file;
	char	 *sendmail;		/* command, used without smtp_url */
	int64_t	  poll_interval;	/* seconds, --watch */
	int64_t	  max_attempts;		/* then the row fails */
	int64_t	  retry_base;		/* seconds, doubled per attempt */
	int64_t	  smtp_timeout;		/* seconds, per message */
	bool	  reuse_connection;	/* one SMTP session for a batch */
	int64_t	  auto_reply_limit;	/* per sender per hour */
	char	 *from_name;		/* display name on our mail */
	/* [queue.NAME], in file order; NULL-terminated */
	struct config_queue **queues;
	/* The queues' tags other than [mail] subject_tag, each once; a
	 * tag names its ticket whatever queue the ticket is in now
	 * (config_subject_tags()); NULL-terminated. */
	char	**queue_tags;
	char	 *default_language;	/* [mail]: "en"; lang.h names */
	/* [oauth2.NAME], in file order; NULL-terminated */
	struct config_oauth2 **oauth2s;
	/* [log] (log.h): syslog(3) codes */
	int	  log_facility;		/* LOG_MAIL */
	int	  log_level;		/* LOG_INFO: lowest priority sent */
};

GQuark	 config_error_quark(void);

/*
 * Loads PATH, or if NULL the file named by $POSTDESK_CONFIG, or the
 * compiled-in default.  A missing default file is not an error (built-in
 * defaults apply); a missing explicit file is.  On failure *err says
 * "FILE:LINE: reason".  Free the result with config_free().
 */
bool	 config_load(struct config **out, const char *path, GError **err);
/*
 * config_load(), then the file EXTRA (if not NULL) merged over the
 * result like a last drop-in: postdesk-fetch --fetch-config, one
 * mailbox's [fetch] group over the shared configuration.
 */
bool	 config_load_extra(struct config **out, const char *path,
	    const char *extra, GError **err);
/*
 * GKeyFile keeps no line numbers: the line of KEY in GROUP (KEY NULL:
 * of the group header) in the config file's TEXT, for "FILE:LINE:"
 * messages; 0 if not found or TEXT is NULL.
 */
unsigned config_line_of(const char *text, const char *group,
	    const char *key);
/* Where the store is, for store_open(): [store] url if set, else
 * [store] path. */
const char *config_store(const struct config *);
/* true if WHERE names a database server (a postgresql:// URI or a
 * libpq KEY=VALUE string), not a file. */
bool	 config_store_is_server(const char *where);
/* Built-in defaults only, for tests and dry runs. */
struct config *config_new_default(void);
void	 config_free(struct config *);

/* True if ADDR (any case) is one of the staff addresses. */
bool	 config_is_staff(const struct config *, const char *addr);
/* True if ADDR is the support address, one of its +extensions or ours. */
bool	 config_is_own_address(const struct config *, const char *addr);

/* [queue.NAME] QUEUE, or NULL when the file has no such group. */
const struct config_queue *config_queue(const struct config *,
	    const char *queue);
/* What mail about a ticket of QUEUE (NULL: none) is sent as: its
 * brand's address, display name and tag, else the [mail] ones. */
const char *config_queue_address(const struct config *, const char *queue);
const char *config_queue_from_name(const struct config *, const char *queue);
const char *config_queue_tag(const struct config *, const char *queue);
/* The queue whose address ADDR is (or its +extension), or NULL. */
const char *config_queue_of_address(const struct config *, const char *addr);
/*
 * The addresses reply tokens may come in on: [mail] address first,
 * then every queue address (a ticket moved keeps its old tokens).
 * A GPtrArray of borrowed strings; free the array only.
 */
GPtrArray *config_token_addresses(const struct config *);
/* [mail] subject_tag, then every queue's tag: borrowed strings,
 * NULL-terminated; g_free() the vector only. */
char	**config_subject_tags(const struct config *);

/* [oauth2.NAME] NAME, or NULL when the file has no such group. */
const struct config_oauth2 *config_oauth2(const struct config *,
	    const char *name);

/* "25M" → 26214400.  False on bad syntax or overflow. */
bool	 text_to_size(uint64_t *out, const char *s);

#endif
