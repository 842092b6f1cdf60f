#include "scenario/scenario_world.hpp"

#include <algorithm>

#include "scenario/scenario_yaml.hpp"

namespace kvittens::harness {
namespace {

template <class T>
void merge_by_id(std::vector<T>& base, const std::vector<T>& over) {
  for (const auto& o : over) {
    auto it = std::find_if(base.begin(), base.end(), [&](const T& b) { return b.id == o.id; });
    if (it != base.end()) {
      *it = o;
    } else {
      base.push_back(o);
    }
  }
}

const YAML::Node& seq(const YamlReader& r, const YAML::Node& n, const std::string& what) {
  if (!n.IsSequence()) r.fail(n, "expected " + what + " as a list");
  return n;
}

}  // namespace

World decode_scenario_world(const YAML::Node& node, const std::string& file) {
  const YamlReader r(file);
  World w;
  r.check_map(node,
              {"providers", "customers", "staff", "orders", "locks", "phones", "cutoff_dates"},
              "world");
  if (auto ps = node["providers"]) {
    for (const auto& n : seq(r, ps, "providers")) {
      r.check_map(n, {"id", "name"}, "provider");
      Provider p;
      p.id = r.str(r.require(n, "id", "provider"), "provider id");
      if (n["name"]) p.name = r.str(n["name"], "provider name");
      w.providers.push_back(p);
    }
  }
  // A world with one provider lets customers and staff leave `provider` out.
  const std::string only_provider = w.providers.size() == 1 ? w.providers[0].id : "";
  if (auto cs = node["customers"]) {
    for (const auto& n : seq(r, cs, "customers")) {
      r.check_map(n,
                  {"id", "provider", "name", "service", "cohabitant", "nfc_tags", "lock",
                   "granted_weekly_hours", "nfc_exemption", "customer_since"},
                  "customer");
      Customer c;
      c.id = r.str(r.require(n, "id", "customer"), "customer id");
      c.provider = n["provider"] ? r.str(n["provider"], "provider id") : only_provider;
      if (c.provider.empty()) r.fail(n, "missing 'provider' in customer (the world has several)");
      if (n["name"]) c.name = r.str(n["name"], "customer name");
      if (n["service"]) {
        c.service = r.choice(n["service"], {"hemtjanst", "boendestod"}, "service") == "hemtjanst"
                        ? ServiceType::Hemtjanst
                        : ServiceType::Boendestod;
      }
      if (n["cohabitant"]) c.cohabitant = r.str(n["cohabitant"], "cohabitant (customer id)");
      if (n["nfc_tags"]) c.nfc_tags = r.strings(n["nfc_tags"], "nfc_tags (tag UIDs)");
      if (n["lock"]) c.lock = r.str(n["lock"], "lock id");
      if (n["granted_weekly_hours"]) {
        c.granted_weekly_hours = r.number(n["granted_weekly_hours"], "granted_weekly_hours");
      }
      if (n["nfc_exemption"]) c.nfc_exemption = r.boolean(n["nfc_exemption"], "nfc_exemption");
      if (n["customer_since"]) c.customer_since = r.date(n["customer_since"], "customer_since");
      w.customers.push_back(c);
    }
  }
  if (auto ss = node["staff"]) {
    for (const auto& n : seq(r, ss, "staff")) {
      r.check_map(n, {"id", "provider", "name", "deactivated_on", "last_login", "phone"},
                  "staff member");
      StaffMember s;
      s.id = r.str(r.require(n, "id", "staff member"), "staff id");
      s.provider = n["provider"] ? r.str(n["provider"], "provider id") : only_provider;
      if (s.provider.empty()) r.fail(n, "missing 'provider' in staff member");
      if (n["name"]) s.name = r.str(n["name"], "staff name");
      if (n["deactivated_on"]) s.deactivated_on = r.date(n["deactivated_on"], "deactivated_on");
      if (n["last_login"]) s.last_login = r.instant(n["last_login"], "last_login");
      if (n["phone"]) s.phone = r.str(n["phone"], "phone id");
      w.staff.push_back(s);
    }
  }
  if (auto os = node["orders"]) {
    int index = 0;
    for (const auto& n : seq(r, os, "orders")) {
      r.check_map(n, {"id", "customer", "insats", "minutes", "double_staffing", "from", "to"},
                  "order");
      Order o;
      o.customer = r.str(r.require(n, "customer", "order"), "customer id");
      o.insats = r.str(r.require(n, "insats", "order"), "insats name");
      o.id = n["id"] ? r.str(n["id"], "order id")
                     : o.customer + "/" + o.insats + "/" + std::to_string(index);
      if (n["minutes"]) o.minutes = r.integer(n["minutes"], "minutes");
      if (n["double_staffing"]) {
        o.double_staffing = r.boolean(n["double_staffing"], "double_staffing");
      }
      if (n["from"]) o.from = r.date(n["from"], "from");
      if (n["to"]) o.to = r.date(n["to"], "to");
      w.orders.push_back(o);
      ++index;
    }
  }
  if (auto ls = node["locks"]) {
    for (const auto& n : seq(r, ls, "locks")) {
      r.check_map(n, {"id", "key_hex", "customers", "mounted_on"}, "lock");
      LockRecord l;
      l.id = r.str(r.require(n, "id", "lock"), "lock id (BLE address)");
      l.key_hex = r.str(r.require(n, "key_hex", "lock"), "key_hex");
      if (l.key_hex.size() != 64 || !std::all_of(l.key_hex.begin(), l.key_hex.end(), [](char ch) {
            return std::isxdigit(static_cast<unsigned char>(ch));
          })) {
        r.fail(n["key_hex"], "expected key_hex as 64 hex digits (a 32-byte key)");
      }
      if (n["customers"]) l.customers = r.strings(n["customers"], "customers");
      if (n["mounted_on"]) l.mounted_on = r.date(n["mounted_on"], "mounted_on");
      w.locks.push_back(l);
    }
  }
  if (auto ps = node["phones"]) {
    for (const auto& n : seq(r, ps, "phones")) {
      r.check_map(n, {"id", "provider", "deactivated_at"}, "phone");
      PhoneRecord p;
      p.id = r.str(r.require(n, "id", "phone"), "phone id");
      p.provider = n["provider"] ? r.str(n["provider"], "provider id") : only_provider;
      if (p.provider.empty()) r.fail(n, "missing 'provider' in phone (the world has several)");
      if (n["deactivated_at"]) p.deactivated_at = r.instant(n["deactivated_at"], "deactivated_at");
      w.phones.push_back(p);
    }
  }
  if (auto cd = node["cutoff_dates"]) {
    if (!cd.IsMap()) r.fail(cd, "expected cutoff_dates as a map YYYY-MM: YYYY-MM-DD");
    for (auto it = cd.begin(); it != cd.end(); ++it) {
      const std::string month = r.str(it->first, "month");
      try {
        parse_month(month);
      } catch (const std::exception&) {
        r.fail(it->first, "expected a month YYYY-MM, got '" + month + "'");
      }
      w.cutoff_dates[month] = r.date(it->second, "spärrdatum");
    }
  }
  // A lock lists the customers behind its door; by default those that name it.
  for (auto& l : w.locks) {
    if (!l.customers.empty()) continue;
    for (const auto& c : w.customers) {
      if (c.lock == l.id) l.customers.push_back(c.id);
    }
  }
  return w;
}

World merge_worlds(World base, const World& over) {
  merge_by_id(base.providers, over.providers);
  merge_by_id(base.customers, over.customers);
  merge_by_id(base.staff, over.staff);
  merge_by_id(base.orders, over.orders);
  merge_by_id(base.locks, over.locks);
  merge_by_id(base.phones, over.phones);
  for (const auto& [k, v] : over.cutoff_dates) base.cutoff_dates[k] = v;
  return base;
}

}  // namespace kvittens::harness
