/* mail-priv: shared by mail.c and mail_text.c only. */
#ifndef POSTDESK_MAIL_PRIV_H
#define POSTDESK_MAIL_PRIV_H

#include <gmime/gmime.h>

#include "mail.h"

/* Chooses the text, collects attachments; false if nested too deep. */
/* LAZY: large attachments are left in the raw message (mail.h). */
bool	 mail_text_collect(struct mail *, GMimeObject *body, bool lazy,
	    GError **err);

#endif
