/* crmkit C ABI, survival section. Part of crmkit.h (include that); the rules of crmkit.h apply.
 * Kaplan-Meier survival curves and cohort retention matrices (docs/models/survival.md). */
#ifndef CRMKIT_C_SURVIVAL_H
#define CRMKIT_C_SURVIVAL_H

#include "crmkit/crmkit.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif
#endif /* CRMKIT_C_SURVIVAL_H */
