#include "ir/text.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "ir/diagnostics.h"
#include "ir/files.h"

namespace tpuc {

// ---------------------------------------------------------------- printing

namespace {

bool is_bare_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("_.:/-", c);
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string ident(const std::string& s) {
  bool bare = !s.empty();
  for (char c : s) bare = bare && is_bare_char(c);
  return bare ? s : quoted(s);
}

// Shortest decimal spelling that reads back as the same value (as double, or as float).
template <class T>
std::string shortest(T v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, double(v));
    if (T(std::strtod(buf, nullptr)) == v) break;
  }
  return buf;
}

std::string float_literal(double v) {
  std::string s = shortest(v);
  if (s.find_first_of(".ein") == std::string::npos) s += ".0";
  return s;
}

std::string print_type(const TensorType& t) {
  std::string out = std::string(name(t.dtype)) + "[";
  for (size_t i = 0; i < t.shape.size(); ++i) out += (i ? "," : "") + std::to_string(t.shape[i]);
  out += "]";
  if (t.quant) {
    const QuantParams& q = *t.quant;
    out += "{scale=";
    if (q.scale.size() == 1) {
      out += shortest(q.scale[0]);
    } else {
      out += "[";
      for (size_t i = 0; i < q.scale.size(); ++i) out += (i ? "," : "") + shortest(q.scale[i]);
      out += "]";
    }
    if (q.zero_point != 0) out += ", zero_point=" + std::to_string(q.zero_point);
    if (q.axis >= 0) out += ", axis=" + std::to_string(q.axis);
    out += "}";
  }
  return out;
}

std::string print_attr(const Attr& a) {
  struct Printer {
    std::string operator()(int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const { return float_literal(v); }
    std::string operator()(const std::string& v) const { return quoted(v); }
    std::string operator()(const std::vector<int64_t>& v) const {
      std::string out = "[";
      for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
      return out + "]";
    }
    std::string operator()(const std::vector<double>& v) const {
      std::string out = "[";
      for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + float_literal(v[i]);
      return out + "]";
    }
  };
  return std::visit(Printer{}, a);
}

constexpr int64_t kMaxListElements = 16;

bool printed_as_list(const Tensor& t) {
  return t.size() <= kMaxListElements && t.type.dtype != DType::F16 && t.type.dtype != DType::BF16;
}

// A constant's data: a short list of numbers, or hex (written a block at a time: weights run to
// hundreds of megabytes).
void print_data(const Tensor& t, std::ostream& out) {
  if (printed_as_list(t)) {
    out << "[";
    for (int64_t i = 0; i < t.size(); ++i) {
      out << (i ? ", " : "");
      out << (t.type.dtype == DType::F32 ? shortest(float(t.at(i)))
                                         : std::to_string(int64_t(t.at(i))));
    }
    out << "]";
    return;
  }
  static const char* digits = "0123456789abcdef";
  out << "0x";
  char block[8192];
  size_t used = 0;
  for (uint8_t b : t.data) {
    block[used++] = digits[b >> 4];
    block[used++] = digits[b & 15];
    if (used == sizeof block) {
      out.write(block, std::streamsize(used));
      used = 0;
    }
  }
  out.write(block, std::streamsize(used));
}

std::string value_decl(const Graph& g, const std::string& v) {
  auto it = g.types.find(v);
  return "%" + ident(v) + " : " + (it == g.types.end() ? "?" : print_type(it->second));
}

}  // namespace

std::string to_string(const TensorType& t) { return print_type(t); }

void print(const Graph& g, std::ostream& out) {
  out << "tpuir 1\ngraph " << quoted(g.name) << " {\n";
  for (const std::string& in : g.inputs) out << "  input " << value_decl(g, in) << "\n";
  for (const auto& [name, tensor] : g.constants) {
    out << "  const %" << ident(name) << " : " << print_type(tensor.type) << " = ";
    print_data(tensor, out);
    out << "\n";
  }
  for (const Node& n : g.nodes) {
    out << "  ";
    for (size_t i = 0; i < n.outputs.size(); ++i)
      out << (i ? ", " : "") << value_decl(g, n.outputs[i]);
    out << " = " << ident(n.op) << "(";
    for (size_t i = 0; i < n.inputs.size(); ++i)
      out << (i ? ", " : "") << (n.inputs[i].empty() ? std::string("_") : "%" + ident(n.inputs[i]));
    out << ")";
    if (!n.attrs.empty()) {
      out << " {";
      bool first = true;
      for (const auto& [key, value] : n.attrs) {
        out << (first ? "" : ", ") << ident(key) << " = " << print_attr(value);
        first = false;
      }
      out << "}";
    }
    out << " @" << ident(n.name) << "\n";
  }
  for (const std::string& o : g.outputs) out << "  output %" << ident(o) << "\n";
  out << "}\n";
}

