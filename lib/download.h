/* Fetch a large file over HTTP(S) into place, resumable and verified by its
 * sha256 before it gets its final name; file:// URLs are checked in place. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct download_progress {
        int64_t done;             /* bytes in the partial file */
        int64_t total;            /* -1 when the server did not say */
        double bytes_per_s;       /* over the network, this call only */
};

struct download_opts {
        const char *url;          /* https://, http://, file:// */
        const char *dest;         /* final path; the partial download lives at <dest>.part; unused for file:// */
        const char *sha256;       /* 64 hex characters, required */
        const char *ca_file;      /* optional PEM bundle; TLS verification is always on */
        long connect_timeout_s;   /* 0: 30 */
        long low_speed_time_s;    /* below 1 KiB/s this long counts as a timeout; 0: 60 */
        int retries;              /* transient failures (timeouts, resets, 5xx) retried with resume;
                                   * 0: 3, <0: none. An attempt that got further than any before it
                                   * does not use one up. */
        void (*progress)(void *userdata, const struct download_progress *p);   /* at most ~4 times per second */
        void *userdata;
};

/* Fetch url into dest, verified. When dest exists already and matches sha256,
 * nothing is fetched (*ret_fetched = false). A leftover <dest>.part is resumed
 * with an HTTP Range request (206); a server that answers 200 instead restarts
 * it from zero. A failed transfer leaves the .part for the next call; a digest
 * mismatch removes it and returns -EBADMSG with both digests in the message.
 * dest is created with mode 0600 and never followed when it is a symlink.
 * file:// URLs are not copied: dest is not written and *ret_path names the
 * local file once its digest matched. ret_path and ret_fetched may be NULL. */
int download_verified(const struct download_opts *o, char **ret_path, bool *ret_fetched, struct error *e);

/* sha256 of a file as 64 lowercase hex characters and a NUL. */
int sha256_file(const char *path, char out[static 65], struct error *e);
