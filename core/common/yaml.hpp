// A small YAML reader: the subset that parameter files use (block mappings and sequences, flow [..] and
// {..}, quoted and plain scalars, comments), without a new dependency. Nodes keep their line so that the
// reader of a document can say where a value is wrong.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace gliolens::yaml {

// A scalar, list or mapping; unquoted "", "~", "null" and "None" are null. Mappings keep their order.
struct Node {
  enum Kind { null, scalar, list, map } kind = null;
  std::string text;    // scalar
  bool quoted = false;
  std::vector<Node> items;                          // list
  std::vector<std::pair<std::string, Node>> fields; // map
  int line = 0;
};

// Parses `text`; an empty document is a null node. Throws InvalidInputError "line N: ..." on malformed YAML
// (tabs in indentation, bad indentation, duplicate keys, unterminated brackets or quotes, mappings inside
// sequences).
[[nodiscard]] Node parse(const std::string& text);

// Throws InvalidInputError "line N: what", the form of the reader's own errors, for a value that is wrong.
[[noreturn]] void fail(int line, const std::string& what);

}  // namespace gliolens::yaml
