#!/bin/bash
# The flow stage of `xdpi read` end to end, on a capture made by mkcapture:
# flow records against the metrics (every IP packet in exactly one record,
# tcp_directions equal to the one-way tuples the records show, one record per
# flow created, each ended once), eviction at --max-flows, timeouts,
# --no-flows, the options' errors, --json-lines appending and refusing
# what is not a regular file, and the resident memory of 1 M flows, with
# and without a peek each, against what the table declares
# (docs/flows.md), which its documents must say.
#   tests/t_flows.sh BUILD_DIR
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
MKCAP=$BUILD/bench/mkcapture
FLOWMEM=$BUILD/tests/tool_flowmem
t_tmpdir

t_require_built "$XDPI" "$MKCAP" "$FLOWMEM"

PCAP=$T_TMP/c.pcap
"$MKCAP" -s 7 20000 "$PCAP" >/dev/null 2>&1 || {
	t_fail "mkcapture makes the capture"
	t_done
	exit 1
}

# check_records NAME JSON JSONL: what every run's records must satisfy.
check_records() {
	local got
	got=$(python3 - "$2" "$3" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
lines = [json.loads(l) for l in open(sys.argv[2])]
flows = [l for l in lines if l["type"] == "flow"]
stats = [l for l in lines if l["type"] == "stats"]
c = d["connections"]
bad = []
ip = d["l3"]["ipv4"] + d["l3"]["ipv6"]
if sum(f["packets"] for f in flows) != ip:
    bad.append(f"packets in records {sum(f['packets'] for f in flows)} != IP packets {ip}")
if sum(f["bytes"] for f in flows) > d["bytes"]:
    bad.append("bytes in records exceed the capture's")
if len(flows) != c["flows"]:
    bad.append(f"{len(flows)} records != connections.flows {c['flows']}")
if sum(c["ended"].values()) != c["flows"]:
    bad.append(f"ended {c['ended']} do not add up to {c['flows']}")
for r, n in c["ended"].items():
    if sum(1 for f in flows if f["end_reason"] == r) != n:
        bad.append(f"records ended by {r} != {n}")
if len(stats) != 1 or stats[0]["packets"] != d["packets"]:
    bad.append("one stats line with the run's packets")
for f in flows:
    if f["packets"] != f["packets_toserver"] + f["packets_toclient"]:
        bad.append("packets != toserver + toclient")
        break
    if f["start"] > f["end"]:
        bad.append("start after end")
        break
print("; ".join(bad) or "OK")
EOF
	)
	t_eq "$1: records agree with the metrics" "$got" "OK"
}

# Defaults: nothing times out within the capture's half second.
"$XDPI" read "$PCAP" --json --json-lines "$T_TMP/d.jsonl" >"$T_TMP/d.json"
t_eq "read with --json-lines exits 0" "$?" 0
check_records "defaults" "$T_TMP/d.json" "$T_TMP/d.jsonl"
t_eq "defaults: every flow ends at eof" \
	"$(json "$T_TMP/d.json" 'd["connections"]["ended"]["eof"] == d["connections"]["flows"]')" True
got=$(python3 - "$T_TMP/d.json" "$T_TMP/d.jsonl" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
t = set()
for l in open(sys.argv[2]):
    f = json.loads(l)
    if f["type"] != "flow" or f["proto"] != "tcp":
        continue
    if f["packets_toserver"]:
        t.add((f["src_ip"], f["src_port"], f["dst_ip"], f["dst_port"]))
    if f["packets_toclient"]:
        t.add((f["dst_ip"], f["dst_port"], f["src_ip"], f["src_port"]))
print(len(t), d["tcp_directions"])
EOF
)
# Two numbers, the first above 0: a Python that fails leaves both sides
# empty, which must not compare equal.
if [[ $got =~ ^[1-9][0-9]*\ [0-9]+$ ]]; then
	t_eq "tcp_directions equals the one-way tuples of the TCP records" "${got% *}" "${got#* }"
else
	t_fail "tcp_directions equals the one-way tuples of the TCP records" "no two counts: '$got'"
fi
t_eq "the summary text has the connections" \
	"$("$XDPI" read "$PCAP" | grep -c '^connections \|^flows ended')" 2
