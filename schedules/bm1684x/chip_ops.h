// Which ops the BM1684X runs, and how they sit in layer groups: the questions stages above the
// schedules ask of the chip's op table (chip_schedule.cpp), without Halide.
#pragma once
#include <cstdint>
#include <string>

namespace tpuc::bm1684x {

// Ops that need no commands: their output is a view of their input's DDR bytes (the registry's
// reshape ops).
bool is_ddr_view(const std::string& op);
// The chip has a schedule for the op, or needs none (a view).
bool has_chip_schedule(const std::string& op);

// How an op sits in a layer group (target/bm1684x/layer_groups.h): Alone (never grouped); Rows
// (computes NCHW rows, so a group around it can be tiled by rows); WholeInput (groups, but needs
// its whole input: a group holding it is one tile).
enum class Grouping : uint8_t { Alone, Rows, WholeInput };
Grouping chip_grouping(const std::string& op);

}  // namespace tpuc::bm1684x
