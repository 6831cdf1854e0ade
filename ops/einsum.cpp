// Einsum: `equation` "ij,jk->ik" names each input's dimensions by letter; the result's letters
// (given after "->", or in implicit mode the letters used once, alphabetically) are its
// dimensions, every other letter is summed over. "..." stands for the leading dimensions an input
// has beyond its letters (numpy-broadcast between inputs, first in an implicit result). A letter
// repeated in one input reads its diagonal. Algorithm: the product of the inputs at each position,
// summed over one RDom of the summed letters, in their order of first appearance.
#include <algorithm>

#include "ops/families.h"

namespace tpuc::ops {

using namespace Halide;

namespace {

// A dimension label: a letter's character, or kEllipsis + k for the k-th "..." dimension from
// the right.
constexpr int kEllipsis = 1000;

struct Equation {
  std::vector<std::vector<int>> inputs;  // each input's labels, in tensor order
  std::vector<int> output, summed;       // the result's labels; the labels summed over
  std::map<int, int64_t> size;           // each label's length
};

// One operand's term ("ij", "...ij") as labels, its "..." expanded to the dimensions `rank` leaves.
std::vector<int> labels_of(const Node& n, const std::string& term, size_t rank, size_t* ellipsis) {
  const size_t dots = term.find("...");
  const std::string letters =
      dots == std::string::npos ? term : term.substr(0, dots) + term.substr(dots + 3);
  for (char c : letters)
    if (!std::isalpha(static_cast<unsigned char>(c)))
      node_error(n, "equation term '" + term + "' holds '" + std::string(1, c) + "'");
  if (letters.size() > rank || (dots == std::string::npos && letters.size() != rank))
    node_error(
        n, "equation term '" + term + "' does not fit a rank-" + std::to_string(rank) + " operand");
  std::vector<int> labels(letters.begin(), letters.end());
  if (dots == std::string::npos) return labels;
  const size_t count = rank - letters.size();
  *ellipsis = std::max(*ellipsis, count);
  std::vector<int> expanded;
  for (size_t k = count; k-- > 0;) expanded.push_back(kEllipsis + int(k));
  labels.insert(labels.begin() + std::ptrdiff_t(dots), expanded.begin(), expanded.end());
  return labels;
}

// The result's labels when the equation gives none: "..." first, then the letters used once.
std::vector<int> implicit_output(const std::vector<std::vector<int>>& inputs, size_t ellipsis) {
  std::map<int, int> uses;
  for (const auto& labels : inputs)
    for (int l : labels) ++uses[l];
  std::vector<int> out;
  for (size_t k = ellipsis; k-- > 0;) out.push_back(kEllipsis + int(k));
  for (const auto& [label, count] : uses)
    if (label < kEllipsis && count == 1) out.push_back(label);
  return out;
}

Equation parse(const Node& n, const std::vector<const Shape*>& shapes) {
  std::string eq;
  for (char c : n.s("equation", ""))
    if (c != ' ') eq += c;
  const size_t arrow = eq.find("->");
  std::vector<std::string> terms(1);
  for (char c : eq.substr(0, arrow)) {
    if (c == ',') {
      terms.emplace_back();
    } else {
      terms.back() += c;
    }
  }
  if (terms.size() != shapes.size())
    node_error(n, "equation '" + eq + "' names " + std::to_string(terms.size()) +
                      " operands, the node has " + std::to_string(shapes.size()));
  Equation e;
  size_t ellipsis = 0;
  for (size_t i = 0; i < terms.size(); ++i) {
    e.inputs.push_back(labels_of(n, terms[i], shapes[i]->size(), &ellipsis));
    for (size_t d = 0; d < shapes[i]->size(); ++d) {
      int64_t& length = e.size[e.inputs[i][d]];
      const int64_t dim = (*shapes[i])[d];
      if (length > 1 && dim > 1 && length != dim)
        node_error(n, "the lengths of one letter differ between operands");
      length = std::max(length, dim);
    }
  }
  if (arrow == std::string::npos) {
    e.output = implicit_output(e.inputs, ellipsis);
  } else {
    const std::string result = eq.substr(arrow + 2);
    const bool dots = result.find("...") != std::string::npos;
    size_t result_ellipsis = 0;
    e.output =
        labels_of(n, result, dots ? result.size() - 3 + ellipsis : result.size(), &result_ellipsis);
  }
  for (int l : e.output)
    if (!e.size.count(l)) node_error(n, "the result names a letter no operand has");
  for (const auto& labels : e.inputs)
    for (int l : labels)
      if (std::find(e.output.begin(), e.output.end(), l) == e.output.end() &&
          std::find(e.summed.begin(), e.summed.end(), l) == e.summed.end())
        e.summed.push_back(l);
  return e;
}

std::vector<const Shape*> shapes_of(const std::vector<const TensorType*>& types) {
  std::vector<const Shape*> shapes;
  for (const TensorType* t : types) shapes.push_back(&t->shape);
  return shapes;
}

}  // namespace

std::vector<TensorType> infer_einsum(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, std::max<size_t>(in.size(), 1));
  std::vector<const TensorType*> types;
  for (const InferInput& i : in) types.push_back(i.type);
  const Equation e = parse(n, shapes_of(types));
  Shape out;
  for (int l : e.output) out.push_back(e.size.at(l));
  return {{in[0].type->dtype, out, std::nullopt}};
}

Algorithm build_einsum(const Node& n, const std::vector<OpInput>& in,
                       const std::vector<TensorType>& out) {
  std::vector<const TensorType*> types;
  for (const OpInput& i : in) types.push_back(i.type);
  const Equation e = parse(n, shapes_of(types));
  const std::vector<Var> v = make_vars(e.output.size());
  std::map<int, Expr> at;  // each label's position: an output variable or a summed RDom variable
  for (size_t d = 0; d < e.output.size(); ++d) at[e.output[d]] = v[e.output.size() - 1 - d];
  Region region;
  for (int l : e.summed) region.emplace_back(0, int(e.size.at(l)));
  std::vector<RDom> reductions;
  if (!region.empty()) reductions.emplace_back(region, "r");
  for (size_t k = 0; k < e.summed.size(); ++k) at[e.summed[k]] = reductions[0][int(k)];
  Expr product;
  for (size_t i = 0; i < in.size(); ++i) {
    const Shape& s = in[i].type->shape;
    std::vector<Expr> args(s.size());
    for (size_t d = 0; d < s.size(); ++d)
      args[s.size() - 1 - d] = s[d] == 1 ? Expr(0) : at.at(e.inputs[i][d]);
    Expr x = in[i].func(args);
    product = product.defined() ? product * x : x;
  }
  Func output(halide_name(n.name));
  if (reductions.empty()) {
    output(v) = product;
    return {{output}, {}, {}};
  }
  output(v) = cast(halide_type(out[0].dtype), 0);
  output(v) = accumulate(output(v), product);
  return {{output}, {}, reductions};
}

}  // namespace tpuc::ops
