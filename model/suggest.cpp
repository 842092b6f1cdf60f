#include "model/suggest.hpp"

#include <algorithm>

namespace kvittens {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string* best = nullptr;
  std::size_t best_d = 0;
  // Between equally close candidates, the one nearest in length: "4.1O" is more likely a
  // mistyped "4.10" than "4.1" with a key pressed twice.
  const auto length_gap = [&](const std::string& c) {
    return c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
  };
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (!best || d < best_d || (d == best_d && length_gap(c) < length_gap(*best))) {
      best = &c;
      best_d = d;
    }
  }
  // Close enough to be a typo: a third of the word, at least 2 edits (UTF-8 å/ä/ö count 2).
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  if (!best || best_d > limit) return "";
  return "; did you mean '" + *best + "'?";
}

}  // namespace kvittens
