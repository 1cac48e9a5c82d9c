/* The host's facts as a Redfish client will see them: DMI strings, sockets
 * and threads from cpuinfo, MemTotal, the DIMMs from SMBIOS, the network
 * devices, read from the fixture tree tests/fixtures/host/r630. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lib/strutil.h"
#include "os/host_facts.h"

static char *fixture_root(void) {
        const char *top = getenv("TOP");
        return strdup_printf("%s/tests/fixtures/host/r630", top ? top : ".");
}

static void r630_dmi_cpus_and_memory(void **state) {
        _cleanup_free_ char *root = fixture_root();
        _cleanup_(host_facts_freep) struct host_facts *f = NULL;
        struct error e = { 0 };
        assert_int_equal(host_facts_read(root, &f, &e), 0);
        assert_string_equal(f->sys_vendor, "Dell Inc.");
        assert_string_equal(f->product_name, "PowerEdge R630");
        assert_string_equal(f->product_serial, "7XK2QH2");
        assert_string_equal(f->chassis_asset_tag, "RACK-B07-U22");
        assert_int_equal(f->chassis_type, 23);
        assert_string_equal(f->bios_version, "2.17.0");
        assert_int_equal(f->n_cpus, 2);
        assert_int_equal(f->logical_cpus, 8);
        for (size_t i = 0; i < 2; i++) {
                assert_int_equal(f->cpus[i].socket, (int)i);
                assert_int_equal(f->cpus[i].cores, 2);
                assert_int_equal(f->cpus[i].threads, 4);
                assert_string_equal(f->cpus[i].vendor, "GenuineIntel");
                assert_string_equal(f->cpus[i].model, "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz");
        }
        assert_int_equal(f->cpus[1].mhz, 2404);   /* its first logical CPU, processor 4 */
        assert_int_equal(f->mem_total_kib, 131812340);
        /* the empty slot (17-2) and the type 4 entry are not DIMMs */
        assert_int_equal(f->n_dimms, 2);
        assert_string_equal(f->dimms[0].locator, "A1");
        assert_int_equal(f->dimms[0].size_mib, 32768);   /* the extended size */
        assert_string_equal(f->dimms[0].manufacturer, "Hynix Semiconductor");
        assert_string_equal(f->dimms[0].part_number, "HMA84GR7AFR4N-UH");
        assert_string_equal(f->dimms[0].type, "DDR4");
        assert_int_equal(f->dimms[0].speed_mts, 2400);
        assert_string_equal(f->dimms[1].locator, "A2");
        assert_int_equal(f->dimms[1].size_mib, 16384);
        assert_string_equal(f->dimms[1].serial, "87654321");
}

static void r630_network_devices_only(void **state) {
        _cleanup_free_ char *root = fixture_root();
        struct host_nic *v = NULL;
        size_t n = 0;
        struct error e = { 0 };
        assert_int_equal(host_nics_read(root, &v, &n, &e), 0);
        assert_int_equal(n, 2);   /* lo and docker0 are not devices */
        assert_string_equal(v[0].name, "eno1");
        assert_string_equal(v[0].mac, "24:6e:96:10:20:30");
        assert_int_equal(v[0].speed_mbps, 1000);
        assert_true(v[0].link_up);
        assert_string_equal(v[1].name, "eno2");
        assert_int_equal(v[1].speed_mbps, -1);
        assert_false(v[1].link_up);
        assert_int_equal(v[1].mtu, 1500);
        host_nics_free(v, n);
}

static void missing_root_leaves_facts_unknown(void **state) {
        _cleanup_(host_facts_freep) struct host_facts *f = NULL;
        struct error e = { 0 };
        assert_int_equal(host_facts_read("/nonexistent-hostd-root", &f, &e), 0);
        assert_null(f->product_serial);
        assert_int_equal(f->n_cpus, 0);
        assert_int_equal(f->mem_total_kib, 0);
        struct host_nic *v = NULL;
        size_t n = 0;
        assert_true(host_nics_read("/nonexistent-hostd-root", &v, &n, &e) < 0);
        assert_non_null(strstr(e.msg, "/nonexistent-hostd-root/sys/class/net"));
}

static void cpuinfo_of_a_vm_without_physical_id(void **state) {
        const char *text = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\n\n"
                           "processor\t: 1\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\n";
        struct host_cpu *v = NULL;
        size_t n = 0;
        int logical = 0;
        struct error e = { 0 };
        assert_int_equal(host_cpuinfo_parse(text, &v, &n, &logical, &e), 0);
        assert_int_equal(n, 1);
        assert_int_equal(logical, 2);
        assert_int_equal(v[0].threads, 2);
        assert_string_equal(v[0].model, "AMD EPYC");
        host_cpus_free(v, n);
        assert_int_equal(host_cpuinfo_parse("flags: fpu\n", &v, &n, &logical, &e), -EINVAL);
}

static void meminfo_needs_memtotal_in_kb(void **state) {
        uint64_t kib = 0;
        struct error e = { 0 };
        assert_int_equal(host_meminfo_parse("MemFree: 5 kB\nMemTotal:  1024 kB\n", &kib, &e), 0);
        assert_int_equal(kib, 1024);
        assert_int_equal(host_meminfo_parse("MemFree: 5 kB\n", &kib, &e), -EINVAL);
        assert_int_equal(host_meminfo_parse("XMemTotal: 5 kB\n", &kib, &e), -EINVAL);
}

static void smbios_refuses_what_is_not_a_memory_device(void **state) {
        unsigned char processor[0x30] = { 4, 0x2a };
        unsigned char truncated[0x10] = { 17, 0x28 };
        unsigned char unterminated[0x1D] = { 17, 0x1C, [0x10] = 1 };
        struct host_dimm d = { 0 };
        struct error e = { 0 };
        assert_int_equal(host_smbios_dimm_parse(processor, sizeof processor, &d, &e), -EINVAL);
        assert_int_equal(host_smbios_dimm_parse(truncated, sizeof truncated, &d, &e), -EINVAL);
        /* a string set that runs off the end is no string */
        unterminated[0x1C] = 'X';
        assert_int_equal(host_smbios_dimm_parse(unterminated, sizeof unterminated, &d, &e), 0);
        assert_null(d.locator);
        host_dimm_done(&d);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(r630_dmi_cpus_and_memory),
                cmocka_unit_test(r630_network_devices_only),
                cmocka_unit_test(missing_root_leaves_facts_unknown),
                cmocka_unit_test(cpuinfo_of_a_vm_without_physical_id),
                cmocka_unit_test(meminfo_needs_memtotal_in_kb),
                cmocka_unit_test(smbios_refuses_what_is_not_a_memory_device),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
