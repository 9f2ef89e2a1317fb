// SPDX-License-Identifier: MIT
#include "isotime.h"

#include <stdio.h>
#include <time.h>

void xdpi_iso8601(double t, char *buf, size_t len)
{
	time_t sec = (time_t)t; /* t > 0: truncation is the floor */
	long usec = (long)((t - (double)sec) * 1e6 + 0.5);
	struct tm tm;
	char day[32];

	if (usec >= 1000000) {
		sec++;
		usec -= 1000000;
	}
	gmtime_r(&sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06ldZ", day, usec);
}
