// An allocator for the one array a large evaluation fills from scratch: a month's visit
// decisions, hundreds of MiB to GiB.
//
// From 32 MiB up it maps the block itself and asks the kernel for transparent huge pages, so
// filling it costs one page fault per 2 MiB instead of one per 4 KiB. 32 MiB is glibc's
// largest mmap threshold: malloc would map such a block afresh anyway, in 4 KiB pages on
// every evaluation (or, after a larger one, reuse heap that had lost its huge pages), and
// the kernel's page faults would weigh on the engine's time.
// The block given back last is kept (MADV_FREE: the kernel may still take its pages when
// memory runs short) and lent again for a request of at least half its size, so a caller
// evaluating month after month does not have the kernel zero a fresh array each time; any
// other block is unmapped when given back. Its contents are whatever was there before.
// Smaller blocks go to operator new, where the heap recycles them from one evaluation to the
// next. Stateless: all instances are equal; the mappings are shared by all threads.
#pragma once

#include <cstddef>
#include <new>

namespace kvittens {

namespace bulk {
constexpr std::size_t kThreshold = std::size_t{32} << 20;
void* map(std::size_t bytes);  // throws std::bad_alloc
// `bytes` as asked of map(); a block lent from the kept one is given back whole.
void unmap(void* p, std::size_t bytes) noexcept;
// The size of the block kept for reuse (0: none); for tests and diagnostics.
std::size_t kept_bytes() noexcept;
}  // namespace bulk

template <class T>
struct BulkAllocator {
  using value_type = T;
  BulkAllocator() = default;
  template <class U>
  BulkAllocator(const BulkAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    const std::size_t bytes = n * sizeof(T);
    if (bytes >= bulk::kThreshold) return static_cast<T*>(bulk::map(bytes));
    if constexpr (alignof(T) > __STDCPP_DEFAULT_NEW_ALIGNMENT__)
      return static_cast<T*>(::operator new (bytes, std::align_val_t{alignof(T)}));
    else
      return static_cast<T*>(::operator new(bytes));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    const std::size_t bytes = n * sizeof(T);
    if (bytes >= bulk::kThreshold)
      bulk::unmap(p, bytes);
    else if constexpr (alignof(T) > __STDCPP_DEFAULT_NEW_ALIGNMENT__)
      ::operator delete (p, bytes, std::align_val_t{alignof(T)});
    else
      ::operator delete(p, bytes);
  }
  template <class U>
  bool operator==(const BulkAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace kvittens
