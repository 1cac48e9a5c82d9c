/* The RAID planner over captured inventories: what an operator would read
 * in `hostctl raid plan`. Fixtures: tests/fixtures/inventory/ (make-fixtures.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lib/json.h"
#include "lib/strutil.h"
#include "lib/yaml_json.h"
#include "raid/disk_health.h"
#include "raid/disk_props.h"
#include "raid/plan.h"
#include "inventory_fixture.h"

static struct storage_spec *spec_yaml(const char *text) {
        _cleanup_json_ json_object *o = NULL;
        struct error e = { 0 };
        struct storage_spec *s = NULL;
        json_object *storage;
        if (yaml_parse_to_json(text, strlen(text), &o, &e) < 0 || !json_object_object_get_ex(o, "storage", &storage) ||
            storage_spec_from_json(storage, &s, &e) < 0)
                fail_msg("spec: %s", e.msg);
        return s;
}

static int spec_error(const char *text, char *msg, size_t len) {
        _cleanup_json_ json_object *o = NULL;
        struct error e = { 0 };
        struct storage_spec *s = NULL;
        json_object *storage = NULL;
        assert_int_equal(yaml_parse_to_json(text, strlen(text), &o, &e), 0);
        json_object_object_get_ex(o, "storage", &storage);
        int k = storage_spec_from_json(storage, &s, &e);
        storage_spec_free(s);
        snprintf(msg, len, "%s", e.msg);
        return k;
}

static const struct plan_array *array(const struct plan *p, const char *name) {
        for (size_t i = 0; i < p->n_arrays; i++)
                if (streq(p->arrays[i].name, name))
                        return &p->arrays[i];
        fail_msg("no array %s in the plan", name);
        return NULL;
}

static bool any_contains(char *const *v, const char *needle) {
        for (size_t i = 0; v && v[i]; i++)
                if (strstr(v[i], needle))
                        return true;
        return false;
}

static void assert_members(const struct plan_disk *v, size_t n, const char *const *serials) {
        size_t i = 0;
        for (; serials[i]; i++) {
                assert_true(i < n);
                assert_string_equal(v[i].serial, serials[i]);
        }
        assert_int_equal(i, n);
}

static void r630_default_layout(void **state) {
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("r630-2ssd-6hdd");
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, NULL, NULL);
        assert_null(p->errors);
        assert_int_equal(p->n_arrays, 3);
        const struct plan_array *esp = array(p, "os-esp"), *os = array(p, "os"), *data = array(p, "data");
        assert_members(os->members, os->n_members, (const char *[]){ "PHYG0000480BGN", "PHYG0010480BGN", NULL });
        assert_string_equal(esp->metadata, "1.0");
        assert_int_equal(esp->partition, 2);
        assert_string_equal(os->metadata, "1.2");
        assert_int_equal(os->partition, 3);
        assert_int_equal(data->level, 5);
        assert_members(data->members, data->n_members,
                       (const char *[]){ "WFK00ABC", "WFK01ABC", "WFK02ABC", "WFK03ABC", "WFK04ABC", NULL });
        assert_members(data->spares, data->n_spares, (const char *[]){ "WFK05ABC", NULL });
        assert_int_equal(data->chunk, 512 * 1024);
        /* 4 data disks of (1.2T - 1M - 64M) each */
        assert_int_equal(data->size_bytes, 4 * (1200243695616LL - 65 * 1024 * 1024));
        assert_null(p->warnings);
        /* disks are named by stable by-id links in the commands, never sdX */
        for (size_t i = 0; i < p->n_steps; i++)
                for (char **a = p->steps[i].argv; a && *a; a++)
                        assert_null(strstr(*a, "/dev/sd"));
}

static const struct plan_step *step(const struct plan *p, enum step_kind kind, const char *array_name) {
        for (size_t i = 0; i < p->n_steps; i++)
                if (p->steps[i].kind == kind && streq_ptr(p->steps[i].array, array_name))
                        return &p->steps[i];
        return NULL;
}

