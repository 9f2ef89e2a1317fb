/* SPDX-License-Identifier: MIT */
/*
 * What `xdpi interfaces` prints: a table, one row per interface, or one
 * JSON object {"interfaces": [...]} (docs/live.md lists the keys).
 *
 * Errors: iface_report_json() returns NULL on allocation failure.
 */
#ifndef XDPI_EXPORT_IFACE_REPORT_H
#define XDPI_EXPORT_IFACE_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "../capture/ifinfo.h"

void iface_report_print(FILE *out, const struct ifinfo *list, int n);
json_t *iface_report_json(const struct ifinfo *list, int n);

#endif /* XDPI_EXPORT_IFACE_REPORT_H */
