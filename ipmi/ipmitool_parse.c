/* Pure readers of ipmitool's text output (LC_ALL=C). */
#include <stdio.h>
#include <string.h>

#include "ipmitool.h"
#include "lib/strutil.h"

int ipmitool_parse_power(const char *out, enum bmc_power *ret) {
        const char *p = out ? strstr(out, "Chassis Power is ") : NULL;
        if (!p)
                return -EBADMSG;
        p += strlen("Chassis Power is ");
        if (startswith(p, "on"))
                *ret = BMC_POWER_ON;
        else if (startswith(p, "off"))
                *ret = BMC_POWER_OFF;
        else
                return -EBADMSG;
        return 0;
}

/* Call fn(key, value) for each "Key : Value" line, both trimmed. */
static int each_field(const char *out, int (*fn)(const char *key, const char *value, void *u), void *u) {
        _cleanup_free_ char *copy = strdup(out ? out : "");
        if (!copy)
                return -ENOMEM;
        char *save = NULL;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *colon = strchr(line, ':');
                if (!colon)
                        continue;
                *colon = '\0';
                int k = fn(str_trim(line), str_trim(colon + 1), u);
                if (k < 0)
                        return k;
        }
        return 0;
}

static int set_once(char **field, const char *value) {
        if (*field || !*value)
                return 0;
        *field = strdup(value);
        return *field ? 0 : -ENOMEM;
}

/* The same words as Redfish: serial is the board's (Board Serial; Redfish
 * SerialNumber), service_tag the product's (Product Serial, on a Dell the
 * service tag; else Chassis Serial). */
static int fru_field(const char *key, const char *value, void *u) {
        struct bmc_inventory *inv = u;
        if (streq(key, "Product Manufacturer"))
                return free(inv->manufacturer), inv->manufacturer = NULL, set_once(&inv->manufacturer, value);
        if (streq(key, "Product Name"))
                return free(inv->model), inv->model = NULL, set_once(&inv->model, value);
        if (streq(key, "Product Serial"))
                return free(inv->service_tag), inv->service_tag = NULL, set_once(&inv->service_tag, value);
        if (streq(key, "Chassis Serial"))
                return set_once(&inv->service_tag, value);
        if (streq(key, "Board Mfg"))
                return set_once(&inv->manufacturer, value);
        if (streq(key, "Board Product"))
                return set_once(&inv->model, value);
        if (streq(key, "Board Serial"))
                return set_once(&inv->serial, value);
        return 0;
}

int ipmitool_parse_fru(const char *out, struct bmc_inventory *inv) {
        int k = each_field(out, fru_field, inv);
        if (k < 0)
                return k;
        return inv->model || inv->serial || inv->service_tag ? 0 : -EBADMSG;
}

enum bmc_boot_mode ipmitool_parse_boot_mode(const char *out) {
        if (out && strstr(out, "BIOS EFI boot"))
                return BMC_BOOT_MODE_UEFI;
        if (out && strstr(out, "BIOS PC Compatible (legacy) boot"))
                return BMC_BOOT_MODE_LEGACY;
        return BMC_BOOT_MODE_KEEP;
}

/* "03/01/2024" or "03/01/24" and "10:00:00" (UTC, see ipmitool.c) as ISO 8601; NULL if not a date. */
static char *sel_time(const char *date, const char *time) {
        unsigned mon, day, year, h, m, sec;
        char end;
        if (sscanf(date, "%2u/%2u/%4u%c", &mon, &day, &year, &end) != 3 ||
            sscanf(time, "%2u:%2u:%2u%c", &h, &m, &sec, &end) != 3 || mon < 1 || mon > 12 || day < 1 || day > 31 ||
            h > 23 || m > 59 || sec > 60)
                return NULL;
        if (year < 100)
                year += 2000;
        return strdup_printf("%04u-%02u-%02uT%02u:%02u:%02uZ", year, mon, day, h, m, sec);
}

static int mc_field(const char *key, const char *value, void *u) {
        struct bmc_inventory *inv = u;
        if (streq(key, "Firmware Revision"))
                return set_once(&inv->bmc_firmware, value);
        return 0;
}

int ipmitool_parse_mc_info(const char *out, struct bmc_inventory *inv) {
        return each_field(out, mc_field, inv);
}

static char *field_dup(char *s) {
        return strdup(str_trim(s));
}

int ipmitool_parse_sel(const char *out, struct bmc_sel *ret) {
        _cleanup_free_ char *copy = strdup(out ? out : "");
        struct bmc_sel sel = { 0 };
        if (!copy)
                return -ENOMEM;
        char *save = NULL;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *f[8] = { 0 };
                size_t n = 0;
                char *s2 = NULL;
                for (char *t = strtok_r(line, "|", &s2); t && n < ELEMENTSOF(f); t = strtok_r(NULL, "|", &s2))
                        f[n++] = t;
                if (n < 4 || strspn(str_trim(f[0]), "0123456789abcdefABCDEF") != strlen(f[0]) || !f[0][0])
                        continue;       /* "SEL has no entries" and other prose */
                struct bmc_sel_entry *en = bmc_array_add((void **)&sel.entries, &sel.n, sizeof *en);
                if (!en)
                        goto oom;
                /* id | date | time | sensor | event | direction [| detail] */
                size_t first_text = n >= 6 ? 3 : 2;
                _cleanup_free_ char *msg = NULL;
                for (size_t i = first_text; i < n; i++) {
                        char *prev = msg;
                        msg = prev ? strdup_printf("%s | %s", prev, str_trim(f[i])) : strdup(str_trim(f[i]));
                        free(prev);
                        if (!msg)
                                goto oom;
                }
                en->id = field_dup(f[0]);
                const char *date = str_trim(f[1]), *clock = n >= 6 ? str_trim(f[2]) : "";
                en->created = sel_time(date, clock);
                if (!en->created && !(en->created_raw = *clock ? strdup_printf("%s %s", date, clock) : strdup(date)))
                        goto oom;
                en->message = TAKE_PTR(msg);
                en->severity = strstr(en->message, "Critical") ? strdup("Critical") : NULL;
                if (!en->id)
                        goto oom;
        }
        *ret = sel;
        return 0;
oom:
        bmc_sel_done(&sel);
        return -ENOMEM;
}