static void r630_steps_and_commands(void **state) {
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("r630-2ssd-6hdd");
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, NULL, NULL);
        const struct plan_step *create = step(p, STEP_CREATE_ARRAY, "data");
        assert_non_null(create);
        _cleanup_free_ char *cmd = strv_join(create->argv, " ");
        assert_string_equal(cmd, "mdadm --create /dev/md/data --run --name=data --metadata=1.2 --level=5 "
                                 "--raid-devices=5 --chunk=512K --bitmap=internal --spare-devices=1 "
                                 "/dev/disk/by-id/wwn-0x5000c500a0b0c000-part1 /dev/disk/by-id/wwn-0x5000c500a0b0c010-part1 "
                                 "/dev/disk/by-id/wwn-0x5000c500a0b0c020-part1 /dev/disk/by-id/wwn-0x5000c500a0b0c030-part1 "
                                 "/dev/disk/by-id/wwn-0x5000c500a0b0c040-part1 /dev/disk/by-id/wwn-0x5000c500a0b0c050-part1");
        _cleanup_free_ char *mkfs = strv_join(step(p, STEP_MKFS, "data")->argv, " ");
        assert_string_equal(mkfs, "mkfs.xfs -L pool -d su=512k,sw=4 /dev/md/data");
        _cleanup_free_ char *esp = strv_join(step(p, STEP_CREATE_ARRAY, "os-esp")->argv, " ");
        assert_non_null(strstr(esp, "--metadata=1.0 --level=1 --raid-devices=2 --bitmap=none"));
        _cleanup_free_ char *part = strv_join(step(p, STEP_PARTITION, "os")->argv, " ");
        assert_string_equal(part, "sgdisk --clear --new=1:0:+1M --typecode=1:EF02 --change-name=1:bios-boot "
                                  "--new=2:0:+512M --typecode=2:EF00 --change-name=2:esp --new=3:0:-64M "
                                  "--typecode=3:FD00 --change-name=3:os /dev/disk/by-id/wwn-0x55cd2e4150000000");
        /* order: every partition before the first create, creates before mdadm.conf, initramfs last */
        size_t last_partition = 0, first_create = p->n_steps;
        for (size_t i = 0; i < p->n_steps; i++) {
                if (p->steps[i].kind == STEP_PARTITION)
                        last_partition = i;
                if (p->steps[i].kind == STEP_CREATE_ARRAY && i < first_create)
                        first_create = i;
        }
        assert_true(last_partition < first_create);
        assert_int_equal(p->steps[p->n_steps - 1].kind, STEP_INITRAMFS);
        assert_null(step(p, STEP_WIPE, "data"));
        assert_null(step(p, STEP_MOUNT, "os"));        /* / is mounted by the OS deploy */
        assert_non_null(step(p, STEP_MOUNT, "data"));
}

static void ten_bay_r630(void **state) {
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("r630-10bay");
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, NULL, NULL);
        assert_null(p->errors);
        const struct plan_array *data = array(p, "data");
        assert_int_equal(data->n_members, 7);
        assert_int_equal(data->n_spares, 1);
        assert_string_equal(data->spares[0].serial, "WFK07ABC");
}

static void two_disks_cannot_make_raid5(void **state) {
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("two-disks");
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, NULL, NULL);
        assert_int_equal(strv_length(p->errors), 1);
        assert_string_equal(p->errors[0], "no data RAID 5: it needs at least 3 free disks of the same size besides "
                                          "the OS disks; the largest such group here is 0 x -");
        assert_int_equal(p->n_steps, 0);
}

static void three_hdds_make_raid5_without_spare(void **state) {
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("three-hdd");
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, NULL, NULL);
        assert_null(p->errors);
        const struct plan_array *data = array(p, "data");
        assert_int_equal(data->n_members, 3);
        assert_int_equal(data->n_spares, 0);
        assert_true(any_contains(p->warnings, "array data has no hot spare"));
}

static void mixed_sizes_take_the_largest_group(void **state) {
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("mixed-sizes");
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, NULL, NULL);
        assert_null(p->errors);
        const struct plan_array *data = array(p, "data");
        assert_members(data->members, data->n_members, (const char *[]){ "WFK00ABC", "WFK01ABC", "WFK02ABC", NULL });
        assert_members(data->spares, data->n_spares, (const char *[]){ "WFK03ABC", NULL });
}

