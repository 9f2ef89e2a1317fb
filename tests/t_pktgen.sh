#!/bin/bash
# bench/pktgen.sh and bench/pktgen_plan.sh:
#   - the scripts parse (bash -n) and pass shellcheck (where it is
#     installed);
#   - -h prints the usage on stdout and exits 0;
#   - usage errors exit 2 with a message and nothing on stdout;
#   - --dry-run (no root, no pktgen, no interface): the command sequence for
#     /proc/net/pktgen, (a) exactly as written out here for three option
#     combinations, (b) for 336 combinations of size, flows, threads, rate,
#     stop condition and TX queues, against the rules of the kernel's
#     Documentation/networking/pktgen.rst (which file takes which command,
#     devices added to a thread before they are configured, values as
#     pktgen parses them, start last, reset first and last; imix_weights from
#     net/core/pktgen.c, which the documentation does not list) and against
#     what the options ask (counts and rates add up, one flow per device,
#     every flow once, its thread, its queue; nothing that would repeat or
#     unstamp a sequence number);
#   - on a kernel without pktgen (no /proc/net/pktgen, even after modprobe)
#     a real run refuses with exit 1 and a message that names pktgen and
#     `xdpi gen` (never sending: the interface does not exist);
#   - with pktgen (modprobe pktgen succeeds): a real run on the veth testbed
#     into `xdpi live --check-seq`, which must see every frame pktgen
#     reports as sent, per flow in order; skipped, with the reason, where
#     the kernel has no pktgen (the reference VM).
#   tests/t_pktgen.sh BUILD_DIR
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$HERE/lib.sh"
# shellcheck source=bench/testbed.sh
. "$HERE/../bench/testbed.sh"
# shellcheck source=tests/lib_live.sh
. "$HERE/lib_live.sh"
SCRIPT=$HERE/../bench/pktgen.sh
PLAN=$HERE/../bench/pktgen_plan.sh
t_tmpdir
OUT=$T_TMP/out
ERR=$T_TMP/err
trap 'live_watchdogs_kill; testbed_down; rm -rf "$T_TMP"' EXIT

if [ ! -f "$SCRIPT" ] || [ ! -f "$PLAN" ]; then
	t_fail "bench/pktgen.sh and bench/pktgen_plan.sh exist"
	t_done
	exit 1
fi

# run ARGS...: the script with ARGS, status in $RC, output in $OUT and $ERR.
run() {
	bash "$SCRIPT" "$@" >"$OUT" 2>"$ERR"
	RC=$?
}

# expect NAME RC_WANT STDERR_REGEX...: checks the last run; every regex must
# match stderr (grep -E, case-insensitive). On failure stdout must be empty.
expect() {
	local name=$1 want=$2 re
	shift 2
	if [ "$RC" = "$want" ]; then
		t_ok "$name: exit $want"
	else
		t_fail "$name: exit $want" "exit $RC; stderr: $(head -c 300 "$ERR")"
	fi
	for re in "$@"; do
		if grep -Eiq -- "$re" "$ERR"; then
			t_ok "$name: message matches /$re/"
		else
			t_fail "$name: message matches /$re/" "stderr: $(head -c 300 "$ERR")"
		fi
	done
	if [ "$want" != 0 ]; then
		if [ -s "$OUT" ]; then
			t_fail "$name: nothing on stdout" "stdout: $(head -c 200 "$OUT")"
		else
			t_ok "$name: nothing on stdout"
		fi
	fi
}

# --- the scripts themselves
t_check "bash -n bench/pktgen.sh" bash -n "$SCRIPT"
t_check "bash -n bench/pktgen_plan.sh" bash -n "$PLAN"
if command -v shellcheck >/dev/null; then
	if (cd "$HERE/.." && shellcheck -x bench/pktgen.sh bench/pktgen_plan.sh) >"$T_TMP/sc" 2>&1; then
		t_ok "shellcheck bench/pktgen.sh bench/pktgen_plan.sh"
	else
		t_fail "shellcheck bench/pktgen.sh bench/pktgen_plan.sh" "$(head -c 600 "$T_TMP/sc")"
	fi
else
	t_skip "shellcheck bench/pktgen.sh bench/pktgen_plan.sh" "shellcheck is not installed"
