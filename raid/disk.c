/* struct disk: lifetime and classification. Pure: no I/O. */
#include "disk.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "disk_health.h"
#include "lib/strutil.h"

static const char *const source_fields[_DISK_SRC_MAX] = {
        [DISK_SRC_VENDOR] = "vendor",       [DISK_SRC_MODEL] = "model",
        [DISK_SRC_SERIAL] = "serial",       [DISK_SRC_WWN] = "wwn",
        [DISK_SRC_FIRMWARE] = "firmware",   [DISK_SRC_HCTL] = "hctl",
        [DISK_SRC_TRANSPORT] = "transport", [DISK_SRC_BY_ID] = "by_id",
        [DISK_SRC_BY_PATH] = "by_path",    [DISK_SRC_CONTENTS] = "contents",
};

const char *disk_source_field(enum disk_source s) {
        return s < _DISK_SRC_MAX ? source_fields[s] : NULL;
}

void disk_signature_done(struct disk_signature *s) {
        free(s->type);
        free(s->usage);
        free(s->uuid);
        free(s->label);
        free(s->version);
        free(s->array_uuid);
        free(s->array_name);
        *s = (struct disk_signature){ 0 };
}

static void signatures_free(struct disk_signature *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                disk_signature_done(&v[i]);
        free(v);
}

void disk_partition_done(struct disk_partition *p) {
        free(p->name);
        free(p->maj_min);
        free(p->type);
        free(p->type_name);
        free(p->uuid);
        free(p->label);
        signatures_free(p->signatures, p->n_signatures);
        strv_free(p->holders);
        strv_free(p->mountpoints);
        *p = (struct disk_partition){ 0 };
}

void disk_done(struct disk *d) {
        char **strings[] = { &d->name, &d->path, &d->maj_min, &d->vendor, &d->model, &d->serial,
                             &d->wwn, &d->firmware, &d->hctl, &d->transport, &d->by_path,
                             &d->partition_table, &d->bay };
        for (size_t i = 0; i < ELEMENTSOF(strings); i++)
                free(*strings[i]);
        for (size_t i = 0; i < _DISK_SRC_MAX; i++)
                free(d->sources[i]);
        strv_free(d->by_id);
        char **more[] = { &d->controller.pci_slot, &d->controller.pci_id, &d->controller.driver, &d->controller.model,
                          &d->nvme.controller, &d->nvme.eui64, &d->nvme.nguid, &d->nvme.uuid };
        for (size_t i = 0; i < ELEMENTSOF(more); i++)
                free(*more[i]);
        for (size_t i = 0; i < d->n_partitions; i++)
                disk_partition_done(&d->partitions[i]);
        free(d->partitions);
        signatures_free(d->signatures, d->n_signatures);
        strv_free(d->holders);
        strv_free(d->mountpoints);
        strv_free(d->in_use_reasons);
        disk_health_free(d->health);
        *d = (struct disk){ 0 };
}

void disk_list_free(struct disk_list *l) {
        if (!l)
                return;
        for (size_t i = 0; i < l->n; i++)
                disk_done(&l->disks[i]);
        free(l->disks);
        free(l);
}

/* Grow an array by one zeroed element; NULL on ENOMEM. */
static void *grow(void **v, size_t *n, size_t size) {
        void *nv = realloc(*v, (*n + 1) * size);
        if (!nv)
                return NULL;
        *v = nv;
        void *item = (char *)nv + *n * size;
        memset(item, 0, size);
        (*n)++;
        return item;
}

struct disk *disk_list_add(struct disk_list *l) {
        struct disk *d = grow((void **)&l->disks, &l->n, sizeof *d);
        if (d) {
                d->size_bytes = d->logical_sector_size = d->physical_sector_size = -1;
                d->rotational = d->removable = d->read_only = -1;
                d->controller_volume = -1;
                d->nvme.nsid = -1;
        }
        return d;
}

struct disk_partition *disk_add_partition(struct disk *d) {
        struct disk_partition *p = grow((void **)&d->partitions, &d->n_partitions, sizeof *p);
        if (p)
                p->start = p->size = -1;
        return p;
}

struct disk_signature *disk_signatures_add(struct disk_signature **v, size_t *n) {
        return grow((void **)v, n, sizeof **v);
}

static int name_cmp(const void *a, const void *b) {
        const char *x = ((const struct disk *)a)->name, *y = ((const struct disk *)b)->name;
        if (!x || !y)
                return !x - !y;
        size_t px = strcspn(x, "0123456789"), py = strcspn(y, "0123456789");
        /* sdz before sdaa: same driver prefix "sd", letters only: shorter first */
        if (px == strlen(x) && py == strlen(y) && strncmp(x, y, 2) == 0 && strlen(x) != strlen(y))
                return strlen(x) < strlen(y) ? -1 : 1;
        return strverscmp(x, y);
}

