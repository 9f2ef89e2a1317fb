// SPDX-License-Identifier: MIT
/*
 * Unit tests of the Prometheus text builder and of xdpi's rendering
 * (sink/prom_text.c).
 *
 * Every text built here is read back by check_exposition(), a small
 * checker of the format 0.0.4 written from its description, not from the
 * builder: a family's HELP and TYPE once and before its samples, its
 * samples together, names and label names by the grammar, label values
 * with only the three escapes, values that parse whole. It also hands back
 * the unescaped label values, so that hostile values are compared with
 * what went in.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sink/prom_text.h"

#define TEST(name) static void name(void **state __attribute__((unused)))

/* The text under test: freed by the teardown after a failed assertion. */
static char *text;

static int teardown(void **state __attribute__((unused)))
{
	free(text);
	text = NULL;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The checker                                                         */
/* ------------------------------------------------------------------ */

#define MAX_FAMILIES 64
#define MAX_SAMPLES 256

struct sample {
	char name[128];
	char labels[8192]; /* "name=value\x01" per label, the value unescaped */
	char value[64];
};

struct parsed {
	char families[MAX_FAMILIES][128];
	char types[MAX_FAMILIES][16];
	int nfam;
	struct sample s[MAX_SAMPLES];
	int ns;
};

static bool is_name(const char *s, size_t n, bool colon)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		      (colon && c == ':') || (i && c >= '0' && c <= '9')))
			return false;
	}
	return true;
}

static int family_of(const struct parsed *p, const char *name)
{
	for (int i = 0; i < p->nfam; i++)
		if (!strcmp(p->families[i], name))
			return i;
	return -1;
}

/* Reads "{a="x",b="y"}" at *@s into @out; false on a syntax error. */
static bool read_labels(const char **s, char *out, size_t out_len)
{
	const char *p = *s + 1;
	size_t o = 0;

	while (*p != '}') {
		const char *n = p;

		while (*p && *p != '=')
			p++;
		if (*p != '=' || !is_name(n, (size_t)(p - n), false) || p[1] != '"')
			return false;
		if (o + (size_t)(p - n) + 2 >= out_len)
			return false;
		memcpy(out + o, n, (size_t)(p - n) + 1); /* with the '=' */
		o += (size_t)(p - n) + 1;
		for (p += 2; *p != '"'; p++) {
			char c = *p;

			if (!c || c == '\n')
				return false;
			if (c == '\\') {
				p++;
				if (*p == 'n')
					c = '\n';
				else if (*p == '\\' || *p == '"')
					c = *p;
				else
					return false;
			}
			if (o + 2 >= out_len)
				return false;
			out[o++] = c;
		}
		out[o++] = '\x01';
		p++;
		if (*p == ',')
			p++;
		else if (*p != '}')
			return false;
	}
	out[o] = '\0';
	*s = p + 1;
	return true;
}

/* Fails the test (with the line) when @t is not a valid exposition. */
static void check_exposition(const char *t, struct parsed *p)
{
	char cur[128] = "";
	int line = 0;

	memset(p, 0, sizeof(*p));
	assert_true(!*t || t[strlen(t) - 1] == '\n');
	while (*t) {
		const char *end = strchr(t, '\n');
		char buf[16384];
		size_t n = (size_t)(end - t);

		line++;
		assert_true(n < sizeof(buf));
		memcpy(buf, t, n);
		buf[n] = '\0';
		t = end + 1;
		if (!strncmp(buf, "# HELP ", 7) || !strncmp(buf, "# TYPE ", 7)) {
			const char *name = buf + 7, *sp = strchr(name, ' ');
			char nm[128];
			int f;

			assert_non_null(sp);
			assert_true(is_name(name, (size_t)(sp - name), true));
			snprintf(nm, sizeof(nm), "%.*s", (int)(sp - name), name);
			f = family_of(p, nm);
			if (buf[2] == 'H') {
				/* HELP opens a family, once in the whole text. */
				if (f >= 0)
					fail_msg("line %d: second HELP for %s", line, nm);
				assert_true(p->nfam < MAX_FAMILIES);
				snprintf(p->families[p->nfam++], sizeof(p->families[0]), "%s", nm);
				snprintf(cur, sizeof(cur), "%s", nm);
			} else {
				if (f < 0 || strcmp(cur, nm) || *p->types[f])
					fail_msg("line %d: TYPE out of place for %s", line, nm);
				assert_true(!strcmp(sp + 1, "counter") || !strcmp(sp + 1, "gauge"));
				snprintf(p->types[f], sizeof(p->types[0]), "%s", sp + 1);
			}
			continue;
		}
		assert_true(buf[0] != '#' && buf[0] != '\0');
		{
			struct sample *s = &p->s[p->ns];
			const char *q = buf, *v;
			char *endv;

			assert_true(p->ns < MAX_SAMPLES);
			while (*q && *q != '{' && *q != ' ')
				q++;
			assert_true(is_name(buf, (size_t)(q - buf), true));
			snprintf(s->name, sizeof(s->name), "%.*s", (int)(q - buf), buf);
			/* Samples follow their own family's header. */
			if (strcmp(s->name, cur))
				fail_msg("line %d: sample %s inside family %s", line, s->name, cur);
			if (*q == '{' && !read_labels(&q, s->labels, sizeof(s->labels)))
				fail_msg("line %d: bad labels", line);
			assert_int_equal(*q, ' ');
			v = q + 1;
			snprintf(s->value, sizeof(s->value), "%s", v);
			if (strcmp(v, "NaN") && strcmp(v, "+Inf") && strcmp(v, "-Inf")) {
				errno = 0;
				strtod(v, &endv);
				if (errno || *endv || endv == v)
					fail_msg("line %d: bad value '%s'", line, v);
			}
			p->ns++;
		}
	}
	for (int i = 0; i < p->nfam; i++)
		if (!*p->types[i])
			fail_msg("family %s has no TYPE", p->families[i]);
}

