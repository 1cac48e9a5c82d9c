/* lib/lazy: libraries bound on first use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <link.h>
#include <string.h>

#include "hypervisor/lazy_virt.h"
#include "lib/lazy.h"
#include "lib/lazy_curl.h"

static int find_loaded(struct dl_phdr_info *info, size_t size, void *data) {
        (void)size;
        return strstr(info->dlpi_name, (const char *)data) != NULL;
}

/* true when a library whose path contains NAME is mapped in this process */
static bool loaded(const char *name) {
        return dl_iterate_phdr(find_loaded, (void *)name) != 0;
}

static void a_missing_library_is_an_error_naming_its_package(void **state) {
        struct lazy_lib lib = { .soname = "libhostd-no-such.so.9", .package = "hostd-no-such" };
        struct error e = { 0 };
        assert_int_equal(lazy_open(&lib, &e), -ENOENT);
        assert_non_null(strstr(e.msg, "cannot load libhostd-no-such.so.9"));
        assert_non_null(strstr(e.msg, "install the package hostd-no-such"));
        assert_null(lib.handle);
}

/* libm under a symbol list with one function it does not have: the library
 * of another version than the build's. The error names both, the process
 * lives on (hostd must), the library stays closed. */
static void a_library_without_a_symbol_is_an_error_naming_both(void **state) {
        static const char *const symbols[] = { "cos", "hostd_no_such_function", "sin" };
        void *addrs[3] = { 0 };
        struct lazy_lib lib = { .soname = "libm.so.6", .package = "libc6", .symbols = symbols,
                                .addrs = addrs, .n_symbols = 3 };
        struct error e = { 0 };
        assert_int_equal(lazy_open(&lib, &e), -ELIBBAD);
        assert_non_null(strstr(e.msg, "libm.so.6"));
        assert_non_null(strstr(e.msg, "hostd_no_such_function"));
        assert_non_null(strstr(e.msg, "package libc6"));
        assert_null(lib.handle);

        /* and with the list it has, every address is there at once */
        static const char *const good[] = { "cos", "sin" };
        struct lazy_lib libm = { .soname = "libm.so.6", .package = "libc6", .symbols = good,
                                 .addrs = addrs, .n_symbols = 2 };
        assert_int_equal(lazy_open(&libm, &e), 0);
        assert_non_null(libm.handle);
        assert_true(((double (*)(double))addrs[0])(0.0) == 1.0);
        assert_non_null(addrs[1]);
}

static void nothing_is_loaded_before_first_use(void **state) {
        /* the test links like hostctl: none of them is a link-time dependency */
        assert_false(loaded("libvirt.so"));
        assert_false(loaded("libcurl"));
        assert_false(loaded("libxml2.so"));
}

static void first_use_loads_and_calls_through(void **state) {
        struct error e = { 0 };
        assert_int_equal(lazy_curl_ready(&e), 0);
        assert_true(loaded("libcurl"));
        assert_string_equal(curl_easy_strerror(CURLE_OK), "No error");
        assert_false(loaded("libvirt.so"));

        /* libxml2 through its binding, xmlFree (a variable there) included */
        assert_int_equal(lazy_open(&lazy_libxml2, &e), 0);
        xmlDocPtr doc = xmlReadMemory("<a x='1'/>", 10, "t.xml", NULL, 0);
        assert_non_null(doc);
        xmlChar *x = xmlGetProp(xmlDocGetRootElement(doc), BAD_CAST "x");
        assert_string_equal((const char *)x, "1");
        xmlFree(x);
        xmlFreeDoc(doc);
        assert_true(loaded("libxml2.so"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(a_missing_library_is_an_error_naming_its_package),
                cmocka_unit_test(nothing_is_loaded_before_first_use),
                cmocka_unit_test(a_library_without_a_symbol_is_an_error_naming_both),
                cmocka_unit_test(first_use_loads_and_calls_through),
        };
        return cmocka_run_group_tests_name("lazy", tests, NULL, NULL);
}