# "flows" names one thing (issue 31): the one-way tuples and the two-way
# flows have names of their own in text, JSON and Prometheus, each the
# count its oracle gives (tshark's one-way TCP 4-tuples; the flow records).
tuples=$(tshark -r "$PCAP" -Y 'tcp && !icmp && !icmpv6' -T fields -e ip.src -e ipv6.src \
	-e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport 2>/dev/null | sort -u | wc -l)
records=$(grep -c '"type":"flow"' "$T_TMP/d.jsonl")
"$XDPI" read "$PCAP" >"$T_TMP/names.txt"
t_eq "text: 'tcp 1-way tuples' and 'flows (2-way)', no bare 'tcp flows'" \
	"$(awk '/^tcp 1-way tuples /{print $4} /^flows \(2-way\) /{print $3}' "$T_TMP/names.txt" | tr '\n' ' ')$(grep -c '^tcp flows' "$T_TMP/names.txt")" \
	"$tuples $records 0"
t_eq "JSON: tcp_directions (no tcp_flows) and connections.flows: tshark's counts" \
	"$(json "$T_TMP/d.json" '(d["tcp_directions"], "tcp_flows" in d, d["distinct"].get("tcp_directions"), d["connections"]["flows"])')" \
	"($tuples, False, 'exact', $records)"

# A small table: the idlest go, and every flow still ends exactly once.
"$XDPI" read "$PCAP" --json --max-flows 100 --json-lines "$T_TMP/m.jsonl" >"$T_TMP/m.json"
check_records "--max-flows 100" "$T_TMP/m.json" "$T_TMP/m.jsonl"
t_eq "--max-flows 100: flows were evicted" \
	"$(json "$T_TMP/m.json" 'd["connections"]["ended"]["evicted"] > 0')" True
t_eq "--max-flows 100: at most 100 left at the end" \
	"$(json "$T_TMP/m.json" 'd["connections"]["ended"]["eof"] <= 100')" True
t_eq "--max-flows 100: same packets as with the default" \
	"$(json "$T_TMP/m.json" 'd["packets"]')" "$(json "$T_TMP/d.json" 'd["packets"]')"

# Short timeouts: flows end idle, and closed ones by their FIN or RST.
"$XDPI" read "$PCAP" --json --flow-timeout 0.05 --flow-closed-timeout 0.01 \
	--json-lines "$T_TMP/t.jsonl" >"$T_TMP/t.json"
check_records "short timeouts" "$T_TMP/t.json" "$T_TMP/t.jsonl"
t_eq "short timeouts: idle flows time out" \
	"$(json "$T_TMP/t.json" 'd["connections"]["ended"]["timeout"] > 0')" True
t_eq "short timeouts: closed flows end by fin and rst" \
	"$(json "$T_TMP/t.json" 'd["connections"]["ended"]["fin"] > 0 and d["connections"]["ended"]["rst"] > 0')" True
# A handshake slower than the timeout loses its flow before it completes.
t_eq "short timeouts: no more handshakes than with the defaults" \
	"$(python3 -c 'import json,sys; a,b=(json.load(open(f))["connections"]["established"] for f in sys.argv[1:]); print(0 < a <= b)' \
		"$T_TMP/t.json" "$T_TMP/d.json")" True

# The records against tshark (tests/flowconv.py, as t_flows_conv runs it):
# every record one of the flows tshark's fields make under these timeouts,
# and those flows tshark's own conversation tables. Not against the run's
# own metrics, which the same code counts.
conv() { # conv NAME JSONL TIMEOUT CLOSED_TIMEOUT
	local line n=0 tab=$'\t'
	if ! command -v tshark >/dev/null; then
		t_fail "$1: records against tshark's conversations" "tshark is not installed"
		return
	fi
	while IFS= read -r line; do
		case $line in
		"ok "*) t_ok "$1 against tshark: ${line#ok }" && n=$((n + 1)) ;;
		"fail "*)
			line=${line#fail }
			t_fail "$1 against tshark: ${line%%"$tab"*}" "${line#*"$tab"}"
			n=$((n + 1))
			;;
		"count "*) ;;
		*) t_fail "$1 against tshark: flowconv.py" "$line" ;;
		esac
	done < <(python3 "$HERE/flowconv.py" "$PCAP" "$2" "$3" "$4" 2>&1)
	[ "$n" -gt 0 ] || t_fail "$1 against tshark: flowconv.py checked something" "no result"
}
"$XDPI" read "$PCAP" --flow-timeout 60 --flow-closed-timeout 5 --json-lines "$T_TMP/c60.jsonl" \
	>/dev/null