static const struct sample *find(const struct parsed *p, const char *name, const char *labels)
{
	for (int i = 0; i < p->ns; i++)
		if (!strcmp(p->s[i].name, name) && !strcmp(p->s[i].labels, labels))
			return &p->s[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The builder                                                         */
/* ------------------------------------------------------------------ */

static char *finish(struct prom_text *t)
{
	size_t len;

	text = prom_text_finish(t, &len);
	assert_non_null(text);
	assert_int_equal(len, strlen(text));
	return text;
}

TEST(family_header_once)
{
	const struct prom_label q0 = {"queue", "0"}, q1 = {"queue", "1"};
	struct prom_text t;
	static struct parsed p;

	prom_text_init(&t);
	prom_text_family(&t, "x_total", PROM_COUNTER, "Things.");
	prom_text_u64(&t, &q0, 1, 1);
	prom_text_u64(&t, &q1, 1, 2);
	prom_text_family(&t, "y", PROM_GAUGE, "A gauge with a \\ and\na newline.");
	prom_text_u64(&t, NULL, 0, 3);
	finish(&t);
	assert_string_equal(text, "# HELP x_total Things.\n"
				  "# TYPE x_total counter\n"
				  "x_total{queue=\"0\"} 1\n"
				  "x_total{queue=\"1\"} 2\n"
				  "# HELP y A gauge with a \\\\ and\\na newline.\n"
				  "# TYPE y gauge\n"
				  "y 3\n");
	check_exposition(text, &p);
	assert_int_equal(p.nfam, 2);
	assert_int_equal(p.ns, 3);
}

TEST(family_twice_is_an_error)
{
	struct prom_text t;
	size_t len;

	prom_text_init(&t);
	prom_text_family(&t, "x_total", PROM_COUNTER, "Things.");
	prom_text_u64(&t, NULL, 0, 1);
	prom_text_family(&t, "x", PROM_COUNTER, "A prefix of it is another family.");
	prom_text_family(&t, "x_total", PROM_COUNTER, "Again.");
	errno = 0;
	assert_null(prom_text_finish(&t, &len));
	assert_int_equal(errno, EINVAL);
}

TEST(bad_names)
{
	static const char *const metric[] = {"", "1x", "a-b", "a b", "a{", "\xc3\xa9"};
	static const char *const label[] = {"", "1x", "a:b", "__reserved", "a-b"};
	struct prom_text t;
	size_t len;

	for (size_t i = 0; i < sizeof(metric) / sizeof(metric[0]); i++) {
		prom_text_init(&t);
		prom_text_family(&t, metric[i], PROM_GAUGE, "x");
		assert_null(prom_text_finish(&t, &len));
	}
	for (size_t i = 0; i < sizeof(label) / sizeof(label[0]); i++) {
		const struct prom_label l = {label[i], "v"};

		prom_text_init(&t);
		prom_text_family(&t, "ok:name_1", PROM_GAUGE, "x");
		prom_text_u64(&t, &l, 1, 1);
		assert_null(prom_text_finish(&t, &len));
	}
	/* A sample before any family. */
	prom_text_init(&t);
	prom_text_u64(&t, NULL, 0, 1);
	assert_null(prom_text_finish(&t, &len));
}

TEST(hostile_label_values)
{
	static const char *const values[] = {
		"",
		"plain.example.com",
		"\"",
		"\\",
		"\n",
		"a\"b\\c\nd",
		"\\\"\\n",		/* the escapes' own spelling, unescaped */
		"x\"} 1\nevil_total 2", /* tries to end the sample and start one */
		"{}=,# HELP",
	};
	char long_value[5000];
	struct prom_text t;
	static struct parsed p;
	char want[8192];

	/* Long, and made only of characters that escape: 2x when written. */
	for (size_t i = 0; i < sizeof(long_value) - 1; i++)
		long_value[i] = "\"\\\nA"[i % 4];
	long_value[sizeof(long_value) - 1] = '\0';
	prom_text_init(&t);
	prom_text_family(&t, "h", PROM_GAUGE, "Hostile.");
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		const struct prom_label l[2] = {{"host", values[i]}, {"i", "x"}};

		prom_text_u64(&t, l, 2, i);
	}
	{
		const struct prom_label l = {"host", long_value};

		prom_text_u64(&t, &l, 1, 99);
	}
	finish(&t);
	check_exposition(text, &p);
	assert_int_equal(p.ns, sizeof(values) / sizeof(values[0]) + 1);
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char v[8];

		snprintf(want, sizeof(want), "host=%s\x01i=x\x01", values[i]);
		assert_string_equal(p.s[i].labels, want);
		snprintf(v, sizeof(v), "%zu", i);
		assert_string_equal(p.s[i].value, v);
	}
	snprintf(want, sizeof(want), "host=%s\x01", long_value);
	assert_string_equal(p.s[p.ns - 1].labels, want);
	assert_null(strstr(text, "\nevil_total"));
}

