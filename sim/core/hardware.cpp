#include "sim/core/hardware.hpp"

namespace kvittens::sim {

const char* to_string(LockCondition c) {
  switch (c) {
    case LockCondition::OutOfRange:
      return "out-of-range";
    case LockCondition::DisconnectDuringUnlock:
      return "disconnect-during-unlock";
    case LockCondition::NoResponse:
      return "no-response";
    case LockCondition::WrongKey:
      return "wrong-key";
    case LockCondition::LogFull:
      return "log-full";
    case LockCondition::ReplayLastEntry:
      return "replay-last-entry";
    case LockCondition::BadMac:
      return "bad-mac";
    case LockCondition::LowBattery:
      return "low-battery";
    case LockCondition::ClockDrift:
      return "clock-drift";
  }
  return "?";
}

std::optional<LockCondition> parse_lock_condition(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(LockCondition::ClockDrift); ++i) {
    const auto c = static_cast<LockCondition>(i);
    if (name == to_string(c)) return c;
  }
  return std::nullopt;
}

std::optional<LockCondition> lock_condition_for(DeviceErrorCode error) {
  switch (error) {
    case DeviceErrorCode::NotFound:
      return LockCondition::OutOfRange;
    case DeviceErrorCode::Disconnected:
      return LockCondition::DisconnectDuringUnlock;
    case DeviceErrorCode::Timeout:
      return LockCondition::NoResponse;
    case DeviceErrorCode::NotPermitted:
      return LockCondition::WrongKey;
    case DeviceErrorCode::Failed:
      return LockCondition::LogFull;
    case DeviceErrorCode::Protocol:
      return LockCondition::BadMac;
    default:
      return std::nullopt;
  }
}

bool nfc_reader_can_fail_with(DeviceErrorCode error) {
  switch (error) {
    case DeviceErrorCode::NoDevice:
    case DeviceErrorCode::NoTag:
    case DeviceErrorCode::TagRemoved:
    case DeviceErrorCode::Timeout:
    case DeviceErrorCode::Protocol:
    case DeviceErrorCode::Disconnected:
      return true;
    default:
      return false;
  }
}

}  // namespace kvittens::sim
