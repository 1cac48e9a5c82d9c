/* raid/disk: classification, in_use and its reasons, JSON round trip, and
 * hostile strings from a device (a model of `$(reboot);"<x>`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd_disks.h"
#include "lib/json.h"
#include "lib/strutil.h"
#include "raid/disk.h"
#include "raid/disk_props.h"

/* An R630 mid-life: sda/sdb md members of "data" (whole disks, assembled),
 * sdc a GPT with sdc2 mounted on /srv and sdc3 active swap, sdd an ext4 on the
 * whole disk mounted on /mnt/old dir (a blank in the path), sde an LVM PV no
 * one uses, sdf empty. */
static const char fixture[] =
        "{\"disks\": ["
        "{\"name\":\"sda\",\"path\":\"/dev/sda\",\"maj_min\":\"8:0\",\"model\":\"ST1200MM0099\","
        " \"serial\":\"WFK00ABC\",\"wwn\":\"0x5000c500a0b0c000\",\"rotational\":true,\"size_bytes\":17179869184,"
        " \"by_id\":[\"/dev/disk/by-id/wwn-0x5000c500a0b0c000\",\"/dev/disk/by-id/scsi-SSEAGATE_ST1200MM0099_WFK00ABC\"],"
        " \"signatures\":[{\"type\":\"linux_raid_member\",\"uuid\":\"3e1c0c39-7a2b-1c4d-9e8f-0a1b2c3d4e5f\","
        "   \"label\":\"r630:data\",\"array_uuid\":\"3e1c0c39:7a2b1c4d:9e8f0a1b:2c3d4e5f\",\"array_name\":\"data\"}],"
        " \"holders\":[\"md127\"]},"
        "{\"name\":\"sdb\",\"path\":\"/dev/sdb\",\"maj_min\":\"8:16\",\"serial\":\"WFK01ABC\",\"rotational\":true,"
        " \"signatures\":[{\"type\":\"linux_raid_member\",\"array_name\":\"data\"}],\"holders\":[\"md127\"]},"
        "{\"name\":\"sdc\",\"path\":\"/dev/sdc\",\"maj_min\":\"8:32\",\"serial\":\"PHYG0000480BGN\",\"rotational\":false,"
        " \"partition_table\":\"gpt\",\"partitions\":["
        "  {\"number\":1,\"name\":\"sdc1\",\"maj_min\":\"8:33\",\"start\":1048576,\"size\":536870912,"
        "   \"type\":\"c12a7328-f81f-11d2-ba4b-00a0c93ec93b\",\"signatures\":[{\"type\":\"vfat\"}]},"
        "  {\"number\":2,\"name\":\"sdc2\",\"maj_min\":\"8:34\",\"start\":537919488,\"size\":1073741824,"
        "   \"signatures\":[{\"type\":\"xfs\",\"uuid\":\"0b9e\"}]},"
        "  {\"number\":3,\"name\":\"sdc3\",\"maj_min\":\"8:35\",\"signatures\":[{\"type\":\"swap\"}]}]},"
        "{\"name\":\"sdd\",\"path\":\"/dev/sdd\",\"maj_min\":\"8:48\",\"signatures\":[{\"type\":\"ext4\"}]},"
        "{\"name\":\"sde\",\"path\":\"/dev/sde\",\"maj_min\":\"8:64\",\"signatures\":[{\"type\":\"LVM2_member\"}]},"
        "{\"name\":\"sdf\",\"path\":\"/dev/sdf\",\"maj_min\":\"8:80\"}"
        "]}";

static const char mountinfo[] =
        "22 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
        "40 22 8:34 / /srv rw,relatime shared:9 - xfs /dev/sdc2 rw\n"
        "41 22 8:48 / /mnt/old\\040dir rw - ext4 /dev/sdd rw\n"
        "42 22 9:127 / /data rw - xfs /dev/md127 rw\n"
        "43 22 8:34 /sub /srv2 rw - xfs /dev/sdc2 rw\n";

