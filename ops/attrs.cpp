#include "ops/attrs.h"

namespace tpuc::ops {

namespace {

void store_optional(Node& n, const char* key, const std::optional<double>& value) {
  if (value) {
    n.attrs[key] = *value;
  } else {
    n.attrs.erase(key);
  }
}

}  // namespace

FusedActivation FusedActivation::of(const Node& n) {
  FusedActivation a;
  a.relu = n.i("do_relu", 0) != 0;
  if (n.has("relu_limit")) a.relu_limit = n.f("relu_limit", 0);
  if (n.has("leaky_alpha")) a.leaky_alpha = n.f("leaky_alpha", 0);
  return a;
}

void FusedActivation::store(Node& n) const {
  if (relu) {
    n.attrs["do_relu"] = int64_t{1};
  } else {
    n.attrs.erase("do_relu");
  }
  store_optional(n, "relu_limit", relu_limit);
  store_optional(n, "leaky_alpha", leaky_alpha);
}

Requantization Requantization::of(const Node& n) {
  return {n.ints("multiplier"), n.ints("rshift")};
}

void Requantization::store(Node& n) const {
  n.attrs["multiplier"] = multiplier;
  n.attrs["rshift"] = rshift;
}

void Requantization::erase(Node& n) {
  n.attrs.erase("multiplier");
  n.attrs.erase("rshift");
}

GemmAttrs GemmAttrs::of(const Node& n) {
  return {n.i("transA", 0) != 0, n.i("transB", 0) != 0, n.f("alpha", 1.0), n.f("beta", 1.0)};
}

std::string plain_gemm_refusal(const Node& n, const TensorType* c, const TensorType& result) {
  const GemmAttrs g = GemmAttrs::of(n);
  if (g.trans_a) return "needs transA = 0";
  if (g.alpha != 1 || g.beta != 1) return "needs alpha = beta = 1";
  if (c && c->num_elements() != result.shape.at(1))
    return "C must hold one value per output column";
  return "";
}

}  // namespace tpuc::ops
