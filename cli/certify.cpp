// `kvittens certify lock`: requirement-by-requirement conformance of a receipt lock against
// docs/lock-profile.md, over BlueZ, with JSON / JUnit / HTML reports (docs/certification.md).
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "report/report.hpp"

#ifdef KVITTENS_CERTIFY
#include "harness/certify/certification_report.hpp"
#include "harness/certify/lock_certification.hpp"
#include "harness/certify/reference_lock.hpp"
#include "kvittens/lock_receipt.hpp"
#endif

namespace kvittens::cli {

#ifdef KVITTENS_CERTIFY
namespace {

struct CertifyLockOptions {
  std::string address;
  std::string key_file;
  std::string admin_key_file;
  int key_id = 1;
  int admin_key_id = 0xFFFE;
  std::string bus = "system";
  std::string adapter = "hci0";
  std::string report_dir;
  std::vector<std::string> faults;  // reference only: NAME or NAME=ARG
};

struct UsageError {
  std::string message;
};

// A key file: 64 hex digits (K is 32 bytes); blank lines and lines starting with '#' are
// skipped, spaces and ':' between digits allowed.
std::vector<std::uint8_t> read_key_file(const std::string& path, const char* option) {
  std::ifstream in(path);
  if (!in) throw UsageError{std::string(option) + ": cannot open '" + path + "'"};
  std::string hex, line;
  int lineno = 0, key_line = 0;
  while (std::getline(in, line)) {
    ++lineno;
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    if (key_line == 0) key_line = lineno;
    for (char c : line) {
      if (c == ' ' || c == '\t' || c == '\r' || c == ':') continue;
      hex.push_back(c);
    }
  }
  const auto key = lock_receipt::from_hex(hex);
  if (!key || key->size() != 32) {
    throw UsageError{path + ":" + std::to_string(key_line ? key_line : 1) + ":1: " + option +
                     ": expected a 32-byte key as 64 hex digits, found " +
                     std::to_string(hex.size()) + " characters" +
                     (key ? "" : " that are not all hex digits")};
  }
  return *key;
}

std::vector<std::pair<emu::LockFault, std::int64_t>> parse_faults(
    const std::vector<std::string>& specs) {
  std::vector<std::pair<emu::LockFault, std::int64_t>> out;
  for (const auto& spec : specs) {
    const auto eq = spec.find('=');
    const auto name = spec.substr(0, eq);
    const auto fault = emu::parse_lock_fault(name);
    if (!fault) {
      std::string all;
      for (auto f : emu::all_lock_faults())
        all += std::string(all.empty() ? "" : ", ") + to_string(f);
      throw UsageError{"--fault: unknown fault '" + name + "' (one of: " + all + ")"};
    }
    std::int64_t arg = 0;
    if (eq != std::string::npos) {
      try {
        std::size_t used = 0;
        arg = std::stoll(spec.substr(eq + 1), &used);
        if (used != spec.size() - eq - 1) throw std::invalid_argument("trailing");
      } catch (const std::exception&) {
        throw UsageError{"--fault " + spec + ": the argument after '=' must be an integer"};
      }
    }
    out.emplace_back(*fault, arg);
  }
  return out;
}

void print_console(const certify::Certification& cert, bool color) {
  const auto paint = [&](const char* code, const std::string& s) {
    return color ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
  };
  std::printf("kvittens certify lock %s (%s)\n", cert.lock.c_str(), cert.target.c_str());
  for (const auto& r : cert.results) {
    std::string verdict = certify::to_string(r.verdict);
    for (auto& ch : verdict) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    const char* code = r.verdict == certify::Verdict::Pass   ? "32"
                       : r.verdict == certify::Verdict::Fail ? "31"
                                                             : "33";
    char head[64];
    std::snprintf(head, sizeof head, "%-8s", verdict.c_str());
    std::printf("  %s %-10s %s%s (%.0f ms)\n", paint(code, head).c_str(), r.requirement.id.c_str(),
                r.requirement.title.c_str(), r.requirement.mandatory ? "" : " [optional]",
                r.seconds * 1000);
    if (!r.reason.empty()) std::printf("           %s\n", r.reason.c_str());
  }
  int pass = 0;
  for (const auto& r : cert.results) pass += r.verdict == certify::Verdict::Pass;
  std::printf(
      "%s: %d of %zu requirements pass, %.2f s\n",
      cert.passed() ? paint("32", "CERTIFIED").c_str() : paint("31", "NOT CERTIFIED").c_str(), pass,
      cert.results.size(), cert.seconds);
}

int run_certify_lock(const CertifyLockOptions& o) {
  try {
    const bool reference = o.address.empty();
    if (!reference && !o.faults.empty()) {
      throw UsageError{"--fault injects into the reference lock; it needs no --address"};
    }
    if (!reference && o.key_file.empty()) {
      throw UsageError{"--key-file is required with --address"};
    }
    if (!reference && !lock_receipt::parse_address(o.address)) {
      throw UsageError{"--address " + o.address + " is not a BLE address (AA:BB:CC:DD:EE:01)"};
    }
    if (o.key_id <= 0 || o.key_id > 0xFFFF || o.admin_key_id <= 0 || o.admin_key_id > 0xFFFF) {
      throw UsageError{"--key-id and --admin-key-id must be 1–65535 (0 is reserved, LP-KEY-3)"};
    }
    std::optional<std::vector<std::uint8_t>> key, admin;
    if (!o.key_file.empty()) key = read_key_file(o.key_file, "--key-file");
    if (!o.admin_key_file.empty()) admin = read_key_file(o.admin_key_file, "--admin-key-file");

    certify::Certification cert;
    if (reference) {
      certify::ReferenceLockOptions ro;
      if (key) ro.key = *key;
      if (admin) ro.admin_key = *admin;
      ro.faults = parse_faults(o.faults);
      certify::ReferenceLock lock(ro);
      auto co = lock.certify_options();
      co.key_id = static_cast<std::uint16_t>(o.key_id);
      co.admin_key_id = static_cast<std::uint16_t>(o.admin_key_id);
      if (!o.faults.empty()) {
        std::string f;
        for (const auto& s : o.faults) f += (f.empty() ? "" : ", ") + s;
        co.target += " with vendor defects: " + f;
      }
      cert = certify::certify_lock(co, lock);
    } else {
      certify::LockCertifyOptions co;
      co.address = o.address;
      co.bus = o.bus == "system" ? "" : o.bus;
      co.adapter = o.adapter;
      co.key = *key;
      co.key_id = static_cast<std::uint16_t>(o.key_id);
      co.admin_key = admin;
      co.admin_key_id = static_cast<std::uint16_t>(o.admin_key_id);
      certify::WallBench bench;
      cert = certify::certify_lock(co, bench);
    }
    print_console(cert, harness::console_wants_color(STDOUT_FILENO));
    if (!o.report_dir.empty()) {
      certify::write_reports(cert, o.report_dir);
      std::printf("reports: %s/report.html, report.json, junit.xml\n", o.report_dir.c_str());
    }
    if (cert.setup_error) {
      std::fprintf(stderr, "kvittens certify lock: %s\n", cert.setup_error->c_str());
      return kUsage;
    }
    return cert.passed() ? kOk : kChecksFailed;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "kvittens certify lock: %s\n", e.message.c_str());
    return kUsage;
  }
}

}  // namespace
#endif

