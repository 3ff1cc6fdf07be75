#include "ml/model_file.hpp"

#include <zlib.h>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/error.hpp"
#include "ml/cross_validation.hpp"

namespace rivulet::ml {
namespace {

constexpr const char *kMagic = "RIVULET-MODEL";

[[noreturn]] void Corrupt(const std::filesystem::path &path, const std::string &why) {
    throw RivuletError(ErrorKind::kInvalidInput, fmt::format("{}: not a usable model file: {}", path.string(), why));
}

//! Reads a gzip file line by line and then in bulk.
class GzReader {
public:
    explicit GzReader(const std::filesystem::path &path) : path_(path) {
        file_ = gzopen(path.c_str(), "rb");
        if (!file_) throw RivuletError(ErrorKind::kIo, fmt::format("{}: cannot open model file", path.string()));
    }
    ~GzReader() { gzclose(file_); }
    GzReader(const GzReader &) = delete;
    GzReader &operator=(const GzReader &) = delete;

    std::string Line(size_t max) {
        std::string s;
        int c;
        while ((c = gzgetc(file_)) != -1 && c != '\n') {
            s += static_cast<char>(c);
            if (s.size() > max) Corrupt(path_, "header line too long");
        }
        if (c == -1) Corrupt(path_, "truncated header");
        return s;
    }
    std::string Bytes(size_t n) {
        std::string s(n, '\0');
        size_t got = 0;
        while (got < n) {
            int r = gzread(file_, s.data() + got, static_cast<unsigned>(std::min<size_t>(n - got, 1u << 30)));
            if (r <= 0) Corrupt(path_, fmt::format("body truncated ({} of {} bytes)", got, n));
            got += static_cast<size_t>(r);
        }
        return s;
    }

private:
    std::filesystem::path path_;
    gzFile file_;
};

ModelHeader ReadHeader(GzReader &in, const std::filesystem::path &path, size_t *body_bytes) {
    std::string magic = in.Line(64);
    if (magic.rfind(kMagic, 0) != 0) Corrupt(path, "it does not start with RIVULET-MODEL");
    int version = std::atoi(magic.c_str() + std::string(kMagic).size());
    if (version < 1 || version > kModelFormatVersion)
        Corrupt(path, fmt::format("format version {} (this build reads up to {})", version, kModelFormatVersion));
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in.Line(size_t{64} << 20));
    } catch (const nlohmann::json::exception &e) {
        Corrupt(path, std::string("header is not JSON: ") + e.what());
    }
    try {
        if (body_bytes) *body_bytes = j.at("body_bytes").get<size_t>();
        return ModelHeader::FromJson(j, path);
    } catch (const nlohmann::json::exception &e) {
        Corrupt(path, std::string("header field missing or wrong type: ") + e.what());
    }
}

}  // namespace

std::string ModelHeader::Version() const {
    return fmt::format("t{}_f{}_c{}", provenance.t, provenance.f, provenance.c);
}

size_t ModelHeader::PositiveClass() const { return ml::PositiveClass(classes); }

nlohmann::json ModelHeader::ToJson() const {
    const Provenance &p = provenance;
    return {{"format", "rivulet-model"},
            {"format_version", kModelFormatVersion},
            {"version", Version()},
            {"algorithm", AlgorithmName(algorithm)},
            {"features", features},
            {"classes", classes},
            {"positive_class", classes.empty() ? "" : classes[PositiveClass()]},
            {"params", params},
            {"provenance",
             {{"training_set", p.training_set},
              {"t", p.t},
              {"f", p.f},
              {"c", p.c},
              {"code_commit", p.code_commit},
              {"data_source", p.data_source},
              {"data_hash", p.data_hash},
              {"label", p.label},
              {"rows", p.rows},
              {"created_utc", p.created_utc}}},
            {"cv", cv}};
}

ModelHeader ModelHeader::FromJson(const nlohmann::json &j, const std::filesystem::path &path) {
    ModelHeader h;
    h.path = path;
    h.algorithm = ParseAlgorithm(j.at("algorithm").get<std::string>());
    h.features = j.at("features").get<std::vector<std::string>>();
    h.classes = j.at("classes").get<std::vector<std::string>>();
    h.params = j.at("params");
    const auto &p = j.at("provenance");
    h.provenance.training_set = p.at("training_set").get<std::string>();
    h.provenance.t = p.at("t").get<int>();
    h.provenance.f = p.at("f").get<int>();
    h.provenance.c = p.at("c").get<int>();
    h.provenance.code_commit = p.value("code_commit", "");
    h.provenance.data_source = p.value("data_source", "");
    h.provenance.data_hash = p.value("data_hash", "");
    h.provenance.label = p.value("label", "");
    h.provenance.rows = p.value("rows", size_t{0});
    h.provenance.created_utc = p.value("created_utc", "");
    h.cv = j.value("cv", nlohmann::json());
    if (h.features.empty() || h.classes.size() < 2) Corrupt(path, "no features or fewer than two classes");
    return h;
}

