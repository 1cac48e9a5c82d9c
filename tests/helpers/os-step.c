/* os-step: run one OS deploy step (os/deploy.h) on a directory standing in
 * for the mounted target, for the host tests that need a real Debian root
 * (tests/host/t-os-package.sh). Prints "<outcome>: <message>" on stdout and
 * exits 0 for changed/unchanged/skipped, 1 for an error (its message on
 * stdout too, as the apply would show it).
 *
 *   os-step package ROOT DEB|- [--dry]     - : no --package */
#include <stdio.h>
#include <string.h>

#include "lib/outcome.h"
#include "os/deploy.h"

int main(int argc, char **argv) {
        if (argc < 4 || strcmp(argv[1], "package") != 0) {
                fprintf(stderr, "usage: os-step package ROOT DEB|- [--dry]\n");
                return 2;
        }
        bool dry = argc > 4 && strcmp(argv[4], "--dry") == 0;
        struct os_spec spec = { .firstboot = true };
        struct os_target t = { .spec = &spec, .mnt = argv[2], .package_path = strcmp(argv[3], "-") ? argv[3] : NULL };
        struct error e = { 0 };
        char msg[1024];
        int k = os_step_run(OS_PACKAGE, &t, NULL, dry, msg, sizeof msg, &e);
        if (k < 0) {
                printf("error: %s\n", e.msg);
                return 1;
        }
        printf("%s: %s\n", k == OUTCOME_CHANGED ? "changed" : k == OUTCOME_UNCHANGED ? "unchanged" : "skipped", msg);
        return 0;
}