static void nvme_only(void **state) {
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("nvme-only");
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, NULL, NULL);
        assert_null(p->errors);
        const struct plan_array *os = array(p, "os"), *data = array(p, "data");
        assert_members(os->members, os->n_members, (const char *[]){ "PHLN0001P6AGN", "PHLN0011P6AGN", NULL });
        assert_int_equal(data->n_members, 3);
        _cleanup_free_ char *cmd = strv_join(step(p, STEP_CREATE_ARRAY, "data")->argv, " ");
        assert_non_null(strstr(cmd, "/dev/disk/by-id/wwn-eui.0100000000000002-part1"));
}

static void transport_selects_nvme_or_not(void **state) {
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("nvme-only");
        _cleanup_(storage_spec_freep) struct storage_spec *nvme = spec_yaml(
                "storage:\n  arrays:\n    - {name: fast, level: raid1, disks: {count: 2, transport: nvme}}\n");
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, nvme, NULL);
        assert_null(p->errors);
        assert_int_equal(array(p, "fast")->n_members, 2);
        _cleanup_(storage_spec_freep) struct storage_spec *sas = spec_yaml(
                "storage:\n  arrays:\n    - {name: slow, level: raid1, disks: {count: 2, transport: sas}}\n");
        _cleanup_(plan_freep) struct plan *q = plan_make(inv, sas, NULL);
        assert_true(any_contains(q->errors, "array slow: needs 2 disks matching its selector and finds 0 free"));
        char msg[512];
        assert_true(spec_error("storage:\n  arrays:\n    - {name: x, level: raid1, disks: {transport: scsi}}\n", msg,
                               sizeof msg) < 0);
        assert_non_null(strstr(msg, "transport: 'scsi' is not nvme, sas, sata or virtio"));
}

static void disk_with_filesystem_is_refused_unless_wiped(void **state) {
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("r630-dirty-fs");
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, NULL, NULL);
        assert_int_equal(strv_length(p->errors), 1);
        assert_string_equal(p->errors[0], "disk WFK02ABC (sde) carries data (ext4): list it under storage.wipe "
                                          "(or --wipe WFK02ABC) to allow wiping it");
        assert_int_equal(p->n_steps, 0);

        char *wipe[] = { "0x5000c500a0b0c020", NULL };   /* by WWN works too */
        _cleanup_(plan_freep) struct plan *ok = plan_make(inv, NULL, wipe);
        assert_null(ok->errors);
        const struct plan_step *w = step(ok, STEP_WIPE, "data");
        assert_non_null(w);
        assert_string_equal(w->disk, "WFK02ABC");
        _cleanup_free_ char *cmd = strv_join(w->argv, " ");
        assert_string_equal(cmd, "wipefs --all /dev/disk/by-id/wwn-0x5000c500a0b0c020");
}

static void member_of_a_running_array_is_left_alone(void **state) {
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("r630-in-array");
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, NULL, NULL);
        assert_null(p->errors);
        assert_true(any_contains(p->warnings, "disk WFK05ABC (sdh) is left alone: in use (member of md127 (data))"));
        const struct plan_array *data = array(p, "data");
        assert_int_equal(data->n_members + data->n_spares, 5);
        for (size_t i = 0; i < data->n_members; i++)
                assert_string_not_equal(data->members[i].serial, "WFK05ABC");

        /* named explicitly, even with wipe: refused, since it is in use */
        _cleanup_(storage_spec_freep) struct storage_spec *s = spec_yaml(
                "storage:\n  arrays:\n    - {name: data, level: raid1, disks: {serials: [WFK04ABC, WFK05ABC]}}\n"
                "  wipe: [WFK05ABC]\n");
        _cleanup_(plan_freep) struct plan *q = plan_make(inv, s, NULL);
        assert_int_equal(strv_length(q->errors), 1);
        assert_string_equal(q->errors[0], "disk WFK05ABC (sdh) is in use (member of md127 (data)): hostd never writes "
                                          "to it; free it first");
}

