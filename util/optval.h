/* SPDX-License-Identifier: MIT */
/*
 * Option values, parsed strictly: plain decimal only (no sign, spaces, hex,
 * octal, "nan" or "inf"), lists without gaps or repeats. Every subcommand
 * and the capture options parse through here, so a value means the same
 * everywhere.
 *
 * Concurrency: the parsers keep no state; xdpi_opt_name() reads getopt's
 * optind and returns a static buffer (the thread that parses options).
 *
 * Errors: int functions return the value or 0, or -EINVAL.
 */
#ifndef XDPI_UTIL_OPTVAL_H
#define XDPI_UTIL_OPTVAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Parses "0,2,4-7" into @out (at most @max values, each < @limit).
 * Returns the count or -EINVAL. */
int xdpi_parse_list(const char *s, int *out, int max, int limit);
/* Parses a non-negative number of seconds ("0.5", "10"). 0 or -EINVAL. */
int xdpi_parse_seconds(const char *s, double *out);
/* Parses an unsigned integer in [min, max]. 0 or -EINVAL. */
int xdpi_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
/* The same for a 64-bit count (at most 19 digits). */
int xdpi_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* A listening address, "PORT", "A.B.C.D:PORT" or "[v6]:PORT" (numeric;
 * PORT 0..65535; @default_host when there is no address), into @sa
 * (which may be NULL: a check only). 0 or -EINVAL with the reason, which
 * names --prometheus, in @err. */
int xdpi_parse_listen(const char *s, const char *default_host, struct sockaddr_storage *sa,
		      char *err, size_t err_len);
/* Index of @s in @names (n entries), or -EINVAL. */
int xdpi_parse_choice(const char *s, const char *const *names, int n);
/* Parses "a,b" into @out (at most @max indices): each item a name of
 * @names from @first on, none empty or repeated. The count or -EINVAL. */
int xdpi_parse_choice_list(const char *s, const char *const *names, int n, int first, int *out,
			   int max);
/* The option an invalid @arg of getopt_long() belongs to, as typed
 * ("--size" for "--size 10" and for "--size=10"; "-s" for "-s 10", "-s10"
 * and "-vs10"); call it right after getopt_long() returned the option.
 * The name lives in a static buffer. */
const char *xdpi_opt_name(char **argv, const char *arg);

#endif /* XDPI_UTIL_OPTVAL_H */
