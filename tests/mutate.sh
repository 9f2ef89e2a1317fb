#!/bin/bash
# Mutation check: plants one bug at a time in a copy of the tree, rebuilds
# it and runs the few fast tests that should notice; every mutant must make
# them fail. A mutant they miss is a hole in the suite. `make mutate` (as
# root: some of the tests need namespaces, XDP or BPF_PROG_TEST_RUN).
#   tests/mutate.sh [BUILD_DIR]
# MUTATE_ONLY=WORD: only the mutants whose description or file has WORD.
#
# Each mutant below: file @@ text @@ replacement @@ tests @@ what it plants.
# In text and replacement, \n is a newline and \t a tab. The text must
# occur exactly once in the file (else the run fails before
# anything is built: a pattern the source no longer has tests nothing).
# tests: tests/run.sh name filters, or "!" and a shell command run in the
# copy (BUILD and PCAPS set: the tests/tool_pcapgen cases but the two big
# ones), which must exit non-zero.
# First the tests of every mutant run on the unmutated copy: they must all
# pass, so that a flaky test is never counted as a catch. A mutant that
# does not build is "not applicable", never caught. The score is caught /
# applicable; the last line is "N passed, N failed" (failed: missed, not
# applicable, or a pattern that does not match once).
set -u
build=${1:-build}
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/xdpi-mutate.XXXXXX)
trap 'rm -rf "$work"' EXIT
tree=$work/tree
start=$SECONDS

