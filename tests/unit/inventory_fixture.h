/* A captured inventory from tests/fixtures/inventory/<name>.json, for the
 * planner tests (header-only: each unit test is its own program). */
#pragma once

#include <stdlib.h>

#include "lib/json.h"
#include "lib/strutil.h"
#include "raid/disk.h"

static inline struct disk_list *fixture(const char *name) {
        const char *top = getenv("TOP");
        _cleanup_free_ char *path = strdup_printf("%s/tests/fixtures/inventory/%s.json", top ? top : ".", name);
        struct error e = { 0 };
        struct disk_list *l = NULL;
        if (disk_list_read_json_file(path, &l, &e) < 0)
                fail_msg("fixture %s: %s", name, e.msg);
        return l;
}