fi

# --- help
run -h
t_eq "-h: exit 0" "$RC" 0
if grep -q '^Usage: bench/pktgen.sh -i IFACE' "$OUT" && grep -q -- 'xdpi live --proto udp' "$OUT" &&
	grep -q -- '--dry-run' "$OUT"; then
	t_ok "-h: usage on stdout, with the receiver's filter and --dry-run"
else
	t_fail "-h: usage on stdout, with the receiver's filter and --dry-run" "stdout: $(head -c 300 "$OUT")"
fi

# --- usage errors: exit 2 (checked before root, pktgen and the interface)
run -s 64
expect "no -i" 2 '-i IFACE is required'
run -i xdpi-nope0 -s 20
expect "size 20" 2 "-s '20'" '64\.\.1518'
run -i xdpi-nope0 -s 2000
expect "size 2000" 2 "-s '2000'" '64\.\.1518'
run -i xdpi-nope0 -s jumbo
expect "size jumbo" 2 "-s 'jumbo'"
run -i xdpi-nope0 -z
expect "unknown option -z" 2 'unknown option -z'
run -i xdpi-nope0 --dry-runs -n 1
expect "unknown option --dry-runs" 2 'unknown option --dry-runs'
run -i xdpi-nope0 -s
expect "-s without a value" 2 'option -s needs a value'
run -i xdpi-nope0 -f 0
expect "0 flows" 2 "-f '0'"
run -i xdpi-nope0 -f 65 -n 100
expect "65 flows (one device each)" 2 "-f '65'" '1\.\.64'
run -i xdpi-nope0 -f 2 -t 3 -n 100
expect "more threads than flows" 2 '-t 3: each thread needs a flow'
run -i xdpi-nope0 -f 4 -n 3
expect "fewer frames than flows" 2 '-n 3 is below -f 4'
run -i xdpi-nope0 -f 4 -r 3 -n 100
expect "rate below a frame per second per flow" 2 '-r 3 is too low for 4 flows'
run -i xdpi-nope0 -r fast
expect "rate fast" 2 "-r 'fast'"
run -i xdpi-nope0 extra
expect "extra argument" 2 "unexpected argument 'extra'"
run -i xdpi-nope0 -s 64
expect "neither -d nor -n" 2 '-d SECONDS or -n COUNT is needed'
run -i xdpi-nope0 -n 1 -C 2,2
expect "a CPU twice in -C" 2 "-C '2,2'"
run -i xdpi-nope0 -n 1 -Q 2
expect "-Q without --dry-run" 2 '-Q describes the interface of a dry run'
run --dry-run -i xdpi-nope0 -n 1 -q 2-3 -Q 3
expect "dry run: a queue beyond -Q" 2 '-q 2-3: xdpi-nope0 has 3 TX queue'
run --dry-run -i xdpi-nope0 -n 10 -t 3 -f 3 -C 0-1
expect "dry run: more threads than -C's CPUs" 2 '-t 3: only 2 pktgen thread'

# --- dry run: exact sequences. The kernel documentation's order: a device
# is added to a thread (which creates its file), then configured, then
# pgctrl starts every thread.
golden() { # NAME EXPECTED-FILE ARGS...
	local name=$1 want=$2
	shift 2
	run --dry-run "$@"
	if [ "$RC" = 0 ] && diff -u "$want" "$OUT" >"$T_TMP/diff"; then
		t_ok "dry run, $name: the exact command sequence"
	else
		t_fail "dry run, $name: the exact command sequence" \
			"exit $RC; $(head -c 300 "$ERR") $(head -c 800 "$T_TMP/diff")"
	fi
}

cat >"$T_TMP/g1" <<'EOF'
pgctrl reset
kpktgend_0 add_device xdpi-g@0
xdpi-g@0 count 1000
xdpi-g@0 clone_skb 0
xdpi-g@0 burst 1
xdpi-g@0 pkt_size 60
xdpi-g@0 src_min 198.18.0.1
xdpi-g@0 src_max 198.18.0.1
xdpi-g@0 dst 198.18.0.2
xdpi-g@0 dst_mac 02:00:00:00:00:02
xdpi-g@0 udp_src_min 10000
xdpi-g@0 udp_src_max 10000
xdpi-g@0 udp_dst_min 5201
xdpi-g@0 udp_dst_max 5201
xdpi-g@0 delay 0
xdpi-g@0 flag QUEUE_MAP_CPU
pgctrl start
# on exit:
pgctrl reset
EOF
golden "defaults, -n 1000" "$T_TMP/g1" -i xdpi-g -n 1000 -C 0

