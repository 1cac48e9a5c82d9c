/* hv_vm_create_many: the VMs of one spec created concurrently. QEMU's start
 * dominates a create; on a multi-core host the starts overlap. libvirt's
 * connection is thread-safe and its last-error is per thread. */
#include <pthread.h>

#include "hypervisor/vm.h"

#define MAX_IN_FLIGHT 8

struct job {
        struct hv *h;
        const struct vm_spec *v;
        int code;
        struct error *e;
};

static void *create_one(void *arg) {
        struct job *j = arg;
        j->code = hv_vm_create(j->h, j->v, j->e);
        return NULL;
}

int hv_vm_create_many(struct hv *h, const struct vm_spec *vms, size_t n, int *ret_codes, struct error *errs) {
        for (size_t base = 0; base < n; base += MAX_IN_FLIGHT) {
                struct job jobs[MAX_IN_FLIGHT];
                pthread_t th[MAX_IN_FLIGHT];
                bool started[MAX_IN_FLIGHT] = { 0 };
                size_t m = n - base < MAX_IN_FLIGHT ? n - base : MAX_IN_FLIGHT;
                for (size_t i = 0; i < m; i++) {
                        jobs[i] = (struct job) { .h = h, .v = &vms[base + i], .e = &errs[base + i] };
                        started[i] = pthread_create(&th[i], NULL, create_one, &jobs[i]) == 0;
                        if (!started[i])
                                create_one(&jobs[i]);   /* no thread: do it here */
                }
                for (size_t i = 0; i < m; i++) {
                        if (started[i])
                                pthread_join(th[i], NULL);
                        ret_codes[base + i] = jobs[i].code;
                }
        }
        for (size_t i = 0; i < n; i++)
                if (ret_codes[i] < 0)
                        return ret_codes[i];
        return 0;
}
