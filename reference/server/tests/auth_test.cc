// Authorization tokens: the notes' worked example, tampering, expiry, scope.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "auth.h"
#include "support.h"

namespace otaconf::refserver {
namespace {

const spec::Authorization& auth_spec() { return *testing::shipped_spec().authorization; }

// The notes' example key and resource belong to product 123123 of the
// default fixture, so the vectors verify against it.
TEST(WorkedExample, HarnessSignsEveryMethodAsTheNotesSay) {
  ASSERT_EQ(auth_spec().test_vectors.size(), 3u);
  for (const auto& vector : auth_spec().test_vectors) {
    token::TokenRequest request{vector.res, vector.et, vector.method, vector.version};
    EXPECT_EQ(token::sign(auth_spec(), vector.key, request), vector.sign) << vector.method;
    if (!vector.header.empty()) {
      EXPECT_EQ(token::mint(auth_spec(), vector.key, request), vector.header);
    }
  }
}

TEST(WorkedExample, ServerAcceptsEveryVector) {
  const auto fixture = fixture::default_fixture();
  TokenVerifier verifier(fixture, false, Fault::None);
  for (const auto& vector : auth_spec().test_vectors) {
    token::TokenRequest request{vector.res, vector.et, vector.method, vector.version};
    const auto header = token::assemble(auth_spec(), request, vector.sign);
    const auto result = verifier.verify(header, vector.et - 1);
    EXPECT_TRUE(result.ok) << vector.method << ": " << result.reason;
    EXPECT_EQ(result.product, "123123");
    EXPECT_EQ(verifier.verify(header, vector.et + 1).reason, "expired") << vector.method;
  }
}

TEST(WorkedExample, RawValuesOnlyWhereTheProfileAllowsThem) {
  const auto fixture = fixture::default_fixture();
  const auto& vector = auth_spec().test_vectors[0];
  token::TokenRequest request{vector.res, vector.et, vector.method, vector.version};
  request.url_encode_values = false;
  const auto raw = token::assemble(auth_spec(), request, vector.sign);
  EXPECT_NE(raw.find("res=products/123123"), std::string::npos);
  EXPECT_EQ(TokenVerifier(fixture, false, Fault::None).verify(raw, vector.et - 1).reason, "malformed");
  EXPECT_TRUE(TokenVerifier(fixture, true, Fault::None).verify(raw, vector.et - 1).ok);
}

struct Rejection {
  std::string header;
  std::string reason;
};

TEST(Verification, RejectsWhatItMust) {
  const auto fixture = fixture::default_fixture();
  TokenVerifier verifier(fixture, false, Fault::None);
  const auto good = testing::token_for("products/123123");
  ASSERT_TRUE(verifier.verify(good, testing::kNow).ok);
  const std::vector<Rejection> cases = {
      {"", "missing"},
      {"garbage", "malformed"},
      {"version=2018-10-31&res=products%2F123123", "malformed"},
      {good + "&et=1", "malformed"},
      {testing::token_for("products/123123", "sha1", testing::kNow - 1), "expired"},
      {"version=2018-10-31&res=products%2F999&et=9999999999&method=sha1&sign=AAAA", "unknown-key"},
      {"version=2018-10-31&res=products%2F123123&et=99999999999999999999&method=sha1&sign=AAAA", "malformed"},
      {"version=2017-01-01&res=products%2F123123&et=9999999999&method=sha1&sign=AAAA", "malformed"},
      {"version=2018-10-31&res=products%2F123123&et=9999999999&method=sha512&sign=AAAA", "malformed"},
      {"version=2018-10-31&res=products%2F123123%2Fdevices%2Fm5310-example&et=9999999999&method=sha1&sign=AAAA",
       "unknown-key"},
  };
  for (const auto& c : cases) EXPECT_EQ(verifier.verify(c.header, testing::kNow).reason, c.reason) << c.header;
}

TEST(Verification, ScopeOfProductAndDeviceTokens) {
  const auto fixture = fixture::default_fixture();
  TokenVerifier verifier(fixture, false, Fault::None);
  const auto product = verifier.verify(testing::token_for("products/123123"), testing::kNow);
  const auto device = verifier.verify(testing::token_for("products/123123/devices/sota-device-key"), testing::kNow);
  const auto other = verifier.verify(testing::token_for("products/200001"), testing::kNow);
  ASSERT_TRUE(product.ok && device.ok && other.ok);
  EXPECT_TRUE(product.covers(*fixture.device("6523")));
  EXPECT_TRUE(product.covers(*fixture.device("6529")));
  EXPECT_FALSE(product.covers(*fixture.device("7001")));
  EXPECT_TRUE(device.covers(*fixture.device("6529")));
  EXPECT_FALSE(device.covers(*fixture.device("6523")));  // a device token for another device
  EXPECT_TRUE(other.covers(*fixture.device("7001")));
  EXPECT_FALSE(other.covers(*fixture.device("6523")));
}

// Any token with one byte changed is rejected (unless the change only flips
// the letter case of a percent-escape, which decodes to the same token).
RC_GTEST_PROP(Verification, OneChangedByteIsRejected, ()) {
  static const auto fixture = fixture::default_fixture();
  const bool lenient = *rc::gen::arbitrary<bool>();
  TokenVerifier verifier(fixture, lenient, Fault::None);
  const auto method = *rc::gen::element<std::string>("md5", "sha1", "sha256");
  const auto res = *rc::gen::element<std::string>("products/123123", "products/123123/devices/sota-device-key");
  const auto token = testing::token_for(res, method);
  RC_PRE(verifier.verify(token, testing::kNow).ok);
  const auto position = *rc::gen::inRange<std::size_t>(0, token.size());
  const auto replacement = *rc::gen::suchThat(rc::gen::arbitrary<char>(), [&](char c) { return c != token[position]; });
  auto tampered = token;
  tampered[position] = replacement;
  const bool in_escape = (position >= 1 && token[position - 1] == '%') || (position >= 2 && token[position - 2] == '%');
  const bool case_flip = std::tolower(static_cast<unsigned char>(replacement)) ==
                         std::tolower(static_cast<unsigned char>(token[position]));
  RC_PRE(!(in_escape && case_flip));
  RC_ASSERT(!verifier.verify(tampered, testing::kNow).ok);
}

TEST(Mutants, Sha256SignatureIsNotChecked) {
  const auto fixture = fixture::default_fixture();
  auto token = testing::token_for("products/123123", "sha256");
  token.back() = token.back() == 'D' ? 'E' : 'D';
  EXPECT_EQ(TokenVerifier(fixture, false, Fault::None).verify(token, testing::kNow).reason, "bad-signature");
  EXPECT_TRUE(TokenVerifier(fixture, false, Fault::UncheckedSha256Signature).verify(token, testing::kNow).ok);
}

}  // namespace
}  // namespace otaconf::refserver
