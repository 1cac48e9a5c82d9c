/* Keeping the arrays alive: add-spare, replace, remove, grow, scrub, stop,
 * assemble and destroy, the same for hostctl and for hostd's tasks.
 * Each operation is planned (a pure function of the request and the facts
 * read from the machine) and applied (steps that look before they act, so
 * that a run stopped at any point and started again ends in the same state).
 * The front ends only parse, confirm, call and print. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "disk.h"
#include "lib/error.h"
#include "lib/outcome.h"
#include "md.h"

enum raid_verb {
        RAID_ADD_SPARE,
        RAID_REPLACE,
        RAID_REMOVE,
        RAID_GROW,
        RAID_SCRUB,
        RAID_STOP,
        RAID_ASSEMBLE,
        RAID_DESTROY,
        _RAID_VERB_MAX,
};
/* "add-spare", "replace", ...: hostctl's verbs and the task kinds. */
const char *raid_verb_name(enum raid_verb v);
/* -EINVAL for an unknown name. */
int raid_verb_from_name(const char *name, enum raid_verb *ret);

struct raid_request {
        enum raid_verb verb;
        const char *array;        /* the md name: /dev/md/<array> */
        const char *failed;       /* replace: the disk that failed (serial, WWN or by-id) */
        const char *with;         /* replace: the new disk */
        const char *disk;         /* add-spare, remove, grow: the disk */
        bool wipe;                /* the new disk may be wiped */
};
/* The request as a task stores it, and back (strings point into o). */
json_object *raid_request_to_json(const struct raid_request *r);
int raid_request_from_json(json_object *o, enum raid_verb verb, const char *array, struct raid_request *ret,
                           struct error *e);

/* What a plan is made from, read from the machine by raid_facts_read. */
struct raid_facts {
        struct md_status *status; /* NULL: the array is not running */
        struct disk_list *inv;
        char *fs_uuid;            /* the filesystem on the running array, for its fstab line */
};
int raid_facts_read(const char *array, struct raid_facts *ret, struct error *e);
void raid_facts_done(struct raid_facts *f);

enum life_kind {
        LIFE_WIPE,                /* wipefs --all on the new disk */
        LIFE_PARTITION,           /* the layout of a healthy member's disk onto the new disk */
        LIFE_FAIL,                /* mark a member faulty */
        LIFE_REMOVE,              /* take a faulty member (or a spare, or "detached") out */
        LIFE_ADD,                 /* add a partition (as a spare, or to rebuild onto) */
        LIFE_GROW,                /* reshape onto more devices */
        LIFE_CHECK,               /* md's "check": read everything, count mismatches */
        LIFE_STOP,
        LIFE_ASSEMBLE,
        LIFE_ZERO,                /* zero the md superblock of one of the array's members */
        LIFE_CONF,                /* drop the array's ARRAY line from mdadm.conf */
        LIFE_FSTAB,               /* drop its filesystem's line from fstab */
        LIFE_INITRAMFS,           /* refresh the initramfs when mdadm.conf changed */
};
const char *life_kind_name(enum life_kind k);

struct life_step {
        enum life_kind kind;
        char *target;             /* the device, partition, key or count the step acts on */
        char *source;             /* LIFE_PARTITION: the disk whose layout is copied */
        char *label;              /* LIFE_PARTITION: the partition's GPT name; LIFE_ZERO: the array */
        char *seen;               /* LIFE_WIPE, LIFE_PARTITION: what the disk carried when planned */
        int number;               /* LIFE_PARTITION: the member partition's number; LIFE_GROW: devices */
        char **members;           /* LIFE_ASSEMBLE */
        char *description;        /* for people */
};

struct life_plan {
        enum raid_verb verb;
        char *array;
        char *device;             /* "/dev/md127" (running) or "/dev/md/<array>" */
        struct life_step *steps;
        size_t n_steps;
        char *summary;            /* what the operator reads when it is done */
};
void life_plan_free(struct life_plan *p);
static inline void life_plan_freep(struct life_plan **p) {
        life_plan_free(*p);
}

/* Pure: no I/O. -EINVAL for a bad request (a missing disk, a kernel name
 * for an identity), -ENOENT for an array or disk that is not there,
 * ERROR_REFUSED (exit 3) when doing it would lose data or lie, -EBUSY when
 * the array is busy with another sync. */
int life_plan_make(const struct raid_request *rq, const struct raid_facts *f, struct life_plan **ret, struct error *e);
json_object *life_plan_to_json(const struct life_plan *p);

struct life_opts {
        const char *root;         /* where etc/mdadm/mdadm.conf and etc/fstab live; NULL: "/" */
        bool dry;
        void (*step_begin)(void *userdata, size_t index, const struct life_step *s);
        void (*step_end)(void *userdata, size_t index, const struct life_step *s, enum outcome o, const char *msg);
        void *userdata;
        /* asked before each step; true stops the run there with -ECANCELED */
        bool (*cancelled)(void *userdata);
};
/* 0 when every step is done; *ret_changed (may be NULL) counts the steps that changed something. */
int life_apply(const struct life_plan *p, const struct life_opts *o, size_t *ret_changed, struct error *e);