void disk_list_sort(struct disk_list *l) {
        if (l->n > 1)
                qsort(l->disks, l->n, sizeof *l->disks, name_cmp);
}

/* ---- classification --------------------------------------------------------- */

bool disk_name_is_virtual(const char *name) {
        static const char *const prefixes[] = { "loop", "ram", "zram", "md", "dm-" };
        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
                if (startswith(name, prefixes[i]))
                        return true;
        return false;
}

const char *disk_kind(const struct disk *d) {
        return d->rotational < 0 ? "?" : d->rotational ? "HDD" : "SSD";
}

const char *disk_transport(const char *devpath, const char *scsi_driver) {
        static const struct {
                const char *driver, *transport;
        } drivers[] = {
                { "mpt3sas", "sas" },      { "mpt2sas", "sas" },    { "mptsas", "sas" },
                { "megaraid_sas", "sas" }, { "hpsa", "sas" },       { "smartpqi", "sas" },
                { "pm80xx", "sas" },       { "isci", "sas" },       { "mvsas", "sas" },
                { "ahci", "sata" },        { "virtio_scsi", "virtio" },
                { "usb-storage", "usb" },  { "uas", "usb" },
        };
        if (devpath) {
                if (strstr(devpath, "/usb"))
                        return "usb";
                if (strstr(devpath, "/nvme"))
                        return "nvme";
                if (strstr(devpath, "/end_device-") || strstr(devpath, "/sas_"))
                        return "sas";
                if (strstr(devpath, "/ata"))
                        return "sata";
        }
        for (size_t i = 0; scsi_driver && i < ELEMENTSOF(drivers); i++)
                if (streq(scsi_driver, drivers[i].driver))
                        return drivers[i].transport;
        if (scsi_driver && startswith(scsi_driver, "ata_"))
                return "sata";
        if (devpath && strstr(devpath, "/virtio"))
                return "virtio";
        return NULL;
}

char *disk_wwn_from_wwid(const char *wwid) {
        if (!wwid || !*wwid)
                return NULL;
        const char *hex = startswith(wwid, "naa.");
        if (hex)
                return strdup_printf("0x%s", hex);
        if (startswith(wwid, "eui.") || startswith(wwid, "nvme."))
                return strdup(wwid);
        return NULL; /* t10.<vendor><model><serial>: no world wide name */
}

char *disk_md_uuid(const char *u) {
        char hex[33];
        size_t n = 0;
        for (; u && *u; u++) {
                if (*u == '-' || *u == ':')
                        continue;
                if (!isxdigit((unsigned char)*u) || n == 32)
                        return NULL;
                hex[n++] = (char)tolower((unsigned char)*u);
        }
        if (n != 32)
                return NULL;
        hex[n] = '\0';
        return strdup_printf("%.8s:%.8s:%.8s:%.8s", hex, hex + 8, hex + 16, hex + 24);
}

char *disk_md_name(const char *label) {
        if (!label)
                return NULL;
        const char *colon = strchr(label, ':');
        return strdup(colon ? colon + 1 : label);
}

const char *disk_part_type_name(const char *type) {
        static const struct {
                const char *type, *name;
        } types[] = {
                { "0fc63daf-8483-4772-8e79-3d69d8477de4", "Linux filesystem" },
                { "c12a7328-f81f-11d2-ba4b-00a0c93ec93b", "EFI System" },
                { "21686148-6449-6e6f-744e-656564454649", "BIOS boot" },
                { "a19d880f-05fc-4d3b-a006-743f0f84911e", "Linux RAID" },
                { "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f", "Linux swap" },
                { "e6d6d379-f507-44c2-a23c-238f2a3df928", "Linux LVM" },
                { "4f68bce3-e8cd-4db1-96e7-fbcaf984b709", "Linux root (x86-64)" },
                { "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7", "Microsoft basic data" },
                { "e3c9e316-0b5c-4db8-817d-f92df00215ae", "Microsoft reserved" },
                { "0x83", "Linux" },       { "0x82", "Linux swap" },
                { "0xfd", "Linux raid autodetect" },
                { "0x8e", "Linux LVM" },   { "0xef", "EFI (FAT-12/16/32)" },
                { "0x07", "HPFS/NTFS/exFAT" }, { "0x0c", "W95 FAT32 (LBA)" },
                { "0x05", "Extended" },    { "0x0f", "W95 Ext'd (LBA)" },
                { "0xee", "GPT" },
        };
        for (size_t i = 0; type && i < ELEMENTSOF(types); i++)
                if (strcasecmp(type, types[i].type) == 0)
                        return types[i].name;
        return NULL;
}

