#include "ml/flat_forest.hpp"

#include <algorithm>

#include "common/error.hpp"

namespace rivulet::ml {
namespace {

// Rows walked through a tree together: enough independent loads in flight to cover memory latency, few
// enough that the group's node references stay in L1.
constexpr size_t kGroup = 32;
constexpr uint32_t kMaxIndex = 0x7fffffffu;

}  // namespace

FlatForest::FlatForest(const std::vector<DecisionTree> &trees, size_t classes) : classes_(classes) {
    roots_.reserve(trees.size());
    // Line 0: a dummy node that rows already at a leaf keep visiting, so the walk needs no per-row branch.
    nodes_.assign(kNodesPerLine, Node{0.0f, 0, {kLeafRef, kLeafRef}});
    for (const DecisionTree &t : trees) AddTree(t);
}

void FlatForest::AddTree(const DecisionTree &tree) {
    const size_t k = classes_;
    // Trained node index → reference in this layout. Leaves first: their fractions, in node order.
    std::vector<uint32_t> ref(tree.nodes.size(), 0);
    for (size_t i = 0; i < tree.nodes.size(); ++i) {
        if (tree.nodes[i].feature >= 0) continue;
        size_t leaf = leaf_value_.size() / k;
        if (leaf > kMaxIndex) throw RivuletError(ErrorKind::kInvalidInput, "forest has too many leaves for 32-bit indices");
        ref[i] = kLeafRef | static_cast<uint32_t>(leaf);
        leaf_value_.insert(leaf_value_.end(), tree.value.begin() + static_cast<ptrdiff_t>(i * k),
                           tree.value.begin() + static_cast<ptrdiff_t>((i + 1) * k));
    }
    if (tree.nodes[0].feature < 0) {
        roots_.push_back(ref[0]);
        return;
    }
    // Inner nodes in lines: each line starts at a pending node and takes up to four inner nodes of its subtree
    // breadth-first; the nodes just below a full line start later lines (depth-first, so a subtree's lines
    // stay near each other).
    std::vector<size_t> order;         // trained index of each placed inner node, in layout order
    std::vector<size_t> pending{0};    // line roots still to place (a stack)
    std::vector<size_t> line;
    while (!pending.empty()) {
        size_t top = pending.back();
        pending.pop_back();
        line.assign(1, top);
        for (size_t q = 0; q < line.size(); ++q) {
            const TreeNode &n = tree.nodes[line[q]];
            for (int side = 0; side < 2; ++side) {
                size_t c = static_cast<size_t>(n.left) + static_cast<size_t>(side);
                if (tree.nodes[c].feature < 0) continue;
                if (line.size() < kNodesPerLine) line.push_back(c);
            }
        }
        // Children of this line's nodes that did not fit: pushed in reverse so the leftmost is placed next.
        std::vector<size_t> below;
        for (size_t q : line) {
            const TreeNode &n = tree.nodes[q];
            for (int side = 0; side < 2; ++side) {
                size_t c = static_cast<size_t>(n.left) + static_cast<size_t>(side);
                if (tree.nodes[c].feature >= 0 && std::find(line.begin(), line.end(), c) == line.end())
                    below.push_back(c);
            }
        }
        pending.insert(pending.end(), below.rbegin(), below.rend());
        // nodes_ ends on a line boundary after every tree, so padding `order` starts the line on one.
        while (order.size() % kNodesPerLine != 0) order.push_back(SIZE_MAX);
        order.insert(order.end(), line.begin(), line.end());
    }
    while ((nodes_.size() + order.size()) % kNodesPerLine != 0) order.push_back(SIZE_MAX);
    if (nodes_.size() + order.size() > kMaxIndex)
        throw RivuletError(ErrorKind::kInvalidInput, "forest has too many nodes for 32-bit indices");
    const uint32_t first = static_cast<uint32_t>(nodes_.size());
    for (size_t p = 0; p < order.size(); ++p)
        if (order[p] != SIZE_MAX) ref[order[p]] = first + static_cast<uint32_t>(p);
    for (size_t p = 0; p < order.size(); ++p) {
        if (order[p] == SIZE_MAX) {
            nodes_.push_back(Node{0.0f, 0, {kLeafRef, kLeafRef}});  // padding, never reached
            continue;
        }
        const TreeNode &n = tree.nodes[order[p]];
        nodes_.push_back(Node{n.threshold, static_cast<uint32_t>(n.feature) | (n.missing_left ? kMissingLeft : 0u),
                              {ref[static_cast<size_t>(n.left)], ref[static_cast<size_t>(n.left) + 1]}});
    }
    roots_.push_back(ref[0]);
}

void FlatForest::AddLeafValues(const float *x, size_t rows, size_t features, double *out) const {
    const Node *nodes = nodes_.data();
    const size_t k = classes_;
    uint32_t cur[kGroup];
    for (uint32_t root : roots_) {
        for (size_t g0 = 0; g0 < rows; g0 += kGroup) {
            const size_t m = std::min(kGroup, rows - g0);
            const float *xg = x + g0 * features;
            for (size_t g = 0; g < m; ++g) cur[g] = root;
            // Branch-free lock-step: a row at a leaf reads the dummy node 0 and keeps its reference. Which rows
            // are done is data-dependent; a branch on it would be mispredicted about once per row and level.
            for (uint32_t active = 1; active;) {
                active = 0;
                for (size_t g = 0; g < m; ++g) {
                    const uint32_t c = cur[g];
                    const uint32_t at_leaf = c >> 31;
                    const Node &nd = nodes[at_leaf ? 0 : c];
                    const float v = xg[g * features + (nd.feature & ~kMissingLeft)];
                    // x <= t goes to child[0]; NaN to the stored side.
                    const uint32_t right = (v > nd.threshold) | ((v != v) & ((nd.feature & kMissingLeft) == 0));
                    cur[g] = at_leaf ? c : nd.child[right];
                    active |= at_leaf ^ 1u;
                }
            }
            double *o = out + g0 * k;
            for (size_t g = 0; g < m; ++g) {
                const double *lv = leaf_value_.data() + static_cast<size_t>(cur[g] & ~kLeafRef) * k;
                for (size_t c = 0; c < k; ++c) o[g * k + c] += lv[c];
            }
        }
    }
}

}  // namespace rivulet::ml
