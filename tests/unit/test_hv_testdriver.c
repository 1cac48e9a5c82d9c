/* The VM state machine and its error paths against libvirt's in-process
 * test:///default driver: what `hostctl vm ...` and `hostctl pool ...` do,
 * in milliseconds. The pool directory is a temporary one; seed ISOs are
 * really made there (genisoimage). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hypervisor/pool.h"
#include "hypervisor/vm.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/outcome.h"
#include "lib/strutil.h"
#include "lib/yaml_json.h"

struct fx {
        char dir[64];
        char pool_dir[96];
        struct hv_config cfg;
        struct hv *h;
};

static int setup(void **state) {
        struct fx *f = calloc(1, sizeof *f);
        struct error e = { 0 };
        strcpy(f->dir, "/tmp/hostd-hv-test-XXXXXX");
        if (!mkdtemp(f->dir))
                return -1;
        snprintf(f->pool_dir, sizeof f->pool_dir, "%s/vms", f->dir);
        f->cfg = (struct hv_config) { .uri = "test:///default", .type = HV_VIRT_QEMU, .pool_mount = f->dir,
                                      .console_dir = f->dir, .shutdown_timeout_s = 2 };
        if (hv_open(&f->cfg, &f->h, &e) < 0 || hv_pool_create(f->h, &e) != OUTCOME_CHANGED) {
                print_message("setup: %s\n", e.msg);
                return -1;
        }
        mkdir(f->pool_dir, 0755);   /* the test driver keeps its pools in memory */
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fx *f = *state;
        hv_close(f->h);
        _cleanup_free_ char *cmd = strdup_printf("rm -rf '%s'", f->dir);
        if (system(cmd) != 0)
                return -1;
        free(f);
        return 0;
}

static struct vm_spec spec(const char *yaml) {
        _cleanup_json_ json_object *o = NULL;
        struct error e = { 0 };
        struct vm_spec v = { 0 };
        if (yaml_parse_to_json(yaml, strlen(yaml), &o, &e) < 0 || vm_spec_from_json(o, "vm", NULL, &v, &e) < 0)
                fail_msg("spec: %s", e.msg);
        return v;
}

static const char *state_of(struct fx *f, const char *name) {
        struct hv_vm_info i = { 0 };
        struct error e = { 0 };
        if (hv_vm_show(f->h, name, &i, &e) < 0)
                return "absent";
        const char *s = i.state;
        hv_vm_info_done(&i);
        return s;
}

static bool pool_has(struct fx *f, const char *vol) {
        _cleanup_(hv_pool_info_done) struct hv_pool_info p = { 0 };
        struct error e = { 0 };
        assert_int_equal(hv_pool_show(f->h, &p, &e), 0);
        return strv_contains(p.volumes, vol);
}

static bool exists(struct fx *f, const char *name) {
        _cleanup_free_ char *p = strdup_printf("%s/%s", f->pool_dir, name);
        struct stat st;
        return stat(p, &st) == 0;
}

static void pool_is_created_once_and_started(void **state) {
        struct fx *f = *state;
        struct error e = { 0 };
        assert_int_equal(hv_pool_create(f->h, &e), OUTCOME_UNCHANGED);   /* already there */
        _cleanup_(hv_pool_info_done) struct hv_pool_info p = { 0 };
        assert_int_equal(hv_pool_show(f->h, &p, &e), 0);
        assert_string_equal(p.name, "hostd");
        assert_string_equal(p.path, f->pool_dir);
        assert_true(p.active);
        assert_true(p.autostart);
        struct hv_config other = f->cfg;
        other.pool_mount = "/elsewhere";
        struct hv *h2 = NULL;
        assert_int_equal(hv_open(&other, &h2, &e), 0);
        assert_int_equal(hv_pool_create(h2, &e), -EEXIST);
        assert_non_null(strstr(e.msg, "already exists at"));
        hv_close(h2);
}

