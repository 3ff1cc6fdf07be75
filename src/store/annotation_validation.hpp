#pragma once

#include <span>

#include "alert/alert.hpp"
#include "alert/alert_annotations.hpp"

namespace rivulet {

//! Checks what a Store::Write is given as annotations, before any backend work: empty or one entry per
//! accepted alert; per alert each model and catalog at most once, with a name; scores and separations
//! finite. Throws RivuletError(kInvalidInput) naming the alert's candid and the problem.
void ValidateAnnotationsForStore(std::span<const Alert> accepted, std::span<const AlertAnnotations> annotations);

}  // namespace rivulet
