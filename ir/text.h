// The .tpuir text form of a Graph. print -> parse -> print is the identity, so every stage's
// output can be dumped, read by a person, edited and fed back (passes are tested this way).
//
//   tpuir 1
//   graph "fmnist" {
//     input %image : f32[1,1,28,28]
//     const %w : f32[2,1,1,1] = [0.5, -1]          // <= 16 elements: decimal, exact round trip
//     const %big : f32[16,1,3,3] = 0x0000803f...   // otherwise: hex of the raw little-endian bytes
//     %y : f32[1,2,28,28] = Conv(%image, %w) {group = 1, pads = [0, 0, 0, 0]} @"conv1"
//     %q : i8[1,2,28,28]{scale=0.0625} = Quantize(%y) @"q0"
//     output %q
//   }
//
// Value names are printed bare when they match [A-Za-z0-9_.:/-]+, else quoted with C escapes.
// Types: dtype[dims] with an optional {scale=s | scale=[s0,...], zero_point=z, axis=a}.
// Attributes: ints, floats (printed with full round-trip precision and always containing '.', 'e'
// or being inf/nan), "strings", and lists [..] of ints or floats. An empty list is printed `[]` and
// parsed as an empty int list. Several outputs: `%a : T, %b : T = Split(...)`.
#pragma once
#include <ostream>
#include <string>

#include "ir/graph.h"

namespace tpuc {

// The graph as text (print(g, out) writes it piece by piece).
std::string print(const Graph& g);
void print(const Graph& g, std::ostream& out);
// `file` names the source in error messages ("file:line:col: ...").
Graph parse(const std::string& text, const std::string& file = "<string>");
Graph read_tpuir(const std::string& path);
void write_tpuir(const Graph& g, const std::string& path);  // atomic: temp file, then rename

}  // namespace tpuc
