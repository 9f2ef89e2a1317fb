#include "topn.h"
#include <stdlib.h>
#include <string.h>
struct topn { size_t n, slots; struct topn_entry e[]; };
struct topn *topn_new(size_t slots) { struct topn *t = calloc(1, sizeof(*t) + slots * sizeof(t->e[0])); if (t) t->slots = slots; return t; }
void topn_free(struct topn *t) { free(t); }
void topn_add(struct topn *t, const void *key, size_t len, uint64_t w)
{
	uint8_t k[TOPN_KEY_MAX] = {0};
	size_t min = 0;
	memcpy(k, key, len);
	for (size_t i = 0; i < t->n; i++) {
		if (!memcmp(t->e[i].key, k, sizeof(k))) { t->e[i].count += w; return; }
		if (t->e[i].count < t->e[min].count) min = i;
	}
	if (t->n < t->slots) { min = t->n++; t->e[min].count = 0; t->e[min].error = 0; }
	else t->e[min].error = t->e[min].count;
	memcpy(t->e[min].key, k, sizeof(k));
	t->e[min].count += w;
}
static int cmp(const void *a, const void *b) { const struct topn_entry *x = a, *y = b; return x->count < y->count ? 1 : x->count > y->count ? -1 : memcmp(x->key, y->key, TOPN_KEY_MAX); }
size_t topn_top(const struct topn *t, struct topn_entry *out, size_t n)
{
	struct topn_entry *s = malloc(t->n * sizeof(*s) + 1);
	if (!s) return 0;
	memcpy(s, t->e, t->n * sizeof(*s));
	qsort(s, t->n, sizeof(*s), cmp);
	if (n > t->n) n = t->n;
	memcpy(out, s, n * sizeof(*s));
	free(s);
	return n;
}
