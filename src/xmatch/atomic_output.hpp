#pragma once
// An output file that appears whole or not at all: written under a temporary name in the target's own
// folder (so the rename stays on one file system) and renamed over the target by Commit(). Destroyed
// without Commit() — an error, an exception — it removes the temporary and leaves any earlier target
// untouched.

#include <filesystem>

namespace rivulet::xmatch {

class AtomicOutput {
public:
    explicit AtomicOutput(std::filesystem::path target);
    ~AtomicOutput();
    AtomicOutput(const AtomicOutput &) = delete;
    AtomicOutput &operator=(const AtomicOutput &) = delete;

    //! Where to write: "<target>.tmp-<pid>-<n>".
    const std::filesystem::path &temp_path() const { return temp_; }
    const std::filesystem::path &target() const { return target_; }

    //! Flushes the temporary to disk and renames it over the target. Throws RivuletError(kIo).
    void Commit();

private:
    std::filesystem::path target_;
    std::filesystem::path temp_;
    bool committed_ = false;
};

}  // namespace rivulet::xmatch
