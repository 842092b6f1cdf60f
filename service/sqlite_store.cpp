// SQLite store. Durability: WAL journal with synchronous=FULL — in WAL mode NORMAL only
// syncs at checkpoints, so a commit acknowledged just before a power cut could be lost;
// FULL syncs the WAL at every commit, which is what "a 2xx means it is on disk" needs.
#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mutex>

#include "service/store.hpp"

namespace kvittens::service {
namespace {

// Migrations, in order: index i takes user_version i to i + 1. Never edit a shipped one.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE realms (
  id TEXT PRIMARY KEY,
  rules TEXT NOT NULL,
  token_sha256 TEXT NOT NULL DEFAULT ''
);
CREATE TABLE worlds (
  realm TEXT PRIMARY KEY REFERENCES realms(id),
  body TEXT NOT NULL
);
CREATE TABLE registrations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  realm TEXT NOT NULL REFERENCES realms(id),
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (realm, id)
);
CREATE TABLE frozen_decisions (
  realm TEXT NOT NULL REFERENCES realms(id),
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (realm, id)
);
)sql",
    // 2: ids scoped per provider (owner), and the digest of the body as first accepted.
    // Rows from version 1 belong to no provider ("") and get their digest on first read.
    R"sql(
CREATE TABLE registrations_v2 (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  realm TEXT NOT NULL REFERENCES realms(id),
  owner TEXT NOT NULL,
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  digest TEXT NOT NULL,
  UNIQUE (realm, owner, id)
);
INSERT INTO registrations_v2(seq, realm, owner, id, body, digest)
  SELECT seq, realm, '', id, body, '' FROM registrations;
DROP TABLE registrations;
ALTER TABLE registrations_v2 RENAME TO registrations;
CREATE TABLE frozen_decisions_v2 (
  realm TEXT NOT NULL REFERENCES realms(id),
  owner TEXT NOT NULL,
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (realm, owner, id)
);
INSERT INTO frozen_decisions_v2(realm, owner, id, body)
  SELECT realm, '', id, body FROM frozen_decisions;
