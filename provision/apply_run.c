#include "apply_run.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <string.h>
#include <time.h>

#include "apply_containers.h"
#include "hypervisor/connect.h"
#include "hypervisor/pool.h"
#include "hypervisor/vm.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/spec_read.h"
#include "lib/store.h"
#include "lib/strutil.h"
#include "os/deploy.h"
#include "raid/apply.h"

const char *apply_step_result_word(const struct apply_step_result *r) {
        return r->pending ? "pending" : outcome_name(r->outcome);
}

struct runner {
        const struct apply_plan *p;
        const struct apply_run_opts *o;
        struct apply_step_result *res;
        struct store *db;
        int64_t run_id;               /* start time in ms */
        struct os_target target;
        size_t current;               /* step being run */
        bool current_ended;           /* step_end ran for it */
        struct timespec t0;
};

static double since(const struct timespec *t0) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static int64_t now_ms(void) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The journal is a record, not a gate: a full disk there must not stop the work. */
static void journal(struct runner *r, const char *severity, const char *message, const struct apply_step *s,
                    const char *state, double secs) {
        if (!r->db)
                return;
        _cleanup_json_ json_object *d = json_object_new_object();
        json_add_int(d, "run", r->run_id);
        json_add_string(d, "phase", apply_phase_name(r->p->phase));
        json_add_string(d, "spec", r->o->spec->path);
        if (s) {
                json_add_string(d, "step", s->id);
                json_add_string(d, "state", state);
                json_object_object_add(d, "seconds", json_object_new_double(secs));
        }
        struct error ignore = { 0 };
        store_journal_add(r->db, now_ms(), "apply", severity, message, json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN),
                          NULL, &ignore);
}

static void step_begin(struct runner *r, size_t i) {
        const struct apply_step *s = &r->p->steps[i];
        r->current = i;
        r->current_ended = false;
        clock_gettime(CLOCK_MONOTONIC, &r->t0);
        r->res[i] = (struct apply_step_result){ .pending = true };
        if (!r->o->dry)
                journal(r, "OK", s->description, s, "started", 0);
        if (r->o->progress)
                r->o->progress(r->o->userdata, i, s, &r->res[i], true);
}

/* k: an enum outcome (OUTCOME_CHANGED in a dry run: would change) or a
 * negative errno. A transient step (a mount) leaves nothing changed. */
static void step_end(struct runner *r, size_t i, int k, const char *msg) {
        const struct apply_step *s = &r->p->steps[i];
        struct apply_step_result *x = &r->res[i];
        x->seconds = since(&r->t0);
        x->outcome = k == ERROR_REFUSED ? OUTCOME_REFUSED
                   : k < 0              ? OUTCOME_FAILED
                   : k == OUTCOME_CHANGED && s->transient ? OUTCOME_UNCHANGED
                                                          : (enum outcome)k;
        x->pending = r->o->dry && x->outcome == OUTCOME_CHANGED;
        r->current_ended = true;
        snprintf(x->message, sizeof x->message, "%s", msg ? msg : "");
        if (!r->o->dry) {
                const char *word = apply_step_result_word(x);
                _cleanup_free_ char *m = strdup_printf("%s: %s%s%s", s->id, word, *x->message ? ": " : "", x->message);
                journal(r, k < 0 ? "Critical" : "OK", m ? m : s->id, s, word, x->seconds);
        }
        if (r->o->progress)
                r->o->progress(r->o->userdata, i, s, x, false);
}

static size_t raid_step_index(const struct apply_plan *p, size_t raid_index) {
        for (size_t i = 0; i < p->n_steps; i++)
                if (p->steps[i].act == ACT_RAID && p->steps[i].raid_index == raid_index)
                        return i;
        return SIZE_MAX;
}

static void on_raid(void *userdata, size_t ri, const struct plan_step *ps, bool before, enum outcome o, const char *msg) {
        struct runner *r = userdata;
        size_t i = raid_step_index(r->p, ri);
        if (i == SIZE_MAX)
                return;
        if (before)
                step_begin(r, i);
        else
                step_end(r, i, o, msg);
}

