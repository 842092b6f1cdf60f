// A decision's trace: the reasons it rests on, in the order the engine found them, each
// citing a clause of the rule pack ("4.10").
//
// All entries of one trace are packed back to back in one run of bytes, held by a
// reference-counted block. A trace the engine builds is written straight into a block of a
// TraceArena (model/trace_arena.hpp), where the traces of one evaluation lie side by side, so a
// decision costs no allocation and no copy for its reasons (engine throughput, bench/RESULTS.md). A
// trace built on its own has a block of its own. Copying a trace shares its bytes; only the trace
// that wrote them appends in place, any other copies them out first. Entries are read as views: a
// Line stays valid until the trace is changed or destroyed; copy what must outlive it.
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

class TraceArena;  // model/trace_arena.hpp: where an evaluation writes its traces

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
  // A copy shares the bytes and never appends in place.
  Trace(const Trace& o);
  Trace& operator=(const Trace& o);
  // A moved-from trace is empty.
  Trace(Trace&& o) noexcept;
  Trace& operator=(Trace&& o) noexcept;
  ~Trace();

  // Appends one entry. A clause id is at most 255 bytes (std::length_error otherwise). The
  // clause and reason may view this trace's own entries.
  void add(std::string_view clause, std::string_view reason);
  // Appends one entry whose reason is the concatenation of `parts`, without a temporary.
  void add(std::string_view clause, std::span<const std::string_view> parts);
  void add(std::string_view clause, std::initializer_list<std::string_view> parts) {
    add(clause, std::span<const std::string_view>(parts.begin(), parts.size()));
  }
  void push_back(const TraceEntry& e) { add(e.clause, e.reason); }

  // Room for about `bytes` of clause and reason text before the bytes move.
  void reserve(std::size_t bytes);
  void clear();

  std::size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  const_iterator begin() const { return {data_}; }
  const_iterator end() const { return {data_ + size_}; }
  Line front() const { return *begin(); }
  Line back() const;                     // precondition: !empty()
  Line operator[](std::size_t i) const;  // walks i entries (traces are short)
  // Whether the bytes are read-only here (frozen in an arena, or shared by a copy): the next
  // change copies them out first.
  bool frozen() const { return count_ > 0 && room_ == 0; }

  bool operator==(const Trace& o) const { return bytes() == o.bytes(); }

 private:
  friend class TraceArena;
  // Per entry: clause length (1 byte), reason length (4 bytes, native order), clause,
  // reason. The encoding is canonical, so equal traces have equal bytes.
  static constexpr std::size_t kHeader = 5;
  std::string_view bytes() const { return {data_, size_}; }
  // Makes room for `need` more bytes where this trace may write; returns the block the
  // bytes were in, to keep views into it alive until the new entry is copied.
  std::shared_ptr<char[]> make_room(std::size_t need);
  void release();  // gives the bytes back: closes an open trace, drops the block
  // Takes o's bytes (and its place as the open trace of an arena) into this released
  // trace; o is left empty.
  void take(Trace& o) noexcept;

  std::shared_ptr<char[]> block_;  // holds the bytes (an arena block or the trace's own)
  char* data_ = nullptr;           // the first entry, inside block_
  std::uint32_t size_ = 0;
  std::uint32_t room_ = 0;  // bytes this trace may still write after data_ + size_
  std::uint32_t count_ = 0;
  std::uint32_t last_ = 0;       // offset of the last entry
  TraceArena* arena_ = nullptr;  // the arena this trace is open in, if any
};

}  // namespace kvittens
