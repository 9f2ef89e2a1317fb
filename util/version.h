/* SPDX-License-Identifier: MIT */
/*
 * xdpi's version, as every JSON object and `xdpi --version` give it: the
 * release in VERSION, and the git commit it was built from where known.
 */
#ifndef XDPI_UTIL_VERSION_H
#define XDPI_UTIL_VERSION_H

const char *xdpi_version(void);

#endif /* XDPI_UTIL_VERSION_H */
