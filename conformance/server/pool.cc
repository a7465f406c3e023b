// Requests derived from the spec's model and the fixture. Nothing here knows
// v1's field names: a request field compared with a bound record's member
// (in a binding's `where` or an error code's trigger) takes that member's
// value; fields compared by order (thresholds) are left out when optional;
// other required fields take their default or first valid example.
#include <algorithm>
#include <set>

#include "otaconf/conformance/server.h"
#include "otaconf/interpret.h"
#include "otaconf/near_miss.h"

namespace otaconf::conformance {

using nlohmann::json;
using Op = spec::Expr::Op;

namespace {

struct Link {
  std::string field;    // request field
  std::string binding;  // device, task, ...
  std::string path;     // member of the bound record
  Op op;
};

bool split_ref(const spec::Expr& e, std::string& root, std::string& rest) {
  if (e.op != Op::Ref) return false;
  const auto dot = e.name.find('.');
  root = e.name.substr(0, dot);
  rest = e.name.substr(dot + 1);
  return true;
}

void collect_links(const spec::Expr& expr, std::vector<Link>& links) {
  expr.visit([&](const spec::Expr& e) {
    if (e.args.size() != 2) return;
    if (e.op != Op::Eq && e.op != Op::Ne && e.op != Op::In && e.op != Op::Lt && e.op != Op::Le && e.op != Op::Gt &&
        e.op != Op::Ge) {
      return;
    }
    std::string root_a, rest_a, root_b, rest_b;
    if (!split_ref(e.args[0], root_a, rest_a) || !split_ref(e.args[1], root_b, rest_b)) return;
    if (root_a == "request" && root_b != "request" && root_b != "check")
      links.push_back({rest_a, root_b, rest_b, e.op});
    if (root_b == "request" && root_a != "request" && root_a != "check" && e.op != Op::In) {
      links.push_back({rest_b, root_a, rest_a, e.op});
    }
  });
}

std::optional<json> member(const json& record, const std::string& path) {
  const json* node = &record;
  std::size_t start = 0;
  while (start < path.size()) {
    auto end = path.find('.', start);
    if (end == std::string::npos) end = path.size();
    const auto key = path.substr(start, end - start);
    if (!node->is_object() || !node->contains(key)) return std::nullopt;
    node = &(*node)[key];
    start = end + 1;
  }
  return *node;
}

bool is_order(Op op) { return op == Op::Lt || op == Op::Le || op == Op::Gt || op == Op::Ge; }

std::string spelling_of(const spec::Field& field, const spec::Profile& profile) {
  if (field.name_accepted_under(profile)) return field.name;
  const auto spellings = field.spellings_under(profile);
  return spellings.empty() ? field.name : spellings.front();
}

// A value of the field's canonical type (fixture records may hold numbers for
// string fields and the reverse).
json as_field_type(const spec::Field& field, const json& value) {
  if (field.type == spec::ValueType::String && !value.is_string()) return value.dump();
  if (field.type == spec::ValueType::Integer && value.is_string()) {
    try {
      return std::stoll(value.get<std::string>());
    } catch (...) {
      return value;
    }
  }
  return value;
}

std::optional<json> filler(const spec::Field& field, const spec::Profile& profile) {
  if (field.default_value) return *field.default_value;
  for (const auto& example : field.examples) {
    if (interpret::in_domain(field.domain_under(profile), as_field_type(field, example))) {
      return as_field_type(field, example);
    }
  }
  return std::nullopt;
}

// A value of the field's domain different from `current`.
std::optional<json> different(const spec::Field& field, const spec::Profile& profile, const json& current,
                              const fixture::Fixture& fixture) {
  const auto& domain = field.domain_under(profile);
  std::vector<json> candidates;
  for (const auto& e : domain.enum_values) candidates.push_back(e.value);
  if (field.type == spec::ValueType::String) {
    const auto text = current.is_string() ? current.get<std::string>() : current.dump();
    if (domain.pattern && domain.pattern->find("[0-9]") != std::string::npos &&
        std::all_of(text.begin(), text.end(), ::isdigit)) {
      // Numeric identifiers: one the fixture does not know.
      std::string unknown = "9";
      while (fixture.device(unknown) || unknown == text) unknown += "9";
      candidates.push_back(unknown);
    }
    candidates.push_back(text + "-x");
    candidates.push_back("0.0.0");
    candidates.push_back("otaconf");
  }
  for (const auto& candidate : candidates) {
    if (candidate != current && interpret::in_domain(domain, candidate)) return candidate;
  }
  return std::nullopt;
}

std::optional<json> outside(const spec::Field& field, const spec::Profile& profile, const json& list) {
  if (!list.is_array()) return std::nullopt;
  for (const char* text : {"0.0.0", "0.0.1", "otaconf", "9.9.9"}) {
    const json candidate = text;
    if (std::find(list.begin(), list.end(), candidate) == list.end() &&
        interpret::in_domain(field.domain_under(profile), candidate)) {
      return candidate;
    }
  }
  return std::nullopt;
}

// The near misses of one base: for each field a trigger or binding compares
// with the fixture by equality or membership, the values a wrong equivalence
// takes for the base's; for each ordered comparison, the values a comparison
// of texts puts on the wrong side of the bound. Only values inside the
// field's domain, so the request stays valid but for the comparison.
void near_misses_of(const requests::CheckRequest& base, const std::vector<Link>& links, const json& device_record,
                    const json& task_record, const spec::Endpoint& endpoint, const spec::Profile& profile,
                    RequestPool& pool) {
  for (const auto& field : endpoint.request_fields) {
    const auto spelling = spelling_of(field, profile);
    const auto* current = base.find(spelling);
    std::set<std::string> done;
    for (const auto& link : links) {
      if (link.field != field.name || !done.insert(link.binding + "." + link.path).second) continue;
      if (is_order(link.op)) {
        const auto& record = link.binding == "device" ? device_record : task_record;
        const auto bound = member(record, link.path);
        if (!bound || !bound->is_number_integer()) continue;
        for (auto value : near_miss::text_order_misses(bound->get<std::int64_t>())) {
          if (!interpret::in_domain(field.domain_under(profile), json(value))) continue;
          auto probe = base;
          pool.near_misses.push_back({probe.set(spelling, value), field.name, "text-order"});
        }
        continue;
      }
      if (!current || !current->is_string()) continue;
      for (const auto& miss : near_miss::near_misses(current->get<std::string>())) {
        auto probe = base;
        pool.near_misses.push_back({probe.set(spelling, miss.value), field.name, miss.kind});
      }
    }
  }
}

}  // namespace

RequestPool derive_pool(const spec::Spec& spec, const spec::Endpoint& endpoint, const spec::Profile& profile,
                        const fixture::Fixture& fixture) {
  std::vector<Link> links;
  for (const auto& binding : spec.model.bindings) collect_links(binding.where, links);
  for (const auto& code : endpoint.error_codes) collect_links(code.trigger, links);

  RequestPool pool;
  const auto devices = fixture.records("devices");
  const auto tasks = fixture.records("tasks");
  std::set<std::string> seen;
  for (const auto& task_record : tasks) {
    for (const auto& device_record : devices) {
      const auto* task = [&]() -> const fixture::Task* {
        for (const auto& t : fixture.tasks) {
          if (t.id == task_record.value("id", "")) return &t;
        }
        return nullptr;
      }();
      const auto* device = fixture.device(device_record.value("dev_id", ""));
      if (!task || !device || !task->targets(*device)) continue;

      std::map<std::string, json> values;
      for (const auto& link : links) {
        if (is_order(link.op) || values.count(link.field)) continue;
        const auto& record = link.binding == "device" ? device_record : task_record;
        auto value = member(record, link.path);
        if (!value) continue;
        if (link.op == Op::In) {
          if (!value->is_array() || value->empty()) continue;
          value = value->front();
        }
        values[link.field] = *value;
      }
      requests::CheckRequest base;
      for (const auto& field : endpoint.request_fields) {
        std::optional<json> value;
        if (auto found = values.find(field.name); found != values.end()) {
          value = as_field_type(field, found->second);
        } else if (field.required_under(profile)) {
          value = filler(field, profile);
        }
        if (value) base.params.emplace_back(spelling_of(field, profile), *value);
      }
      const auto key = base.describe();
      if (!seen.insert(key).second) continue;
      pool.bases.push_back(base);

      // Single changes: each linked field made to differ, each ordered
      // comparison at, below and above its bound, each required field dropped.
      for (const auto& field : endpoint.request_fields) {
        const auto spelling = spelling_of(field, profile);
        const auto* current = base.find(spelling);
        for (const auto& link : links) {
          if (link.field != field.name) continue;
          const auto& record = link.binding == "device" ? device_record : task_record;
          const auto bound_value = member(record, link.path);
          if (!bound_value) continue;
          auto changed = base;
          if (link.op == Op::In) {
            if (auto v = outside(field, profile, *bound_value)) pool.mutations.push_back(changed.set(spelling, *v));
          } else if (is_order(link.op) && bound_value->is_number_integer()) {
            const auto bound = bound_value->get<std::int64_t>();
            for (auto v : {bound - 1, bound, bound + 1}) {
              if (interpret::in_domain(field.domain_under(profile), json(v))) {
                auto at = base;
                pool.mutations.push_back(at.set(spelling, v));
              }
            }
          } else if (current) {
            if (auto v = different(field, profile, *current, fixture))
              pool.mutations.push_back(changed.set(spelling, *v));
          }
        }
        if (current && field.required_under(profile)) {
          auto dropped = base;
          pool.mutations.push_back(dropped.drop(spelling));
        }
        // Fields no trigger compares (cdn): every other documented example.
        const bool linked =
            std::any_of(links.begin(), links.end(), [&](const Link& l) { return l.field == field.name; });
        if (current && !linked) {
          for (const auto& example : field.examples) {
            const auto value = as_field_type(field, example);
            if (value == *current || !interpret::in_domain(field.domain_under(profile), value)) continue;
            auto varied = base;
            pool.mutations.push_back(varied.set(spelling, value));
          }
        }
      }
      near_misses_of(base, links, device_record, task_record, endpoint, profile, pool);
      auto no_auth = base;
      no_auth.auth.kind = requests::Auth::Kind::Omit;
      pool.mutations.push_back(no_auth);
      auto expired = base;
      expired.auth.lifetime = -3600;
      pool.mutations.push_back(expired);
      auto fault = base;
      fault.fault = true;
      pool.mutations.push_back(fault);
    }
  }
  return pool;
}

}  // namespace otaconf::conformance