/* sde's SMART says it is failing (as hostd's check or `disks --health` records it) */
static void fail_health(struct disk *d) {
        d->health = calloc(1, sizeof *d->health);
        assert_non_null(d->health);
        disk_health_init(d->health);
        d->health->state = DISK_HEALTH_FAILED;
        d->health->failure_predicted = true;
        d->health->reason = strdup("SMART overall-health self-assessment: FAILED");
}

/* A PERC in RAID mode: the OS sees the controller's virtual disks. */
static void make_perc_volume(struct disk *d) {
        d->controller_volume = 1;
        free(d->controller.driver);
        free(d->controller.model);
        d->controller.driver = strdup("megaraid_sas");
        d->controller.model = strdup("MegaRAID SAS-3 3108 [Invader]");
}

static void hardware_raid_volume_is_refused_unless_the_spec_allows(void **state) {
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("r630-2ssd-6hdd");
        for (size_t i = 0; i < inv->n; i++)
                make_perc_volume(&inv->disks[i]);
        /* the default layout: nothing to build on, and every disk says why */
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, NULL, NULL);
        assert_non_null(p->errors);
        assert_true(any_contains(p->warnings, "disk WFK02ABC (sde) is not chosen: it is a virtual disk of the RAID "
                                              "controller MegaRAID SAS-3 3108 [Invader]; switch the controller to HBA "
                                              "mode or set its disks to non-RAID"));
        /* named: refused, saying what to do */
        _cleanup_(storage_spec_freep) struct storage_spec *named = spec_yaml(
                "storage:\n  arrays:\n    - {name: data, level: raid1, disks: {serials: [WFK01ABC, WFK02ABC]}}\n");
        _cleanup_(plan_freep) struct plan *r = plan_make(inv, named, NULL);
        assert_true(any_contains(r->errors, "array data: disk WFK01ABC (sdd) is a virtual disk of the RAID controller "
                                            "MegaRAID SAS-3 3108 [Invader]: md on hardware RAID hides the disks' "
                                            "failures; switch the controller to HBA mode"));
        /* the override: used, and warned about */
        _cleanup_(storage_spec_freep) struct storage_spec *allowed = spec_yaml(
                "storage:\n  arrays:\n    - {name: data, level: raid1, disks: {serials: [WFK01ABC, WFK02ABC], "
                "allow_hardware_raid: true}}\n");
        _cleanup_(plan_freep) struct plan *t = plan_make(inv, allowed, NULL);
        assert_null(t->errors);
        assert_true(any_contains(t->warnings, "used all the same, as disks.allow_hardware_raid says"));
        /* the same controller in HBA mode: its disks are disks */
        for (size_t i = 0; i < inv->n; i++)
                inv->disks[i].controller_volume = 0;
        _cleanup_(plan_freep) struct plan *u = plan_make(inv, NULL, NULL);
        assert_null(u->errors);
        assert_int_equal(array(u, "data")->n_members, 5);
}

