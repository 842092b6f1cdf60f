#include "sim/core/doors.hpp"

#include <algorithm>

namespace kvittens::sim {

std::vector<Door> default_doors(const World& world) {
  std::vector<Door> doors;
  for (const auto& c : world.customers) {
    Door d;
    d.id = c.id;
    for (const auto& uid : c.nfc_tags) d.tags.push_back({uid, c.id});
    if (c.cohabitant) {
      for (const auto& other : world.customers) {
        if (other.id != *c.cohabitant) continue;
        for (const auto& uid : other.nfc_tags) d.tags.push_back({uid, other.id});
      }
    }
    d.lock = c.lock;
    doors.push_back(std::move(d));
  }
  return doors;
}

std::vector<Door> merge_doors(std::vector<Door> base, const std::vector<Door>& extra) {
  for (const auto& d : extra) {
    auto it = std::find_if(base.begin(), base.end(), [&](const Door& b) { return b.id == d.id; });
    if (it != base.end()) {
      *it = d;
    } else {
      base.push_back(d);
    }
  }
  return base;
}

const Door* find_door(const std::vector<Door>& doors, const std::string& id) {
  for (const auto& d : doors) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

}  // namespace kvittens::sim
