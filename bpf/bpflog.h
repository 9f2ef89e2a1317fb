/* SPDX-License-Identifier: MIT */
/*
 * Routes libbpf's and libxdp's messages through xdpi's log (util/log.h).
 * Called once by main() before anything touches either library, so no
 * module changes the printers as a side effect.
 */
#ifndef XDPI_BPF_BPFLOG_H
#define XDPI_BPF_BPFLOG_H

void xdpi_bpf_log_init(void);

#endif /* XDPI_BPF_BPFLOG_H */
