/* Boot order and CD media edits of a domain's XML (hypervisor/domain_edit.c):
 * what a Redfish Boot PATCH and VirtualMedia insert/eject write to libvirt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "hypervisor/domain_edit.h"
#include "lib/strutil.h"

static const char *const dom =
        "<domain type='kvm'><name>web1</name><os><type arch='x86_64'>hvm</type><boot dev='hd'/>"
        "<bootmenu enable='no'/></os><devices>"
        "<disk type='volume' device='disk'><source pool='hostd' volume='web1-disk0.qcow2'/>"
        "<target dev='vda' bus='virtio'/></disk>"
        "<disk type='file' device='disk'><source file='/x.img'/><target dev='sda' bus='sata'/></disk>"
        "</devices></domain>";

static void boot_pxe_goes_first_then_disk(void **state) {
        _cleanup_free_ char *x = NULL;
        struct error e = { 0 };
        enum hv_boot_dev d;
        assert_int_equal(hv_domain_boot_first(dom, &d, &e), 0);
        assert_int_equal(d, HV_BOOT_HD);
        assert_int_equal(hv_domain_set_boot(dom, HV_BOOT_NETWORK, &x, &e), 0);
        const char *net = strstr(x, "<boot dev=\"network\"/>"), *hd = strstr(x, "<boot dev=\"hd\"/>");
        assert_non_null(net);
        assert_non_null(hd);
        assert_true(net < hd && hd < strstr(x, "<bootmenu"));   /* libvirt's order inside <os> */
        assert_null(strstr(hd + 1, "<boot dev=\"hd\"/>"));       /* the old one is gone */
        assert_int_equal(hv_domain_boot_first(x, &d, &e), 0);
        assert_int_equal(d, HV_BOOT_NETWORK);
}

static void boot_none_is_disk_only(void **state) {
        _cleanup_free_ char *x = NULL, *y = NULL;
        struct error e = { 0 };
        assert_int_equal(hv_domain_set_boot(dom, HV_BOOT_CDROM, &x, &e), 0);
        assert_int_equal(hv_domain_set_boot(x, HV_BOOT_NONE, &y, &e), 0);
        assert_null(strstr(y, "cdrom"));
        assert_non_null(strstr(y, "<boot dev=\"hd\"/>"));
}

static void boot_refused_for_direct_kernel(void **state) {
        _cleanup_free_ char *x = NULL;
        struct error e = { 0 };
        assert_int_equal(hv_domain_set_boot("<domain><os><type>hvm</type><kernel>/k</kernel></os></domain>",
                                            HV_BOOT_NETWORK, &x, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "kernel"));
        assert_int_equal(hv_domain_set_boot("<pool/>", HV_BOOT_HD, &x, &e), -EBADMSG);
}

static void cdrom_added_on_a_free_name_then_ejected(void **state) {
        _cleanup_free_ char *x = NULL, *y = NULL, *iso = NULL, *dev = NULL;
        struct error e = { 0 };
        assert_int_equal(hv_domain_cdrom(dom, &iso, &e), 0);
        assert_null(iso);
        assert_int_equal(hv_domain_cdrom_device(dom, NULL, &dev, &e), -ENOENT);   /* no drive to change live */
        assert_int_equal(hv_domain_set_cdrom(dom, "/isos/a b&c.iso", &x, &e), 0);
        assert_non_null(strstr(x, "device=\"cdrom\""));
        assert_non_null(strstr(x, "<target dev=\"sdb\" bus=\"sata\"/>"));          /* sda is taken */
        assert_non_null(strstr(x, "a b&amp;c.iso"));                               /* escaped */
        assert_int_equal(hv_domain_cdrom(x, &iso, &e), 0);
        assert_string_equal(iso, "/isos/a b&c.iso");
        assert_int_equal(hv_domain_cdrom_device(x, "/isos/new.iso", &dev, &e), 0);
        assert_true(strncmp(dev, "<disk", 5) == 0);
        assert_non_null(strstr(dev, "/isos/new.iso"));
        assert_null(strstr(dev, "a b"));
        assert_int_equal(hv_domain_set_cdrom(x, NULL, &y, &e), 0);
        free(iso);
        assert_int_equal(hv_domain_cdrom(y, &iso, &e), 0);
        assert_null(iso);
        assert_non_null(strstr(y, "device=\"cdrom\""));                            /* the drive stays, empty */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(boot_pxe_goes_first_then_disk),
                cmocka_unit_test(boot_none_is_disk_only),
                cmocka_unit_test(boot_refused_for_direct_kernel),
                cmocka_unit_test(cdrom_added_on_a_free_name_then_ejected),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
