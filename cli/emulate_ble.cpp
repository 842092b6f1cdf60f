// `kvittens emulate ble`: a private dbus-daemon with the emulated BlueZ and its receipt locks,
// for bluetoothctl, the BLE driver or a phone simulator to talk to (docs/ble-emulator.md).
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "kvittens/lock_receipt.hpp"
#include "sim/emu/bluez/emulated_bluez.hpp"
#include "sim/emu/bluez/private_bus.hpp"

namespace kvittens::cli {
namespace {

// Lock time follows the wall clock when the emulator runs on its own.
class WallClock final : public Clock {
 public:
  Instant now() const override {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }
};

struct EmulateBleOptions {
  std::vector<std::string> locks;
  std::string key_hex;
  std::string admin_key_hex;
  std::string config = emu::PrivateBus::default_config();
};

int run_emulate_ble(const EmulateBleOptions& o) {
  auto key = lock_receipt::from_hex(o.key_hex);
  auto admin = lock_receipt::from_hex(o.admin_key_hex.empty() ? o.key_hex : o.admin_key_hex);
  if (!key || key->size() != 32 || !admin || admin->size() != 32) {
    std::fprintf(stderr, "kvittens emulate ble: --key/--admin-key must be 64 hex digits\n");
    return kUsage;
  }
  for (const auto& a : o.locks) {
    if (!lock_receipt::parse_address(a)) {
      std::fprintf(stderr, "kvittens emulate ble: --lock %s is not a BLE address\n", a.c_str());
      return kUsage;
    }
  }
  // Blocked before any thread starts, so every thread inherits it and sigtimedwait gets it.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  WallClock clock;
  emu::PrivateBus bus(o.config);
  emu::EmulatedBluez bluez(bus.address(), clock);
  for (const auto& a : o.locks) {
    emu::LockConfig config;
    config.address = a;
    config.key = *key;
    config.admin_key = *admin;
    std::printf("# lock %s at %s\n", a.c_str(), bluez.add_lock(config).c_str());
  }
  std::printf("export DBUS_SYSTEM_BUS_ADDRESS=%s\n", bus.address().c_str());
  std::printf(
      "# control: busctl --address=$DBUS_SYSTEM_BUS_ADDRESS introspect org.bluez /org/bluez\n");
  std::fflush(stdout);
  const timespec second{1, 0};
  while (true) {
    const int sig = sigtimedwait(&stop, nullptr, &second);
    if (sig == SIGINT || sig == SIGTERM) break;
    bluez.tick();  // auto-relock on the wall clock
  }
  return kOk;
}

}  // namespace

void add_emulate_ble(CLI::App& emulate, int& exit_code) {
  auto options = std::make_shared<EmulateBleOptions>();
  options->key_hex = "4242424242424242424242424242424242424242424242424242424242424242";
  auto* cmd = emulate.add_subcommand(
      "ble", "Emulated BlueZ with receipt locks on a private D-Bus (prints the bus address)");
  cmd->add_option("--lock", options->locks, "BLE address of an emulated lock (repeatable)")
      ->required();
  cmd->add_option("--key", options->key_hex, "lock key K_L, 64 hex digits (default 42..42)");
  cmd->add_option("--admin-key", options->admin_key_hex, "admin key K_A (default: the lock key)");
  cmd->add_option("--bus-config", options->config, "dbus-daemon busconfig");
  cmd->callback([options, &exit_code] {
    try {
      exit_code = run_emulate_ble(*options);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "kvittens emulate ble: %s\n", e.what());
      exit_code = kChecksFailed;
    }
  });
}

}  // namespace kvittens::cli
