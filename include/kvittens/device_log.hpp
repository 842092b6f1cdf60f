// The per-device interaction log: what crossed a real transport (PN532 frames on the serial
// line, D-Bus calls/replies/errors/signals to the lock, HTTP requests to the backend), one
// entry per crossing, recorded by the drivers and clients that own those transports. The
// log never sees names, notes or other personal data: drivers record frames, D-Bus members
// and short argument forms, and the HTTP client records method, path, status and the
// registration id only.
//
// Drivers know nothing about scenarios; the harness stamps each entry with the scenario
// step and scenario time it is in (set_context) before it reaches the sink.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kvittens/time.hpp"

namespace kvittens {

struct DeviceLogEntry {
  // Filled by the recorder (driver / client):
  std::string device;     // "nfc:pn532_uart:/dev/pts/5", "lock:AA:BB:CC:DD:EE:01", "backend:http"
  std::string transport;  // "pn532", "dbus", "http"
  std::string direction;  // pn532: "host>reader" | "reader>host"; dbus: "call" | "reply" |
                          // "error" | "signal"; http: "request" | "response" | "failure"
  std::string what;       // decoded name: "InListPassiveTarget", "org.bluez.Device1.Connect",
                          // "POST /v1/registrations"
  std::string detail;     // hex of a frame, short D-Bus arguments, "status=201 id=r-17"
  std::string verdict;    // "ok", "bad checksum", D-Bus error name, HTTP status class ...
  std::chrono::system_clock::time_point wall{};
  // Filled by DeviceLog from its context:
  std::string step;  // "s3 start_visit v1" (empty outside a scenario step)
  std::optional<Instant> scenario_time;
  std::uint64_t seq = 0;  // order of arrival in this log, from 1
};

// Thread-safe collector; one per scenario run (or per certification session).
class DeviceLog {
 public:
  // Step label and scenario time stamped on every entry recorded from now on.
  void set_context(std::string step, std::optional<Instant> scenario_time);
  void record(DeviceLogEntry entry);
  std::vector<DeviceLogEntry> entries() const;

 private:
  mutable std::mutex mutex_;
  std::string step_;
  std::optional<Instant> scenario_time_;
  std::vector<DeviceLogEntry> entries_;
};

}  // namespace kvittens
