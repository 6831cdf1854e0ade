#include "target/bm1684x/stream_scheduler.h"

#include <algorithm>
#include <map>
#include <set>

#include "chip/bm1684x/footprint.h"
#include "chip/bm1684x/sim/cycle_model.h"
#include "ir/diagnostics.h"

namespace tpuc::bm1684x {

namespace {

using Range = ByteRange;

struct Footprint {
  std::vector<Range> local_reads, local_writes, ddr_reads, ddr_writes;
};

void add_footprint(const Chip& chip, const Operand& o, std::vector<Range>& local,
                   std::vector<Range>& ddr) {
  const std::vector<Range> ranges = operand_ranges(chip, o);
  std::vector<Range>& to = o.space == Space::Global ? ddr : local;
  to.insert(to.end(), ranges.begin(), ranges.end());
}

Footprint footprint(const Chip& chip, const TiuCommand& c) {
  Footprint f;
  for (const Operand* o : tiu_reads(c)) add_footprint(chip, *o, f.local_reads, f.ddr_reads);
  add_footprint(chip, c.res, f.local_writes, f.ddr_writes);
  return f;
}

Footprint footprint(const Chip& chip, const GdmaCommand& c) {
  Footprint f;
  if (c.op == GdmaOp::Tensor) add_footprint(chip, c.src, f.local_reads, f.ddr_reads);
  add_footprint(chip, c.dst, f.local_writes, f.ddr_writes);
  return f;
}

// Who touched each byte of one memory last: the last writer, and the readers since.
class Shadow {
 public:
  struct Segment {
    int writer = -1;
    int tiu_reader = -1;            // the TIU runs in order: its last reader is enough
    std::vector<int> gdma_readers;  // the GDMA is reordered: every reader counts
  };
  Shadow() { segments_[0] = {}; }
  // Calls f on the segments covering [r.begin, r.end), split at its ends.
  template <class F>
  void visit(const Range& r, F f) {
    if (r.end <= r.begin) return;
    split(r.begin);
    split(r.end);
    for (auto it = segments_.find(r.begin); it != segments_.end() && it->first < r.end; ++it)
      f(it->second);
  }

 private:
  void split(uint64_t at) {
    auto it = std::prev(segments_.upper_bound(at));
    if (it->first != at) segments_[at] = it->second;
  }
  std::map<uint64_t, Segment> segments_;  // each from its key to the next
};

struct Item {
  bool tiu;
  uint32_t index;
  uint64_t cycles;
  std::vector<int> preds;  // earlier items (program order) this one must follow
};

void record(Shadow& shadow, const std::vector<Range>& reads, const std::vector<Range>& writes,
            int me, std::vector<Item>& items) {
  std::vector<int>& preds = items[size_t(me)].preds;
  const bool tiu = items[size_t(me)].tiu;
  for (const Range& r : reads)
    shadow.visit(r, [&](Shadow::Segment& s) {
      if (s.writer >= 0) preds.push_back(s.writer);
      if (tiu) {
        s.tiu_reader = me;
      } else {
        s.gdma_readers.push_back(me);
      }
    });
  for (const Range& r : writes)
    shadow.visit(r, [&](Shadow::Segment& s) {
      if (s.writer >= 0) preds.push_back(s.writer);
      if (s.tiu_reader >= 0) preds.push_back(s.tiu_reader);
      preds.insert(preds.end(), s.gdma_readers.begin(), s.gdma_readers.end());
      s = {me, -1, {}};
    });
}

// Every command as an item with the earlier items it must follow: those that last wrote the bytes
// it reads or writes, and those that read the bytes it writes since (a TIU item need not wait for
// earlier TIU items: its stream runs in order).
std::vector<Item> dependencies(const Chip& chip, const Program& program,
                               const std::vector<Issued>& order) {
  std::vector<Item> items;
  Shadow local, ddr;
  for (const Issued& is : order) {
    const Footprint f =
        is.tiu ? footprint(chip, program.tiu[is.index]) : footprint(chip, program.gdma[is.index]);
    const uint64_t cycles = is.tiu ? tiu_cost(chip, program.tiu[is.index]).cycles
                                   : gdma_cost(chip, program.gdma[is.index]).cycles;
    items.push_back({is.tiu, is.index, cycles, {}});
    const int me = int(items.size() - 1);
    record(local, f.local_reads, f.local_writes, me, items);
    record(ddr, f.ddr_reads, f.ddr_writes, me, items);
    std::vector<int>& p = items.back().preds;
    if (is.tiu)
      p.erase(std::remove_if(p.begin(), p.end(), [&](int q) { return items[size_t(q)].tiu; }),
              p.end());
    std::sort(p.begin(), p.end());
    p.erase(std::unique(p.begin(), p.end()), p.end());
    p.erase(std::remove(p.begin(), p.end(), me), p.end());
  }
  return items;
}

// The list schedule, one barrier-free segment at a time: the TIU takes its next item when its
// inputs are ready; the GDMA the earliest item in program order that can start when it is free
// (else the one that can start soonest); whichever engine starts first goes first.
class ListSchedule {
 public:
  explicit ListSchedule(const std::vector<Item>& items)
      : position(items.size(), 0),
        items_(items),
        end_(items.size(), 0),
        done_(items.size(), false) {}

