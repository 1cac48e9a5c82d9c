/* The cloud-init NoCloud seed: an ISO 9660 image labelled "cidata" with
 * meta-data, user-data and optionally network-config, made by genisoimage
 * (or xorriso) through the exec runner. */
#pragma once

#include "hypervisor/spec.h"
#include "lib/error.h"

/* meta-data for a VM: instance-id and local-hostname, YAML-quoted. */
char *seed_meta_data(const char *name);

/* Write the seed ISO for v at out_path (replaced atomically). */
int seed_iso_write(const struct vm_spec *v, const char *out_path, struct error *e);
