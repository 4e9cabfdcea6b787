/* The checks every C test of the C ABI uses: CHECK counts a condition, CHECK_RC a status code (printing
 * crmkit_last_error() when it differs), HAS a substring. Each test is one translation unit that includes
 * this once and reports `passed`/`failed` at the end. */
#ifndef CRMKIT_TESTS_CAPI_CHECK_H
#define CRMKIT_TESTS_CAPI_CHECK_H

#include <stdio.h>
#include <string.h>

#include "crmkit/crmkit.h"

static int passed = 0, failed = 0;
#define CHECK(cond)                                                              \
  do {                                                                           \
    if (cond) {                                                                  \
      ++passed;                                                                  \
    } else {                                                                     \
      ++failed;                                                                  \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                            \
  } while (0)
#define CHECK_RC(expr, code)                                                                  \
  do {                                                                                        \
    int32_t rc_ = (expr);                                                                     \
    if (rc_ == (code)) {                                                                      \
      ++passed;                                                                               \
    } else {                                                                                  \
      ++failed;                                                                               \
      fprintf(stderr, "%s:%d: %s returned %s, expected %s: %s\n", __FILE__, __LINE__, #expr, \
              crmkit_status_name(rc_), crmkit_status_name(code), crmkit_last_error());        \
    }                                                                                         \
  } while (0)
#define HAS(haystack, needle) (strstr((haystack), (needle)) != NULL)

#endif /* CRMKIT_TESTS_CAPI_CHECK_H */
