// SPDX-License-Identifier: MIT
#include "privdrop.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

/* The flavour inspect/flows.c uses: the same default call_rcu thread. */
#include <urcu-qsbr.h>

#include "../util/log.h"
#include "../inspect/flows.h"
#include "../util/privs.h"
#include "../util/sandbox.h"

int capture_privs_begin(const struct capture_opts *o)
{
	int ret = xdpi_check_privileges();

	if (!ret && o->user && !o->keep_privileges)
		ret = privs_check_user(o->user);
	if (ret || o->keep_privileges || o->user)
		return ret;
	ret = privs_lower();
	if (ret)
		xdpi_err("cannot lower privileges: %s", strerror(-ret));
	return ret;
}

/* With --user the set-up keeps its privileges effective: the uid change
 * needs CAP_SETUID and CAP_SETGID, and privs_drop_main() makes them
 * effective anyway. */
static bool privs_setup_lowered(const struct capture_opts *o)
{
	return !o->keep_privileges && !o->user;
}

int capture_privs_raise(const struct capture_opts *o)
{
	int ret;

	if (!privs_setup_lowered(o))
		return 0;
	ret = privs_raise();
	if (ret)
		xdpi_err("cannot raise the kept privileges: %s", strerror(-ret));
	return ret;
}

int capture_privs_lower(const struct capture_opts *o)
{
	int ret;

	if (!privs_setup_lowered(o))
		return 0;
	ret = privs_lower();
	if (ret)
		xdpi_err("cannot lower privileges: %s", strerror(-ret));
	return ret;
}

int capture_privs_teardown_done(const struct capture_opts *o)
{
	int ret;

	if (o->keep_privileges)
		return 0;
	ret = privs_lower();
	if (ret)
		xdpi_err("cannot lower the privileges kept for teardown: %s", strerror(-ret));
	return ret;
}

int capture_privs_teardown(const struct capture_opts *o)
{
	int ret;

	if (o->keep_privileges)
		return 0;
	ret = privs_raise();
	if (ret)
		xdpi_err("cannot raise the privileges kept for teardown: %s", strerror(-ret));
	return ret;
}

/* The first callback liburcu's call_rcu thread runs: that thread gives up
 * everything and enters its filter before it frees a flow or writes a
 * line of one. */
struct reclaim_sandbox {
	struct rcu_head head;
	int fd;
	int ret; /* atomic: 1 until done */
};

static void reclaim_enter_sandbox(struct rcu_head *head)
{
	struct reclaim_sandbox *r = caa_container_of(head, struct reclaim_sandbox, head);

	pthread_setname_np(pthread_self(), "xdpi-rcu");
	__atomic_store_n(&r->ret, sandbox_enter(SANDBOX_RECLAIM, r->fd), __ATOMIC_RELEASE);
}

/* Makes liburcu's call_rcu thread now, from the dropped main thread (it is
 * born with an empty bounding set and nothing effective), and waits for it
 * to enter its sandbox: a worker's first call_rcu() would otherwise make it
 * from inside the worker's filter, which forbids clone. */
static int capture_start_reclaim(const struct capture_opts *o, int jsonl_fd)
{
	struct reclaim_sandbox r = {.fd = jsonl_fd, .ret = 1};

	if (!get_default_call_rcu_data()) {
		xdpi_err("cannot start liburcu's call_rcu thread");
		return -ENOMEM;
	}
	if (o->keep_privileges)
		return 0;
	/* call_rcu() wants a registered thread; the wait, none that is
	 * online (no worker has started: nothing holds the grace period). */
	flows_thread_register();
	call_rcu(&r.head, reclaim_enter_sandbox);
	flows_thread_unregister();
	rcu_barrier();
	return __atomic_load_n(&r.ret, __ATOMIC_ACQUIRE) ? -EPERM : 0;
}

int capture_privs_drop(const struct capture_opts *o, int jsonl_fd)
{
	char kept[128];
	int ret;

	if (o->keep_privileges) {
		xdpi_info("privileges: kept, every thread (--keep-privileges)");
		return capture_start_reclaim(o, jsonl_fd);
	}
	ret = privs_drop_main(o->user, kept, sizeof(kept));
	if (!ret)
		ret = capture_start_reclaim(o, jsonl_fd);
	if (ret)
		return ret;
	xdpi_info("privileges: every thread but the main one none (seccomp), main thread %s "
		  "for teardown only%s%s",
		  kept, o->user ? ", user " : "", o->user ? o->user : "");
	return 0;
}
