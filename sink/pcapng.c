// SPDX-License-Identifier: MIT
#include "pcapng.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/outfile.h"
#include "../util/sandbox.h"

#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_EPB 0x00000006u
#define PCAPNG_BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define PCAPNG_OPT_END 0
#define PCAPNG_OPT_SHB_USERAPPL 4
#define PCAPNG_OPT_IF_NAME 2
#define PCAPNG_OPT_IF_TSRESOL 9
#define PCAPNG_LINKTYPE_ETHERNET 1
/* How long the writer sleeps when every tap is empty. */
#define PCAPNG_IDLE_NS 1000000

struct pcapng_writer {
	FILE *f;
	bool own_file;
	struct tap *taps;
	uint64_t *pos; /* per tap: what the writer has read */
	int ntaps;
	pthread_t thread;
	bool sandbox;
	bool started;
	int stop; /* set by the controller; the writer drains, then exits */
	int error;
	uint64_t frames;
	/* Live time stamps are CLOCK_MONOTONIC; pcapng wants the epoch. */
	int64_t mono_to_real_ns;
};

static uint32_t pad4(size_t n)
{
	return (uint32_t)((4 - (n & 3)) & 3);
}

/* An option: code, length, value padded to 32 bits. */
static void put_opt(FILE *f, uint16_t code, const void *val, uint16_t len)
{
	static const uint8_t zero[4];

	fwrite(&code, 2, 1, f);
	fwrite(&len, 2, 1, f);
	fwrite(val, len, 1, f);
	fwrite(zero, pad4(len), 1, f);
}

static size_t opt_len(size_t len)
{
	return 4 + len + pad4(len);
}

static void put_u32(FILE *f, uint32_t v)
{
	fwrite(&v, 4, 1, f);
}

static void write_shb(FILE *f, const char *application)
{
	size_t alen = strlen(application);
	uint32_t total = (uint32_t)(28 + opt_len(alen) + 4);
	uint16_t version[2] = {1, 0};
	int64_t section_len = -1;

	put_u32(f, PCAPNG_SHB);
	put_u32(f, total);
	put_u32(f, PCAPNG_BYTE_ORDER_MAGIC);
	fwrite(version, 2, 2, f);
	fwrite(&section_len, 8, 1, f);
	put_opt(f, PCAPNG_OPT_SHB_USERAPPL, application, (uint16_t)alen);
	put_u32(f, PCAPNG_OPT_END);
	put_u32(f, total);
}

static void write_idb(FILE *f, const char *name, uint32_t snaplen)
{
	size_t nlen = strlen(name);
	uint8_t tsresol = 9; /* nanoseconds */
	uint32_t total = (uint32_t)(16 + opt_len(nlen) + opt_len(1) + 4 + 4);
	uint16_t linktype = PCAPNG_LINKTYPE_ETHERNET, reserved = 0;

	put_u32(f, PCAPNG_IDB);
	put_u32(f, total);
	fwrite(&linktype, 2, 1, f);
	fwrite(&reserved, 2, 1, f);
	put_u32(f, snaplen);
	put_opt(f, PCAPNG_OPT_IF_NAME, name, (uint16_t)nlen);
	put_opt(f, PCAPNG_OPT_IF_TSRESOL, &tsresol, 1);
	put_u32(f, PCAPNG_OPT_END);
	put_u32(f, total);
}

static void write_epb(struct pcapng_writer *w, uint32_t ifid, const struct tap_rec *r)
{
	static const uint8_t zero[4];
	uint64_t ts = (uint64_t)((int64_t)r->ts_ns + w->mono_to_real_ns);
	uint32_t total = 28 + r->cap_len + pad4(r->cap_len) + 4;

	put_u32(w->f, PCAPNG_EPB);
	put_u32(w->f, total);
	put_u32(w->f, ifid);
	put_u32(w->f, (uint32_t)(ts >> 32));
	put_u32(w->f, (uint32_t)ts);
	put_u32(w->f, r->cap_len);
	put_u32(w->f, r->wire_len);
	fwrite(r->data, r->cap_len, 1, w->f);
	fwrite(zero, pad4(r->cap_len), 1, w->f);
	put_u32(w->f, total);
	w->frames++;
}

