/*
 * config-priv: what config.c shares with the files that parse one kind
 * of group for it (config_oauth2.c).  Nothing else includes this.
 */
#ifndef POSTDESK_CONFIG_PRIV_H
#define POSTDESK_CONFIG_PRIV_H

#include "config.h"

/* [oauth2.NAME] groups of KF into C->oauth2s, paths against DIR. */
void	 config_oauth2_apply(struct config *c, GKeyFile *kf,
	    const char *dir);
/*
 * Fills in the providers' presets and the default token_file, then
 * checks every group and the [fetch] / [notify] oauth2 references;
 * false with "PATH:LINE: reason".
 */
bool	 config_oauth2_check(struct config *c, const char *path,
	    const char *text, GError **err);
void	 config_oauth2_free(struct config_oauth2 *);

#endif
