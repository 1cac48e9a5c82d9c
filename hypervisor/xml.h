/* libvirt XML for hostd's objects, built with libxml2 (every name and path is
 * escaped by the library, never pasted into a string) and read back the same
 * way. Pure: no libvirt calls, no files. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "hypervisor/spec.h"
#include "lib/error.h"

struct vm_xml_params {
        const char *virt_type;    /* "qemu" (TCG) or "kvm" */
        const char *pool;         /* the storage pool that holds the VM's volumes */
        const char *console_log;  /* serial console log file; NULL: none */
};

/* The <domain> document for one VM: disks are pool volumes named by
 * vm_disk_volume_name(), the seed ISO (when v->cloud_init) vm_seed_volume_name(). */
int vm_domain_xml(const struct vm_spec *v, const struct vm_xml_params *p, char **ret, struct error *e);

/* A dir pool at path. */
int hv_pool_xml(const char *name, const char *path, char **ret, struct error *e);
/* A volume: qcow2 of capacity bytes (0: the backing image's size), with an
 * optional backing file (format "qcow2" or "raw"); format "raw" for a plain file. */
int hv_volume_xml(const char *name, const char *format, uint64_t capacity, const char *backing,
                  const char *backing_format, char **ret, struct error *e);

/* What hostd needs back from a domain's XML. */
struct vm_xml_info {
        char **vol_pools, **vol_names;   /* volume disks, in parallel (same length) */
        char **files;                    /* file-backed disks */
        char *console_log;               /* serial log file or NULL */
        char *virt_type;
        bool uefi;
};
void vm_xml_info_done(struct vm_xml_info *i);
int vm_xml_parse(const char *xml, struct vm_xml_info *ret, struct error *e);

/* Backing format from a file name: ".raw" and ".img" are raw, the rest qcow2. */
const char *hv_image_format(const char *path);

/* The text of the first node an XPath expression selects, e.g.
 * "/pool/target/path"; *ret NULL when nothing matches. */
int hv_xml_xpath_string(const char *xml, const char *xpath, char **ret, struct error *e);
