/* The apply plan: pure, from (spec, inventory, phase) to an ordered list of steps. */
#include <string.h>

#include "apply.h"
#include "lib/strutil.h"
#include "os/deploy.h"

const char *apply_phase_name(enum apply_phase p) {
        return p == APPLY_PHASE_INSTALL ? "install" : "firstboot";
}

int apply_phase_from_string(const char *s, enum apply_phase *ret) {
        if (streq(s, "install"))
                *ret = APPLY_PHASE_INSTALL;
        else if (streq(s, "firstboot"))
                *ret = APPLY_PHASE_FIRSTBOOT;
        else
                return -EINVAL;
        return 0;
}

void apply_plan_free(struct apply_plan *p) {
        if (!p)
                return;
        for (size_t i = 0; i < p->n_steps; i++) {
                free(p->steps[i].id);
                free(p->steps[i].domain);
                free(p->steps[i].description);
                free(p->steps[i].disk);
        }
        free(p->steps);
        plan_free(p->raid);
        strv_free(p->errors);
        free(p);
}

static struct apply_step *add(struct apply_plan *p, enum apply_action act, const char *domain, const char *id,
                              const char *description) {
        struct apply_step *v = realloc(p->steps, (p->n_steps + 1) * sizeof *v);
        if (!v)
                return NULL;
        p->steps = v;
        struct apply_step *s = &v[p->n_steps];
        *s = (struct apply_step){ .act = act, .domain = strdup(domain), .id = strdup(id), .description = strdup(description) };
        if (!s->domain || !s->id || !s->description)
                return NULL;
        p->n_steps++;
        return s;
}

static int add_os(struct apply_plan *p, enum os_step_kind k, const char *disk, const char *description) {
        _cleanup_free_ char *id = disk ? strdup_printf("os:%s:%s", os_step_name(k), strrchr(disk, '/') + 1)
                                       : strdup_printf("os:%s", os_step_name(k));
        struct apply_step *s = id ? add(p, ACT_OS, "os", id, description) : NULL;
        if (!s || (disk && !(s->disk = strdup(disk))))
                return -ENOMEM;
        s->os_kind = (int)k;
        s->transient = k == OS_MOUNT_ROOT || k == OS_MOUNT_ESP || k == OS_FINISH;
        return 0;
}

static int add_raid(struct apply_plan *p) {
        for (size_t i = 0; p->raid && i < p->raid->n_steps; i++) {
                const struct plan_step *r = &p->raid->steps[i];
                _cleanup_free_ char *id = strdup_printf("raid:%s%s%s%s%s", step_kind_name(r->kind), r->array ? ":" : "",
                                                        r->array ? r->array : "", r->disk ? ":" : "", r->disk ? r->disk : "");
                struct apply_step *s = id ? add(p, ACT_RAID, "raid", id, r->description) : NULL;
                if (!s)
                        return -ENOMEM;
                s->raid_index = i;
                s->transient = r->kind == STEP_WAIT;
        }
        return 0;
}

const struct plan_array *apply_plan_array(const struct apply_plan *p, const char *name) {
        for (size_t i = 0; p->raid && name && i < p->raid->n_arrays; i++)
                if (streq(p->raid->arrays[i].name, name))
                        return &p->raid->arrays[i];
        return NULL;
}

char **apply_plan_boot_disks(const struct apply_plan *p, const char *root_array) {
        const struct plan_array *a = apply_plan_array(p, root_array);
        char **v = NULL;
        for (size_t i = 0; a && i < a->n_members; i++)
                if (strv_push(&v, a->members[i].path) < 0) {
                        strv_free(v);
                        return NULL;
                }
        return v;
}

char **apply_plan_data_mounts(const struct apply_plan *p) {
        char **v = NULL;
        for (size_t i = 0; p->raid && i < p->raid->n_steps; i++) {
                const struct plan_step *s = &p->raid->steps[i];
                if (s->kind == STEP_MOUNT && strv_push(&v, s->argv[2]) < 0) {
                        strv_free(v);
                        return NULL;
                }
        }
        return v;
}

