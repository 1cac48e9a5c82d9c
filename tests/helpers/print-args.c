/* A child for the exec runner's tests: writes each argument, its length first,
 * so that the test can check it arrived byte for byte. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
        for (int i = 1; i < argc; i++) {
                printf("%zu:", strlen(argv[i]));
                fwrite(argv[i], 1, strlen(argv[i]), stdout);
                putchar('\n');
        }
        return 0;
}
