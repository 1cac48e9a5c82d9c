/* hostctl bmc storage [show | non-raid DRIVE...]: the storage controllers as
 * the BMC sees them (a PERC's mode, each drive's RAID status), and turning
 * drives into non-RAID disks so that md sees them (Dell's DellRaidService,
 * a job of the iDRAC's, waited for). */
#include <stdio.h>
#include <string.h>

#include "cmd_bmc.h"
#include "lib/json.h"
#include "lib/outcome.h"
#include "lib/strutil.h"

#define S(x) ((x) ? (x) : "-")

int bmc_storage_check(char *const *words, struct error *e) {
        size_t n = strv_length((char **)words);
        if (n == 1 || (n == 2 && streq(words[1], "show")))
                return 0;
        if (n >= 3 && streq(words[1], "non-raid"))
                return 0;
        return error_set(e, -EINVAL, "storage takes show (default) or non-raid DRIVE... (a serial, a bay or an id)");
}

static json_object *storage_json(const struct bmc_storage *st) {
        json_object *a = json_object_new_array();
        for (size_t i = 0; i < st->n; i++) {
                const struct bmc_storage_controller *c = &st->v[i];
                json_object *o = json_object_new_object(), *drives = json_object_new_array();
                json_add_string(o, "id", c->id);
                json_add_string(o, "model", c->model);
                json_add_string(o, "mode", c->mode);
                for (size_t j = 0; j < c->n_drives; j++) {
                        json_object *d = json_object_new_object();
                        json_add_string(d, "id", c->drives[j].id);
                        json_add_string(d, "bay", c->drives[j].bay);
                        json_add_string(d, "serial", c->drives[j].serial);
                        json_add_string(d, "raid_status", c->drives[j].raid_status);
                        json_object_array_add(drives, d);
                }
                json_object_object_add(o, "drives", drives);
                json_object_array_add(a, o);
        }
        return a;
}

static void storage_text(FILE *f, const struct bmc_storage *st) {
        for (size_t i = 0; i < st->n; i++) {
                const struct bmc_storage_controller *c = &st->v[i];
                fprintf(f, "%s  %s  mode %s\n", S(c->id), S(c->model), c->mode ? c->mode : "not shown");
                if (c->n_drives)
                        fprintf(f, "  %-4s %-20s %-12s %s\n", "BAY", "SERIAL", "RAID STATUS", "ID");
                for (size_t j = 0; j < c->n_drives; j++)
                        fprintf(f, "  %-4s %-20s %-12s %s\n", S(c->drives[j].bay), S(c->drives[j].serial),
                                S(c->drives[j].raid_status), S(c->drives[j].id));
        }
}

/* The drive a word names: its id, serial or bay. */
static const struct bmc_storage_drive *find_drive(const struct bmc_storage *st, const char *word) {
        for (size_t i = 0; i < st->n; i++)
                for (size_t j = 0; j < st->v[i].n_drives; j++) {
                        const struct bmc_storage_drive *d = &st->v[i].drives[j];
                        if (streq(d->id, word) || streq(d->serial, word) || streq(d->bay, word))
                                return d;
                }
        return NULL;
}

/* The drives to convert: each named one, unless it already is non-RAID;
 * refused for safety when one belongs to a virtual disk. */
static int pick_drives(const struct bmc_storage *st, char *const *words, char ***ret, char ***ret_already,
                       struct error *e) {
        for (char *const *w = words; *w; w++) {
                const struct bmc_storage_drive *d = find_drive(st, *w);
                if (!d)
                        return error_set(e, -ENOENT, "the BMC shows no drive '%s' (hostctl bmc storage lists them)", *w);
                if (streq(d->raid_status, "NonRAID")) {
                        if (strv_push(ret_already, d->id) < 0)
                                return error_set(e, -ENOMEM, "out of memory");
                        continue;
                }
                if (d->raid_status && !streq(d->raid_status, "Ready"))
                        return error_set(e, ERROR_REFUSED, "drive %s (bay %s) is %s, not Ready: it belongs to a virtual "
                                                           "disk, or is a spare or foreign, and turning it into a "
                                                           "non-RAID disk would take it from there; nothing was sent",
                                         S(d->serial), S(d->bay), d->raid_status);
                if (!strv_contains(*ret, d->id) && strv_push(ret, d->id) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
        }
        return 0;
}

static void on_job(void *userdata, const struct bmc_job *job) {
        FILE *f = userdata;
        if (f)
                fprintf(f, "job %s: %s%s%s\n", S(job->id), S(job->state), job->message ? ": " : "", job->message ? job->message : "");
}

int bmc_storage_run(struct bmc *b, const struct bmc_request *rq, json_object *o, FILE *text, FILE *sum,
                    FILE *progress, struct error *e) {
        _cleanup_(bmc_storage_done) struct bmc_storage st = { 0 };
        int k = bmc_storage_read(b, &st, e);
        if (k < 0)
                return k;
        bool convert = strv_length(rq->words) >= 3;
        if (!convert) {
                size_t drives = 0;
                for (size_t i = 0; i < st.n; i++)
                        drives += st.v[i].n_drives;
                json_object_object_add(o, "controllers", storage_json(&st));
                storage_text(text, &st);
                fprintf(sum, "%zu storage controller(s), %zu drive(s)", st.n, drives);
                return 0;
        }
        _cleanup_strv_free_ char **ids = NULL, **already = NULL;
        if ((k = pick_drives(&st, rq->words + 2, &ids, &already, e)) < 0)
                return k;
        json_add_strv(o, "already_non_raid", already ? already : (char *[]){ NULL });
        if (!ids) {
                json_add_strv(o, "converted", (char *[]){ NULL });
                json_object_object_add(o, "job", NULL);
                fprintf(sum, "nothing to do: the drive(s) already are non-RAID");
                return 0;
        }
        _cleanup_(bmc_job_done) struct bmc_job job = { .percent = -1 };
        k = bmc_drives_non_raid(b, ids, b->cfg->power_timeout_s, on_job, progress, &job, e);
        if (k < 0)
                return k;
        json_add_strv(o, "converted", ids);
        json_add_string(o, "job", job.id);
        json_add_string(o, "job_state", job.state);
        fprintf(sum, "%zu drive(s) now non-RAID (job %s %s)%s", strv_length(ids), S(job.id), S(job.state),
                already ? "; others already were" : "");
        return 0;
}
