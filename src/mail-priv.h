/* mail-priv: shared by mail.c and mail_text.c only. */
#ifndef POSTDESK_MAIL_PRIV_H
#define POSTDESK_MAIL_PRIV_H

#include <gmime/gmime.h>

#include "mail.h"

/* Chooses the text, collects attachments; false if nested too deep. */
bool	 mail_text_collect(struct mail *, GMimeObject *body, GError **err);

#endif
