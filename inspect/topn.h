/* Placeholder until branch sketch lands. */
#ifndef XDPI_INSPECT_TOPN_H
#define XDPI_INSPECT_TOPN_H
#include <stddef.h>
#include <stdint.h>
#define TOPN_DEFAULT_SLOTS 128
#define TOPN_KEY_MAX 17
struct topn_entry { uint8_t key[TOPN_KEY_MAX]; uint64_t count, error; };
struct topn;
struct topn *topn_new(size_t slots);
void topn_free(struct topn *t);
void topn_add(struct topn *t, const void *key, size_t len, uint64_t weight);
size_t topn_top(const struct topn *t, struct topn_entry *out, size_t n);
#endif
