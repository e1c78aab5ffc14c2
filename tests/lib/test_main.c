/*
 * tests/lib/test_main.c - the CUnit runner of the lib part (lib_tests, and
 * lib_tests_san built with AddressSanitizer + UBSan). Exit status is 0 only
 * when every test passed. An argument runs only the suite of that name.
 */
#include <stdio.h>
#include <string.h>
#include <CUnit/Basic.h>

#include "lib_tests.h"

int main(int argc, char **argv)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    register_encode_json_suite();
    register_encode_cbor_suite();
    register_edge_suite();
    register_sink_suite();
    register_tracer_suite();
    register_calc_suite();
    register_noalloc_suite();
    CU_basic_set_mode(CU_BRM_NORMAL);
    if (argc > 1) {
        CU_pSuite s = CU_get_suite(argv[1]);
        if (!s) {
            fprintf(stderr, "lib_tests: no suite named %s\n", argv[1]);
            CU_cleanup_registry();
            return 2;
        }
        CU_basic_run_suite(s);
    } else {
        CU_basic_run_tests();
    }
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (run == 0)
        return 2;
    return failed ? 1 : 0;
}
