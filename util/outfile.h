/* SPDX-License-Identifier: MIT */
/*
 * Output files a process that may be root writes at a path a user named:
 * --json-lines, --record, -w, `xdpi tune`'s results. Whoever can write the
 * directory could have put something else at that name: a symbolic link
 * to a file of root's (which root would then append to or truncate), a
 * FIFO (an open that never returns), a device, a hard link to another
 * file. So an output is only ever a regular file with one name:
 *
 *   - the name is looked at first (lstat), so that what is plainly wrong
 *     is refused before anything is opened, and said in one line;
 *   - a new file is made with O_CREAT | O_EXCL, which never follows a
 *     link, not even a dangling one; an existing one is opened with
 *     O_NOFOLLOW and O_NONBLOCK (a FIFO without a reader fails at once
 *     instead of blocking), never with O_TRUNC;
 *   - what was opened is checked again (fstat): a regular file with one
 *     link, or the null device (writing there harms nothing, and
 *     `--record /dev/null` is a common way to say "not needed"); only
 *     then is a document truncated;
 *   - every descriptor is close-on-exec (children never hold one) and
 *     O_NOCTTY.
 *
 * Errors: int functions return 0 (or a descriptor) or a negative errno,
 * with one line for the user in @err: "cannot write PATH: why". -ELOOP
 * for a symbolic link, -EISDIR for a directory, -EINVAL for any other
 * file that is not a regular one, -EMLINK for a file with more than one
 * name.
 */
#ifndef XDPI_UTIL_OUTFILE_H
#define XDPI_UTIL_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

enum xdpi_output_mode {
	/* A whole document (a record, a capture, a CSV): emptied once it
	 * is known to be a regular file. */
	XDPI_OUTPUT_TRUNCATE,
	/* A log (the JSON lines): O_APPEND, what the file holds stays. */
	XDPI_OUTPUT_APPEND,
};

/* What is at @path now, before anything is opened: 0 when nothing is
 * (the open makes it) or a file xdpi_output_open() takes; else the
 * refusal. Other errors (a missing directory, a permission) are left to
 * the open, which names them. */
int xdpi_output_check(const char *path, char *err, size_t err_len);

/* Opens @path for writing as described above; a new file gets @perm
 * (less the umask). Returns the descriptor; *@created tells whether this
 * call made the file (may be NULL). */
int xdpi_output_open(const char *path, enum xdpi_output_mode mode, mode_t perm, bool *created,
		     char *err, size_t err_len);

/* The same as a stdio stream ("a" or "w", neither of which truncates
 * here). NULL with errno set, and @err written, on failure. */
FILE *xdpi_output_fopen(const char *path, enum xdpi_output_mode mode, mode_t perm, bool *created,
			char *err, size_t err_len);

#endif /* XDPI_UTIL_OUTFILE_H */