  // Items [first, last): a segment between host layers.
  void segment(size_t first, size_t last) {
    std::vector<int> tiu_queue;
    std::set<int> waiting;  // GDMA items of the segment not yet scheduled
    for (size_t i = first; i < last; ++i) {
      if (items_[i].tiu) {
        tiu_queue.push_back(int(i));
      } else {
        waiting.insert(int(i));
      }
    }
    size_t next_tiu = 0;
    while (next_tiu < tiu_queue.size() || !waiting.empty()) {
      const uint64_t tiu_at =
          next_tiu < tiu_queue.size() ? ready_at(tiu_queue[next_tiu], tiu_free_) : UINT64_MAX;
      int pick = -1;
      uint64_t gdma_at = UINT64_MAX;
      for (int i : waiting) {
        const uint64_t t = ready_at(i, gdma_free_);
        if (t < gdma_at) {
          gdma_at = t;
          pick = i;
        }
        if (t == gdma_free_) break;  // the earliest in program order that can start at once
      }
      if (tiu_at == UINT64_MAX && pick < 0)
        TPUC_INTERNAL_ERROR("stream scheduler: no command can run");
      if (tiu_at <= gdma_at) {
        tiu_free_ = run(tiu_queue[next_tiu++], tiu_at);
      } else {
        gdma_free_ = run(pick, gdma_at);
        position[size_t(pick)] = uint32_t(gdma_order.size());
        gdma_order.push_back(pick);
        waiting.erase(pick);
      }
    }
    // The host layer after the segment runs with both engines drained.
    tiu_free_ = std::max(tiu_free_, gdma_free_);
    gdma_free_ = tiu_free_;
  }

  std::vector<int> gdma_order;     // GDMA items in their new order
  std::vector<uint32_t> position;  // GDMA items: their new index

 private:
  // When item i can start on an engine free at `free`; UINT64_MAX while a predecessor is
  // unscheduled.
  uint64_t ready_at(int i, uint64_t free) const {
    uint64_t t = free;
    for (int p : items_[size_t(i)].preds) {
      if (!done_[size_t(p)]) return UINT64_MAX;
      t = std::max(t, end_[size_t(p)]);
    }
    return t;
  }
  // Item i starts at `start`; returns when it ends.
  uint64_t run(int i, uint64_t start) {
    end_[size_t(i)] = start + items_[size_t(i)].cycles;
    done_[size_t(i)] = true;
    return end_[size_t(i)];
  }

  const std::vector<Item>& items_;
  std::vector<uint64_t> end_;
  std::vector<bool> done_;
  uint64_t tiu_free_ = 0, gdma_free_ = 0;
};

}  // namespace

std::vector<uint32_t> schedule_streams(const Chip& chip, Program& program,
                                       const std::vector<Issued>& order,
                                       const std::vector<size_t>& barriers) {
  const std::vector<Item> items = dependencies(chip, program, order);
  ListSchedule schedule(items);
  size_t first = 0;
  for (size_t b : barriers) {
    schedule.segment(first, b);
    first = b;
  }
  schedule.segment(first, items.size());

  std::vector<GdmaCommand> gdma;
  std::vector<uint32_t> old_index;
  for (int i : schedule.gdma_order) {
    gdma.push_back(program.gdma[items[size_t(i)].index]);
    old_index.push_back(items[size_t(i)].index);
  }
  // Each command waits for the latest of its predecessors on the other engine.
  for (size_t i = 0; i < items.size(); ++i) {
    uint32_t dep = 0;
    for (int p : items[i].preds) {
      const Item& pred = items[size_t(p)];
      if (pred.tiu == items[i].tiu) continue;
      dep = std::max(dep, (pred.tiu ? pred.index : schedule.position[size_t(p)]) + 1);
    }
    if (items[i].tiu) {
      program.tiu[items[i].index].id = items[i].index + 1;
      program.tiu[items[i].index].dep = dep;
    } else {
      GdmaCommand& c = gdma[schedule.position[i]];
      c.id = schedule.position[i] + 1;
      c.dep = dep;
    }
  }
  program.gdma = std::move(gdma);
  return old_index;
}

}  // namespace tpuc::bm1684x
