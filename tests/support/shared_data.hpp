#pragma once
// Where the tests find the real public data in ../shared/data, and what they do when it is missing:
// under CI (CI=true) a missing data set is a failure, elsewhere the test is visibly skipped.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace rivulet::testing {

//! ../shared/data beside the project root, or $RIVULET_SHARED_DATA when set.
inline std::filesystem::path SharedDataDir() {
    if (const char *env = std::getenv("RIVULET_SHARED_DATA"); env && *env) return env;
    return std::filesystem::path(RIVULET_SOURCE_DIR) / ".." / "shared" / "data";
}

inline bool UnderCi() {
    const char *ci = std::getenv("CI");
    return ci && std::string(ci) == "true";
}

//! Path of the program under test (the rivulet binary of this build).
inline std::filesystem::path RivuletBinary() { return RIVULET_BINARY; }

}  // namespace rivulet::testing

//! Skips (or, under CI, fails) the current test when `relpath` under the shared data folder is absent.
#define RIVULET_REQUIRE_SHARED(relpath)                                                              \
    do {                                                                                             \
        auto rivulet_p_ = ::rivulet::testing::SharedDataDir() / (relpath);                           \
        if (!std::filesystem::exists(rivulet_p_)) {                                                  \
            if (::rivulet::testing::UnderCi()) FAIL() << "shared data missing under CI: " << rivulet_p_; \
            GTEST_SKIP() << "shared data missing: " << rivulet_p_;                                   \
        }                                                                                            \
    } while (0)
