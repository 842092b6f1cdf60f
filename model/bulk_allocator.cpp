// BulkAllocator's mappings (include/kvittens/bulk_allocator.hpp).
#include "kvittens/bulk_allocator.hpp"

#include <sys/mman.h>

namespace kvittens::bulk {

void* map(std::size_t bytes) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
#if defined(MADV_HUGEPAGE)
  // Advice only: where huge pages are off the block keeps ordinary pages.
  (void)::madvise(p, bytes, MADV_HUGEPAGE);
#endif
  return p;
}

void unmap(void* p, std::size_t bytes) noexcept {
  if (p) (void)::munmap(p, bytes);
}

}  // namespace kvittens::bulk
