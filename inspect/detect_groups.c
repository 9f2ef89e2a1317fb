// SPDX-License-Identifier: MIT
#include "detect_groups.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const detect_group_keys[] = {
	"syn-flood-rate",	 "syn-flood-ratio",    "syn-flood-half-open",
	"volumetric-pps",	 "volumetric-mbps",    "volumetric-flows",
	"volumetric-deviations", "volumetric-min-pps", NULL,
};

static bool is_group_key(const char *k)
{
	for (const char *const *p = detect_group_keys; *p; p++)
		if (!strcmp(*p, k))
			return true;
	return false;
}

/* The host part of @addr beyond @len bits set: refused, as it is most
 * likely a mistyped length. */
static bool host_bits_clear(const uint8_t *addr, unsigned bytes, unsigned len)
{
	for (unsigned i = 0; i < bytes; i++) {
		unsigned bit0 = i * 8;
		uint8_t mask = bit0 >= len	 ? 0
			       : len - bit0 >= 8 ? 0xff
						 : (uint8_t)(0xff << (8 - (len - bit0)));

		if (addr[i] & ~mask)
			return false;
	}
	return true;
}

static int parse_prefix(struct detect_prefix *p, const char *s, char *err, size_t err_len)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long len;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, buf, p->addr) == 1)
		p->family = 4;
	else if (inet_pton(AF_INET6, buf, p->addr) == 1)
		p->family = 6;
	else
		goto bad;
	len = p->family == 4 ? 32 : 128;
	if (slash) {
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end || !isdigit((unsigned char)slash[1]) ||
		    len > (p->family == 4 ? 32u : 128u))
			goto bad;
	}
	p->len = (uint8_t)len;
	if (!host_bits_clear(p->addr, p->family == 4 ? 4 : 16, p->len)) {
		snprintf(err, err_len, "prefix '%s' has bits set beyond its length", s);
		return -EINVAL;
	}
	return 0;
bad:
	snprintf(err, err_len, "'%s' is not a prefix (ADDR/LEN or ADDR, IPv4 or IPv6)", s);
	return -EINVAL;
}

static bool same_prefix(const struct detect_prefix *a, const struct detect_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       !memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16);
}

static int parse_group(struct detect_groups *out, char *text, const struct detect_thresholds *base,
		       detect_group_set_fn set, char *err, size_t err_len)
{
	char *save = NULL, *tok = strtok_r(text, " \t", &save);
	struct detect_group *g;
	uint16_t gi;

	if (!tok)
		return 0; /* an empty group (a trailing ';') */
	if (out->n == DETECT_GROUPS_MAX) {
		snprintf(err, err_len, "more than %d host groups", DETECT_GROUPS_MAX);
		return -EINVAL;
	}
	if (strlen(tok) >= DETECT_GROUP_NAME) {
		snprintf(err, err_len, "group name '%s' is longer than %d characters", tok,
			 DETECT_GROUP_NAME - 1);
		return -EINVAL;
	}
	for (const char *c = tok; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_') {
			snprintf(err, err_len,
				 "group name '%s': letters, digits, '-' and '_' only (then its "
				 "prefixes)",
				 tok);
			return -EINVAL;
		}
	for (uint32_t i = 0; i < out->n; i++)
		if (!strcmp(out->g[i].name, tok)) {
			snprintf(err, err_len, "group '%s' given twice", tok);
			return -EINVAL;
		}
	gi = (uint16_t)out->n;
	g = &out->g[gi];
	memset(g, 0, sizeof(*g));
	strcpy(g->name, tok);
	g->th = *base;
	tok = strtok_r(NULL, " \t", &save);
	if (!tok || strchr(tok, '=')) {
		snprintf(err, err_len, "group '%s' has no prefixes", g->name);
		return -EINVAL;
	}
	for (char *psave = NULL, *p = strtok_r(tok, ",", &psave); p;
	     p = strtok_r(NULL, ",", &psave)) {
		struct detect_prefix *np;

		if (out->np == DETECT_GROUP_PREFIXES_MAX) {
			snprintf(err, err_len, "more than %d prefixes in all host groups",
				 DETECT_GROUP_PREFIXES_MAX);
			return -EINVAL;
		}
		np = &out->p[out->np];
		if (parse_prefix(np, p, err, err_len))
			return -EINVAL;
		np->group = gi;
		for (uint32_t i = 0; i < out->np; i++)
			if (same_prefix(&out->p[i], np)) {
				snprintf(err, err_len, "prefix %s is in group '%s' and in '%s'", p,
					 out->g[out->p[i].group].name, g->name);
				return -EINVAL;
			}
		out->np++;
	}
	while ((tok = strtok_r(NULL, " \t", &save))) {
		char *eq = strchr(tok, '=');

		if (!eq) {
			snprintf(err, err_len, "group '%s': '%s' is not KEY=VALUE", g->name, tok);
			return -EINVAL;
		}
		*eq = 0;
		if (!is_group_key(tok)) {
			snprintf(err, err_len,
				 "group '%s': '%s' is not a per-host threshold (syn-flood-*, "
				 "volumetric-*)",
				 g->name, tok);
			return -EINVAL;
		}
		if (set(&g->th, tok, eq + 1) || detect_thresholds_check(&g->th)) {
			snprintf(err, err_len, "group '%s': invalid value '%s' for %s", g->name,
				 eq + 1, tok);
			return -EINVAL;
		}
	}
	out->n++;
	return 0;
}

int detect_groups_parse(struct detect_groups *out, const char *spec,
			const struct detect_thresholds *base, detect_group_set_fn set, char *err,
			size_t err_len)
{
	char *copy = strdup(spec), *save = NULL;
	int ret = 0;

	out->n = out->np = 0;
	if (!copy) {
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	for (char *grp = strtok_r(copy, ";", &save); grp && !ret; grp = strtok_r(NULL, ";", &save))
		ret = parse_group(out, grp, base, set, err, err_len);
	free(copy);
	if (!ret && !out->n) {
		snprintf(err, err_len, "no host group in '%s'", spec);
		ret = -EINVAL;
	}
	if (ret)
		out->n = out->np = 0;
	return ret;
}

static bool prefix_match(const struct detect_prefix *p, const uint8_t *addr)
{
	unsigned full = p->len / 8, rest = p->len % 8;

	if (memcmp(p->addr, addr, full))
		return false;
	return !rest || !((p->addr[full] ^ addr[full]) & (uint8_t)(0xff << (8 - rest)));
}

int detect_groups_lookup(const struct detect_groups *gs, uint8_t family, const uint8_t *addr)
{
	int best = -1, best_len = -1;

	if (!gs)
		return -1;
	for (uint32_t i = 0; i < gs->np; i++) {
		const struct detect_prefix *p = &gs->p[i];

		if (p->family == family && (int)p->len > best_len && prefix_match(p, addr)) {
			best = p->group;
			best_len = p->len;
		}
	}
	return best;
}
