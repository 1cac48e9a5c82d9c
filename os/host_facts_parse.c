/* os/host_facts_parse.c: /proc/cpuinfo, /proc/meminfo and SMBIOS memory
 * devices, from their text or bytes (pure). */
#include <stdlib.h>
#include <string.h>

#include "host_facts.h"
#include "lib/macro.h"
#include "lib/strutil.h"

void host_cpus_free(struct host_cpu *v, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(v[i].vendor);
                free(v[i].model);
        }
        free(v);
}

/* The value of "key<tabs>: value" when line is that key's, else NULL. */
static const char *cpuinfo_value(const char *line, const char *key) {
        const char *rest = startswith(line, key);
        if (!rest)
                return NULL;
        rest += strspn(rest, " \t");
        if (*rest != ':')
                return NULL;
        return rest + 1 + strspn(rest + 1, " \t");
}

/* The socket with that physical id, appended when new. */
static struct host_cpu *socket_of(struct host_cpu **v, size_t *n, int id) {
        for (size_t i = 0; i < *n; i++)
                if ((*v)[i].socket == id)
                        return &(*v)[i];
        struct host_cpu *nv = realloc(*v, (*n + 1) * sizeof **v);
        if (!nv)
                return NULL;
        *v = nv;
        nv[*n] = (struct host_cpu){ .socket = id };
        return &nv[(*n)++];
}

/* One processor's block ("processor : N" up to the blank line) into its socket. */
static int cpuinfo_block(char *block, struct host_cpu **v, size_t *n) {
        const char *vendor = NULL, *model = NULL;
        int socket = 0, cores = 0, mhz = 0;
        for (char *save = NULL, *l = strtok_r(block, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                const char *x;
                if ((x = cpuinfo_value(l, "vendor_id")))
                        vendor = x;
                else if ((x = cpuinfo_value(l, "model name")))
                        model = x;
                else if ((x = cpuinfo_value(l, "physical id")))
                        socket = atoi(x);
                else if ((x = cpuinfo_value(l, "cpu cores")))
                        cores = atoi(x);
                else if ((x = cpuinfo_value(l, "cpu MHz")))
                        mhz = (int)(strtod(x, NULL) + 0.5);
        }
        struct host_cpu *c = socket_of(v, n, socket);
        if (!c)
                return -ENOMEM;
        if (c->threads++ == 0) {
                c->vendor = vendor ? strdup(vendor) : NULL;
                c->model = model ? strdup(model) : NULL;
                c->cores = cores;
                c->mhz = mhz;
                if ((vendor && !c->vendor) || (model && !c->model))
                        return -ENOMEM;
        }
        return 0;
}

int host_cpuinfo_parse(const char *text, struct host_cpu **ret, size_t *ret_n, int *ret_logical, struct error *e) {
        _cleanup_free_ char *copy = strdup(text);
        struct host_cpu *v = NULL;
        size_t n = 0;
        int logical = 0;
        if (!copy)
                return error_set(e, -ENOMEM, "out of memory");
        /* blocks start at "processor" lines */
        for (char *p = copy; p && *p;) {
                char *next = strstr(p, "\nprocessor");
                if (next)
                        *next++ = '\0';
                if (cpuinfo_value(p, "processor")) {
                        logical++;
                        if (cpuinfo_block(p, &v, &n) < 0) {
                                host_cpus_free(v, n);
                                return error_set(e, -ENOMEM, "out of memory");
                        }
                }
                p = next;
        }
        if (logical == 0) {
                host_cpus_free(v, n);
                return error_set(e, -EINVAL, "cpuinfo lists no processor");
        }
        *ret = v;
        *ret_n = n;
        *ret_logical = logical;
        return 0;
}

int host_meminfo_parse(const char *text, uint64_t *ret_kib, struct error *e) {
        const char *m = strstr(text, "MemTotal:");
        if (m && (m == text || m[-1] == '\n')) {
                char *end = NULL;
                unsigned long long kib = strtoull(m + strlen("MemTotal:"), &end, 10);
                if (end && startswith(end + strspn(end, " \t"), "kB")) {
                        *ret_kib = kib;
                        return 0;
                }
        }
        return error_set(e, -EINVAL, "meminfo has no MemTotal in kB");
}

void host_dimm_done(struct host_dimm *d) {
        free(d->locator);
        free(d->bank);
        free(d->manufacturer);
        free(d->serial);
        free(d->part_number);
        *d = (struct host_dimm){ 0 };
}

/* String number idx (1-based) of the set after the formatted area; NULL for 0,
 * a missing one, or one that is only spaces (firmware pads "NO DIMM" fields). */
static char *smbios_string(const unsigned char *raw, size_t len, size_t formatted, unsigned idx) {
        if (idx == 0)
                return NULL;
        const char *s = (const char *)raw + formatted, *end = (const char *)raw + len;
        for (unsigned i = 1; s < end && *s; i++) {
                size_t l = strnlen(s, (size_t)(end - s));
                if (s + l == end)
                        return NULL;   /* not terminated */
                if (i == idx) {
                        char *v = strndup(s, l);
                        if (v && !*str_trim(v)) {
                                free(v);
                                v = NULL;
                        }
                        return v;
                }
                s += l + 1;
        }
        return NULL;
}

static unsigned le16(const unsigned char *p) {
        return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t le32(const unsigned char *p) {
        return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

/* SMBIOS 3.x, 7.18.2: the memory types Redfish's MemoryDeviceType names alike */
static const char *smbios_memory_type(unsigned t) {
        switch (t) {
        case 0x12: return "DDR";
        case 0x13: return "DDR2";
        case 0x18: return "DDR3";
        case 0x1A: return "DDR4";
        case 0x22: return "DDR5";
        default: return NULL;
        }
}

int host_smbios_dimm_parse(const unsigned char *raw, size_t len, struct host_dimm *ret, struct error *e) {
        /* 0x15 (speed) is SMBIOS 2.3; everything read below 0x1C must be there */
        if (len < 0x1C || raw[0] != 17 || raw[1] < 0x1B || raw[1] > len)
                return error_set(e, -EINVAL, "not an SMBIOS memory device (type %u, %zu bytes)", len ? raw[0] : 0, len);
        size_t formatted = raw[1];
        struct host_dimm d = { 0 };
        unsigned size = le16(raw + 0x0C);
        if (size == 0x7FFF && formatted >= 0x20)
                d.size_mib = le32(raw + 0x1C) & 0x7FFFFFFFu;
        else if (size != 0xFFFF && size != 0x7FFF)
                d.size_mib = size & 0x8000 ? (size & 0x7FFF) / 1024 : size;
        d.speed_mts = le16(raw + 0x15);
        d.type = smbios_memory_type(raw[0x12]);
        d.locator = smbios_string(raw, len, formatted, raw[0x10]);
        d.bank = smbios_string(raw, len, formatted, raw[0x11]);
        d.manufacturer = smbios_string(raw, len, formatted, raw[0x17]);
        d.serial = smbios_string(raw, len, formatted, raw[0x18]);
        d.part_number = smbios_string(raw, len, formatted, raw[0x1A]);
        *ret = d;
        return 0;
}

uint64_t host_memory_mib(const struct host_facts *f) {
        uint64_t mib = 0;
        for (size_t i = 0; i < f->n_dimms; i++)
                mib += f->dimms[i].size_mib;
        return f->n_dimms ? mib : f->mem_total_kib / 1024;
}
