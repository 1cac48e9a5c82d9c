/* hostctl bmc: shared between the option/target code (cmd_bmc.c) and the
 * verbs (cmd_bmc_verbs.c). */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

#include "ipmi/bmc.h"
#include "lib/error.h"

/* What the user asked for, after the options: "power on", "boot pxe --once". */
struct bmc_request {
        char **words;                 /* the verb and its operands */
        struct bmc_boot boot;         /* boot: --once (default) / --persistent, --uefi (default) / --legacy */
        FILE *progress;               /* a long verb's steps as it goes (one BMC, not --json); NULL: none */
};

/* The storage verb (cmd_bmc_storage.c): its words checked, and run;
 * progress (may be NULL): the job's states while it is waited for. */
int bmc_storage_check(char *const *words, struct error *e);
int bmc_storage_run(struct bmc *b, const struct bmc_request *rq, json_object *o, FILE *text, FILE *sum,
                    FILE *progress, struct error *e);

/* Check the words before any BMC is contacted: a usage error names the problem. */
int bmc_request_check(const struct bmc_request *rq, struct error *e);

/* Run the request on one BMC (takes cfg). On success *ret_json is the result
 * object (with "bmc": name), *ret_text the lines for a person and
 * *ret_summary one line for the many-BMC form. */
int bmc_request_run(struct bmc_config *cfg, const struct bmc_request *rq, json_object **ret_json, char **ret_text,
                    char **ret_summary, struct error *e);
