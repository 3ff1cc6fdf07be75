#pragma once
// Errors that end a run (bad configuration, unusable database, unreadable command line input).
// Typed by kind so callers can decide; the message names the input and the reason.

#include <stdexcept>
#include <string>

namespace rivulet {

enum class ErrorKind { kInvalidInput, kConfig, kIo, kStore, kInternal };

class RivuletError : public std::runtime_error {
public:
    RivuletError(ErrorKind kind, const std::string &message) : std::runtime_error(message), kind_(kind) {}
    ErrorKind kind() const { return kind_; }

private:
    ErrorKind kind_;
};

}  // namespace rivulet
