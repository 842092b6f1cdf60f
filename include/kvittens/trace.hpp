// A decision's trace: the reasons it rests on, in the order the engine found them, each
// citing a clause of the rule pack ("4.10").
//
// All entries of one trace live in one text buffer. While a trace is built the buffer is its
// own; the engine then freezes it into a TraceArena, an immutable block shared by the traces
// of one evaluation, so a decision costs no allocation and no free for its reasons (engine
// throughput, bench/RESULTS.md). Copying a frozen trace shares the block; changing it copies
// the text out first. Entries are read as views: a Line stays valid until the trace is
// changed or destroyed; copy what must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kvittens {

// One reason in owning form: for building traces and where a reason stands alone
// (a repayment).
struct TraceEntry {
  std::string clause;
  std::string reason;
  bool operator==(const TraceEntry&) const = default;
};

class Trace {
 public:
  // One entry, viewed in place.
  struct Line {
    std::string_view clause;
    std::string_view reason;
    bool operator==(const Line&) const = default;
  };

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Line;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Line;

    const_iterator() = default;
    Line operator*() const;
    const_iterator& operator++();
    const_iterator operator++(int) {
      auto old = *this;
      ++*this;
      return old;
    }
    bool operator==(const const_iterator& o) const { return at_ == o.at_; }

   private:
    friend class Trace;
    const_iterator(const char* at) : at_(at) {}
    const char* at_ = nullptr;
  };

  Trace() = default;
  Trace(std::initializer_list<TraceEntry> entries);
  Trace(const Trace&) = default;
  Trace& operator=(const Trace&) = default;
  // A moved-from trace is empty.
  Trace(Trace&& o) noexcept;
  Trace& operator=(Trace&& o) noexcept;

  // Appends one entry. A clause id is at most 255 bytes (std::length_error otherwise).
  void add(std::string_view clause, std::string_view reason);
  // Appends one entry whose reason is the concatenation of `parts`, without a temporary.
  void add(std::string_view clause, std::span<const std::string_view> parts);
  void add(std::string_view clause, std::initializer_list<std::string_view> parts) {
    add(clause, std::span<const std::string_view>(parts.begin(), parts.size()));
  }
  void push_back(const TraceEntry& e) { add(e.clause, e.reason); }

  // Room for about `bytes` of clause and reason text before the buffer grows.
  void reserve(std::size_t bytes);
  void clear();

  std::size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  const_iterator begin() const { return {bytes().data()}; }
  const_iterator end() const { return {bytes().data() + bytes().size()}; }
  Line front() const { return *begin(); }
  Line back() const;                     // precondition: !empty()
  Line operator[](std::size_t i) const;  // walks i entries (traces are short)
  // Whether the entries live in a TraceArena block (shared) rather than a buffer of its own.
  bool frozen() const { return block_ != nullptr; }

  bool operator==(const Trace& o) const { return bytes() == o.bytes(); }

 private:
  friend class TraceArena;
  // Per entry: clause length (1 byte), reason length (4 bytes, native order), clause,
  // reason. The encoding is canonical, so equal traces have equal bytes.
  static constexpr std::size_t kHeader = 5;
  std::string_view bytes() const { return block_ ? frozen_ : std::string_view(text_); }
  void thaw();  // makes the bytes its own before a change
  // Adds an entry's header and clause with room for its reason; returns where the reason goes.
  char* open(std::string_view clause, std::size_t reason_size);
  std::string text_;                     // the bytes while the trace is its own
  std::shared_ptr<const char[]> block_;  // the arena block holding frozen_, when frozen
  std::string_view frozen_;
  std::uint32_t count_ = 0;
  std::uint32_t last_ = 0;  // offset of the last entry
};

// Where the engine freezes the traces of one evaluation: blocks that grow from 4 KiB to
// 1 MiB, each freed when the last trace in it is. One arena per thread of work; a kept
// decision keeps its block alive (at most 1 MiB).
class TraceArena {
 public:
  // Starts an empty trace on a buffer the arena lends (reused from a frozen trace), so
  // building it allocates nothing once the arena is warm.
  void begin(Trace& t);
  // Copies t's entries into the arena; t then shares the block, and its buffer goes back to
  // the arena for the next begin().
  void freeze(Trace& t);

 private:
  std::shared_ptr<char[]> block_;
  std::size_t block_size_ = 0;
  std::size_t used_ = 0;
  std::vector<std::string> spare_;  // buffers lent by begin(), returned by freeze()
};

}  // namespace kvittens