static struct disk_list *load_fixture(void) {
        _cleanup_json_ json_object *o = NULL;
        struct disk_list *l = NULL;
        struct error e = { 0 };
        assert_int_equal(json_parse(fixture, strlen(fixture), &o, &e), 0);
        assert_int_equal(disk_list_from_json(o, &l, &e), 0);
        struct mount_table t = { 0 };
        assert_int_equal(mount_table_parse_mountinfo(&t, mountinfo, &e), 0);
        assert_int_equal(strv_push(&t.swap_maj_min, "8:35"), 0);
        assert_int_equal(disk_list_compute_use(l, &t), 0);
        mount_table_done(&t);
        return l;
}

static const struct disk *get(const struct disk_list *l, const char *name) {
        const struct disk *d = disk_list_find(l, name);
        assert_non_null(d);
        return d;
}

static char *reasons(const struct disk *d) {
        return d->in_use_reasons ? strv_join(d->in_use_reasons, "|") : strdup("");
}

static void in_use_says_why(void **state) {
        struct disk_list *l = load_fixture();
        char *r;
        const struct disk *d = get(l, "sda");
        assert_true(d->in_use);
        assert_string_equal(r = reasons(d), "member of md127 (data)");
        free(r);
        d = get(l, "sdc");
        assert_true(d->in_use);
        assert_string_equal(r = reasons(d),
                            "partition sdc2 mounted on /srv|partition sdc2 mounted on /srv2|partition sdc3 is active swap");
        free(r);
        assert_true(d->swap_in_use);
        assert_true(d->partitions[2].swap_in_use);
        assert_false(d->partitions[0].swap_in_use);
        assert_int_equal(strv_length(d->mountpoints), 2);
        d = get(l, "sdd");
        assert_string_equal(r = reasons(d), "mounted on /mnt/old dir");
        free(r);
        /* a signature alone is contents, not use */
        assert_false(get(l, "sde")->in_use);
        assert_null(get(l, "sde")->in_use_reasons);
        assert_false(get(l, "sdf")->in_use);
        disk_list_free(l);
}

static void in_use_from_fields_alone(void **state) {
        struct disk d = { 0 };
        assert_int_equal(strv_push(&d.holders, "dm-0"), 0);
        struct disk_partition *p = disk_add_partition(&d);
        p->number = 4;   /* a partition the kernel has no name for */
        assert_int_equal(strv_push(&p->holders, "md3"), 0);
        assert_int_equal(disk_compute_in_use(&d), 0);
        char *r = reasons(&d);
        assert_string_equal(r, "held by dm-0|partition 4 member of md3");
        free(r);
        /* again: same answer, nothing doubled */
        assert_int_equal(disk_compute_in_use(&d), 0);
        assert_int_equal(strv_length(d.in_use_reasons), 2);
        disk_done(&d);
}