static int install_steps(struct apply_plan *p, const struct host_spec *spec) {
        const struct os_spec *os = spec->os;
        const struct plan_array *root = apply_plan_array(p, os->root_array);
        _cleanup_free_ char *esp_name = os->esp_array ? strdup(os->esp_array) : strdup_printf("%s-esp", os->root_array);
        const struct plan_array *esp = apply_plan_array(p, esp_name);
        if (!root)
                return strv_push_printf(&p->errors, "os.root_array: the storage section has no array '%s'", os->root_array);
        if (root->level != 1)
                return strv_push_printf(&p->errors, "os.root_array: '%s' is RAID %d; the OS goes on a RAID 1, so that either "
                                                    "disk boots alone", root->name, root->level);
        _cleanup_free_ char *fetch = strdup_printf("fetch %s and check its sha256 %.12s... before any disk is written",
                                                   os->image, os->sha256);
        _cleanup_free_ char *unpack = strdup_printf("unpack the image onto /dev/md/%s", root->name);
        int k = add_os(p, OS_FETCH, NULL, fetch) ?: add_raid(p) ?:
                add_os(p, OS_MOUNT_ROOT, NULL, "mount the new root on " OS_TARGET) ?: add_os(p, OS_UNPACK, NULL, unpack);
        if (k < 0)
                return k;
        if (esp && add_os(p, OS_MOUNT_ESP, NULL, "mount the ESP mirror on " OS_TARGET "/boot/efi") < 0)
                return -ENOMEM;
        /* before the arrays are recorded: apt may bring in packages whose scripts write mdadm.conf */
        if (add_os(p, OS_PACKAGE, NULL, "hostd in the target: the package given with --package, through the target's apt") < 0)
                return -ENOMEM;
        if (!add(p, ACT_RAID_RECORD, "raid", "raid:record", "record the arrays in the target's mdadm.conf and fstab (by UUID)"))
                return -ENOMEM;
        k = add_os(p, OS_CONFIGURE, NULL, os->firstboot ? "hostname, fstab for / and /boot/efi, root login, hostctl and "
                                                          "the first-boot unit in the target"
                                                        : "hostname, fstab for / and /boot/efi, root login in the target") ?:
            add_os(p, OS_INITRAMFS, NULL, "build the target's initramfs with mdadm and the ARRAY lines");
        for (size_t i = 0; k >= 0 && i < root->n_members; i++) {
                _cleanup_free_ char *d = strdup_printf("GRUB for BIOS boot on %s (disk %zu of %zu)", root->members[i].path,
                                                       i + 1, root->n_members);
                k = d ? add_os(p, OS_GRUB_BIOS, root->members[i].path, d) : -ENOMEM;
        }
        if (k >= 0 && esp)
                k = add_os(p, OS_GRUB_EFI, NULL, "GRUB for UEFI boot on the ESP mirror (removable path)") ?:
                    add_os(p, OS_EFI_ENTRIES, NULL, "a UEFI boot entry per OS disk (when booted by UEFI)");
        if (k >= 0)
                k = add_os(p, OS_GRUB_CONFIG, NULL, "the GRUB menu (update-grub)") ?:
                    add_os(p, OS_FINISH, NULL, "unmount the target");
        p->next = "reboot";
        return k;
}

static int firstboot_steps(struct apply_plan *p, const struct host_spec *spec) {
        if (add_raid(p) < 0)
                return -ENOMEM;
        if (spec->hypervisor && !add(p, ACT_POOL, "hypervisor", "hypervisor:pool",
                                     "the libvirt storage pool on the RAID 5 mount, started and autostarted"))
                return -ENOMEM;
        if (spec->containers &&
            (!add(p, ACT_CONTAINERS_SETUP, "containers", "containers:setup", "the container runtime's root on the RAID 5 pool") ||
             !add(p, ACT_CONTAINERS_VERIFY, "containers", "containers:verify", "run a container from the pool")))
                return -ENOMEM;
        if (spec->vms && json_object_array_length(spec->vms) > 0 &&
            !add(p, ACT_VMS, "hypervisor", "hypervisor:vms", "define and start the VMs of the spec"))
                return -ENOMEM;
        if (spec->os && !add(p, ACT_FIRSTBOOT_DONE, "host", "host:firstboot-done", "record that the first boot's part is done"))
                return -ENOMEM;
        return 0;
}

int apply_plan_make(const struct host_spec *spec, const struct disk_list *inv, const struct md_host *host,
                    enum apply_phase phase,
                    char *const *wipe, bool assume_clean, struct apply_plan **ret, struct error *e) {
        _cleanup_(apply_plan_freep) struct apply_plan *p = calloc(1, sizeof *p);
        if (!p)
                return error_set(e, -ENOMEM, "out of memory");
        p->phase = phase;
        if (spec->storage) {
                if (!(p->raid = plan_make(inv, spec->storage, wipe)) || (assume_clean && plan_set_assume_clean(p->raid) < 0) ||
                    (host && plan_tune(p->raid, host) < 0))
                        return error_set(e, -ENOMEM, "out of memory while planning");
                for (char **x = p->raid->errors; x && *x; x++)
                        if (strv_push(&p->errors, *x) < 0)
                                return error_set(e, -ENOMEM, "out of memory");
        }
        if (phase == APPLY_PHASE_INSTALL && !spec->os)
                return error_set(e, -EINVAL, "%s: phase install needs an os section (image and sha256)", spec->path);
        int k = phase == APPLY_PHASE_INSTALL ? install_steps(p, spec) : firstboot_steps(p, spec);
        if (k < 0)
                return error_set(e, -ENOMEM, "out of memory while planning");
        *ret = TAKE_PTR(p);
        return 0;
}