TEST(numbers)
{
	static const struct {
		double v;
		const char *want;
	} d[] = {
		{0, "0"},
		{1e6, "1000000"},
		{9007199254740992.0, "9007199254740992"}, /* 2^53 */
		{0x1p62, "4611686018427387904"},
		{-3, "-3"},
		{0.5, "0.5"},
		{1e300, "1.0000000000000001e+300"},
		{NAN, "NaN"},
		{INFINITY, "+Inf"},
		{-INFINITY, "-Inf"},
	};
	static const struct {
		uint64_t v;
		const char *want;
	} u[] = {
		{0, "0"},
		{(1ull << 53) + 1, "9007199254740993"}, /* not a double: exact anyway */
		{(1ull << 63) - 1, "9223372036854775807"},
		{1ull << 63, "9223372036854775808"},
		{UINT64_MAX, "18446744073709551615"},
	};
	struct prom_text t;
	static struct parsed p;
	size_t k = 0;

	prom_text_init(&t);
	prom_text_family(&t, "d", PROM_GAUGE, "Doubles.");
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		prom_text_double(&t, NULL, 0, d[i].v);
	prom_text_family(&t, "u_total", PROM_COUNTER, "Counters.");
	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		prom_text_u64(&t, NULL, 0, u[i].v);
	finish(&t);
	check_exposition(text, &p);
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++, k++)
		assert_string_equal(p.s[k].value, d[i].want);
	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++, k++)
		assert_string_equal(p.s[k].value, u[i].want);
	free(text);
	text = NULL;
	/* No exponent for any counter below 2^53, whatever its digits. */
	for (uint64_t v = 1; v < (1ull << 53); v = v * 3 + 7) {
		char want[32];

		prom_text_init(&t);
		prom_text_family(&t, "c_total", PROM_COUNTER, "c");
		prom_text_double(&t, NULL, 0, (double)v);
		finish(&t);
		snprintf(want, sizeof(want), "c_total %" PRIu64 "\n", v);
		assert_non_null(strstr(text, want));
		free(text);
		text = NULL;
	}
}

/* ------------------------------------------------------------------ */
/* xdpi's rendering                                                    */
/* ------------------------------------------------------------------ */

