// The doors of the simulated world: which kvittensmärken hang at each door and which
// trygghetslås is mounted on it. The World of Combine knows customers, tags and locks; where
// they physically are is the simulator's business.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kvittens/model.hpp"

namespace kvittens::sim {

struct TagOnDoor {
  std::string uid;    // "04:A1:B2:C3:D4:E5:80"
  std::string owner;  // customer id whose tag it is; empty for a stranger's tag
};

struct Door {
  std::string id;
  std::vector<TagOnDoor> tags;
  std::optional<std::string> lock;  // lock id (BLE address)
};

// One door per customer, named by the customer id, holding the customer's own tags, the tags
// of a cohabitant (they share the home, 7: "varsitt kvittensmärke") and the customer's lock.
std::vector<Door> default_doors(const World& world);

// `extra` replaces default doors with the same id and adds the rest, in order.
std::vector<Door> merge_doors(std::vector<Door> base, const std::vector<Door>& extra);

const Door* find_door(const std::vector<Door>& doors, const std::string& id);

}  // namespace kvittens::sim