void SaveModel(const Model &model, const std::filesystem::path &path) {
    std::string body;
    model.classifier->SaveBody(body);
    nlohmann::json header = model.header.ToJson();
    header["body_bytes"] = body.size();
    std::string text = std::string(kMagic) + " " + std::to_string(kModelFormatVersion) + "\n" + header.dump() + "\n";
    std::filesystem::path tmp = path;
    tmp += ".tmp";
    gzFile f = gzopen(tmp.c_str(), "wb6");
    if (!f) throw RivuletError(ErrorKind::kIo, fmt::format("{}: cannot open for writing", tmp.string()));
    bool ok = true;
    for (const std::string *part : {&text, &body}) {
        for (size_t off = 0; off < part->size() && ok;) {
            unsigned n = static_cast<unsigned>(std::min<size_t>(part->size() - off, 1u << 30));
            ok = gzwrite(f, part->data() + off, n) == static_cast<int>(n);
            off += n;
        }
    }
    ok = gzclose(f) == Z_OK && ok;
    if (!ok) throw RivuletError(ErrorKind::kIo, fmt::format("{}: write failed", tmp.string()));
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw RivuletError(ErrorKind::kIo, fmt::format("{}: cannot rename into place: {}", path.string(), ec.message()));
}

ModelHeader ReadModelHeader(const std::filesystem::path &path) {
    GzReader in(path);
    return ReadHeader(in, path, nullptr);
}

Model LoadModel(const std::filesystem::path &path) {
    GzReader in(path);
    size_t body_bytes = 0;
    Model m;
    m.header = ReadHeader(in, path, &body_bytes);
    std::string body = in.Bytes(body_bytes);
    try {
        m.classifier = LoadClassifierBody(m.header.algorithm, m.header.params, body, m.header.features.size(),
                                          m.header.classes.size());
    } catch (const RivuletError &e) {
        Corrupt(path, e.what());
    }
    return m;
}

std::vector<ModelHeader> ListModels(const std::filesystem::path &dir, std::vector<std::string> *errors) {
    std::vector<ModelHeader> out;
    if (!std::filesystem::is_directory(dir))
        throw RivuletError(ErrorKind::kIo, fmt::format("{}: not a folder", dir.string()));
    std::vector<std::filesystem::path> files;
    for (const auto &e : std::filesystem::recursive_directory_iterator(dir))
        if (e.is_regular_file() && e.path().extension() == ".rvm") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto &f : files) {
        try {
            out.push_back(ReadModelHeader(f));
        } catch (const RivuletError &e) {
            if (errors) errors->push_back(e.what());
        }
    }
    return out;
}

std::vector<float> Model::AlignFeatures(const Dataset &data) const {
    const size_t d = header.features.size(), rows = data.rows();
    std::vector<size_t> col(d);
    for (size_t f = 0; f < d; ++f) {
        auto it = std::find(data.feature_names.begin(), data.feature_names.end(), header.features[f]);
        if (it == data.feature_names.end())
            throw RivuletError(ErrorKind::kInvalidInput,
                               fmt::format("{}: model feature '{}' is not a column of the data (model {} needs: {})",
                                           data.source, header.features[f], header.path.string(),
                                           fmt::join(header.features, ",")));
        col[f] = static_cast<size_t>(it - data.feature_names.begin());
    }
    std::vector<float> x(rows * d);
    for (size_t r = 0; r < rows; ++r)
        for (size_t f = 0; f < d; ++f) {
            float v = data.Row(r)[col[f]];
            if (std::isnan(v) && !classifier->allows_missing())
                throw RivuletError(ErrorKind::kInvalidInput,
                                   fmt::format("{}: row {}, column '{}': missing value, and model {} was trained "
                                               "without missing values",
                                               data.source, r + 1, header.features[f], header.path.string()));
            x[r * d + f] = v;
        }
    return x;
}

Dataset ReadCsvForModel(const std::filesystem::path &path, const Model &model, const std::string &label,
                        const std::string &id) {
    CsvColumns cols;
    cols.label = label;
    cols.id = id;
    cols.features = model.header.features;
    cols.allow_missing = model.classifier->allows_missing();
    if (!label.empty()) cols.classes = model.header.classes;
    return ReadCsvDataset(path, cols);
}

}  // namespace rivulet::ml
