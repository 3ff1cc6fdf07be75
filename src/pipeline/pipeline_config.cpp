#include "pipeline/pipeline_config.hpp"

#include <fmt/format.h>

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

}  // namespace

PipelineConfig ParsePipelineConfig(const std::string &toml_text, const std::string &source_name) {
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
    return ParsePipelineConfig(ss.str(), path.string());
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
    return out;
}

}  // namespace rivulet