conv "timeouts 60/5 s" "$T_TMP/c60.jsonl" 60 5
conv "short timeouts" "$T_TMP/t.jsonl" 0.05 0.01

# --no-flows: the same metrics, no connections, no flow records.
"$XDPI" read "$PCAP" --json --no-flows --json-lines "$T_TMP/n.jsonl" >"$T_TMP/n.json"
t_eq "--no-flows: no connections key" "$(json "$T_TMP/n.json" '"connections" in d')" False
t_eq "--no-flows: only the stats line" "$(wc -l <"$T_TMP/n.jsonl")" 1
t_eq "--no-flows: the other metrics unchanged" \
	"$(json "$T_TMP/n.json" '[d[k] for k in ("packets", "bytes", "l4", "tcp_directions", "unique_src_ips")]')" \
	"$(json "$T_TMP/d.json" '[d[k] for k in ("packets", "bytes", "l4", "tcp_directions", "unique_src_ips")]')"
"$XDPI" read "$PCAP" --json-lines - >"$T_TMP/s.jsonl" 2>"$T_TMP/s.err"
t_eq "--json-lines -: the lines on stdout, the summary on stderr" \
	"$(python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]; print("OK")' \
		"$T_TMP/s.jsonl" 2>&1)$(grep -c '^connections ' "$T_TMP/s.err")" "OK1"

# --distinct-limit: above it, an estimate within its error, and said so.
"$XDPI" read "$PCAP" --json --distinct-limit 100 >"$T_TMP/h.json"
got=$(python3 - "$T_TMP/h.json" "$T_TMP/d.json" <<'EOF'
import json, sys
h, d = (json.load(open(f)) for f in sys.argv[1:])
bad = []
for k in ("unique_src_ips", "tcp_directions"):
    if h["distinct"][k] != "estimate" or d["distinct"][k] != "exact":
        bad.append(f"{k}: {h['distinct'][k]} / {d['distinct'][k]}")
    err = h["distinct"]["standard_error"]
    if abs(h[k] - d[k]) > 3 * err * d[k]:
        bad.append(f"{k}: estimate {h[k]} vs exact {d[k]}")
print("; ".join(bad) or "OK")
EOF
)
t_eq "--distinct-limit 100: estimates within 3 standard errors, flagged" "$got" "OK"

# Errors: bad values are usage errors, an unwritable file a failure.
for bad in "--max-flows 0" "--max-flows x" "--flow-timeout 0" "--flow-timeout -1" \
	"--flow-closed-timeout abc" "--distinct-limit 0"; do
	# shellcheck disable=SC2086 # the option and its value, split
	"$XDPI" read "$PCAP" $bad >/dev/null 2>"$T_TMP/err"
	rc=$?
	t_eq "read $bad: exit 2, naming the option" \
		"$rc $(grep -c -- "${bad%% *}" "$T_TMP/err")" "2 1"
done
"$XDPI" read "$PCAP" --json --json-lines - >/dev/null 2>"$T_TMP/err"
t_eq "--json-lines - with --json: exit 2" "$?" 2
"$XDPI" read "$PCAP" --json-lines /nonexistent/dir/f.jsonl >"$T_TMP/out" 2>"$T_TMP/err"
t_eq "--json-lines into a missing directory: exit 1, why, no summary" \
	"$? $(grep -c 'cannot write /nonexistent/dir/f.jsonl' "$T_TMP/err") $(wc -c <"$T_TMP/out")" \
	"1 1 0"

# --json-lines against a user who can write where it goes (issue 25, defect
# 4; `xdpi live` opens it through the same code, tests/t_outputs.sh): it
# appends, and refuses anything but a regular file with one name, in one
# line naming it, before anything is read, leaving what it points to as it
# was. /dev/null is taken.
"$XDPI" read "$PCAP" --json-lines "$T_TMP/once.jsonl" >/dev/null
"$XDPI" read "$PCAP" --json-lines "$T_TMP/twice.jsonl" >/dev/null
"$XDPI" read "$PCAP" --json-lines "$T_TMP/twice.jsonl" >/dev/null
n=$(grep -c . "$T_TMP/once.jsonl")
t_eq "--json-lines twice into one file: both runs' lines, in order (appended, not truncated)" \
	"$(grep -c . "$T_TMP/twice.jsonl") $(head -n "$n" "$T_TMP/twice.jsonl" | cmp -s - "$T_TMP/once.jsonl" && echo first) $(tail -n "$n" "$T_TMP/twice.jsonl" | cmp -s - "$T_TMP/once.jsonl" && echo second)" \
	"$((2 * n)) first second"
