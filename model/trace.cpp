// Trace: entries packed back to back in one string (see include/kvittens/trace.hpp).
#include "kvittens/trace.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <stdexcept>

namespace kvittens {
namespace {

// Whether `v` points into `s`: such a view dies when `s` grows, so it is copied first.
bool inside(std::string_view s, std::string_view v) {
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

Trace::Trace(Trace&& o) noexcept
    : text_(std::move(o.text_)),
      block_(std::move(o.block_)),
      frozen_(o.frozen_),
      count_(o.count_),
      last_(o.last_) {
  o.clear();
}

Trace& Trace::operator=(Trace&& o) noexcept {
  if (this != &o) {
    text_ = std::move(o.text_);
    block_ = std::move(o.block_);
    frozen_ = o.frozen_;
    count_ = o.count_;
    last_ = o.last_;
    o.clear();
  }
  return *this;
}

void Trace::thaw() {
  if (!block_) return;
  text_.assign(frozen_);
  block_.reset();
  frozen_ = {};
}

char* Trace::open(std::string_view clause, std::size_t reason_size) {
  if (clause.size() > 255)
    throw std::length_error("trace: clause id of " + std::to_string(clause.size()) +
                            " bytes (at most 255)");
  const auto at = text_.size();
  if (reason_size > UINT32_MAX || at > UINT32_MAX - kHeader - clause.size() - reason_size)
    throw std::length_error("trace: more than 4 GiB of reasons");
  // One size check for the whole entry; the parts are then copied in place.
  text_.resize(at + kHeader + clause.size() + reason_size);
  char* p = text_.data() + at;
  p[0] = static_cast<char>(static_cast<unsigned char>(clause.size()));
  const auto n = static_cast<std::uint32_t>(reason_size);
  std::memcpy(p + 1, &n, sizeof n);
  p += kHeader;
  if (!clause.empty()) std::memcpy(p, clause.data(), clause.size());
  last_ = static_cast<std::uint32_t>(at);
  ++count_;
  return p + clause.size();
}

void Trace::add(std::string_view clause, std::string_view reason) {
  add(clause, std::span<const std::string_view>(&reason, 1));
}

void Trace::add(std::string_view clause, std::span<const std::string_view> parts) {
  std::size_t n = 0;
  bool aliased = inside(bytes(), clause);
  for (const auto p : parts) {
    n += p.size();
    aliased = aliased || inside(bytes(), p);
  }
  if (aliased) {  // copy clause and reason out first: adding may move the bytes they view
    TraceEntry copy{std::string(clause), {}};
    copy.reason.reserve(n);
    for (const auto p : parts) copy.reason += p;
    const std::string_view reason = copy.reason;
    add(copy.clause, std::span<const std::string_view>(&reason, 1));
    return;
  }
  thaw();
  char* at = open(clause, n);
  for (const auto p : parts) {
    if (p.empty()) continue;
    std::memcpy(at, p.data(), p.size());
    at += p.size();
  }
}

void Trace::reserve(std::size_t bytes) {
  thaw();
  text_.reserve(bytes);
}

void Trace::clear() {
  text_.clear();
  block_.reset();
  frozen_ = {};
  count_ = 0;
  last_ = 0;
}

Trace::Line Trace::back() const {
  return *const_iterator{bytes().data() + last_};
}

Trace::Line Trace::operator[](std::size_t i) const {
  auto it = begin();
  std::advance(it, static_cast<std::ptrdiff_t>(i));
  return *it;
}

void TraceArena::begin(Trace& t) {
  t.clear();
  if (spare_.empty()) return;
  t.text_.swap(spare_.back());
  spare_.pop_back();
}

void TraceArena::freeze(Trace& t) {
  if (t.block_) return;
  const auto n = t.text_.size();
  if (n > 0) {
    if (!block_ || used_ + n > block_size_) {
      // Small evaluations stay small; large ones settle at 1 MiB blocks.
      constexpr std::size_t kFirst = 4096, kLargest = std::size_t{1} << 20;
      block_size_ = std::max(n, block_ ? std::min(block_size_ * 2, kLargest) : kFirst);
      block_.reset(new char[block_size_]);
      used_ = 0;
    }
    char* at = block_.get() + used_;
    std::memcpy(at, t.text_.data(), n);
    used_ += n;
    t.block_ = block_;
    t.frozen_ = {at, n};
  }
  // The buffer goes back for the next begin(); a trace frozen without begin() must not make
  // the pile grow for ever.
  std::string buffer;
  buffer.swap(t.text_);
  buffer.clear();
  if (spare_.size() < 8 && buffer.capacity() > 15) spare_.push_back(std::move(buffer));
}

}  // namespace kvittens
