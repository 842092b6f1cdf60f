// Suggestions for misspelt words in input: a key, a choice, a clause id.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace kvittens {

// Levenshtein distance, in bytes.
std::size_t edit_distance(const std::string& a, const std::string& b);
// "; did you mean 'X'?" for the closest candidate within a small distance, else "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace kvittens
