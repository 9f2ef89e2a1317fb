#!/bin/bash
# Top-N lists under a flood of one-packet random sources (issue 31): the
# summary's "top sources" shows only the entries whose guaranteed count
# (count - error) ranks them, each with its true count (or a range that
# holds it), and says how many estimates it left out; the JSON keeps every
# entry's count and error, each an upper bound and count - error a lower
# one, and marks the ranked ones.
#   tests/t_topn.sh BUILD_DIR
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
t_tmpdir
t_require_built "$XDPI"

P=$T_TMP/flood.pcap
python3 "$HERE/mkflood.py" "$P" --flood 5000 || t_fail "mkflood.py"
# The oracle: packets per IPv4 source, by tshark.
tshark -r "$P" -T fields -e ip.src | sort | uniq -c | awk '{print $2, $1}' >"$T_TMP/truth"
# A flood of SYNs to one port: the detection stage rightly says so on
# stderr (t_detect's business); the top-N alone is checked here.
"$XDPI" read --no-detect "$P" >"$T_TMP/text" 2>"$T_TMP/err"
"$XDPI" read --no-detect "$P" --json >"$T_TMP/json" 2>>"$T_TMP/err"

got=$(python3 - "$T_TMP/truth" "$T_TMP/text" "$T_TMP/json" <<'EOF2'
import json, re, sys
truth = {l.split()[0]: int(l.split()[1]) for l in open(sys.argv[1])}
text = open(sys.argv[2]).read()
m = re.search(r"^top sources \(pkts\)(.*?)(?=^\S)", text, re.S | re.M)
if not m:
    sys.exit(print("no top sources line in:\n" + text))
body = " ".join(m.group(1).split())
more = re.search(r"\((\d+) more unranked: estimates of at most (\d+) each\)", body)
shown = re.findall(r"(\d+\.\d+\.\d+\.\d+) (\d+)(?:\.\.(\d+))?", re.sub(r"\(.*?\)", "", body))
bad = []
for ip, a, b in shown:
    lo, hi = int(a), int(b or a)
    if not lo <= truth.get(ip, 0) <= hi:
        bad.append("%s shown %s%s, true %d" % (ip, a, ".." + b if b else "", truth.get(ip, 0)))
# What is shown is the true top of its size: no source left out is heavier.
shown_ips = {ip for ip, _, _ in shown}
least = min((truth[ip] for ip in shown_ips), default=None)
heavier = [ip for ip, n in truth.items() if ip not in shown_ips and least is not None and n > least]
if heavier:
    bad.append("left out but heavier: %s" % heavier[:3])
d = json.load(open(sys.argv[3]))["connections"]["top_sources_by_packets"]
for e in d:
    t = truth.get(e["ip"], 0)
    if not e["packets"] - e["error"] <= t <= e["packets"]:
        bad.append("json %s %d (error %d), true %d" % (e["ip"], e["packets"], e["error"], t))
ranked = [e["ip"] for e in d if e["ranked"]]
if len(d) != 10 or set(ranked) != shown_ips:
    bad.append("json entries %d, ranked %s, shown %s" % (len(d), ranked, sorted(shown_ips)))
if not more or int(more.group(1)) != 10 - len(shown):
    bad.append("no note of the entries left out: %r" % body)
print("; ".join(bad) if bad else "OK %d shown" % len(shown))
EOF2
)
t_eq "flood: only ranked sources shown, with true counts; JSON bounds hold" "$got" "OK 3 shown"
t_eq "flood: nothing on stderr" "$(cat "$T_TMP/err")" ""

# No flood: every count exact, all ten (or fewer) shown, no note.
python3 "$HERE/mkflood.py" "$T_TMP/small.pcap" --flood 20
"$XDPI" read "$T_TMP/small.pcap" >"$T_TMP/small.text"
t_eq "no flood: every entry ranks, no note" \
	"$(grep -c 'unranked' "$T_TMP/small.text") $(grep -o '198\.18\.1\.1 300' "$T_TMP/small.text")" \
	"0 198.18.1.1 300"
t_done
