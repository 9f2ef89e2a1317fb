#!/bin/bash
# A real Prometheus server (Debian's /usr/bin/prometheus) scraping `xdpi
# live --prometheus` on the veth testbed while traffic is replayed: both run
# inside the DUT's namespace (xdpi on its loopback port 9100, Prometheus on
# 9090, a 500 ms scrape interval, its storage in the test's directory).
# Traffic: tests/mkflows.py (HTTP and TLS with hostile Host and SNI strings:
# quotes, backslashes, control bytes, which the exposition format must
# escape or Prometheus refuses the whole scrape; IPv6, 802.1Q, UDP, ICMP)
# and tool_pcapgen's many_flows (3,700 connections), steered with
# `--filter all`. Checks, through Prometheus' HTTP API (/api/v1/query):
#   - up == 1 while xdpi runs (every scrape parsed), 0 once it is gone;
#   - counters never go down from one scrape to the next;
#   - the last scrape, taken after the traffic stopped and after xdpi had
#     published since, equals the run's final JSON series by series (the
#     families and labels of docs/exporting.md; the top-10 HTTP Host and
#     TLS SNI gauges label by label, hostile strings included);
#   - its packets and bytes equal tshark's frame count and frame.len sum
#     of the pcaps sent (an oracle outside xdpi).
# Left out: what only the stop sets (flows_active, flows_ended: the final
# JSON ends the live flows at the stop) and xdpi_scrapes_total. Needs root,
# prometheus and tshark (a skip says which is missing).
. tests/lib.sh
. bench/testbed.sh
. tests/lib_live.sh
live_test_begin "a real Prometheus scraping xdpi live" ps
for tool in prometheus tshark; do
	if ! command -v "$tool" >/dev/null; then
		t_skip "a real Prometheus scraping xdpi live" "$tool is not installed (make deps)"
		t_done
		exit 0
	fi
done
PROM_PID=
trap '[ -n "$PROM_PID" ] && t_bg_stop "$PROM_PID"; live_watchdogs_kill; testbed_down; rm -rf "$T_TMP"' EXIT

python3 tests/mkflows.py "$T_TMP/mk.pcap" >/dev/null &&
	"$TOOLS/tool_pcapgen" many_flows "$T_TMP/mf.pcap" || {
	t_fail "the captures are built"
	t_done
	exit 1
}
# The oracle: frames and their wire bytes, by tshark.
want_frames=0 want_bytes=0
for p in "$T_TMP/mk.pcap" "$T_TMP/mf.pcap"; do
	read -r n b < <(tshark -n -r "$p" -T fields -e frame.len 2>/dev/null |
		awk '{ n++; b += $1 } END { print n + 0, b + 0 }')
	want_frames=$((want_frames + n)) want_bytes=$((want_bytes + b))
done
t_check "tshark reads the captures sent ($want_frames frames)" [ "$want_frames" -gt 3900 ]

testbed_up 1 "$TB_ID" || {
	t_fail "testbed up"
	t_done
	exit 1
}

# promq QUERY: Prometheus' /api/v1/query answer (JSON) for QUERY, now.
promq() {
	ip netns exec "$TB_DUT" curl -s --max-time 5 http://127.0.0.1:9090/api/v1/query \
		--data-urlencode "query=$1"
}
# value QUERY: the first sample's value of an instant query, or nothing.
value() {
	promq "$1" | python3 -c 'import json, sys
try:
    r = json.load(sys.stdin)["data"]["result"]
    print(r[0]["value"][1] if r else "")
except Exception:
    print("")'
}
# wait_until SECONDS CMD...: CMD every 0.2 s until it succeeds, bounded.
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.2
	done
}
is_up() { [ "$(value 'up{job="xdpi"}')" = "$1" ]; }
# scraped_after T: Prometheus holds a scrape of xdpi taken after unix time T.
scraped_after() {
	local ts
	ts=$(value 'timestamp(xdpi_packets_total)')
	[ -n "$ts" ] && python3 -c 'import sys; sys.exit(float(sys.argv[1]) <= float(sys.argv[2]))' \
		"$ts" "$1"
}

if ! live_start live --filter all --interval 0 --json --prometheus 127.0.0.1:9100; then
	t_fail "xdpi live --prometheus starts" "$(tail -3 "$T_TMP/live.err")"
	t_done
	exit 1
fi
mkdir -p "$T_TMP/prom"
cat >"$T_TMP/prom/prometheus.yml" <<EOF
global:
  scrape_interval: 500ms
  scrape_timeout: 500ms
scrape_configs:
  - job_name: xdpi
    static_configs:
      - targets: ['127.0.0.1:9100']
EOF
ip netns exec "$TB_DUT" prometheus --config.file="$T_TMP/prom/prometheus.yml" \
	--storage.tsdb.path="$T_TMP/prom/data" --web.listen-address=127.0.0.1:9090 \
	>"$T_TMP/prom/log" 2>&1 &
PROM_PID=$!
# Start-up (its storage, the first scrapes): seconds; generous when busy.
if wait_until 60 is_up 1; then
	t_ok "Prometheus scrapes xdpi live: up == 1"
else
	t_fail "Prometheus scrapes xdpi live: up == 1" "$(promq 'up') $(tail -3 "$T_TMP/prom/log")"
fi

for p in mk mf; do
	testbed_gen tcpreplay -q -i "$TB_GEN_IF" --pps 4000 "$T_TMP/$p.pcap" >/dev/null 2>&1 ||
		t_fail "tcpreplay $p.pcap"
