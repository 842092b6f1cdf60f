// Trace: entries packed back to back in a shared block (see include/kvittens/trace.hpp), and
// the arena the engine writes them into (model/trace_arena.hpp).
#include "kvittens/trace.hpp"

#include "model/trace_arena.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace kvittens {
namespace {

std::uint32_t reason_size_at(const char* at) {
  std::uint32_t n = 0;
  std::memcpy(&n, at + 1, sizeof n);
  return n;
}

// A block for bytes about to be overwritten: one allocation with its reference count.
std::shared_ptr<char[]> new_block(std::size_t size) {
  return std::make_shared_for_overwrite<char[]>(size);
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

Trace::Trace(const Trace& o)
    : block_(o.block_), data_(o.data_), size_(o.size_), count_(o.count_), last_(o.last_) {}

Trace& Trace::operator=(const Trace& o) {
  if (this != &o) *this = Trace(o);
  return *this;
}

Trace::Trace(Trace&& o) noexcept {
  take(o);
}

Trace& Trace::operator=(Trace&& o) noexcept {
  if (this != &o) {
    release();  // o holds its own reference to whatever it views
    take(o);
  }
  return *this;
}

void Trace::take(Trace& o) noexcept {
  block_ = std::move(o.block_);
  data_ = std::exchange(o.data_, nullptr);
  size_ = std::exchange(o.size_, 0);
  room_ = std::exchange(o.room_, 0);
  count_ = std::exchange(o.count_, 0);
  last_ = std::exchange(o.last_, 0);
  arena_ = std::exchange(o.arena_, nullptr);
  if (arena_) arena_->open_ = this;  // still open, now as this trace
}

Trace::~Trace() {
  if (arena_) arena_->close();
}

void Trace::release() {
  if (arena_) arena_->close();
  block_.reset();
  data_ = nullptr;
  size_ = room_ = count_ = last_ = 0;
}

std::shared_ptr<char[]> Trace::make_room(std::size_t need) {
  auto old = block_;
  if (arena_) {
    arena_->grow_open(need);
    return old;
  }
  // Bytes of its own, doubling: a trace built outside an arena is short, so it starts at
  // one small block.
  const std::size_t have = std::size_t{size_} + room_;
  const std::size_t size = std::min<std::size_t>(
      UINT32_MAX, std::max({std::size_t{size_} + need, 2 * have, std::size_t{128}}));
  auto block = new_block(size);
  if (size_ > 0) std::memcpy(block.get(), data_, size_);
  block_ = std::move(block);
  data_ = block_.get();
  room_ = static_cast<std::uint32_t>(size - size_);
  return old;
}

void Trace::add(std::string_view clause, std::string_view reason) {
  add(clause, std::span<const std::string_view>(&reason, 1));
}

void Trace::add(std::string_view clause, std::span<const std::string_view> parts) {
  if (clause.size() > 255)
    throw std::length_error("trace: clause id of " + std::to_string(clause.size()) +
                            " bytes (at most 255)");
  std::size_t n = 0;
  for (const auto p : parts) n += p.size();
  const std::size_t need = kHeader + clause.size() + n;  // parts are in memory: no overflow
  if (n > UINT32_MAX || need > UINT32_MAX - std::size_t{size_})
    throw std::length_error("trace: more than 4 GiB of reasons");
  // Bytes move only into a new block; the old one stays alive in `old` until the entry is
  // written, so the clause and parts may view this trace's own entries.
  std::shared_ptr<char[]> old;
  if (need > room_) old = make_room(need);
  char* p = data_ + size_;
  p[0] = static_cast<char>(static_cast<unsigned char>(clause.size()));
  const auto reason_size = static_cast<std::uint32_t>(n);
  std::memcpy(p + 1, &reason_size, sizeof reason_size);
  p += kHeader;
  if (!clause.empty()) std::memcpy(p, clause.data(), clause.size());
  p += clause.size();
  for (const auto part : parts) {
    if (part.empty()) continue;
    std::memcpy(p, part.data(), part.size());
    p += part.size();
  }
  last_ = size_;
  size_ += static_cast<std::uint32_t>(need);
  room_ -= static_cast<std::uint32_t>(need);
  ++count_;
}

void Trace::reserve(std::size_t bytes) {
  if (bytes > room_) make_room(bytes);
}

void Trace::clear() {
  release();
}

Trace::Line Trace::back() const {
  return *const_iterator{data_ + last_};
}

Trace::Line Trace::operator[](std::size_t i) const {
  auto it = begin();
  std::advance(it, static_cast<std::ptrdiff_t>(i));
  return *it;
}

TraceArena::~TraceArena() {
  close();
}

void TraceArena::close() {
  if (!open_) return;
  Trace& t = *open_;
  used_ = static_cast<std::size_t>(t.data_ - block_.get()) + t.size_;
  t.room_ = 0;
  t.arena_ = nullptr;
  open_ = nullptr;
}

void TraceArena::next_block(std::size_t need) {
  // Small evaluations stay small; large ones settle at 1 MiB blocks.
  constexpr std::size_t kFirst = 4096, kLargest = std::size_t{1} << 20;
  block_size_ = std::max(need, block_ ? std::min(block_size_ * 2, kLargest) : kFirst);
  block_ = new_block(block_size_);
  used_ = 0;
}

void TraceArena::grow_open(std::size_t need) {
  Trace& t = *open_;
  next_block(std::size_t{t.size_} + need);
  if (t.size_ > 0) std::memcpy(block_.get(), t.data_, t.size_);
  t.block_ = block_;
  t.data_ = block_.get();
  t.room_ = static_cast<std::uint32_t>(block_size_ - t.size_);
}

void TraceArena::begin(Trace& t) {
  t.clear();
  close();
  t.block_ = block_;
  t.data_ = block_ ? block_.get() + used_ : nullptr;
  t.room_ = static_cast<std::uint32_t>(block_size_ - used_);
  t.arena_ = this;
  open_ = &t;
}

void TraceArena::freeze(Trace& t) {
  if (t.arena_) {  // open here (or in another arena): its bytes are in place already
    t.arena_->close();
    return;
  }
  if (t.room_ == 0 || t.size_ == 0) return;  // shared already, or nothing to keep
  // Bytes of its own: copy them in, so the trace shares a block with the others.
  close();
  if (!block_ || block_size_ - used_ < t.size_) next_block(t.size_);
  char* at = block_.get() + used_;
  std::memcpy(at, t.data_, t.size_);
  used_ += t.size_;
  t.block_ = block_;
  t.data_ = at;
  t.room_ = 0;
}

}  // namespace kvittens
