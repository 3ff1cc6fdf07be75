#pragma once
// The one configuration file (TOML) of a Rivulet run. Every option is declared once, next to the
// struct that holds it (CutOptions() for [cuts]); unknown sections and keys are errors, so a typo never
// silently falls back to a default.

#include <filesystem>
#include <string>

#include "cuts/cut_config.hpp"

namespace rivulet {

struct IngestConfig {
    int batch_size = 500;  //!< alerts per store transaction
};

struct PipelineConfig {
    CutConfig cuts;
    IngestConfig ingest;
};

//! Parses a TOML file. Throws RivuletError(kConfig) naming the file, the key and the reason.
PipelineConfig LoadPipelineConfig(const std::filesystem::path &path);
//! Parses TOML text; `source_name` is used in error messages.
PipelineConfig ParsePipelineConfig(const std::string &toml_text, const std::string &source_name);

//! The default configuration as a commented TOML file (what `rivulet config` prints and
//! docs/CONFIGURATION.md is generated from).
std::string DefaultConfigToml();

}  // namespace rivulet
