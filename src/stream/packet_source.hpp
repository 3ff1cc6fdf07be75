#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace rivulet {

//! One alert packet as received (an Avro container file's bytes), or the reason an input gave none.
struct RawPacket {
    std::string name;  //!< file path, or "archive.tar.gz:member.avro"
    std::vector<uint8_t> bytes;
    std::optional<Error> error;
};

//! A pull source of packets. @locality one thread.
class PacketSource {
public:
    virtual ~PacketSource() = default;
    //! Fills `packet` with the next packet (or input error); false when the source is exhausted.
    virtual bool Next(RawPacket &packet) = 0;
};

//! Every packet of the given inputs, in order: files as they are, folders recursively (sorted by path;
//! `.avro` files and nightly archives inside), archives member by member (`.avro` members only).
//! A missing input yields one error packet naming it.
std::unique_ptr<PacketSource> OpenInputs(const std::vector<std::filesystem::path> &inputs);

//! True when the path names a tar archive Rivulet reads (.tar.gz, .tgz, .tar).
bool IsArchivePath(const std::filesystem::path &path);

}  // namespace rivulet
