/* The storage pool on the RAID 5 mount: a libvirt `dir` pool, created,
 * started and set to autostart; qcow2 volumes in it. */
#pragma once

#include <stdint.h>

#include "hypervisor/connect.h"

struct hv_pool_info {
        char *name, *path;
        bool active, autostart;
        uint64_t capacity, allocation, available;
        char **volumes;
};
void hv_pool_info_done(struct hv_pool_info *p);

/* Define, build, start and autostart the configured pool; nothing is left
 * defined when a step fails. OUTCOME_CHANGED when it was created,
 * OUTCOME_UNCHANGED when it existed (started and autostarted if it was not). */
int hv_pool_create(struct hv *h, struct error *e);
int hv_pool_show(struct hv *h, struct hv_pool_info *ret, struct error *e);

/* The configured pool, started and refreshed; an error that says how to
 * create it when it does not exist or its directory is gone. */
int hv_pool_open(struct hv *h, virStoragePoolPtr *ret, struct error *e);
/* The pool's target directory (allocated). */
char *hv_pool_target_path(virStoragePoolPtr pool);

/* A qcow2 volume of size bytes, optionally backed by an image (copy on
 * write): OUTCOME_CHANGED or a negative errno. */
int hv_volume_create(virStoragePoolPtr pool, const char *name, uint64_t size, const char *backing, struct error *e);
/* Delete a volume by name in pool pool_name, and its file in the pool's
 * directory when libvirt does not list it: OUTCOME_CHANGED, or
 * OUTCOME_UNCHANGED when there was none (not an error). */
int hv_volume_delete(struct hv *h, const char *pool_name, const char *vol, struct error *e);

static inline void hv_pool_freep(virStoragePoolPtr *p) {
        if (*p)
                virStoragePoolFree(*p);
}
static inline void hv_vol_freep(virStorageVolPtr *v) {
        if (*v)
                virStorageVolFree(*v);
}
