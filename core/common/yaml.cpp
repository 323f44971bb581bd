// The YAML subset reader (yaml.hpp): lines with their indentation, then flow values and block structure.
#include "core/common/yaml.hpp"

#include "core/errors.hpp"

#include <cctype>
#include <sstream>

namespace gliolens::yaml {
namespace {

struct Line {
  int number;
  int indent;
  std::string text;  // without indentation and comment
};

std::string strip_comment(const std::string& s) {
  char quote = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' && (i == 0 || std::isspace(static_cast<unsigned char>(s[i - 1])))) {
      return s.substr(0, i);
    }
  }
  return s;
}

std::string trim(const std::string& s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

// Flow-style value: [a, b], {k: v}, quoted or plain scalar.
class FlowParser {
public:
  FlowParser(const std::string& s, int line) : s_(s), line_(line) {}
  Node parse_all() {
    Node n = value();
    skip();
    if (p_ != s_.size()) fail(line_, "unexpected '" + s_.substr(p_) + "'");
    return n;
  }

private:
  void skip() {
    while (p_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[p_]))) ++p_;
  }
  Node value() {
    skip();
    Node n;
    n.line = line_;
    if (p_ >= s_.size()) return n;
    const char c = s_[p_];
    if (c == '[') {
      ++p_;
      n.kind = Node::list;
      skip();
      if (p_ < s_.size() && s_[p_] == ']') { ++p_; return n; }
      for (;;) {
        n.items.push_back(value());
        skip();
        if (p_ >= s_.size()) fail(line_, "unterminated '['");
        if (s_[p_] == ',') { ++p_; continue; }
        if (s_[p_] == ']') { ++p_; break; }
        fail(line_, std::string("expected ',' or ']' but found '") + s_[p_] + "'");
      }
      return n;
    }
    if (c == '{') {
      ++p_;
      n.kind = Node::map;
      skip();
      if (p_ < s_.size() && s_[p_] == '}') { ++p_; return n; }
      for (;;) {
        Node key = scalar_token(true);
        skip();
        if (p_ >= s_.size() || s_[p_] != ':') fail(line_, "expected ':' in '{...}'");
        ++p_;
        n.fields.emplace_back(key.text, value());
        skip();
        if (p_ >= s_.size()) fail(line_, "unterminated '{'");
        if (s_[p_] == ',') { ++p_; continue; }
        if (s_[p_] == '}') { ++p_; break; }
        fail(line_, std::string("expected ',' or '}' but found '") + s_[p_] + "'");
      }
      return n;
    }
    return scalar_token(false);
  }
  Node scalar_token(bool key) {
    skip();
    Node n;
    n.line = line_;
    if (p_ < s_.size() && (s_[p_] == '"' || s_[p_] == '\'')) {
      const char q = s_[p_++];
      const std::size_t end = s_.find(q, p_);
      if (end == std::string::npos) fail(line_, "unterminated quoted string");
      n.kind = Node::scalar;
      n.quoted = true;
      n.text = s_.substr(p_, end - p_);
      p_ = end + 1;
      return n;
    }
    const std::size_t start = p_;
    while (p_ < s_.size() && s_[p_] != ',' && s_[p_] != ']' && s_[p_] != '}' && !(key && s_[p_] == ':')) ++p_;
    n.text = trim(s_.substr(start, p_ - start));
    n.kind = (n.text.empty() || n.text == "~" || n.text == "null" || n.text == "None") ? Node::null : Node::scalar;
    return n;
  }
  const std::string& s_;
  int line_;
  std::size_t p_ = 0;
};

// Position of the key's ':' (followed by space or end), outside quotes and brackets; npos if none.
std::size_t key_colon(const std::string& t) {
  char quote = 0;
  int depth = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') quote = c;
    else if (c == '[' || c == '{') ++depth;
    else if (c == ']' || c == '}') --depth;
    else if (c == ':' && depth == 0 && (i + 1 == t.size() || t[i + 1] == ' ')) return i;
  }
  return std::string::npos;
}

