#include "harness/lab/lab_operator.hpp"

#include <algorithm>
#include <cctype>
#include <ostream>

namespace kvittens::harness {
namespace {

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Placement place_tag(const LabFile& lab, const std::vector<sim::Door>& doors,
                    const std::string& staff, const sim::TagOnDoor& tag) {
  Placement p;
  p.scenario_uid = tag.uid;
  p.real_uid = tag.uid;
  const sim::Door* door = nullptr;
  for (const auto& d : doors) {
    const bool here = std::any_of(d.tags.begin(), d.tags.end(),
                                  [&](const sim::TagOnDoor& t) { return t.uid == tag.uid; });
    if (here) {
      door = &d;
      break;
    }
  }
  p.door = door ? door->id : "?";
  const LabDoor* lab_door = nullptr;
  for (const auto& d : lab.doors) {
    if (d.door == p.door) lab_door = &d;
  }
  if (lab_door && !lab_door->tag.empty()) p.real_uid = lab_door->tag;
  if (lab_door && !lab_door->reader.empty()) {
    p.reader = lab_door->reader;
  } else {
    for (const auto& ph : lab.phones) {
      if (ph.staff == staff) p.reader = ph.reader;
    }
  }
  if (p.reader.empty()) {
    throw LabError(lab.file + " has no NFC reader for " + staff + "'s phone or door " + p.door);
  }
  return p;
}

void LabOperator::present(const std::string& staff, const Placement& p) {
  placed_[staff] = p;
  prompts_ << "kvittens lab: " << staff << " at door " << p.door << ": present sticker "
           << p.real_uid << " to reader " << p.reader << " (within " << lab_.present_timeout.count()
           << " ms)" << std::endl;
}

void LabOperator::take_away(const std::string& staff) {
  const auto it = placed_.find(staff);
  if (it == placed_.end()) return;
  prompts_ << "kvittens lab: take sticker " << it->second.real_uid << " away from reader "
           << it->second.reader << std::endl;
  placed_.erase(it);
}

void LabOperator::keep_empty(const std::string& staff, int count) {
  empty_reads_[staff] += count;
}

TagRead LabOperator::read(const std::string& staff, LabNfcReaders& readers,
                          std::chrono::milliseconds timeout) {
  const auto it = placed_.find(staff);
  if (it == placed_.end()) throw LabError("nothing was presented to " + staff + "'s phone");
  const Placement& p = it->second;
  auto& driver = readers.at(p.reader);
  if (auto e = empty_reads_.find(staff); e != empty_reads_.end() && e->second > 0) {
    --e->second;
    prompts_ << "kvittens lab: keep reader " << p.reader << " empty for the next read" << std::endl;
    return driver.read_tag(timeout);  // the driver's own NoTag
  }
  TagRead tag;
  try {
    tag = driver.read_tag(std::max(timeout, lab_.present_timeout));
  } catch (const DeviceError& e) {
    if (e.code() != DeviceErrorCode::NoTag) throw;
    throw LabError("nobody presented sticker " + p.real_uid + " to reader " + p.reader +
                   " within " + std::to_string(lab_.present_timeout.count()) + " ms");
  }
  // The real sticker stands for the scenario's tag at that door.
  if (upper(tag.uid) == upper(p.real_uid)) tag.uid = p.scenario_uid;
  return tag;
}

}  // namespace kvittens::harness
