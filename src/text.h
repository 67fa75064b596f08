/*
 * text: writing untrusted mail text to a terminal or log.
 */
#ifndef POSTDESK_TEXT_H
#define POSTDESK_TEXT_H

#include <stdint.h>
#include <stdio.h>

/*
 * Writes UTF-8 S to FP with C0/C1 controls (except newline and tab) and
 * invalid bytes shown as escapes, so mail cannot drive the terminal.
 */
void	 tty_puts(const char *s, FILE *fp);
/* Local time "YYYY-MM-DD HH:MM" for unix seconds; static-free: g_free. */
char	*text_time(int64_t t);

#endif
