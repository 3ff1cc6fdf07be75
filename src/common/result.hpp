#pragma once
// Expected per-item failures (a corrupt cutout, a truncated packet) are values, not exceptions:
// a Result<T> holds either the value or an Error naming what went wrong. Exceptions are kept for
// errors that end a run (see error.hpp).

#include <string>
#include <utility>
#include <variant>

namespace rivulet {

//! Why an item failed. `reason` is a short stable key (used as a counter name); `message` is for people.
struct Error {
    std::string reason;
    std::string message;
};

template <class T>
class Result {
public:
    Result(T value) : state_(std::move(value)) {}          // NOLINT: implicit by design
    Result(Error error) : state_(std::move(error)) {}      // NOLINT: implicit by design

    bool ok() const { return std::holds_alternative<T>(state_); }
    explicit operator bool() const { return ok(); }

    T &value() & { return std::get<T>(state_); }
    const T &value() const & { return std::get<T>(state_); }
    T &&value() && { return std::get<T>(std::move(state_)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

    const Error &error() const { return std::get<Error>(state_); }

private:
    std::variant<T, Error> state_;
};

inline Error MakeError(std::string reason, std::string message) {
    return Error{std::move(reason), std::move(message)};
}

}  // namespace rivulet
