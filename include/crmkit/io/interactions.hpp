// CSV ingestion of interaction logs into a core::InteractionTable (io::read_table underneath, so the
// delimiter, quoting and header rules are those of docs/data-formats.md#tables).
//
//   io::InteractionReadOptions o;                      // columns found by name (see below)
//   core::InteractionTable in = io::read_interactions("interactions.csv", o, &tx.ids);  // codes agree with tx
//
// Columns (each found by the option's name, else by the first alias present, ASCII case ignored):
//   customer  customer_id, customer, customerid, client_id, user_id, id          required
//   time      date, time, datetime, timestamp, created_at, interaction_date      required; dates or
//             date-times (floored to their UTC day), format detected unless given
//   channel   channel                      text, dictionary-encoded (blank cells = "")
//   kind      kind, type, category, interaction_type   text, dictionary-encoded (e.g. complaint, inquiry)
//   csat      csat, csat_score, satisfaction   whole numbers 1..5, blank = no answer
//   first_response_minutes  first_response_minutes, response_minutes, frt   >= 0, blank = unknown
//   resolved_first_contact  resolved_first_contact, first_contact_resolution, fcr   1/0, true/false,
//             yes/no, t/f, y/n; blank = unknown
// Optional columns that are absent leave their vector empty; an optional column named in the options
// but absent is a ParseError. Every bad cell is a ParseError "file:line:column: column 'name': expected
// ..., found '...'"; a missing file is an IoError.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "crmkit/core/ids.hpp"
#include "crmkit/core/interactions.hpp"
#include "crmkit/io/date.hpp"
#include "crmkit/io/table.hpp"

namespace crmkit::io {

struct InteractionReadOptions {
  /// Column names; empty = the aliases above.
  std::string customer, time, channel, kind, csat, first_response_minutes, resolved_first_contact;
  std::optional<DateFormat> date_format;  ///< nullopt = detect from the first rows
  TableReadOptions table{};               ///< delimiter and header
};

/// Reads an interaction CSV. With `shared` (e.g. a transaction table's ids), the returned table's ids
/// start as a copy of it, so every customer already in `shared` keeps its code; customers seen only in
/// the interactions get the next codes.
core::InteractionTable read_interactions(const std::string& path, const InteractionReadOptions& options = {},
                                         const core::Dictionary* shared = nullptr);
/// The same over text in memory; `source` names it in messages.
core::InteractionTable parse_interactions(std::string_view text, const InteractionReadOptions& options = {},
                                          const core::Dictionary* shared = nullptr,
                                          std::string source = "<text>");
/// The same over a table already read.
core::InteractionTable interactions_from_table(const CsvTable& table, const InteractionReadOptions& options = {},
                                               const core::Dictionary* shared = nullptr);

}  // namespace crmkit::io
