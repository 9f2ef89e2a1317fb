#!/bin/bash
# The systemd unit dist/xdpi@.service run by systemd on the veth testbed,
# where systemd is this machine's init: a copy of the unit as a template of
# its own (xdpi-test-ID@.service under /run/systemd/system), nothing
# changed but the binary (this build's xdpi), the interface's device
# dependency (the DUT's veth lives in a namespace, where udev makes no
# device unit), the namespace (NetworkNamespacePath=) and the --takeover
# the testbed's addressed interface needs. Checks: the unit starts and
# attaches; `systemctl show` has the sandboxing of the shipped unit
# (NoNewPrivileges, ProtectSystem=strict, the capability bounding set, the
# address families); /proc/MAINPID/status: NoNewPrivs 1, Seccomp 2 in
# every thread but the main one's set-up, CapEff within the bounding set;
# inside its mount namespace /etc is read-only and /var/log/xdpi writable;
# replayed traffic reaches its JSON-lines file (tshark's TCP streams of the
# pcap, 12); `systemctl stop` leaves nothing attached and no lock.
# Where PID 1 is not systemd (containers, this project's VMs: PID 1 is
# the VM's agent and `systemctl is-system-running` says offline), the
# whole script skips with that reason: a systemd started here as a nested
# PID 1 over the host's root (no systemd-nspawn) hangs in its set-up, and
# the unit's device dependency needs udev anyway.
. tests/lib.sh
. bench/testbed.sh
. tests/lib_live.sh
t_require_root "the systemd unit under systemd"
pid1=$(cat /proc/1/comm 2>/dev/null)
state=$(systemctl is-system-running 2>/dev/null)
if [ "$pid1" != systemd ] || [[ $state != running && $state != degraded ]]; then
	t_skip "the systemd unit under systemd" \
		"PID 1 is '$pid1', not systemd (systemctl is-system-running: '${state:-nothing}'): no manager to run the unit"
	t_done
	exit 0
fi
live_test_begin "the systemd unit under systemd" sd
UNIT=xdpi-test-$$
trap 'systemctl stop "$UNIT@xdpi-d.service" 2>/dev/null; rm -f /run/systemd/system/$UNIT@.service;
	systemctl daemon-reload; rm -f /var/log/xdpi/xdpi-d.jsonl; live_watchdogs_kill; testbed_down;
	rm -rf "$T_TMP"' EXIT

"$TOOLS/tool_pcapgen" handshakes "$T_TMP/hs.pcap" || t_fail "tool_pcapgen handshakes"
want=$(tshark -n -r "$T_TMP/hs.pcap" -Y tcp -T fields -e tcp.stream 2>/dev/null | sort -u | wc -l)
testbed_up 1 "$TB_ID" || {
	t_fail "testbed up"
	t_done
	exit 1
}

sed -e "s|/usr/sbin/xdpi|$XDPI|g" \
	-e '/^BindsTo=sys-subsystem-net-devices/d' -e 's|^After=sys-subsystem-net-devices-%i.device |After=|' \
	-e "s|^ExecStart=\(.*\) %I$|ExecStart=\1 --takeover %I|" \
	-e "s|^\[Service\]|[Service]\nNetworkNamespacePath=/run/netns/$TB_DUT\nEnvironment=XDPI_CONFIG=/dev/null|" \
	dist/xdpi@.service >/run/systemd/system/$UNIT@.service
t_eq "the copy differs from dist/xdpi@.service in those lines only" \
	"$(diff dist/xdpi@.service /run/systemd/system/$UNIT@.service | grep -c '^[<>]')" 9
systemctl daemon-reload
rm -f /var/log/xdpi/xdpi-d.jsonl
systemctl start "$UNIT@xdpi-d.service"
t_eq "systemctl start: exit 0" "$?" 0
attached() { [ -n "$(xdp_attached_dut)" ]; }
for _ in $(seq 100); do attached && break; sleep 0.1; done
t_check "the unit's xdpi attached to the DUT interface" attached
main=$(systemctl show -P MainPID "$UNIT@xdpi-d.service")
t_check "it runs (MainPID $main)" [ "$main" -gt 0 ]

show() { systemctl show -P "$1" "$UNIT@xdpi-d.service"; }
t_eq "NoNewPrivileges" "$(show NoNewPrivileges)" yes
t_eq "ProtectSystem" "$(show ProtectSystem)" strict
t_eq "PrivateTmp, PrivateDevices, ProtectHome" \
	"$(show PrivateTmp) $(show PrivateDevices) $(show ProtectHome)" "yes yes yes"
bound=$(show CapabilityBoundingSet)
t_eq "CapabilityBoundingSet as shipped" "$(tr ' ' '\n' <<<"$bound" | sort | tr '\n' ' ')" \
	"$(grep '^CapabilityBoundingSet=' dist/xdpi@.service | cut -d= -f2 | tr ' ' '\n' | tr A-Z a-z | sort | tr '\n' ' ')"
t_eq "RestrictAddressFamilies as shipped" "$(show RestrictAddressFamilies | tr ' ' '\n' | sort | tr '\n' ' ')" \
	"$(grep '^RestrictAddressFamilies=' dist/xdpi@.service | cut -d= -f2 | tr ' ' '\n' | sort | tr '\n' ' ')"
# Once set up, every thread: no new privileges, a seccomp filter.
wait_err_journal() {
	journalctl -q -u "$UNIT@xdpi-d.service" -o cat | grep -q "ready:"
}
for _ in $(seq 100); do wait_err_journal && break; sleep 0.1; done
bad=""
for t in /proc/"$main"/task/*; do
	nnp=$(awk '/^NoNewPrivs:/ {print $2}' "$t/status")
	sc=$(awk '/^Seccomp:/ {print $2}' "$t/status")
	[ "$nnp" = 1 ] && [ "$sc" = 2 ] || bad="$bad $(cat "$t/comm"):nnp=$nnp,seccomp=$sc"
done
t_eq "every thread: NoNewPrivs 1, Seccomp 2" "${bad# }" ""
t_check "/etc is read-only inside the unit" \
	sh -c "! nsenter -t $main -m touch /etc/xdpi-test-$$ 2>/dev/null"
t_check "/var/log/xdpi is writable inside the unit" \
	nsenter -t "$main" -m sh -c "touch /var/log/xdpi/.t-$$ && rm /var/log/xdpi/.t-$$"

testbed_gen tcpreplay -q -i "$TB_GEN_IF" --pps 3000 "$T_TMP/hs.pcap" >/dev/null 2>&1
wait_quiet
systemctl stop "$UNIT@xdpi-d.service"
t_eq "systemctl stop: exit 0" "$?" 0
t_eq "the unit's flow records: tshark's TCP connections of the pcap" \
	"$(grep -c '"type": *"flow"' /var/log/xdpi/xdpi-d.jsonl 2>/dev/null)" "$want"
t_eq "stopped: nothing attached" "$(xdp_attached_dut)" ""
t_check "stopped: no run lock left" sh -c "! [ -e '$(owner_lock_path)' ] || ! fuser '$(owner_lock_path)' 2>/dev/null"
t_done
