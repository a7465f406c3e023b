// Property: random structural mutations of the shipped spec never crash the
// loader; each mutated document either loads or yields diagnostics.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <vector>

#include "spec_test_support.h"

namespace otaconf::spec {
namespace {

using nlohmann::json;

// Every JSON pointer of the document, parents before children.
void collect_pointers(const json& node, const json::json_pointer& here, std::vector<json::json_pointer>& out) {
  out.push_back(here);
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) collect_pointers(value, here / key, out);
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) collect_pointers(node[i], here / i, out);
  }
}

const std::vector<json::json_pointer>& shipped_pointers() {
  static const auto pointers = [] {
    std::vector<json::json_pointer> out;
    collect_pointers(testing::shipped_spec_json(), json::json_pointer(), out);
    return out;
  }();
  return pointers;
}

enum class Mutation { Remove, Replace, Duplicate, RenameKey, EmptyContainer, Stringify };

rc::Gen<json> scalar_values() {
  return rc::gen::oneOf(
      rc::gen::just(json(nullptr)), rc::gen::map(rc::gen::arbitrary<bool>(), [](bool b) { return json(b); }),
      rc::gen::map(rc::gen::arbitrary<std::int64_t>(), [](std::int64_t n) { return json(n); }),
      rc::gen::map(rc::gen::arbitrary<double>(), [](double x) { return std::isfinite(x) ? json(x) : json(0.5); }),
      rc::gen::map(rc::gen::arbitrary<std::string>(),
                   [](std::string s) {
                     // Invalid UTF-8 cannot be serialised; the loader's text tests cover it.
                     return json::parse(json(s).dump(-1, ' ', false, json::error_handler_t::replace));
                   }),
      rc::gen::element(json("$request.dev_id"), json("$task.status"), json("AMB.CASING"), json("MUST"), json::array(),
                       json::object(), json({{"all", json::array()}})));
}

// Applies one mutation at `pointer`; returns false when it does not apply.
bool mutate(json& document, const json::json_pointer& pointer, Mutation mutation, const json& value) {
  if (!document.contains(pointer)) return false;
  auto& target = document[pointer];
  if (pointer.empty()) {
    if (mutation != Mutation::Replace) return false;
    document = value;
    return true;
  }
  auto& parent = document[pointer.parent_pointer()];
  const auto& key = pointer.back();
  switch (mutation) {
    case Mutation::Remove:
      if (parent.is_object()) {
        parent.erase(key);
      } else {
        parent.erase(std::stoul(key));
      }
      return true;
    case Mutation::Replace: target = value; return true;
    case Mutation::Duplicate:
      if (!parent.is_array()) return false;
      parent.push_back(target);
      return true;
    case Mutation::RenameKey: {
      if (!parent.is_object()) return false;
      json moved = target;
      parent.erase(key);
      parent[key + "_"] = moved;
      return true;
    }
    case Mutation::EmptyContainer:
      if (!target.is_structured()) return false;
      target = target.is_array() ? json::array() : json::object();
      return true;
    case Mutation::Stringify: target = target.dump(); return true;
  }
  return false;
}

RC_GTEST_PROP(SpecLoaderProperty, MutatedSpecsLoadOrYieldDiagnostics, ()) {
  auto document = testing::shipped_spec_json();
  const auto count = *rc::gen::inRange(1, 5);
  for (int i = 0; i < count; ++i) {
    std::vector<json::json_pointer> pointers;
    collect_pointers(document, json::json_pointer(), pointers);
    const auto index = *rc::gen::inRange<std::size_t>(0, pointers.size());
    const auto mutation = *rc::gen::element(Mutation::Remove, Mutation::Replace, Mutation::Duplicate,
                                            Mutation::RenameKey, Mutation::EmptyContainer, Mutation::Stringify);
    const auto value = *scalar_values();
    mutate(document, pointers[index], mutation, value);
  }
  LoadOutcome outcome;
  try {
    outcome = testing::load_document(document);
  } catch (const std::exception& e) {
    RC_FAIL(std::string("the loader threw: ") + e.what());
  }
  RC_ASSERT(outcome.spec.has_value() != !outcome.errors.empty());
  for (const auto& error : outcome.errors) {
    RC_ASSERT(!error.message.empty());
    RC_ASSERT(error.line().find('\n') == std::string::npos);
  }
}

TEST(SpecLoaderProperty, ShippedPointersAreNumerous) {
  // The mutation property is only meaningful if it can reach deep places.
  EXPECT_GT(shipped_pointers().size(), 1000u);
}

}  // namespace
}  // namespace otaconf::spec
