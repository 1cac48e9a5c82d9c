/* A child for the exec runner's tests: ignores SIGTERM, announces itself on
 * stdout, then sleeps for the number of seconds given. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
        signal(SIGTERM, SIG_IGN);
        printf("ignoring SIGTERM\n");
        fflush(stdout);
        unsigned left = argc > 1 ? (unsigned)atoi(argv[1]) : 60;
        while (left > 0)
                left = sleep(left);
        return 0;
}
