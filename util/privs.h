/* SPDX-License-Identifier: MIT */
/*
 * Privileges: the check made up front, so that a run without them fails
 * with one line naming what is missing instead of an EPERM deep in set-up,
 * and the means to give them up once set-up is done (libcap-ng).
 *
 * Capabilities are per thread, and a thread starts with a copy of its
 * creator's: each function here acts on the calling thread only, except
 * privs_drop_main() with a user, whose uid change glibc applies to every
 * thread (call it while the caller is the only one). Who calls what, and
 * when, is capture/privdrop.h's design.
 *
 * Errors: 0 or a negative errno; the check and privs_drop_main() log why.
 */
#ifndef XDPI_UTIL_PRIVS_H
#define XDPI_UTIL_PRIVS_H

#include <stddef.h>
#include <sys/types.h>

/* 0 if the calling thread may load and attach XDP programs and bind AF_XDP
 * sockets: CAP_NET_ADMIN, CAP_NET_RAW and CAP_BPF (or CAP_SYS_ADMIN) in its
 * permitted set; else -EPERM, logged with the missing ones. */
int xdpi_check_privileges(void);

/* Empties the calling thread's effective set; the permitted set stays, so
 * that privs_raise() can bring it back. */
int privs_lower(void);
/* Effective set = permitted set, for a privileged step. */
int privs_raise(void);

/* Keeps only what teardown needs in the calling (main) thread: CAP_NET_ADMIN,
 * CAP_BPF and CAP_SYS_ADMIN (detach, libxdp's fallbacks, the interface
 * knobs), plus CAP_DAC_OVERRIDE with a user (root's sysfs and bpffs files),
 * in the permitted set, none effective; empties the bounding set (a live
 * run executes nothing, and every thread made afterwards starts with it
 * empty) and sets PR_SET_NO_NEW_PRIVS. With @user (a name or a number) it switches uid and
 * gid first (supplementary groups dropped). Writes the kept list into
 * @kept, as "cap_net_admin,cap_bpf,...". */
int privs_drop_main(const char *user, char *kept, size_t kept_len);

/* @user's uid and gid: a name, or a number as `setpriv --reuid` takes (both
 * ids). 0 or -ENOENT. */
int privs_user_ids(const char *user, uid_t *uid, gid_t *gid);

/* 0 if @user (a name or a number) can be switched to; else -ENOENT,
 * logged. */
int privs_check_user(const char *user);

/* For a thread that will never need a privilege: empties its effective,
 * permitted, inheritable and ambient sets, and its bounding set if it
 * still holds CAP_SETPCAP to do it (one made after privs_drop_main() has
 * an empty one already); sets no_new_privs. */
int privs_shed_thread(void);

#endif /* XDPI_UTIL_PRIVS_H */
