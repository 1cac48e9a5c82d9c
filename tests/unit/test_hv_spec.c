/* The VM spec and the domain XML built from it: what `hostctl vm create
 * --print-xml` shows. Expected XML: tests/fixtures/hypervisor/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "hypervisor/lazy_virt.h"
#include <stdio.h>
#include <string.h>

#include "hypervisor/seed.h"
#include "hypervisor/spec.h"
#include "hypervisor/xml.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/strutil.h"
#include "lib/yaml_json.h"

static const char *const web1_yaml =
        "vms:\n"
        "  - name: web1\n"
        "    vcpus: 2\n"
        "    memory: 2G\n"
        "    disks: [{size: 20G, image: debian-12.qcow2}]\n"
        "    network: {type: nat}\n"
        "    cloud_init: {user_data: web1.user-data, network_config: web1.network}\n"
        "    firmware: bios\n"
        "    autostart: true\n";

static int parse(const char *yaml, struct vm_spec_list **ret, struct error *e) {
        _cleanup_json_ json_object *o = NULL;
        json_object *vms = NULL;
        int k = yaml_parse_to_json(yaml, strlen(yaml), &o, e);
        if (k < 0)
                return k;
        json_object_object_get_ex(o, "vms", &vms);
        return vm_spec_list_from_json(vms, "/etc/hostd", ret, e);
}

static char *fixture(const char *name) {
        const char *top = getenv("TOP");
        _cleanup_free_ char *path = strdup_printf("%s/tests/fixtures/hypervisor/%s", top ? top : ".", name);
        char *text = NULL;
        struct error e = { 0 };
        if (read_file(path, 1 << 20, &text, NULL, &e) < 0)
                fail_msg("fixture %s: %s", name, e.msg);
        return text;
}

static void assert_xml_is_fixture(const char *xml, const char *name) {
        _cleanup_free_ char *want = fixture(name);
        if (!streq(xml, want)) {
                print_message("--- expected %s:\n%s--- got:\n%s", name, want, xml);
                fail_msg("domain XML differs from %s", name);
        }
}

static void web1_spec_reads_as_written(void **state) {
        _cleanup_(vm_spec_list_freep) struct vm_spec_list *l = NULL;
        struct error e = { 0 };
        assert_int_equal(parse(web1_yaml, &l, &e), 0);
        assert_int_equal(l->n, 1);
        const struct vm_spec *v = &l->vms[0];
        assert_string_equal(v->name, "web1");
        assert_int_equal(v->vcpus, 2);
        assert_true(v->memory == 2ULL << 30);
        assert_int_equal(v->n_disks, 1);
        assert_true(v->disks[0].size == 20ULL << 30);
        assert_string_equal(v->disks[0].image, "debian-12.qcow2");
        assert_int_equal(v->net, VM_NET_NAT);
        assert_string_equal(v->net_source, "default");
        assert_string_equal(v->user_data, "/etc/hostd/web1.user-data");   /* relative to the spec */
        assert_string_equal(v->network_config, "/etc/hostd/web1.network");
        assert_int_equal(v->firmware, VM_FIRMWARE_BIOS);
        assert_true(v->autostart);
}

static void web1_domain_xml_matches_fixture(void **state) {
        _cleanup_(vm_spec_list_freep) struct vm_spec_list *l = NULL;
        struct error e = { 0 };
        assert_int_equal(parse(web1_yaml, &l, &e), 0);
        struct vm_xml_params p = { .virt_type = "kvm", .pool = "hostd", .console_log = "/var/log/hostd/vms/web1.log" };
        _cleanup_free_ char *xml = NULL;
        assert_int_equal(vm_domain_xml(&l->vms[0], &p, &xml, &e), 0);
        assert_xml_is_fixture(xml, "web1.xml");
}

