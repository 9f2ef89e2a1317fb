// SPDX-License-Identifier: MIT
#include "iface_report.h"

#include <string.h>

#include "../xsk/iface.h"
#include "report.h"

static const char *link_name(const struct guard_facts *f)
{
	if (!f->link_known)
		return "?";
	return !f->up ? "down" : !f->running ? "no-carrier" : "up";
}

/* yes/no for one feature bit, or unknown when the kernel does not say. */
static const char *feature(const struct ifinfo *i, uint64_t bit)
{
	if (!i->features_known)
		return "unknown";
	return i->xdp_features & bit ? "yes" : "no";
}

static void hook_text(const struct ifinfo *i, char *buf, size_t len)
{
	if (!i->hook_known)
		snprintf(buf, len, "?");
	else if (!i->hook.prog_id)
		snprintf(buf, len, "-");
	else if (i->hook.prog_name[0])
		snprintf(buf, len, "%s (%s)", i->hook.prog_name, i->hook.mode);
	else
		snprintf(buf, len, "id %u (%s)", i->hook.prog_id, i->hook.mode);
}

/* @why on lines of its own under the row, indented, cut at 80 columns. */
static void iface_reasons_print(FILE *out, const char *why)
{
	const char *p = why;
	int col = 0;

	fputs("    needs --takeover:", out);
	col = 20;
	while (*p) {
		size_t word = strcspn(p, " ");

		if (col + 1 + (int)word > 79) {
			fputs("\n     ", out);
			col = 5;
		}
		fprintf(out, " %.*s", (int)word, p);
		col += 1 + (int)word;
		p += word;
		p += strspn(p, " ");
	}
	fputc('\n', out);
}

/* The same in the table's narrow column: "?" for unknown. */
static const char *feature_short(const struct ifinfo *i, uint64_t bit)
{
	return i->features_known ? feature(i, bit) : "?";
}

void iface_report_print(FILE *out, const struct ifinfo *list, int n)
{
	int w = (int)strlen("interface");
	char hook[48], why[256];

	for (int k = 0; k < n; k++)
		if ((int)strlen(list[k].name) > w)
			w = (int)strlen(list[k].name);
	/* 80 columns with a 9-character name; "live": may `xdpi live` steer it
	 * as it is ("ok": a capture port), or only with --takeover, whose
	 * reasons go on a line of their own. */
	fprintf(out, "%-*s %6s  %-10s %-10s %-19s %-6s %-3s %s\n", w, "interface", "queues",
		"driver", "link", "xdp program", "native", "zc", "live");
	for (int k = 0; k < n; k++) {
		const struct ifinfo *i = &list[k];
		char queues[16];

		snprintf(queues, sizeof(queues), "%d", i->rx_queues);
		hook_text(i, hook, sizeof(hook));
		fprintf(out, "%-*s %6s  %-10.10s %-10s %-19.19s %-6s %-3s %s\n", w, i->name,
			i->rx_queues < 0 ? "?" : queues, i->driver[0] ? i->driver : "-",
			link_name(&i->facts), hook, feature_short(i, IFACE_XDP_BASIC),
			feature_short(i, IFACE_XDP_XSK_ZEROCOPY),
			i->stale   ? "stale"
			: i->guard ? "takeover"
				   : "ok");
		if (i->stale) {
			/* A run refuses the interface until it is removed. */
			snprintf(why, sizeof(why),
				 "xdpi's program is left from a run that is gone (killed?): "
				 "remove it with 'xdpi detach %s'",
				 i->name);
			iface_reasons_print(out, why);
		}
		if (i->guard) {
			guard_summary(&i->facts, i->guard, why, sizeof(why));
			iface_reasons_print(out, why);
		}
	}
}

static json_t *addresses_json(const struct guard_facts *f)
{
	json_t *a = json_array();
	char s[INET6_ADDRSTRLEN];

	for (int k = 0; k < f->naddr; k++)
		json_array_append_new(a, json_string(guard_addr_str(&f->addr[k], s, sizeof(s))));
	return a;
}

static json_t *guard_json(const struct ifinfo *i)
{
	json_t *reasons = json_array();
	char why[256];

	for (unsigned bit = 1; bit <= GUARD__LAST; bit <<= 1)
		if (i->guard & bit)
			json_array_append_new(reasons, json_string(guard_reason_name(bit)));
	guard_summary(&i->facts, i->guard, why, sizeof(why));
	return json_pack("{s:b, s:o, s:s}", "needs_takeover", i->guard != 0, "reasons", reasons,
			 "summary", why);
}

static json_t *hook_json(const struct ifinfo *i)
{
	if (!i->hook_known || !i->hook.prog_id)
		return json_null();
	return json_pack("{s:I, s:s?, s:s, s:b}", "id", (json_int_t)i->hook.prog_id, "name",
			 i->hook.prog_name[0] ? i->hook.prog_name : NULL, "mode", i->hook.mode,
			 "stale", i->stale);
}

static json_t *features_json(const struct ifinfo *i)
{
	json_t *flags;

	if (!i->features_known)
		return json_null(); /* the kernel does not report them */
	flags = json_array();
	for (int b = 0; b < IFACE_XDP__COUNT; b++)
		if (i->xdp_features & (1ull << b))
			json_array_append_new(flags, json_string(iface_xdp_feature_name(b)));
	return json_pack("{s:b, s:b, s:o}", "native", (i->xdp_features & IFACE_XDP_BASIC) != 0,
			 "zerocopy", (i->xdp_features & IFACE_XDP_XSK_ZEROCOPY) != 0, "flags",
			 flags);
}

static json_t *one_json(const struct ifinfo *i)
{
	const struct guard_facts *f = &i->facts;

	return json_pack("{s:s, s:i, s:o, s:s?, s:{s:s, s:b, s:b, s:s?}, s:o, s:i, s:o, s:o, s:o}",
			 "name", i->name, "ifindex", i->ifindex, "rx_queues",
			 i->rx_queues < 0 ? json_null() : json_integer(i->rx_queues), "driver",
			 i->driver[0] ? i->driver : NULL, "link", "state", link_name(f), "up",
			 f->up, "running", f->running, "operstate",
			 f->operstate[0] ? f->operstate : NULL, "addresses", addresses_json(f),
			 "host_addresses", guard_host_addresses(f), "guard", guard_json(i),
			 "xdp_program", hook_json(i), "xdp_features", features_json(i));
}

json_t *iface_report_json(const struct ifinfo *list, int n)
{
	json_t *arr = json_array();

	for (int k = 0; k < n; k++)
		if (json_array_append_new(arr, one_json(&list[k]))) {
			json_decref(arr);
			return NULL;
		}
	json_t *o = json_pack("{s:o}", "interfaces", arr);

	if (o && report_stamp_json(o)) {
		json_decref(o);
		return NULL;
	}
	return o;
}
