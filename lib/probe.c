#include "probe.h"

#include <blkid.h>
#include <stdlib.h>
#include <string.h>

int probe_values(const char *dev, const char *const *names, char **ret) {
        size_t n = 0;
        for (; names[n]; n++)
                ret[n] = NULL;
        blkid_probe pr = blkid_new_probe_from_filename(dev);
        if (!pr)
                return -1;
        blkid_probe_enable_superblocks(pr, 1);
        blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_UUID | BLKID_SUBLKS_LABEL);
        blkid_probe_enable_partitions(pr, 1);
        int r = blkid_do_safeprobe(pr);
        for (size_t i = 0; r == 0 && i < n; i++) {
                const char *v = NULL;
                if (blkid_probe_lookup_value(pr, names[i], &v, NULL) == 0 && v && !(ret[i] = strdup(v)))
                        r = -1;
        }
        blkid_free_probe(pr);
        if (r < 0)
                for (size_t i = 0; i < n; i++) {
                        free(ret[i]);
                        ret[i] = NULL;
                }
        return r < 0 ? -1 : 0;
}

char *probe_value(const char *dev, const char *name) {
        char *v = NULL;
        probe_values(dev, (const char *const[]){ name, NULL }, &v);
        return v;
}