static void failing_disk_is_not_chosen_unless_the_spec_allows(void **state) {
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("r630-2ssd-6hdd");
        fail_health(&inv->disks[4]);
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, NULL, NULL);
        assert_null(p->errors);
        assert_true(any_contains(p->warnings, "disk WFK02ABC (sde) is not chosen: its health check fails "
                                              "(SMART overall-health self-assessment: FAILED)"));
        const struct plan_array *data = array(p, "data");
        assert_members(data->members, data->n_members,
                       (const char *[]){ "WFK00ABC", "WFK01ABC", "WFK03ABC", "WFK04ABC", NULL });
        assert_members(data->spares, data->n_spares, (const char *[]){ "WFK05ABC", NULL });

        /* a selector: left out, with a warning */
        _cleanup_(storage_spec_freep) struct storage_spec *sel =
                spec_yaml("storage:\n  arrays:\n    - {name: data, level: raid5, disks: {rotational: true}}\n");
        _cleanup_(plan_freep) struct plan *q = plan_make(inv, sel, NULL);
        assert_null(q->errors);
        assert_true(any_contains(q->warnings, "array data: disk WFK02ABC (sde) is not chosen: its health check fails"));
        assert_int_equal(array(q, "data")->n_members, 5);
        /* named: refused, and the message says how to override */
        _cleanup_(storage_spec_freep) struct storage_spec *named = spec_yaml(
                "storage:\n  arrays:\n    - {name: data, level: raid1, disks: {serials: [WFK01ABC, WFK02ABC]}}\n");
        _cleanup_(plan_freep) struct plan *r = plan_make(inv, named, NULL);
        assert_true(any_contains(r->errors, "array data: disk WFK02ABC (sde) fails its health check (SMART "
                                            "overall-health self-assessment: FAILED); set disks.allow_failing: true"));
        /* the override: used, and still warned about */
        _cleanup_(storage_spec_freep) struct storage_spec *allowed = spec_yaml(
                "storage:\n  arrays:\n    - {name: data, level: raid1, disks: {serials: [WFK01ABC, WFK02ABC], "
                "allow_failing: true}}\n");
        _cleanup_(plan_freep) struct plan *t = plan_make(inv, allowed, NULL);
        assert_null(t->errors);
        assert_true(any_contains(t->warnings, "used all the same, as disks.allow_failing says"));
        assert_members(array(t, "data")->members, array(t, "data")->n_members,
                       (const char *[]){ "WFK01ABC", "WFK02ABC", NULL });
        /* a warning of SMART (bad sectors) is no reason to refuse */
        inv->disks[4].health->state = DISK_HEALTH_WARNING;
        inv->disks[4].health->failure_predicted = false;
        _cleanup_(plan_freep) struct plan *u = plan_make(inv, NULL, NULL);
        assert_int_equal(array(u, "data")->n_members, 5);
        assert_null(u->warnings);
}

static void usb_stick_is_never_chosen(void **state) {
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("r630-usb-stick");
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, NULL, NULL);
        assert_null(p->errors);
        assert_true(any_contains(p->warnings, "disk 4C530001230101117133 (sdi) is never chosen: removable"));
        _cleanup_(storage_spec_freep) struct storage_spec *s = spec_yaml(
                "storage:\n  arrays:\n    - {name: boot, level: raid1, disks: {serials: [4C530001230101117133, PHYG0000480BGN]}}\n");
        _cleanup_(plan_freep) struct plan *q = plan_make(inv, s, NULL);
        assert_true(any_contains(q->errors, "disk 4C530001230101117133 (sdi) cannot be used: removable"));
}

static void disk_without_identity_is_never_chosen(void **state) {
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("r630-missing-serial");
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, NULL, NULL);
        assert_null(p->errors);
        assert_true(any_contains(p->warnings, "(sdh) is never chosen: it has no serial, WWN or by-path name"));
        const struct plan_array *data = array(p, "data");
        assert_int_equal(data->n_members, 4);
        assert_int_equal(data->n_spares, 1);
}

static void disk_that_cannot_be_read_is_never_chosen(void **state) {
        /* an empty CD drive or a dying disk: unread is not blank */
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("r630-10bay");
        _cleanup_(plan_freep) struct plan *before = plan_make(inv, NULL, NULL);
        size_t members = array(before, "data")->n_members + array(before, "data")->n_spares;
        struct disk *d = &inv->disks[inv->n - 1];
        assert_int_equal(d->rotational, 1);
        d->contents_unreadable = true;
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, NULL, NULL);
        assert_null(p->errors);
        _cleanup_free_ char *want = strdup_printf("disk %s (%s) is never chosen: its contents cannot be read",
                                                  d->serial, d->name);
        assert_true(any_contains(p->warnings, want));
        assert_int_equal(array(p, "data")->n_members + array(p, "data")->n_spares, members - 1);
        /* shown as such, never as blank */
        char what[64];
        assert_string_equal(disk_contents(d, what, sizeof what), "unreadable");
        _cleanup_free_ char *key = disk_contents_key(d);
        assert_string_equal(key, "unreadable");
}

