/* SPDX-License-Identifier: MIT */
/*
 * The privileges xdpi needs, checked up front so that a run without them
 * fails with one clear line instead of an EPERM deep in set-up.
 */
#ifndef XDPI_UTIL_PRIVS_H
#define XDPI_UTIL_PRIVS_H

/* 0 if the process may load and attach XDP programs and bind AF_XDP sockets
 * (CAP_NET_ADMIN, and CAP_BPF or CAP_SYS_ADMIN); else -EPERM, logged. */
int xdpi_check_privileges(void);

#endif /* XDPI_UTIL_PRIVS_H */