static int run_raid(struct runner *r, struct error *e) {
        struct apply_opts ro = { .dry = r->o->dry, .progress = on_raid, .userdata = r };
        int k = raid_apply(r->p->raid, &ro, NULL, e);
        if (k < 0 && !r->current_ended)
                step_end(r, r->current, k, e->msg);
        return k;
}

static int raid_record(struct runner *r, char *msg, size_t n, struct error *e) {
        if (r->o->dry && !path_is_mounted(OS_TARGET))
                return snprintf(msg, n, "cannot look before " OS_TARGET " is mounted (apply mounts it)"), OUTCOME_CHANGED;
        size_t changed = 0;
        struct apply_opts ro = { .dry = r->o->dry, .root = OS_TARGET,
                                 .only_kinds = (1u << STEP_MDADM_CONF) | (1u << STEP_FSTAB) | (1u << STEP_TUNE) };
        if (raid_apply(r->p->raid, &ro, &changed, e) < 0)
                return e->code;
        snprintf(msg, n, changed ? "ARRAY lines, the pool's fstab line and md's tuning rule written into " OS_TARGET
                                 : OS_TARGET " lists every array and the pool");
        return changed > 0 ? OUTCOME_CHANGED : OUTCOME_UNCHANGED;
}

static int hv_open_spec(const struct host_spec *spec, struct hv **ret, struct error *e) {
        struct hv_config cfg = { 0 };
        if (hv_config_from_json(spec->hypervisor, &cfg, e) < 0)
                return error_prefix(e, "%s", spec->path);
        return hv_open(&cfg, ret, e);
}

static int pool(struct runner *r, char *msg, size_t n, struct error *e) {
        _cleanup_(hv_closep) struct hv *h = NULL;
        if (hv_open_spec(r->o->spec, &h, e) < 0)
                return e->code;
        if (r->o->dry) {
                struct hv_pool_info info = { 0 };
                struct error ignore = { 0 };
                bool have = hv_pool_show(h, &info, &ignore) >= 0 && info.active;
                snprintf(msg, n, have ? "pool %s is active on %s" : "define and start the pool", info.name, info.path);
                hv_pool_info_done(&info);
                return have ? OUTCOME_UNCHANGED : OUTCOME_CHANGED;
        }
        int k = hv_pool_create(h, e);
        if (k >= 0)
                snprintf(msg, n, k == OUTCOME_CHANGED ? "pool created, started, autostarted" : "the pool exists and runs");
        return k;
}

static int vms(struct runner *r, char *msg, size_t n, struct error *e) {
        _cleanup_(vm_spec_list_freep) struct vm_spec_list *l = NULL;
        _cleanup_free_ char *base = strdup(r->o->spec->path);
        char *slash = base ? strrchr(base, '/') : NULL;
        if (slash)
                *slash = '\0';
        if (vm_spec_list_from_json(r->o->spec->vms, slash ? base : ".", &l, e) < 0)
                return error_prefix(e, "%s", r->o->spec->path);
        _cleanup_(hv_closep) struct hv *h = NULL;
        if (hv_open_spec(r->o->spec, &h, e) < 0)
                return e->code;
        size_t created = 0, started = 0;
        for (size_t i = 0; i < l->n; i++) {
                struct hv_vm_info info = { 0 };
                struct error ignore = { 0 };
                bool exists = hv_vm_show(h, l->vms[i].name, &info, &ignore) >= 0;
                bool running = exists && streq(info.state, "running");
                hv_vm_info_done(&info);
                if (running)
                        continue;
                if (r->o->dry) {
                        created += !exists;
                        started++;
                        continue;
                }
                if (!exists && hv_vm_create(h, &l->vms[i], e) < 0)
                        return error_prefix(e, "vm %s", l->vms[i].name);
                created += !exists;
                int k = hv_vm_start(h, l->vms[i].name, e);
                if (k < 0)
                        return error_prefix(e, "vm %s", l->vms[i].name);
                started += k == OUTCOME_CHANGED;
        }
        snprintf(msg, n, "%zu VM(s): %zu %s, %zu %s", l->n, created, r->o->dry ? "to define" : "defined", started,
                 r->o->dry ? "to start" : "started");
        return created + started > 0 ? OUTCOME_CHANGED : OUTCOME_UNCHANGED;
}

