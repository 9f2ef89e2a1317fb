// SPDX-License-Identifier: MIT
/*
 * Option descriptor tables (opttab.h). A table is flattened once into
 * entries that carry the offset of the struct their row's fields are in,
 * so an included table (the flow options inside `xdpi live`'s) reads and
 * writes its own member. Values go through util/optval.h's strict
 * parsers; each type knows its default, its spelling and its comparison,
 * and a row may replace parse and spelling with callbacks for what no
 * type covers (a filter checked by the XDP program's interpreter).
 */
#include "opttab.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "optval.h"

#define HELP_COL 24
#define HELP_WIDTH 80
/* A list of 1024 values without a run, "1023," each. */
#define VALUE_MAX 8192

static bool named(const char *const *only, const char *name)
{
	for (; *only; only++)
		if (!strcmp(*only, name))
			return true;
	return false;
}

/* Appends @rows (those of @only when not NULL) to @t, their fields at
 * @base. */
static int flatten(struct opttab *t, const struct opttab_row *rows, size_t base,
		   const char *const *only)
{
	for (const struct opttab_row *r = rows; r->type != OPTTAB_END; r++) {
		if (r->type == OPTTAB_INCLUDE) {
			if (flatten(t, r->include, base + r->off, r->only ? r->only : only))
				return -EINVAL;
			continue;
		}
		if (only && (r->type == OPTTAB_GROUP || !named(only, r->name)))
			continue;
		if (t->n == OPTTAB_MAX)
			return -EINVAL;
		t->ents[t->n] = (struct opttab_ent){
			.row = r,
			.base = base,
			.val = r->letter ? r->letter
			       : r->id	 ? r->id
					 : OPTTAB_VAL_BASE + (int)t->n,
		};
		t->n++;
	}
	return 0;
}

static bool is_option(const struct opttab_ent *e)
{
	return e->row->type != OPTTAB_GROUP;
}

bool opttab_has_arg(const struct opttab_ent *e)
{
	switch (e->row->type) {
	case OPTTAB_FLAG:
	case OPTTAB_NOFLAG:
	case OPTTAB_GROUP:
		return false;
	case OPTTAB_ACTION:
	case OPTTAB_CUSTOM:
		return e->row->metavar != NULL;
	default:
		return true;
	}
}

int opttab_init(struct opttab *t, const struct opttab_row *rows)
{
	size_t nl = 0, ns = 1;

	memset(t, 0, sizeof(*t));
	if (flatten(t, rows, 0, NULL))
		return -EINVAL;
	t->shorts[0] = ':'; /* getopt's own messages off: the command's say more */
	for (size_t i = 0; i < t->n; i++) {
		const struct opttab_ent *e = &t->ents[i];
		const struct opttab_row *r = e->row;

		if (!is_option(e))
			continue;
		for (size_t j = 0; j < i; j++) {
			const struct opttab_ent *o = &t->ents[j];

			if (is_option(o) && (!strcmp(o->row->name, r->name) || o->val == e->val))
				return -EINVAL;
		}
		t->longs[nl++] = (struct option){
			r->name, opttab_has_arg(e) ? required_argument : no_argument, NULL, e->val};
		if (r->letter) {
			if (ns + 3 > sizeof(t->shorts))
				return -EINVAL;
			t->shorts[ns++] = (char)r->letter;
			if (opttab_has_arg(e))
				t->shorts[ns++] = ':';
		}
	}
	return 0;
}

const struct opttab_ent *opttab_find(const struct opttab *t, int val)
{
	for (size_t i = 0; i < t->n; i++)
		if (is_option(&t->ents[i]) && t->ents[i].val == val)
			return &t->ents[i];
	return NULL;
}

const struct opttab_ent *opttab_key(const struct opttab *t, const char *name, size_t *index)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct opttab_row *r = t->ents[i].row;

		if (r->type == OPTTAB_GROUP || r->type == OPTTAB_ACTION ||
		    (r->flags & OPTTAB_NO_CONFIG) || strcmp(r->name, name))
			continue;
		if (index)
			*index = i;
		return &t->ents[i];
	}
	return NULL;
}

static void *field(const struct opttab_ent *e, void *obj)
{
	return (char *)obj + e->base + e->row->off;
}

