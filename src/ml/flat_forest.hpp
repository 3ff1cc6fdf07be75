#pragma once
// The trees of an ensemble laid out for batch prediction. Built from the trained DecisionTrees (which stay the
// model's source of truth, for explanations and the model file); it holds copies of their leaf class
// fractions, so a prediction and an explanation add up the same doubles.
//
// Prediction is a chain of dependent loads per row and tree, so the layout is about bytes and instructions
// per level:
//  - a tree is an array of 8-byte slots (threshold, and one word packing feature, NaN direction and the
//    offset of the children); the two children of a node are adjacent, so the next slot is computed from
//    the comparison (current + offset + right) instead of loaded;
//  - thresholds and row values are compared as order-preserving integer keys (flat_forest.cpp, FloatKey;
//    each call converts its rows, in chunks of at most 16 MB of keys);
//  - a leaf slot holds an index into a table of distinct class-fraction vectors: trees grown to purity have
//    only `classes` distinct ones, so the table stays in L1 and the leaves cost no memory of their own;
//  - slots are packed four child pairs to an aligned 64-byte line, a line holding a pair and its nearest
//    descendants breadth-first, so one cache miss advances a row about two levels;
//  - rows walk a tree in 128 lanes: each lane prefetches its next slot and loads it a pass over the lanes
//    later, so the misses of many rows overlap, and a lane whose row reaches a leaf takes the next row.
// Forests whose offsets or feature indices do not fit the 8-byte word get 16-byte slots, walked by the same
// code. On x86-64 CPUs with BMI2 the walk runs from a copy compiled for it (one instruction fewer a level).

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

#include "ml/decision_tree.hpp"

namespace rivulet::ml {

class FlatForest {
public:
    //! kAuto: 8-byte slots when the forest fits them, else 16-byte; the others force one (tests).
    enum class Layout { kAuto, kCompact, kWide };
    //! Instructions the walk may use. kAuto: BMI2 where the CPU has it (x86-64; a level takes one instruction
    //! fewer, flat_forest.cpp); kBaseline: the baseline build's own (tests walk both).
    enum class Isa { kAuto, kBaseline };

    FlatForest() = default;
    //! Flattens `trees` (class fractions `value`, `classes` per node). Throws RivuletError if a tree needs
    //! more than 2^30 nodes or `layout` is kCompact and the forest does not fit it.
    FlatForest(const std::vector<DecisionTree> &trees, size_t classes, Layout layout = Layout::kAuto,
               Isa isa = Isa::kAuto);

    //! out[r * classes + c] += Σ over trees of the class-c fraction of the leaf row r reaches, for rows
    //! [0, rows) of `x` (rows × features row-major, NaN = missing, features > every split feature). The sum
    //! runs over trees in order for every row, so it does not depend on how callers split the rows.
    //! @locality thread-safe (const); callers give each thread its own rows of `out`.
    void AddLeafValues(const float *x, size_t rows, size_t features, double *out) const;

    size_t n_trees() const { return tree_begin_.size(); }
    bool compact() const { return compact_; }
    //! Whether the walk uses BMI2 (Isa::kAuto on a CPU that has it).
    bool bmi2() const { return bmi2_; }
    //! Distinct leaf class-fraction vectors (what the leaves index).
    size_t distinct_leaf_values() const { return leaf_value_.size() / (classes_ ? classes_ : 1); }

private:
    // Both slot kinds: `word` bit 31 marks a leaf, whose `threshold` holds its leaf_value_ index and whose
    // other word bits are 0.
    struct CompactSlot {
        uint32_t threshold;  //!< key of the threshold: x <= threshold goes to the left child
        uint32_t word;       //!< bits [0, F): feature; bit F: NaN goes right; bits [F+1, 31): offset to left child
    };
    struct WideSlot {
        uint32_t threshold;
        uint32_t word;    //!< bits [0, 30): feature; bit 30: NaN goes right
        uint32_t offset;  //!< offset to the left child
        uint32_t unused;
    };
    static constexpr uint32_t kLeaf = 0x80000000u;

    //! Cache-line-aligned storage, so a line's slots share one line.
    template <class T>
    struct LineAllocator {
        using value_type = T;
        LineAllocator() = default;
        template <class U>
        LineAllocator(const LineAllocator<U> &) {}
        T *allocate(size_t n) { return static_cast<T *>(::operator new(n * sizeof(T), std::align_val_t{64})); }
        void deallocate(T *p, size_t) { ::operator delete(p, std::align_val_t{64}); }
        bool operator==(const LineAllocator &) const { return true; }
    };

    //! Slot positions of `tree`'s nodes in line order (pairs of children adjacent), and the tree's slot count.
    static std::vector<uint32_t> PlaceNodes(const DecisionTree &tree, size_t pairs_per_line, size_t &n_slots);
    template <class Slot, bool kMissing>
    void Walk(const uint32_t *x, size_t rows, size_t features, double *out) const;
    template <class Slot, bool kMissing>
    void WalkBmi2(const uint32_t *x, size_t rows, size_t features, double *out) const;
    template <class Slot>
    void Dispatch(bool missing, const uint32_t *x, size_t rows, size_t features, double *out) const;

    size_t classes_ = 0;
    bool compact_ = true;
    bool bmi2_ = false;
    uint32_t feature_bits_ = 0;  //!< F of CompactSlot::word
    std::vector<CompactSlot, LineAllocator<CompactSlot>> compact_slots_;
    std::vector<WideSlot, LineAllocator<WideSlot>> wide_slots_;
    std::vector<size_t> tree_begin_;  //!< per tree: index of its root slot (line-aligned)
    std::vector<double> leaf_value_;  //!< distinct class-fraction vectors × classes
};

}  // namespace rivulet::ml
