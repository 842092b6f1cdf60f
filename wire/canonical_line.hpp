// The export's own lines, read without building a JSON document (wire-internal): a month of
// registrations is millions of lines, and the general strict decoder spends most of its time on
// the document and its pointers. This reader takes only the exact text export_registration_line
// writes — keys in the encoder's order, no whitespace, no escapes, times as YYYY-MM-DDTHH:MM —
// for visits, double staffing, edits, shift approvals and payments, and checks every value
// within the limits of wire.hpp as the strict decoder does. Anything else it leaves to the strict
// decoder, which also reports every problem: what it accepts, decode_registration accepts as the
// same model (tests/service/export_lines_test.cpp, and the wire_decode fuzz target compares the
// two on every input).
#pragma once

#include <string>
#include <string_view>

#include "kvittens/model.hpp"

namespace kvittens::wire {

// True, with the line's provider and registration, when `line` has the exact canonical shape
// and every value is valid; false otherwise (the outputs are then unspecified).
bool read_canonical_line(std::string_view line, std::string& provider, Registration& out);

}  // namespace kvittens::wire