static const void *cfield(const struct opttab_ent *e, const void *obj)
{
	return (const char *)obj + e->base + e->row->off;
}

static double scale_of(const struct opttab_row *r)
{
	return r->scale > 0 ? r->scale : 1;
}

void opttab_defaults(const struct opttab *t, void *obj)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct opttab_ent *e = &t->ents[i];
		const struct opttab_row *r = e->row;
		void *p = field(e, obj);

		if (r->flags & OPTTAB_OBJ_DEFAULT)
			continue; /* the owner's defaults function set it */
		switch (r->type) {
		case OPTTAB_FLAG:
			*(bool *)p = r->def_u != 0;
			break;
		case OPTTAB_NOFLAG:
			*(bool *)p = true;
			break;
		case OPTTAB_U32:
			*(uint32_t *)p = (uint32_t)r->def_u;
			break;
		case OPTTAB_U64:
			*(uint64_t *)p = r->def_u;
			break;
		case OPTTAB_SECONDS:
			*(double *)p = r->def_d * scale_of(r);
			break;
		case OPTTAB_STRING:
			*(const char **)p = r->def_s;
			break;
		case OPTTAB_CHOICE:
			*(int *)p = (int)r->def_u;
			break;
		case OPTTAB_LIST:
			*(int *)((char *)obj + e->base + r->off2) = 0;
			break;
		default:
			break;
		}
	}
}

static int set_u32(const struct opttab_row *r, void *p, const char *arg)
{
	uint32_t v;

	if (xdpi_parse_u32(arg, (uint32_t)r->min, r->max ? (uint32_t)r->max : UINT32_MAX, &v))
		return -EINVAL;
	if ((r->flags & OPTTAB_POW2) && (v & (v - 1)))
		return -EINVAL;
	*(uint32_t *)p = v;
	return 0;
}

static int set_seconds(const struct opttab_row *r, void *p, const char *arg)
{
	double v;

	if (xdpi_parse_seconds(arg, &v))
		return -EINVAL;
	if (v < r->fmin || ((r->flags & OPTTAB_GT_MIN) && v <= r->fmin) ||
	    (r->fmax > 0 && v > r->fmax))
		return -EINVAL;
	*(double *)p = v * scale_of(r);
	return 0;
}

int opttab_set(const struct opttab_ent *e, void *obj, const char *arg)
{
	const struct opttab_row *r = e->row;
	void *p = field(e, obj);
	int v;

	if (r->parse)
		return r->parse((char *)obj + e->base, r, arg) ? -EINVAL : 0;
	switch (r->type) {
	case OPTTAB_FLAG:
		*(bool *)p = true;
		return 0;
	case OPTTAB_NOFLAG:
		*(bool *)p = false;
		return 0;
	case OPTTAB_U32:
		return set_u32(r, p, arg);
	case OPTTAB_U64:
		return xdpi_parse_u64(arg, r->min, r->max ? r->max : UINT64_MAX, (uint64_t *)p);
	case OPTTAB_SECONDS:
		return set_seconds(r, p, arg);
	case OPTTAB_STRING:
		if ((r->flags & OPTTAB_NONEMPTY) && !*arg)
			return -EINVAL;
		*(const char **)p = arg;
		return 0;
	case OPTTAB_CHOICE:
		v = xdpi_parse_choice(arg, r->choices + r->choice_first,
				      r->nchoices - r->choice_first);
		if (v < 0)
			return -EINVAL;
		*(int *)p = v + r->choice_first;
		return 0;
	case OPTTAB_LIST:
		v = xdpi_parse_list(arg, p, (int)r->max, r->limit);
		if (v < 0)
			return -EINVAL;
		*(int *)((char *)obj + e->base + r->off2) = v;
		return 0;
	default:
		return -EINVAL;
	}
}

int opttab_parse_opt(const struct opttab *t, void *obj, int val, const char *arg)
{
	const struct opttab_ent *e = opttab_find(t, val);

	if (!e || e->row->type == OPTTAB_ACTION)
		return 0;
	return opttab_set(e, obj, arg) ? -EINVAL : 1;
}

/* "a, b, c": the names a choice takes. */
static void choice_names(const struct opttab_row *r, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (int i = r->choice_first; i < r->nchoices && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i > r->choice_first ? ", " : "",
				      r->choices[i]);
}

