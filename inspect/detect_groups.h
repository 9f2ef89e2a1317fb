/* SPDX-License-Identifier: MIT */
/*
 * Host groups of the detection (FastNetMon's hostgroups): thresholds per
 * group of IPv4/IPv6 prefixes, for the detectors keyed by a destination
 * host (SYN flood, volumetric). A host takes the group of its longest
 * matching prefix; a host in none keeps the run's thresholds.
 *
 * The --host-groups value (docs/detect.md):
 *   GROUP [; GROUP]...
 *   GROUP := NAME PREFIX[,PREFIX]... [KEY=VALUE]...
 * NAME is letters, digits, '-' and '_' (at most DETECT_GROUP_NAME - 1);
 * a PREFIX is ADDR/LEN or ADDR (a host); a KEY is a per-host threshold
 * option (detect_group_keys), which starts from the run's own value.
 *
 * Pure functions, no allocation: a struct detect_groups is one fixed
 * block. Errors: int functions return 0 or a negative errno with a
 * one-line reason in @err.
 */
#ifndef XDPI_INSPECT_DETECT_GROUPS_H
#define XDPI_INSPECT_DETECT_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "detect.h"

#define DETECT_GROUPS_MAX 64
/* Every group's prefixes together: a lookup is a walk over them, done
 * once per new destination the detection tracks, never per packet. */
#define DETECT_GROUP_PREFIXES_MAX 1024
#define DETECT_GROUP_NAME 32

struct detect_group {
	char name[DETECT_GROUP_NAME];
	struct detect_thresholds th;
};

struct detect_prefix {
	uint8_t family; /* 4, 6 */
	uint8_t len;	/* bits */
	uint16_t group; /* index in detect_groups.g */
	uint8_t addr[16];
};

struct detect_groups {
	uint32_t n, np;
	struct detect_group g[DETECT_GROUPS_MAX];
	struct detect_prefix p[DETECT_GROUP_PREFIXES_MAX];
};

/* The keys a group may set: the thresholds of the detectors keyed by a
 * destination host. NULL-terminated. */
extern const char *const detect_group_keys[];

/* Sets threshold @key (one of detect_group_keys) of @th from @value, as
 * the option of that name would: 0 or -EINVAL. */
typedef int (*detect_group_set_fn)(struct detect_thresholds *th, const char *key,
				   const char *value);

/* Parses @spec into @out, each group's thresholds @base with its own keys
 * set through @set. -EINVAL: a syntax error, a bad prefix or value, a
 * name or prefix given twice, too many groups or prefixes. */
int detect_groups_parse(struct detect_groups *out, const char *spec,
			const struct detect_thresholds *base, detect_group_set_fn set, char *err,
			size_t err_len);
/* The group of @addr (4 or 16 bytes, @family 4 or 6) by longest prefix
 * match, or -1 in none. */
int detect_groups_lookup(const struct detect_groups *gs, uint8_t family, const uint8_t *addr);

#endif /* XDPI_INSPECT_DETECT_GROUPS_H */
