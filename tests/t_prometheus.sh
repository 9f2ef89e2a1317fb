#!/bin/bash
# The Prometheus exporter (docs/exporting.md), offline: `xdpi read FILE
# --prometheus` serves the final figures until SIGINT. Checks the HTTP side
# (format, content type, 404, 405, a port in use, a bad address), that the
# scraped packets and handshakes equal `xdpi read --json`'s, and then that a
# real Prometheus server (Debian's /usr/bin/prometheus) scrapes xdpi and
# answers the same figures through its query API. Every wait is bounded;
# everything started here is killed on exit, failed or not.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
GEN=$BUILD/tests/tool_pcapgen
t_require_built "$XDPI" "$GEN"
t_tmpdir

trap t_bg_cleanup EXIT

# wait_for SECONDS CMD...: runs CMD every 0.2 s until it succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.2
	done
}

# sum_metric FILE NAME: the sum of NAME's samples in an exposition text.
sum_metric() {
	awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $NF } END { printf "%d\n", s }' "$1"
}

# Checks the exposition text in FILE line by line; prints what is wrong.
check_format() {
	python3 - "$1" <<'EOF'
import re, sys
name = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
lval = r'"(?:[^"\\\n]|\\[\\"n])*"'
sample = re.compile(r'^(%s)(\{[a-zA-Z_][a-zA-Z0-9_]*=%s(,[a-zA-Z_][a-zA-Z0-9_]*=%s)*\})? '
                    r'(-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?|NaN|[+-]Inf)$' % (name, lval, lval))
helps, types, cur, bad = set(), {}, None, []
text = open(sys.argv[1]).read()
if not text.endswith('\n'):
    bad.append('no final newline')
for i, line in enumerate(text.splitlines(), 1):
    m = re.match(r'^# (HELP|TYPE) (%s) (.*)$' % name, line)
    if m:
        kind, fam, rest = m.groups()
        if kind == 'HELP':
            if fam in helps:
                bad.append('%d: second HELP %s' % (i, fam))
            helps.add(fam)
            cur = fam
        else:
            if fam != cur or fam in types or rest not in ('counter', 'gauge'):
                bad.append('%d: TYPE %s' % (i, line))
            types[fam] = rest
            if (rest == 'counter') != fam.endswith('_total'):
                bad.append('%d: %s: counters, and only they, end in _total' % (i, fam))
        continue
    m = sample.match(line)
    if not m:
        bad.append('%d: not a sample: %r' % (i, line))
    elif m.group(1) != cur:
        bad.append('%d: sample %s outside its family' % (i, m.group(1)))
print('OK' if not bad else '; '.join(bad[:5]))
EOF
}

pcap=$T_TMP/mixed.pcap
"$GEN" mixed "$pcap" || { t_fail "generate the capture"; t_done; exit 1; }
"$XDPI" read -q --json "$pcap" >"$T_TMP/ref.json" || t_fail "xdpi read --json"
want_packets=$(json "$T_TMP/ref.json" "d['packets']")
want_established=$(json "$T_TMP/ref.json" "d['connections']['established']")
want_bytes=$(json "$T_TMP/ref.json" "d['bytes']")

# --- xdpi read --prometheus: port 0, the kernel picks; stderr says which --
"$XDPI" read -q --json "$pcap" --prometheus 127.0.0.1:0 >"$T_TMP/serve.json" \
	2>"$T_TMP/serve.err" &
XPID=$!
T_PIDS+=("$XPID")
if wait_for 20 grep -q 'serving the metrics on http://' "$T_TMP/serve.err"; then
	t_ok "read --prometheus says where it serves"
else
	t_fail "read --prometheus says where it serves" "$(cat "$T_TMP/serve.err")"
	t_done
	exit 1
