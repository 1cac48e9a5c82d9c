/* The BMC's view of the storage controllers, and turning a controller's
 * drives into non-RAID disks: the job the BMC runs for it, waited for. */
#include <stdlib.h>
#include <time.h>

#include "bmc.h"
#include "bmc_config.h"
#include "lib/strutil.h"

int bmc_storage_read(struct bmc *b, struct bmc_storage *ret, struct error *e) {
        if (!b->ops->storage_read)
                return error_set(e, -EOPNOTSUPP, "BMC %s: the %s driver shows no storage controllers (use the Redfish "
                                                 "address of this BMC)", b->cfg->name,
                                 b->cfg->driver == BMC_DRIVER_IPMI ? "IPMI" : "Redfish");
        return b->ops->storage_read(b, ret, e);
}

static bool job_ended(const struct bmc_job *j) {
        return streq(j->state, "Completed") || streq(j->state, "Failed") || streq(j->state, "CompletedWithErrors");
}

int bmc_drives_non_raid(struct bmc *b, char *const *drive_ids, int timeout_s,
                        void (*progress)(void *userdata, const struct bmc_job *job), void *userdata,
                        struct bmc_job *ret, struct error *e) {
        if (!b->ops->non_raid_start)
                return error_set(e, -EOPNOTSUPP, "BMC %s offers no conversion of drives to non-RAID (Dell's "
                                                 "DellRaidService): set the disks to non-RAID, or the controller to "
                                                 "HBA mode, in its own setup", b->cfg->name);
        _cleanup_free_ char *job = NULL;
        int k = b->ops->non_raid_start(b, drive_ids, &job, e);
        if (k < 0)
                return k;
        /* the job's wait moves the command's deadline, as a power wait does */
        long long until = bmc_now_ms() + timeout_s * 1000LL;
        if (b->cfg->deadline_ms && b->cfg->deadline_ms < until + b->cfg->timeout_s * 1000LL)
                b->cfg->deadline_ms = until + b->cfg->timeout_s * 1000LL;
        for (;;) {
                bmc_job_done(ret);
                if ((k = b->ops->job_read(b, job, ret, e)) < 0)
                        return k;
                if (progress)
                        progress(userdata, ret);
                if (job_ended(ret))
                        break;
                if (bmc_now_ms() >= until) {
                        if (streq(ret->state, "Scheduled"))
                                return error_set(e, -ETIMEDOUT, "BMC %s: job %s is Scheduled: this controller applies "
                                                                "it at the server's next restart (hostctl bmc power "
                                                                "reset), then hostctl bmc storage shows the drives",
                                                 b->cfg->name, ret->id ? ret->id : job);
                        return error_set(e, -ETIMEDOUT, "BMC %s: job %s still %s after %d s", b->cfg->name,
                                         ret->id ? ret->id : job, ret->state ? ret->state : "running", timeout_s);
                }
                nanosleep(&(struct timespec){ .tv_sec = 1 }, NULL);
        }
        if (!streq(ret->state, "Completed"))
                return error_set(e, -EIO, "BMC %s: job %s %s: %s", b->cfg->name, ret->id ? ret->id : job, ret->state,
                                 ret->message ? ret->message : "no reason given");
        return 0;
}

void bmc_storage_done(struct bmc_storage *st) {
        for (size_t i = 0; i < st->n; i++) {
                struct bmc_storage_controller *c = &st->v[i];
                for (size_t j = 0; j < c->n_drives; j++) {
                        free(c->drives[j].id);
                        free(c->drives[j].serial);
                        free(c->drives[j].bay);
                        free(c->drives[j].raid_status);
                }
                free(c->drives);
                free(c->id);
                free(c->model);
                free(c->mode);
        }
        free(st->v);
        *st = (struct bmc_storage){ 0 };
}

void bmc_job_done(struct bmc_job *j) {
        free(j->id);
        free(j->state);
        free(j->message);
        *j = (struct bmc_job){ .percent = -1 };
}