done
wait_quiet || t_fail "the traffic stopped (wait_quiet)"
# xdpi publishes once a second (docs/exporting.md): a scrape 3 s after
# the last frame reached XDP serves figures published after it.
quiet=$(date +%s.%N)
after=$(python3 -c "print($quiet + 3)")
if wait_until 60 scraped_after "$after"; then
	t_ok "Prometheus scraped xdpi after the traffic stopped and xdpi published"
else
	t_fail "Prometheus scraped xdpi after the traffic stopped and xdpi published" \
		"last scrape $(value 'timestamp(xdpi_packets_total)'), wanted after $after"
fi
t_eq "up == 1 after the traffic (every scrape parsed)" "$(value 'up{job="xdpi"}')" 1

kill -INT "$LIVE_PID"
live_wait_exit live 60
t_eq "xdpi live exits 0" "$LIVE_RC" 0
wait_until 30 is_up 0 && t_ok "up == 0 once xdpi is gone" ||
	t_fail "up == 0 once xdpi is gone" "$(promq 'up')"

# Every raw sample of every xdpi series over the run (a range selector
# returns the samples as scraped, with their names).
promq '{__name__=~"xdpi_.+"}[10m]' >"$T_TMP/series.json"
got=$(python3 - "$T_TMP/series.json" "$T_TMP/live.out" "$want_frames" "$want_bytes" <<'EOF'
import json, sys
res = json.load(open(sys.argv[1]))
final = json.load(open(sys.argv[2]))
frames, wbytes = int(sys.argv[3]), int(sys.argv[4])
if res.get("status") != "success":
    sys.exit(print("the query failed: %s" % res) or 0)
last, bad = {}, []
for s in res["data"]["result"]:
    m = dict(s["metric"])
    name = m.pop("__name__")
    m.pop("job", None)
    m.pop("instance", None)
    vals = [float(v) for _, v in s["values"]]
    if name.endswith("_total") and any(b < a for a, b in zip(vals, vals[1:])):
        bad.append("%s%s went down between scrapes" % (name, m))
    last[(name, tuple(sorted(m.items())))] = vals[-1]
conn = final["connections"]
want = {}
def put(name, value, **labels):
    want[(name, tuple(sorted(labels.items())))] = float(value)
put("xdpi_packets_total", final["packets"], queue="0")
put("xdpi_bytes_total", final["bytes"], queue="0")
for fam, key, label in (("xdpi_l3_packets_total", "l3", "proto"), ("xdpi_l4_packets_total", "l4", "proto"),
                        ("xdpi_tcp_flags_total", "tcp_flags", "flag"),
                        ("xdpi_vlan_packets_total", "vlan", "tags"),
                        ("xdpi_malformed_total", "malformed", "reason")):
    for k, v in final[key].items():
        if k != "total":
            put(fam, v, **{label: k})
put("xdpi_l4_packets_total", final["packets"] - sum(final["l4"].values()), proto="none")
for name, v in (("xdpi_tcp_payload_bytes_total", final["tcp_payload_bytes"]),
                ("xdpi_unique_src_ips", final["unique_src_ips"]),
                ("xdpi_tcp_directions", final["tcp_directions"]),
                ("xdpi_tcp_syn_total", conn["syn"]), ("xdpi_tcp_synack_total", conn["synack"]),
                ("xdpi_tcp_handshakes_total", conn["established"]),
                ("xdpi_tcp_half_open", conn["half_open"]),
                ("xdpi_flows_max", conn["max_flows"]),
                ("xdpi_flows_created_total", conn["flows"]),
                ("xdpi_flows_untracked_packets_total", conn["untracked"]),
                ("xdpi_flows_peeked_total", conn["peeked"]),
                ("xdpi_tls_client_hellos_total", conn["tls_client_hellos"])):
    put(name, v)
for meth in ("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "other"):
    put("xdpi_http_requests_total", conn["http_methods"].get(meth, 0), method=meth)
for e in conn["top_http_hosts"]:
    put("xdpi_http_host_flows", e["flows"], host=e["host"])
for e in conn["top_tls_sni"]:
    put("xdpi_tls_sni_flows", e["flows"], sni=e["sni"])
# Hostile names must be among them, so that the escaping is exercised.
if not any('"' in k[1][0][1] and "\\" in k[1][0][1] for k in want if k[0] == "xdpi_http_host_flows"):
    bad.append("no Host with a quote and a backslash in the final JSON's top list")
for k, v in sorted(want.items()):
    if k not in last:
        bad.append("%s%s: not in Prometheus (want %g)" % (k[0], dict(k[1]), v))
    elif last[k] != v:
        bad.append("%s%s: Prometheus %g, final JSON %g" % (k[0], dict(k[1]), last[k], v))
# Series of a compared family that the final JSON does not have.
fams = {k[0] for k in want}
for k in last:
    if k[0] in fams and k not in want:
        bad.append("%s%s: in Prometheus only" % (k[0], dict(k[1])))
p, b = last.get(("xdpi_packets_total", (("queue", "0"),))), last.get(("xdpi_bytes_total", (("queue", "0"),)))
if (p, b) != (frames, wbytes):
    bad.append("packets, bytes: Prometheus %s %s, tshark %d %d" % (p, b, frames, wbytes))
print("; ".join(bad[:8]) + (" (and %d more)" % (len(bad) - 8) if len(bad) > 8 else "")
      if bad else "OK %d series" % len(want))
EOF
)
echo "# $got"
if [[ $got == "OK "* ]]; then
	t_ok "the last scrape equals the final JSON series by series, and tshark's frames and bytes (${got#OK })"
else
	t_fail "the last scrape equals the final JSON series by series, and tshark's frames and bytes" "$got"
fi
t_bg_stop "$PROM_PID"
PROM_PID=
t_done
