#include "ml/decision_tree.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace rivulet::ml {
namespace {

// scikit-learn's FEATURE_THRESHOLD: a feature whose spread at a node is below this is constant there.
constexpr float kFeatureThreshold = 1e-7f;
// A node whose Gini impurity is at most this is pure (scikit-learn's EPSILON, the double epsilon).
constexpr double kPureImpurity = 2.220446049250313e-16;

double Uniform01(std::mt19937_64 &rng) { return static_cast<double>(rng() >> 11) * 0x1p-53; }

}  // namespace

void DecisionTree::FinishFromLeafCounts(size_t classes) {
    // Children always come after their parent, so a reverse sweep sees both children before the parent.
    for (size_t n = nodes.size(); n-- > 0;) {
        if (nodes[n].feature < 0) continue;
        size_t l = static_cast<size_t>(nodes[n].left);
        for (size_t c = 0; c < classes; ++c)
            counts[n * classes + c] = counts[l * classes + c] + counts[(l + 1) * classes + c];
    }
    value.assign(counts.size(), 0.0);
    for (size_t n = 0; n < nodes.size(); ++n) {
        double total = 0;
        for (size_t c = 0; c < classes; ++c) total += counts[n * classes + c];
        for (size_t c = 0; c < classes; ++c) value[n * classes + c] = total > 0 ? counts[n * classes + c] / total : 0;
    }
}

TreeBuilder::TreeBuilder(std::span<const float> x_cols, size_t rows, size_t features, std::span<const int32_t> y,
                         size_t classes, const TreeParams &params)
    : x_(x_cols), rows_(rows), features_(features), y_(y), classes_(classes), params_(params) {
    feature_order_.resize(features);
    scratch_.resize(4 * classes);
}

DecisionTree TreeBuilder::Build(std::span<const double> w, std::mt19937_64 &rng) {
    w_ = w;
    const size_t k = classes_;
    samples_.clear();
    for (size_t i = 0; i < rows_; ++i)
        if (w[i] > 0) samples_.push_back(static_cast<uint32_t>(i));
    buffer_.resize(samples_.size());
    node_y_.resize(samples_.size());
    node_w_.resize(samples_.size());
    for (size_t f = 0; f < features_; ++f) feature_order_[f] = static_cast<int32_t>(f);

    DecisionTree tree;
    tree.nodes.emplace_back();
    tree.counts.assign(k, 0.0);
    for (uint32_t s : samples_) tree.counts[static_cast<size_t>(y_[s])] += w[s];

    struct Pending {
        int32_t node;
        size_t start, end;
        int depth;
    };
    std::vector<Pending> stack{{0, 0, samples_.size(), 0}};
    std::vector<double> node_counts(k);
    while (!stack.empty()) {
        Pending p = stack.back();
        stack.pop_back();
        std::copy_n(tree.counts.begin() + static_cast<ptrdiff_t>(static_cast<size_t>(p.node) * k), k,
                    node_counts.begin());
        size_t n = p.end - p.start;
        double total = 0, sum_sq = 0;
        for (double c : node_counts) total += c, sum_sq += c * c;
        double impurity = total > 0 ? 1.0 - sum_sq / (total * total) : 0.0;
        bool leaf = n < static_cast<size_t>(params_.min_samples_split) ||
                    n < 2 * static_cast<size_t>(params_.min_samples_leaf) ||
                    (params_.max_depth > 0 && p.depth >= params_.max_depth) || impurity <= kPureImpurity;
        Split split;
        if (leaf || !FindSplit(p.start, p.end, node_counts.data(), split, rng)) continue;

        // Partition the node's samples: left block first.
        size_t i = p.start, j = p.end;
        const float *col = x_.data() + static_cast<size_t>(split.feature) * rows_;
        while (i < j) {
            float v = col[samples_[i]];
            bool left = v <= split.threshold || (v != v && split.missing_left);
            if (left) {
                ++i;
            } else {
                std::swap(samples_[i], samples_[--j]);
            }
        }
        size_t mid = i;
        // The split was scored on these exact sides, so both are non-empty.
        assert(mid > p.start && mid < p.end);
        int32_t left = static_cast<int32_t>(tree.nodes.size());
        tree.nodes.resize(tree.nodes.size() + 2);
        tree.counts.resize(tree.nodes.size() * k, 0.0);
        double *lc = tree.counts.data() + static_cast<size_t>(left) * k;
        double *rc = lc + k;
        for (size_t s = p.start; s < p.end; ++s) {
            uint32_t id = samples_[s];
            (s < mid ? lc : rc)[static_cast<size_t>(y_[id])] += w[id];
        }
        TreeNode &node = tree.nodes[static_cast<size_t>(p.node)];
        node.feature = split.feature;
        node.threshold = split.threshold;
        node.left = left;
        node.missing_left = split.missing_left ? 1 : 0;
        stack.push_back({left + 1, mid, p.end, p.depth + 1});
        stack.push_back({left, p.start, mid, p.depth + 1});
    }
    tree.FinishFromLeafCounts(k);
    return tree;
}

