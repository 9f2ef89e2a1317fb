// SPDX-License-Identifier: MIT
#include "privdrop.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* The flavour inspect/flows.c uses: the same default call_rcu thread. */
#include <urcu-qsbr.h>

#include "../util/log.h"
#include "../util/privs.h"

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

/* With --user the set-up keeps its privileges effective in every thread:
 * glibc makes each thread change uid, and a thread without CAP_SETUID
 * effective fails, which glibc answers with abort(). The uid change then
 * leaves the other threads nothing. */
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

int capture_privs_drop(const struct capture_opts *o)
{
	char kept[128];
	int ret;

	if (o->keep_privileges) {
		xdpi_info("privileges: kept, every thread (--keep-privileges)");
		return 0;
	}
	/* A worker's first call_rcu() would otherwise make liburcu's thread
	 * from inside its seccomp filter, which forbids clone. Made before a
	 * uid change, which then strips it; else after the drop, so that it
	 * is born with the teardown set, none effective. */
	if (o->user && !get_default_call_rcu_data())
		goto no_rcu;
	ret = privs_drop_main(o->user, kept, sizeof(kept));
	if (ret)
		return ret;
	if (!o->user && !get_default_call_rcu_data())
		goto no_rcu;
	xdpi_info("privileges: workers none (seccomp), main thread %s for teardown only%s%s", kept,
		  o->user ? ", user " : "", o->user ? o->user : "");
	return 0;
no_rcu:
	xdpi_err("cannot start liburcu's call_rcu thread");
	return -ENOMEM;
}
