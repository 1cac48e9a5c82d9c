#include "probe.h"

#include <blkid.h>
#include <stdlib.h>
#include <string.h>

char *probe_value(const char *dev, const char *name) {
        blkid_probe pr = blkid_new_probe_from_filename(dev);
        if (!pr)
                return NULL;
        blkid_probe_enable_superblocks(pr, 1);
        blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_UUID | BLKID_SUBLKS_LABEL);
        blkid_probe_enable_partitions(pr, 1);
        const char *v = NULL;
        char *ret = NULL;
        if (blkid_do_safeprobe(pr) == 0 && blkid_probe_lookup_value(pr, name, &v, NULL) == 0 && v)
                ret = strdup(v);
        blkid_free_probe(pr);
        return ret;
}
