/* The exec runner: what a caller of mdadm, ipmitool or ctr relies on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "lib/exec.h"
#include "lib/log.h"
#include "lib/strutil.h"

static char *helper(const char *name) {
        const char *build = getenv("BUILD");
        return strdup_printf("%s/tests/helpers/%s", build ? build : "build", name);
}

static void argument_reaches_child_byte_for_byte(void **state) {
        _cleanup_free_ char *prog = helper("print-args");
        const char *tricky = "$(reboot); `id` \"double\" 'single' \\ back\nnew line\ttab *glob*";
        const char *argv[] = { prog, tricky, "", " spaces ", NULL };
        struct run_result r;
        struct error e = { 0 };
        assert_int_equal(run_argv(argv, NULL, &r, &e), 0);
        _cleanup_free_ char *want = strdup_printf("%zu:%s\n0:\n8: spaces \n", strlen(tricky), tricky);
        assert_string_equal(r.out, want);
        assert_int_equal(r.exit_code, 0);
        run_result_free(&r);
}

static long ms_since(const struct timespec *t0) {
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void child_ignoring_sigterm_is_killed_at_timeout(void **state) {
        _cleanup_free_ char *prog = helper("ignore-term");
        const char *argv[] = { prog, "60", NULL };
        /* 2 s, not less: the child must have set SIG_IGN before the SIGTERM
         * comes, even on a machine loaded by make check (a 300 ms timeout
         * failed there) */
        struct run_opts o = { .timeout_ms = 2000, .kill_grace_ms = 300 };
        struct run_result r;
        struct error e = { 0 };
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(run_argv(argv, &o, &r, &e), -ETIMEDOUT);
        long took = ms_since(&t0);
        assert_true(r.timed_out);
        assert_int_equal(r.signal, SIGKILL);
        assert_string_equal(r.out, "ignoring SIGTERM\n");
        assert_true(took >= 2250 && took < 10000);
        assert_non_null(strstr(e.msg, "did not finish within 2 s"));
        run_result_free(&r);
}

static bool process_is_running(pid_t pid) {
        _cleanup_free_ char *path = strdup_printf("/proc/%d/stat", (int)pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return false;
        char state = '?';
        int k = fscanf(f, "%*d (%*[^)]) %c", &state);
        fclose(f);
        return k == 1 && state != 'Z' && state != 'X';
}

static void timeout_kills_the_whole_process_group(void **state) {
        _cleanup_free_ char *prog = helper("ignore-term");
        /* a shell is the program under test here: its background child must die too */
        _cleanup_free_ char *script = strdup_printf("'%s' 60 & echo $!; wait", prog);
        const char *argv[] = { "sh", "-c", script, NULL };
        /* (2 s: the shell must have started its child and said its pid by
         * then, even on a loaded machine) */
        struct run_opts o = { .timeout_ms = 2000, .kill_grace_ms = 200 };
        struct run_result r;
        struct error e = { 0 };
        assert_int_equal(run_argv(argv, &o, &r, &e), -ETIMEDOUT);
        pid_t grandchild = (pid_t)atoi(r.out);
        assert_true(grandchild > 1);
        /* gone, or a zombie waiting for whoever reaps orphans here */
        bool dead = false;
        for (int i = 0; i < 100 && !dead; i++) {
                dead = !process_is_running(grandchild);
                if (!dead)
                        usleep(20000);
        }
        assert_true(dead);
        run_result_free(&r);
}

static long max_rss_kib(void) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        return ru.ru_maxrss;
}

static void child_writing_100_mib_does_not_exhaust_memory(void **state) {
        const char *argv[] = { "head", "-c", "104857600", "/dev/zero", NULL };
        struct run_opts o = { .output_cap = 1024 * 1024 };
        struct run_result r;
        struct error e = { 0 };
        long before = max_rss_kib();
        assert_int_equal(run_argv(argv, &o, &r, &e), 0);
        long grew = max_rss_kib() - before;
        assert_int_equal(r.exit_code, 0);
        assert_int_equal(r.out_len, 1024 * 1024);
        assert_true(r.out_truncated);
        assert_true(grew < 16 * 1024); /* KiB: the cap, not the 100 MiB */
        run_result_free(&r);
}

static void stderr_keeps_its_tail(void **state) {
        const char *argv[] = { "sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' x >&2; echo >&2; echo LAST-LINE >&2; exit 4", NULL };
        struct run_opts o = { .output_cap = 64 * 1024 };
        struct run_result r;
        struct error e = { 0 };
        assert_int_equal(run_checked(argv, &o, &r, &e), -EIO);
        assert_true(r.err_truncated);
        assert_int_equal(r.err_len, 64 * 1024);
        assert_non_null(strstr(r.err, "LAST-LINE\n"));
        assert_non_null(strstr(e.msg, "failed with exit code 4: LAST-LINE"));
        run_result_free(&r);
}

