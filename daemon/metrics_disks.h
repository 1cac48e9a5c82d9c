/* The hostd_disk_* families of /metrics (docs/METRICS.md). */
#pragma once

#include <stdio.h>

#include "raid/disk.h"

void metrics_write_disks(FILE *f, const struct disk_list *l);