std::string print(const Graph& g) {
  std::ostringstream out;
  print(g, out);
  return out.str();
}

// ---------------------------------------------------------------- parsing

namespace {

class Parser {
 public:
  Parser(const std::string& text, const std::string& file) : s_(text), file_(file) {}

  Graph graph() {
    Graph g;
    expect_word("tpuir");
    if (integer() != 1) error("unsupported tpuir version");
    expect_word("graph");
    g.name = string_literal();
    expect('{');
    while (!accept('}')) {
      if (pos_ == s_.size()) error("unexpected end of input: missing '}'");
      statement(g);
    }
    skip_space();
    if (pos_ != s_.size()) error("text after the end of the graph");
    return g;
  }

 private:
  void statement(Graph& g) {
    if (accept_word("input")) {
      auto [name, type] = declaration();
      g.inputs.push_back(name);
      if (type) g.types[name] = *type;
    } else if (accept_word("const")) {
      expect('%');
      const std::string name = name_token();
      expect(':');
      Tensor t(type());
      expect('=');
      data(t);
      g.constants[name] = std::move(t);
    } else if (accept_word("output")) {
      expect('%');
      g.outputs.push_back(name_token());
    } else {
      node(g);
    }
  }

  std::pair<std::string, std::optional<TensorType>> declaration() {
    expect('%');
    std::string name = name_token();
    expect(':');
    if (accept('?')) return {name, std::nullopt};
    return {name, type()};
  }

  void node(Graph& g) {
    Node n;
    do {
      auto [name, type] = declaration();
      n.outputs.push_back(name);
      if (type) g.types[name] = *type;
    } while (accept(','));
    expect('=');
    n.op = name_token();
    expect('(');
    if (!accept(')')) {
      do {
        if (accept('_')) {
          n.inputs.emplace_back();
        } else {
          expect('%');
          n.inputs.push_back(name_token());
        }
      } while (accept(','));
      expect(')');
    }
    if (accept('{')) {
      do {
        std::string key = name_token();
        expect('=');
        if (n.attrs.count(key)) error("attribute '" + key + "' given twice");
        n.attrs[key] = attr();
      } while (accept(','));
      expect('}');
    }
    expect('@');
    n.name = name_token();
    g.nodes.push_back(std::move(n));
  }

  TensorType type() {
    TensorType t;
    skip_space();
    const size_t start = pos_;
    const std::string dtype = word();
    auto d = parse_dtype(dtype);
    if (!d) {
      pos_ = start;
      error("unknown dtype '" + dtype + "'");
    }
    t.dtype = *d;
    expect('[');
    if (!accept(']')) {
      do t.shape.push_back(integer());
      while (accept(','));
      expect(']');
    }
    if (accept('{')) {
      QuantParams q;
      do {
        const std::string key = word();
        expect('=');
        if (key == "scale") {
          if (accept('[')) {
            do q.scale.push_back(number());
            while (accept(','));
            expect(']');
          } else {
            q.scale.push_back(number());
          }
        } else if (key == "zero_point") {
          q.zero_point = integer();
        } else if (key == "axis") {
          q.axis = int(integer());
        } else {
          error("unknown quantization key '" + key + "'");
        }
      } while (accept(','));
      expect('}');
      t.quant = q;
    }
    return t;
  }

