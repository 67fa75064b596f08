/*
 * csv: RFC 4180 records for exports (postdesk list --csv, the web
 * list's download).
 *
 * Pure logic on strings: no I/O.  Fields are UTF-8 text; records end in
 * CRLF, as RFC 4180 says.  A field is quoted when it holds a comma, a
 * quote, CR or LF (quotes doubled), or when it starts like a formula
 * (= + - @, TAB or CR): spreadsheets run such a cell, and subjects come
 * from strangers, so that field gets a leading apostrophe as OWASP
 * advises.  NULL is an empty field.
 */
#ifndef POSTDESK_CSV_H
#define POSTDESK_CSV_H

#include <glib.h>

/* Appends one field (with the comma before it unless FIRST). */
void	 csv_field(GString *out, const char *field, gboolean first);
/* Appends the record's end. */
void	 csv_end(GString *out);

struct ticket;
/* The header record and one record per struct ticket of TICKETS: the
 * members of `postdesk list --json`, times in ISO 8601 UTC. */
void	 csv_tickets(GString *out, const GPtrArray *tickets);

#endif
