// Where the arrays of visit decisions come from (kvittens::decision_memory(), model.hpp): the
// one array a large evaluation fills from scratch, hundreds of MiB to GiB.
//
// From 32 MiB up a block is mapped here and the kernel is asked for transparent huge pages, so
// filling it costs one page fault per 2 MiB instead of one per 4 KiB. 32 MiB is glibc's
// largest mmap threshold: malloc would map such a block afresh anyway, in 4 KiB pages on
// every evaluation (or, after a larger one, reuse heap that had lost its huge pages), and
// the kernel's page faults would weigh on the engine's time.
// The block given back last is kept (MADV_FREE: the kernel may still take its pages when
// memory runs short) and lent again for a request of at least half its size, so a caller
// evaluating month after month does not have the kernel zero a fresh array each time; any
// other block is unmapped when given back. Its contents are whatever was there before.
// Smaller blocks go to operator new, where the heap recycles them from one evaluation to the
// next. The mappings are shared by all threads.
//
// Model-internal: the contracts name only std::pmr::memory_resource.
#pragma once

#include <cstddef>

namespace kvittens::bulk {

constexpr std::size_t kThreshold = std::size_t{32} << 20;
void* map(std::size_t bytes);  // throws std::bad_alloc
// `bytes` as asked of map(); a block lent from the kept one is given back whole.
void unmap(void* p, std::size_t bytes) noexcept;
// The size of the block kept for reuse (0: none); for tests and diagnostics.
std::size_t kept_bytes() noexcept;

}  // namespace kvittens::bulk