# imix, 3 flows on 2 threads (CPUs 2 and 5), 30001 pps split 10001/10000/
# 10000, 1000 frames split 334/333/333, TX queues 1 to 2 in turn, stopped
# at 1.5 s if not done.
cat >"$T_TMP/g2" <<'EOF'
pgctrl reset
kpktgend_2 add_device xdpi-g@0
xdpi-g@0 count 334
xdpi-g@0 clone_skb 0
xdpi-g@0 burst 1
xdpi-g@0 imix_weights 60,7 590,4 1514,1
xdpi-g@0 src_min 198.18.0.1
xdpi-g@0 src_max 198.18.0.1
xdpi-g@0 dst 198.19.0.7
xdpi-g@0 dst_mac 0a:0b:0c:0d:0e:0f
xdpi-g@0 udp_src_min 10000
xdpi-g@0 udp_src_max 10000
xdpi-g@0 udp_dst_min 5201
xdpi-g@0 udp_dst_max 5201
xdpi-g@0 ratep 10001
xdpi-g@0 queue_map_min 1
xdpi-g@0 queue_map_max 2
kpktgend_5 add_device xdpi-g@1
xdpi-g@1 count 333
xdpi-g@1 clone_skb 0
xdpi-g@1 burst 1
xdpi-g@1 imix_weights 60,7 590,4 1514,1
xdpi-g@1 src_min 198.18.0.1
xdpi-g@1 src_max 198.18.0.1
xdpi-g@1 dst 198.19.0.7
xdpi-g@1 dst_mac 0a:0b:0c:0d:0e:0f
xdpi-g@1 udp_src_min 10001
xdpi-g@1 udp_src_max 10001
xdpi-g@1 udp_dst_min 5201
xdpi-g@1 udp_dst_max 5201
xdpi-g@1 ratep 10000
xdpi-g@1 queue_map_min 1
xdpi-g@1 queue_map_max 2
kpktgend_2 add_device xdpi-g@2
xdpi-g@2 count 333
xdpi-g@2 clone_skb 0
xdpi-g@2 burst 1
xdpi-g@2 imix_weights 60,7 590,4 1514,1
xdpi-g@2 src_min 198.18.0.1
xdpi-g@2 src_max 198.18.0.1
xdpi-g@2 dst 198.19.0.7
xdpi-g@2 dst_mac 0a:0b:0c:0d:0e:0f
xdpi-g@2 udp_src_min 10002
xdpi-g@2 udp_src_max 10002
xdpi-g@2 udp_dst_min 5201
xdpi-g@2 udp_dst_max 5201
xdpi-g@2 ratep 10000
xdpi-g@2 queue_map_min 1
xdpi-g@2 queue_map_max 2
pgctrl start
# after 1.5 s, if a device still runs:
pgctrl stop
# on exit:
pgctrl reset
EOF
golden "imix, 3 flows, 2 threads, rate, count and duration, queues 1-2" "$T_TMP/g2" \
	-i xdpi-g -s imix -f 3 -t 2 -C 2,5 -r 30001 -n 1000 -d 1.5 -q 1-2 -Q 4 \
	-a 198.19.0.7 -m 0a:0b:0c:0d:0e:0f

