#!/bin/bash
# xdpi interfaces on the veth testbed: the DUT end shows up with its queues,
# its driver, its link state, native XDP without zero-copy (what veth has),
# whether xdpi live needs --takeover for it and why, and the program
# attached while xdpi live runs; text and JSON agree. Needs root
# (namespaces); the listing itself needs no privilege (checked as nobody).
. tests/lib.sh
. bench/testbed.sh
t_tmpdir
XDPI=$(realpath "$XDPI")
. tests/lib_live.sh
live_test_begin "interfaces tests" i

testbed_up 2 "$TB_ID" || { t_fail "testbed up"; t_done; exit; }
# The carrier of a new veth pair comes up a moment after the link does.
for _ in $(seq 50); do
	[ "$(ip netns exec "$TB_DUT" cat "/sys/class/net/$TB_DUT_IF/operstate")" = up ] && break
	sleep 0.1
done

ifs() { testbed_dut "$XDPI" interfaces "$@"; }
# dut EXPR: a python expression over the DUT interface's JSON entry `i`
dut() {
	ifs --json >"$T_TMP/ifs.json" || return 1
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); i=[x for x in d['interfaces'] if x['name']==sys.argv[2]][0]; print($1)" \
		"$T_TMP/ifs.json" "$TB_DUT_IF"
}

ifs >"$T_TMP/ifs.txt"
t_eq "interfaces: exit 0" "$?" 0
t_check "text: a header and a row for lo and for the veth" \
	sh -c "head -1 '$T_TMP/ifs.txt' | grep -q '^interface *queues *driver' &&
		grep -q '^lo ' '$T_TMP/ifs.txt' && grep -q '^$TB_DUT_IF ' '$T_TMP/ifs.txt'"
row=$(grep "^$TB_DUT_IF " "$T_TMP/ifs.txt")
t_check "text: the veth has 2 queues, driver veth, link up" \
	grep -qE "^$TB_DUT_IF +2 +veth +up " <<<"$row"
t_check "text: the veth needs --takeover for its address (the line under its row)" \
	sh -c "grep -A1 '^$TB_DUT_IF ' '$T_TMP/ifs.txt' | tail -1 | grep -qE '^ +needs --takeover: 1 address$'"
t_check "text: every line fits 80 columns" \
	sh -c "! awk 'length(\$0) > 80' '$T_TMP/ifs.txt' | grep -q ."

t_eq "JSON: queues, driver, link, addresses" \
	"$(dut '(i["rx_queues"], i["driver"], i["link"]["state"], i["link"]["operstate"], i["addresses"], i["host_addresses"])')" \
	"(2, 'veth', 'up', 'up', ['$TB_DUT_IP'], 1)"
t_eq "JSON: the guard would refuse it, for its address" \
	"$(dut '(i["guard"]["needs_takeover"], i["guard"]["reasons"], i["guard"]["summary"])')" \
	"(True, ['address'], '1 address')"
t_eq "JSON: no XDP program attached" "$(dut 'i["xdp_program"]')" "None"
if [ "$(dut 'i["xdp_features"] is None')" = True ]; then
	t_skip "veth: native XDP, no zero-copy" "the kernel does not report XDP features (before 6.3)"
else
	t_eq "JSON: veth has native XDP and no AF_XDP zero-copy" \
		"$(dut '(i["xdp_features"]["native"], i["xdp_features"]["zerocopy"], "basic" in i["xdp_features"]["flags"], "xsk-zerocopy" in i["xdp_features"]["flags"])')" \
		"(True, False, True, False)"
	t_check "text: native yes, zero-copy no" grep -qE "  yes +no +takeover$" <<<"$row"
fi

# While xdpi live runs, its program is on the hook: on veth the variant
# that reads the driver's metadata, with --no-rx-metadata the plain one.
if live_start run --interval 0; then
	t_eq "JSON: the steering program attached while xdpi live runs" \
		"$(dut '(i["xdp_program"]["name"], i["xdp_program"]["mode"], i["xdp_program"]["id"] > 0)')" \
		"('xdpi_meta', 'native', True)"
	t_check "text: the program in the xdp program column" \
		sh -c "ip netns exec '$TB_DUT' '$XDPI' interfaces '$TB_DUT_IF' | grep -q 'xdpi_meta (native)'"
	kill -INT "$LIVE_PID"
	wait "$LIVE_PID"
else
	t_fail "live started" "$(cat "$T_TMP/run.err")"
fi
if live_start plain --interval 0 --no-rx-metadata; then
	t_eq "JSON: --no-rx-metadata attaches the plain steering program" \
		"$(dut '(i["xdp_program"]["name"], i["xdp_program"]["mode"])')" "('xdpi_steer', 'native')"
	kill -INT "$LIVE_PID"
	wait "$LIVE_PID"
else
	t_fail "live started (--no-rx-metadata)" "$(cat "$T_TMP/plain.err")"
fi

# Without its address it is a capture port.
ip -n "$TB_DUT" addr flush dev "$TB_DUT_IF"
t_eq "JSON: no address, a capture port" \
	"$(dut '(i["guard"]["needs_takeover"], i["guard"]["reasons"], i["addresses"])')" \
	"(False, [], [])"
t_check "text: says ok (a capture port)" \
	sh -c "ip netns exec '$TB_DUT' '$XDPI' interfaces '$TB_DUT_IF' | grep -qE '^$TB_DUT_IF .* ok$'"
ip -n "$TB_DUT" link set "$TB_DUT_IF" down
t_eq "JSON: a link set down shows as down" "$(dut '(i["link"]["state"], i["link"]["up"])')" \
	"('down', False)"

# Named interfaces only; an unknown one is an error; no privilege needed.
t_eq "interfaces IFACE: one row after the header" \
	"$(ip netns exec "$TB_DUT" "$XDPI" interfaces "$TB_DUT_IF" | wc -l)" 2
ip netns exec "$TB_DUT" "$XDPI" interfaces xdpi-nope >/dev/null 2>"$T_TMP/nope.err"
t_eq "interfaces with an unknown name: exit 1, named" \
	"$?/$(grep -c "no interface 'xdpi-nope'" "$T_TMP/nope.err")" "1/1"
ip netns exec "$TB_DUT" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$XDPI" interfaces --json >"$T_TMP/nobody.json" 2>&1
t_eq "as nobody: exit 0, the veth listed" \
	"$?/$(python3 -c "import json,sys; print(any(x['name']==sys.argv[2] for x in json.load(open(sys.argv[1]))['interfaces']))" "$T_TMP/nobody.json" "$TB_DUT_IF")" \
	"0/True"

t_done
