#include "ml/flat_forest.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <unordered_map>

#include "common/error.hpp"

namespace rivulet::ml {
namespace {

// Rows walked through a tree at once ("lanes"): each lane prefetches its next slot a whole pass over the
// lanes before loading it, so up to this many misses are in flight. 128 measured best on the synthetic
// set (trees of megabytes: 64 or 256 lanes were 10-35% slower); in-cache trees (SNAD) hardly care.
constexpr size_t kLanes = 128;
constexpr size_t kLineBytes = 64;
// A lane that takes a new row prefetches the row and output kAhead rows further on, so they are cached
// when that row starts (without this, perf put a quarter of the walk's samples on the load of a row value).
constexpr size_t kAhead = 16;

// The next tree's first lines are prefetched while the current one is walked, a few per pass over the
// lanes (a burst would stall on the few outstanding-miss buffers): a small tree (SNAD: 8 KB) arrives whole
// before its walk starts, a large one its top levels.
constexpr size_t kPrefetchBytes = 16384;
constexpr size_t kPrefetchPerPass = 4;

// Rows and thresholds are compared as unsigned integer keys: a compare with a memory operand and an
// add-with-carry per level, where the float compare took a load, compare, set and add (17 instructions a
// level instead of 21; 5-10% less time on the synthetic set, paired runs). Key(x) <= Key(t) ⟺ x <= t for all
// non-NaN floats: -0 is made +0 first (bitwise, so the FP environment cannot change it), then positive floats
// get the top bit set and negative ones are inverted. Every NaN becomes kNanKey, above every other key, and
// the walk for rows with NaN tests for it.
constexpr uint32_t kNanKey = 0xffffffffu;
inline uint32_t FloatKey(float v) {
    // Masks, not branches, so that the conversion of a batch vectorises.
    const uint32_t bits = std::bit_cast<uint32_t>(v);
    const uint32_t magnitude = bits & 0x7fffffffu;
    const uint32_t b = bits & (0x7fffffffu | (0u - static_cast<uint32_t>(magnitude != 0)));  // -0 → +0
    const uint32_t key = b ^ (static_cast<uint32_t>(static_cast<int32_t>(b) >> 31) | 0x80000000u);
    return key | (0u - static_cast<uint32_t>(magnitude > 0x7f800000u));  // NaN → kNanKey (all ones)
}

// A level splits the slot word into the feature and the offset: a copy, a mask and a shift by a variable
// count in baseline x86-64; a mask and BMI2's non-destructive shift (shrx) where the CPU has it, one
// instruction fewer a level (about 1-5% less time on the synthetic set, alternating calls on Zen 3,
// docs/ml.md). So the walk is compiled twice, and which one runs is decided once per forest.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RIVULET_WALK_BMI2 1
#define RIVULET_TARGET_BMI2 __attribute__((target("bmi2")))
bool CpuHasBmi2() { return __builtin_cpu_supports("bmi2"); }
#else
#define RIVULET_WALK_BMI2 0
#define RIVULET_TARGET_BMI2
bool CpuHasBmi2() { return false; }
#endif

}  // namespace

FlatForest::FlatForest(const std::vector<DecisionTree> &trees, size_t classes, Layout layout, Isa isa)
    : classes_(classes), bmi2_(isa == Isa::kAuto && CpuHasBmi2()) {
    int32_t max_feature = 0;
    for (const DecisionTree &t : trees)
        for (const TreeNode &n : t.nodes) max_feature = std::max(max_feature, n.feature);
    feature_bits_ = static_cast<uint32_t>(std::bit_width(static_cast<uint32_t>(max_feature)));

    // Positions first (they decide whether the compact word can hold every offset), then the slots.
    const size_t compact_line = kLineBytes / sizeof(CompactSlot), wide_line = kLineBytes / sizeof(WideSlot);
    std::vector<std::vector<uint32_t>> pos(trees.size());
    std::vector<size_t> n_slots(trees.size());
    compact_ = layout != Layout::kWide && feature_bits_ <= 29;
    for (size_t t = 0; t < trees.size() && compact_; ++t) {
        pos[t] = PlaceNodes(trees[t], compact_line / 2, n_slots[t]);
        const DecisionTree &tree = trees[t];
        for (size_t i = 0; i < tree.nodes.size() && compact_; ++i)
            if (tree.nodes[i].feature >= 0)
                compact_ = pos[t][static_cast<size_t>(tree.nodes[i].left)] - pos[t][i] < (1u << (30 - feature_bits_));
    }
    if (layout == Layout::kCompact && !compact_)
        throw RivuletError(ErrorKind::kInvalidInput, "forest does not fit 8-byte prediction slots");
    if (!compact_)
        for (size_t t = 0; t < trees.size(); ++t) pos[t] = PlaceNodes(trees[t], wide_line / 2, n_slots[t]);

    const size_t line = compact_ ? compact_line : wide_line;
    size_t total = 0;
    for (size_t t = 0; t < trees.size(); ++t) {
        tree_begin_.push_back(total);
        total += (n_slots[t] + line - 1) / line * line;  // every tree starts on a line
    }
    // Unused slots (padding) are leaves of value 0; no walk reaches them.
    if (compact_) compact_slots_.assign(total, CompactSlot{0, kLeaf});
    else wide_slots_.assign(total, WideSlot{0, kLeaf, 0, 0});

    std::unordered_map<std::string, uint32_t> value_index;  // class-fraction bytes → leaf_value_ index
    for (size_t t = 0; t < trees.size(); ++t) {
        const DecisionTree &tree = trees[t];
        for (size_t i = 0; i < tree.nodes.size(); ++i) {
            const TreeNode &n = tree.nodes[i];
            const size_t p = tree_begin_[t] + pos[t][i];
            uint32_t threshold = FloatKey(n.threshold);
            uint32_t word = 0, offset = 0;
            if (n.feature < 0) {
                // Bitwise-equal fraction vectors share an entry, so sums are unchanged.
                std::string key(reinterpret_cast<const char *>(tree.value.data() + i * classes_),
                                classes_ * sizeof(double));
                auto [it, added] = value_index.try_emplace(key, static_cast<uint32_t>(value_index.size()));
                if (added) leaf_value_.insert(leaf_value_.end(), tree.value.begin() + static_cast<ptrdiff_t>(i * classes_),
                                              tree.value.begin() + static_cast<ptrdiff_t>((i + 1) * classes_));
                threshold = it->second;
                word = kLeaf;
            } else {
                offset = pos[t][static_cast<size_t>(n.left)] - pos[t][i];
                word = static_cast<uint32_t>(n.feature);
            }
            if (compact_) {
                if (n.feature >= 0) word |= (n.missing_left ? 0u : 1u) << feature_bits_ | offset << (feature_bits_ + 1);
                compact_slots_[p] = CompactSlot{threshold, word};
            } else {
                if (n.feature >= 0) word |= (n.missing_left ? 0u : 1u) << 30;
                wide_slots_[p] = WideSlot{threshold, word, offset, 0};
            }
        }
    }
}

std::vector<uint32_t> FlatForest::PlaceNodes(const DecisionTree &tree, size_t pairs_per_line, size_t &n_slots) {
    // A unit is two adjacent slots: the root and a padding slot, or the two children of a node (trained
    // children are allocated together: left, left + 1). A line takes a pending unit and the child units of
    // its nodes breadth-first up to pairs_per_line; the units below a full line are pending (a stack, so a
    // subtree's lines stay near each other). A line starts on a cache line unless it fits in the rest of
    // the current one.
    // Padding keeps slots below twice the nodes, so 2^30 nodes keep every slot index within 32 bits.
    if (tree.nodes.size() > (size_t{1} << 30))
        throw RivuletError(ErrorKind::kInvalidInput, "tree has too many nodes for 32-bit slot indices");
    const size_t line_slots = 2 * pairs_per_line;
    std::vector<uint32_t> pos(tree.nodes.size(), 0);
    auto inner = [&](size_t node) { return node != SIZE_MAX && tree.nodes[node].feature >= 0; };
    auto children = [&](size_t node) { return static_cast<size_t>(tree.nodes[node].left); };
    // A unit: its first node (the root unit is {0, SIZE_MAX}).
    std::vector<std::pair<size_t, size_t>> pending{{0, SIZE_MAX}}, units, below;
    size_t next = 0;  // next free slot
    while (!pending.empty()) {
        units.assign(1, pending.back());
        pending.pop_back();
        below.clear();
        for (size_t q = 0; q < units.size(); ++q) {
            for (size_t node : {units[q].first, units[q].second}) {
                if (!inner(node)) continue;
                std::pair<size_t, size_t> unit{children(node), children(node) + 1};
                (units.size() < pairs_per_line ? units : below).push_back(unit);
            }
        }
        const size_t need = 2 * units.size();
        if (next % line_slots + need > line_slots) next = (next + line_slots - 1) / line_slots * line_slots;
        for (const auto &[a, b] : units) {
            pos[a] = static_cast<uint32_t>(next);
            if (b != SIZE_MAX) pos[b] = static_cast<uint32_t>(next + 1);
            next += 2;
        }
        pending.insert(pending.end(), below.rbegin(), below.rend());
    }
    n_slots = next;
    return pos;
}

// The walk inlined into a function compiled for BMI2 (called only when the CPU has it).
template <class Slot, bool kMissing>
RIVULET_TARGET_BMI2 void FlatForest::WalkBmi2(const uint32_t *x, size_t rows, size_t features, double *out) const {
    Walk<Slot, kMissing>(x, rows, features, out);
}

template <class Slot>
void FlatForest::Dispatch(bool missing, const uint32_t *x, size_t rows, size_t features, double *out) const {
    if (RIVULET_WALK_BMI2 && bmi2_) {
        if (missing) WalkBmi2<Slot, true>(x, rows, features, out);
        else WalkBmi2<Slot, false>(x, rows, features, out);
    } else {
        if (missing) Walk<Slot, true>(x, rows, features, out);
        else Walk<Slot, false>(x, rows, features, out);
    }
}

template <class Slot, bool kMissing>
[[gnu::always_inline]] inline void FlatForest::Walk(const uint32_t *x, size_t rows, size_t features,
                                                    double *out) const {
    constexpr bool kCompact = std::is_same_v<Slot, CompactSlot>;
    const Slot *slots;
    size_t n_slots;
    if constexpr (kCompact) slots = compact_slots_.data(), n_slots = compact_slots_.size();
    else slots = wide_slots_.data(), n_slots = wide_slots_.size();
    const uint32_t fbits = feature_bits_;
    const uint32_t fmask = kCompact ? (1u << fbits) - 1 : 0x3fffffffu;
    const size_t k = classes_;
    const double *values = leaf_value_.data();
    const Slot *cur[kLanes];  // each lane's next slot (a pointer, not an index: saves an add per level)
    const uint32_t *xr[kLanes];  // each lane's row
    double *orow[kLanes];     // and its output
    for (size_t t = 0; t < tree_begin_.size(); ++t) {
        const Slot *tree = slots + tree_begin_[t];
        const char *prefetch = nullptr, *prefetch_end = nullptr;
        if (t + 1 < tree_begin_.size()) {
            const size_t next_end = t + 2 < tree_begin_.size() ? tree_begin_[t + 2] : n_slots;
            prefetch = reinterpret_cast<const char *>(slots + tree_begin_[t + 1]);
            prefetch_end = prefetch + std::min(kPrefetchBytes, (next_end - tree_begin_[t + 1]) * sizeof(Slot));
        }
        // Each lane walks one row; a lane whose row reaches a leaf adds the leaf's fractions and takes the
        // next row, so no lane idles while rows remain (in lock-step groups every row waited for its group's
        // deepest one: on SNAD groups of 32 walked 21.2 levels per row for a mean depth of 13.1). The leaf
        // test is a branch, mispredicted about once per row and tree, not once per level.
        size_t lanes = std::min(kLanes, rows), next = lanes;
        for (size_t g = 0; g < lanes; ++g) cur[g] = tree, xr[g] = x + g * features, orow[g] = out + g * k;
        while (lanes) {
            for (size_t i = 0; i < kPrefetchPerPass && prefetch < prefetch_end; ++i, prefetch += kLineBytes)
                __builtin_prefetch(prefetch);
            for (size_t g = 0; g < lanes;) {
                const Slot s = *cur[g];
                if (s.word & kLeaf) {
                    const double *lv = values + static_cast<size_t>(s.threshold) * k;
                    if (k == 2) orow[g][0] += lv[0], orow[g][1] += lv[1];  // binary: no loop (the usual case)
                    else for (size_t c = 0; c < k; ++c) orow[g][c] += lv[c];
                    if (next < rows) {
                        if (next + kAhead < rows) {
                            const char *xa = reinterpret_cast<const char *>(x + (next + kAhead) * features);
                            const size_t bytes = features * sizeof(uint32_t);
                            for (size_t b = 0; b < bytes; b += kLineBytes) __builtin_prefetch(xa + b);
                            __builtin_prefetch(xa + bytes - 1);
                            __builtin_prefetch(out + (next + kAhead) * k);
                        }
                        cur[g] = tree, xr[g] = x + next * features, orow[g] = out + next * k;
                        ++next, ++g;
                    } else {
                        // No rows left: the last lane takes this one's place (and is walked next).
                        --lanes;
                        cur[g] = cur[lanes], xr[g] = xr[lanes], orow[g] = orow[lanes];
                    }
                    continue;
                }
                const uint32_t v = xr[g][s.word & fmask];
                size_t step;  // offset to the left child, plus 1 to go right
                if constexpr (kCompact) step = s.word >> (fbits + 1);
                else step = s.offset;
                if constexpr (kMissing) {
                    const uint32_t nan_right = (s.word >> (kCompact ? fbits : 30)) & 1;
                    step += v == kNanKey ? nan_right : uint32_t{s.threshold < v};
                } else {
                    step += s.threshold < v;  // a compare and an add-with-carry
                }
                cur[g] += step;
                // Loaded a pass over the lanes later. A load of a missing line holds up retirement, so
                // out-of-order execution overlaps only the few misses within its window; a prefetch does
                // not, so the misses of all lanes overlap (alone 1.3x less CPU on the synthetic set's trees;
                // with the lanes' refill 2.1-3x).
                __builtin_prefetch(cur[g]);
                ++g;
            }
        }
    }
}

void FlatForest::AddLeafValues(const float *x, size_t rows, size_t features, double *out) const {
    // The walk reads keys, converted here a chunk of rows at a time: the copy stays within kKeyBytes however
    // wide the rows are (a chunk walks every tree, so chunks are large: on narrow data the callers' tasks are
    // smaller than one chunk). Rows without NaN (the usual case, and the only one when a model refuses missing
    // values) skip the NaN-direction test.
    constexpr size_t kKeyBytes = size_t{16} << 20;
    const size_t chunk = std::max<size_t>(kLanes, kKeyBytes / (sizeof(uint32_t) * std::max<size_t>(features, 1)));
    std::unique_ptr<uint32_t[]> keys(new uint32_t[std::min(rows, chunk) * features]);
    for (size_t begin = 0; begin < rows; begin += chunk) {
        const size_t n_rows = std::min(chunk, rows - begin), n = n_rows * features;
        const float *xc = x + begin * features;
        uint32_t nan = 0;
        for (size_t i = 0; i < n; ++i) {
            keys[i] = FloatKey(xc[i]);
            nan |= keys[i] == kNanKey;
        }
        double *oc = out + begin * classes_;
        if (compact_) Dispatch<CompactSlot>(nan != 0, keys.get(), n_rows, features, oc);
        else Dispatch<WideSlot>(nan != 0, keys.get(), n_rows, features, oc);
    }
}

}  // namespace rivulet::ml
