// Unlock latency through the whole BLE path (BluezLock -> sdbus-c++ -> private dbus-daemon ->
// emulated BlueZ -> emulated lock and back: discovery lookup, Connect, GATT writes/reads,
// Disconnect), against the raw D-Bus method-call round trip to the same peer in the same run.
#include <benchmark/benchmark.h>

#include <sdbus-c++/sdbus-c++.h>
#include <memory>

#include "drivers/ble/bluez_lock.hpp"
#include "drivers/ble/bluez_names.hpp"
#include "kvittens/lock_receipt.hpp"
#include "sim/emu/bluez/emulated_bluez.hpp"
#include "sim/emu/bluez/private_bus.hpp"

namespace {

using namespace std::chrono_literals;
constexpr const char* kLock = "AA:BB:CC:DD:EE:01";

class WallClock final : public kvittens::Clock {
 public:
  kvittens::Instant now() const override {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }
};

// One bus and one emulated BlueZ for every benchmark of the run.
struct Rig {
  Rig() : bluez(bus.address(), clock) {
    kvittens::emu::LockConfig c;
    c.address = kLock;
    c.key = key;
    c.log_capacity = 10'000'000;  // every iteration logs an entry
    bluez.add_lock(c);
  }
  std::vector<std::uint8_t> key = std::vector<std::uint8_t>(32, 0x42);
  kvittens::emu::PrivateBus bus;
  WallClock clock;
  kvittens::emu::EmulatedBluez bluez;
};

Rig& rig() {
  static Rig r;
  return r;
}

void RawDbusPing(benchmark::State& state) {
  auto connection = sdbus::createSessionBusConnectionWithAddress(rig().bus.address());
  auto peer =
      sdbus::createProxy(*connection, kvittens::bluez::kService, kvittens::bluez::kRootPath);
  for (auto _ : state) {
    peer->callMethod("Ping").onInterface("org.freedesktop.DBus.Peer");
  }
}
BENCHMARK(RawDbusPing)->Unit(benchmark::kMicrosecond);

void DriverUnlock(benchmark::State& state) {
  kvittens::ble::BluezLockOptions o;
  o.address = kLock;
  kvittens::ble::BluezLock lock(kvittens::ble::open_bus(rig().bus.address()), o);
  const kvittens::LockCredential staff{kLock, 12, rig().key};
  for (auto _ : state) {
    auto receipt = lock.unlock(staff, 5s);
    benchmark::DoNotOptimize(receipt);
  }
}
BENCHMARK(DriverUnlock)->Unit(benchmark::kMicrosecond);

void DriverStatus(benchmark::State& state) {
  kvittens::ble::BluezLockOptions o;
  o.address = kLock;
  kvittens::ble::BluezLock lock(kvittens::ble::open_bus(rig().bus.address()), o);
  for (auto _ : state) benchmark::DoNotOptimize(lock.status(5s));
}
BENCHMARK(DriverStatus)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
