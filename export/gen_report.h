/* SPDX-License-Identifier: MIT */
/*
 * What `xdpi gen` prints after a run: one JSON object (--json; `xdpi
 * bench` reads it), or a line with notes on what fell short.
 *
 * Errors: json functions return NULL on allocation failure.
 */
#ifndef XDPI_EXPORT_GEN_REPORT_H
#define XDPI_EXPORT_GEN_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "../bench/generator.h"

/* @refused: frames the interface counted as refused by its peer during
 * the run (veth's xdp_xmit_errors). */
json_t *gen_report_json(const struct gen_opts *o, const struct gen_result *res, uint64_t refused);
void gen_report_print(FILE *out, const struct gen_opts *o, const struct gen_result *res,
		      uint64_t refused);

#endif /* XDPI_EXPORT_GEN_REPORT_H */