bool TreeBuilder::FindSplit(size_t start, size_t end, const double *node_counts, Split &best,
                            std::mt19937_64 &rng) {
    best = Split{};
    size_t n = end - start;
    int visited = 0;
    for (size_t i = 0; i < n; ++i) {
        uint32_t s = samples_[start + i];
        node_y_[i] = y_[s];
        node_w_[i] = w_[s];
    }
    // Draw features without replacement until max_features non-constant ones were tried (as scikit-learn:
    // constant features do not count, so a node with few informative features still finds them).
    for (size_t j = 0; j < features_ && visited < params_.max_features; ++j) {
        size_t r = j + static_cast<size_t>(rng() % (features_ - j));
        std::swap(feature_order_[j], feature_order_[r]);
        int32_t f = feature_order_[j];
        const float *col = x_.data() + static_cast<size_t>(f) * rows_;
        float lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n; ++i) {
            float v = col[samples_[start + i]];
            buffer_[i] = v;
            lo = v < lo ? v : lo;  // NaN compares false: ignored
            hi = v > hi ? v : hi;
        }
        if (!(hi > lo + kFeatureThreshold)) continue;
        ++visited;
        if (params_.best_split) {
            BestSplitOfFeature(f, start, end, node_counts, best);
        } else {
            float t = static_cast<float>(lo + (static_cast<double>(hi) - lo) * Uniform01(rng));
            if (t >= hi) t = lo;  // rounding must not send everything left
            ScoreCandidate(f, t, start, end, node_counts, best);
        }
    }
    return best.feature >= 0;
}

void TreeBuilder::ScoreCandidate(int32_t f, float threshold, size_t start, size_t end, const double *node_counts,
                                 Split &best) {
    const size_t k = classes_;
    double *left = scratch_.data();
    double *miss = left + k;
    std::fill(left, left + 2 * k, 0.0);
    size_t n = end - start, n_left = 0, n_miss = 0;
    const int32_t *ny = node_y_.data();
    const double *nw = node_w_.data();
    for (size_t i = 0; i < n; ++i) {
        float v = buffer_[i];
        if (v <= threshold) {
            left[ny[i]] += nw[i];
            ++n_left;
        } else if (v != v) {
            miss[ny[i]] += nw[i];
            ++n_miss;
        }
    }
    auto consider = [&](bool missing_left) {
        double *l = scratch_.data() + 2 * k;
        size_t nl = n_left + (missing_left ? n_miss : 0);
        size_t nr = n - nl;
        size_t msl = static_cast<size_t>(params_.min_samples_leaf);
        if (nl < msl || nr < msl) return;
        double wl = 0, wr = 0, ql = 0, qr = 0;
        for (size_t c = 0; c < k; ++c) {
            l[c] = left[c] + (missing_left ? miss[c] : 0.0);
            double r = node_counts[c] - l[c];
            wl += l[c], wr += r, ql += l[c] * l[c], qr += r * r;
        }
        if (wl <= 0 || wr <= 0) return;
        // scikit-learn's proxy of the Gini gain: -(wl·gini_l + wr·gini_r) up to a constant.
        double proxy = ql / wl + qr / wr;
        if (best.feature < 0 || proxy > best.proxy) {
            best.feature = f;
            best.threshold = threshold;
            best.proxy = proxy;
            best.missing_left = n_miss > 0 ? missing_left : wl >= wr;
        }
    };
    consider(false);
    if (n_miss > 0) consider(true);
}

void TreeBuilder::BestSplitOfFeature(int32_t f, size_t start, size_t end, const double *node_counts, Split &best) {
    const size_t k = classes_;
    size_t n = end - start;
    order_.clear();
    std::vector<double> &acc = scratch_;
    double *miss = acc.data() + k;
    std::fill(acc.begin(), acc.end(), 0.0);
    size_t n_miss = 0;
    for (size_t i = 0; i < n; ++i) {
        if (buffer_[i] != buffer_[i]) {
            miss[node_y_[i]] += node_w_[i];
            ++n_miss;
        } else {
            order_.push_back(static_cast<uint32_t>(i));
        }
    }
    std::sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) { return buffer_[a] < buffer_[b]; });
    double *left = acc.data();
    double *l = acc.data() + 2 * k;
    size_t msl = static_cast<size_t>(params_.min_samples_leaf);
    for (size_t p = 0; p + 1 < order_.size(); ++p) {
        left[node_y_[order_[p]]] += node_w_[order_[p]];
        float a = buffer_[order_[p]], b = buffer_[order_[p + 1]];
        if (!(b > a + kFeatureThreshold)) continue;
        float t = a / 2.0f + b / 2.0f;
        if (t >= b || !std::isfinite(t)) t = a;
        for (int ml = 0; ml < (n_miss > 0 ? 2 : 1); ++ml) {
            size_t nl = p + 1 + (ml ? n_miss : 0);
            if (nl < msl || n - nl < msl) continue;
            double wl = 0, wr = 0, ql = 0, qr = 0;
            for (size_t c = 0; c < k; ++c) {
                l[c] = left[c] + (ml ? miss[c] : 0.0);
                double r = node_counts[c] - l[c];
                wl += l[c], wr += r, ql += l[c] * l[c], qr += r * r;
            }
            if (wl <= 0 || wr <= 0) continue;
            double proxy = ql / wl + qr / wr;
            if (best.feature < 0 || proxy > best.proxy) {
                best.feature = f;
                best.threshold = t;
                best.proxy = proxy;
                best.missing_left = n_miss > 0 ? ml == 1 : wl >= wr;
            }
        }
    }
}

}  // namespace rivulet::ml