int opttab_explain(const struct opttab *t, int val, const char *arg, char *err, size_t err_len)
{
	const struct opttab_ent *e = opttab_find(t, val);

	*err = 0;
	if (!e)
		return 0;
	if (e->row->explain)
		return e->row->explain(arg, err, err_len);
	if (e->row->valid) {
		snprintf(err, err_len, "%s", e->row->valid);
		return 1;
	}
	if (e->row->type == OPTTAB_CHOICE) {
		choice_names(e->row, err, err_len);
		return 1;
	}
	return 0;
}

/* Plain decimal, as xdpi_parse_seconds() takes it back. */
static void fmt_seconds(double v, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%.6f", v);

	if (n >= len)
		n = len - 1;
	while (n > 1 && buf[n - 1] == '0')
		buf[--n] = 0;
	if (buf[n - 1] == '.')
		buf[--n] = 0;
}

/* A list as xdpi_parse_list() reads it, runs of three or more consecutive
 * values as "a-b". */
static void fmt_list(const int *v, int n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	for (int i = 0; i < n && used < len; i++) {
		const char *sep = i ? "," : "";
		int j = i;

		while (j + 1 < n && v[j + 1] == v[j] + 1)
			j++;
		if (j - i >= 2) {
			used += (size_t)snprintf(buf + used, len - used, "%s%d-%d", sep, v[i],
						 v[j]);
			i = j;
		} else {
			used += (size_t)snprintf(buf + used, len - used, "%s%d", sep, v[i]);
		}
	}
}

int opttab_format(const struct opttab_ent *e, const void *obj, char *buf, size_t len)
{
	const struct opttab_row *r = e->row;
	const void *p = cfield(e, obj);

	buf[0] = 0;
	if (r->fmt)
		return r->fmt((const char *)obj + e->base, r, buf, len);
	switch (r->type) {
	case OPTTAB_FLAG:
		return *(const bool *)p;
	case OPTTAB_NOFLAG:
		return !*(const bool *)p;
	case OPTTAB_U32:
		snprintf(buf, len, "%" PRIu32, *(const uint32_t *)p);
		return 1;
	case OPTTAB_U64:
		snprintf(buf, len, "%" PRIu64, *(const uint64_t *)p);
		return 1;
	case OPTTAB_SECONDS:
		fmt_seconds(*(const double *)p / scale_of(r), buf, len);
		return 1;
	case OPTTAB_STRING:
		if (!*(const char *const *)p)
			return 0;
		snprintf(buf, len, "%s", *(const char *const *)p);
		return 1;
	case OPTTAB_CHOICE: {
		int v = *(const int *)p;

		snprintf(buf, len, "%s", v >= 0 && v < r->nchoices ? r->choices[v] : "?");
		return 1;
	}
	case OPTTAB_LIST: {
		int n = *(const int *)((const char *)obj + e->base + r->off2);

		fmt_list(p, n, buf, len);
		return n > 0;
	}
	default:
		return 0;
	}
}

static bool str_differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b));
}

/* Whether entry @e holds different values in @a and @b. */
static bool ent_differs(const struct opttab_ent *e, const void *a, const void *b)
{
	const struct opttab_row *r = e->row;
	const void *pa = cfield(e, a), *pb = cfield(e, b);

	if (r->fmt) {
		char sa[VALUE_MAX], sb[VALUE_MAX];
		int ha = opttab_format(e, a, sa, sizeof(sa));
		int hb = opttab_format(e, b, sb, sizeof(sb));

		return ha != hb || (ha && strcmp(sa, sb));
	}
	switch (r->type) {
	case OPTTAB_FLAG:
	case OPTTAB_NOFLAG:
		return *(const bool *)pa != *(const bool *)pb;
	case OPTTAB_U32:
		return *(const uint32_t *)pa != *(const uint32_t *)pb;
	case OPTTAB_U64:
		return *(const uint64_t *)pa != *(const uint64_t *)pb;
	case OPTTAB_SECONDS:
		return memcmp(pa, pb, sizeof(double)) != 0;
	case OPTTAB_STRING:
		return str_differs(*(const char *const *)pa, *(const char *const *)pb);
	case OPTTAB_CHOICE:
		return *(const int *)pa != *(const int *)pb;
	case OPTTAB_LIST: {
		int na = *(const int *)((const char *)a + e->base + r->off2);
		int nb = *(const int *)((const char *)b + e->base + r->off2);

		return na != nb || memcmp(pa, pb, (size_t)na * sizeof(int)) != 0;
	}
	default:
		return true; /* a custom row without fmt cannot be compared */
	}
}

