/*
 * arena.c: one owner for everything a compiled script allocates, so that
 * sieve_script_free() is a single loop and no error path can leak.
 */
#include <string.h>

#include "sieve/sieve-priv.h"

void
sieve_arena_init(struct sieve_arena *a)
{
	a->blocks = g_ptr_array_new_with_free_func(g_free);
}

void
sieve_arena_clear(struct sieve_arena *a)
{
	if (a->blocks != NULL)
		g_ptr_array_free(a->blocks, TRUE);
	a->blocks = NULL;
}

void *
sieve_arena_alloc(struct sieve_arena *a, size_t size)
{
	void *p;

	p = g_malloc0(size == 0 ? 1 : size);
	g_ptr_array_add(a->blocks, p);
	return p;
}

char *
sieve_arena_strndup(struct sieve_arena *a, const char *s, size_t len)
{
	char *p;

	p = sieve_arena_alloc(a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void **
sieve_arena_vec(struct sieve_arena *a, GPtrArray *arr)
{
	void **v;

	v = sieve_arena_alloc(a, sizeof(void *) * (arr->len + 1));
	if (arr->len > 0)
		memcpy(v, arr->pdata, sizeof(void *) * arr->len);
	return v;
}