mutants=$(sed -n '/^MUTANTS$/,$p' "$0" | tail -n +2)
files=() olds=() news=() tests=() whats=()
while IFS= read -r line; do
	[ -z "$line" ] || [ "${line:0:1}" = "#" ] && continue
	IFS=$'\x01' read -r f o n t w <<<"${line//@@/$'\x01'}"
	trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; echo "${s%"${s##*[![:space:]]}"}"; }
	w=$(trim "$w")
	if [ -n "${MUTATE_ONLY:-}" ] && [[ $w != *"$MUTATE_ONLY"* && $f != *"$MUTATE_ONLY"* ]]; then
		continue
	fi
	# The text and replacement keep their inner blanks; one blank each
	# side of @@ is the separator's.
	files+=("$(trim "$f")") olds+=("${o# }") news+=("${n# }") tests+=("$(trim "$t")")
	whats+=("$w")
	olds[-1]=${olds[-1]% } news[-1]=${news[-1]% }
done <<<"$mutants"
total=${#files[@]}
echo "# $total mutants"

# --- 1. every pattern exactly once
bad=0
for i in "${!files[@]}"; do
	n=$(python3 -c 'import sys; print(open(sys.argv[1]).read().count(sys.argv[2].replace("\\n", "\n").replace("\\t", "\t")))' \
		"$src/${files[i]}" "${olds[i]}" 2>&1)
	if [ "$n" != 1 ]; then
		echo "not ok - mutant '${whats[i]}': '${olds[i]}' occurs $n times in ${files[i]}, not once"
		bad=$((bad + 1))
	fi
done
if [ "$bad" != 0 ]; then
	echo "$bad patterns do not match exactly once: nothing run"
	echo "0 passed, $bad failed"
	exit 1
fi

# --- 2. one copy of the tree, built (only the mutated file is recompiled
# each time; its original is put back after each mutant)
if ! cp -a "$src" "$tree" || ! rm -rf "$tree/.git"; then
	echo "cannot copy $src to $tree"
	echo "0 passed, $total failed"
	exit 1
fi
build_tree() {
	make -C "$tree" BUILD="$build" check-build-tests </dev/null >"$work/build.log" 2>&1
}
if ! build_tree; then
	echo "the unmutated copy does not build:"
	tail -20 "$work/build.log"
	echo "0 passed, $total failed"
	exit 1
fi
mkdir -p "$work/pcaps"
for c in $("$tree/$build/tests/tool_pcapgen" --list); do
	case $c in mixed | many_flows | random) continue ;; esac
	"$tree/$build/tests/tool_pcapgen" "$c" "$work/pcaps/$c.pcap" 2>/dev/null
done
export BUILD=$build PCAPS=$work/pcaps

# run_tests SPEC LOG: 0 if the tests pass. Their stdin is /dev/null (as
# tests/run.sh gives each test): whatever this script was started with (a
# terminal, a pipe, a closed descriptor from a background shell) is not
# theirs to read.
run_tests() {
	if [ "${1:0:1}" = "!" ]; then
		(cd "$tree" && bash -c "${1:1}") </dev/null >"$2" 2>&1
	else
		# shellcheck disable=SC2086 # the filters, as words
		(cd "$tree" && tests/run.sh "$build" $1) </dev/null >"$2" 2>&1
	fi
}

# --- 3. the baseline: every mutant's tests pass on the unmutated copy
declare -A seen=()
for t in "${tests[@]}"; do
	[ -n "${seen[$t]:-}" ] && continue
	seen[$t]=1
	if ! run_tests "$t" "$work/base.log"; then
		echo "the unmutated tree fails '$t': no mutant can be judged by it"
		grep -E '^ *not ok|^# ' "$work/base.log" | head -10 | sed 's/^/    /'
		tail -3 "$work/base.log" | sed 's/^/    /'
		echo "0 passed, $total failed"
		exit 1
	fi
done
echo "# baseline: the tests of every mutant pass unmutated ($((SECONDS - start)) s)"

# --- 4. the mutants
caught=0 missed=0 na=0
for i in "${!files[@]}"; do
	t0=$SECONDS
	f=$tree/${files[i]}
	label="mutant $((i + 1))/$total '${whats[i]}' (${files[i]})"
	if ! cp "$f" "$work/orig" ||
		! python3 - "$f" "${olds[i]}" "${news[i]}" <<'PY'; then
import sys
p, old, new = (a.replace("\\n", "\n").replace("\\t", "\t") for a in sys.argv[1:])
s = open(p).read()
if s.count(old) != 1:
    sys.exit(f"{old!r} occurs {s.count(old)} times")
open(p, "w").write(s.replace(old, new))
PY
		echo "not ok - $label: not applicable, the copy or the edit failed"
		na=$((na + 1))
		cp "$work/orig" "$f" 2>/dev/null
		continue
	fi
	if ! build_tree; then
		echo "not ok - $label: not applicable, it does not build"
		grep -m3 -E 'error|Error' "$work/build.log" | sed 's/^/    /'
		na=$((na + 1))
	elif run_tests "${tests[i]}" "$work/test.log"; then
		echo "not ok - $label survived '${tests[i]}' ($((SECONDS - t0)) s)"
		missed=$((missed + 1))
	else
		how=$(grep -m1 -E '^ *not ok' "$work/test.log" | sed 's/^ *//')
		echo "ok - $label caught by ${how:-'${tests[i]}' failing} ($((SECONDS - t0)) s)"
		caught=$((caught + 1))
	fi
	# The original back, newer than the mutant's objects.
	cp "$work/orig" "$f"
	touch "$f"
done

applicable=$((caught + missed))
echo
echo "mutation score: $caught caught of $applicable applicable" \
	"($((applicable ? 100 * caught / applicable : 0))%), $na not applicable, $((SECONDS - start)) s"
echo "$caught passed, $((missed + na)) failed"
[ $((missed + na)) = 0 ]
exit
MUTANTS
# file @@ text (exactly once) @@ replacement @@ tests @@ what it plants
# --- the earlier set
inspect/metrics.h @@ if (wire_len <= 64) @@ if (wire_len < 64) @@ test_metrics @@ off-by-one in the 64-byte size bucket
inspect/parse.c @@ if (cap < TCP_MIN_HLEN) {\n\t\t\tpi->malformed = PKT_MAL_TCP_TRUNCATED; @@ if (cap < TCP_MIN_HLEN) {\n\t\t\tpi->malformed = PKT_OK; @@ test_parse @@ a truncated TCP header not counted as malformed
capture/ledger.c @@ d = d - q->sock.rx_dropped - q->sock.rx_ring_full @@ d = d - q->sock.rx_ring_full @@ test_ledger @@ the socket's drops left out of the ledger
capture/ledger.c @@ total += d; @@ total = d; @@ test_ledger @@ the ledger's total is the last queue's, not the sum
util/u64json.c @@ if (json_integer_value(v) < 0) @@ if (json_integer_value(v) < -1) @@ test_ledger @@ a negative counter read from a record
util/u64json.c @@ if (n <= INT64_MAX) @@ if (n < 5) @@ test_u64json @@ a counter below 2^63 read from a string
util/opttab.c @@ if (value[0] == '-')\n\t\t\tpush(ctx, "--"); @@ if (0)\n\t\t\tpush(ctx, "--"); @@ test_capture_opts @@ an interface named like an option written without --
inspect/capfile.c @@ c.fcs = 2 * CAPFILE_LT_FCS_WORDS(ext); @@ c.fcs = 0; @@ t_read_errors @@ the FCS counted as frame bytes
util/optval.c @@ if (hi < lo) @@ if (hi < lo - 1) @@ test_optval @@ a list range reversed by one accepted
cmd/detach.c @@ flush == (long)iface_safe_deferral_ns(&path) @@ flush == 1 @@ t_live$ @@ detach no longer resets the IRQ deferral xdpi sized
xsk/xsk.h @@ #define XDPI_XSK_BIND_TIMEOUT_MS 2000 @@ #define XDPI_XSK_BIND_TIMEOUT_MS 0 @@ t_rate @@ no wait for the kernel to release a queue
xsk/worker.c @@ xdpi_xsk_rx_done(w->xsk, idx, n); @@ xdpi_xsk_rx_done(w->xsk, idx, n > 1 ? n - 1 : n); @@ t_rate @@ the worker returns one frame too few per batch
bpf/classify.bpf.h @@ r->pc += r->a >= r->x ? jt : jf; @@ r->pc += r->a > r->x ? jt : jf; @@ ! build/tests/tool_filtercheck --raw --raw-name 'JGE by X' --no-builtin -e 'ip[6:2] & 0x1fff != 0 or ip6[6] = 44' -e 'ether[12:2] % 7 = 3 or len / 3 > 100' $PCAPS/*.pcap @@ the filter interpreter's JGE by X compares strictly
bpf/classify.bpf.h @@ r->a = v < 32 ? r->a << v : 0; @@ r->a = r->a << (v & 31); @@ ! build/tests/tool_filtercheck --raw --raw-name 'shift left by X' --no-builtin -e 'ip[6:2] & 0x1fff != 0 or ip6[6] = 44' -e 'ether[12:2] % 7 = 3 or len / 3 > 100' $PCAPS/*.pcap @@ the filter interpreter shifts by X modulo 32
inspect/filter.c @@ \treturn xdpi_filter_keyword(word); @@ \treturn -EINVAL; @@ test_filter @@ the keywords compiled as libpcap expressions
# --- the flow table
inspect/flow_tcp.c @@ if (sender != __atomic_load_n(&f->initiator, __ATOMIC_RELAXED) ||\n\t    pi->tcp_ack != f->server_isn + 1) { @@ if (sender != __atomic_load_n(&f->initiator, __ATOMIC_RELAXED) ||\n\t    pi->tcp_ack != f->server_isn) { @@ test_flows t_tcprules @@ the handshake's last ACK checked against the ISN, not ISN + 1
inspect/flow_tcp.c @@ if (!f->simultaneous && w->now_ns >= syn_ns)\n\t\t__atomic_store_n(&f->rtt_ns, (int64_t)(w->now_ns - syn_ns) @@ if (!f->simultaneous && w->now_ns >= syn_ns)\n\t\t__atomic_store_n(&f->rtt_ns, (int64_t)(w->now_ns - syn_ns) / 2 @@ test_flows t_tcprules @@ the RTT halved
inspect/flow_maint.c @@ why == FLOW_END_TIMEOUT ? ft->cfg.timeout_ns : ft->cfg.closed_timeout_ns @@ ft->cfg.timeout_ns @@ test_flows t_flows_conv @@ closed flows held for the idle timeout
inspect/flow_maint.c @@ if ((now_ns > last && now_ns - last >= timeout) || @@ if ((now_ns > last && now_ns - last >= 2 * timeout) || @@ test_flows t_flows_conv @@ flows expire at twice their timeout
inspect/flows.c @@ flow_evict_idlest(ft, ft->cfg.max_flows - ft->cfg.max_flows / 8 * 7); @@ flow_evict_idlest(ft, 0); @@ test_flows t_flows$ @@ a full table evicts nothing
inspect/flow_tcp.h @@ return true; /* no ISN of this end to compare with */ @@ return false; @@ test_flows @@ a SYN after a handshake seen from the SYN-ACK is no reuse
inspect/flow_tcp.c @@ if (!f->simultaneous && w->now_ns >= syn_ns) @@ if (w->now_ns >= syn_ns) @@ test_flows @@ a simultaneous open given an RTT
# --- the peeks
inspect/peek.c @@ return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); @@ return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff) && !v; @@ test_peek @@ GREASE versions counted as TLS versions
inspect/peek.c @@ } else if (b >= 0x20 && b < 0x7f) { @@ } else if (b >= 0x20 && b <= 0x7f) { @@ test_peek @@ DEL passed through peek_sanitize() unescaped
inspect/peek.c @@ return c >= 'A' && c <= 'Z' ? (uint8_t)(c | 0x20) : c; @@ return c; @@ test_peek @@ the Host header matched case-sensitively
inspect/peek.c @@ if (type == TLS_EXT_SERVER_NAME && !sni) { @@ if (type == TLS_EXT_SERVER_NAME + 1 && !sni) { @@ test_peek @@ the SNI extension not recognised
# --- the ledger
capture/ledger.c @@ q->xdp.redirected + q->xdp.copied + q->xdp.copied_out - @@ q->xdp.redirected + q->xdp.copied_out - @@ test_ledger @@ frames copied by the program left out of the ledger
capture/ledger.c @@ q->xdp.redirected + q->xdp.copied + q->xdp.copied_out - @@ q->xdp.redirected + q->xdp.copied - @@ test_ledger @@ frames sent that the egress program copied left out of the ledger
# --- both directions and time stamps (issue 27)
inspect/flow_tcp.c @@ else if (syn_ack == PKT_TCP_ACK && st == FLOW_TCP_SYN_SENT) @@ else if (syn_ack == PKT_TCP_ACK && st == FLOW_TCP__MAX) @@ test_flows @@ an ACK of a SYN-ACK not seen no longer completes the handshake
inspect/flow_tcp.h @@ if (st == FLOW_TCP_SYN_SENT && ft->cfg.one_direction) @@ if (st == FLOW_TCP_SYN_SENT && ft->cfg.one_direction && ft->cfg.max_flows == 1) @@ test_flows @@ a lone SYN counted half-open in a capture of one direction
inspect/flow_maint.c @@ r->one_way = !r->packets_toserver || !r->packets_toclient; @@ r->one_way = !r->packets_toserver && !r->packets_toclient; @@ test_flows @@ a flow of one direction not marked one-way
xsk/worker.c @@ w->copies_out += rec->flags & XDPI_COPY_OUT; @@ w->copies_out += 0; @@ t_bothways @@ the frames sent, inspected, not counted apart in the ledger
xsk/worker.c @@ pipeline_clock(&w->pipe, meta->rx_timestamp_ns + mono_to_wall); @@ pipeline_clock(&w->pipe, batch_mono + mono_to_wall); @@ t_bothways @@ steering dates flows by batch, not by the program's stamp
xsk/worker.c @@ uint8_t *frame = xdpi_xsk_frame(x, d->addr) + w->meta_head; @@ uint8_t *frame = xdpi_xsk_frame(x, d->addr); @@ t_write @@ the worker reads the struct the XDP program put in the frame's head as the frame
bpf/xdpi.bpf.c @@ if (head_bytes) /* the stack gets the frame as it came */\n\t\t\tbpf_xdp_adjust_head(ctx, head_bytes); @@ if (head_bytes) /* the stack gets the frame as it came */\n\t\t\t; @@ ! build/tests/tool_filtercheck --head --no-builtin $PCAPS/*.pcap @@ a frame no socket takes goes to the kernel with the struct still in its head
bpf/xdpi.bpf.c @@ rec->flags = XDPI_COPY_OUT; @@ rec->flags = 0; @@ t_bothways @@ the egress program's copies not flagged as frames sent
bpf/xdpi.bpf.c @@ #define CLS_LEN(ctx) ((ctx)->len) @@ #define CLS_LEN(ctx) ((ctx)->len + 1) @@ ! build/tests/tool_filtercheck --egress --raw --no-builtin $PCAPS/*.pcap @@ the egress program's length one off
capture/ledger.c @@ return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : (int64_t)v; @@ return (int64_t)v; @@ test_ledger @@ an unexplained count past 2^63 wraps
capture/ledger_report.c @@ \t*over = true;\n\treturn UINT64_MAX; @@ \t*over = true;\n\treturn s; @@ test_ledger @@ a sum past 2^64 wraps in the table
capture/ledger_report.c @@ qid != i @@ qid < i @@ test_ledger @@ a record's queues out of order accepted
capture/ledger_report.c @@ if (l->unexplained == 0) @@ if (l->unexplained <= 0) @@ test_ledger @@ more frames inspected than redirected shown as a closed ledger
# --- HyperLogLog
inspect/hll.c @@ if (src->reg[i] > dst->reg[i]) @@ if (src->reg[i] < dst->reg[i]) @@ test_hll @@ a merge keeps the smaller register
inspect/hll.c @@ h->hist[h->reg[idx]]--; @@ (void)0; @@ test_hll @@ a raised register's old rank stays in the histogram
inspect/hll.c @@ return m * m / (2 * M_LN2) / z; @@ return m * m / (2 * M_LN2) / z * 1.05; @@ test_hll @@ the estimate 5% high
inspect/hll.c @@ for (int k = q; k >= 1; k--) @@ for (int k = q; k >= 2; k--) @@ test_hll @@ rank 1 left out of the estimator
# --- the filters
bpf/classify.bpf.h @@ \t*off = r->x + k;\n\treturn *off < k ? -1 : 0; @@ \t*off = r->x + k;\n\treturn 0; @@ ! build/tests/tool_filtercheck --raw --raw-name 'an indirect load whose offset wraps' --no-builtin -e 'ip[6:2] & 0x1fff != 0 or ip6[6] = 44' -e 'ether[12:2] % 7 = 3 or len / 3 > 100' $PCAPS/*.pcap @@ an indirect load whose offset wraps not rejected
bpf/classify.bpf.h @@ r->x = (v & 0xf) << 2; @@ r->x = (v & 0xf) << 1; @@ ! build/tests/tool_filtercheck --raw --raw-name 'msh and indirect word' --no-builtin -e 'ip[6:2] & 0x1fff != 0 or ip6[6] = 44' -e 'ether[12:2] % 7 = 3 or len / 3 > 100' $PCAPS/*.pcap @@ the filter interpreter's MSH scales the IHL by 2
bpf/classify.bpf.h @@ r->a %= v; @@ r->a /= v; @@ ! build/tests/tool_filtercheck --raw --raw-name 'modulo by an X' --no-builtin -e 'ip[6:2] & 0x1fff != 0 or ip6[6] = 44' -e 'ether[12:2] % 7 = 3 or len / 3 > 100' $PCAPS/*.pcap @@ the filter interpreter's MOD divides
bpf/classify.bpf.h @@ r->pc += r->a & k ? jt : jf; @@ r->pc += r->a == k ? jt : jf; @@ ! build/tests/tool_filtercheck --raw --raw-name 'conditional jumps by K and X' --no-builtin -e 'ip[6:2] & 0x1fff != 0 or ip6[6] = 44' -e 'ether[12:2] % 7 = 3 or len / 3 > 100' $PCAPS/*.pcap @@ the filter interpreter's JSET by K compares
inspect/filter.c @@ \tfor (int i = 0; i < 2; i++) {\n\t\tif (type != 0x8100 && type != 0x88a8) @@ \tfor (int i = 0; i < 1; i++) {\n\t\tif (type != 0x8100 && type != 0x88a8) @@ test_filter @@ the keywords see through one VLAN tag only
inspect/filter.c @@ f->insns[i].jt = prog.bf_insns[i].jt; @@ f->insns[i].jt = prog.bf_insns[i].jf; @@ test_filter @@ a compiled expression's jumps swapped
# --- least privilege
capture/privdrop.c @@ \tif (o->keep_privileges)\n\t\treturn 0;\n\t/* call_rcu() wants @@ \tif (o->keep_privileges || 1)\n\t\treturn 0;\n\t/* call_rcu() wants @@ t_privs @@ the call_rcu thread never enters its sandbox
util/sandbox.c @@ [SANDBOX_WORKER] = {"worker", none, worker_on_fd, 0}, @@ [SANDBOX_WORKER] = {"worker", http_any, worker_on_fd, 0}, @@ test_sandbox @@ a worker allowed the HTTP thread's calls
util/sandbox.c @@ ret = sandbox_rule(ctx, "mmap", 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)); @@ ret = sandbox_rule(ctx, "mmap", 0, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)); @@ test_sandbox @@ executable memory allowed in every sandbox
util/sandbox.c @@ ret = privs_shed_thread();\n\tif (!ret) @@ ret = 0;\n\tif (!ret) @@ test_sandbox @@ a sandboxed thread keeps its capabilities
# --- the verdict across bench runs, the filters made in advance
bench/history.c @@ return lo->upper > 0 && hi->lower >= lo->upper * (1 + BENCH_STEADY_MARGIN); @@ return lo->upper > 0 && hi->ndr.median >= lo->upper * (1 + BENCH_STEADY_MARGIN); @@ test_benchhist @@ receivers ranked apart across runs by their median, not by what every run backs
bench/history.c @@ if (*n == max) { @@ if (*n == max + 1) { @@ test_benchhist @@ the history keeps more runs than the verdict spans
util/sandbox.c @@ out[i].k = (uint32_t)fd; @@ out[i].k = (uint32_t)fd + 1; @@ test_sandbox @@ a prepared filter given the wrong descriptor
# --- the generator's loop (kernels without live frames)
bpf/gen.bpf.c @@ if (loop.stop || now >= loop.deadline_ns || @@ if (loop.stop || @@ t_gen @@ the loop runs past its deadline when its process is stopped
bpf/gen.bpf.c @@ credit = (now - loop.base_ns) * loop.rate; @@ credit = (now - loop.base_ns) * loop.rate * 10; @@ t_gen @@ the paced loop sends ten times the rate asked for
bench/history.c @@ ndr[i] = runs[i].rx[r].ndr / c->ndr; @@ ndr[i] = runs[i].rx[r].ndr / runs[0].rx[BENCH_CEILING].ndr; @@ test_benchhist @@ a receiver's NDR held to the first run's ceiling, not its own run's
bench/generator.c @@ if (++reseeds > GEN_LOOP_MAX_RESEEDS) { @@ if (++reseeds > GEN_LOOP_MAX_RESEEDS * 1000) { @@ t_gen @@ a loop that never goes round is seeded on and on
