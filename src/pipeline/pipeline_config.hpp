#pragma once
// The one configuration file (TOML) of a Rivulet run. Every option is declared once, next to the
// struct that holds it (CutOptions() for [cuts]); unknown sections and keys are errors, so a typo never
// silently falls back to a default.

#include <filesystem>
#include <string>
#include <vector>

#include "cuts/cut_config.hpp"

namespace rivulet {

struct IngestConfig {
    int batch_size = 500;  //!< alerts per store transaction
};

//! [[xmatch]]: a catalog every stored alert is matched against (nearest source within the radius).
struct CatalogMatchConfig {
    std::string name;                //!< annotation key; empty = the name stored in the catalog file
    std::filesystem::path catalog;   //!< a file written by `rivulet catalog import`
    double radius_arcsec = 3.0;      //!< the paper's TNS check radius
};

//! [[score]]: a classifier every stored alert is scored with.
struct ScoreModelConfig {
    //! A tree model (`.rvm`, `rivulet train`) whose features are candidate fields, or the path prefix of
    //! a braai-family CNN (`<prefix>.architecture.json` + `<prefix>.weights.h5`).
    std::filesystem::path model;
};

struct PipelineConfig {
    CutConfig cuts;
    IngestConfig ingest;
    std::vector<CatalogMatchConfig> xmatch;
    std::vector<ScoreModelConfig> score;
};

//! Parses a TOML file. Throws RivuletError(kConfig) naming the file, the key and the reason.
PipelineConfig LoadPipelineConfig(const std::filesystem::path &path);
//! Parses TOML text; `source_name` is used in error messages. Relative catalog and model paths are taken
//! relative to `base_dir` (LoadPipelineConfig: the configuration file's folder).
PipelineConfig ParsePipelineConfig(const std::string &toml_text, const std::string &source_name,
                                   const std::filesystem::path &base_dir = {});

//! The default configuration as a commented TOML file (what `rivulet config` prints and
//! docs/CONFIGURATION.md is generated from).
std::string DefaultConfigToml();

}  // namespace rivulet
