// Internal to libcrmkit.so: the error guard and the handle structs behind the C ABI.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "crmkit/core/error.hpp"
#include "crmkit/core/table.hpp"
#include "crmkit/crmkit.h"
#include "crmkit/io/csv.hpp"
#include "crmkit/rfm/rfm.hpp"
#include "crmkit/summary/summary.hpp"

struct crmkit_options {
  std::map<std::string, std::string> values;
};

struct crmkit_transactions {
  std::optional<crmkit::core::TransactionTable> owned;  // from CSV
  crmkit::core::TransactionsView view;
  std::vector<std::string> ids;        // names for from_arrays handles (empty: decimal codes)
  crmkit::io::ReadReport report;
  // Arrow-style id column, built on first request.
  std::string id_bytes;
  std::vector<std::int64_t> id_offsets;
  bool ids_built = false;
};

struct crmkit_summary {
  crmkit::summary::CustomerSummary s;
  std::optional<crmkit::summary::HoldoutSummary> holdout;
  const crmkit::summary::CustomerSummary& cal() const { return holdout ? holdout->calibration : s; }
};

struct crmkit_rfm {
  crmkit::rfm::RfmTable table;
  crmkit::rfm::Segmentation segmentation;
  std::vector<std::string> names;
  std::vector<std::uint32_t> segment;
  std::vector<crmkit::rfm::SegmentSummaryRow> summary;
};

namespace crmkit::capi {

struct BufferTooSmall : std::exception {
  std::string message;
  explicit BufferTooSmall(std::string m) : message(std::move(m)) {}
  const char* what() const noexcept override { return message.c_str(); }
};

/// Sets the thread's message; returns the code.
std::int32_t fail(std::int32_t code, const std::string& message) noexcept;
void clear_error() noexcept;

/// The one guard: runs f, maps every exception to its status code and message.
template <class F>
std::int32_t guard(F&& f) noexcept {
  clear_error();
  try {
    f();
    return CRMKIT_OK;
  } catch (const crmkit::InvalidArgument& e) {
    return fail(CRMKIT_E_INVALID_ARGUMENT, e.what());
  } catch (const crmkit::ParseError& e) {
    return fail(CRMKIT_E_PARSE, e.what());
  } catch (const crmkit::IoError& e) {
    return fail(CRMKIT_E_IO, e.what());
  } catch (const crmkit::NumericError& e) {
    return fail(CRMKIT_E_NUMERIC, e.what());
  } catch (const BufferTooSmall& e) {
    return fail(CRMKIT_E_BUFFER_TOO_SMALL, e.what());
  } catch (const std::bad_alloc&) {
    return fail(CRMKIT_E_NO_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return fail(CRMKIT_E_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return fail(CRMKIT_E_INTERNAL, "internal error: unknown exception");
  }
}

/// Thrown inside a guard for a NULL pointer argument.
inline void require(const void* p, const char* function, const char* argument) {
  if (p == nullptr) throw crmkit::InvalidArgument(function, argument, "NULL", "must not be NULL");
}


}  // namespace crmkit::capi