static int firstboot_done(struct runner *r, char *msg, size_t n, struct error *e) {
        if (access(OS_FIRSTBOOT_DONE, F_OK) == 0)
                return snprintf(msg, n, "%s exists", OS_FIRSTBOOT_DONE), OUTCOME_UNCHANGED;
        if (r->o->dry)
                return snprintf(msg, n, "write %s", OS_FIRSTBOOT_DONE), OUTCOME_CHANGED;
        char when[64];
        time_t t = time(NULL);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ\n", gmtime(&t));
        if (file_ensure_content(OS_FIRSTBOOT_DONE, when, 0644, e) < 0)
                return e->code;
        return snprintf(msg, n, "%s written: " OS_FIRSTBOOT_UNIT " will not run again", OS_FIRSTBOOT_DONE), OUTCOME_CHANGED;
}

/* Steps on the target wait for it to be mounted; in a plan they cannot look yet. */
static bool needs_target(const struct apply_step *s) {
        return s->act == ACT_OS && s->os_kind != OS_FETCH && s->os_kind != OS_MOUNT_ROOT && s->os_kind != OS_EFI_ENTRIES;
}

static int run_one(struct runner *r, const struct apply_step *s, char *msg, size_t n, struct error *e) {
        if (r->o->dry && needs_target(s) && !path_is_mounted(OS_TARGET))
                return snprintf(msg, n, "cannot look before " OS_TARGET " is mounted (apply mounts it)"),
                       s->os_kind == OS_FINISH ? OUTCOME_UNCHANGED : OUTCOME_CHANGED;
        switch (s->act) {
        case ACT_OS: return os_step_run((enum os_step_kind)s->os_kind, &r->target, s->disk, r->o->dry, msg, n, e);
        case ACT_RAID_RECORD: return raid_record(r, msg, n, e);
        case ACT_POOL: return pool(r, msg, n, e);
        case ACT_CONTAINERS_SETUP: return apply_containers(r->o->spec, r->o->dry, false, msg, n, e);
        case ACT_CONTAINERS_VERIFY: return apply_containers(r->o->spec, r->o->dry, true, msg, n, e);
        case ACT_VMS: return vms(r, msg, n, e);
        case ACT_FIRSTBOOT_DONE: return firstboot_done(r, msg, n, e);
        case ACT_RAID: break;
        }
        return error_set(e, -EINVAL, "step %s: nothing runs it", s->id);
}

static void target_init(struct runner *r, char ***boot_disks, char ***data_mounts, char **root_dev, char **esp_dev) {
        const struct host_spec *spec = r->o->spec;
        if (!spec->os)
                return;
        _cleanup_free_ char *esp_name = spec->os->esp_array ? strdup(spec->os->esp_array)
                                                            : strdup_printf("%s-esp", spec->os->root_array);
        const struct plan_array *esp = apply_plan_array(r->p, esp_name);
        *boot_disks = apply_plan_boot_disks(r->p, spec->os->root_array);
        *data_mounts = apply_plan_data_mounts(r->p);
        *root_dev = strdup_printf("/dev/md/%s", spec->os->root_array);
        *esp_dev = esp ? strdup_printf("/dev/md/%s", esp->name) : NULL;
        r->target = (struct os_target){ .spec = spec->os, .mnt = OS_TARGET, .root_dev = *root_dev, .esp_dev = *esp_dev,
                                        .esp_partition = esp ? esp->partition : 0, .boot_disks = *boot_disks,
                                        .data_mounts = *data_mounts,
                                        .hostname = spec->name, .spec_path = spec->path, .self_dir = r->o->self_dir,
                                        .package_path = r->o->package_path,
                                        .progress = r->o->bytes, .userdata = r->o->userdata };
}