DROP TABLE frozen_decisions;
ALTER TABLE frozen_decisions_v2 RENAME TO frozen_decisions;
)sql",
};

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
      throw StoreError(std::string("sqlite prepare: ") + sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, const std::string& s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // SQLITE_ROW: a row is ready; SQLITE_DONE; SQLITE_CONSTRAINT for a unique violation.
  int step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) return rc;
    if ((rc & 0xff) == SQLITE_CONSTRAINT) return SQLITE_CONSTRAINT;
    throw StoreError(std::string("sqlite step: ") + sqlite3_errmsg(db_));
  }
  void run() {
    if (step() == SQLITE_CONSTRAINT) throw StoreError("sqlite: constraint violated");
  }
  std::string text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::filesystem::path& file) {
    create_private(file);
    if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
      const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw StoreError("cannot open " + file.string() + ": " + why);
    }
    try {
      sqlite3_busy_timeout(db_, 5000);
      exec("PRAGMA journal_mode=WAL");
      exec("PRAGMA synchronous=FULL");
      exec("PRAGMA foreign_keys=ON");
      exec("PRAGMA secure_delete=ON");  // a purged note is overwritten, not left in free pages
      migrate();
    } catch (...) {
      sqlite3_close(db_);  // the destructor does not run for a throwing constructor
      throw;
    }
  }
  ~SqliteStore() override { sqlite3_close(db_); }

  std::vector<RealmRecord> realms() override {
    std::lock_guard lock(mu_);
    Statement s(db_, "SELECT id, rules, token_sha256 FROM realms ORDER BY id");
    std::vector<RealmRecord> out;
    while (s.step() == SQLITE_ROW) out.push_back({s.text(0), s.text(1), s.text(2)});
    return out;
  }

  void add_realm(const RealmRecord& r) override {
    std::lock_guard lock(mu_);
    Statement s(db_,
                "INSERT INTO realms(id, rules, token_sha256) VALUES(?1, ?2, ?3) "
                "ON CONFLICT(id) DO UPDATE SET rules = excluded.rules");
    s.bind(1, r.id).bind(2, r.rules).bind(3, r.token_sha256).run();
  }

  std::optional<std::string> world(const std::string& realm) override {
    std::lock_guard lock(mu_);
    Statement s(db_, "SELECT body FROM worlds WHERE realm = ?1");
    s.bind(1, realm);
    if (s.step() == SQLITE_ROW) return s.text(0);
    return std::nullopt;
  }

  void put_world(const std::string& realm, const std::string& body) override {
    std::lock_guard lock(mu_);
    Statement s(db_,
                "INSERT INTO worlds(realm, body) VALUES(?1, ?2) "
                "ON CONFLICT(realm) DO UPDATE SET body = excluded.body");
    s.bind(1, realm).bind(2, body).run();
  }

  bool add_registration(const std::string& realm, const StoredRegistration& r) override {
    std::lock_guard lock(mu_);
    Statement s(db_,
                "INSERT INTO registrations(realm, owner, id, body, digest) "
                "VALUES(?1, ?2, ?3, ?4, ?5)");
    return s.bind(1, realm)
               .bind(2, r.key.owner)
               .bind(3, r.key.id)
               .bind(4, r.body)
               .bind(5, r.digest)
               .step() == SQLITE_DONE;
  }

  std::vector<StoredRegistration> registrations(const std::string& realm) override {
    std::lock_guard lock(mu_);
    Statement s(db_,
                "SELECT owner, id, body, digest FROM registrations WHERE realm = ?1 ORDER BY seq");
    s.bind(1, realm);
    std::vector<StoredRegistration> out;
    while (s.step() == SQLITE_ROW) out.push_back({{s.text(0), s.text(1)}, s.text(2), s.text(3)});
    return out;
  }

  std::map<RegistrationKey, std::string> frozen_decisions(const std::string& realm) override {
    std::lock_guard lock(mu_);
    Statement s(db_, "SELECT owner, id, body FROM frozen_decisions WHERE realm = ?1");
    s.bind(1, realm);
    std::map<RegistrationKey, std::string> out;
    while (s.step() == SQLITE_ROW) out.emplace(RegistrationKey{s.text(0), s.text(1)}, s.text(2));
    return out;
  }

  void purge_notes(const std::string& realm, const std::vector<StoredRegistration>& purged,
                   const std::map<RegistrationKey, std::string>& frozen) override {
    std::lock_guard lock(mu_);
    exec("BEGIN IMMEDIATE");
    try {
      for (const auto& [key, body] : frozen) {
        Statement s(db_,
                    "INSERT OR IGNORE INTO frozen_decisions(realm, owner, id, body) "
                    "VALUES(?1, ?2, ?3, ?4)");
        s.bind(1, realm).bind(2, key.owner).bind(3, key.id).bind(4, body).run();
      }
      for (const auto& r : purged) {
        Statement s(
            db_, "UPDATE registrations SET body = ?4 WHERE realm = ?1 AND owner = ?2 AND id = ?3");
        s.bind(1, realm).bind(2, r.key.owner).bind(3, r.key.id).bind(4, r.body).run();
      }
      exec("COMMIT");
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    // secure_delete overwrote the old text in the pages; the checkpoint moves them out of the
    // -wal, where the previous versions would otherwise stay readable until the next one.
    exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }

 private:
  // The file exists before SQLite opens it, readable by its owner only: SQLite gives -wal and
  // -shm the database's permissions.
  static void create_private(const std::filesystem::path& file) {
    if (file.empty() || file == ":memory:") return;
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return;  // sqlite3_open_v2 reports why
    ::fchmod(fd, 0600);
    ::close(fd);
  }

  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      const std::string why = err ? err : "unknown error";
      sqlite3_free(err);
      throw StoreError(std::string("sqlite: ") + why);
    }
  }

  int user_version() {
    Statement s(db_, "PRAGMA user_version");
    s.step();
    return std::stoi(s.text(0));
  }

  void migrate() {
    const int latest = sqlite_schema_version();
    int v = user_version();
    if (v > latest)
      throw StoreError("the database has schema version " + std::to_string(v) +
                       ", newer than this build's " + std::to_string(latest));
    for (; v < latest; ++v) {
      exec("BEGIN IMMEDIATE");
      try {
        exec(kMigrations[v]);
        exec(("PRAGMA user_version = " + std::to_string(v + 1)).c_str());
        exec("COMMIT");
      } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    }
  }

  std::mutex mu_;
  sqlite3* db_ = nullptr;
};

}  // namespace

int sqlite_schema_version() {
  return static_cast<int>(std::size(kMigrations));
}

std::unique_ptr<Store> open_sqlite_store(const std::filesystem::path& file) {
  return std::make_unique<SqliteStore>(file);
}

}  // namespace kvittens::service
