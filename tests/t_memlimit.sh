#!/bin/bash
# xdpi live under an address-space limit (ulimit -v) that runs out while its
# threads start and enter their sandboxes: every run either gets ready or
# exits 1 saying why, none dies of a signal, and none leaves its XDP program
# attached. libseccomp 2.5 crashed (SIGSEGV in seccomp_load()) when an
# allocation failed while it built a thread's filter, which left the
# program attached (util/sandbox.c: filters are now made at start). The
# oracle is the kernel: the exit status and the interface's XDP program.
. tests/lib.sh
. bench/testbed.sh
t_tmpdir
XDPI=$(realpath "$XDPI")
. tests/lib_live.sh
live_test_begin "address-space limit tests" m

if ! sh -c 'ulimit -v 170000; exec "$1" --version' sh "$XDPI" >/dev/null 2>&1; then
	t_skip "address-space limits" "this build cannot run under ulimit -v (sanitizers reserve their shadow memory)"
	t_done
	exit
fi
live_testbed_up

# limited KIB: a short run under ulimit -v KIB; its exit status (128 + N for
# signal N) and stderr in $T_TMP/lim.err.
limited() {
	ip netns exec "$TB_DUT" sh -c 'ulimit -c 0; ulimit -v "$1"; shift; exec "$@"' sh "$1" \
		"$XDPI" live --takeover --duration 0.3 --interval 0 --max-flows 65536 "$TB_DUT_IF" \
		>/dev/null 2>"$T_TMP/lim.err"
}

# The lowest limit (within 256 KiB) at which a run gets ready: set-up and
# the threads' start are then where memory runs out.
lo=32768
hi=1048576
if ! limited $hi; then
	t_fail "a run under ulimit -v $hi gets ready" "$(tail -3 "$T_TMP/lim.err")"
	t_done
	exit
fi
while [ $((hi - lo)) -gt 256 ]; do
	mid=$(((lo + hi) / 2))
	if limited "$mid"; then hi=$mid; else lo=$mid; fi
	ip netns exec "$TB_DUT" "$XDPI" detach "$TB_DUT_IF" >/dev/null 2>&1
done
echo "# lowest limit that got ready: about $hi KiB"

# Around it, in 128 KiB steps: each run ready or refused, none killed,
# nothing left attached.
bad=""
runs=0
for kib in $(seq $((hi - 1536)) 128 $((hi + 2048))); do
	limited "$kib"
	rc=$?
	runs=$((runs + 1))
	att=$(xdp_attached_dut)
	if [ "$rc" -gt 1 ] || [ -n "$att" ]; then
		bad="$bad $kib KiB: exit $rc, attached '${att}': $(grep -v '^$' "$T_TMP/lim.err" | tail -1);"
		ip netns exec "$TB_DUT" "$XDPI" detach "$TB_DUT_IF" >/dev/null 2>&1
	elif [ "$rc" = 1 ] && ! grep -q "xdpi live: " "$T_TMP/lim.err"; then
		bad="$bad $kib KiB: exit 1 without a reason;"
	fi
done
t_eq "$runs runs under limits around set-up's need: no signal, nothing left attached" \
	"${bad:-OK}" "OK"

t_done
