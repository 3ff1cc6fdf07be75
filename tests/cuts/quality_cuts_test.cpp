#include <gtest/gtest.h>

#include <cmath>

#include "cuts/quality_cuts.hpp"

namespace rivulet {
namespace {

// A clean, bright, point-like detection that passes every cut.
Alert GoodAlert() {
    Alert a;
    a.objectId = "ZTF20aaaaaaa";
    a.candid = 1;
    Candidate &c = a.candidate;
    c.jd = 2459000.5;
    c.scorr = 12.0;
    c.sigmapsf = 0.08f;
    c.mindtoedge = 500.0f;
    c.elong = 1.1f;
    c.sumrat = 0.95f;
    c.nneg = 3;
    c.nbad = 0;
    c.magdiff = 0.05f;
    c.magpsf = 19.0f;
    c.magap = 19.05f;
    c.fwhm = 2.2f;
    return a;
}

TEST(QualityCuts, CleanDetectionPasses) { EXPECT_EQ(QualityCuts().Judge(GoodAlert()), CutReason::kPass); }

TEST(QualityCuts, EachCutAtItsThreshold) {
    QualityCuts cuts;
    struct Case {
        std::function<void(Candidate &)> edit;
        CutReason expected;
    };
    std::vector<Case> cases = {
        {[](Candidate &c) { c.scorr = 5.0; }, CutReason::kDetectionSnr},        // S/N must exceed 5
        {[](Candidate &c) { c.scorr = 5.0001; }, CutReason::kPass},
        {[](Candidate &c) { c.sigmapsf = 0.22f; }, CutReason::kPhotometricSnr},  // 1.0857/0.22 = 4.93
        {[](Candidate &c) { c.sigmapsf = 0.21f; }, CutReason::kPass},            // 5.17
        {[](Candidate &c) { c.mindtoedge = 10.0f; }, CutReason::kEdgeDistance},
        {[](Candidate &c) { c.elong = 2.01f; c.magap = 19.0f; }, CutReason::kElongation},
        {[](Candidate &c) { c.sumrat = 0.0f; }, CutReason::kFluxRatio},
        {[](Candidate &c) { c.sumrat = -0.3f; }, CutReason::kFluxRatio},
        {[](Candidate &c) { c.nneg = 14; }, CutReason::kNegativePixels},
        {[](Candidate &c) { c.nneg = 13; }, CutReason::kPass},
        {[](Candidate &c) { c.nbad = 8; }, CutReason::kBadPixels},
        {[](Candidate &c) { c.nbad = 5; }, CutReason::kRbNbad},                  // passes §2, fails §3.2
        {[](Candidate &c) { c.nbad = 4; }, CutReason::kPass},
        {[](Candidate &c) { c.magdiff = -1.01f; }, CutReason::kPsfApertureDiff},
        {[](Candidate &c) { c.magpsf = 23.6f; c.magap = 23.6f; }, CutReason::kRbMagpsf},
        {[](Candidate &c) { c.magpsf = 23.5f; c.magap = 23.5f; }, CutReason::kPass},
        {[](Candidate &c) { c.fwhm = 7.01f; }, CutReason::kRbFwhm},
        {[](Candidate &c) { c.fwhm = 7.0f; }, CutReason::kPass},
        {[](Candidate &c) { c.elong = 1.61f; }, CutReason::kRbElong},
        {[](Candidate &c) { c.elong = 1.6f; }, CutReason::kPass},
        {[](Candidate &c) { c.magap = 19.41f; }, CutReason::kRbMagapMagpsf},     // magap − magpsf = 0.41
        {[](Candidate &c) { c.magap = 18.24f; }, CutReason::kRbMagapMagpsf},     // −0.76
        {[](Candidate &c) { c.magap = 18.26f; }, CutReason::kPass},              // −0.74
        {[](Candidate &c) { c.fwhm = std::nanf(""); }, CutReason::kRbFwhm},      // NaN is not a measurement
        {[](Candidate &c) { c.scorr.reset(); c.sumrat.reset(); }, CutReason::kPass},  // absent: not judged
    };
    for (size_t i = 0; i < cases.size(); ++i) {
        Alert a = GoodAlert();
        cases[i].edit(a.candidate);
        EXPECT_EQ(cuts.Judge(a), cases[i].expected) << "case " << i << " got " << CutReasonName(cuts.Judge(a));
    }
}

TEST(QualityCuts, StagesCanBeDisabled) {
    Alert a = GoodAlert();
    a.candidate.fwhm = 9.0f;
    CutConfig cfg;
    cfg.realbogus = false;
    EXPECT_EQ(QualityCuts(cfg).Judge(a), CutReason::kPass);
    a.candidate.nbad = 9;
    EXPECT_EQ(QualityCuts(cfg).Judge(a), CutReason::kBadPixels);
    cfg.prefilter = false;
    EXPECT_EQ(QualityCuts(cfg).Judge(a), CutReason::kPass);
}

TEST(QualityCuts, ReasonNamesRoundTrip) {
    for (int i = 0; i < kCutReasonCount; ++i) {
        auto r = static_cast<CutReason>(i);
        EXPECT_EQ(CutReasonFromName(CutReasonName(r)), r);
    }
    EXPECT_FALSE(CutReasonFromName("no_such_cut"));
}

}  // namespace
}  // namespace rivulet
