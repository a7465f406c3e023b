#include <iomanip>
#include <set>
#include <sstream>

#include "otaconf/spec_tools.h"

namespace otaconf::spec {

namespace {

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

std::string describe(const Domain& d) {
  std::vector<std::string> parts;
  if (!d.enum_values.empty()) {
    std::vector<std::string> values;
    for (const auto& v : d.enum_values) values.push_back(v.value.dump() + (v.name.empty() ? "" : " " + v.name));
    parts.push_back("one of " + join(values, ", "));
  }
  if (d.min || d.max) {
    parts.push_back((d.min ? std::to_string(*d.min) : "") + ".." + (d.max ? std::to_string(*d.max) : ""));
  }
  for (const auto& [low, high] : d.excluded_ranges) {
    parts.push_back("not " + std::to_string(low) + ".." + std::to_string(high));
  }
  if (d.min_length || d.max_length) {
    parts.push_back((d.min_length ? std::to_string(*d.min_length) : "0") + "-" +
                    (d.max_length ? std::to_string(*d.max_length) : "") + " bytes");
  }
  if (d.pattern) parts.push_back("/" + *d.pattern + "/");
  return parts.empty() ? to_string(d.kind) : join(parts, ", ");
}

std::string describe(const When& when) {
  std::vector<std::string> parts;
  for (const auto& [ambiguity, interpretations] : when.decided) {
    parts.push_back(ambiguity + "=" + join(interpretations, "|"));
  }
  return join(parts, " & ");
}

void show_fields(std::ostringstream& out, const std::vector<Field>& fields, const std::string& indent) {
  for (const auto& f : fields) {
    out << indent << std::left << std::setw(10) << f.name << std::setw(9) << to_string(f.type) << std::setw(10)
        << (f.required ? (f.optional_when.empty() ? "required" : "required*") : "optional") << describe(f.domain)
        << "\n";
    for (const auto& variant : f.domain_when) {
      out << indent << "    domain " << describe(variant.domain) << " when " << describe(variant.when) << "\n";
    }
    for (const auto& alias : f.aliases) {
      out << indent << "    alias \"" << alias.spelling << "\" (" << alias.origin << ")"
          << (alias.accepted_when.empty() ? "" : " when " + describe(alias.accepted_when)) << "\n";
    }
    for (const auto& variant : f.type_variants) {
      out << indent << "    also " << to_string(variant.type) << " (" << variant.origin << ") when "
          << describe(variant.accepted_when) << "\n";
    }
    if (!f.optional_when.empty()) out << indent << "    * optional when " << describe(f.optional_when) << "\n";
  }
}

void show_endpoint(std::ostringstream& out, const Endpoint& e) {
  out << e.method << " " << e.path << "  (" << e.id << ", role " << e.role << ", from " << e.origin << ")\n";
  for (const auto& encoding : e.encodings) {
    out << "  encoding " << encoding.id << (encoding.canonical ? " [canonical]" : "") << ": " << encoding.description
        << (encoding.accepted_when.empty() ? "" : "; when " + describe(encoding.accepted_when)) << "\n";
  }
  for (const auto& header : e.headers) {
    out << "  header " << header.name << (header.required ? " required" : " optional")
        << (header.value ? " = " + *header.value : "") << (header.format.empty() ? "" : " (" + header.format + ")")
        << (header.optional_when.empty() ? "" : "; optional when " + describe(header.optional_when)) << "\n";
  }
  if (!e.request_fields.empty()) {
    out << "  request fields:\n";
    show_fields(out, e.request_fields, "    ");
  }
  if (e.response) {
    out << "  response (" << e.response->media_type << "), envelope:\n";
    show_fields(out, e.response->envelope, "    ");
    out << "  data fields:\n";
    show_fields(out, e.response->data_fields, "    ");
  }
  if (!e.error_codes.empty()) {
    std::vector<std::string> order;
    for (auto code : e.precedence) order.push_back(std::to_string(code));
    out << "  error codes (precedence " << join(order, " > ") << "):\n";
    for (const auto& code : e.error_codes) {
      out << "    " << std::right << std::setw(3) << code.code << "  " << std::left << std::setw(22) << code.name
          << std::setw(24) << (code.action + (code.action_inferred ? " (inferred)" : "")) << "[" << code.origin << "] "
          << code.meaning << "\n";
    }
  }
  if (e.address) out << "  address " << e.address->templ << " (default port " << e.address->default_port << ")\n";
  if (e.range) {
    std::vector<std::string> forms;
    for (const auto& form : e.range->forms) forms.push_back(form.syntax);
    out << "  Range: " << join(forms, ", ") << "; " << e.range->partial_status << " partial, " << e.range->full_status
        << " whole\n";
  }
}

}  // namespace

std::string summary_counts(const Spec& spec) {
  std::ostringstream out;
  out << "clauses=" << spec.clauses.size() << " ambiguities=" << spec.ambiguities.size()
      << " error_codes=" << spec.error_code_count() << " fields=" << spec.field_count()
      << " profiles=" << spec.profiles.size();
  return out.str();
}

std::string summary(const Spec& spec) {
  std::ostringstream out;
  out << spec.id << ": " << spec.title << "\n";
  out << "format " << spec.format << ", default profile " << spec.default_profile << "\n";
  for (const auto& source : spec.sources) {
    out << "source " << source.id << " (" << (source.normative ? "normative" : "background") << "): " << source.path
        << "\n";
  }

  out << "\n== Endpoints\n";
  for (const auto& endpoint : spec.endpoints) show_endpoint(out, endpoint);

  if (spec.authorization) {
    const auto& a = *spec.authorization;
    std::vector<std::string> params;
    for (const auto& p : a.params) params.push_back(p.name);
    out << "\n== Authorization (" << a.scheme << ", from " << a.origin << ")\n";
    out << "  header " << a.header << ": " << join(params, "&") << ", values " << a.value_encoding << "-encoded\n";
    out << "  sign = " << a.sign_encoding << "(HMAC(" << a.key_encoding << "-decoded key, "
        << join(a.string_to_sign, " + sep + ") << ")), " << a.test_vectors.size() << " test vectors\n";
  }

  out << "\n== Profiles\n";
  for (const auto& profile : spec.profiles) out << "  " << profile.id << ": " << profile.description << "\n";

  out << "\n== Clauses\n";
  for (const auto& clause : spec.clauses) {
    out << "  " << std::left << std::setw(22) << clause.id << std::setw(7) << to_string(clause.level) << std::setw(7)
        << to_string(clause.side) << clause.statement << "\n";
    for (const auto& quote : clause.quotes) out << "        [" << quote.source << "] \"" << quote.text << "\"\n";
  }

  out << "\n== Ambiguities\n";
  for (const auto& ambiguity : spec.ambiguities) {
    out << "  " << ambiguity.id << ": " << ambiguity.title << "\n";
    for (const auto& quote : ambiguity.quotes) out << "        [" << quote.source << "] \"" << quote.text << "\"\n";
    std::vector<std::string> interpretations;
    for (const auto& i : ambiguity.interpretations) interpretations.push_back(i.id);
    out << "      interpretations: " << join(interpretations, ", ") << "\n      decided:";
    for (const auto& profile : spec.profiles) {
      auto decision = profile.decisions.find(ambiguity.id);
      out << " " << profile.id << "=" << (decision == profile.decisions.end() ? "?" : decision->second);
    }
    out << "\n";
  }
  out << "\n" << summary_counts(spec) << "\n";
  return out.str();
}

}  // namespace otaconf::spec