# Max rate, 2 flows on one thread: delay 1 makes the thread take them in
# turn; random TX queues over the 4 of the dry run's interface; duration
# only: count 0 ("until stopped").
cat >"$T_TMP/g3" <<'EOF'
pgctrl reset
kpktgend_1 add_device xdpi-g@0
xdpi-g@0 count 0
xdpi-g@0 clone_skb 0
xdpi-g@0 burst 1
xdpi-g@0 pkt_size 1514
xdpi-g@0 src_min 198.18.0.1
xdpi-g@0 src_max 198.18.0.1
xdpi-g@0 dst 198.18.0.2
xdpi-g@0 dst_mac 02:00:00:00:00:02
xdpi-g@0 udp_src_min 10000
xdpi-g@0 udp_src_max 10000
xdpi-g@0 udp_dst_min 5201
xdpi-g@0 udp_dst_max 5201
xdpi-g@0 delay 1
xdpi-g@0 queue_map_min 0
xdpi-g@0 queue_map_max 3
xdpi-g@0 flag QUEUE_MAP_RND
kpktgend_1 add_device xdpi-g@1
xdpi-g@1 count 0
xdpi-g@1 clone_skb 0
xdpi-g@1 burst 1
xdpi-g@1 pkt_size 1514
xdpi-g@1 src_min 198.18.0.1
xdpi-g@1 src_max 198.18.0.1
xdpi-g@1 dst 198.18.0.2
xdpi-g@1 dst_mac 02:00:00:00:00:02
xdpi-g@1 udp_src_min 10001
xdpi-g@1 udp_src_max 10001
xdpi-g@1 udp_dst_min 5201
xdpi-g@1 udp_dst_max 5201
xdpi-g@1 delay 1
xdpi-g@1 queue_map_min 0
xdpi-g@1 queue_map_max 3
xdpi-g@1 flag QUEUE_MAP_RND
pgctrl start
# after 2 s, if a device still runs:
pgctrl stop
# on exit:
pgctrl reset
EOF
golden "max rate, 2 flows on one thread, duration only, random queues" "$T_TMP/g3" \
	-i xdpi-g -s 1518 -f 2 -C 1 -d 2 -q rnd -Q 4
run --dry-run -i xdpi-g -n 10 -q rnd -Q 4
if [ "$RC" = 0 ] && grep -q "note: -q rnd sends each flow on several TX queues" "$ERR"; then
	t_ok "dry run: -q rnd warns that a flow spreads over queues"
else
	t_fail "dry run: -q rnd warns that a flow spreads over queues" "$(head -c 300 "$ERR")"
fi

# --- dry run, many combinations, against the documentation's rules and
# what the options ask. Each combination runs the script once.
python3 - "$SCRIPT" >"$T_TMP/matrix" 2>&1 <<'EOF'
import itertools, re, subprocess, sys

script = sys.argv[1]
# Documentation/networking/pktgen.rst, "Current commands and configuration
# options", plus "dst" (its examples: pgset "dst 10.0.0.1") and, from
# net/core/pktgen.c, imix_weights.
PGCTRL = {"start", "stop", "reset"}
THREAD = {"add_device", "rem_device_all"}
DEVICE = set("""count clone_skb burst debug frags delay src_mac_count dst_mac_count
pkt_size min_pkt_size max_pkt_size queue_map_min queue_map_max skb_priority tos
traffic_class mpls udp_src_min udp_src_max udp_dst_min udp_dst_max node flag spi
dst_min dst_max src_min src_max dst_mac src_mac clear_counters src6 dst6 dst6_max
dst6_min flows flowlen rate ratep xmit_mode vlan_cfi vlan_id vlan_p svlan_cfi
svlan_id svlan_p dst imix_weights""".split())
FLAGS = set("""IPSRC_RND IPDST_RND UDPSRC_RND UDPDST_RND MACSRC_RND MACDST_RND TXSIZE_RND
IPV6 MPLS_RND VID_RND SVID_RND FLOW_SEQ QUEUE_MAP_RND QUEUE_MAP_CPU UDPCSUM IPSEC
NODE_ALLOC NO_TIMESTAMP SHARED""".split())
NUM = re.compile(r"^[0-9]{1,10}$")
IP4 = re.compile(r"^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$")
MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
IMIX = re.compile(r"^[0-9]{1,10},[1-9][0-9]{0,9}( [0-9]{1,10},[1-9][0-9]{0,9}){0,19}$")
NUMERIC = {"count", "clone_skb", "burst", "pkt_size", "delay", "ratep", "udp_src_min",
           "udp_src_max", "udp_dst_min", "udp_dst_max", "queue_map_min", "queue_map_max"}


