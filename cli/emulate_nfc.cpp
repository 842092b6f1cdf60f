// `kvittens emulate nfc`: a PN532 reader on a pseudo-terminal with NTAG tags in its field,
// for libnfc's own tools or the driver. Runs until SIGINT/SIGTERM.
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "sim/emu/pn532/emulator.hpp"

namespace kvittens::cli {
namespace {

namespace pn532 = kvittens::emu::pn532;

struct EmulateNfcOptions {
  std::vector<std::string> tags;
  std::string type = "ntag213";
  std::string text;  // NDEF text; default: the tag's UID
  std::string uri;   // NDEF URI instead of text
};

int emulate_nfc(const EmulateNfcOptions& o) {
  const auto type = pn532::parse_ntag_type(o.type);
  if (!type) {
    std::fprintf(stderr, "kvittens emulate nfc: unknown tag type '%s' (ntag213|ntag215|ntag216)\n",
                 o.type.c_str());
    return kUsage;
  }
  std::vector<pn532::Ntag> tags;
  for (const auto& text : o.tags) {
    const auto uid = pn532::parse_uid(text);
    if (!uid) {
      std::fprintf(stderr,
                   "kvittens emulate nfc: '%s' is not a 7-byte UID like 04:A1:B2:C3:D4:E5:80\n",
                   text.c_str());
      return kUsage;
    }
    try {
      if (!o.uri.empty()) {
        tags.emplace_back(*uid, *type, pn532::ndef_uri_message(o.uri));
      } else if (!o.text.empty()) {
        tags.emplace_back(*uid, *type, pn532::ndef_text_message(o.text));
      } else {
        tags.push_back(pn532::Ntag::with_id_text(*uid, *type));
      }
    } catch (const std::invalid_argument& e) {
      std::fprintf(stderr, "kvittens emulate nfc: %s\n", e.what());
      return kUsage;
    }
  }

  // Block the stop signals before the emulator starts its thread, so only sigwait sees them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  pn532::Emulator emulator;
  for (auto& tag : tags) {
    const auto uid = tag.uid();
    emulator.add_tag(std::move(tag));
    emulator.place_tag(uid);
    std::printf("tag %s (%s) in the field\n", pn532::format_uid(uid).c_str(), o.type.c_str());
  }
  std::printf("PN532 emulator on %s\n", emulator.connstring().c_str());
  std::printf("export LIBNFC_DEVICE=%s\n", emulator.connstring().c_str());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop, &signal_number);
  std::printf("stopping on signal %d\n", signal_number);
  return kOk;
}

}  // namespace

void add_emulate_nfc(CLI::App& emulate, int& exit_code) {
  auto options = std::make_shared<EmulateNfcOptions>();
  auto* cmd = emulate.add_subcommand(
      "nfc",
      "Emulated PN532 reader (libnfc pn532_uart) on a pseudo-terminal with NTAG tags in its "
      "field;\n"
      "prints the connstring for LIBNFC_DEVICE and runs until SIGINT/SIGTERM");
  cmd->add_option("--tag", options->tags, "UID of a tag in the field, e.g. 04:A1:B2:C3:D4:E5:80")
      ->required();
  cmd->add_option("--type", options->type, "ntag213 | ntag215 | ntag216")->capture_default_str();
  auto* text =
      cmd->add_option("--text", options->text, "NDEF text record (default: the tag's UID)");
  cmd->add_option("--uri", options->uri, "NDEF URI record instead of text")->excludes(text);
  cmd->callback([options, &exit_code] { exit_code = emulate_nfc(*options); });
}

}  // namespace kvittens::cli
