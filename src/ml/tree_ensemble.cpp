#include "ml/tree_ensemble.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "common/error.hpp"
#include "ml/parallel_for.hpp"

namespace rivulet::ml {
namespace {

[[noreturn]] void Invalid(const std::string &message) { throw RivuletError(ErrorKind::kInvalidInput, message); }

uint64_t SplitMix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

std::vector<double> ClassWeights(const std::string &spec, const Dataset &data) {
    size_t k = data.class_names.size();
    std::vector<double> w(k, 1.0);
    if (spec.empty()) return w;
    if (spec == "balanced") {
        std::vector<double> n(k, 0.0);
        for (int32_t c : data.y) n[static_cast<size_t>(c)] += 1;
        for (size_t c = 0; c < k; ++c)
            w[c] = n[c] > 0 ? static_cast<double>(data.y.size()) / (static_cast<double>(k) * n[c]) : 0.0;
        return w;
    }
    auto parts = SplitNameList(spec);
    if (parts.size() != k)
        Invalid(fmt::format("class weights '{}': {} values for {} classes", spec, parts.size(), k));
    for (size_t c = 0; c < k; ++c) {
        char *end = nullptr;
        w[c] = std::strtod(parts[c].c_str(), &end);
        if (end != parts[c].c_str() + parts[c].size() || !(w[c] > 0))
            Invalid(fmt::format("class weights '{}': '{}' is not a positive number", spec, parts[c]));
    }
    return w;
}

template <class T>
void Put(std::string &out, const T &v) {
    out.append(reinterpret_cast<const char *>(&v), sizeof(T));
}

class Reader {
public:
    explicit Reader(std::string_view body) : body_(body) {}
    template <class T>
    T Get() {
        T v;
        Bytes(&v, sizeof(T));
        return v;
    }
    void Bytes(void *dst, size_t n) {
        if (n > body_.size() - pos_) Invalid("model body is truncated");
        std::memcpy(dst, body_.data() + pos_, n);
        pos_ += n;
    }
    bool done() const { return pos_ == body_.size(); }

private:
    std::string_view body_;
    size_t pos_ = 0;
};

}  // namespace

ForestParams DefaultForestParams(Algorithm algo) {
    ForestParams p;
    if (algo == Algorithm::kRandomForest) {
        p.n_trees = 100;  // scikit-learn's RandomForestClassifier default
        p.bootstrap = true;
        p.best_split = true;
    }
    return p;
}

std::unique_ptr<TreeEnsemble> TreeEnsemble::Train(Algorithm algo, const ForestParams &params, const Dataset &data) {
    if (!data.labelled()) Invalid(fmt::format("{}: training needs a label column", data.source));
    if (params.n_trees < 1) Invalid(fmt::format("n_trees must be at least 1 (got {})", params.n_trees));
    if (params.min_samples_split < 2) Invalid("min_samples_split must be at least 2");
    if (params.min_samples_leaf < 1) Invalid("min_samples_leaf must be at least 1");
    if (params.max_depth < 0 || params.max_features < 0) Invalid("max_depth and max_features must be >= 0");
    const size_t rows = data.rows(), d = data.features(), k = data.class_names.size();
    if (!params.allow_missing) {
        for (size_t r = 0; r < rows; ++r)
            for (size_t f = 0; f < d; ++f)
                if (std::isnan(data.Row(r)[f]))
                    Invalid(fmt::format("{}: row {}, column '{}': missing value where missing values are not allowed",
                                        data.source, r + 1, data.feature_names[f]));
    }
    auto model = std::make_unique<TreeEnsemble>();
    model->algo_ = algo;
    model->params_ = params;
    model->n_features_ = d;
    model->n_classes_ = k;
    if (model->params_.max_features == 0)
        model->params_.max_features = std::max(1, static_cast<int>(std::sqrt(static_cast<double>(d))));
    model->params_.max_features = std::min<int>(model->params_.max_features, static_cast<int>(d));

    // The builder reads the rows as they are (row-major): see TreeBuilder for why.
    std::vector<double> class_w = ClassWeights(params.class_weight, data);
    TreeParams tp;
    tp.max_features = model->params_.max_features;
    tp.max_depth = params.max_depth;
    tp.min_samples_split = params.min_samples_split;
    tp.min_samples_leaf = params.min_samples_leaf;
    tp.best_split = params.best_split;
    model->trees_.resize(static_cast<size_t>(params.n_trees));
    ParallelFor(model->trees_.size(), params.threads, [&](size_t t) {
        std::mt19937_64 rng(SplitMix64(params.seed * 0x100000001b3ull + t));
        std::vector<uint32_t> times;
        if (params.bootstrap) {
            times.assign(rows, 0);
            for (size_t i = 0; i < rows; ++i) times[rng() % rows] += 1;
        }
        TreeBuilder builder(data.x, rows, d, data.y, class_w, tp);
        model->trees_[t] = builder.Build(times, rng);
    });
    model->flat_ = FlatForest(model->trees_, k);
    return model;
}

std::vector<double> TreeEnsemble::PredictProba(std::span<const float> x, size_t rows, int threads) const {
    const size_t k = n_classes_, d = n_features_;
    if (x.size() < rows * d) Invalid("PredictProba: fewer values than rows × features");
    std::vector<double> out(rows * k, 0.0);
    // Rows per task: a task walks its rows through one tree after another, so every row of the task reuses
    // the lines of the tree being walked; large batches get large tasks (a fully grown tree on 10^6 rows is
    // megabytes, each line fetched from memory once per task: 50000-row tasks took 0.45× the CPU time of
    // 256-row ones on the synthetic set). Small batches get about four tasks per thread, so a thread
    // that the scheduler leaves waiting costs little; trees that small come from L2/L3 quickly anyway.
    const size_t workers = static_cast<size_t>(ResolveThreads(threads));
    const size_t block = std::clamp<size_t>((rows / (4 * workers) + 31) / 32 * 32, 32, 65536);
    size_t blocks = (rows + block - 1) / block;
    const double scale = 1.0 / static_cast<double>(trees_.size());
    ParallelFor(blocks, threads, [&](size_t b) {
        size_t begin = b * block, end = std::min(rows, begin + block);
        flat_.AddLeafValues(x.data() + begin * d, end - begin, d, out.data() + begin * k);
        for (size_t i = begin * k; i < end * k; ++i) out[i] *= scale;
    });
    return out;
}

Explanation TreeEnsemble::Explain(std::span<const float> row) const {
    const size_t k = n_classes_;
    Explanation e;
    e.classes = k;
    e.space = "probability";
    e.bias.assign(k, 0.0);
    e.contributions.assign(n_features_ * k, 0.0);
    const double scale = 1.0 / static_cast<double>(trees_.size());
    for (const DecisionTree &tree : trees_) {
        for (size_t c = 0; c < k; ++c) e.bias[c] += tree.value[c];
        size_t n = 0;
        while (tree.nodes[n].feature >= 0) {
            const TreeNode &node = tree.nodes[n];
            float v = row[static_cast<size_t>(node.feature)];
            size_t right = v <= node.threshold ? 0 : 1;
            if (v != v) right = node.missing_left ? 0 : 1;
            size_t child = static_cast<size_t>(node.left) + right;
            for (size_t c = 0; c < k; ++c)
                e.contributions[static_cast<size_t>(node.feature) * k + c] +=
                    tree.value[child * k + c] - tree.value[n * k + c];
            n = child;
        }
    }
    for (double &b : e.bias) b *= scale;
    for (double &c : e.contributions) c *= scale;
    return e;
}

nlohmann::json TreeEnsemble::Params() const {
    return {{"n_trees", params_.n_trees},
            {"max_features", params_.max_features},
            {"max_depth", params_.max_depth},
            {"min_samples_split", params_.min_samples_split},
            {"min_samples_leaf", params_.min_samples_leaf},
            {"bootstrap", params_.bootstrap},
            {"split", params_.best_split ? "best" : "random"},
            {"criterion", "gini"},
            {"class_weight", params_.class_weight},
            {"allow_missing", params_.allow_missing},
            {"seed", params_.seed}};
}

void TreeEnsemble::SaveBody(std::string &out) const {
    Put(out, static_cast<uint32_t>(trees_.size()));
    for (const DecisionTree &t : trees_) {
        Put(out, static_cast<uint32_t>(t.nodes.size()));
        for (const TreeNode &n : t.nodes) {
            Put(out, n.threshold);
            Put(out, n.feature);
            Put(out, n.left);
            Put(out, n.missing_left);
        }
        for (size_t i = 0; i < t.nodes.size(); ++i)
            if (t.nodes[i].feature < 0)
                for (size_t c = 0; c < n_classes_; ++c) Put(out, t.counts[i * n_classes_ + c]);
    }
}

std::unique_ptr<TreeEnsemble> TreeEnsemble::Load(Algorithm algo, const nlohmann::json &params, std::string_view body,
                                                 size_t n_features, size_t n_classes) {
    auto m = std::make_unique<TreeEnsemble>();
    m->algo_ = algo;
    m->n_features_ = n_features;
    m->n_classes_ = n_classes;
    ForestParams &p = m->params_;
    p.n_trees = params.value("n_trees", 0);
    p.max_features = params.value("max_features", 0);
    p.max_depth = params.value("max_depth", 0);
    p.min_samples_split = params.value("min_samples_split", 2);
    p.min_samples_leaf = params.value("min_samples_leaf", 1);
    p.bootstrap = params.value("bootstrap", false);
    p.best_split = params.value("split", std::string("random")) == "best";
    p.class_weight = params.value("class_weight", std::string());
    p.allow_missing = params.value("allow_missing", false);
    p.seed = params.value("seed", uint64_t{0});
    Reader in(body);
    uint32_t n_trees = in.Get<uint32_t>();
    if (n_trees == 0 || n_trees > 1000000) Invalid("model body: bad tree count");
    m->trees_.resize(n_trees);
    for (DecisionTree &t : m->trees_) {
        uint32_t n = in.Get<uint32_t>();
        if (n == 0 || n > (1u << 30)) Invalid("model body: bad node count");
        t.nodes.resize(n);
        for (uint32_t i = 0; i < n; ++i) {
            TreeNode &node = t.nodes[i];
            node.threshold = in.Get<float>();
            node.feature = in.Get<int32_t>();
            node.left = in.Get<int32_t>();
            node.missing_left = in.Get<uint32_t>();
            bool ok = node.feature < 0 ? true
                                       : static_cast<size_t>(node.feature) < n_features &&
                                             node.left > static_cast<int32_t>(i) &&
                                             static_cast<uint32_t>(node.left) + 1 < n;
            if (!ok) Invalid(fmt::format("model body: node {} is corrupt", i));
        }
        t.counts.assign(static_cast<size_t>(n) * n_classes, 0.0);
        for (uint32_t i = 0; i < n; ++i)
            if (t.nodes[i].feature < 0)
                for (size_t c = 0; c < n_classes; ++c) t.counts[i * n_classes + c] = in.Get<double>();
        t.FinishFromLeafCounts(n_classes);
    }
    if (!in.done()) Invalid("model body: trailing bytes after the last tree");
    m->flat_ = FlatForest(m->trees_, n_classes);
    return m;
}

}  // namespace rivulet::ml