static void bridge_uefi_kernel_boot_xml(void **state) {
        _cleanup_(vm_spec_list_freep) struct vm_spec_list *l = NULL;
        struct error e = { 0 };
        assert_int_equal(parse("vms:\n"
                               "  - name: db1\n"
                               "    memory: 256M\n"
                               "    disks: [{size: 1G}, {size: 2G}]\n"
                               "    network: {type: bridge, bridge: br0, mac: '52:54:00:12:34:56'}\n"
                               "    firmware: uefi\n"
                               "    kernel: /boot/vmlinuz\n"
                               "    initrd: initrd.img\n"
                               "    cmdline: console=ttyS0 quiet\n",
                               &l, &e),
                         0);
        struct vm_xml_params p = { .virt_type = "qemu", .pool = "hostd", .console_log = "/var/log/hostd/vms/db1.log" };
        _cleanup_free_ char *xml = NULL;
        assert_int_equal(vm_domain_xml(&l->vms[0], &p, &xml, &e), 0);
        assert_xml_is_fixture(xml, "db1.xml");
}

/* Every name and path goes through libxml2: markup in them stays text. */
static void names_and_paths_are_escaped(void **state) {
        static const char *const name = "we<b> &'\" 1";
        struct vm_disk_spec disk = { .size = 1 << 30 };
        struct vm_spec v = { .name = (char *)name, .vcpus = 1, .memory = 256 << 20, .disks = &disk, .n_disks = 1,
                             .net = VM_NET_BRIDGE, .net_source = (char *)"br<0>&\"'", .cloud_init = true,
                             .kernel = (char *)"/srv/my \"images\"/<k>&'.img", .cmdline = (char *)"a=\"b\" <c> & d" };
        struct vm_xml_params p = { .virt_type = "qemu", .pool = "pool '&<>\"", .console_log = "/var/log/a b/<x>&'\".log" };
        _cleanup_free_ char *xml = NULL;
        struct error e = { 0 };
        assert_int_equal(vm_domain_xml(&v, &p, &xml, &e), 0);
        assert_xml_is_fixture(xml, "escaped.xml");
        /* and it reads back as the same strings */
        _cleanup_(vm_xml_info_done) struct vm_xml_info info = { 0 };
        assert_int_equal(vm_xml_parse(xml, &info, &e), 0);
        assert_string_equal(info.console_log, p.console_log);
        assert_string_equal(info.vol_pools[0], p.pool);
        assert_string_equal(info.vol_names[0], "we<b> &'\" 1-disk0.qcow2");
        assert_string_equal(info.vol_names[1], "we<b> &'\" 1-cidata.iso");
        _cleanup_free_ char *got = NULL;
        assert_int_equal(hv_xml_xpath_string(xml, "/domain/name", &got, &e), 0);
        assert_string_equal(got, name);
        free(got);
        assert_int_equal(hv_xml_xpath_string(xml, "/domain/os/cmdline", &got, &e), 0);
        assert_string_equal(got, v.cmdline);
}

static void pool_volume_network_xml_escape(void **state) {
        struct error e = { 0 };
        _cleanup_free_ char *pool = NULL, *vol = NULL, *got = NULL;
        assert_int_equal(hv_pool_xml("p&<1>", "/srv/raid 5/\"vms\"", &pool, &e), 0);
        assert_non_null(strstr(pool, "<name>p&amp;&lt;1&gt;</name>"));
        assert_int_equal(hv_xml_xpath_string(pool, "/pool/target/path", &got, &e), 0);
        assert_string_equal(got, "/srv/raid 5/\"vms\"");
        assert_int_equal(hv_volume_xml("v 1", "qcow2", 20ULL << 30, "/srv/images/a&b.img", NULL, &vol, &e), 0);
        assert_non_null(strstr(vol, "<capacity unit=\"bytes\">21474836480</capacity>"));
        assert_non_null(strstr(vol, "<path>/srv/images/a&amp;b.img</path>"));
        assert_non_null(strstr(vol, "<format type=\"raw\"/>"));   /* .img backing is raw */
        free(vol);
        assert_int_equal(hv_volume_xml("v", "qcow2", 0, "/x/base.qcow2", NULL, &vol, &e), 0);
        assert_null(strstr(vol, "<capacity"));                      /* the backing image's size */
}

