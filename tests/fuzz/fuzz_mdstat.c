/* libFuzzer target over the md readers (raid/mdstat.c): /proc/mdstat and
 * `mdadm --detail --export` text, whatever the kernel or mdadm print.
 *   make fuzz -> build/fuzz/fuzz_mdstat
 *   mkdir -p /tmp/corpus && build/fuzz/fuzz_mdstat -max_total_time=60 /tmp/corpus tests/fixtures/md
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "raid/mdstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        struct error e = { 0 };
        struct mdstat *m = NULL;
        if (mdstat_parse(text, &m, &e) == 0) {
                for (size_t i = 0; i < m->n_arrays; i++)
                        (void)mdstat_find(m, m->arrays[i].name);
                mdstat_free(m);
        }
        struct md_detail *d = NULL;
        if (md_detail_parse(text, &d, &e) == 0)
                md_detail_free(d);
        free(text);
        return 0;
}