static void spec_selects_and_checks(void **state) {
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("mixed-sizes");
        _cleanup_(storage_spec_freep) struct storage_spec *s = spec_yaml(
                "storage:\n"
                "  arrays:\n"
                "    - name: os\n      level: raid1\n      layout: os\n"
                "      disks: {count: 2, rotational: false, pick: smallest}\n"
                "      filesystem: {type: ext4, mount: /}\n"
                "    - name: big\n      level: raid5\n      chunk: 256K\n      spares: 0\n"
                "      disks: {rotational: true, size: {min: 2T}}\n"
                "      filesystem: {type: ext4, mount: /srv/big, label: big}\n");
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, s, NULL);
        assert_null(p->errors);
        const struct plan_array *big = array(p, "big");
        assert_members(big->members, big->n_members, (const char *[]){ "WFM00XYZ", "WFM01XYZ", "WFM02XYZ", NULL });
        _cleanup_free_ char *mkfs = strv_join(step(p, STEP_MKFS, "big")->argv, " ");
        assert_string_equal(mkfs, "mkfs.ext4 -q -L big -E stride=64,stripe_width=128 /dev/md/big");
}

static void spec_refusals_name_the_disk(void **state) {
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("mixed-sizes");
        _cleanup_(storage_spec_freep) struct storage_spec *twice = spec_yaml(
                "storage:\n  arrays:\n"
                "    - {name: a, level: raid1, disks: {serials: [WFK00ABC, WFK01ABC]}}\n"
                "    - {name: b, level: raid1, disks: {serials: [WFK01ABC, WFK02ABC]}}\n");
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, twice, NULL);
        assert_true(any_contains(p->errors, "disk WFK01ABC (sdd) is named twice: by arrays a and b"));

        _cleanup_(storage_spec_freep) struct storage_spec *missing = spec_yaml(
                "storage:\n  arrays:\n    - {name: a, level: raid1, disks: {serials: [WFK00ABC, NOSUCH1]}}\n");
        _cleanup_(plan_freep) struct plan *q = plan_make(inv, missing, NULL);
        assert_true(any_contains(q->errors, "array a: disk with serial NOSUCH1 is missing from this machine"));

        _cleanup_(storage_spec_freep) struct storage_spec *sizes = spec_yaml(
                "storage:\n  arrays:\n    - {name: a, level: raid5, disks: {serials: [WFK00ABC, WFK01ABC, WFM00XYZ]}}\n");
        _cleanup_(plan_freep) struct plan *r = plan_make(inv, sizes, NULL);
        assert_true(any_contains(r->errors, "array a: members differ in size by more than 1%: WFK00ABC (sdc) is 1.1T, "
                                            "WFM00XYZ (sdg) is 2.2T"));

        _cleanup_(storage_spec_freep) struct storage_spec *few = spec_yaml(
                "storage:\n  arrays:\n    - {name: a, level: raid5, spares: 1, disks: {serials: [WFK00ABC, WFK01ABC, WFK02ABC]}}\n");
        _cleanup_(plan_freep) struct plan *f = plan_make(inv, few, NULL);
        assert_true(any_contains(f->errors, "array a: raid5 needs at least 3 members besides its spares; it has 2"));

        _cleanup_(storage_spec_freep) struct storage_spec *mixed = spec_yaml(
                "storage:\n  arrays:\n    - {name: a, level: raid1, disks: {serials: [WFK00ABC, PHYG0000480BGN]}, allow_size_mismatch: true}\n");
        _cleanup_(plan_freep) struct plan *m = plan_make(inv, mixed, NULL);
        assert_null(m->errors);
        assert_true(any_contains(m->warnings, "array a mixes SSDs and HDDs"));
}

