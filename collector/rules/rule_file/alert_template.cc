#include "collector/rules/rule_file/alert_template.h"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <iterator>
#include <variant>

#include "collector/rules/rule_file/humanize.h"

namespace vigil::rules {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || std::isdigit(static_cast<unsigned char>(c)); }

bool IsKnownFunction(std::string_view f) {
  return f == "humanize" || f == "humanizePercentage" || f == "humanizeDuration" || f == "printf";
}

Status Bad(std::string what) { return Status::InvalidArgument(std::move(what)); }

// Splits one action's body into operands, "|" separators and function names.
class ActionParser {
 public:
  explicit ActionParser(std::string_view body) : s_(body) {}

  Result<std::vector<TemplateCommand>> Parse() {
    std::vector<TemplateCommand> pipeline;
    TemplateCommand cmd;
    bool expect_stage = true;
    while (true) {
      SkipSpace();
      if (pos_ >= s_.size()) break;
      char c = s_[pos_];
      if (c == '|') {
        if (expect_stage) return Bad("missing command before \"|\"");
        VIGIL_RETURN_IF_ERROR(Finish(&cmd, &pipeline));
        cmd = TemplateCommand{};
        expect_stage = true;
        ++pos_;
        continue;
      }
      if (IsIdentStart(c)) {
        std::string name = ReadIdent();
        if (!cmd.function.empty() || !cmd.args.empty()) {
          return Bad("unexpected \"" + name +
                     "\": only the first word of a command may name a "
                     "function");
        }
        if (!IsKnownFunction(name)) return Bad("unknown function \"" + name + "\"");
        cmd.function = name;
        expect_stage = false;
        continue;
      }
      Result<TemplateOperand> operand = ReadOperand();
      if (!operand.ok()) return operand.status();
      if (cmd.function.empty() && !cmd.args.empty()) {
        return Bad("two values in one command without a function between them");
      }
      cmd.args.push_back(std::move(*operand));
      expect_stage = false;
    }
    if (expect_stage) {
      return pipeline.empty() ? Bad("empty action \"{{}}\"") : Bad("missing command after \"|\"");
    }
    VIGIL_RETURN_IF_ERROR(Finish(&cmd, &pipeline));
    return pipeline;
  }

 private:
  // Checks argument counts the way Go does when the template runs, but at load time.
  static Status Finish(TemplateCommand* cmd, std::vector<TemplateCommand>* pipeline) {
    size_t got = cmd->args.size() + (pipeline->empty() ? 0 : 1);
    if (cmd->function.empty()) {
      if (!pipeline->empty()) return Bad("a value cannot follow \"|\"; a function must");
    } else if (cmd->function == "printf") {
      if (cmd->args.empty() || cmd->args[0].kind != TemplateOperand::Kind::kString) {
        return Bad("printf needs a quoted format string as its first argument");
      }
      const std::string& format = cmd->args[0].text;
      Result<GoPrintf> parsed = GoPrintf::Parse(format);
      if (!parsed.ok()) return parsed.status().WithContext("printf \"" + format + "\"");
      // Go would print "%!s(MISSING)" or "%!(EXTRA ...)"; a load error is easier to act on.
      const size_t values = got - 1;
      if (parsed->verb_count() != values) {
        auto count = [](size_t n, const char* word) {
          return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
        };
        return Bad("printf format \"" + format + "\" has " + count(parsed->verb_count(), "verb") +
                   " but " + count(values, "value") + (values == 1 ? " was" : " were") + " given");
      }
      cmd->printf_format = std::move(*parsed);
    } else if (got != 1) {
      return Bad("wrong number of args for " + cmd->function + ": want 1 got " +
                 std::to_string(got));
    }
    pipeline->push_back(std::move(*cmd));
    return Status::Ok();
  }

  void SkipSpace() {
    while (pos_ < s_.size() && IsSpace(s_[pos_])) ++pos_;
  }

  std::string ReadIdent() {
    size_t start = pos_;
    while (pos_ < s_.size() && IsIdentChar(s_[pos_])) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }

