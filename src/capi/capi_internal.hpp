// Internal to libcrmkit.so: the error guard and the handle structs behind the C ABI.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <set>
#include <string_view>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include <fast_float/fast_float.h>

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


// Reads options, rejecting keys not in `allowed`.
class Opts {
 public:
  Opts(const crmkit_options* o, const char* function, std::initializer_list<const char*> allowed) : o_(o) {
    if (!o) return;
    std::set<std::string> ok(allowed.begin(), allowed.end());
    for (const auto& [k, v] : o->values) {
      if (!ok.count(k)) {
        std::string list;
        for (const auto& a : ok) list += (list.empty() ? "" : ", ") + a;
        throw InvalidArgument(function, "options", "'" + k + "'", "unknown key; known keys: " + list);
      }
    }
    fn_ = function;
  }
  const std::string* get(const char* key) const {
    if (!o_) return nullptr;
    auto it = o_->values.find(key);
    return it == o_->values.end() ? nullptr : &it->second;
  }
  long long integer(const char* key, long long def, long long lo, long long hi) const {
    const std::string* v = get(key);
    if (!v) return def;
    long long x = 0;
    const auto r = std::from_chars(v->data(), v->data() + v->size(), x);
    if (r.ec != std::errc() || r.ptr != v->data() + v->size() || x < lo || x > hi)
      throw InvalidArgument(fn_, key, "'" + *v + "'", "must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
    return x;
  }
  bool flag(const char* key, bool def) const {
    const std::string* v = get(key);
    if (!v) return def;
    if (*v == "1" || *v == "yes" || *v == "true") return true;
    if (*v == "0" || *v == "no" || *v == "false") return false;
    throw InvalidArgument(fn_, key, "'" + *v + "'", "must be 0 or 1");
  }
  double number(const char* key, double def) const {
    const std::string* v = get(key);
    if (!v) return def;
    double x = 0;
    const auto r = fast_float::from_chars(v->data(), v->data() + v->size(), x);
    if (v->empty() || r.ec != std::errc() || r.ptr != v->data() + v->size() || !std::isfinite(x))
      throw InvalidArgument(fn_, key, "'" + *v + "'", "must be a finite number");
    return x;
  }
  std::vector<double> numbers(const char* key) const {
    std::vector<double> out;
    const std::string* v = get(key);
    if (!v) return out;
    std::size_t p = 0;
    while (p <= v->size()) {
      std::size_t q = v->find(',', p);
      if (q == std::string::npos) q = v->size();
      std::string_view t(v->data() + p, q - p);
      while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
      while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
      double x = 0;
      const auto r = fast_float::from_chars(t.data(), t.data() + t.size(), x);
      if (t.empty() || r.ec != std::errc() || r.ptr != t.data() + t.size())
        throw InvalidArgument(fn_, key, "'" + *v + "'", "must be comma-separated numbers");
      out.push_back(x);
      p = q + 1;
    }
    return out;
  }

 private:
  const crmkit_options* o_;
  const char* fn_ = "";
};

template <class T>
void check_out(T* out, std::int64_t n, std::size_t len, const char* function) {
  require(out, function, "out");
  if (n < 0 || static_cast<std::size_t>(n) < len)
    throw BufferTooSmall(std::string(function) + ": buffer of " + std::to_string(n) + " elements is smaller than the " +
                         std::to_string(len) + " needed (see the *_len query)");
}

/// The original id of customer code `c` of a transactions handle: the table's own (read from CSV), the
/// name given by crmkit_transactions_set_ids, or else the code in decimal. The one rule every function
/// that turns a handle's codes back into ids follows.
inline std::string id_of(const crmkit_transactions* t, std::uint32_t c) {
  if (t->owned) return t->owned->ids.decode(c);
  if (c < t->ids.size()) return t->ids[c];
  return std::to_string(c);
}

}  // namespace crmkit::capi
