// TraceArena, the engine's machinery for writing decisions' traces (include/kvittens/trace.hpp)
// side by side. Model-internal, beside Trace's implementation: the contract names only Trace.
#pragma once

#include <cstddef>
#include <memory>

#include "kvittens/trace.hpp"

namespace kvittens {

// Where the engine writes the traces of one evaluation: blocks that grow from 4 KiB to
// 1 MiB, each freed when the last trace in it is. One trace at a time is open in an arena and
// writes at its tail; freezing it (or beginning the next) closes it where it ends. One arena
// per thread of work; a kept decision keeps its block alive (at most 1 MiB).
class TraceArena {
 public:
  TraceArena() = default;
  TraceArena(const TraceArena&) = delete;
  TraceArena& operator=(const TraceArena&) = delete;
  ~TraceArena();  // closes the open trace, which keeps its bytes

  // Empties t and opens it at the arena's tail, closing the trace open before it.
  void begin(Trace& t);
  // Closes t if it is open here. A trace with bytes of its own (built without begin()) is
  // copied into the arena, so it shares a block with the others.
  void freeze(Trace& t);

 private:
  friend class Trace;
  void close();  // closes the open trace: its bytes become part of the arena's used bytes
  // A new block with room for the open trace and `need` more bytes; the trace moves there.
  void grow_open(std::size_t need);
  // Starts a new block with room for at least `need` bytes.
  void next_block(std::size_t need);

  std::shared_ptr<char[]> block_;
  std::size_t block_size_ = 0;
  std::size_t used_ = 0;
  Trace* open_ = nullptr;
};

}  // namespace kvittens