static void full_lifecycle(void **state) {
        struct fx *f = *state;
        struct error e = { 0 };
        struct vm_spec v = spec("{name: web1, vcpus: 2, memory: 1G, disks: [{size: 20G}, {size: 1G}], "
                                "network: {type: nat}, cloud_init: {}, autostart: true}");
        assert_int_equal(hv_vm_create(f->h, &v, &e), OUTCOME_CHANGED);
        assert_string_equal(state_of(f, "web1"), "running");
        assert_true(pool_has(f, "web1-disk0.qcow2"));
        assert_true(pool_has(f, "web1-disk1.qcow2"));
        assert_true(exists(f, "web1-cidata.iso"));   /* a real ISO from genisoimage */

        struct hv_vm_info i = { 0 };
        assert_int_equal(hv_vm_show(f->h, "web1", &i, &e), 0);
        assert_int_equal(i.vcpus, 2);
        assert_true(i.memory == 1ULL << 30);
        assert_true(i.autostart);
        _cleanup_free_ char *log = strdup_printf("%s/web1.log", f->dir);
        assert_string_equal(i.console_log, log);
        assert_true(strv_contains(i.volumes, "hostd/web1-cidata.iso"));
        hv_vm_info_done(&i);

        /* each action says what it did in the one vocabulary (lib/outcome.h) */
        bool destroyed = true;
        assert_int_equal(hv_vm_start(f->h, "web1", &e), OUTCOME_UNCHANGED);      /* already running */
        assert_int_equal(hv_vm_reboot(f->h, "web1", &e), OUTCOME_CHANGED);
        assert_int_equal(hv_vm_shutdown(f->h, "web1", 0, &destroyed, &e), OUTCOME_CHANGED);
        assert_false(destroyed);
        assert_string_equal(state_of(f, "web1"), "shutoff");
        assert_int_equal(hv_vm_shutdown(f->h, "web1", 0, &destroyed, &e), OUTCOME_UNCHANGED);   /* was not running */
        assert_int_equal(hv_vm_reboot(f->h, "web1", &e), -EINVAL);
        assert_non_null(strstr(e.msg, "not running"));
        assert_int_equal(hv_vm_start(f->h, "web1", &e), OUTCOME_CHANGED);
        assert_string_equal(state_of(f, "web1"), "running");
        assert_int_equal(hv_vm_destroy(f->h, "web1", &e), OUTCOME_CHANGED);
        assert_int_equal(hv_vm_destroy(f->h, "web1", &e), OUTCOME_UNCHANGED);
        assert_int_equal(hv_vm_start(f->h, "web1", &e), OUTCOME_CHANGED);

        assert_int_equal(hv_vm_delete(f->h, "web1", false, &e), OUTCOME_CHANGED);   /* running: destroyed first */
        assert_string_equal(state_of(f, "web1"), "absent");
        assert_false(pool_has(f, "web1-disk0.qcow2"));
        assert_false(pool_has(f, "web1-disk1.qcow2"));
        assert_false(exists(f, "web1-cidata.iso"));
        assert_int_equal(hv_vm_delete(f->h, "web1", false, &e), -ENOENT);
        assert_string_equal(e.msg, "no VM named 'web1'");
        vm_spec_done(&v);
}

static void delete_keep_disks(void **state) {
        struct fx *f = *state;
        struct error e = { 0 };
        struct vm_spec v = spec("{name: keep, memory: 64M, disks: [{size: 1G}], network: {type: none}}");
        assert_int_equal(hv_vm_create(f->h, &v, &e), OUTCOME_CHANGED);
        assert_int_equal(hv_vm_delete(f->h, "keep", true, &e), OUTCOME_CHANGED);
        assert_string_equal(state_of(f, "keep"), "absent");
        assert_true(pool_has(f, "keep-disk0.qcow2"));
        /* the kept volume blocks a new VM of that name, which leaves nothing behind */
        assert_int_equal(hv_vm_create(f->h, &v, &e), -EEXIST);
        assert_non_null(strstr(e.msg, "volume 'keep-disk0.qcow2' already exists"));
        assert_string_equal(state_of(f, "keep"), "absent");
        assert_true(pool_has(f, "keep-disk0.qcow2"));   /* not ours to delete */
        vm_spec_done(&v);
}

static void name_already_used(void **state) {
        struct fx *f = *state;
        struct error e = { 0 };
        struct vm_spec v = spec("{name: dup, memory: 64M, disks: [{size: 1G}], network: {type: user}}");
        assert_int_equal(hv_vm_create(f->h, &v, &e), OUTCOME_CHANGED);
        assert_int_equal(hv_vm_create(f->h, &v, &e), -EEXIST);
        assert_string_equal(e.msg, "create VM 'dup': a VM named 'dup' already exists");
        assert_true(pool_has(f, "dup-disk0.qcow2"));     /* the first VM's disk is untouched */
        assert_string_equal(state_of(f, "dup"), "running");
        assert_int_equal(hv_vm_delete(f->h, "dup", false, &e), OUTCOME_CHANGED);
        vm_spec_done(&v);
}

