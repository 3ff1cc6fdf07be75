#pragma once
// The trees of an ensemble laid out for batch prediction. Built from the trained DecisionTrees (which stay the
// model's source of truth, for explanations and the model file); it holds copies of their leaf class
// fractions, so a prediction and an explanation add up the same doubles.
//
// Prediction is bound by memory latency: a fully grown tree is far larger than the caches and each level is a
// dependent load. Hence:
//  - only inner nodes are stored (16 bytes: threshold, feature, two child references); a reference to a leaf
//    is the leaf's index into the class fractions with the top bit set, so a walk ends without loading a node;
//  - nodes are packed four to an aligned 64-byte line, each line holding a node and its nearest inner
//    descendants (breadth-first), so one cache miss advances a row about two levels;
//  - rows are walked through a tree in lock-step groups: the loads of a group's rows are independent and
//    overlap, instead of one row's path waiting on each miss in turn.

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

#include "ml/decision_tree.hpp"

namespace rivulet::ml {

class FlatForest {
public:
    FlatForest() = default;
    //! Flattens `trees` (class fractions `value`, `classes` per node). Throws RivuletError if the forest needs
    //! more than 2^31 nodes or leaves.
    FlatForest(const std::vector<DecisionTree> &trees, size_t classes);

    //! out[r * classes + c] += Σ over trees of the class-c fraction of the leaf row r reaches, for rows
    //! [0, rows) of `x` (rows × features row-major, NaN = missing, features > every split feature). The sum
    //! runs over trees in order for every row, so it does not depend on how callers split the rows.
    //! @locality thread-safe (const); callers give each thread its own rows of `out`.
    void AddLeafValues(const float *x, size_t rows, size_t features, double *out) const;

    size_t n_trees() const { return roots_.size(); }

private:
    struct Node {
        float threshold;     //!< x <= threshold goes to child[0]
        uint32_t feature;    //!< bits 0–30: feature; bit 31 (kMissingLeft): NaN goes to child[0]
        uint32_t child[2];   //!< node index, or kLeafRef | leaf index
    };
    static constexpr uint32_t kLeafRef = 0x80000000u;
    static constexpr uint32_t kMissingLeft = 0x80000000u;
    static constexpr size_t kNodesPerLine = 4;

    //! Cache-line-aligned storage, so the four nodes of a line share one line.
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

    void AddTree(const DecisionTree &tree);

    size_t classes_ = 0;
    std::vector<Node, LineAllocator<Node>> nodes_;
    std::vector<uint32_t> roots_;     //!< per tree: node index, or a leaf reference for a single-leaf tree
    std::vector<double> leaf_value_;  //!< leaves × classes
};

}  // namespace rivulet::ml
