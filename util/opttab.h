/* SPDX-License-Identifier: MIT */
/*
 * Option descriptor tables: one row per option of a command (long name,
 * short letter, type, the field it sets in the command's options struct,
 * its default, range, metavar, help). Everything else is derived from the
 * rows, so an option is spelled once:
 *   - the getopt_long() table and short string (opttab_init()),
 *   - the defaults (opttab_defaults(): a default is written only in its row),
 *   - applying an argument (opttab_parse_opt()), strictly as util/optval.h,
 *   - the valid values a usage error names (opttab_explain()),
 *   - --help (opttab_help()) and a man page's OPTIONS section (opttab_man()),
 *   - the config-file keys (opttab_key()),
 *   - comparing two structs option by option (opttab_diff()),
 *   - writing a struct back as the options that differ from the defaults
 *     (opttab_write()), which parse back to an equal struct.
 *
 * A table is a const array of struct opttab_row ended by OPTTAB_END. A row
 * of type OPTTAB_INCLUDE splices another table in, its offsets relative to
 * a member of the struct (the flow options of `xdpi live` and `xdpi read`
 * are one table included by both), all of it or the rows it names
 * (`xdpi top` takes some of `xdpi live`'s); OPTTAB_GROUP is a heading of
 * --help.
 *
 * getopt values: a row's short letter, else its id when set (for the rows a
 * command handles itself, OPTTAB_ACTION), else OPTTAB_VAL_BASE + its index
 * in the flattened table.
 *
 * Concurrency: a struct opttab is built once and then only read; nothing
 * here keeps state.
 *
 * Errors: int functions return 0 (or what they say) or -EINVAL.
 */
#ifndef XDPI_UTIL_OPTTAB_H
#define XDPI_UTIL_OPTTAB_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum opttab_type {
	OPTTAB_END = 0, /* the last row of a table */
	OPTTAB_FLAG,	/* no argument: sets a bool */
	OPTTAB_NOFLAG,	/* no argument: clears a bool that defaults to true ("--no-x") */
	OPTTAB_U32,	/* uint32_t in [min, max] (max 0: UINT32_MAX) */
	OPTTAB_U64,	/* uint64_t in [min, max] (max 0: UINT64_MAX) */
	OPTTAB_SECONDS, /* double, plain decimal >= 0, in [fmin, fmax] (fmax 0: none), times scale
			 */
	OPTTAB_STRING,	/* const char *, pointing at the argument (NULL: unset) */
	OPTTAB_CHOICE,	/* an int-sized enum: the index of the argument in choices */
	OPTTAB_LIST,	/* int[max] and its int count at off2: "0,2,4-7", each < limit */
	OPTTAB_CUSTOM,	/* parse, fmt (and explain) callbacks do it all */
	OPTTAB_ACTION,	/* handled by the command (--help, --config): never stored */
	OPTTAB_GROUP,	/* a --help heading (name), not an option */
	OPTTAB_INCLUDE, /* the rows of include, at offset off */
};

enum opttab_flags {
	OPTTAB_NO_CONFIG = 1u << 0, /* not a config-file key */
	OPTTAB_HIDDEN = 1u << 1,    /* neither in --help nor in the man page */
	OPTTAB_GT_MIN = 1u << 2,    /* SECONDS: strictly more than fmin */
	OPTTAB_POW2 = 1u << 3,	    /* U32: a power of two */
	OPTTAB_POSITIONAL =
		1u << 4, /* STRING: written back last, bare (after "--" if it starts with '-') */
	OPTTAB_NONEMPTY = 1u << 5,   /* STRING: "" refused */
	OPTTAB_NO_DEFAULT = 1u << 6, /* --help shows no default for it */
	/* The default is not the row's: the struct's owner sets it (its own
	 * defaults function, before opttab_defaults(), which leaves the field
	 * alone); --help and the man page show it from the object given to
	 * opttab_help_obj() / opttab_man_obj() (def_doc still wins). */
	OPTTAB_OBJ_DEFAULT = 1u << 7,
	/* Bits from here on are the command's own, for opttab_write()'s @always. */
	OPTTAB_USER0 = 1u << 16,
};

struct opttab_row;

/* Custom parse: applies @arg to the struct at @obj (the base the row's
 * offsets are relative to). 0 or -EINVAL. */
typedef int (*opttab_parse_fn)(void *obj, const struct opttab_row *r, const char *arg);
/* Custom write-back: the argument that sets what @obj holds, into @buf;
 * returns 1, or 0 when the option is not to be written (at its default,
 * or the value belongs to another row). */
typedef int (*opttab_fmt_fn)(const void *obj, const struct opttab_row *r, char *buf, size_t len);
/* Why @arg is invalid, into @err: 1 if it wrote a reason, else 0. */
typedef int (*opttab_explain_fn)(const char *arg, char *err, size_t err_len);

