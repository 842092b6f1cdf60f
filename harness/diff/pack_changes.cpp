#include "harness/diff/pack_changes.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace kvittens::harness {
namespace {

using Kind = PackChange::Kind;

const char* exception_name(backend::ReceiptException e) {
  switch (e) {
    case backend::ReceiptException::None:
      return "none";
    case backend::ReceiptException::Start:
      return "start";
    case backend::ReceiptException::End:
      return "end";
    case backend::ReceiptException::Both:
      return "both";
    case backend::ReceiptException::Always:
      return "always";
  }
  return "none";
}

// What an entry requires, as the pack writes it.
std::string requires_name(const backend::InsatsInfo& i) {
  switch (i.requires_) {
    case backend::InsatsInfo::Requires::Lock:
      return "lock";
    case backend::InsatsInfo::Requires::Order:
      return "order:" + i.required_order;
    case backend::InsatsInfo::Requires::Nothing:
      break;
  }
  return "nothing";
}

// A catalogue entry as the fields the engine reads, each "key value", in the pack's key order.
std::vector<std::pair<std::string, std::string>> entry_fields(const backend::InsatsInfo& i) {
  std::string cap = "none";
  if (i.cap_minutes) {
    cap = std::to_string(*i.cap_minutes) + " min per " +
          (i.cap_per == backend::CapPer::CustomerYear ? "customer_year" : "customer") +
          (i.once ? " once" : "");
  }
  return {{"category", i.category},
          {"fee", i.fee ? "yes" : "no"},
          {"receipt_exception", exception_name(i.receipt_exception)},
          {"pickup", i.pickup ? "yes" : "no"},
          {"cap", cap},
          {"requires", requires_name(i)},
          {"omstallning", i.omstallning ? "yes" : "no"},
          {"withdrawn", i.withdrawn.empty() ? "no" : "by " + i.withdrawn}};
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

// The matrix columns of both packs: `to`'s in its order, then columns only `from` has.
std::vector<std::string> matrix_columns(const backend::RulePack& from,
                                        const backend::RulePack& to) {
  std::vector<std::pair<int, std::string>> ordered;
  for (const auto& i : to.insatser) {
    if (i.matrix_index >= 0) ordered.emplace_back(i.matrix_index, i.name);
  }
  std::sort(ordered.begin(), ordered.end());
  std::vector<std::string> out;
  for (auto& [index, name] : ordered) out.push_back(std::move(name));
  ordered.clear();
  for (const auto& i : from.insatser) {
    if (i.matrix_index >= 0 && !to.insats(i.name)) ordered.emplace_back(i.matrix_index, i.name);
  }
  std::sort(ordered.begin(), ordered.end());
  for (auto& [index, name] : ordered) out.push_back(std::move(name));
  return out;
}

// The state of a cell in one pack; "none" when either insats is not in its matrix.
std::string cell(const backend::RulePack& pack, const std::string& a, const std::string& b) {
  const auto* x = pack.insats(a);
  const auto* y = pack.insats(b);
  if (!x || !y || x->matrix_index < 0 || y->matrix_index < 0 || pack.matrix.empty()) return "none";
  return std::string(1, static_cast<char>(pack.combination(*x, *y)));
}

}  // namespace

const char* to_string(PackChange::Kind k) {
  switch (k) {
    case Kind::Parameter:
      return "parameter";
    case Kind::Matrix:
      return "matrix";
    case Kind::Clause:
      return "clause";
    case Kind::Insats:
      return "insats";
  }
  return "parameter";
}

std::string PackChange::name() const {
  return std::string(to_string(kind)) + " " + subject;
}

std::vector<PackChange> pack_changes(const backend::RulePack& from, const backend::RulePack& to) {
  std::vector<PackChange> out;

  std::map<std::string, std::pair<std::string, std::string>> values;
  for (const auto& [name, p] : from.parameters) values[name].first = p.value;
  for (const auto& [name, p] : to.parameters) values[name].second = p.value;
  for (const auto& [name, v] : values) {
    if (v.first == v.second) continue;
    out.push_back({Kind::Parameter,
                   name,
                   {},
                   v.first.empty() ? "none" : v.first,
                   v.second.empty() ? "none" : v.second});
  }

  const auto columns = matrix_columns(from, to);
  for (std::size_t i = 0; i < columns.size(); ++i) {
    for (std::size_t j = i + 1; j < columns.size(); ++j) {
      const auto a = cell(from, columns[i], columns[j]);
      const auto b = cell(to, columns[i], columns[j]);
      if (a == b) continue;
      out.push_back(
          {Kind::Matrix, columns[i] + " × " + columns[j], {columns[i], columns[j]}, a, b});
    }
  }

  std::map<std::string, std::pair<const backend::ClauseInfo*, const backend::ClauseInfo*>> clauses;
  for (const auto& c : from.clauses) clauses[c.id].first = &c;
  for (const auto& c : to.clauses) clauses[c.id].second = &c;
  for (const auto& [id, c] : clauses) {
    const auto text = [](const backend::ClauseInfo* x) {
      return x ? x->title + ": " + x->statement : std::string("none");
    };
    if (text(c.first) == text(c.second)) continue;
    out.push_back({Kind::Clause, id, {}, text(c.first), text(c.second)});
  }

  std::vector<std::string> names;
  for (const auto& i : from.insatser) names.push_back(i.name);
  for (const auto& i : to.insatser) {
    if (!from.insats(i.name)) names.push_back(i.name);
  }
  for (const auto& name : names) {
    const auto* x = from.insats(name);
    const auto* y = to.insats(name);
    if (!x || !y) {
      out.push_back({Kind::Insats,
                     name,
                     {},
                     x ? "in the catalogue" : "none",
                     y ? "in the catalogue" : "none"});
      continue;
    }
    const auto fx = entry_fields(*x), fy = entry_fields(*y);
    std::vector<std::string> was, is;
    for (std::size_t k = 0; k < fx.size(); ++k) {
      if (fx[k] == fy[k]) continue;
      was.push_back(fx[k].first + " " + fx[k].second);
      is.push_back(fy[k].first + " " + fy[k].second);
    }
    if (!was.empty()) out.push_back({Kind::Insats, name, {}, join(was), join(is)});
  }
  return out;
}

backend::RulePack with_change(const backend::RulePack& from, const backend::RulePack& to,
                              const PackChange& change) {
  backend::RulePack pack = from;
  if (change.kind != Kind::Parameter) return pack;
  const auto it = to.parameters.find(change.subject);
  if (it == to.parameters.end()) {
    pack.parameters.erase(change.subject);
  } else {
    pack.parameters.insert_or_assign(change.subject, it->second);
  }
  return pack;
}

}  // namespace kvittens::harness
