/* The host's own facts, as the kernel shows them: DMI (/sys/class/dmi/id),
 * the DIMMs (SMBIOS type 17 under /sys/firmware/dmi/entries, root only),
 * /proc/cpuinfo, /proc/meminfo and the network interfaces that are devices
 * (/sys/class/net/<name>/device). Every path is read under a root ("" or
 * "/" for this machine; a fixture tree in the tests). The parsers are pure
 * and take the text or bytes a file holds. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct host_cpu {                 /* one socket */
        int socket;               /* "physical id" */
        char *vendor, *model;     /* "vendor_id", "model name"; NULL when absent */
        int cores, threads;       /* "cpu cores"; the logical CPUs counted on it */
        int mhz;                  /* "cpu MHz" of its first logical CPU, 0: unknown */
};

struct host_dimm {
        int slot;                 /* the SMBIOS entry's number (17-<slot>) */
        char *locator, *bank;     /* "DIMM_A1", "A" ... (NULL when absent) */
        char *manufacturer, *serial, *part_number;
        uint32_t size_mib;        /* 0: the slot is empty */
        unsigned speed_mts;       /* 0: unknown */
        const char *type;         /* "DDR4", ... or NULL (a static string) */
};

struct host_nic {
        char *name, *mac;
        int mtu;
        int speed_mbps;           /* -1: unknown (no link) */
        bool link_up;             /* operstate "up" */
};

struct host_facts {
        /* DMI; NULL when the file is absent or empty */
        char *sys_vendor, *product_name, *product_serial, *product_uuid, *product_sku;
        char *chassis_vendor, *chassis_serial, *chassis_asset_tag, *bios_version;
        int chassis_type;         /* SMBIOS chassis type number, 0: unknown */
        struct host_cpu *cpus;    /* by socket */
        size_t n_cpus;
        int logical_cpus;
        uint64_t mem_total_kib;   /* MemTotal */
        struct host_dimm *dimms;  /* the populated slots; none when SMBIOS is not readable */
        size_t n_dimms;
};

/* What does not change while the machine runs: DMI, CPUs, memory. A file
 * that cannot be read leaves its fact unknown; only out of memory fails. */
int host_facts_read(const char *root, struct host_facts **ret, struct error *e);
void host_facts_free(struct host_facts *f);
static inline void host_facts_freep(struct host_facts **f) {
        host_facts_free(*f);
}

/* The interfaces that are devices (not lo, bridges, veths, tunnels), sorted by name. */
int host_nics_read(const char *root, struct host_nic **ret, size_t *ret_n, struct error *e);
void host_nics_free(struct host_nic *v, size_t n);

/* ---- the pure parsers ------------------------------------------------------ */

/* /proc/cpuinfo: sockets in order of "physical id" (one socket when the file
 * has none, as in many VMs); -EINVAL when it lists no processor. */
int host_cpuinfo_parse(const char *text, struct host_cpu **ret, size_t *ret_n, int *ret_logical, struct error *e);
void host_cpus_free(struct host_cpu *v, size_t n);
/* /proc/meminfo's MemTotal in KiB; -EINVAL when absent. */
int host_meminfo_parse(const char *text, uint64_t *ret_kib, struct error *e);
/* One SMBIOS type 17 (Memory Device) structure with its strings, as in
 * /sys/firmware/dmi/entries/17-N/raw. -EINVAL when it is not one. */
int host_smbios_dimm_parse(const unsigned char *raw, size_t len, struct host_dimm *ret, struct error *e);
void host_dimm_done(struct host_dimm *d);
/* The installed memory in MiB: the DIMMs' sum when SMBIOS was readable, else MemTotal. */
uint64_t host_memory_mib(const struct host_facts *f);