struct opttab_row {
	enum opttab_type type;
	const char *name; /* long name without "--"; GROUP: the heading */
	int letter;	  /* short option letter, or 0 */
	int id;		  /* getopt value when letter is 0 (0: assigned) */
	size_t off;	  /* offsetof the field (INCLUDE: of the included struct) */
	size_t off2;	  /* LIST: offsetof the int count */
	/* The default, by type: def_u for FLAG (0/1), U32, U64, CHOICE;
	 * def_d for SECONDS (in the option's unit); def_s for STRING. */
	uint64_t def_u;
	double def_d;
	const char *def_s;
	uint64_t min, max;	    /* U32/U64 range; LIST: max, the most values */
	int limit;		    /* LIST: each value below it */
	double fmin, fmax;	    /* SECONDS range */
	double scale;		    /* SECONDS: stored = given * scale (0: 1) */
	const char *const *choices; /* CHOICE: the names, index = value */
	int nchoices;
	int choice_first;		  /* CHOICE: names before this are not values to give */
	opttab_parse_fn parse;		  /* replaces the type's parse when set */
	opttab_fmt_fn fmt;		  /* replaces the type's write-back and diff when set */
	opttab_explain_fn explain;	  /* replaces valid when set */
	const char *valid;		  /* the valid values a usage error names (NULL: none;
					     CHOICE: the names by default) */
	const char *metavar;		  /* the argument's name in --help; NULL: no argument */
	const char *help;		  /* one paragraph; wrapped by opttab_help() */
	const char *man;		  /* the man page's paragraph when longer (NULL: help) */
	const char *def_doc;		  /* --help's default when not the value itself */
	unsigned flags;			  /* enum opttab_flags */
	const struct opttab_row *include; /* INCLUDE */
	/* INCLUDE: only the rows of these names (NULL-ended), in the included
	 * table's order, its headings left out; NULL: every row. */
	const char *const *only;
};

/* getopt values of rows without a letter or id. */
#define OPTTAB_VAL_BASE 0x4000
/* Rows of one command, includes flattened. */
#define OPTTAB_MAX 160

/* One row of the flattened table and where its struct sits. */
struct opttab_ent {
	const struct opttab_row *row;
	size_t base; /* added to the row's offsets (the includes on its way) */
	int val;     /* its getopt value */
};

struct opttab {
	struct opttab_ent ents[OPTTAB_MAX];
	size_t n;			     /* entries, GROUP rows included */
	struct option longs[OPTTAB_MAX + 1]; /* getopt_long()'s table, zero-ended */
	char shorts[2 * 64];		     /* ":" then the letters, "x:" with an argument */
};

/* Flattens @rows into @t and builds the getopt tables. -EINVAL if the
 * table is too big or two rows share a name or letter (a table bug). */
int opttab_init(struct opttab *t, const struct opttab_row *rows);

/* The entry for getopt value @val, or NULL. */
const struct opttab_ent *opttab_find(const struct opttab *t, int val);
/* The entry named @name (a config key: not ACTION/GROUP, not
 * OPTTAB_NO_CONFIG), or NULL. *@index (may be NULL) receives its index. */
const struct opttab_ent *opttab_key(const struct opttab *t, const char *name, size_t *index);
/* Whether the entry takes an argument. */
bool opttab_has_arg(const struct opttab_ent *e);

/* Sets every row's field in @obj to its default (other bytes untouched). */
void opttab_defaults(const struct opttab *t, void *obj);

/* Applies getopt value @val with @arg (NULL for a flag) to @obj.
 * 1 if applied, 0 if @val is no row or an ACTION row, -EINVAL for a bad
 * value (nothing useful written). */
int opttab_parse_opt(const struct opttab *t, void *obj, int val, const char *arg);
/* The same for one entry. 0 or -EINVAL. */
int opttab_set(const struct opttab_ent *e, void *obj, const char *arg);
/* The valid values of @val's option for a usage error about @arg, into
 * @err: 1 if there is something to say, else 0. */
int opttab_explain(const struct opttab *t, int val, const char *arg, char *err, size_t err_len);

/* --help: the rows in order, "  -x, --long META" then the help wrapped at
 * 80 columns from column 24, the default after it; headings as they are. */
void opttab_help(const struct opttab *t, FILE *out);
/* The same, the defaults of OPTTAB_OBJ_DEFAULT rows read from @defaults
 * (a struct as the command sets it up before parsing; NULL: none shown).
 * opttab_help() is opttab_help_obj(t, NULL, out). */
void opttab_help_obj(const struct opttab *t, const void *defaults, FILE *out);
/* The OPTIONS section's body of a man page in scdoc: a "## HEADING" per
 * group, "*-x*, *--long* _META_" and a tab-indented paragraph per row. */
void opttab_man(const struct opttab *t, FILE *out);
/* opttab_man() with @defaults as for opttab_help_obj(). */
void opttab_man_obj(const struct opttab *t, const void *defaults, FILE *out);

/* Calls @changed with the name of each row whose value differs between
 * @a and @b, in table order (ACTION rows skipped). */
void opttab_diff(const struct opttab *t, const void *a, const void *b,
		 void (*changed)(void *ctx, const char *name), void *ctx);

/* Calls @push once per argument that makes opttab_parse_opt() give back
 * @obj: the rows that differ from their defaults (and those with a flag of
 * @always at any value), "--long" then the value, in table order, then the
 * OPTTAB_POSITIONAL row bare. */
void opttab_write(const struct opttab *t, const void *obj, unsigned always,
		  void (*push)(void *ctx, const char *arg), void *ctx);

/* The value of entry @e in @obj as its argument would spell it, into @buf:
 * 1, or 0 when it has none (a flag not set, a string unset). */
int opttab_format(const struct opttab_ent *e, const void *obj, char *buf, size_t len);

#endif /* XDPI_UTIL_OPTTAB_H */