static void classifies_names_transports_ids(void **state) {
        assert_true(disk_name_is_virtual("loop0"));
        assert_true(disk_name_is_virtual("zram0"));
        assert_true(disk_name_is_virtual("md127"));
        assert_true(disk_name_is_virtual("dm-3"));
        assert_true(disk_name_is_virtual("ram15"));
        assert_false(disk_name_is_virtual("sda"));
        assert_false(disk_name_is_virtual("nvme0n1"));
        assert_false(disk_name_is_virtual("vda"));

        assert_string_equal(disk_transport("/sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda", "ahci"), "sata");
        assert_string_equal(disk_transport("/sys/devices/pci0000:00/0000:02:00.0/host0/port-0:0/end_device-0:0/target0:0:0/0:0:0:0/block/sda", "mpt3sas"), "sas");
        assert_string_equal(disk_transport("/sys/devices/pci0000:00/0000:03:00.0/host0/target0:2:0/0:2:0:0/block/sda", "megaraid_sas"), "sas");
        assert_string_equal(disk_transport("/sys/devices/pci0000:00/0000:00:04.0/nvme/nvme0/nvme0n1", NULL), "nvme");
        assert_string_equal(disk_transport("/sys/devices/pci0000:00/0000:00:02.0/virtio1/block/vda", NULL), "virtio");
        assert_string_equal(disk_transport("/sys/devices/pci0000:00/0000:00:03.0/virtio0/host0/target0:0:0/0:0:0:0/block/sda", "virtio_scsi"), "virtio");
        assert_string_equal(disk_transport("/sys/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/sdg", "usb-storage"), "usb");
        assert_null(disk_transport("/sys/devices/virtual/block/loop0", NULL));
        assert_null(disk_transport("/sys/devices/pseudo_0/adapter0/host2/target2:0:0/2:0:0:0/block/sdb", "scsi_debug"));

        char *s;
        assert_string_equal(s = disk_wwn_from_wwid("naa.5000c500a0b0c000"), "0x5000c500a0b0c000");
        free(s);
        assert_string_equal(s = disk_wwn_from_wwid("eui.0025388b91b0a1c2"), "eui.0025388b91b0a1c2");
        free(s);
        assert_null(disk_wwn_from_wwid("t10.ATA     QEMU HARDDISK"));
        assert_null(disk_wwn_from_wwid(NULL));
        assert_string_equal(s = disk_md_uuid("3E1C0C39-7a2b-1c4d-9e8f-0a1b2c3d4e5f"), "3e1c0c39:7a2b1c4d:9e8f0a1b:2c3d4e5f");
        free(s);
        assert_null(disk_md_uuid("3e1c0c39"));
        assert_string_equal(s = disk_md_name("r630:data"), "data");
        free(s);
        assert_string_equal(s = disk_md_name("os"), "os");
        free(s);
        assert_string_equal(disk_part_type_name("A19D880F-05FC-4D3B-A006-743F0F84911E"), "Linux RAID");
        assert_string_equal(disk_part_type_name("0xfd"), "Linux raid autodetect");
        assert_null(disk_part_type_name("00000000-0000-0000-0000-000000000001"));
}

static void kinds_and_contents(void **state) {
        struct disk_list *l = load_fixture();
        char buf[64];
        assert_string_equal(disk_kind(get(l, "sda")), "HDD");
        assert_string_equal(disk_kind(get(l, "sdc")), "SSD");
        assert_string_equal(disk_kind(get(l, "sdd")), "?");
        assert_string_equal(disk_contents(get(l, "sdc"), buf, sizeof buf), "gpt (3 partitions)");
        assert_string_equal(disk_contents(get(l, "sda"), buf, sizeof buf), "linux_raid_member");
        assert_string_equal(disk_contents(get(l, "sdf"), buf, sizeof buf), "-");
        disk_list_free(l);
}

static void finds_by_any_identity(void **state) {
        struct disk_list *l = load_fixture();
        assert_string_equal(disk_list_find(l, "WFK00ABC")->name, "sda");
        assert_string_equal(disk_list_find(l, "/dev/sdb")->name, "sdb");
        assert_string_equal(disk_list_find(l, "0x5000C500A0B0C000")->name, "sda");
        assert_string_equal(disk_list_find(l, "5000c500a0b0c000")->name, "sda");
        assert_string_equal(disk_list_find(l, "/dev/disk/by-id/scsi-SSEAGATE_ST1200MM0099_WFK00ABC")->name, "sda");
        assert_string_equal(disk_list_find(l, "wwn-0x5000c500a0b0c000")->name, "sda");
        assert_null(disk_list_find(l, "NOSUCH"));
        assert_null(disk_list_find(l, "/dev/disk/by-id/wwn-0x5000c500a0b0c001"));
        assert_null(disk_list_find(l, ""));
        disk_list_free(l);
}