static void not_enough_memory_leaves_nothing(void **state) {
        struct fx *f = *state;
        struct error e = { 0 };
        struct vm_spec v = spec("{name: huge, memory: 4T, disks: [{size: 1G}], cloud_init: {}}");
        assert_int_equal(hv_vm_create(f->h, &v, &e), -ENOMEM);
        assert_non_null(strstr(e.msg, "create VM 'huge': VM 'huge' needs 4.0T of memory; the host has"));
        assert_string_equal(state_of(f, "huge"), "absent");
        assert_false(pool_has(f, "huge-disk0.qcow2"));
        assert_false(exists(f, "huge-cidata.iso"));
        vm_spec_done(&v);
}

/* A step after the volumes fails (the seed's user-data is missing): the
 * volumes already made are deleted again. */
static void failure_midway_rolls_back(void **state) {
        struct fx *f = *state;
        struct error e = { 0 };
        struct vm_spec v = spec("{name: half, memory: 64M, disks: [{size: 1G}, {size: 2G}], "
                                "cloud_init: {user_data: /nonexistent/half.user-data}}");
        assert_int_equal(hv_vm_create(f->h, &v, &e), -ENOENT);
        assert_non_null(strstr(e.msg, "create VM 'half': seed ISO for VM 'half': cloud-init user-data"));
        assert_non_null(strstr(e.msg, "/nonexistent/half.user-data"));
        assert_string_equal(state_of(f, "half"), "absent");
        assert_false(pool_has(f, "half-disk0.qcow2"));
        assert_false(pool_has(f, "half-disk1.qcow2"));
        assert_false(exists(f, "half-cidata.iso"));
        vm_spec_done(&v);
}

static void missing_network_and_pool(void **state) {
        struct fx *f = *state;
        struct error e = { 0 };
        struct vm_spec v = spec("{name: lonely, memory: 64M, disks: [{size: 1G}], network: {type: nat, network: nope}}");
        assert_int_equal(hv_vm_create(f->h, &v, &e), -ENOENT);
        assert_non_null(strstr(e.msg, "libvirt network 'nope' does not exist"));
        /* the way out a user can take: a command, not a function nothing exposes */
        assert_non_null(strstr(e.msg, "virsh net-define"));
        assert_null(strstr(e.msg, "hv_network"));
        assert_false(pool_has(f, "lonely-disk0.qcow2"));
        vm_spec_done(&v);

        struct hv_config cfg = f->cfg;
        cfg.pool = "nopool";
        struct hv *h2 = NULL;
        assert_int_equal(hv_open(&cfg, &h2, &e), 0);
        v = spec("{name: lonely, memory: 64M, disks: [{size: 1G}]}");
        assert_int_equal(hv_vm_create(h2, &v, &e), -ENOENT);
        assert_string_equal(e.msg, "create VM 'lonely': storage pool 'nopool' does not exist: "
                                   "create it with 'hostctl pool create'");
        assert_string_equal(state_of(f, "lonely"), "absent");
        hv_close(h2);
        vm_spec_done(&v);
}

static void special_names_end_to_end(void **state) {
        struct fx *f = *state;
        struct error e = { 0 };
        struct vm_spec v = spec("{name: \"we<b> &'\\\" 1\", memory: 64M, disks: [{size: 1G}], cloud_init: {}}");
        assert_int_equal(hv_vm_create(f->h, &v, &e), OUTCOME_CHANGED);
        assert_string_equal(state_of(f, "we<b> &'\" 1"), "running");
        assert_true(pool_has(f, "we<b> &'\" 1-disk0.qcow2"));
        assert_true(exists(f, "we<b> &'\" 1-cidata.iso"));
        assert_int_equal(hv_vm_delete(f->h, "we<b> &'\" 1", false, &e), OUTCOME_CHANGED);
        assert_false(exists(f, "we<b> &'\" 1-cidata.iso"));
        vm_spec_done(&v);
}

struct seen {
        pthread_mutex_t lock;
        char log[1024];
};