char *disk_clean_string(const char *raw, size_t len) {
        while (len > 0 && (raw[len - 1] == ' ' || raw[len - 1] == '\n' || raw[len - 1] == '\0' ||
                           raw[len - 1] == '\t'))
                len--;
        while (len > 0 && (*raw == ' ' || *raw == '\t')) {
                raw++;
                len--;
        }
        char *out = malloc(len * 4 + 1), *p = out;
        if (!out)
                return NULL;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)raw[i];
                if (c >= 0x20 && c < 0x7f)
                        *p++ = (char)c;
                else
                        p += sprintf(p, "\\x%02x", c);
        }
        *p = '\0';
        return out;
}

const char *disk_contents(const struct disk *d, char *buf, size_t len) {
        if (d->contents_unreadable)
                snprintf(buf, len, "unreadable");
        else if (d->partition_table)
                snprintf(buf, len, "%s (%zu partition%s)", d->partition_table, d->n_partitions,
                         d->n_partitions == 1 ? "" : "s");
        else if (d->n_signatures > 0 && d->n_signatures == 1)
                snprintf(buf, len, "%s", d->signatures[0].type ? d->signatures[0].type : "?");
        else if (d->n_signatures > 1)
                snprintf(buf, len, "%s +%zu", d->signatures[0].type ? d->signatures[0].type : "?",
                         d->n_signatures - 1);
        else
                snprintf(buf, len, "-");
        return buf;
}

static const char *last_component(const char *path) {
        const char *slash = strrchr(path, '/');
        return slash ? slash + 1 : path;
}

const struct disk *disk_list_find(const struct disk_list *l, const char *id) {
        if (!id || !*id)
                return NULL;
        bool bare = !strchr(id, '/');   /* "wwn-0x5000..." as well as its full path */
        for (size_t i = 0; i < l->n; i++) {
                const struct disk *d = &l->disks[i];
                if (streq(d->name, id) || streq(d->path, id) || streq(d->serial, id) ||
                    streq(d->by_path, id))
                        return d;
                if (d->wwn && (strcasecmp(d->wwn, id) == 0 ||
                               (startswith(d->wwn, "0x") && strcasecmp(d->wwn + 2, id) == 0)))
                        return d;
                for (char **b = d->by_id; b && *b; b++)
                        if (streq(*b, id) || (bare && streq(last_component(*b), id)))
                                return d;
        }
        return NULL;
}

bool disk_bay_valid(const char *s) {
        size_t n = s ? strlen(s) : 0;
        return n >= 1 && n <= 16 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

int disk_list_set_bay(struct disk_list *l, const char *serial, const char *bay) {
        if (!disk_bay_valid(bay))
                return -EINVAL;
        for (size_t i = 0; serial && i < l->n; i++)
                if (streq(l->disks[i].serial, serial)) {
                        char *copy = strdup(bay);
                        if (!copy)
                                return -ENOMEM;
                        free(l->disks[i].bay);
                        l->disks[i].bay = copy;
                        return 0;
                }
        return -ENOENT;
}

const struct disk *disk_list_holder(const struct disk_list *l, const char *dev, const struct disk_partition **ret_part) {
        for (size_t i = 0; dev && l && i < l->n; i++) {
                const struct disk *d = &l->disks[i];
                if (streq(d->name, dev)) {
                        if (ret_part)
                                *ret_part = NULL;
                        return d;
                }
                for (size_t j = 0; j < d->n_partitions; j++)
                        if (streq(d->partitions[j].name, dev)) {
                                if (ret_part)
                                        *ret_part = &d->partitions[j];
                                return d;
                        }
        }
        return NULL;
}

bool disk_name_is_partition_of(const char *part, const char *disk) {
        const char *rest = startswith(part, disk);
        size_t n = strlen(disk);
        if (!rest || n == 0)
                return false;
        if (disk[n - 1] >= '0' && disk[n - 1] <= '9' && *rest++ != 'p')
                return false;
        return *rest && strspn(rest, "0123456789") == strlen(rest);
}

int disk_controller_volume(const char *driver, const char *hctl, const char *vendor, const char *model) {
        unsigned h, channel, t, l;
        bool scsi = hctl && sscanf(hctl, "%u:%u:%u:%u", &h, &channel, &t, &l) == 4;
        if (streq(driver, "megaraid_sas") && scsi)
                return channel >= 2;
        if ((streq(vendor, "DELL") && model && startswith(model, "PERC ")) || streq(model, "LOGICAL VOLUME"))
                return 1;
        return driver || scsi ? 0 : -1;
}