fi
addr=$(grep -o 'http://[^/]*' "$T_TMP/serve.err" | head -1 | sed 's|http://||')
port=${addr##*:}
url=http://$addr/metrics

code=$(curl -s -o "$T_TMP/m1.txt" -D "$T_TMP/h1.txt" -w '%{http_code}' "$url")
t_eq "GET /metrics: 200" "$code" 200
t_check "Content-Type text/plain; version=0.0.4" \
	grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8' "$T_TMP/h1.txt"
t_eq "exposition format" "$(check_format "$T_TMP/m1.txt")" OK
t_eq "sum(xdpi_packets_total) = --json packets" \
	"$(sum_metric "$T_TMP/m1.txt" xdpi_packets_total)" "$want_packets"
t_eq "xdpi_bytes_total = --json bytes" "$(sum_metric "$T_TMP/m1.txt" xdpi_bytes_total)" \
	"$want_bytes"
t_eq "xdpi_tcp_handshakes_total = connections.established" \
	"$(sum_metric "$T_TMP/m1.txt" xdpi_tcp_handshakes_total)" "$want_established"
t_check "xdpi_info has the file" grep -q "^xdpi_info{.*mode=\"file\",source=\"$pcap\"} 1$" \
	"$T_TMP/m1.txt"
t_eq "--json still printed" "$(json "$T_TMP/serve.json" "d['packets']")" "$want_packets"
curl -s -o "$T_TMP/m2.txt" "$url"
t_eq "xdpi_scrapes_total counts scrapes" "$(sum_metric "$T_TMP/m2.txt" xdpi_scrapes_total)" 2
t_eq "GET /other: 404" "$(curl -s -o /dev/null -w '%{http_code}' "http://$addr/other")" 404
t_eq "GET /: 404" "$(curl -s -o /dev/null -w '%{http_code}' "http://$addr/")" 404
t_eq "POST /metrics: 405" \
	"$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x=1 "$url")" 405
t_eq "HEAD /metrics: 200" "$(curl -s -o /dev/null -I -w '%{http_code}' "$url")" 200

# --- slow clients (slowloris) cannot starve the scrapes ------------------
# slowloris SRC N SECONDS: N connections from SRC (a loopback address), each
# sending a request's first line and then one header byte every 0.3 s for
# SECONDS; prints, per connection, how long the server let it live from
# its connect (to its close, or to the end of the attack if it outlived
# it). A connect can wait for a full backlog: its clock starts after.
slowloris() {
	python3 - "$1" "$port" "$2" "$3" <<'EOF2'
import socket, sys, time
src, port, n, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
conns, t0 = [], time.monotonic()
for _ in range(n):
    s = socket.socket()
    s.bind((src, 0))
    try:
        s.connect(('127.0.0.1', port))
        s.sendall(b'GET /metrics HTTP/1.1\r\nHost: x\r\n')
        s.setblocking(False)
        conns.append([s, None, time.monotonic()])
    except OSError:
        conns.append([s, 0.0, time.monotonic()])
while time.monotonic() - t0 < secs and any(c[1] is None for c in conns):
    for c in conns:
        if c[1] is not None:
            continue
        try:
            c[0].send(b'X')
            if c[0].recv(1, socket.MSG_PEEK) == b'':
                c[1] = time.monotonic() - c[2]
        except BlockingIOError:
            pass
        except OSError:
            c[1] = time.monotonic() - c[2]
    time.sleep(0.3)
end = time.monotonic()
print(' '.join('%.1f' % (end - c[2] if c[1] is None else c[1]) for c in conns))
EOF2
}
# 40 slow connections from one address: the scrapes from another still
# answer at once; 8 (the limit per address) are served, and each is cut
# at the whole-request deadline (5 s) although it never stops sending; the
# other 32 are closed at once (libmicrohttpd may take up to a second to
# come back to its listening socket after refusing one).
slowloris 127.0.0.2 40 12 >"$T_TMP/slow.txt" &
SLOW=$!
sleep 1
t_eq "a scrape while one address holds 40 slow connections: 200" \
	"$(curl -s -o /dev/null --max-time 3 -w '%{http_code}' "$url")" 200
wait "$SLOW"
t_eq "slow connections: 8 cut between 4 and 8 s (the deadline), 32 within 2 s, of 40" \
	"$(tr ' ' '\n' <"$T_TMP/slow.txt" | awk '$1 >= 4 && $1 <= 8 {d++} $1 < 2 {n++} END {print d + 0, n + 0, NR}')" \
	"8 32 40"
echo "# slow connections lived (s): $(cat "$T_TMP/slow.txt")"

# --- errors at start: exit 1 and a reason, before the file is read; a value
# that is not [ADDR:]PORT is a usage error (exit 2, three lines; issue 31)
check_start_error() {
	local name=$1 arg=$2 pattern=$3 want=${4:-1} rc
	"$XDPI" read -q "$pcap" --prometheus "$arg" >/dev/null 2>"$T_TMP/err.txt"
	rc=$?
	if [ "$rc" = "$want" ] && grep -q -- "$pattern" "$T_TMP/err.txt" &&
		{ [ "$want" = 1 ] || [ "$(wc -l <"$T_TMP/err.txt")" = 3 ]; }; then
		t_ok "$name"
	else
		t_fail "$name" "exit $rc: $(cat "$T_TMP/err.txt")"
	fi
}
check_start_error "port in use: exit 1, said" "127.0.0.1:$port" "Address already in use"
usage="invalid value '.*' for option --prometheus (valid: \[ADDR:\]PORT"
check_start_error "bad address: exit 2, the usage" "300.1.2.3:9100" "$usage" 2
check_start_error "IPv6 without brackets: exit 2" "::1:9100" "$usage" 2
check_start_error "bad port: exit 2, the usage" "127.0.0.1:70000" "$usage" 2
check_start_error "no port: exit 2, the usage" "127.0.0.1:" "$usage" 2
check_start_error "a port with a letter (9100x): exit 2, the usage" "9100x" "$usage" 2
check_start_error "address not on this host: exit 1" "192.0.2.1:0" "Cannot assign requested"

if ip -6 addr show dev lo 2>/dev/null | grep -q '::1/128'; then
	"$XDPI" read -q "$pcap" --prometheus '[::1]:0' >/dev/null 2>"$T_TMP/v6.err" &
	V6PID=$!
	T_PIDS+=("$V6PID")
	if wait_for 20 grep -q 'serving the metrics on http://\[::1\]:' "$T_TMP/v6.err"; then
		v6addr=$(grep -o 'http://[^/]*' "$T_TMP/v6.err" | head -1)
		curl -s -g -o "$T_TMP/v6.txt" "$v6addr/metrics"
		t_eq "[::1]:PORT serves the same packets" \
			"$(sum_metric "$T_TMP/v6.txt" xdpi_packets_total)" "$want_packets"
	else
		t_fail "[::1]:PORT serves" "$(cat "$T_TMP/v6.err")"
	fi
	kill -TERM "$V6PID"
	wait "$V6PID"
	t_eq "SIGTERM: exit 0" "$?" 0
else
	t_skip "[::1]:PORT serves" "no IPv6 loopback"
	t_skip "SIGTERM: exit 0" "no IPv6 loopback"
fi

# --- a real Prometheus scrapes xdpi ----------------------------------------
# query EXPR: the value of Prometheus's instant query, or nothing yet.
query() {
	curl -s --max-time 5 "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" |
		python3 -c 'import json,sys
try:
    r = json.load(sys.stdin)["data"]["result"]
    print(r[0]["value"][1] if r else "")
except Exception:
    print("")'
}
has_value() {
	[ -n "$(query "$1")" ]
}

PROM=$(command -v prometheus || true)
if [ -z "$PROM" ]; then
	for n in "Prometheus answers sum(xdpi_packets_total)" "Prometheus: packets" \
		"Prometheus: handshakes" "Prometheus: up"; do
		t_skip "$n" "prometheus is not installed"
	done
else
	pport=$(t_free_port)
	mkdir -p "$T_TMP/prom"
	cat >"$T_TMP/prom/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: xdpi
    static_configs:
      - targets: ['$addr']
EOF
	"$PROM" --config.file="$T_TMP/prom/prometheus.yml" \
		--storage.tsdb.path="$T_TMP/prom/data" \
		--web.listen-address="127.0.0.1:$pport" >"$T_TMP/prom/log" 2>&1 &
	PPID_=$!
	T_PIDS+=("$PPID_")
	# Start-up and the first scrapes: a few seconds, generous on a busy host.
	if wait_for 60 has_value 'sum(xdpi_packets_total)'; then
		t_ok "Prometheus answers sum(xdpi_packets_total)"
		t_eq "Prometheus: packets = --json packets" "$(query 'sum(xdpi_packets_total)')" \
			"$want_packets"
		t_eq "Prometheus: handshakes = connections.established" \
			"$(query 'sum(xdpi_tcp_handshakes_total)')" "$want_established"
		t_eq "Prometheus: up{job=\"xdpi\"} = 1" "$(query 'up{job="xdpi"}')" 1
	else
		t_fail "Prometheus answers sum(xdpi_packets_total)" \
			"$(tail -5 "$T_TMP/prom/log")"
		t_skip "Prometheus: packets" "no answer"
		t_skip "Prometheus: handshakes" "no answer"
		t_skip "Prometheus: up" "no answer"
	fi
	kill "$PPID_"
	wait "$PPID_" 2>/dev/null
fi

kill -INT "$XPID"
wait "$XPID"
t_eq "SIGINT: exit 0" "$?" 0
t_done
