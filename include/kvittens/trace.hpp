// A decision's trace: the reasons it rests on, in the order the engine found them, each
// citing a clause of the rule pack ("4.10").
//
// All entries of one trace live in one text buffer, so a decision with five reasons costs
// one allocation instead of ten, and freeing it one free (engine throughput,
// bench/RESULTS.md). Entries are read as views: a Line stays valid until the trace is
// changed or destroyed; copy what must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>

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

  // Appends one entry. A clause id is at most 255 bytes (std::length_error otherwise).
  void add(std::string_view clause, std::string_view reason);
  // Appends one entry whose reason is the concatenation of `parts`, without a temporary.
  void add(std::string_view clause, std::initializer_list<std::string_view> parts);
  void push_back(const TraceEntry& e) { add(e.clause, e.reason); }

  // Room for about `bytes` of clause and reason text before the buffer grows.
  void reserve(std::size_t bytes) { text_.reserve(bytes); }
  void clear();

  std::size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  const_iterator begin() const { return {text_.data()}; }
  const_iterator end() const { return {text_.data() + text_.size()}; }
  Line front() const { return *begin(); }
  Line back() const;                     // precondition: !empty()
  Line operator[](std::size_t i) const;  // walks i entries (traces are short)

  bool operator==(const Trace& o) const { return text_ == o.text_; }

 private:
  // Per entry: clause length (1 byte), reason length (4 bytes, native order), clause,
  // reason. The encoding is canonical, so equal traces have equal buffers.
  static constexpr std::size_t kHeader = 5;
  std::size_t open(std::size_t clause_size, std::size_t reason_size, std::string_view clause);
  std::string text_;
  std::uint32_t count_ = 0;
  std::uint32_t last_ = 0;  // offset of the last entry
};

}  // namespace kvittens