/* One apply at a time on a machine: two would race over the same disks. */
static int lock_state_dir(const char *dir, struct error *e) {
        _cleanup_free_ char *path = strdup_printf("%s/apply.lock", dir);
        if (!path || mkdir_private(dir, e) < 0)
                return path ? e->code : error_set(e, -ENOMEM, "out of memory");
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                return error_set(e, -errno, "%s: %m", path);
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                int err = errno;
                close(fd);
                return err == EWOULDBLOCK ? error_set(e, -EBUSY, "another hostctl apply is running on this machine (%s "
                                                                 "is locked); let it finish", path)
                                          : error_set(e, -err, "%s: %s", path, strerror(err));
        }
        return fd;
}

int apply_run(const struct apply_plan *p, const struct apply_run_opts *o, struct apply_step_result *results,
              size_t *ret_changed, size_t *ret_pending, struct error *e) {
        _cleanup_(store_closep) struct store *db = NULL;
        _cleanup_close_ int lock = -1;
        if (o->state_dir && !o->dry && (lock = lock_state_dir(o->state_dir, e)) < 0)
                return lock;
        if (o->state_dir && !o->dry) {
                _cleanup_free_ char *path = strdup_printf("%s/hostd.db", o->state_dir);
                if (mkdir_p(o->state_dir, 0700, e) < 0 || store_open(path, &db, e) < 0)
                        return error_prefix(e, "the step journal");
        }
        /* a run is named by its start time: every record of it carries that */
        struct runner r = { .p = p, .o = o, .res = results, .db = db, .run_id = now_ms() };
        _cleanup_strv_free_ char **boot_disks = NULL, **data_mounts = NULL;
        _cleanup_free_ char *root_dev = NULL, *esp_dev = NULL;
        target_init(&r, &boot_disks, &data_mounts, &root_dev, &esp_dev);
        _cleanup_free_ char *start = strdup_printf("apply %s (phase %s): %zu steps", o->spec->path,
                                                   apply_phase_name(p->phase), p->n_steps);
        if (!o->dry)
                journal(&r, "OK", start ? start : "apply", NULL, NULL, 0);
        int k = 0;
        bool raid_ran = false;
        for (size_t i = 0; i < p->n_steps && k >= 0; i++) {
                const struct apply_step *s = &p->steps[i];
                if (s->act == ACT_RAID) {
                        if (!raid_ran)
                                k = run_raid(&r, e);
                        raid_ran = true;
                        continue;
                }
                char msg[512] = "";
                step_begin(&r, i);
                k = run_one(&r, s, msg, sizeof msg, e);
                step_end(&r, i, k, k < 0 ? e->msg : msg);
                if (k < 0)
                        error_prefix(e, "step %zu (%s)", i + 1, s->id);
        }
        free(r.target.image_path);
        size_t changed = 0, pending = 0;
        for (size_t i = 0; i < p->n_steps; i++) {
                changed += !results[i].pending && results[i].outcome == OUTCOME_CHANGED;
                pending += results[i].pending;
        }
        if (k < 0 && !o->dry && o->spec->os && p->phase == APPLY_PHASE_INSTALL)
                os_target_release(&r.target);   /* the next run mounts again; nothing is left half-mounted */
        if (!o->dry) {
                _cleanup_free_ char *end = strdup_printf("apply %s: %s, %zu step(s) changed the machine", o->spec->path,
                                                         k < 0 ? "failed" : "finished", changed);
                journal(&r, k < 0 ? "Critical" : "OK", end ? end : "apply", NULL, NULL, 0);
        }
        if (ret_changed)
                *ret_changed = changed;
        if (ret_pending)
                *ret_pending = pending;
        return k < 0 ? k : 0;
}
