// SPDX-License-Identifier: MIT
#include "flow_record.h"

#include <arpa/inet.h>
#include <stdio.h>

#include "../util/isotime.h"

void flow_addr_str(uint8_t family, const uint8_t *addr, char *buf, size_t len)
{
	if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *peek_json_set(json_t *o, const struct peek_result *p)
{
	bool http = p && p->kind == PEEK_HTTP, tls = p && p->kind == PEEK_TLS;

	json_object_set_new(o, "http_method",
			    http ? json_string(p->http_method_name) : json_null());
	json_object_set_new(o, "http_host", str_or_null(http ? p->http_host : NULL));
	json_object_set_new(o, "http_path", str_or_null(http ? p->http_path : NULL));
	json_object_set_new(o, "tls_sni", str_or_null(tls ? p->tls_sni : NULL));
	if (tls) {
		json_t *alpn = json_array(), *versions = json_array(), *names = json_array();
		char name[16];

		for (unsigned i = 0; alpn && i < p->tls_alpn_count; i++)
			json_array_append_new(alpn, json_string(p->tls_alpn[i]));
		for (unsigned i = 0; versions && i < p->tls_version_count; i++)
			json_array_append_new(versions, json_integer(p->tls_versions[i]));
		/* The numbers stay (a reader may compare them); the names beside. */
		for (unsigned i = 0; names && i < p->tls_version_count; i++)
			json_array_append_new(
				names, json_string(peek_tls_version_name(p->tls_versions[i], name,
									 sizeof(name))));
		json_object_set_new(o, "tls_version_names", names ? names : json_null());
		json_object_set_new(o, "tls_alpn", p->tls_alpn_count && alpn ? alpn : json_null());
		if (!p->tls_alpn_count)
			json_decref(alpn);
		json_object_set_new(o, "tls_versions", versions ? versions : json_null());
	} else {
		json_object_set_new(o, "tls_alpn", json_null());
		json_object_set_new(o, "tls_versions", json_null());
		json_object_set_new(o, "tls_version_names", json_null());
	}
	return o;
}

json_t *flow_record_json(const struct flow_record *r)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], start[40], end[40], proto[8];
	const char *pname = flow_proto_name(r->proto);
	json_t *o;

	flow_addr_str(r->family, r->src_addr, src, sizeof(src));
	flow_addr_str(r->family, r->dst_addr, dst, sizeof(dst));
	xdpi_iso8601((double)r->start_ns / 1e9, start, sizeof(start));
	xdpi_iso8601((double)r->end_ns / 1e9, end, sizeof(end));
	if (!pname) {
		snprintf(proto, sizeof(proto), "%u", r->proto);
		pname = proto;
	}
	o = json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:s,"
		      " s:s, s:s, s:i, s:s, s:o}",
		      "type", "flow", "src_ip", src, "dst_ip", dst, "src_port", (int)r->src_port,
		      "dst_port", (int)r->dst_port, "proto", pname, "vlan",
		      r->has_vlan ? json_integer(r->vlan) : json_null(), "inner_vlan",
		      r->vlan_inner ? json_integer(r->vlan_inner) : json_null(), "packets",
		      (json_int_t)(r->packets_toserver + r->packets_toclient), "bytes",
		      (json_int_t)(r->bytes_toserver + r->bytes_toclient), "packets_toserver",
		      (json_int_t)r->packets_toserver, "packets_toclient",
		      (json_int_t)r->packets_toclient, "bytes_toserver",
		      (json_int_t)r->bytes_toserver, "bytes_toclient",
		      (json_int_t)r->bytes_toclient, "start", start, "end", end, "end_reason",
		      flow_end_reason_name(r->end_reason), "tcp_flags", (int)r->tcp_flags, "state",
		      flow_tcp_state_name(r->state), "rtt_us",
		      r->rtt_ns >= 0 ? json_real((double)r->rtt_ns / 1e3) : json_null());
	if (o)
		json_object_set_new(o, "one_way", json_boolean(r->one_way));
	/* IP-level octets (IPFIX octetDeltaCount): what a flow collector
	 * shows as bytes. */
	if (o) {
		json_object_set_new(o, "ip_bytes_toserver",
				    json_integer((json_int_t)r->ip_bytes_toserver));
		json_object_set_new(o, "ip_bytes_toclient",
				    json_integer((json_int_t)r->ip_bytes_toclient));
	}
	return o ? peek_json_set(o, r->peek) : NULL;
}
