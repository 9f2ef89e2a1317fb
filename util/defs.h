/* SPDX-License-Identifier: MIT */
/*
 * Constants every layer shares. Per-thread state that is written per packet
 * sits on cache lines of its own (XDPI_CACHELINE), so that two workers never
 * write the same line.
 */
#ifndef XDPI_UTIL_DEFS_H
#define XDPI_UTIL_DEFS_H

#include <stddef.h>
#include <stdlib.h>

/* x86-64 and most arm64 parts; a larger line would only cost padding. */
#define XDPI_CACHELINE 64

#define XDPI_CACHE_ALIGNED __attribute__((aligned(XDPI_CACHELINE)))

/* @size rounded up to whole cache lines. */
static inline size_t xdpi_cacheline_round(size_t size)
{
	return (size + XDPI_CACHELINE - 1) & ~(size_t)(XDPI_CACHELINE - 1);
}

/* Cache-line aligned, whole lines: nothing else shares them. free() it. */
static inline void *xdpi_cacheline_alloc(size_t size)
{
	return aligned_alloc(XDPI_CACHELINE, xdpi_cacheline_round(size));
}

#endif /* XDPI_UTIL_DEFS_H */
