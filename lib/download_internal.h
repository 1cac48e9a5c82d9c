/* Between download.c (the steps), download_file.c (files and digests) and
 * download_http.c (the transfer). */
#pragma once

#include "download.h"
#include "lazy_crypto.h"

static inline void evp_md_ctx_freep(EVP_MD_CTX **p) {
        if (*p)   /* NULL when libcrypto could not be opened: do not open it to free nothing */
                EVP_MD_CTX_free(*p);
}
#define _cleanup_md_ _cleanup_(evp_md_ctx_freep)

/* A fresh sha256 context (libcrypto opened on first use): 0, or a negative
 * errno with a message. */
int dl_md_new(EVP_MD_CTX **ret, struct error *e);
/* Finish md into 64 lowercase hex characters: 0 or -EIO. */
int dl_md_final_hex(EVP_MD_CTX *md, char out[static 65]);
/* Feed the whole file behind fd, from its start, to md; its size in *ret_size. */
int dl_hash_fd(int fd, const char *path, EVP_MD_CTX *md, int64_t *ret_size, struct error *e);
/* sha256 and size of the file behind fd. */
int dl_sha256_fd(int fd, const char *path, char out[static 65], int64_t *ret_size, struct error *e);
/* open() that refuses what is not a regular file (or, with allow_blk, a block
 * device) and says so when O_NOFOLLOW met a symlink. Returns the fd. */
int dl_open_checked(const char *path, int flags, bool allow_blk, struct error *e);

/* The partial file: every byte in it has gone through md, nothing else. */
struct dl_part {
        int fd;
        const char *path;
        EVP_MD_CTX *md;
        int64_t size;
};

/* Append, hashing exactly what reached the file: 0 or -errno. */
int dl_part_append(struct dl_part *p, const void *buf, size_t len);
/* Back to an empty file and a fresh digest: 0 or -errno. */
int dl_part_restart(struct dl_part *p);
/* The error for a failed write of p: "disk full" for ENOSPC. Returns err. */
int dl_part_error(struct error *e, const struct dl_part *p, int err);

/* Fill p from o->url (shown as url in messages: no password), resuming at
 * p->size and retrying transient failures. On failure p keeps what arrived. */
int dl_http_fetch(const struct download_opts *o, const char *url, struct dl_part *p, struct error *e);