def check(args, lines, o):
    """Errors of one plan; o: the combination's options."""
    errs = []
    cmds = [l for l in lines if not l.startswith("#")]
    if not cmds or cmds[0] != "pgctrl reset":
        errs.append("does not begin with pgctrl reset")
    tail = ["pgctrl start"] + (["pgctrl stop"] if o["d"] else []) + ["pgctrl reset"]
    if cmds[-len(tail):] != tail:
        errs.append(f"ends with {cmds[-len(tail):]}, want {tail}")
    body = cmds[1:-len(tail)]
    devs, thread_of, conf = [], {}, {}
    for l in body:
        f, _, rest = l.partition(" ")
        name, _, val = rest.partition(" ")
        if f == "pgctrl":
            errs.append(f"pgctrl {rest} while configuring")
        elif f.startswith("kpktgend_"):
            cpu = f[len("kpktgend_"):]
            if name not in THREAD or not NUM.match(cpu):
                errs.append(f"not a thread command: {l}")
            elif name == "add_device":
                if not re.match(r"^xdpi-g@[^ @]+$", val) or len(val) > 31:
                    errs.append(f"device name {val}")
                elif val in conf:
                    errs.append(f"{val} added twice")
                devs.append(val)
                thread_of[val] = int(cpu)
                conf[val] = []
        elif f in conf:
            if name not in DEVICE:
                errs.append(f"not a device command: {l}")
            conf[f].append((name, val))
        else:
            errs.append(f"{f} written before add_device created it: {l}")
    F, T = o["f"], o["t"]
    if len(devs) != F:
        errs.append(f"{len(devs)} devices for {F} flows")
    counts, rates, ports = [], [], []
    per_thread = {}
    for k, d in enumerate(devs):
        per_thread[thread_of[d]] = per_thread.get(thread_of[d], 0) + 1
    for k, d in enumerate(devs):
        c = conf[d]
        kv = {}
        for name, val in c:
            if name in NUMERIC and not NUM.match(val):
                errs.append(f"{d} {name} {val!r} is not a number")
            if name in ("src_min", "src_max", "dst") and not (
                    IP4.match(val) and all(int(x) <= 255 for x in IP4.match(val).groups())):
                errs.append(f"{d} {name} {val!r} is not an IPv4 address")
            if name == "dst_mac" and not MAC.match(val.lower()):
                errs.append(f"{d} dst_mac {val!r}")
            if name == "flag" and val not in FLAGS:
                errs.append(f"{d} flag {val!r} is not documented")
            if name == "imix_weights" and not IMIX.match(val):
                errs.append(f"{d} imix_weights {val!r}")
            if name == "flag":
                kv.setdefault("flags", []).append(val)
            elif name in kv:
                errs.append(f"{d} {name} set twice")
            else:
                kv[name] = val
        names = [n for n, _ in c]
        # A sequence number per frame, and a send time: a frame sent twice
        # (clone_skb > 0, burst > 1) repeats its number; NO_TIMESTAMP drops
        # the time; pktgen's own flows, random ports or a port range would
        # spread a device's numbers over several 4-tuples.
        if kv.get("clone_skb") != "0" or kv.get("burst") != "1":
            errs.append(f"{d}: clone_skb {kv.get('clone_skb')}, burst {kv.get('burst')}")
        for bad in ("NO_TIMESTAMP", "UDPSRC_RND", "UDPDST_RND", "IPSRC_RND", "IPDST_RND",
                    "FLOW_SEQ", "TXSIZE_RND"):
            if bad in kv.get("flags", []):
                errs.append(f"{d}: flag {bad}")
        for bad in ("flows", "flowlen", "min_pkt_size", "max_pkt_size", "dst_min",
                    "dst_max", "src_mac_count", "dst_mac_count"):
            if bad in kv:
                errs.append(f"{d}: {bad}")
        if "imix_weights" in kv and ("clone_skb" not in names or
                                     names.index("imix_weights") < names.index("clone_skb")):
            errs.append(f"{d}: imix_weights before clone_skb 0 (pktgen refuses either order's clash)")
        if "imix_weights" in kv and names.index("imix_weights") == 0:
            errs.append(f"{d}: imix_weights first (it sets no result line to read)")
        if kv.get("udp_src_min") != kv.get("udp_src_max") or kv.get("udp_dst_min") != kv.get("udp_dst_max"):
            errs.append(f"{d}: port ranges")
        # What the options ask.
        if thread_of[d] != o["cpus"][k % T]:
            errs.append(f"{d} on kpktgend_{thread_of[d]}, want {o['cpus'][k % T]}")
        if o["s"] == "imix":
            if kv.get("imix_weights") != "60,7 590,4 1514,1" or "pkt_size" in kv:
                errs.append(f"{d}: imix {kv.get('imix_weights')}")
        elif kv.get("pkt_size") != str(int(o["s"]) - 4) or "imix_weights" in kv:
            errs.append(f"{d}: pkt_size {kv.get('pkt_size')} for -s {o['s']}")
        if (kv.get("src_min"), kv.get("src_max"), kv.get("dst"), kv.get("dst_mac"),
                kv.get("udp_dst_min")) != ("198.18.0.1", "198.18.0.1", "198.18.0.2",
                                          "02:00:00:00:00:02", "5201"):
            errs.append(f"{d}: addresses {kv}")
        ports.append(int(kv.get("udp_src_min", -1)))
        counts.append(int(kv.get("count", -1)))
        if o["r"] == "max":
            want = "1" if per_thread[thread_of[d]] > 1 else "0"
            if kv.get("delay") != want or "ratep" in kv:
                errs.append(f"{d}: delay {kv.get('delay')}, want {want} at max rate")
        else:
            rates.append(int(kv.get("ratep", 0)))
            if "delay" in kv:
                errs.append(f"{d}: delay with ratep")
        q = o["q"]
        if q == "cpu":
            want_q = {"flags": ["QUEUE_MAP_CPU"]}
        elif q == "rnd":
            want_q = {"queue_map_min": "0", "queue_map_max": str(o["Q"] - 1),
                      "flags": ["QUEUE_MAP_RND"]}
        else:
            lo, _, hi = q.partition("-")
            want_q = {"queue_map_min": lo, "queue_map_max": hi or lo}
        got_q = {n: kv[n] for n in ("queue_map_min", "queue_map_max", "flags") if n in kv}
        if got_q != want_q:
            errs.append(f"{d}: queues {got_q}, want {want_q}")
    if sorted(ports) != list(range(10000, 10000 + F)) or ports != sorted(ports):
        errs.append(f"source ports {ports}")
    if o["n"]:
        if sum(counts) != o["n"] or min(counts) < 1 or max(counts) - min(counts) > 1:
            errs.append(f"counts {counts} for -n {o['n']}")
    elif any(counts):
        errs.append(f"counts {counts} without -n: 0, until stopped")
    if o["r"] != "max" and (sum(rates) != o["r"] or max(rates) - min(rates) > 1):
        errs.append(f"rates {rates} for -r {o['r']}")
    return errs