static void seed_meta_data_quotes_the_name(void **state) {
        _cleanup_free_ char *m = seed_meta_data("we\"b: 1");
        assert_string_equal(m, "instance-id: \"we\\\"b: 1\"\nlocal-hostname: \"we\\\"b: 1\"\n");
}

/* Each bad spec gives one error naming the key. */
static void spec_errors_name_the_key(void **state) {
        static const struct { const char *yaml, *msg; } cases[] = {
                { "vms:\n  - {name: a, memory: 2X}\n", "vms[0].memory: '2X' is not a size" },
                { "vms:\n  - {memory: 2G}\n", "vms[0].name: missing" },
                { "vms:\n  - {name: 'a/b'}\n", "vms[0].name: 'a/b' is not a valid VM name" },
                { "vms:\n  - {name: a, vcpus: 0}\n", "vms[0].vcpus: '0' is not a whole number from 1 to 256" },
                { "vms:\n  - {name: a, cpus: 2}\n", "vms[0].cpus: unknown key" },
                { "vms:\n  - {name: a, network: {type: wifi}}\n", "vms[0].network.type: 'wifi' is not nat, bridge, user or none" },
                { "vms:\n  - {name: a, network: {type: bridge}}\n", "vms[0].network.bridge: missing" },
                { "vms:\n  - {name: a, firmware: coreboot}\n", "vms[0].firmware: 'coreboot' is not bios or uefi" },
                { "vms:\n  - {name: a, disks: [{}]}\n", "vms[0].disks[0]: give a size, an image or both" },
                { "vms:\n  - {name: a, disks: [{size: 0}]}\n", "vms[0].disks[0].size: '0' is not a size" },
                { "vms:\n  - {name: a, autostart: yes please}\n", "vms[0].autostart: must be true or false" },
                { "vms:\n  - {name: a, cmdline: quiet}\n", "vms[0]: initrd and cmdline need a kernel" },
                { "vms:\n  - {name: a, memory: 1M}\n", "vms[0].memory: at least 16M" },
                { "vms:\n  - {name: a}\n  - {name: a}\n", "vms[1].name: 'a' is already the name of vms[0]" },
                { "vms: {name: a}\n", "vms: must be a list of VMs" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(vm_spec_list_freep) struct vm_spec_list *l = NULL;
                struct error e = { 0 };
                int k = parse(cases[i].yaml, &l, &e);
                if (k != -EINVAL || !strstr(e.msg, cases[i].msg))
                        fail_msg("case %zu: got %d '%s', want '%s'", i, k, e.msg, cases[i].msg);
                assert_null(l);
        }
}

static void defaults(void **state) {
        _cleanup_(vm_spec_list_freep) struct vm_spec_list *l = NULL;
        struct error e = { 0 };
        assert_int_equal(parse("vms:\n  - name: tiny\n", &l, &e), 0);
        assert_int_equal(l->vms[0].vcpus, 1);
        assert_true(l->vms[0].memory == 512ULL << 20);
        assert_int_equal(l->vms[0].net, VM_NET_NAT);
        assert_false(l->vms[0].cloud_init);
        assert_false(l->vms[0].autostart);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(web1_spec_reads_as_written),
                cmocka_unit_test(web1_domain_xml_matches_fixture),
                cmocka_unit_test(bridge_uefi_kernel_boot_xml),
                cmocka_unit_test(names_and_paths_are_escaped),
                cmocka_unit_test(pool_volume_network_xml_escape),
                cmocka_unit_test(seed_meta_data_quotes_the_name),
                cmocka_unit_test(spec_errors_name_the_key),
                cmocka_unit_test(defaults),
        };
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        xmlCleanupParser();
        return r;
}
