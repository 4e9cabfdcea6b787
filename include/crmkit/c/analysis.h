/* crmkit C ABI, analysis section. Part of crmkit.h (include that); the rules of crmkit.h apply. */
#ifndef CRMKIT_C_ANALYSIS_H
#define CRMKIT_C_ANALYSIS_H

#include "crmkit/crmkit.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif
#endif /* CRMKIT_C_ANALYSIS_H */