combos = failed = 0
for s, f, t, r, stop, q in itertools.product(
        ["64", "imix"], [1, 3, 64], [1, 2, 3], ["max", 100000],
        [("n", 1000), ("d", "0.5"), ("both", None)], ["cpu", "rnd", "2", "1-3"]):
    if t > f:
        continue
    o = {"s": s, "f": f, "t": t, "r": r, "q": q, "Q": 4, "cpus": [3, 1, 7][:t],
         "n": 1000 if stop[0] in ("n", "both") else 0, "d": stop[0] in ("d", "both")}
    args = ["--dry-run", "-i", "xdpi-g", "-s", s, "-f", str(f), "-t", str(t), "-r", str(r),
            "-q", q, "-Q", "4", "-C", "3,1,7"]
    if o["n"]:
        args += ["-n", "1000"]
    if o["d"]:
        args += ["-d", "0.5"]
    p = subprocess.run(["bash", script] + args, capture_output=True, text=True)
    combos += 1
    errs = [f"exit {p.returncode}: {p.stderr[:200]}"] if p.returncode else check(
        args, p.stdout.splitlines(), o)
    if errs:
        failed += 1
        if failed <= 3:
            print(" ".join(args), "->", "; ".join(errs[:3]))
print(f"{combos} combinations, {failed} failed")
EOF
t_eq "dry run: 336 option combinations follow the documentation and the options" \
	"$(tail -1 "$T_TMP/matrix")" "336 combinations, 0 failed"
