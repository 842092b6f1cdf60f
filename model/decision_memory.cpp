// The memory of decision arrays (model/decision_memory.hpp): the resource kvittens::
// decision_memory() hands out, and the mappings behind its large blocks.
#include "model/decision_memory.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <memory_resource>
#include <mutex>
#include <new>
#include <vector>

#include "kvittens/model.hpp"

namespace kvittens::bulk {
namespace {

struct Block {
  void* at = nullptr;
  std::size_t bytes = 0;  // as mapped, which may exceed what a reuse asked for
};

// The blocks handed out (so a block lent for fewer bytes than it has is unmapped whole) and
// the one most recently given back.
struct Pool {
  std::mutex mutex;
  std::vector<Block> out;
  Block kept;
};

Pool& pool() {
  static Pool p;
  return p;
}

void* fresh(std::size_t bytes) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
#if defined(MADV_HUGEPAGE)
  // Advice only: where huge pages are off the block keeps ordinary pages.
  (void)::madvise(p, bytes, MADV_HUGEPAGE);
#endif
  return p;
}

}  // namespace

void* map(std::size_t bytes) {
  auto& p = pool();
  {
    const std::lock_guard lock(p.mutex);
    // The block given back last, when it fits without wasting more than half of it: a
    // caller evaluating month after month gets last month's pages back.
    if (p.kept.at && p.kept.bytes >= bytes && p.kept.bytes / 2 <= bytes) {
      p.out.push_back(p.kept);
      p.kept = {};
      return p.out.back().at;
    }
  }
  void* at = fresh(bytes);
  try {
    const std::lock_guard lock(p.mutex);
    p.out.push_back({at, bytes});
  } catch (...) {
    (void)::munmap(at, bytes);
    throw;
  }
  return at;
}

void unmap(void* at, std::size_t bytes) noexcept {
  if (!at) return;
  auto& p = pool();
  Block gone{at, bytes};
  {
    const std::lock_guard lock(p.mutex);
    const auto it =
        std::find_if(p.out.begin(), p.out.end(), [&](const Block& b) { return b.at == at; });
    if (it != p.out.end()) {
      gone = *it;
      p.out.erase(it);
    }
#if defined(MADV_FREE)
    // Kept, not unmapped: the next evaluation of a similar month reuses these pages instead
    // of having the kernel zero fresh ones.
    // MADV_FREE lets the kernel take them back if memory runs short before then.
    if (::madvise(gone.at, gone.bytes, MADV_FREE) == 0) std::swap(gone, p.kept);
#endif
  }
  if (gone.at) (void)::munmap(gone.at, gone.bytes);
}

std::size_t kept_bytes() noexcept {
  auto& p = pool();
  const std::lock_guard lock(p.mutex);
  return p.kept.bytes;
}

}  // namespace kvittens::bulk

namespace kvittens {
namespace {

// Large blocks mapped (bulk::map), smaller ones from operator new. Stateless: a block may be
// given back through any instance, so all instances are equal.
class BulkResource final : public std::pmr::memory_resource {
  void* do_allocate(std::size_t bytes, std::size_t align) override {
    if (bytes >= bulk::kThreshold) return bulk::map(bytes);  // page-aligned
    if (align > __STDCPP_DEFAULT_NEW_ALIGNMENT__)
      return ::operator new (bytes, std::align_val_t{align});
    return ::operator new(bytes);
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t align) override {
    if (bytes >= bulk::kThreshold)
      bulk::unmap(p, bytes);
    else if (align > __STDCPP_DEFAULT_NEW_ALIGNMENT__)
      ::operator delete (p, bytes, std::align_val_t{align});
    else
      ::operator delete(p, bytes);
  }
  bool do_is_equal(const std::pmr::memory_resource& o) const noexcept override {
    return dynamic_cast<const BulkResource*>(&o) != nullptr;
  }
};

}  // namespace

std::pmr::memory_resource* decision_memory() noexcept {
  static BulkResource resource;
  return &resource;
}

}  // namespace kvittens
