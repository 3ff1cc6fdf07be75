#include "ml/decision_tree.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>

namespace rivulet::ml {
namespace {

// scikit-learn's FEATURE_THRESHOLD: a feature whose spread at a node is below this is constant there.
constexpr float kFeatureThreshold = 1e-7f;
// A node whose Gini impurity is at most this is pure (scikit-learn's EPSILON, the double epsilon).
constexpr double kPureImpurity = 2.220446049250313e-16;
// Rows ahead to prefetch while gathering a node's candidate features (rows are visited in increasing order,
// but a deep node's rows are far apart, beyond what the hardware prefetcher follows).
constexpr size_t kPrefetchAhead = 16;
// A node whose rows are at most 1/kCompactRatio of the rows of the storage it reads copies them into a
// contiguous block that its whole subtree then reads: below the top levels a node's rows are scattered over
// the whole matrix, a cache miss each, while the copy keeps a subtree's rows within a few cache-sized blocks.
constexpr size_t kCompactRatio = 8;
constexpr size_t kCompactMin = 512;  // smaller subtrees are cache-resident anyway

double Uniform01(std::mt19937_64 &rng) { return static_cast<double>(rng() >> 11) * 0x1p-53; }

struct ValueRange {
    float lo = INFINITY, hi = -INFINITY;  //!< over the present values
    size_t missing = 0;                   //!< NaN count
};

//! Min, max and NaN count of v[0, n), four lanes at a time (GCC vector extensions in the width every x86-64
//! has; the compiler does not vectorise a NaN-aware min/max reduction by itself).
ValueRange RangeOf(const float *v, size_t n) {
    using F4 = float __attribute__((vector_size(16)));
    using I4 = int32_t __attribute__((vector_size(16)));
    F4 lo4 = {INFINITY, INFINITY, INFINITY, INFINITY};
    F4 hi4 = -lo4;
    I4 miss4 = {};
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        F4 x;
        std::memcpy(&x, v + i, sizeof x);
        lo4 = x < lo4 ? x : lo4;  // NaN compares false: ignored
        hi4 = x > hi4 ? x : hi4;
        miss4 -= x != x;          // true is -1
    }
    ValueRange r;
    for (int j = 0; j < 4; ++j) {
        r.lo = lo4[j] < r.lo ? lo4[j] : r.lo;
        r.hi = hi4[j] > r.hi ? hi4[j] : r.hi;
        r.missing += static_cast<size_t>(miss4[j]);
    }
    for (; i < n; ++i) {
        float x = v[i];
        r.lo = x < r.lo ? x : r.lo;
        r.hi = x > r.hi ? x : r.hi;
        r.missing += x != x;
    }
    return r;
}

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

TreeBuilder::TreeBuilder(std::span<const float> x, size_t rows, size_t features, std::span<const int32_t> y,
                         std::span<const double> class_weight, const TreeParams &params)
    : x_(x),
      rows_(rows),
      features_(features),
      y_(y),
      class_weight_(class_weight.begin(), class_weight.end()),
      classes_(class_weight.size()),
      params_(params) {
    assert(x.size() >= rows * features && y.size() >= rows);  // TreeEnsemble::Train passes a whole Dataset
    feature_order_.resize(features);
    scratch_.resize(3 * classes_);
    int_counts_.resize(classes_);
}

DecisionTree TreeBuilder::Build(std::span<const uint32_t> multiplicity, std::mt19937_64 &rng) {
    weighted_ = !multiplicity.empty();
    const size_t k = classes_;
    samples_.clear();
    sample_y_.clear();
    sample_w_.clear();
    for (size_t r = 0; r < rows_; ++r) {
        uint32_t m = weighted_ ? multiplicity[r] : 1;
        if (m == 0) continue;
        samples_.push_back(static_cast<uint32_t>(r));
        sample_y_.push_back(y_[r]);
        if (weighted_) sample_w_.push_back(class_weight_[static_cast<size_t>(y_[r])] * m);
    }
    tmp_idx_.resize(samples_.size());
    tmp_y_.resize(samples_.size());
    tmp_w_.resize(weighted_ ? samples_.size() : 0);
    for (size_t f = 0; f < features_; ++f) feature_order_[f] = static_cast<int32_t>(f);

    DecisionTree tree;
    tree.nodes.emplace_back();
    tree.counts.assign(k, 0.0);
    for (size_t i = 0; i < samples_.size(); ++i)
        tree.counts[static_cast<size_t>(sample_y_[i])] += Weight(sample_y_.data(), weighted_ ? sample_w_.data() : nullptr, i);

    struct Pending {
        int32_t node;
        size_t start, end;
        int depth;
        size_t level;  //!< storage its sample indices refer to
    };
    // Row storage: level 0 is the training matrix, each further level a compact copy made for the subtree
    // being grown. Subtrees are grown depth-first, so the levels are used last-in, first-out.
    struct Storage {
        const float *x;
        size_t rows;
    };
    std::vector<Storage> levels{{x_.data(), rows_}};
    std::vector<Pending> stack{{0, 0, samples_.size(), 0, 0}};
    std::vector<double> node_counts(k);
    while (!stack.empty()) {
        Pending p = stack.back();
        stack.pop_back();
        levels.resize(p.level + 1);
        std::copy_n(tree.counts.begin() + static_cast<ptrdiff_t>(static_cast<size_t>(p.node) * k), k,
                    node_counts.begin());
        const size_t n = p.end - p.start;
        double total = 0, sum_sq = 0;
        for (double c : node_counts) total += c, sum_sq += c * c;
        double impurity = total > 0 ? 1.0 - sum_sq / (total * total) : 0.0;
        bool leaf = n < static_cast<size_t>(params_.min_samples_split) ||
                    n < 2 * static_cast<size_t>(params_.min_samples_leaf) ||
                    (params_.max_depth > 0 && p.depth >= params_.max_depth) || impurity <= kPureImpurity;
        if (leaf) continue;
        if (n >= kCompactMin && levels.back().rows >= kCompactRatio * n) {
            if (copies_.size() < levels.size()) copies_.resize(levels.size());
            std::vector<float> &copy = copies_[levels.size() - 1];  // this level's previous subtree is done
            copy.resize(n * features_);
            const float *src = levels.back().x;
            uint32_t *idx = samples_.data() + p.start;
            for (size_t i = 0; i < n; ++i) {
                std::copy_n(src + static_cast<size_t>(idx[i]) * features_, features_, copy.data() + i * features_);
                idx[i] = static_cast<uint32_t>(i);
            }
            levels.push_back({copy.data(), n});
            p.level = levels.size() - 1;
        }
        x_now_ = levels.back().x;
        Split split;
        if (!FindSplit(p.start, p.end, node_counts.data(), split, rng)) continue;

        // Stable partition of the node's samples by the chosen feature's gathered values: left block first,
        // both blocks still sorted by row. Class counts of the children come out of the same pass.
        int32_t left = static_cast<int32_t>(tree.nodes.size());
        tree.nodes.resize(tree.nodes.size() + 2);
        tree.counts.resize(tree.nodes.size() * k, 0.0);
        double *lc = tree.counts.data() + static_cast<size_t>(left) * k;
        double *rc = lc + k;
        const float *v = buffer_.data() + split.slot * n;
        uint32_t *idx = samples_.data() + p.start;
        int32_t *sy = sample_y_.data() + p.start;
        double *sw = weighted_ ? sample_w_.data() + p.start : nullptr;
        const float t = split.threshold;
        const bool ml = split.missing_left;
        size_t nl = 0, nr = 0;
        for (size_t i = 0; i < n; ++i) {
            float vi = v[i];
            int32_t yi = sy[i];
            double wi = sw ? sw[i] : class_weight_[static_cast<size_t>(yi)];
            if (vi <= t || (vi != vi && ml)) {
                idx[nl] = idx[i];  // nl <= i: element i was read before anything overwrote it
                sy[nl] = yi;
                if (sw) sw[nl] = wi;
                ++nl;
                lc[yi] += wi;
            } else {
                tmp_idx_[nr] = idx[i];
                tmp_y_[nr] = yi;
                if (sw) tmp_w_[nr] = wi;
                ++nr;
                rc[yi] += wi;
            }
        }
        std::copy_n(tmp_idx_.begin(), nr, idx + nl);
        std::copy_n(tmp_y_.begin(), nr, sy + nl);
        if (sw) std::copy_n(tmp_w_.begin(), nr, sw + nl);
        const size_t mid = p.start + nl;
        // The split was scored on these exact values, so both sides are non-empty.
        assert(mid > p.start && mid < p.end);
        TreeNode &node = tree.nodes[static_cast<size_t>(p.node)];
        node.feature = split.feature;
        node.threshold = split.threshold;
        node.left = left;
        node.missing_left = split.missing_left ? 1 : 0;
        stack.push_back({left + 1, mid, p.end, p.depth + 1, p.level});
        stack.push_back({left, p.start, mid, p.depth + 1, p.level});
    }
    tree.FinishFromLeafCounts(k);
    return tree;
}

bool TreeBuilder::FindSplit(size_t start, size_t end, const double *node_counts, Split &best,
                            std::mt19937_64 &rng) {
    best = Split{};
    const size_t n = end - start, d = features_;
    const uint32_t *idx = samples_.data() + start;
    const int32_t *ny = sample_y_.data() + start;
    const double *nw = weighted_ ? sample_w_.data() + start : nullptr;
    const float *x = x_now_;
    int visited = 0;
    size_t drawn = 0, slots = 0;
    int32_t batch[64];
    // Draw features without replacement until max_features non-constant ones were tried (as scikit-learn:
    // constant features do not count, so a node with few informative features still finds them). The
    // features still needed are drawn and gathered together, each sample's row read once per batch.
    while (visited < params_.max_features && drawn < d) {
        size_t want = std::min<size_t>({static_cast<size_t>(params_.max_features - visited), d - drawn, 64});
        for (size_t j = 0; j < want; ++j, ++drawn) {
            size_t r = drawn + static_cast<size_t>(rng() % (d - drawn));
            std::swap(feature_order_[drawn], feature_order_[r]);
            batch[j] = feature_order_[drawn];
        }
        if (buffer_.size() < (slots + want) * n) buffer_.resize((slots + want) * n);
        float *b = buffer_.data() + slots * n;
        if (want == 1) {
            const float *col = x + batch[0];
            for (size_t i = 0; i < n; ++i) {
                if (i + kPrefetchAhead < n) __builtin_prefetch(col + static_cast<size_t>(idx[i + kPrefetchAhead]) * d);
                b[i] = col[static_cast<size_t>(idx[i]) * d];
            }
        } else {
            for (size_t i = 0; i < n; ++i) {
                if (i + kPrefetchAhead < n) {
                    const float *ahead = x + static_cast<size_t>(idx[i + kPrefetchAhead]) * d;
                    __builtin_prefetch(ahead);
                    __builtin_prefetch(ahead + d - 1);
                }
                const float *row = x + static_cast<size_t>(idx[i]) * d;
                for (size_t j = 0; j < want; ++j) b[j * n + i] = row[batch[j]];
            }
        }
        for (size_t j = 0; j < want; ++j) {
            const float *v = b + j * n;
            const auto [lo, hi, missing] = RangeOf(v, n);
            if (!(hi > lo + kFeatureThreshold)) continue;
            ++visited;
            if (params_.best_split) {
                BestSplitOfFeature(v, n, batch[j], slots + j, ny, nw, node_counts, best);
            } else {
                float t = static_cast<float>(lo + (static_cast<double>(hi) - lo) * Uniform01(rng));
                if (t >= hi) t = lo;  // rounding must not send everything left
                ScoreCandidate(v, n, missing > 0, batch[j], slots + j, t, ny, nw, node_counts, best);
            }
        }
        slots += want;
    }
    return best.feature >= 0;
}

void TreeBuilder::Consider(const double *l, size_t n, size_t n_left, const double *node_counts, int32_t f,
                           size_t slot, float threshold, bool missing_left, bool has_missing, Split &best) const {
    const size_t msl = static_cast<size_t>(params_.min_samples_leaf);
    if (n_left < msl || n - n_left < msl) return;
    double wl = 0, wr = 0, ql = 0, qr = 0;
    for (size_t c = 0; c < classes_; ++c) {
        double r = node_counts[c] - l[c];
        wl += l[c], wr += r, ql += l[c] * l[c], qr += r * r;
    }
    if (wl <= 0 || wr <= 0) return;
    // scikit-learn's proxy of the Gini gain: -(wl·gini_l + wr·gini_r) up to a constant.
    double proxy = ql / wl + qr / wr;
    if (best.feature < 0 || proxy > best.proxy) {
        best.feature = f;
        best.slot = slot;
        best.threshold = threshold;
        best.proxy = proxy;
        best.missing_left = has_missing ? missing_left : wl >= wr;
    }
}

void TreeBuilder::ScoreCandidate(const float *v, size_t n, bool has_missing, int32_t f, size_t slot,
                                 float threshold, const int32_t *ny, const double *nw, const double *node_counts,
                                 Split &best) {
    const size_t k = classes_;
    double *left = scratch_.data();
    double *miss = left + k;
    double *l = miss + k;
    if (!has_missing && !nw) {
        // Every sample weighs its class weight: integer class counts, one branch-free pass.
        size_t n_left = 0;
        if (k == 2) {
            uint32_t nl = 0, pl = 0;
            for (size_t i = 0; i < n; ++i) {
                uint32_t le = v[i] <= threshold;
                nl += le;
                pl += le & static_cast<uint32_t>(ny[i]);
            }
            l[0] = class_weight_[0] * (nl - pl);
            l[1] = class_weight_[1] * pl;
            n_left = nl;
        } else {
            std::fill(int_counts_.begin(), int_counts_.end(), 0u);
            for (size_t i = 0; i < n; ++i) int_counts_[static_cast<size_t>(ny[i])] += v[i] <= threshold;
            for (size_t c = 0; c < k; ++c) {
                l[c] = class_weight_[c] * int_counts_[c];
                n_left += int_counts_[c];
            }
        }
        Consider(l, n, n_left, node_counts, f, slot, threshold, false, false, best);
        return;
    }
    std::fill(left, left + 2 * k, 0.0);
    size_t n_left = 0, n_miss = 0;
    for (size_t i = 0; i < n; ++i) {
        float vi = v[i];
        if (vi <= threshold) {
            left[ny[i]] += Weight(ny, nw, i);
            ++n_left;
        } else if (vi != vi) {
            miss[ny[i]] += Weight(ny, nw, i);
            ++n_miss;
        }
    }
    Consider(left, n, n_left, node_counts, f, slot, threshold, false, n_miss > 0, best);
    if (n_miss > 0) {
        for (size_t c = 0; c < k; ++c) l[c] = left[c] + miss[c];
        Consider(l, n, n_left + n_miss, node_counts, f, slot, threshold, true, true, best);
    }
}

void TreeBuilder::BestSplitOfFeature(const float *v, size_t n, int32_t f, size_t slot, const int32_t *ny,
                                     const double *nw, const double *node_counts, Split &best) {
    const size_t k = classes_;
    order_.clear();
    double *left = scratch_.data();
    double *miss = left + k;
    double *l = miss + k;
    std::fill(left, left + 2 * k, 0.0);
    size_t n_miss = 0;
    for (size_t i = 0; i < n; ++i) {
        if (v[i] != v[i]) {
            miss[ny[i]] += Weight(ny, nw, i);
            ++n_miss;
        } else {
            order_.push_back(static_cast<uint32_t>(i));
        }
    }
    std::sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) { return v[a] < v[b]; });
    for (size_t p = 0; p + 1 < order_.size(); ++p) {
        left[ny[order_[p]]] += Weight(ny, nw, order_[p]);
        float a = v[order_[p]], b = v[order_[p + 1]];
        if (!(b > a + kFeatureThreshold)) continue;
        float t = a / 2.0f + b / 2.0f;
        if (t >= b || !std::isfinite(t)) t = a;
        Consider(left, n, p + 1, node_counts, f, slot, t, false, n_miss > 0, best);
        if (n_miss > 0) {
            for (size_t c = 0; c < k; ++c) l[c] = left[c] + miss[c];
            Consider(l, n, p + 1 + n_miss, node_counts, f, slot, t, true, true, best);
        }
    }
}

}  // namespace rivulet::ml
