// Trace: entries packed back to back in one string (see include/kvittens/trace.hpp).
#include "kvittens/trace.hpp"

#include <cstring>
#include <functional>
#include <stdexcept>

namespace kvittens {
namespace {

// Whether `v` points into `s`: such a view dies when `s` grows, so it is copied first.
bool inside(const std::string& s, std::string_view v) {
  return !v.empty() && std::less_equal<>{}(s.data(), v.data()) &&
         std::less<>{}(v.data(), s.data() + s.size());
}

std::uint32_t reason_size_at(const char* at) {
  std::uint32_t n = 0;
  std::memcpy(&n, at + 1, sizeof n);
  return n;
}

}  // namespace

Trace::Line Trace::const_iterator::operator*() const {
  const auto clause = static_cast<unsigned char>(at_[0]);
  const char* text = at_ + kHeader;
  return {{text, clause}, {text + clause, reason_size_at(at_)}};
}

Trace::const_iterator& Trace::const_iterator::operator++() {
  at_ += kHeader + static_cast<unsigned char>(at_[0]) + reason_size_at(at_);
  return *this;
}

Trace::Trace(std::initializer_list<TraceEntry> entries) {
  for (const auto& e : entries) add(e.clause, e.reason);
}

std::size_t Trace::open(std::size_t clause_size, std::size_t reason_size, std::string_view clause) {
  if (clause_size > 255)
    throw std::length_error("trace: clause id of " + std::to_string(clause_size) +
                            " bytes (at most 255)");
  if (reason_size > UINT32_MAX || text_.size() > UINT32_MAX - kHeader - clause_size - reason_size)
    throw std::length_error("trace: more than 4 GiB of reasons");
  const auto at = text_.size();
  char header[kHeader];
  header[0] = static_cast<char>(static_cast<unsigned char>(clause_size));
  const auto n = static_cast<std::uint32_t>(reason_size);
  std::memcpy(header + 1, &n, sizeof n);
  text_.reserve(at + kHeader + clause_size + reason_size);
  text_.append(header, kHeader).append(clause);
  last_ = static_cast<std::uint32_t>(at);
  ++count_;
  return at;
}

void Trace::add(std::string_view clause, std::string_view reason) {
  if (inside(text_, clause) || inside(text_, reason)) {
    const TraceEntry copy{std::string(clause), std::string(reason)};
    add(copy.clause, copy.reason);
    return;
  }
  open(clause.size(), reason.size(), clause);
  text_.append(reason);
}

void Trace::add(std::string_view clause, std::initializer_list<std::string_view> parts) {
  std::size_t n = 0;
  bool aliased = inside(text_, clause);
  for (const auto p : parts) {
    n += p.size();
    aliased = aliased || inside(text_, p);
  }
  if (aliased) {
    std::string reason;
    reason.reserve(n);
    for (const auto p : parts) reason += p;
    add(clause, reason);
    return;
  }
  open(clause.size(), n, clause);
  for (const auto p : parts) text_.append(p);
}

void Trace::clear() {
  text_.clear();
  count_ = 0;
  last_ = 0;
}

Trace::Line Trace::back() const {
  return *const_iterator{text_.data() + last_};
}

Trace::Line Trace::operator[](std::size_t i) const {
  auto it = begin();
  std::advance(it, static_cast<std::ptrdiff_t>(i));
  return *it;
}

}  // namespace kvittens