void add_certify(CLI::App& app, int& exit_code) {
  auto* certify = app.add_subcommand("certify", "Certify a device against its profile");
  certify->require_subcommand(1);
#ifdef KVITTENS_CERTIFY
  auto o = std::make_shared<CertifyLockOptions>();
  auto* cmd = certify->add_subcommand(
      "lock",
      "Certify a BLE receipt lock against docs/lock-profile.md over BlueZ, requirement by "
      "requirement (docs/certification.md). Without --address: the emulated reference lock.\n"
      "Exit codes: 0 every mandatory requirement passes, 1 one does not, 2 usage or bench "
      "error (bad key file, no bus, lock not found).");
  cmd->add_option("--address", o->address, "the lock's BLE address, AA:BB:CC:DD:EE:01");
  cmd->add_option("--key-file", o->key_file, "file with the lock key K_L (64 hex digits)");
  cmd->add_option("--admin-key-file", o->admin_key_file,
                  "file with the admin key K_A (64 hex digits); without it the admin "
                  "requirements are not run and the lock is not certified");
  cmd->add_option("--key-id", o->key_id, "staff key id for K_L commands (default 1)");
  cmd->add_option("--admin-key-id", o->admin_key_id, "key id for K_A commands (default 65534)");
  cmd->add_option("--bus", o->bus, "'system' (default) or a D-Bus address");
  cmd->add_option("--adapter", o->adapter, "BlueZ adapter (default hci0)");
  cmd->add_option("--report", o->report_dir,
                  "directory for report.html, report.json and junit.xml");
  cmd->add_option("--fault", o->faults,
                  "reference only: inject a vendor defect NAME[=ARG] (repeatable), e.g. "
                  "replay-accepted, no-auto-relock, clock-drift=3600");
  cmd->callback([o, &exit_code] { exit_code = run_certify_lock(*o); });
#else
  (void)exit_code;
#endif
}

}  // namespace kvittens::cli
