#include "service/store.hpp"

#include <sqlite3.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "serve_process.hpp"

namespace kvittens::service {
namespace {

std::string pragma(const std::filesystem::path& db, const char* sql) {
  sqlite3* raw = nullptr;
  sqlite3_open(db.c_str(), &raw);
  std::string out;
  sqlite3_exec(
      raw, sql,
      [](void* o, int, char** v, char**) {
        *static_cast<std::string*>(o) += v[0] ? v[0] : "";
        return 0;
      },
      &out, nullptr);
  sqlite3_close(raw);
  return out;
}

TEST(SqliteStore, ANewFileIsMigratedToTheLatestSchemaInWalMode) {
  testing::TempDir dir;
  const auto db = dir.path / "k.db";
  { auto store = open_sqlite_store(db); }
  EXPECT_EQ(pragma(db, "PRAGMA user_version"), std::to_string(sqlite_schema_version()));
  EXPECT_EQ(pragma(db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(pragma(db, "PRAGMA integrity_check"), "ok");
}

TEST(SqliteStore, ADatabaseFromANewerBuildIsRefused) {
  testing::TempDir dir;
  const auto db = dir.path / "k.db";
  { auto store = open_sqlite_store(db); }
  pragma(db, "PRAGMA user_version = 99");
  EXPECT_THROW(open_sqlite_store(db), StoreError);
}

TEST(SqliteStore, ARegistrationIdIsStoredOncePerProviderInArrivalOrder) {
  testing::TempDir dir;
  auto store = open_sqlite_store(dir.path / "k.db");
  store->add_realm({"a", "nacka-hemtjanst@3.0", ""});
  store->add_realm({"b", "nacka-hemtjanst@3.0", "hash"});
  EXPECT_TRUE(store->add_registration("a", {{"p1", "v2"}, "{}", "d1"}));
  EXPECT_TRUE(store->add_registration("a", {{"p1", "v1"}, "{}", "d2"}));
  EXPECT_FALSE(store->add_registration("a", {{"p1", "v2"}, "{\"other\":1}", "d3"}));
  EXPECT_TRUE(store->add_registration("a", {{"p2", "v2"}, "{}", "d4"}));  // another provider
  EXPECT_TRUE(store->add_registration("b", {{"p1", "v2"}, "{}", "d5"}));  // another realm
  const auto regs = store->registrations("a");
  ASSERT_EQ(regs.size(), 3u);
  EXPECT_EQ(regs[0].key, (RegistrationKey{"p1", "v2"}));
  EXPECT_EQ(regs[0].body, "{}");
  EXPECT_EQ(regs[0].digest, "d1");
  EXPECT_EQ(regs[1].key, (RegistrationKey{"p1", "v1"}));
  EXPECT_EQ(regs[2].key, (RegistrationKey{"p2", "v2"}));
}

TEST(SqliteStore, APurgeReplacesBodiesAndFreezesDecisionsTogether) {
  testing::TempDir dir;
  const auto db = dir.path / "k.db";
  {
    auto store = open_sqlite_store(db);
    store->add_realm({"a", "r", ""});
    store->add_registration("a", {{"p1", "v1"}, "with note", "digest"});
    store->add_registration("a", {{"p2", "v1"}, "p2's note", "digest2"});
    store->purge_notes("a", {{{"p1", "v1"}, "without note", "ignored"}},
                       {{{"p1", "v1"}, "decision"}});
  }
  auto store = open_sqlite_store(db);  // reopened: it is on disk
  const auto regs = store->registrations("a");
  EXPECT_EQ(regs.at(0).body, "without note");
  EXPECT_EQ(regs.at(0).digest, "digest");  // idempotency outlives the purge
  EXPECT_EQ(regs.at(1).body, "p2's note");
  EXPECT_EQ(store->frozen_decisions("a").at({"p1", "v1"}), "decision");
}

// Names, notes and lock keys: nobody but the service's user reads the files.
TEST(SqliteStore, TheDatabaseAndItsWalAreReadableByTheirOwnerOnly) {
  testing::TempDir dir;
  const auto db = dir.path / "k.db";
  const auto old_mask = ::umask(022);  // what a default shell gives
  auto store = open_sqlite_store(db);
  store->add_realm({"a", "r", ""});
  store->add_registration("a", {{"p1", "v1"}, "Astrid's note", "d"});
  ::umask(old_mask);
  for (const auto* suffix : {"", "-wal", "-shm"}) {
    const auto file = db.string() + suffix;
    ASSERT_TRUE(std::filesystem::exists(file)) << file;
    const auto perms = std::filesystem::status(file).permissions();
    EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
              std::filesystem::perms::none)
        << file;
  }
}

// After a purge the old text is neither in the database's free pages nor in its -wal.
TEST(SqliteStore, PurgedTextIsGoneFromTheFiles) {
  testing::TempDir dir;
  const auto db = dir.path / "k.db";
  auto store = open_sqlite_store(db);
  store->add_realm({"a", "r", ""});
  const std::string secret = "Astrid-fell-in-the-bathroom-7f3a";
  store->add_registration("a", {{"p1", "v1"}, "{\"note\":\"" + secret + "\"}", "d"});
  store->purge_notes("a", {{{"p1", "v1"}, "{}", "d"}}, {});
  for (const auto* suffix : {"", "-wal"}) {
    std::ifstream in(db.string() + suffix, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(secret), std::string::npos) << suffix;
  }
}

// A database from schema 1 (ids per realm) opens: its rows belong to no provider.
TEST(SqliteStore, RowsFromSchemaOneAreKeptWithoutAnOwner) {
  testing::TempDir dir;
  const auto db = dir.path / "k.db";
  pragma(db,
         "CREATE TABLE realms (id TEXT PRIMARY KEY, rules TEXT NOT NULL, token_sha256 TEXT NOT "
         "NULL DEFAULT '');"
         "CREATE TABLE worlds (realm TEXT PRIMARY KEY REFERENCES realms(id), body TEXT NOT NULL);"
         "CREATE TABLE registrations (seq INTEGER PRIMARY KEY AUTOINCREMENT, realm TEXT NOT NULL "
         "REFERENCES realms(id), id TEXT NOT NULL, body TEXT NOT NULL, UNIQUE (realm, id));"
         "CREATE TABLE frozen_decisions (realm TEXT NOT NULL REFERENCES realms(id), id TEXT NOT "
         "NULL, body TEXT NOT NULL, PRIMARY KEY (realm, id));"
         "INSERT INTO realms VALUES ('a', 'r', '');"
         "INSERT INTO registrations(realm, id, body) VALUES ('a', 'v1', 'one'), ('a', 'v2', 'two');"
         "INSERT INTO frozen_decisions VALUES ('a', 'v1', 'frozen');"
         "PRAGMA user_version = 1;");
  auto store = open_sqlite_store(db);
  const auto regs = store->registrations("a");
  ASSERT_EQ(regs.size(), 2u);
  EXPECT_EQ(regs[0].key, (RegistrationKey{"", "v1"}));
  EXPECT_EQ(regs[1].body, "two");
  EXPECT_EQ(store->frozen_decisions("a").at({"", "v1"}), "frozen");
  EXPECT_TRUE(store->add_registration("a", {{"p1", "v3"}, "three", "d"}));
  EXPECT_EQ(store->registrations("a").back().key, (RegistrationKey{"p1", "v3"}));
}

}  // namespace
}  // namespace kvittens::service
