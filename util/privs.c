// SPDX-License-Identifier: MIT
#include "privs.h"

#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cap-ng.h>
#include <linux/capability.h>

#include "log.h"
#include "optval.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* libcap-ng keeps its state per thread: every function here starts from
 * the calling thread's own sets. */
static int privs_load(void)
{
	return capng_get_caps_process() ? -EPERM : 0;
}

static bool permitted(int cap)
{
	return capng_have_capability(CAPNG_PERMITTED, (unsigned)cap);
}

int xdpi_check_privileges(void)
{
	char missing[128] = "";
	size_t n = 0;

	if (privs_load())
		return -EPERM;
	if (!permitted(CAP_NET_ADMIN))
		n += (size_t)snprintf(missing + n, sizeof(missing) - n, "%sCAP_NET_ADMIN",
				      n ? ", " : "");
	if (!permitted(CAP_NET_RAW))
		n += (size_t)snprintf(missing + n, sizeof(missing) - n, "%sCAP_NET_RAW",
				      n ? ", " : "");
	if (!permitted(CAP_BPF) && !permitted(CAP_SYS_ADMIN))
		n += (size_t)snprintf(missing + n, sizeof(missing) - n,
				      "%sCAP_BPF (or CAP_SYS_ADMIN)", n ? ", " : "");
	if (!n)
		return 0;
	xdpi_err("missing %s: xdpi needs CAP_NET_ADMIN, CAP_NET_RAW and CAP_BPF (or "
		 "CAP_SYS_ADMIN) to attach XDP and bind AF_XDP sockets: run as root",
		 missing);
	return -EPERM;
}

static int privs_set_effective(bool on)
{
	int last = CAP_LAST_CAP;

	if (privs_load())
		return -EPERM;
	for (int cap = 0; cap <= last; cap++) {
		bool want = on && permitted(cap);

		if (capng_update(want ? CAPNG_ADD : CAPNG_DROP, CAPNG_EFFECTIVE, (unsigned)cap))
			return -EINVAL;
	}
	return capng_apply(CAPNG_SELECT_CAPS) ? -EPERM : 0;
}

int privs_lower(void)
{
	return privs_set_effective(false);
}

int privs_raise(void)
{
	return privs_set_effective(true);
}

int privs_user_ids(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd *pw = getpwnam(user);
	uint32_t v;

	if (pw) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
		return 0;
	}
	/* Plain decimal only (no sign, space or base prefix); (uid_t)-1 means
	 * "unchanged" to setresuid(). */
	if (xdpi_parse_u32(user, 0, UINT32_MAX - 1, &v))
		return -ENOENT;
	*uid = (uid_t)v;
	*gid = (gid_t)v;
	return 0;
}

int privs_check_user(const char *user)
{
	uid_t uid;
	gid_t gid;

	if (!privs_user_ids(user, &uid, &gid))
		return 0;
	xdpi_err("--user %s: no such user", user);
	return -ENOENT;
}

int privs_drop_main(const char *user, char *kept, size_t kept_len)
{
	static const int teardown[] = {CAP_NET_ADMIN, CAP_BPF, CAP_SYS_ADMIN, CAP_DAC_OVERRIDE};
	int nkeep = user ? 4 : 3;
	uid_t uid = 0;
	gid_t gid = 0;
	size_t n = 0;
	int ret;

	if (user && privs_user_ids(user, &uid, &gid)) {
		xdpi_err("--user %s: no such user", user);
		return -ENOENT;
	}
	/* Changing the bounding set and the ids needs CAP_SETPCAP, CAP_SETUID
	 * and CAP_SETGID effective, for the last time. */
	ret = privs_raise();
	if (ret) {
		xdpi_err("cannot drop privileges: %s", strerror(-ret));
		return ret;
	}
	capng_clear(CAPNG_SELECT_BOTH);
	kept[0] = '\0';
	for (int i = 0; i < nkeep; i++) {
		const char *name = capng_capability_to_name((unsigned)teardown[i]);

		if (capng_update(CAPNG_ADD, CAPNG_PERMITTED, (unsigned)teardown[i]))
			return -EINVAL;
		n += (size_t)snprintf(kept + n, n < kept_len ? kept_len - n : 0, "%scap_%s",
				      i ? "," : "", name ? name : "?");
	}
	/* capng_change_id() keeps the permitted set across the uid change
	 * (PR_SET_KEEPCAPS, in this thread only) and applies the sets after
	 * it; glibc makes every other thread change uid too, and they keep
	 * nothing. */
	ret = user ? capng_change_id((int)uid, (int)gid, CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING)
		   : capng_apply(CAPNG_SELECT_BOTH);
	if (ret) {
		xdpi_err("cannot drop privileges%s%s (libcap-ng error %d)", user ? " to user " : "",
			 user ? user : "", ret);
		return -EPERM;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		ret = -errno;
		xdpi_err("cannot set no_new_privs: %s", strerror(-ret));
		return ret;
	}
	return 0;
}

/* Whether any capability is left in the calling thread's bounding set. */
static bool privs_bounded(void)
{
	for (int cap = 0; cap < 64; cap++) {
		int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);

		if (r < 0) /* past the kernel's last capability */
			return false;
		if (r > 0)
			return true;
	}
	return false;
}

int privs_shed_thread(void)
{
	if (privs_load())
		return -EPERM;
	/* Emptying the bounding set needs CAP_SETPCAP effective; a thread
	 * made after privs_drop_main() has an empty one already. */
	if (privs_bounded() && permitted(CAP_SETPCAP)) {
		if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE, CAP_SETPCAP) ||
		    capng_apply(CAPNG_SELECT_CAPS))
			return -EPERM;
		for (int cap = 0; cap < 64; cap++)
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL)
				return -errno;
	}
	capng_clear(CAPNG_SELECT_CAPS);
	if (capng_apply(CAPNG_SELECT_CAPS))
		return -EPERM;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return -errno;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ? -errno : 0;
}