class BlockParser {
public:
  explicit BlockParser(const std::string& text) {
    std::istringstream in(text);
    std::string raw;
    int number = 0;
    while (std::getline(in, raw)) {
      ++number;
      if (!raw.empty() && raw.back() == '\r') raw.pop_back();
      const std::size_t first = raw.find_first_not_of(" \t");
      if (first != std::string::npos && raw.substr(0, first).find('\t') != std::string::npos)
        fail(number, "tabs are not allowed for indentation in YAML");
      const std::string body = strip_comment(raw);
      const std::string t = trim(body);
      if (t.empty() || t == "---" || t == "...") continue;
      const int indent = static_cast<int>(body.find_first_not_of(' '));
      lines_.push_back(Line{number, indent, t});
    }
  }
  Node parse() {
    if (lines_.empty()) return Node{};
    Node n = block(lines_[0].indent);
    if (pos_ < lines_.size()) fail(lines_[pos_].number, "unexpected indentation");
    return n;
  }

private:
  Node block(int indent) {
    const Line& first = lines_[pos_];
    if (first.text.rfind("- ", 0) == 0 || first.text == "-") return sequence(indent);
    return mapping(indent);
  }
  Node sequence(int indent) {
    Node n;
    n.kind = Node::list;
    n.line = lines_[pos_].number;
    while (pos_ < lines_.size() && lines_[pos_].indent == indent &&
           (lines_[pos_].text.rfind("- ", 0) == 0 || lines_[pos_].text == "-")) {
      const Line& l = lines_[pos_++];
      const std::string rest = l.text == "-" ? "" : trim(l.text.substr(2));
      if (rest.empty()) {
        if (pos_ < lines_.size() && lines_[pos_].indent > indent) n.items.push_back(block(lines_[pos_].indent));
        else n.items.push_back(Node{Node::null, "", false, {}, {}, l.number});
      } else {
        if (key_colon(rest) != std::string::npos) fail(l.number, "mappings inside sequences are not supported");
        n.items.push_back(FlowParser(rest, l.number).parse_all());
      }
    }
    return n;
  }
  Node mapping(int indent) {
    Node n;
    n.kind = Node::map;
    n.line = lines_[pos_].number;
    while (pos_ < lines_.size() && lines_[pos_].indent == indent) {
      const Line& l = lines_[pos_++];
      const std::size_t c = key_colon(l.text);
      if (c == std::string::npos) fail(l.number, "expected 'key: value' but found '" + l.text + "'");
      std::string key = trim(l.text.substr(0, c));
      if (key.size() >= 2 && (key.front() == '"' || key.front() == '\'') && key.back() == key.front())
        key = key.substr(1, key.size() - 2);
      for (const auto& [k, v] : n.fields)
        if (k == key) fail(l.number, "duplicate key '" + key + "'");
      const std::string rest = trim(l.text.substr(c + 1));
      if (!rest.empty()) {
        n.fields.emplace_back(key, FlowParser(rest, l.number).parse_all());
      } else if (pos_ < lines_.size() && lines_[pos_].indent > indent) {
        n.fields.emplace_back(key, block(lines_[pos_].indent));
      } else if (pos_ < lines_.size() && lines_[pos_].indent == indent &&
                 lines_[pos_].text.rfind("- ", 0) == 0) {
        n.fields.emplace_back(key, sequence(indent));  // "key:\n- a\n- b" at the same indentation
      } else {
        n.fields.emplace_back(key, Node{Node::null, "", false, {}, {}, l.number});
      }
    }
    if (pos_ < lines_.size() && lines_[pos_].indent > indent) fail(lines_[pos_].number, "unexpected indentation");
    return n;
  }
  std::vector<Line> lines_;
  std::size_t pos_ = 0;
};

}  // namespace

void fail(int line, const std::string& what) {
  throw InvalidInputError("line " + std::to_string(line) + ": " + what);
}

Node parse(const std::string& text) { return BlockParser(text).parse(); }

}  // namespace gliolens::yaml