static void locale_is_c_and_extra_env_is_passed(void **state) {
        setenv("LANG", "de_DE.UTF-8", 1);
        setenv("LC_MESSAGES", "de_DE.UTF-8", 1);
        setenv("HOSTD_TEST_KEEP", "kept", 1);
        const char *env[] = { "HOSTD_TEST_SECRET=s3cr3t", "HOSTD_TEST_KEEP=overridden", NULL };
        const char *argv[] = { "env", NULL };
        struct run_opts o = { .env = env };
        struct run_result r;
        struct error e = { 0 };
        assert_int_equal(run_argv(argv, &o, &r, &e), 0);
        assert_non_null(strstr(r.out, "LC_ALL=C\n"));
        assert_null(strstr(r.out, "LANG="));
        assert_null(strstr(r.out, "LC_MESSAGES="));
        assert_non_null(strstr(r.out, "HOSTD_TEST_SECRET=s3cr3t\n"));
        assert_non_null(strstr(r.out, "HOSTD_TEST_KEEP=overridden\n"));
        assert_null(strstr(r.out, "HOSTD_TEST_KEEP=kept"));
        run_result_free(&r);
}

static void secret_arrives_by_file_descriptor_not_argv(void **state) {
        const char *argv[] = { "cat", "/dev/fd/3", NULL };
        struct run_opts o = { .secret_fd = 3, .secret_data = "hunter2", .secret_len = 7 };
        struct run_result r;
        struct error e = { 0 };
        assert_int_equal(run_argv(argv, &o, &r, &e), 0);
        assert_string_equal(r.out, "hunter2");
        run_result_free(&r);
}

static void stdin_data_is_fed(void **state) {
        const char *argv[] = { "cat", NULL };
        struct run_opts o = { .stdin_data = "line one\nline two\n", .stdin_len = 18 };
        struct run_result r;
        struct error e = { 0 };
        assert_int_equal(run_argv(argv, &o, &r, &e), 0);
        assert_string_equal(r.out, "line one\nline two\n");
        run_result_free(&r);
}

static void exit_code_and_signal_are_reported(void **state) {
        struct run_result r;
        struct error e = { 0 };
        const char *exits[] = { "sh", "-c", "exit 7", NULL };
        assert_int_equal(run_argv(exits, NULL, &r, &e), 0);
        assert_int_equal(r.exit_code, 7);
        assert_int_equal(r.signal, 0);
        run_result_free(&r);
        const char *killed[] = { "sh", "-c", "kill -9 $$", NULL };
        assert_int_equal(run_checked(killed, NULL, &r, &e), -EIO);
        assert_int_equal(r.exit_code, -1);
        assert_int_equal(r.signal, SIGKILL);
        assert_non_null(strstr(e.msg, "killed by signal 9"));
        run_result_free(&r);
}

static void missing_program_is_a_clear_error(void **state) {
        const char *argv[] = { "hostd-no-such-program", "--flag", NULL };
        struct run_result r;
        struct error e = { 0 };
        assert_int_equal(run_argv(argv, NULL, &r, &e), -ENOENT);
        assert_string_equal(e.msg, "hostd-no-such-program: program not found (is it installed?)");
        run_result_free(&r);
}

static void each_run_is_logged_at_debug(void **state) {
        char path[] = "/tmp/hostd-log-XXXXXX";
        int fd = mkstemp(path);
        int saved = dup(2);
        dup2(fd, 2);
        log_setup("test", LOG_TARGET_STDERR, LOG_LEVEL_DEBUG);
        const char *argv[] = { "sh", "-c", "echo oops >&2; exit 3", NULL };
        struct run_result r;
        struct error e = { 0 };
        run_argv(argv, NULL, &r, &e);
        run_result_free(&r);
        log_setup("test", LOG_TARGET_STDERR, LOG_LEVEL_WARNING);
        dup2(saved, 2);
        close(saved);
        char buf[1024] = { 0 };
        pread(fd, buf, sizeof buf - 1, 0);
        close(fd);
        unlink(path);
        assert_non_null(strstr(buf, "run: sh -c 'echo oops >&2; exit 3' -> exit 3 in "));
        assert_non_null(strstr(buf, "ms; stderr: oops"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(argument_reaches_child_byte_for_byte),
                cmocka_unit_test(child_ignoring_sigterm_is_killed_at_timeout),
                cmocka_unit_test(timeout_kills_the_whole_process_group),
                cmocka_unit_test(child_writing_100_mib_does_not_exhaust_memory),
                cmocka_unit_test(stderr_keeps_its_tail),
                cmocka_unit_test(locale_is_c_and_extra_env_is_passed),
                cmocka_unit_test(secret_arrives_by_file_descriptor_not_argv),
                cmocka_unit_test(stdin_data_is_fed),
                cmocka_unit_test(exit_code_and_signal_are_reported),
                cmocka_unit_test(missing_program_is_a_clear_error),
                cmocka_unit_test(each_run_is_logged_at_debug),
        };
        return cmocka_run_group_tests_name("exec", tests, NULL, NULL);
}