  Result<TemplateOperand> ReadOperand() {
    TemplateOperand op;
    char c = s_[pos_];
    if (c == '$') {
      ++pos_;
      std::string var = ReadIdent();
      std::string field;
      if (pos_ < s_.size() && s_[pos_] == '.') {
        ++pos_;
        field = ReadIdent();
        if (field.empty()) return Bad("missing field name after \"$" + var + ".\"");
      }
      if (pos_ < s_.size() && !IsSpace(s_[pos_]) && s_[pos_] != '|') {
        return Bad("unexpected \"" + std::string(1, s_[pos_]) + "\" after \"$" + var + "\"");
      }
      if (var == "labels" || var == "externalLabels") {
        if (field.empty()) return Bad("$" + var + " needs a label name, e.g. $" + var + ".job");
        op.kind =
            var == "labels" ? TemplateOperand::Kind::kLabel : TemplateOperand::Kind::kExternalLabel;
        op.text = field;
      } else if (var == "value") {
        if (!field.empty()) return Bad("$value is a number and has no field \"" + field + "\"");
        op.kind = TemplateOperand::Kind::kValue;
      } else {
        return Bad("undefined variable \"$" + var + "\"");
      }
      return op;
    }
    if (c == '"' || c == '`') return ReadString(c);
    if (c == '.' &&
        (pos_ + 1 >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[pos_ + 1])))) {
      return Bad(
          "\".\" (the template data) is not supported; use $labels, $value or "
          "$externalLabels");
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.') {
      size_t start = pos_;
      while (pos_ < s_.size() && !IsSpace(s_[pos_]) && s_[pos_] != '|') ++pos_;
      std::string_view lit = s_.substr(start, pos_ - start);
      std::string_view digits = lit;
      if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), op.number);
      if (ec != std::errc() || p != digits.data() + digits.size()) {
        return Bad("bad number \"" + std::string(lit) + "\"");
      }
      op.kind = TemplateOperand::Kind::kNumber;
      return op;
    }
    return Bad("unexpected \"" + std::string(1, c) + "\" in action");
  }

  Result<TemplateOperand> ReadString(char quote) {
    TemplateOperand op;
    op.kind = TemplateOperand::Kind::kString;
    ++pos_;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      char c = s_[pos_++];
      if (quote == '"' && c == '\\' && pos_ < s_.size()) {
        char e = s_[pos_++];
        switch (e) {
          case 'n':
            c = '\n';
            break;
          case 't':
            c = '\t';
            break;
          case '\\':
            c = '\\';
            break;
          case '"':
            c = '"';
            break;
          default:
            return Bad(std::string("unsupported escape \"\\") + e + "\" in string");
        }
      }
      op.text.push_back(c);
    }
    if (pos_ >= s_.size()) return Bad("unterminated quoted string");
    ++pos_;
    return op;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// Finds the "}}" closing an action that starts at `from`, skipping over quoted strings.
size_t FindClose(std::string_view text, size_t from) {
  char quote = 0;
  for (size_t i = from; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == '\\' && quote == '"') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '"' || c == '`') {
      quote = c;
    } else if (c == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      return i;
    }
  }
  return std::string_view::npos;
}

void TrimRight(std::string* s) {
  while (!s->empty() && IsSpace(s->back())) s->pop_back();
}

using Value = PrintfValue;

Result<double> ToNumber(const Value& v, const std::string& function) {
  if (const double* d = std::get_if<double>(&v)) return *d;
  const std::string& s = std::get<std::string>(v);
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) {
    return Bad(function + ": cannot convert \"" + s + "\" to a number");
  }
  return d;
}

Value OperandValue(const TemplateOperand& op, const TemplateData& data) {
  auto lookup = [](const std::map<std::string, std::string>& m, const std::string& k) {
    auto it = m.find(k);
    return it == m.end() ? std::string() : it->second;
  };
  switch (op.kind) {
    case TemplateOperand::Kind::kLabel:
      return lookup(data.labels, op.text);
    case TemplateOperand::Kind::kExternalLabel:
      return lookup(data.external_labels, op.text);
    case TemplateOperand::Kind::kValue:
      return data.value;
    case TemplateOperand::Kind::kString:
      return op.text;
    case TemplateOperand::Kind::kNumber:
      return op.number;
  }
  return std::string();
}

