// Names of the model's enumerations and registration ids.
#include "kvittens/model.hpp"

#include "kvittens/devices.hpp"

namespace kvittens {

const char* to_string(ServiceType v) {
  return v == ServiceType::Hemtjanst ? "hemtjanst" : "boendestod";
}

const char* to_string(ReceiptKind v) {
  switch (v) {
    case ReceiptKind::None:
      return "none";
    case ReceiptKind::Nfc:
      return "nfc";
    case ReceiptKind::Lock:
      return "lock";
  }
  return "?";
}

const char* to_string(InsatsStatus v) {
  switch (v) {
    case InsatsStatus::Ordered:
      return "ordered";
    case InsatsStatus::Extra:
      return "extra";
    case InsatsStatus::Declined:
      return "declined";
  }
  return "?";
}

const char* to_string(Place v) {
  switch (v) {
    case Place::Door:
      return "door";
    case Place::Outside:
      return "outside";
    case Place::Pickup:
      return "pickup";
  }
  return "?";
}

namespace {
constexpr NoteAbout kNoteAbouts[] = {NoteAbout::Receipt, NoteAbout::OverTime, NoteAbout::Extra,
                                     NoteAbout::Assessment};
}

const char* to_string(NoteAbout v) {
  switch (v) {
    case NoteAbout::Receipt:
      return "receipt";
    case NoteAbout::OverTime:
      return "over_time";
    case NoteAbout::Extra:
      return "extra";
    case NoteAbout::Assessment:
      return "assessment";
  }
  return "?";
}

std::optional<NoteAbout> note_about_from(std::string_view s) {
  for (const auto a : kNoteAbouts)
    if (s == to_string(a)) return a;
  return std::nullopt;
}

bool documents(const Visit& v, NoteAbout what) {
  return !v.note.empty() &&
         (v.note_about == 0 || (v.note_about & static_cast<std::uint8_t>(what)) != 0);
}

std::vector<std::string> note_about_names(std::uint8_t bits) {
  std::vector<std::string> out;
  for (const auto a : kNoteAbouts)
    if (bits & static_cast<std::uint8_t>(a)) out.emplace_back(to_string(a));
  return out;
}

const char* to_string(DecisionState v) {
  switch (v) {
    case DecisionState::Approved:
      return "approved";
    case DecisionState::Reduced:
      return "reduced";
    case DecisionState::Rejected:
      return "rejected";
  }
  return "?";
}

const char* to_string(DeviceErrorCode v) {
  switch (v) {
    case DeviceErrorCode::NoDevice:
      return "no-device";
    case DeviceErrorCode::NoTag:
      return "no-tag";
    case DeviceErrorCode::TagRemoved:
      return "tag-removed";
    case DeviceErrorCode::Timeout:
      return "timeout";
    case DeviceErrorCode::Protocol:
      return "protocol";
    case DeviceErrorCode::Disconnected:
      return "disconnected";
    case DeviceErrorCode::NotFound:
      return "not-found";
    case DeviceErrorCode::NotPermitted:
      return "not-permitted";
    case DeviceErrorCode::Busy:
      return "busy";
    case DeviceErrorCode::Failed:
      return "failed";
  }
  return "?";
}

std::string registration_id(const Registration& r) {
  struct {
    std::string operator()(const Visit& v) const { return v.id; }
    std::string operator()(const DoubleStaffing& v) const { return v.id; }
    std::string operator()(const SharedInsats& v) const { return v.id; }
    std::string operator()(const DeclinedVisit& v) const { return v.id; }
    std::string operator()(const Absence& v) const { return v.id; }
    std::string operator()(const ShiftApproval& v) const { return "approval:" + v.shift; }
    std::string operator()(const Payment& v) const { return "payment:" + v.visit; }
    std::string operator()(const VisitEdit& v) const { return v.id; }
  } id;
  return std::visit(id, r);
}

bool apply_edit(Registrations& regs, const VisitEdit& e) {
  for (auto& v : regs.visits) {
    if (v.id != e.visit) continue;
    v.edit = e.edit;
    return true;
  }
  return false;
}

const Stamp& SharedStamp::empty() {
  static const Stamp none;
  return none;
}

}  // namespace kvittens
