// SPDX-License-Identifier: MIT
#include "u64json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

json_t *u64_to_json(uint64_t v)
{
	char buf[24];

	if (v <= INT64_MAX)
		return json_integer((json_int_t)v);
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return json_string(buf);
}

int u64_from_json(const json_t *v, uint64_t *out)
{
	const char *s;
	uint64_t n = 0;
	size_t i;

	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return -EINVAL;
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return -EINVAL;
	s = json_string_value(v);
	/* by hand, not strtoull(): it takes signs, blanks and a base prefix */
	if (!s[0] || (s[0] == '0' && s[1]) || json_string_length(v) != strlen(s))
		return -EINVAL;
	for (i = 0; s[i]; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (d > 9 || n > (UINT64_MAX - d) / 10)
			return -EINVAL;
		n = n * 10 + d;
	}
	/* one spelling per value: below 2^63 only the integer */
	if (n <= INT64_MAX)
		return -EINVAL;
	*out = n;
	return 0;
}