static void spec_errors_name_the_key(void **state) {
        char msg[ERROR_MSG_MAX];
        assert_int_equal(spec_error("storage:\n  arrays:\n    - {name: a, level: raid7, disks: {min: 3}}\n", msg, sizeof msg),
                         -EINVAL);
        assert_string_equal(msg, "storage.arrays[0].level: 'raid7' is not raid1, raid5, raid6 or raid10");
        spec_error("storage:\n  arrays:\n    - {name: a, level: raid5, disks: {min: 3}, chunk: 3K}\n", msg, sizeof msg);
        assert_string_equal(msg, "storage.arrays[0].chunk: must be a power of two of at least 4K");
        spec_error("storage:\n  arrays:\n    - {name: a, level: raid5, disks: {min: 3}, consistency_policy: ppl, bitmap: internal}\n", msg,
                   sizeof msg);
        assert_string_equal(msg, "storage.arrays[0]: ppl and an internal bitmap exclude each other; say bitmap: none");
        spec_error("storage:\n  arrays:\n    - {name: a, level: raid1, disks: {min: 2}, colour: red}\n", msg, sizeof msg);
        assert_string_equal(msg, "storage.arrays[0].colour: unknown key");
        spec_error("storage:\n  arrays:\n    - {name: 'a b', level: raid1, disks: {min: 2}}\n", msg, sizeof msg);
        assert_non_null(strstr(msg, "storage.arrays[0].name: 'a b' is not a valid array name"));
}

/* What reaches fstab and mkfs's argv is checked where the spec is read: a
 * newline, a tab, a space or a '..' in a mount point plans nothing. */
static void spec_strings_that_would_reach_fstab_are_refused(void **state) {
        static const char *const bad_mounts[] = {
                "\"/srv/pool\\n/dev/sda1 / ext4 defaults 0 0\"", "\"/srv/po\\tol\"", "\"/srv/my pool\"",
                "/../../etc", "/srv/./pool", "srv/pool",
        };
        static const char *const why[] = {
                "has a control character (0x0a) at offset 9", "has a control character (0x09) at offset 7",
                "has a character other than letters", "has a '.' or '..' component", "has a '.' or '..' component",
                "is not an absolute path",
        };
        char msg[ERROR_MSG_MAX], spec[512];
        for (size_t i = 0; i < ELEMENTSOF(bad_mounts); i++) {
                snprintf(spec, sizeof spec, "storage:\n  arrays:\n    - {name: a, level: raid1, disks: {min: 2}, "
                                            "filesystem: {type: xfs, mount: %s}}\n", bad_mounts[i]);
                assert_int_equal(spec_error(spec, msg, sizeof msg), -EINVAL);
                assert_non_null(strstr(msg, "storage.arrays[0].filesystem.mount: "));
                if (!strstr(msg, why[i]))
                        fail_msg("%s: got '%s'", bad_mounts[i], msg);
        }
        spec_error("storage:\n  arrays:\n    - {name: a, level: raid1, disks: {min: 2}, "
                   "filesystem: {type: xfs, mount: /srv/a, label: 'a;b'}}\n", msg, sizeof msg);
        assert_non_null(strstr(msg, "storage.arrays[0].filesystem.label: 'a;b' is not a name of 1 to 12 letters"));
        spec_error("storage:\n  homehost: \"h\\nx\"\n  arrays:\n    - {name: a, level: raid1, disks: {min: 2}}\n", msg,
                   sizeof msg);
        assert_string_equal(msg, "storage.homehost: has a control character (0x0a) at offset 1");
        _cleanup_(storage_spec_freep) struct storage_spec *ok = spec_yaml(
                "storage:\n  arrays:\n    - {name: a, level: raid1, disks: {min: 2}, filesystem: {type: xfs, mount: /srv//pool/}}\n");
        assert_string_equal(ok->arrays[0].fs.mount, "/srv/pool");
}

static void a_half_done_run_is_continued_not_refused(void **state) {
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("r630-partial");
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, NULL, NULL);
        assert_null(p->errors);
        const struct plan_array *os = array(p, "os"), *data = array(p, "data");
        assert_members(os->members, os->n_members, (const char *[]){ "PHYG0000480BGN", "PHYG0010480BGN", NULL });
        assert_int_equal(data->n_members, 5);
        assert_int_equal(data->n_spares, 1);
        assert_string_equal(data->members[0].serial, "WFK00ABC");
        assert_null(step(p, STEP_WIPE, "data"));
        assert_null(step(p, STEP_WIPE, "os"));
}

