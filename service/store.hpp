// The service's durable store: realms (the default deployment, or one sandbox per test run),
// the world Combine last sent, registrations in arrival order keyed by their id, and the
// decisions frozen when notes were purged. Bodies are the API's JSON text (wire/,
// docs/backend-api.yaml), so the store knows nothing of the model. SQLite is the embedded
// default; the interface is small so a PostgreSQL store can sit behind it later.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace kvittens::service {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RealmRecord {
  std::string id;            // "default", or "sb-…" for a sandbox
  std::string rules;         // PACK@VERSION the realm is judged under
  std::string token_sha256;  // sandbox token (hashed); empty for the default realm
};

// A registration's key in its realm: ids are scoped per provider, so two providers may use
// the same id without meeting.
struct RegistrationKey {
  std::string owner;  // the provider it belongs to; "" when none (or stored before owners)
  std::string id;
  auto operator<=>(const RegistrationKey&) const = default;
};

struct StoredRegistration {
  RegistrationKey key;
  std::string body;    // {KIND: {...}}, canonical encoding; notes purged after 180 days
  std::string digest;  // SHA-256 of the body as first accepted, so idempotency outlives a purge
};

class Store {
 public:
  virtual ~Store() = default;
  virtual std::vector<RealmRecord> realms() = 0;
  virtual void add_realm(const RealmRecord& realm) = 0;
  virtual std::optional<std::string> world(const std::string& realm) = 0;
  virtual void put_world(const std::string& realm, const std::string& body) = 0;
  // Durable when it returns true; false when (realm, owner, id) is already stored (nothing
  // written).
  virtual bool add_registration(const std::string& realm, const StoredRegistration& r) = 0;
  // In arrival order.
  virtual std::vector<StoredRegistration> registrations(const std::string& realm) = 0;
  // The decisions (JSON) frozen when their registrations' notes were purged.
  virtual std::map<RegistrationKey, std::string> frozen_decisions(const std::string& realm) = 0;
  // Seed 000 §2.1, atomically: decisions are frozen and the purged bodies replace the old
  // (digests stay). The purged text is overwritten on disk, not only unlinked.
  virtual void purge_notes(const std::string& realm,
                           const std::vector<StoredRegistration>& purged_bodies,
                           const std::map<RegistrationKey, std::string>& frozen) = 0;
};

// SQLite in WAL mode with synchronous=FULL: every commit is fsynced before it returns, so an
// acknowledged registration survives a crash or power loss. Migrates the schema
// (PRAGMA user_version) on open. The database (and so its -wal and -shm, which SQLite creates
// with the database's mode) is readable by its owner only: it holds names, notes and lock
// keys. Thread-safe (one connection behind a mutex).
std::unique_ptr<Store> open_sqlite_store(const std::filesystem::path& file);

// The schema version this build migrates to.
int sqlite_schema_version();

}  // namespace kvittens::service
