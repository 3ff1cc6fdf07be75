#include "pipeline/pipeline_config.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "common/error.hpp"

namespace rivulet {

namespace {

[[noreturn]] void Fail(const std::string &source, const std::string &what) {
    throw RivuletError(ErrorKind::kConfig, source + ": " + what);
}

void ParseCuts(const toml::table &t, CutConfig &cfg, const std::string &source) {
    for (const auto &[key, node] : t) {
        const CutOption *opt = nullptr;
        for (const auto &o : CutOptions())
            if (o.key == key.str()) opt = &o;
        if (!opt) Fail(source, fmt::format("unknown key [cuts].{}", key.str()));
        if (opt->is_bool) {
            auto v = node.value<bool>();
            if (!v || !node.is_boolean()) Fail(source, fmt::format("[cuts].{} must be true or false", key.str()));
            cfg.*(opt->b) = *v;
        } else if (opt->is_int) {
            if (!node.is_integer()) Fail(source, fmt::format("[cuts].{} must be an integer", key.str()));
            cfg.*(opt->i) = static_cast<int>(*node.value<int64_t>());
        } else {
            if (!node.is_number()) Fail(source, fmt::format("[cuts].{} must be a number", key.str()));
            double v = *node.value<double>();
            if (!std::isfinite(v)) Fail(source, fmt::format("[cuts].{} must be finite", key.str()));
            cfg.*(opt->d) = v;
        }
    }
}

// An array of tables ([[name]]): each entry's keys are checked by `parse_entry`.
template <class F>
void ForEachEntry(const toml::node &node, const std::string &section, const std::string &source, F &&parse_entry) {
    const toml::array *entries = node.as_array();
    if (!entries || !entries->is_array_of_tables())
        Fail(source, fmt::format("'{}' must be a list of tables: [[{}]]", section, section));
    size_t n = 0;
    for (const toml::node &e : *entries) parse_entry(*e.as_table(), fmt::format("[[{}]] #{}", section, ++n));
}

std::filesystem::path PathValue(const toml::node &v, const std::string &where, const std::string &source,
                                const std::filesystem::path &base_dir) {
    if (!v.is_string() || v.value<std::string>()->empty()) Fail(source, where + " must be a non-empty string");
    std::filesystem::path p = *v.value<std::string>();
    return p.is_absolute() || base_dir.empty() ? p : base_dir / p;
}

}  // namespace

PipelineConfig ParsePipelineConfig(const std::string &toml_text, const std::string &source_name,
                                   const std::filesystem::path &base_dir) {
    toml::table root;
    try {
        root = toml::parse(toml_text, source_name);
    } catch (const toml::parse_error &e) {
        std::ostringstream msg;
        msg << e.description() << " (line " << e.source().begin.line << ")";
        Fail(source_name, msg.str());
    }
    PipelineConfig cfg;
    for (const auto &[section, node] : root) {
        if (section == "xmatch") {
            ForEachEntry(node, "xmatch", source_name, [&](const toml::table &t, const std::string &where) {
                CatalogMatchConfig c;
                for (const auto &[key, v] : t) {
                    if (key == "name") {
                        if (!v.is_string()) Fail(source_name, where + ".name must be a string");
                        c.name = *v.value<std::string>();
                    } else if (key == "catalog") {
                        c.catalog = PathValue(v, where + ".catalog", source_name, base_dir);
                    } else if (key == "radius_arcsec") {
                        if (!v.is_number() || !std::isfinite(*v.value<double>()) || *v.value<double>() < 0 ||
                            *v.value<double>() > 3600)
                            Fail(source_name, where + ".radius_arcsec must be a number in 0..3600");
                        c.radius_arcsec = *v.value<double>();
                    } else {
                        Fail(source_name, fmt::format("unknown key {}.{}", where, key.str()));
                    }
                }
                if (c.catalog.empty()) Fail(source_name, where + ": catalog is required");
                cfg.xmatch.push_back(std::move(c));
            });
            continue;
        }
        if (section == "score") {
            ForEachEntry(node, "score", source_name, [&](const toml::table &t, const std::string &where) {
                ScoreModelConfig m;
                for (const auto &[key, v] : t) {
                    if (key != "model") Fail(source_name, fmt::format("unknown key {}.{}", where, key.str()));
                    m.model = PathValue(v, where + ".model", source_name, base_dir);
                }
                if (m.model.empty()) Fail(source_name, where + ": model is required");
                cfg.score.push_back(std::move(m));
            });
            continue;
        }
        const toml::table *t = node.as_table();
        if (!t) Fail(source_name, fmt::format("'{}' must be a [section]", section.str()));
        if (section == "cuts") {
            ParseCuts(*t, cfg.cuts, source_name);
        } else if (section == "ingest") {
            for (const auto &[key, v] : *t) {
                if (key != "batch_size") Fail(source_name, fmt::format("unknown key [ingest].{}", key.str()));
                if (!v.is_integer() || *v.value<int64_t>() < 1 || *v.value<int64_t>() > 100000)
                    Fail(source_name, "[ingest].batch_size must be an integer in 1..100000");
                cfg.ingest.batch_size = static_cast<int>(*v.value<int64_t>());
            }
        } else {
            Fail(source_name, fmt::format("unknown section [{}]", section.str()));
        }
    }
    return cfg;
}

PipelineConfig LoadPipelineConfig(const std::filesystem::path &path) {
    std::ifstream in(path);
    if (!in) throw RivuletError(ErrorKind::kConfig, path.string() + ": cannot open configuration file");
    std::stringstream ss;
    ss << in.rdbuf();
    return ParsePipelineConfig(ss.str(), path.string(), path.parent_path());
}

std::string DefaultConfigToml() {
    CutConfig d;
    std::string out =
        "# Rivulet configuration. Every default is the value of Mahabal et al. 2019 (PASP 131, 038002).\n\n"
        "[cuts]\n";
    for (const auto &o : CutOptions()) {
        std::string value = o.is_bool  ? (d.*(o.b) ? "true" : "false")
                            : o.is_int ? std::to_string(d.*(o.i))
                                       : fmt::format("{}", d.*(o.d));
        out += fmt::format("# {}{}\n{} = {}\n", o.description, o.unit.empty() ? "" : fmt::format(" [{}]", o.unit),
                           o.key, value);
    }
    out += fmt::format("\n[ingest]\n# alerts written per store transaction\nbatch_size = {}\n",
                       IngestConfig{}.batch_size);
    out += fmt::format(
        "\n# Annotations of every stored alert, none by default; each block may repeat. Relative paths are\n"
        "# taken from this file's folder.\n"
        "#\n"
        "# Cross-match: the nearest source of a catalog (`rivulet catalog import`) within the radius.\n"
        "# [[xmatch]]\n"
        "# name = \"gcvs\"            # annotation key (default: the name stored in the catalog file)\n"
        "# catalog = \"gcvs.rvc\"\n"
        "# radius_arcsec = {}\n"
        "#\n"
        "# Score: a tree model (`rivulet train`, .rvm) whose features are candidate fields, or the path\n"
        "# prefix of a braai CNN (<prefix>.architecture.json + <prefix>.weights.h5).\n"
        "# [[score]]\n"
        "# model = \"rb_candidate_fields.rvm\"\n",
        CatalogMatchConfig{}.radius_arcsec);
    return out;
}

}  // namespace rivulet