static void a_lookalike_partition_is_not_ours(void **state) {
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("r630-foreign-gpt");
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, NULL, NULL);
        assert_int_equal(strv_length(p->errors), 1);
        assert_non_null(strstr(p->errors[0], "disk WFK00ABC (sdc) carries data (gpt"));
}

static void plan_is_a_pure_function(void **state) {
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("r630-10bay");
        _cleanup_(plan_freep) struct plan *a = plan_make(inv, NULL, NULL);
        _cleanup_(plan_freep) struct plan *b = plan_make(inv, NULL, NULL);
        _cleanup_json_ json_object *ja = plan_to_json(a), *jb = plan_to_json(b);
        assert_string_equal(json_object_to_json_string(ja), json_object_to_json_string(jb));
        json_object *arrays = json_object_object_get(ja, "arrays");
        json_object *data = json_object_array_get_idx(arrays, 2);
        assert_string_equal(json_get_string(data, "level"), "raid5");
        assert_string_equal(json_get_string(json_object_array_get_idx(json_object_object_get(data, "members"), 0), "serial"),
                            "WFK00ABC");
        assert_int_equal(json_object_get_int64(json_object_object_get(data, "chunk")), 524288);
}

/* examples/r630.yaml says bitmap: internal and consistency_policy: resync;
 * mdadm refuses --consistency-policy=resync next to --bitmap=internal. */
static void resync_with_a_bitmap_is_mdadms_default_not_an_option(void **state) {
        _cleanup_(disk_list_freep) struct disk_list *inv = fixture("r630-2ssd-6hdd");
        _cleanup_(storage_spec_freep) struct storage_spec *spec = spec_yaml(
                "storage:\n  arrays:\n    - {name: data, level: raid5, disks: {rotational: true, min: 3}, bitmap: internal,\n"
                "       consistency_policy: resync}\n");
        _cleanup_(plan_freep) struct plan *p = plan_make(inv, spec, NULL);
        assert_null(p->errors);
        bool seen = false;
        for (size_t i = 0; i < p->n_steps; i++)
                if (p->steps[i].kind == STEP_CREATE_ARRAY) {
                        seen = true;
                        assert_true(strv_contains(p->steps[i].argv, "--bitmap=internal"));
                        for (char **a = p->steps[i].argv; *a; a++)
                                assert_null(startswith(*a, "--consistency-policy"));
                }
        assert_true(seen);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(resync_with_a_bitmap_is_mdadms_default_not_an_option),
                cmocka_unit_test(r630_default_layout),
                cmocka_unit_test(r630_steps_and_commands),
                cmocka_unit_test(ten_bay_r630),
                cmocka_unit_test(two_disks_cannot_make_raid5),
                cmocka_unit_test(three_hdds_make_raid5_without_spare),
                cmocka_unit_test(mixed_sizes_take_the_largest_group),
                cmocka_unit_test(nvme_only),
                cmocka_unit_test(transport_selects_nvme_or_not),
                cmocka_unit_test(disk_with_filesystem_is_refused_unless_wiped),
                cmocka_unit_test(member_of_a_running_array_is_left_alone),
                cmocka_unit_test(hardware_raid_volume_is_refused_unless_the_spec_allows),
                cmocka_unit_test(failing_disk_is_not_chosen_unless_the_spec_allows),
                cmocka_unit_test(usb_stick_is_never_chosen),
                cmocka_unit_test(disk_without_identity_is_never_chosen),
                cmocka_unit_test(disk_that_cannot_be_read_is_never_chosen),
                cmocka_unit_test(spec_selects_and_checks),
                cmocka_unit_test(spec_refusals_name_the_disk),
                cmocka_unit_test(spec_errors_name_the_key),
                cmocka_unit_test(spec_strings_that_would_reach_fstab_are_refused),
                cmocka_unit_test(a_half_done_run_is_continued_not_refused),
                cmocka_unit_test(a_lookalike_partition_is_not_ours),
                cmocka_unit_test(plan_is_a_pure_function),
        };
        return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
