/* libFuzzer target over the reader of `mdadm --detail --export`
 * (raid/md_detail.c), whatever mdadm prints.
 *   make fuzz -> build/fuzz/fuzz_md_detail
 *   mkdir -p /tmp/corpus && build/fuzz/fuzz_md_detail -max_total_time=60 /tmp/corpus tests/fixtures/md
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "raid/md_detail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        struct error e = { 0 };
        struct md_detail *d = NULL;
        if (md_detail_parse(text, &d, &e) == 0)
                md_detail_free(d);
        free(text);
        return 0;
}