  void data(Tensor& t) {
    skip_space();
    if (s_.compare(pos_, 2, "0x") == 0) {
      pos_ += 2;
      const size_t start = pos_;
      while (pos_ < s_.size() && std::isxdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      if ((pos_ - start) != 2 * t.data.size())
        error("constant has " + std::to_string((pos_ - start) / 2) + " bytes, its type needs " +
              std::to_string(t.data.size()));
      for (size_t i = 0; i < t.data.size(); ++i)
        t.data[i] = uint8_t(std::stoi(s_.substr(start + 2 * i, 2), nullptr, 16));
      return;
    }
    std::vector<double> values;
    expect('[');
    if (!accept(']')) {
      do values.push_back(number());
      while (accept(','));
      expect(']');
    }
    if (int64_t(values.size()) != t.size())
      error("constant has " + std::to_string(values.size()) + " values, its type needs " +
            std::to_string(t.size()));
    for (size_t i = 0; i < values.size(); ++i) store(t, i, values[i]);
  }

  void store(Tensor& t, size_t i, double v) {
    auto put = [&](auto x) { std::memcpy(t.data.data() + i * sizeof x, &x, sizeof x); };
    switch (t.type.dtype) {
      case DType::F32:
        return put(float(v));
      case DType::I8:
        return put(int8_t(v));
      case DType::U8:
      case DType::Bool:
        return put(uint8_t(v));
      case DType::I16:
        return put(int16_t(v));
      case DType::I32:
        return put(int32_t(v));
      case DType::I64:
        return put(int64_t(v));
      case DType::F64:
        return put(v);
      case DType::U16:
        return put(uint16_t(v));
      case DType::U32:
        return put(uint32_t(v));
      case DType::U64:
        return put(uint64_t(v));
      case DType::F16:
      case DType::BF16:
        error("f16/bf16 constants are written in hex");
    }
  }

  Attr attr() {
    skip_space();
    if (peek() == '"') return string_literal();
    if (accept('[')) {
      std::vector<std::string> items;
      if (!accept(']')) {
        do items.push_back(number_text());
        while (accept(','));
        expect(']');
      }
      bool floats = false;
      for (const std::string& item : items) floats = floats || is_float_text(item);
      if (!floats) {
        std::vector<int64_t> ints;
        for (const std::string& item : items) ints.push_back(std::stoll(item));
        return ints;
      }
      std::vector<double> values;
      for (const std::string& item : items) values.push_back(std::strtod(item.c_str(), nullptr));
      return values;
    }
    const std::string text = number_text();
    if (is_float_text(text)) return std::strtod(text.c_str(), nullptr);
    return int64_t(std::stoll(text));
  }

  static bool is_float_text(const std::string& t) {
    return t.find_first_of(".eEin") != std::string::npos;
  }

  // --- lexical level

  void skip_space() {
    while (pos_ < s_.size()) {
      if (std::isspace(static_cast<unsigned char>(s_[pos_]))) {
        ++pos_;
      } else if (s_.compare(pos_, 2, "//") == 0) {
        while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
      } else {
        break;
      }
    }
  }
  char peek() { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool accept(char c) {
    skip_space();
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  void expect(char c) {
    if (!accept(c)) error(std::string("expected '") + c + "'");
  }
  std::string word() {
    skip_space();
    const size_t start = pos_;
    while (pos_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
      ++pos_;
    if (start == pos_) error("expected a word");
    return s_.substr(start, pos_ - start);
  }
  bool accept_word(const char* w) {
    skip_space();
    const size_t n = std::strlen(w);
    if (s_.compare(pos_, n, w) != 0 || (pos_ + n < s_.size() && is_bare_char(s_[pos_ + n])))
      return false;
    pos_ += n;
    return true;
  }
  void expect_word(const char* w) {
    if (!accept_word(w)) error(std::string("expected '") + w + "'");
  }
  std::string name_token() {
    skip_space();
    if (peek() == '"') return string_literal();
    const size_t start = pos_;
    while (pos_ < s_.size() && is_bare_char(s_[pos_])) ++pos_;
    if (start == pos_) error("expected a name");
    return s_.substr(start, pos_ - start);
  }
  std::string string_literal() {
    skip_space();
    if (peek() != '"') error("expected a string");
    std::string out;
    for (++pos_; pos_ < s_.size() && s_[pos_] != '"'; ++pos_) {
      if (s_[pos_] != '\\') {
        out += s_[pos_];
        continue;
      }
      if (++pos_ >= s_.size()) break;
      if (s_[pos_] == 'n') {
        out += '\n';
      } else if (s_[pos_] == 'x' && pos_ + 2 < s_.size()) {
        out += char(std::stoi(s_.substr(pos_ + 1, 2), nullptr, 16));
        pos_ += 2;
      } else {
        out += s_[pos_];
      }
    }
    if (pos_ >= s_.size()) error("unterminated string");
    ++pos_;
    return out;
  }
  std::string number_text() {
    skip_space();
    const size_t start = pos_;
    while (pos_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[pos_])) || std::strchr("+-.", s_[pos_])))
      ++pos_;
    const std::string text = s_.substr(start, pos_ - start);
    char* end = nullptr;
    std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0') {
      pos_ = start;
      error("expected a number");
    }
    return text;
  }
  double number() { return std::strtod(number_text().c_str(), nullptr); }
  int64_t integer() {
    const std::string text = number_text();
    if (is_float_text(text)) error("expected an integer, got '" + text + "'");
    return std::stoll(text);
  }

  [[noreturn]] void error(const std::string& message) {
    int line = 1, col = 1;
    for (size_t i = 0; i < pos_ && i < s_.size(); ++i) {
      if (s_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    fail_at(file_, line, col, message);
  }

  const std::string& s_;
  const std::string& file_;
  size_t pos_ = 0;
};

}  // namespace

Graph parse(const std::string& text, const std::string& file) { return Parser(text, file).graph(); }

Graph read_tpuir(const std::string& path) { return parse(read_file(path), path); }

void write_tpuir(const Graph& g, const std::string& path) {
  write_file_atomic(path, [&](std::ostream& out) { print(g, out); });
}

}  // namespace tpuc