void opttab_diff(const struct opttab *t, const void *a, const void *b,
		 void (*changed)(void *ctx, const char *name), void *ctx)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct opttab_ent *e = &t->ents[i];

		if (!is_option(e) || e->row->type == OPTTAB_ACTION)
			continue;
		if (ent_differs(e, a, b))
			changed(ctx, e->row->name);
	}
}

/* Whether entry @e of @obj holds its row's default. */
static bool at_default(const struct opttab_ent *e, const void *obj)
{
	const struct opttab_row *r = e->row;
	const void *p = cfield(e, obj);

	if (r->flags & OPTTAB_OBJ_DEFAULT)
		return false; /* no default in the row: always written */
	switch (r->type) {
	case OPTTAB_FLAG:
		return *(const bool *)p == (r->def_u != 0);
	case OPTTAB_NOFLAG:
		return *(const bool *)p;
	case OPTTAB_U32:
		return *(const uint32_t *)p == (uint32_t)r->def_u;
	case OPTTAB_U64:
		return *(const uint64_t *)p == r->def_u;
	case OPTTAB_SECONDS:
		return *(const double *)p == r->def_d * scale_of(r);
	case OPTTAB_STRING:
		return !str_differs(*(const char *const *)p, r->def_s);
	case OPTTAB_CHOICE:
		return *(const int *)p == (int)r->def_u;
	default:
		return false; /* lists and custom rows: opttab_format() decides */
	}
}

void opttab_write(const struct opttab *t, const void *obj, unsigned always,
		  void (*push)(void *ctx, const char *arg), void *ctx)
{
	char value[VALUE_MAX];
	const struct opttab_ent *positional = NULL;
	char name[64];

	for (size_t i = 0; i < t->n; i++) {
		const struct opttab_ent *e = &t->ents[i];
		const struct opttab_row *r = e->row;

		if (!is_option(e) || r->type == OPTTAB_ACTION)
			continue;
		if (r->flags & OPTTAB_POSITIONAL) {
			positional = e;
			continue;
		}
		if (!r->fmt && !(r->flags & always) && at_default(e, obj))
			continue;
		if (!opttab_format(e, obj, value, sizeof(value)))
			continue;
		snprintf(name, sizeof(name), "--%s", r->name);
		push(ctx, name);
		if (opttab_has_arg(e))
			push(ctx, value);
	}
	if (positional && opttab_format(positional, obj, value, sizeof(value))) {
		/* After "--" a value that starts with '-' is not an option. */
		if (value[0] == '-')
			push(ctx, "--");
		push(ctx, value);
	}
}

/* The default --help shows after entry @e's text, into @buf ("" for
 * none); @defaults: the object OPTTAB_OBJ_DEFAULT rows read it from. */
static void default_text(const struct opttab_ent *e, const void *defaults, char *buf, size_t len)
{
	const struct opttab_row *r = e->row;
	char v[128];

	buf[0] = 0;
	if (r->def_doc) {
		snprintf(buf, len, "default: %s", r->def_doc);
		return;
	}
	if (r->flags & OPTTAB_NO_DEFAULT)
		return;
	if (r->flags & OPTTAB_OBJ_DEFAULT) {
		if (defaults && opttab_format(e, defaults, v, sizeof(v)) && *v)
			snprintf(buf, len, "default %s", v);
		return;
	}
	switch (r->type) {
	case OPTTAB_U32:
	case OPTTAB_U64:
		snprintf(buf, len, "default %" PRIu64, r->def_u);
		break;
	case OPTTAB_SECONDS:
		fmt_seconds(r->def_d, v, sizeof(v));
		snprintf(buf, len, "default %s", v);
		break;
	case OPTTAB_STRING:
		if (r->def_s)
			snprintf(buf, len, "default %s", r->def_s);
		break;
	case OPTTAB_CHOICE:
		if ((int)r->def_u < r->nchoices)
			snprintf(buf, len, "default %s", r->choices[r->def_u]);
		break;
	default:
		break;
	}
}

