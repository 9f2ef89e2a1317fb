#!/bin/bash
# The run locks of /run/xdpi (bpf/owner.c) against a local user (issue 25,
# defect 6), on the veth testbed, with the real directory:
#   - a /run/xdpi found 0755 (an older xdpi made it so, as systemd's
#     RuntimeDirectory= does by default) is made 0700 by the next run; the
#     lock is root's and 0600, and nobody (setpriv --reuid=nobody) cannot
#     open it to flock it, neither while the run holds it nor once the run
#     is killed (the stale lock stays, still closed to others); `xdpi
#     detach` then removes the program and the lock; a run with --user
#     nobody removes its lock at the end all the same;
#   - the attack itself: a stale lock as an older xdpi left it (0644, the
#     killed run's pid in it) held by nobody with flock(1): neither the
#     next `xdpi live` nor `xdpi detach` is blocked by it.
# A directory of another user or a symbolic link is refused (tests/
# test_owner.c: not done to the host's own /run/xdpi here). Needs root.
. tests/lib.sh
. bench/testbed.sh
. tests/lib_live.sh
live_test_begin "run lock tests" k

HOLDER=
trap 'kill "$HOLDER" 2>/dev/null; live_watchdogs_kill; testbed_down; rm -rf "$T_TMP"' EXIT
live_testbed_up
LOCK=$(owner_lock_path)
# as_nobody CMD...: CMD as the user nobody, no group of root's.
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}
# a pid no process has: a shell that has exited
dead_pid() {
	sh -c 'echo $$'
}

# --- 1. an old 0755 directory made 0700; the lock closed to others
mkdir -p /run/xdpi
chmod 0755 /run/xdpi
if live_start held --interval 0; then
	t_eq "a 0755 /run/xdpi made 0700, root's" "$(stat -c '%a %U' /run/xdpi)" "700 root"
	t_eq "the run's lock: root's, 0600, its pid in it" \
		"$(stat -c '%a %U' "$LOCK" 2>&1) $(cat "$LOCK")" "600 root $LIVE_PID"
	as_nobody flock -n -s "$LOCK" true 2>"$T_TMP/flock.err"
	t_eq "nobody cannot open the held lock: refused, Permission denied" \
		"$(($? != 0))/$(grep -c 'Permission denied' "$T_TMP/flock.err")" "1/1"
	kill -9 "$LIVE_PID"
	wait "$LIVE_PID" 2>/dev/null
	t_eq "after kill -9: the stale lock left, root's, 0600" "$(stat -c '%a %U' "$LOCK" 2>&1)" \
		"600 root"
	as_nobody flock -n "$LOCK" true 2>"$T_TMP/flock.err"
	t_eq "nobody cannot open the stale lock: refused, Permission denied" \
		"$(($? != 0))/$(grep -c 'Permission denied' "$T_TMP/flock.err")" "1/1"
	testbed_dut "$XDPI" detach "$TB_DUT_IF" >"$T_TMP/detach.out" 2>&1
	t_eq "detach after the kill: exit 0, the program and the lock gone" \
		"$?/$(xdp_attached_dut)/$(test -e "$LOCK" && echo left)" "0//"
else
	t_fail "held: live started" "$(tail -3 "$T_TMP/held.err")"
fi

# plant_stale: the lock as an older xdpi left it after kill -9, in the
# directory as it left it, held by nobody through flock(1) (HOLDER).
plant_stale() {
	chmod 0755 /run/xdpi
	dead_pid >"$LOCK"
	chmod 0644 "$LOCK"
	# waiting, not -n: the probe below holds it for a moment too
	as_nobody flock -w 5 "$LOCK" sleep 60 &
	HOLDER=$!
	for _ in $(seq 50); do
		flock -n "$LOCK" true || return 0 # held
		sleep 0.1
	done
	return 1
}

# --- 2. a stale lock held by another user blocks neither live nor detach
if plant_stale; then
	t_ok "a stale 0644 lock held by nobody"
	if live_start stale --interval 0; then
		t_ok "live starts although nobody holds the stale lock"
		t_eq "... on a new lock of its own, 0600, in a 0700 /run/xdpi" \
			"$(stat -c '%a %U' "$LOCK" 2>&1) $(cat "$LOCK") $(stat -c %a /run/xdpi)" \
			"600 root $LIVE_PID 700"
		kill -INT "$LIVE_PID"
		live_wait_exit stale 30
		t_eq "... and ends as usual: exit 0, its lock gone" \
			"$LIVE_RC/$(test -e "$LOCK" && echo left)" "0/"
	else
		t_fail "live starts although nobody holds the stale lock" "$(tail -2 "$T_TMP/stale.err")"
	fi
	kill "$HOLDER" 2>/dev/null
	wait "$HOLDER" 2>/dev/null
else
	t_fail "a stale 0644 lock held by nobody"
fi
if plant_stale; then
	t_ok "again a stale 0644 lock held by nobody"
	testbed_dut "$XDPI" detach "$TB_DUT_IF" >"$T_TMP/detach2.out" 2>&1
	t_eq "detach is not blocked by it either: exit 0, the stale lock gone" \
		"$?/$(test -e "$LOCK" && echo left)" "0/"
	sed 's/^/# /' "$T_TMP/detach2.out"
	kill "$HOLDER" 2>/dev/null
	wait "$HOLDER" 2>/dev/null
else
	t_fail "again a stale 0644 lock held by nobody"
fi
# --- 3. with --user the run, nobody by then, still removes its lock (the
# teardown raises CAP_DAC_OVERRIDE for root's directories)
if live_start user --interval 0 --user nobody; then
	t_eq "--user nobody: the lock root's, 0600" "$(stat -c '%a %U' "$LOCK" 2>&1)" "600 root"
	kill -INT "$LIVE_PID"
	live_wait_exit user 30
	t_eq "--user nobody: exit 0, the lock removed at the end" \
		"$LIVE_RC/$(test -e "$LOCK" && echo left)" "0/"
else
	t_fail "user: live --user nobody started" "$(tail -3 "$T_TMP/user.err")"
fi
t_eq "/run/xdpi is 0700 and root's at the end" "$(stat -c '%a %U' /run/xdpi)" "700 root"
t_done
