/* SPDX-License-Identifier: MIT */
/*
 * `xdpi live --config FILE`: the options of a run read from a file, one
 * `key = value` a line, the keys being exactly the long names of the rows
 * of capture_opttab() (capture/options.h: every option has its key and no
 * name is written twice), each value parsed by its row as on the command
 * line (docs/config.md).
 *
 * The values point into a struct capture_config, which must outlive every
 * struct capture_opts it filled.
 *
 * Errors: int functions return 0 or a negative errno, with one line in
 * @err, "FILE:LINE: what is wrong" (no line number when the file cannot
 * be read at all).
 */
#ifndef XDPI_CAPTURE_CONFIG_H
#define XDPI_CAPTURE_CONFIG_H

#include <stddef.h>

#include "options.h"

/* The longest line taken, its newline (and a CR before it) excluded. */
#define CAPTURE_CONFIG_LINE_MAX 4096

/* The text of one file read: owns the values it gave. */
struct capture_config;

/* Reads @path and applies each line to @o, on top of what @o holds.
 * *@out receives the values' owner (also on failure, when lines were
 * applied before the bad one; NULL if none): free it with
 * capture_config_free() once @o is no longer used. -EINVAL for a bad line,
 * the errno of open/read otherwise. */
int capture_config_load(const char *path, struct capture_opts *o, struct capture_config **out,
			char *err, size_t err_len);
/* Makes @cfg own @older too (freed with it), for a run that keeps values
 * of several generations of the file. */
void capture_config_adopt(struct capture_config *cfg, struct capture_config *older);
/* Frees @cfg and what it adopted. Accepts NULL. */
void capture_config_free(struct capture_config *cfg);

/* The options of a run of `xdpi live`: the defaults, then the file @config
 * (NULL: none), then the command line @argc/@argv parsed with @t (the
 * command's table; its ACTION rows are skipped, and the line must already
 * have parsed once: a row it refuses now is -EINVAL). The interface given
 * on the command line wins over the file's. Used at start and at each
 * SIGHUP, from the same argv. 0, or a negative errno with the reason in
 * @err; *@store receives the file's values (free it also on error). */
int capture_config_build(const struct opttab *t, int argc, char **argv, const char *config,
			 struct capture_opts *o, struct capture_config **store, char *err,
			 size_t err_len);

/* Calls @changed with the key of each option whose value differs between
 * @a and @b ("interface" for the interface), in the option table's order
 * (opttab_diff()): the typed fields each option sets are compared, never
 * their spelling (a filter counts under --proto when it is a keyword,
 * else --filter). */
void capture_config_diff(const struct capture_opts *a, const struct capture_opts *b,
			 void (*changed)(void *ctx, const char *key), void *ctx);

#endif /* XDPI_CAPTURE_CONFIG_H */
