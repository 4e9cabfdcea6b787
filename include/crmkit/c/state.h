/* crmkit C ABI, summary state section: customer-keyed summary states that are saved, loaded, refreshed
 * with later transactions and merged across customer shards, exactly (docs/scaling.md).
 * Part of crmkit.h (include that); the rules of crmkit.h apply. docs/c-abi.md#summary-states.
 */
#ifndef CRMKIT_C_STATE_H
#define CRMKIT_C_STATE_H

#include "crmkit/crmkit.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct crmkit_state crmkit_state;

/* The state of a transaction table's rows on or before the observation end. Option keys (options may
 * be NULL): observation_end (date; default: the last transaction's day). Ids are the table's (decimal
 * codes for a from_arrays table without crmkit_transactions_set_ids); each must be non-empty UTF-8. */
CRMKIT_API int32_t crmkit_state_from_transactions(const crmkit_transactions* tx, const crmkit_options* options,
                                                  crmkit_state** out);
/* Adds a table's rows to the state (a refresh). Option keys: observation_end (date; default: the later of
 * the state's and the last row's day; never before the state's). A row of a held customer dated before
 * that customer's last purchase day is CRMKIT_E_INVALID_ARGUMENT naming the customer, and the state is
 * unchanged. */
CRMKIT_API int32_t crmkit_state_add(crmkit_state* state, const crmkit_transactions* tx, const crmkit_options* options);
/* The union of two states of disjoint customers (a's first); a customer in both is
 * CRMKIT_E_INVALID_ARGUMENT naming it. */
CRMKIT_API int32_t crmkit_state_merge(const crmkit_state* a, const crmkit_state* b, crmkit_state** out);
/* The file format (docs/data-formats.md#summary-state-files): save writes it (atomically: a temporary
 * file renamed into place), load reads it (CRMKIT_E_IO, or CRMKIT_E_PARSE for a file that is not a valid
 * state). to_bytes: the same bytes, valid until the handle changes or is freed; from_bytes reads them. */
CRMKIT_API int32_t crmkit_state_save(const crmkit_state* state, const char* path);
CRMKIT_API int32_t crmkit_state_load(const char* path, crmkit_state** out);
CRMKIT_API int32_t crmkit_state_to_bytes(const crmkit_state* state, const char** data, int64_t* n);
CRMKIT_API int32_t crmkit_state_from_bytes(const char* data, int64_t n, crmkit_state** out);
/* One value by name: customers, rows (held), observation_end (day number), amounts (1 when the rows had
 * amounts), and of the last from_transactions or add: rows_added, rows_after_end, customers_new. */
CRMKIT_API int32_t crmkit_state_count(const crmkit_state* state, const char* name, int64_t* value);
/* The customer ids, Arrow-style (as crmkit_transactions_ids): id i is data[offsets[i], offsets[i + 1]),
 * valid until the handle changes or is freed. */
CRMKIT_API int32_t crmkit_state_ids(const crmkit_state* state, const char** data, const int64_t** offsets,
                                    int64_t* n_customers);
/* The state's summary as a crmkit_summary handle (columns as crmkit_summary_compute's; customer codes
 * index crmkit_state_ids). Option keys: period (day | week | month). */
CRMKIT_API int32_t crmkit_state_summary(const crmkit_state* state, const crmkit_options* options,
                                        crmkit_summary** out);
CRMKIT_API int32_t crmkit_state_free(crmkit_state* state);

#ifdef __cplusplus
}
#endif

#endif /* CRMKIT_C_STATE_H */
