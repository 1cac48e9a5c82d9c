/* What libblkid reads on a block device (or an image file). */
#pragma once

/* "TYPE", "UUID", "LABEL" of a filesystem or signature, or "PTTYPE" of a
 * partition table; NULL when there is none (allocated). */
char *probe_value(const char *dev, const char *name);

/* Several of them from one probe: ret[i] for names[i] (NULL-terminated),
 * each allocated or NULL. -1 when the device cannot be probed (or the probe
 * is ambivalent: more than one signature), with every ret[i] NULL. */
int probe_values(const char *dev, const char *const *names, char **ret);
