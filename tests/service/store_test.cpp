#include "service/store.hpp"

#include <sqlite3.h>

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

TEST(SqliteStore, ARegistrationIdIsStoredOncePerRealmInArrivalOrder) {
  testing::TempDir dir;
  auto store = open_sqlite_store(dir.path / "k.db");
  store->add_realm({"a", "nacka-hemtjanst@3.0", ""});
  store->add_realm({"b", "nacka-hemtjanst@3.0", "hash"});
  EXPECT_TRUE(store->add_registration("a", {"v2", "{}"}));
  EXPECT_TRUE(store->add_registration("a", {"v1", "{}"}));
  EXPECT_FALSE(store->add_registration("a", {"v2", "{\"other\":1}"}));
  EXPECT_TRUE(store->add_registration("b", {"v2", "{}"}));  // another realm, another key
  const auto regs = store->registrations("a");
  ASSERT_EQ(regs.size(), 2u);
  EXPECT_EQ(regs[0].id, "v2");
  EXPECT_EQ(regs[0].body, "{}");
  EXPECT_EQ(regs[1].id, "v1");
}

TEST(SqliteStore, APurgeReplacesBodiesAndFreezesDecisionsTogether) {
  testing::TempDir dir;
  const auto db = dir.path / "k.db";
  {
    auto store = open_sqlite_store(db);
    store->add_realm({"a", "r", ""});
    store->add_registration("a", {"v1", "with note"});
    store->purge_notes("a", {{"v1", "without note"}}, {{"v1", "decision"}});
  }
  auto store = open_sqlite_store(db);  // reopened: it is on disk
  EXPECT_EQ(store->registrations("a").at(0).body, "without note");
  EXPECT_EQ(store->frozen_decisions("a").at("v1"), "decision");
}

}  // namespace
}  // namespace kvittens::service
