#!/bin/bash
# Fuzzes pkt_parse() and metrics_account() (tests/fuzz_parse.c) for a bounded
# time, starting from a few seed frames written below, and reports one TAP
# line: not ok if the fuzzer binary is missing or if it found a crash, an
# overread or a broken invariant. Everything it writes (corpus, artifacts)
# stays in a temporary directory; a crashing input is shown as hex.
#   tests/t_fuzz.sh BUILD_DIR        (FUZZ_TIME=seconds, default 55)
. "$(dirname "$0")/lib.sh"

FUZZ_TIME=${FUZZ_TIME:-55}
name="fuzz_parse: ${FUZZ_TIME}s of pkt_parse + metrics_account without a crash"
fuzzer=$BUILD/fuzz/fuzz_parse

if [ ! -x "$fuzzer" ]; then
	t_fail "$name" "no fuzzer binary at $fuzzer (make check-build builds it with clang)"
	t_done
	exit
fi
fuzzer=$(cd "$(dirname "$fuzzer")" && pwd)/$(basename "$fuzzer")
t_tmpdir
mkdir -p "$T_TMP/corpus" "$T_TMP/artifacts"

# Seed frames, one per line: name, then the frame in hex.
while read -r seed hex; do
	[ -n "$seed" ] || continue
	printf '%b' "$(printf '%s' "$hex" | sed 's/../\\x&/g')" >"$T_TMP/corpus/$seed"
done <<'SEEDS'
ipv4-tcp-syn 02000000000202000000000108004500003c1234000040069c800a000001c00002079c400050000003e800000000a002ffff00000000020405b40402080a000000010000000001030307
ipv4-udp-dns 0200000000020200000000010800450000221234000040119c8f0a000001c000020714e90035000e0000123401000001000000000000000000000000
vlan-ipv4-icmp 020000000002020000000001810000640800450000241234000040019c9d0a000001c000020708000000000100016162636465666768
qinq-ipv6-tcp 02000000000202000000000188a8000a8100001486dd600000000019064020010db800000000000000000000000120010db800000000000000000000000201bbc350000003e8000000005018ffff0000000068656c6c6f
ipv6-ext-chain-udp 02000000000202000000000186dd60000000002b004020010db800000000000000000000000120010db80000000000000000000000023c000000000000002b000000000000002c00000000000000110000010000000100010002000b000078797a
ipv6-frag-later 02000000000202000000000186dd6000000000182c4020010db800000000000000000000000120010db8000000000000000000000002060003200000000230313233343536373839616263646566
ipv6-frag-chain-tcp 02000000000202000000000186dd60000000002c2c4020010db800000000000000000000000120010db80000000000000000000000022c000001000000032c00000100000003060000010000000300010002000003e8000000005011ffff00000000
arp-request 020000000002020000000001080600010800060400010200000000010a0000010000000000000a000002000000000000000000000000000000000000
ipv4-icmp-error 0200000000020200000000010800450000441234000040019c7d0a000001c00002070303000000000000450000281234000040067c58c0000207c63364091e6122b8000003e8000000005002ffff00000000
ipv6-icmpv6-ns 02000000000202000000000186dd6000000000183a4020010db800000000000000000000000120010db8000000000000000000000002870000000000000020010db8000000000000000000000002
ipv4-opts-frag-tcp 020000000002020000000001080046000030123420004006798b0a000001c00002070101010000010002000003e8000000005010ffff0000000064617461
SEEDS

# libFuzzer writes crash-*, leak-*, timeout-* at -artifact_prefix; run it from
# the temporary directory too, so that nothing can land in the repository.
(cd "$T_TMP" && "$fuzzer" -max_total_time="$FUZZ_TIME" -max_len=2048 -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$T_TMP/artifacts/" \
	"$T_TMP/corpus" >"$T_TMP/log" 2>&1)
rc=$?
artifact=$(find "$T_TMP/artifacts" -type f | head -1)

if [ "$rc" = 0 ] && [ -z "$artifact" ]; then
	t_ok "$name"
	grep -E '^stat::number_of_executed_units|^INFO: Seed' "$T_TMP/log" | sed 's/^/# /'
else
	t_fail "$name" "fuzzer exited with status $rc"
	grep -E 'INFO: Seed|ERROR|invariant|SUMMARY|runtime error|^    #[0-3] ' "$T_TMP/log" |
		head -12 | sed 's/^/# /'
	if [ -n "$artifact" ]; then
		echo "# input $(basename "$artifact") ($(wc -c <"$artifact") bytes):"
		od -An -tx1 -v "$artifact" | head -40 | sed 's/^/#/'
	fi
fi
t_done
