// SPDX-License-Identifier: MIT
#include "tap.h"

#include <errno.h>
#include <stdlib.h>

int tap_init(struct tap *t, uint64_t size, uint32_t snaplen, uint32_t queue, bool lossless)
{
	memset(t, 0, sizeof(*t));
	/* Room for a few of the largest records, with the filler a wrap
	 * may need: a producer never waits for space that cannot come. */
	if (size < 65536 || (size & (size - 1)) || !snaplen || snaplen > 262144 ||
	    size < 4 * (uint64_t)tap_rec_size(snaplen))
		return -EINVAL;
	t->buf = xdpi_cacheline_alloc(size);
	if (!t->buf)
		return -ENOMEM;
	t->size = size;
	t->snaplen = snaplen;
	t->queue = queue;
	t->lossless = lossless;
	return 0;
}

void tap_destroy(struct tap *t)
{
	if (!t)
		return;
	free(t->buf);
	t->buf = NULL;
}
