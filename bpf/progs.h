/* SPDX-License-Identifier: MIT */
/*
 * The names of xdpi's XDP programs. The BPF sources define each program
 * under its macro here, and userspace finds its programs by the same names
 * (libxdp's program lookup, `xdpi detach` telling ours from someone
 * else's), so a program renamed in one place is renamed everywhere. The
 * kernel keeps 15 characters of a name.
 */
#ifndef XDPI_BPF_PROGS_H
#define XDPI_BPF_PROGS_H

#define XDPI_STEER_PROG xdpi_steer	 /* bpf/xdpi.bpf.c */
#define XDPI_GEN_PROG xdpi_gen		 /* bpf/gen.bpf.c */
#define XDPI_GEN_LOOP_PROG xdpi_gen_loop /* bpf/gen.bpf.c, on the loop's own veth */
/* The steering program's variant that asks the driver for the frame's
 * metadata: device-bound, so loaded only where it is used. */
#define XDPI_STEER_META_PROG xdpi_meta
/* Passive: copies of the frames sent (tc egress, bpf/xdpi.bpf.c). */
#define XDPI_EGRESS_PROG xdpi_egress

#define XDPI_PROG_STR_(p) #p
#define XDPI_PROG_STR(p) XDPI_PROG_STR_(p)
#define XDPI_STEER_PROG_NAME XDPI_PROG_STR(XDPI_STEER_PROG)
#define XDPI_GEN_PROG_NAME XDPI_PROG_STR(XDPI_GEN_PROG)
#define XDPI_GEN_LOOP_PROG_NAME XDPI_PROG_STR(XDPI_GEN_LOOP_PROG)
#define XDPI_STEER_META_PROG_NAME XDPI_PROG_STR(XDPI_STEER_META_PROG)
#define XDPI_EGRESS_PROG_NAME XDPI_PROG_STR(XDPI_EGRESS_PROG)

#endif /* XDPI_BPF_PROGS_H */
