#include "scenario/world_refs.hpp"

namespace kvittens::harness {
namespace {

class WorldRefs : public NameCheck {
 public:
  using NameCheck::NameCheck;

  // References inside a world block, checked against the merged world.
  void world_refs(const YAML::Node& w) const {
    if (auto cs = w["customers"]) {
      for (const auto& c : cs) {
        if (c["provider"]) ref(c["provider"], n_.providers, "provider");
        if (c["cohabitant"]) {
          ref(c["cohabitant"], n_.customers, "customer");
          if (c["cohabitant"].Scalar() == c["id"].Scalar()) {
            r_.fail(c["cohabitant"], "a customer cannot be their own cohabitant");
          }
        }
        if (c["lock"]) ref(c["lock"], n_.locks, "lock");
      }
    }
    if (auto ss = w["staff"]) {
      for (const auto& s : ss) {
        if (s["provider"]) ref(s["provider"], n_.providers, "provider");
        if (s["phone"]) ref(s["phone"], n_.phones, "phone");
      }
    }
    if (auto ps = w["phones"]) {
      for (const auto& p : ps) {
        if (p["provider"]) ref(p["provider"], n_.providers, "provider");
      }
    }
    if (auto os = w["orders"]) {
      for (const auto& o : os) {
        ref(o["customer"], n_.customers, "customer");
        insats(o["insats"], o["insats"].Scalar());
      }
    }
    if (auto ls = w["locks"]) {
      for (const auto& l : ls) {
        if (auto cs = l["customers"]) {
          if (cs.IsScalar()) {
            ref(cs, n_.customers, "customer");
          } else {
            for (const auto& c : cs) ref(c, n_.customers, "customer");
          }
        }
      }
    }
  }

  std::vector<sim::Door> doors(const YAML::Node& node) const {
    std::vector<sim::Door> out;
    if (!node.IsMap()) r_.fail(node, "expected doors as a map: door id -> {customers, tags, lock}");
    for (auto it = node.begin(); it != node.end(); ++it) {
      sim::Door d;
      d.id = r_.str(it->first, "door id");
      const YAML::Node b = it->second;
      r_.check_map(b, {"customers", "tags", "lock"}, "door '" + d.id + "'");
      if (b["customers"]) {
        for (const auto& c : b["customers"].IsSequence() ? b["customers"] : YAML::Node()) {
          const std::string id = ref(c, n_.customers, "customer");
          for (const auto& cust : n_.world.customers) {
            if (cust.id != id) continue;
            for (const auto& uid : cust.nfc_tags) d.tags.push_back({uid, id});
            if (cust.lock && !d.lock) d.lock = cust.lock;
          }
        }
        if (!b["customers"].IsSequence()) r_.fail(b["customers"], "expected customers as a list");
      }
      if (b["tags"]) {
        for (const auto& uid : r_.strings(b["tags"], "tags (UIDs)")) d.tags.push_back({uid, ""});
      }
      if (b["lock"]) d.lock = ref(b["lock"], n_.locks, "lock");
      out.push_back(d);
    }
    return out;
  }
};

}  // namespace

void check_world_refs(const YamlReader& r, Names& names, const YAML::Node& world) {
  WorldRefs(r, names).world_refs(world);
}

std::vector<sim::Door> read_doors(const YamlReader& r, Names& names, const YAML::Node& doors) {
  return WorldRefs(r, names).doors(doors);
}

}  // namespace kvittens::harness