TARGET=$T_TMP/root-only
printf 'root only\n' >"$TARGET"
chmod 0600 "$TARGET"
ln -s "$TARGET" "$T_TMP/link.jsonl"
ln -s "$T_TMP/never" "$T_TMP/dangling.jsonl"
ln "$TARGET" "$T_TMP/hard.jsonl"
mkfifo "$T_TMP/fifo.jsonl"
mkdir "$T_TMP/dir.jsonl"
for c in "link.jsonl:it is a symbolic link" "dangling.jsonl:it is a symbolic link" \
	"hard.jsonl:it has 2 hard links" "fifo.jsonl:it is a FIFO" "dir.jsonl:it is a directory" \
	"/dev/zero:it is a device"; do
	f=${c%%:*}
	[ "${f#/}" = "$f" ] && f=$T_TMP/$f
	timeout 10 "$XDPI" read "$PCAP" --json-lines "$f" >"$T_TMP/out" 2>"$T_TMP/err"
	rc=$?
	t_eq "--json-lines $(basename "$f"): exit 1 at once, one line naming it (${c#*:}), no summary" \
		"$rc $(grep -c "^xdpi read: cannot write $f: ${c#*:}" "$T_TMP/err") $(grep -c . "$T_TMP/err") $(wc -c <"$T_TMP/out")" \
		"1 1 1 0"
done
t_eq "--json-lines refused: the file a link pointed to unchanged, nothing made for the dangling one" \
	"$(stat -c '%a %s %h' "$TARGET") $(head -c 40 "$TARGET" | tr '\n' .)$(test -e "$T_TMP/never" && echo " made")" \
	"600 10 2 root only."
"$XDPI" read "$PCAP" --json-lines /dev/null >/dev/null 2>"$T_TMP/err"
t_eq "--json-lines /dev/null: taken" "$? $(wc -c <"$T_TMP/err")" "0 0"

# Memory: 1 M flows, resident set measured, against the declared size the
# default --max-flows is computed from: without payload, and with a peek
# each (what a flood of SYNs that carry requests makes the table hold).
# The sanitizers' shadow memory counts in the resident set.
if [[ $BUILD == *san* ]]; then
	t_skip "1 M flows fit the declared bytes per flow" "sanitizer build (shadow memory in the resident set)"
	t_skip "1 M flows with a peek each fit the declared bytes per flow" "sanitizer build (shadow memory in the resident set)"
else
	"$FLOWMEM" 1000000 >"$T_TMP/mem.json"
	got=$(json "$T_TMP/mem.json" \
		'd["created"] == 1000000 and d["rss_bytes_per_flow"] <= d["declared_bytes_per_flow"] * 1.1')
	t_eq "1 M flows fit the declared bytes per flow ($(json "$T_TMP/mem.json" \
		'd["rss_bytes_per_flow"]') measured)" "$got" True
	"$FLOWMEM" 1000000 --peeks >"$T_TMP/memp.json"
	got=$(json "$T_TMP/memp.json" \
		'd["created"] == d["peeked"] == 1000000 and d["rss_bytes_per_flow"] <= d["declared_bytes_per_flow"] * 1.1')
	t_eq "1 M flows with a peek each fit the declared bytes per flow ($(json "$T_TMP/memp.json" \
		'd["rss_bytes_per_flow"]') measured)" "$got" True
	t_eq "the default --max-flows fills about 1 GiB" \
		"$(json "$T_TMP/mem.json" 'abs(d["default_max_flows"] * d["declared_bytes_per_flow"] - 2**30) < 2**20')" True
fi
# What the table counts a flow is what its documents say (the budget tests,
# tests/t_flowmem*.sh, take the figure from docs/flows.md).
"$FLOWMEM" 1 >"$T_TMP/one.json"
declared=$(json "$T_TMP/one.json" 'd["declared_bytes_per_flow"]')
t_eq "docs/flows.md, --help and the man pages say $declared bytes a flow" \
	"$(grep -c "Declared: $declared bytes" "$HERE/../docs/flows.md")/$("$XDPI" read --help | grep -c "$declared bytes each")/$(cat "$HERE"/../docs/man/xdpi-{read,live}.8.scd | grep -c "Each counts $declared bytes")" \
	"1/1/2"
t_done