TEST(render_file_no_flows)
{
	struct pipeline_counters c = {0};
	const struct prom_figures f = {.mode = "file", .source = "a \"b\".pcap", .total = &c};
	static struct parsed p;
	size_t len;

	c.c.packets = 10;
	c.c.bytes = 1000;
	c.c.l4[PKT_L4_TCP] = 7;
	text = prom_render(&f, &len);
	assert_non_null(text);
	check_exposition(text, &p);
	assert_string_equal(find(&p, "xdpi_packets_total", "")->value, "10");
	assert_string_equal(find(&p, "xdpi_bytes_total", "")->value, "1000");
	assert_string_equal(find(&p, "xdpi_l4_packets_total", "proto=tcp\x01")->value, "7");
	assert_int_equal(family_of(&p, "xdpi_drops_total"), -1);
	assert_int_equal(family_of(&p, "xdpi_tcp_handshakes_total"), -1);
	/* Counters end in _total, gauges do not. */
	for (int i = 0; i < p.nfam; i++) {
		size_t n = strlen(p.families[i]);
		bool total = n > 6 && !strcmp(p.families[i] + n - 6, "_total");

		assert_int_equal(total, !strcmp(p.types[i], "counter"));
	}
}

TEST(render_live_with_flows)
{
	struct pipeline_counters c = {0};
	struct flow_summary fs = {0};
	struct xdp_statistics s0 = {.rx_dropped = 4, .rx_ring_full = 5};
	const struct prom_queue q[2] = {{.queue_id = 0, .packets = 6, .bytes = 60, .sock = &s0},
					{.queue_id = 3, .packets = 4, .bytes = 40}};
	const struct prom_figures f = {.mode = "live",
				       .source = "veth0",
				       .total = &c,
				       .queues = q,
				       .nqueues = 2,
				       .flows = &fs};
	static struct parsed p;
	size_t len;

	c.c.packets = 10;
	c.flows.established = 3;
	fs.half_open = 2;
	fs.ended[FLOW_END_RST] = 1;
	fs.http_methods[PEEK_HTTP_GET] = 8;
	fs.n_hosts = 3;
	snprintf(fs.top_hosts[0].name, sizeof(fs.top_hosts[0].name), "a.example");
	fs.top_hosts[0].flows = 5;
	fs.top_hosts[0].ranked = true;
	snprintf(fs.top_hosts[1].name, sizeof(fs.top_hosts[1].name), "b\\x0a\"q");
	fs.top_hosts[1].flows = 1;
	fs.top_hosts[1].ranked = true;
	/* An estimate that does not rank: no series. */
	snprintf(fs.top_hosts[2].name, sizeof(fs.top_hosts[2].name), "c.example");
	fs.top_hosts[2].flows = 1;
	fs.top_hosts[2].error = 1;
	text = prom_render(&f, &len);
	assert_non_null(text);
	check_exposition(text, &p);
	assert_string_equal(find(&p, "xdpi_packets_total", "queue=0\x01")->value, "6");
	assert_string_equal(find(&p, "xdpi_packets_total", "queue=3\x01")->value, "4");
	assert_string_equal(
		find(&p, "xdpi_drops_total", "queue=0\x01reason=rx_ring_full\x01")->value, "5");
	/* Queue 3 has no socket (passive): no drops of its own. */
	assert_null(find(&p, "xdpi_drops_total", "queue=3\x01reason=rx_dropped\x01"));
	assert_string_equal(find(&p, "xdpi_tcp_handshakes_total", "")->value, "3");
	assert_string_equal(find(&p, "xdpi_tcp_half_open", "")->value, "2");
	assert_string_equal(find(&p, "xdpi_flows_ended_total", "reason=rst\x01")->value, "1");
	assert_string_equal(find(&p, "xdpi_http_requests_total", "method=GET\x01")->value, "8");
	assert_string_equal(find(&p, "xdpi_http_host_flows", "host=b\\x0a\"q\x01")->value, "1");
	assert_null(find(&p, "xdpi_http_host_flows", "host=c.example\x01"));
	assert_non_null(strstr(p.s[0].labels, "\x01mode=live\x01source=veth0\x01"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(family_header_once, teardown),
		cmocka_unit_test_teardown(family_twice_is_an_error, teardown),
		cmocka_unit_test_teardown(bad_names, teardown),
		cmocka_unit_test_teardown(hostile_label_values, teardown),
		cmocka_unit_test_teardown(numbers, teardown),
		cmocka_unit_test_teardown(render_file_no_flows, teardown),
		cmocka_unit_test_teardown(render_live_with_flows, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
