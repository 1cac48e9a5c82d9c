/* hostctl: the command line of hostd. */
#include "cli.h"
#include "commands.h"

static const struct command *const nouns[] = {
        &cmd_version,
        &cmd_host_status,
        &cmd_containers,
        &cmd_apply,
        &cmd_raid,
        &cmd_bmc,
        &cmd_disks,
        &cmd_vm,
        &cmd_pool,
        &cmd_os_image,
        &cmd_report,
        NULL,
};

static const struct command root = {
        .name = "hostctl",
        .args = "[global options] COMMAND [VERB] [ARGS...]",
        .summary = "Turn a server into a container host and keep it healthy: disks, software RAID,\n"
                   "VMs, container runtime and the BMC, planned first and applied step by step.",
        .subs = nouns,
};

int main(int argc, char **argv) {
        return cli_main(&root, argc, argv);
}