Result<Value> RunPipeline(const std::vector<TemplateCommand>& pipeline, const TemplateData& data) {
  Value prev;
  bool have_prev = false;
  for (const TemplateCommand& cmd : pipeline) {
    std::vector<Value> args;
    for (const TemplateOperand& op : cmd.args) args.push_back(OperandValue(op, data));
    if (have_prev) args.push_back(prev);
    if (cmd.function.empty()) {
      prev = args.at(0);
    } else if (cmd.function == "printf") {
      // args[0] is the format itself, already parsed into printf_format.
      std::vector<PrintfValue> values(std::make_move_iterator(args.begin() + 1),
                                      std::make_move_iterator(args.end()));
      Result<std::string> out = cmd.printf_format->Format(values);
      if (!out.ok()) return out.status();
      prev = std::move(*out);
    } else {
      Result<double> x = ToNumber(args.at(0), cmd.function);
      if (!x.ok()) return x.status();
      if (cmd.function == "humanize") {
        prev = Humanize(*x);
      } else if (cmd.function == "humanizePercentage") {
        prev = HumanizePercentage(*x);
      } else {
        prev = HumanizeDuration(*x);
      }
    }
    have_prev = true;
  }
  return prev;
}

}  // namespace

Result<Template> ParseTemplate(std::string_view text) {
  Template tmpl;
  tmpl.source = std::string(text);
  bool trim_next = false;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t open = text.find("{{", pos);
    std::string_view literal = text.substr(pos, open == std::string_view::npos ? open : open - pos);
    if (size_t stray = literal.find("}}"); stray != std::string_view::npos) {
      return Bad("unexpected \"}}\" at column " + std::to_string(pos + stray + 1) +
                 " without a matching \"{{\"");
    }
    TemplateNode lit;
    lit.text = std::string(literal);
    if (trim_next) {
      size_t n = 0;
      while (n < lit.text.size() && IsSpace(lit.text[n])) ++n;
      lit.text.erase(0, n);
    }
    if (open == std::string_view::npos) {
      if (!lit.text.empty()) tmpl.nodes.push_back(std::move(lit));
      break;
    }
    size_t body_start = open + 2;
    // "{{- " trims the text before; the dash must be followed by a space, as in Go.
    if (body_start + 1 < text.size() && text[body_start] == '-' && IsSpace(text[body_start + 1])) {
      TrimRight(&lit.text);
      ++body_start;
    }
    if (!lit.text.empty()) tmpl.nodes.push_back(std::move(lit));
    size_t close = FindClose(text, body_start);
    if (close == std::string_view::npos) {
      return Bad("unclosed action: \"{{\" at column " + std::to_string(open + 1) +
                 " has no matching \"}}\"");
    }
    size_t body_end = close;
    trim_next = false;
    if (body_end > body_start + 1 && text[body_end - 1] == '-' && IsSpace(text[body_end - 2])) {
      trim_next = true;
      --body_end;
    }
    std::string_view body = text.substr(body_start, body_end - body_start);
    std::string_view trimmed = body;
    while (!trimmed.empty() && IsSpace(trimmed.front())) trimmed.remove_prefix(1);
    while (!trimmed.empty() && IsSpace(trimmed.back())) trimmed.remove_suffix(1);
    if (trimmed.size() >= 4 && trimmed.substr(0, 2) == "/*" &&
        trimmed.substr(trimmed.size() - 2) == "*/") {
      pos = close + 2;  // a comment renders nothing
      continue;
    }
    if (trimmed.find("{{") != std::string_view::npos) {
      return Bad("unclosed action: \"{{\" at column " + std::to_string(open + 1) +
                 " has no matching \"}}\"");
    }
    Result<std::vector<TemplateCommand>> pipeline = ActionParser(body).Parse();
    if (!pipeline.ok()) {
      return pipeline.status().WithContext("in action \"{{" + std::string(body) + "}}\"");
    }
    TemplateNode action;
    action.is_action = true;
    action.pipeline = std::move(*pipeline);
    tmpl.nodes.push_back(std::move(action));
    pos = close + 2;
  }
  return tmpl;
}

Result<std::string> Expand(const Template& tmpl, const TemplateData& data) {
  std::string out;
  for (const TemplateNode& node : tmpl.nodes) {
    if (!node.is_action) {
      out += node.text;
      continue;
    }
    Result<Value> v = RunPipeline(node.pipeline, data);
    if (!v.ok()) return v.status();
    if (const std::string* s = std::get_if<std::string>(&*v)) {
      out += *s;
    } else {
      out += GoFormatFloat(std::get<double>(*v));
    }
  }
  return out;
}

}  // namespace vigil::rules