static void on_event(const struct hv_event *ev, void *userdata) {
        struct seen *s = userdata;
        if (!streq(ev->vm, "ev1"))
                return;
        pthread_mutex_lock(&s->lock);
        size_t n = strlen(s->log);
        snprintf(s->log + n, sizeof s->log - n, "%s%s/%s", n ? " " : "", ev->type, ev->detail);
        pthread_mutex_unlock(&s->lock);
}

static void lifecycle_events_arrive(void **state) {
        struct fx *f = *state;
        struct error e = { 0 };
        struct seen s = { .lock = PTHREAD_MUTEX_INITIALIZER };
        assert_int_equal(hv_events_subscribe(f->h, on_event, &s, &e), 0);
        struct vm_spec v = spec("{name: ev1, memory: 64M, network: {type: none}}");
        assert_int_equal(hv_vm_create(f->h, &v, &e), OUTCOME_CHANGED);
        bool destroyed = true;
        assert_int_equal(hv_vm_shutdown(f->h, "ev1", 0, &destroyed, &e), OUTCOME_CHANGED);
        assert_int_equal(hv_vm_delete(f->h, "ev1", false, &e), OUTCOME_CHANGED);
        for (int i = 0; i < 50; i++) {
                pthread_mutex_lock(&s.lock);
                bool done = strstr(s.log, "undefined") != NULL;
                pthread_mutex_unlock(&s.lock);
                if (done)
                        break;
                usleep(20 * 1000);
        }
        pthread_mutex_lock(&s.lock);
        assert_non_null(strstr(s.log, "defined/added started/booted"));
        assert_non_null(strstr(s.log, "stopped/shutdown"));
        assert_non_null(strstr(s.log, "undefined/"));
        pthread_mutex_unlock(&s.lock);
        assert_int_equal(hv_events_subscribe(f->h, on_event, &s, &e), -EBUSY);
        vm_spec_done(&v);
}

static void create_many_reports_each(void **state) {
        struct fx *f = *state;
        struct vm_spec v[3] = { spec("{name: m1, memory: 64M, disks: [{size: 1G}], network: {type: none}}"),
                                spec("{name: m2, memory: 4T, disks: [{size: 1G}], network: {type: none}}"),
                                spec("{name: m3, memory: 64M, disks: [{size: 1G}], cloud_init: {}, network: {type: none}}") };
        int codes[3];
        struct error errs[3] = { 0 };
        assert_int_equal(hv_vm_create_many(f->h, v, 3, codes, errs), -ENOMEM);
        assert_int_equal(codes[0], OUTCOME_CHANGED);
        assert_int_equal(codes[1], -ENOMEM);
        assert_non_null(strstr(errs[1].msg, "VM 'm2' needs 4.0T of memory"));
        assert_int_equal(codes[2], OUTCOME_CHANGED);
        assert_string_equal(state_of(f, "m1"), "running");
        assert_string_equal(state_of(f, "m2"), "absent");
        assert_false(pool_has(f, "m2-disk0.qcow2"));
        assert_true(exists(f, "m3-cidata.iso"));
        struct error e = { 0 };
        for (size_t i = 0; i < 3; i++) {
                if (i != 1)
                        assert_int_equal(hv_vm_delete(f->h, v[i].name, false, &e), OUTCOME_CHANGED);
                vm_spec_done(&v[i]);
        }
        assert_false(exists(f, "m3-cidata.iso"));
}

static void missing_driver_is_named(void **state) {
        struct hv_config cfg = { .uri = "hyperv://r630.example" };
        struct hv *h = NULL;
        struct error e = { 0 };
        assert_int_equal(hv_open(&cfg, &h, &e), -EPROTONOSUPPORT);
        assert_string_equal(e.msg, "cannot connect to hyperv://r630.example: this host's libvirt has no 'hyperv' "
                                   "driver (it was built without it)");
        assert_null(h);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(pool_is_created_once_and_started),
                cmocka_unit_test(full_lifecycle),
                cmocka_unit_test(delete_keep_disks),
                cmocka_unit_test(name_already_used),
                cmocka_unit_test(not_enough_memory_leaves_nothing),
                cmocka_unit_test(failure_midway_rolls_back),
                cmocka_unit_test(missing_network_and_pool),
                cmocka_unit_test(special_names_end_to_end),
                cmocka_unit_test(lifecycle_events_arrive),
                cmocka_unit_test(create_many_reports_each),
                cmocka_unit_test(missing_driver_is_named),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
