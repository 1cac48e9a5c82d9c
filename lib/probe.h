/* What libblkid reads on a block device (or an image file). */
#pragma once

/* "TYPE", "UUID", "LABEL" of a filesystem or signature, or "PTTYPE" of a
 * partition table; NULL when there is none (allocated). */
char *probe_value(const char *dev, const char *name);