/* Writes what every tap holds; true if there was anything. */
static bool drain_once(struct pcapng_writer *w)
{
	bool any = false;

	for (int i = 0; i < w->ntaps; i++) {
		const struct tap_rec *r;

		while ((r = tap_next(&w->taps[i], &w->pos[i]))) {
			write_epb(w, (uint32_t)i, r);
			any = true;
		}
		tap_release(&w->taps[i], w->pos[i]);
	}
	if (any && ferror(w->f) && !w->error)
		w->error = -EIO;
	return any;
}

static void *writer_main(void *arg)
{
	struct pcapng_writer *w = arg;
	const struct timespec idle = {0, PCAPNG_IDLE_NS};

	pthread_setname_np(pthread_self(), "xdpi-writer");
	/* Writes an open file: nothing more (util/sandbox.h). A failure is
	 * counted and stops a live run; the taps then keep their copies. */
	if (w->sandbox && sandbox_enter(SANDBOX_WRITER, fileno(w->f)))
		return NULL;
	for (;;) {
		int stop = __atomic_load_n(&w->stop, __ATOMIC_ACQUIRE);

		if (drain_once(w))
			continue;
		if (stop)
			break;
		nanosleep(&idle, NULL);
	}
	return NULL;
}

static int64_t mono_to_real_ns(void)
{
	struct timespec m, r;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &r);
	return ((int64_t)r.tv_sec - m.tv_sec) * 1000000000 + (r.tv_nsec - m.tv_nsec);
}

int pcapng_writer_open(struct pcapng_writer **out, const char *path, const char *application,
		       const char *ifname, struct tap *taps, int ntaps, char *err, size_t err_len)
{
	struct pcapng_writer *w;

	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (w)
		w->pos = calloc((size_t)(ntaps ? ntaps : 1), sizeof(*w->pos));
	if (!w || !w->pos) {
		free(w);
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	w->own_file = strcmp(path, "-") != 0;
	if (w->own_file) {
		/* Never through a symlink someone planted where the file goes,
		 * nor into a FIFO or a device (util/outfile.h). */
		w->f = xdpi_output_fopen(path, XDPI_OUTPUT_TRUNCATE, 0644, NULL, err, err_len);
	} else {
		w->f = stdout;
	}
	if (!w->f) {
		int ret = -errno;

		free(w->pos);
		free(w);
		return ret;
	}
	w->taps = taps;
	w->ntaps = ntaps;
	/* Offline taps carry capture times already (epoch): no shift. */
	w->mono_to_real_ns = ntaps && !taps[0].lossless ? mono_to_real_ns() : 0;
	write_shb(w->f, application);
	for (int i = 0; i < ntaps; i++) {
		char name[96];

		snprintf(name, sizeof(name), "%s rx %u", ifname, taps[i].queue);
		write_idb(w->f, name, taps[i].snaplen);
	}
	*out = w;
	return 0;
}

int pcapng_writer_start(struct pcapng_writer *w, bool sandbox)
{
	int ret;

	w->sandbox = sandbox;
	ret = pthread_create(&w->thread, NULL, writer_main, w);

	if (ret)
		return -ret;
	w->started = true;
	return 0;
}

int pcapng_writer_stop(struct pcapng_writer *w, uint64_t *frames)
{
	int ret;

	if (!w)
		return 0;
	__atomic_store_n(&w->stop, 1, __ATOMIC_RELEASE);
	if (w->started)
		pthread_join(w->thread, NULL);
	else
		while (drain_once(w))
			;
	ret = w->error;
	if (frames)
		*frames = w->frames;
	if (fflush(w->f) && !ret)
		ret = -EIO;
	if (w->own_file && fclose(w->f) && !ret)
		ret = -EIO;
	free(w->pos);
	free(w);
	return ret;
}