static void sorts_like_the_kernel_counts(void **state) {
        struct disk_list l = { 0 };
        const char *names[] = { "sdaa", "nvme0n1", "sdb", "sdz", "sda", "nvme10n1", "nvme2n1" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                disk_list_add(&l)->name = strdup(names[i]);
        disk_list_sort(&l);
        const char *want[] = { "nvme0n1", "nvme2n1", "nvme10n1", "sda", "sdb", "sdz", "sdaa" };
        for (size_t i = 0; i < ELEMENTSOF(want); i++)
                assert_string_equal(l.disks[i].name, want[i]);
        for (size_t i = 0; i < l.n; i++)
                disk_done(&l.disks[i]);
        free(l.disks);
}

static char *to_text(const struct disk_list *l, unsigned flags) {
        _cleanup_json_ json_object *o = disk_list_to_json(l, flags);
        return strdup(json_pretty(o));
}

static void json_round_trip_is_exact(void **state) {
        struct disk_list *l = load_fixture();
        free(l->disks[0].sources[DISK_SRC_SERIAL]);
        l->disks[0].sources[DISK_SRC_SERIAL] = strdup("udev:ID_SCSI_SERIAL");
        char *first = to_text(l, DISK_JSON_SOURCES);
        _cleanup_json_ json_object *o = NULL;
        struct disk_list *back = NULL;
        struct error e = { 0 };
        assert_int_equal(json_parse(first, strlen(first), &o, &e), 0);
        assert_int_equal(disk_list_from_json(o, &back, &e), 0);
        char *second = to_text(back, DISK_JSON_SOURCES);
        assert_string_equal(first, second);
        /* the fields the schema promises, null where unknown */
        json_object *d0 = json_object_array_get_idx(json_object_object_get(o, "disks"), 0), *v;
        const char *keys[] = { "name", "path", "maj_min", "vendor", "model", "serial", "wwn", "firmware", "hctl",
                               "transport", "by_id", "by_path", "controller", "controller_volume", "nvme",
                               "size_bytes", "logical_sector_size",
                               "physical_sector_size", "rotational", "removable", "read_only",
                               "partition_table", "partitions", "signatures", "contents_unreadable",
                               "holders", "mountpoints", "swap_in_use", "in_use", "in_use_reasons", "health", "bay", "sources" };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                assert_true(json_object_object_get_ex(d0, keys[i], &v));
        assert_true(json_object_object_get_ex(d0, "vendor", &v) && v == NULL);
        assert_true(json_object_object_get_ex(d0, "logical_sector_size", &v) && v == NULL);
        assert_true(json_object_object_get_ex(d0, "health", &v) && v == NULL);   /* SMART not asked */
        assert_true(json_object_object_get_ex(d0, "bay", &v) && v == NULL);      /* no BMC asked */
        assert_int_equal(json_object_object_length(d0), ELEMENTSOF(keys));
        /* without --debug there are no sources */
        char *plain = to_text(l, 0);
        assert_null(strstr(plain, "\"sources\""));
        free(plain);
        free(first);
        free(second);
        disk_list_free(back);
        disk_list_free(l);
}

static void json_refuses_what_is_no_inventory(void **state) {
        const char *bad[] = {
                "{}", "[]", "{\"disks\": 3}", "{\"disks\": [{\"path\": \"/dev/sda\"}]}",
                "{\"disks\": [{\"name\": \"sda\", \"size_bytes\": \"16G\"}]}",
                "{\"disks\": [{\"name\": \"sda\", \"partitions\": [{\"number\": \"one\"}]}]}",
                "{\"disks\": [{\"name\": \"sda\", \"by_id\": [1]}]}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_json_ json_object *o = NULL;
                struct disk_list *l = NULL;
                struct error e = { 0 };
                assert_int_equal(json_parse(bad[i], strlen(bad[i]), &o, &e), 0);
                assert_int_equal(disk_list_from_json(o, &l, &e), -EBADMSG);
                assert_null(l);
                assert_true(strlen(e.msg) > 0);
        }
}

/* An offline inventory is as untrusted as a spec: a path that would reach
 * sgdisk's or mdadm's argv is refused where the file is read, naming it. */
static void inventory_paths_that_would_reach_argv_are_refused(void **state) {
        static const struct {
                const char *json, *msg;
        } bad[] = {
                { "{\"disks\": [{\"name\": \"sda\", \"path\": \"/dev/sda --zap-all /dev/sdb\"}]}",
                  "disk 0 of the inventory (sda): \"path\": '/dev/sda --zap-all /dev/sdb' has a character other than" },
                { "{\"disks\": [{\"name\": \"sda\", \"by_id\": [\"/dev/disk/by-id/../../sdb\"]}]}",
                  "disk 0 of the inventory (sda): \"by_id\": '/dev/disk/by-id/../../sdb' has a '.' or '..' component" },
                { "{\"disks\": [{\"name\": \"sda\", \"by_path\": \"/etc/passwd\"}]}",
                  "disk 0 of the inventory (sda): \"by_path\": '/etc/passwd' is not below /dev" },
                { "{\"disks\": [{\"name\": \"sda\"}, {\"name\": \"../sdb\"}]}",
                  "disk 1 of the inventory: \"name\": '../sdb' is not a device name" },
                { "{\"disks\": [{\"name\": \"sda\", \"partitions\": [{\"name\": \"sda1\\nx\"}]}]}",
                  "disk 0 of the inventory (sda): partition \"name\": 'sda1\nx' is not a device name" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_json_ json_object *o = NULL;
                struct disk_list *l = NULL;
                struct error e = { 0 };
                assert_int_equal(json_parse(bad[i].json, strlen(bad[i].json), &o, &e), 0);
                assert_int_equal(disk_list_from_json(o, &l, &e), -EBADMSG);
                assert_null(l);
                if (!startswith(e.msg, bad[i].msg))
                        fail_msg("%zu: got '%s'", i, e.msg);
        }
}

/* PERC in RAID mode, PERC in HBA mode (or non-RAID disks), other HBAs, NVMe. */
static void controller_volumes_are_told_from_disks(void **state) {
        /* megaraid_sas: logical drives on channels 2 and 3, passed-through disks on 0 and 1 */
        assert_int_equal(disk_controller_volume("megaraid_sas", "0:2:0:0", "DELL", "PERC H730 Mini"), 1);
        assert_int_equal(disk_controller_volume("megaraid_sas", "0:3:1:0", "QEMU", "QEMU HARDDISK"), 1);
        assert_int_equal(disk_controller_volume("megaraid_sas", "0:0:4:0", "SEAGATE", "ST1200MM0099"), 0);
        assert_int_equal(disk_controller_volume("megaraid_sas", "0:1:4:0", "ATA", "SSDSC2KG480G8R"), 0);
        /* the model says it wherever the driver is not known */
        assert_int_equal(disk_controller_volume(NULL, "2:2:0:0", "DELL", "PERC H330 Adp"), 1);
        assert_int_equal(disk_controller_volume("hpsa", "1:1:0:0", "HP", "LOGICAL VOLUME"), 1);
        assert_int_equal(disk_controller_volume("mpt3sas", "1:0:3:0", "SEAGATE", "ST1200MM0099"), 0);
        assert_int_equal(disk_controller_volume("nvme", NULL, NULL, "Dell Express Flash PM1725a"), 0);
        assert_int_equal(disk_controller_volume(NULL, NULL, NULL, NULL), -1);
}

static void controller_and_nvme_round_trip(void **state) {
        struct disk_list *l = load_fixture();
        struct disk *d = &l->disks[0];
        d->controller = (struct disk_controller){ strdup("0000:02:00.0"), strdup("1000:005d"), strdup("megaraid_sas"),
                                                  strdup("MegaRAID SAS-3 3108 [Invader]") };
        d->controller_volume = 0;
        d->nvme = (struct disk_nvme){ strdup("nvme0"), 1, strdup("0025388b71b0a0b1"), NULL, NULL };
        char *first = to_text(l, 0);
        assert_non_null(strstr(first, "\"driver\": \"megaraid_sas\""));
        assert_non_null(strstr(first, "\"controller_volume\": false"));
        assert_non_null(strstr(first, "\"nsid\": 1"));
        _cleanup_json_ json_object *o = NULL;
        struct disk_list *back = NULL;
        struct error e = { 0 };
        assert_int_equal(json_parse(first, strlen(first), &o, &e), 0);
        assert_int_equal(disk_list_from_json(o, &back, &e), 0);
        char *second = to_text(back, 0);
        assert_string_equal(first, second);
        assert_int_equal(back->disks[0].controller_volume, 0);
        assert_int_equal(back->disks[1].controller_volume, -1);   /* unknown stays unknown */
        free(first);
        free(second);
        disk_list_free(back);
        disk_list_free(l);
}

static void hostile_model_is_shown_and_serialized_safely(void **state) {
        const char model[] = "$(reboot);\"<x>";
        static const char raw[] = "  $(reboot);\"<x>\x1b[2J\x01\xff  \n";
        char *clean = disk_clean_string(raw, sizeof raw - 1);
        assert_string_equal(clean, "$(reboot);\"<x>\\x1b[2J\\x01\\xff");
        struct disk_list l = { 0 };
        struct disk *d = disk_list_add(&l);
        d->name = strdup("sdz");
        d->model = strdup(model);
        d->serial = clean;
        d->size_bytes = 8589934592;
        d->rotational = 0;
        /* JSON: valid, and the string comes back byte for byte */
        char *text = to_text(&l, 0);
        _cleanup_json_ json_object *o = NULL;
        struct disk_list *back = NULL;
        struct error e = { 0 };
        assert_int_equal(json_parse(text, strlen(text), &o, &e), 0);
        assert_int_equal(disk_list_from_json(o, &back, &e), 0);
        assert_string_equal(back->disks[0].model, model);
        assert_non_null(strstr(text, "\"$(reboot);\\\"<x>\""));
        /* table and show: the text as it is, no control byte reaches the terminal */
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        disks_print_table(f, &l, false);
        d->model[0] = '\x1b';   /* even a string that skipped cleaning */
        disks_print_disk(f, d, true);
        fclose(f);
        assert_non_null(strstr(out, "$(reboot);\"<x>"));
        assert_non_null(strstr(out, "\\x1b(reboot);\"<x>"));
        for (size_t i = 0; i < len; i++)
                assert_true(out[i] == '\n' || (out[i] >= 0x20 && out[i] < 0x7f));
        free(out);
        free(text);
        disk_list_free(back);
        disk_done(d);
        free(l.disks);
}

static void mountinfo_is_parsed_with_escapes(void **state) {
        struct mount_table t = { 0 };
        struct error e = { 0 };
        assert_int_equal(mount_table_parse_mountinfo(&t, mountinfo, &e), 0);
        assert_int_equal(t.n_mounts, 5);
        assert_string_equal(t.mounts[2].maj_min, "8:48");
        assert_string_equal(t.mounts[2].mountpoint, "/mnt/old dir");
        assert_int_equal(mount_table_parse_mountinfo(&t, "garbage\n\n1 2\n", &e), 0);
        assert_int_equal(t.n_mounts, 5);
        mount_table_done(&t);
}

/* udev's record, as its blkid builtin stores it: NAME=value pairs */
static const char *props_get(void *ud, const char *name) {
        for (const char *const *p = ud; *p; p += 2)
                if (streq(p[0], name))
                        return p[1];
        return NULL;
}

static void contents_from_udev_props_match_a_probe(void **state) {
        (void)state;
        static const char *const disk_props[] = { "ID_PART_TABLE_TYPE", "gpt", "ID_PART_TABLE_UUID", "1b9d", NULL };
        static const char *const part_props[] = {
                "ID_PART_ENTRY_TYPE", "a19d880f-05fc-4d3b-a006-743f0f84911e",
                "ID_PART_ENTRY_UUID", "5d1e2c3b-0000-4000-8000-000000000001",
                "ID_PART_ENTRY_NAME", "my\\x20data",
                "ID_FS_TYPE", "linux_raid_member", "ID_FS_USAGE", "raid",
                "ID_FS_UUID", "3e1c0c39-1111-2222-3333-444455556666",
                "ID_FS_LABEL", "r630:data", "ID_FS_LABEL_ENC", "r630:data", "ID_FS_VERSION", "1.2", NULL,
        };
        struct disk d = { .size_bytes = -1 };
        struct disk_partition *p = disk_add_partition(&d);
        assert_non_null(p);
        p->number = 1;
        assert_int_equal(disk_table_from_props(props_get, (void *)disk_props, &d), 0);
        assert_int_equal(disk_partition_from_props(props_get, (void *)part_props, &d.partitions[0]), 0);
        assert_string_equal(d.partition_table, "gpt");
        assert_int_equal(d.n_signatures, 0);
        p = &d.partitions[0];
        assert_string_equal(p->type_name, "Linux RAID");
        assert_string_equal(p->label, "my data");   /* decoded, as libblkid reads it */
        assert_int_equal(p->n_signatures, 1);
        assert_string_equal(p->signatures[0].usage, "raid");
        assert_string_equal(p->signatures[0].array_uuid, "3e1c0c39:11112222:33334444:55556666");
        assert_string_equal(p->signatures[0].array_name, "data");
        char *key = disk_contents_key(&d);
        assert_string_equal(key, "gpt; partition 1 a19d880f-05fc-4d3b-a006-743f0f84911e linux_raid_member "
                                 "3e1c0c39-1111-2222-3333-444455556666");
        free(key);
        disk_done(&d);
}

static void contents_key_of_a_blank_disk_and_a_kernel_only_partition(void **state) {
        (void)state;
        struct disk d = { .size_bytes = -1 };
        struct disk_partition *p = disk_add_partition(&d);
        assert_non_null(p);
        p->number = 1;   /* no type: the kernel's, not on the disk */
        char *key = disk_contents_key(&d);
        assert_string_equal(key, "nothing");
        free(key);
        struct disk_signature *s = disk_signatures_add(&d.signatures, &d.n_signatures);
        s->type = strdup("ext4");
        key = disk_contents_key(&d);
        assert_string_equal(key, "ext4");
        free(key);
        disk_done(&d);
}

/* The bay map's join: by serial, a bay of the BMC's validated once more */
static void bays_join_by_serial(void **state) {
        _cleanup_(disk_list_freep) struct disk_list *l = load_fixture();
        assert_int_equal(disk_list_set_bay(l, "PHYG0000480BGN", "7"), 0);
        assert_string_equal(get(l, "sdc")->bay, "7");
        assert_int_equal(disk_list_set_bay(l, "PHYG0000480BGN", "2"), 0);   /* moved: the BMC's now */
        assert_string_equal(get(l, "sdc")->bay, "2");
        assert_int_equal(disk_list_set_bay(l, "NOSUCH", "3"), -ENOENT);
        assert_int_equal(disk_list_set_bay(l, NULL, "3"), -ENOENT);
        assert_int_equal(disk_list_set_bay(l, "WFK00ABC", "3\x1b[2J"), -EINVAL);
        assert_int_equal(disk_list_set_bay(l, "WFK00ABC", ""), -EINVAL);
        assert_int_equal(disk_list_set_bay(l, "WFK00ABC", "12345678901234567"), -EINVAL);
        assert_null(get(l, "sda")->bay);
        assert_null(get(l, "sdd")->bay);        /* no serial: never in the map */

        /* the bay goes into the JSON and comes back; a bay no BMC could give is refused */
        _cleanup_json_ json_object *o = disk_list_to_json(l, 0);
        _cleanup_(disk_list_freep) struct disk_list *back = NULL;
        struct error e = { 0 };
        assert_int_equal(disk_list_from_json(o, &back, &e), 0);
        assert_string_equal(get(back, "sdc")->bay, "2");
        assert_null(get(back, "sda")->bay);
        json_object *sdc = json_object_array_get_idx(json_object_object_get(o, "disks"), 2);
        json_object_object_add(sdc, "bay", json_object_new_string("2; rm"));
        _cleanup_(disk_list_freep) struct disk_list *bad = NULL;
        assert_true(disk_list_from_json(o, &bad, &e) < 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(in_use_says_why),
                cmocka_unit_test(bays_join_by_serial),
                cmocka_unit_test(contents_from_udev_props_match_a_probe),
                cmocka_unit_test(contents_key_of_a_blank_disk_and_a_kernel_only_partition),
                cmocka_unit_test(in_use_from_fields_alone),
                cmocka_unit_test(classifies_names_transports_ids),
                cmocka_unit_test(kinds_and_contents),
                cmocka_unit_test(finds_by_any_identity),
                cmocka_unit_test(sorts_like_the_kernel_counts),
                cmocka_unit_test(json_round_trip_is_exact),
                cmocka_unit_test(json_refuses_what_is_no_inventory),
                cmocka_unit_test(inventory_paths_that_would_reach_argv_are_refused),
                cmocka_unit_test(controller_volumes_are_told_from_disks),
                cmocka_unit_test(controller_and_nvme_round_trip),
                cmocka_unit_test(hostile_model_is_shown_and_serialized_safely),
                cmocka_unit_test(mountinfo_is_parsed_with_escapes),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