grep -v "combinations," "$T_TMP/matrix" | head -3 | sed 's/^/# /'

# --- no pktgen in this kernel: a real run exits 1, pointing at xdpi gen
HAVE_PKTGEN=0
if [ -e /proc/net/pktgen ] ||
	{ [ "$(id -u)" = 0 ] && command -v modprobe >/dev/null && modprobe pktgen 2>"$T_TMP/modprobe"; }; then
	HAVE_PKTGEN=1
fi
if [ "$HAVE_PKTGEN" = 1 ]; then
	t_skip "no pktgen: refused" "this kernel has pktgen"
elif [ "$(id -u)" != 0 ]; then
	t_skip "no pktgen: refused" "needs root (the script checks root first)"
else
	run -i xdpi-nope0 -n 1
	expect "no pktgen" 1 'no pktgen' 'CONFIG_NET_PKTGEN' 'xdpi gen --stamp pktgen'
	if [ -e /proc/net/pktgen ]; then
		t_fail "no pktgen: nothing loaded" "/proc/net/pktgen appeared"
	else
		t_ok "no pktgen: nothing loaded"
	fi
fi

# --- with pktgen: a real run on the testbed into `xdpi live --check-seq`.
# pktgen's "sent" counts the frames the device took; a frame it refused
# takes no sequence number, so each flow must arrive numbered 1..its sent
# count: every frame seen, or dropped where the socket counted it.
if [ "$HAVE_PKTGEN" != 1 ]; then
	reason="this kernel has no pktgen"
	[ -s "$T_TMP/modprobe" ] && reason="$reason ($(head -1 "$T_TMP/modprobe"))"
	t_skip "real pktgen into xdpi live --check-seq" "$reason"
elif [ ! -x "$XDPI" ]; then
	t_fail "real pktgen into xdpi live --check-seq" "$XDPI is not built"
else
	XDPI=$(realpath "$XDPI")
	live_test_begin "real pktgen" k
	trap 'live_watchdogs_kill; testbed_down; rm -rf "$T_TMP"' EXIT
	if ! testbed_up 1 "$TB_ID"; then
		t_fail "real pktgen: testbed up"
	elif ! live_start pg_real --json --interval 0 --proto udp --check-seq --cpus "$RX_CPU"; then
		t_fail "real pktgen: receiver ready" "$(cat "$T_TMP/pg_real.err")"
	else
		testbed_gen bash "$SCRIPT" -i "$TB_GEN_IF" -n 20000 -f 4 -r 50000 -C "$GEN_CPU" \
			>"$T_TMP/pg_real.gen" 2>&1
		gen_rc=$?
		wait_quiet
		kill -INT "$LIVE_PID"
		wait "$LIVE_PID"
		sent=$(awk '$1 == "total" { print $2 }' "$T_TMP/pg_real.gen")
		t_eq "real pktgen: exit 0, frames sent reported" "$gen_rc ${sent:+yes}" "0 yes"
		t_eq "real pktgen: --check-seq saw every frame pktgen sent, 4 flows in order" \
			"$(json "$T_TMP/pg_real.out" '(lambda p, drops: (p["flows"], p["stamped"] + drops, p["lost"] <= drops, p["duplicated"], p["reordered"], p["late"], p["untracked"]))(d["seq_check"]["stamps"]["pktgen"], sum(q["socket"]["rx_dropped"] + q["socket"]["rx_ring_full"] for q in d["ledger"]["queues"]))')" \
			"(4, ${sent:-?}, True, 0, 0, 0, 0)"
		t_check "real pktgen: latency measured against the wall clock (veth: same host)" \
			python3 -c "import json,sys; s=json.load(open(sys.argv[1]))['seq_check']; p=s['stamps']['pktgen']; sys.exit(not (s['clock'] == 'local' and p['timed'] == p['stamped'] and p['negative_latency'] == 0 and 0 < p['latency_ns']['p50'] <= p['latency_ns']['max'] < 4e9))" "$T_TMP/pg_real.out"
	fi
fi

t_done