/* The option column: "-x, --long META" or "    --long META". */
static void option_column(const struct opttab_row *r, char *buf, size_t len)
{
	const char *meta = r->metavar ? r->metavar : "";
	const char *sp = r->metavar ? " " : "";

	if (r->letter)
		snprintf(buf, len, "-%c, --%s%s%s", r->letter, r->name, sp, meta);
	else
		snprintf(buf, len, "    --%s%s%s", r->name, sp, meta);
}

/* @text wrapped into lines of HELP_WIDTH from column @col, the first line
 * already at @at. */
static void wrap(FILE *out, const char *text, size_t col, size_t at)
{
	const char *p = text;

	while (*p) {
		size_t w = strcspn(p, " \n");

		if (at > col && at + 1 + w > HELP_WIDTH) {
			fprintf(out, "\n%*s", (int)col, "");
			at = col;
		} else if (at > col) {
			fputc(' ', out);
			at++;
		}
		fwrite(p, 1, w, out);
		at += w;
		p += w;
		if (*p == '\n') {
			fprintf(out, "\n%*s", (int)col, "");
			at = col;
		}
		while (*p == ' ' || *p == '\n')
			p++;
	}
	fputc('\n', out);
}

/* The entry's help text and its default, as one paragraph into @buf. */
static void help_text(const struct opttab_ent *e, const void *defaults, char *buf, size_t len)
{
	const char *text = e->row->help;
	char def[160];

	default_text(e, defaults, def, sizeof(def));
	snprintf(buf, len, "%s%s%s%s", text ? text : "", *def ? " (" : "", def, *def ? ")" : "");
}

void opttab_help(const struct opttab *t, FILE *out)
{
	opttab_help_obj(t, NULL, out);
}

void opttab_help_obj(const struct opttab *t, const void *defaults, FILE *out)
{
	char col[96], text[2048];

	for (size_t i = 0; i < t->n; i++) {
		const struct opttab_row *r = t->ents[i].row;
		size_t n;

		if (r->flags & OPTTAB_HIDDEN)
			continue;
		if (r->type == OPTTAB_GROUP) {
			fprintf(out, "%s\n", r->name);
			continue;
		}
		option_column(r, col, sizeof(col));
		n = 2 + strlen(col);
		fprintf(out, "  %s", col);
		if (n + 2 > HELP_COL) /* no room for two spaces: the text below */
			fprintf(out, "\n%*s", HELP_COL, "");
		else
			fprintf(out, "%*s", (int)(HELP_COL - n), "");
		help_text(&t->ents[i], defaults, text, sizeof(text));
		wrap(out, text, HELP_COL, HELP_COL);
	}
}

/* @s for scdoc: its formatting characters escaped. */
static void man_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '*' || *s == '_' || *s == '\\')
			fputc('\\', out);
		fputc(*s == '\n' ? ' ' : *s, out);
	}
}

/* "Traffic and duration:" as "TRAFFIC AND DURATION"; a parenthesis or
 * colon ends it. */
static void man_heading(FILE *out, const char *name)
{
	fputs("## ", out);
	for (const char *p = name; *p && *p != ':' && strncmp(p, " (", 2); p++)
		fputc(toupper((unsigned char)*p), out);
	fputc('\n', out);
}

void opttab_man(const struct opttab *t, FILE *out)
{
	opttab_man_obj(t, NULL, out);
}

void opttab_man_obj(const struct opttab *t, const void *defaults, FILE *out)
{
	char text[2048];

	for (size_t i = 0; i < t->n; i++) {
		const struct opttab_row *r = t->ents[i].row;

		if (r->flags & OPTTAB_HIDDEN)
			continue;
		if (r->type == OPTTAB_GROUP) {
			man_heading(out, r->name);
			fputc('\n', out);
			continue;
		}
		if (r->letter)
			fprintf(out, "*-%c*, ", r->letter);
		fprintf(out, "*--%s*", r->name);
		if (r->metavar) {
			fputs(" _", out);
			man_escaped(out, r->metavar);
			fputc('_', out);
		}
		fputs("\n\t", out);
		if (r->man) {
			fputs(r->man, out); /* scdoc already */
		} else {
			help_text(&t->ents[i], defaults, text, sizeof(text));
			man_escaped(out, text);
		}
		fputs("\n\n", out);
	}
}
