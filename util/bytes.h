/* SPDX-License-Identifier: MIT */
/*
 * Network byte order, read and written a byte at a time: frames are not
 * aligned in pcap records nor in UMEM frames after VLAN tags, and a byte
 * at a time compiles to a load and a bswap where the CPU allows it. The
 * parser, the sequence check and the frame builder all go through here.
 */
#ifndef XDPI_UTIL_BYTES_H
#define XDPI_UTIL_BYTES_H

#include <stdint.h>

static inline void xdpi_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void xdpi_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint16_t xdpi_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t xdpi_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#endif /* XDPI_UTIL_BYTES_H */
