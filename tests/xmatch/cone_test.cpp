// Cone search and cross-match against a brute-force scan of every row, on randomized catalogs that
// crowd the poles and the RA = 0/360 seam, with duplicates and radius 0: the answers must be identical
// (same rows, same separations to the bit, same order).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <span>

#include "common/error.hpp"
#include "support/temp_dir.hpp"
#include "xmatch/catalog.hpp"
#include "xmatch/catalog_fixtures.hpp"
#include "xmatch/cross_match.hpp"
#include "xmatch/neighbour_table.hpp"
#include "xmatch/sky_pixels.hpp"
#include "xmatch/sky_geometry.hpp"

namespace rivulet::testing {
namespace {

using xmatch::Catalog;
using xmatch::ConeMatch;

double RandomDec(std::mt19937_64 &rng) {
    std::uniform_real_distribution<double> z(-1, 1);
    return std::asin(z(rng)) * 180 / std::numbers::pi;
}

// Uniform sky, plus crowds at both poles, along the RA seam, exact poles, and duplicated positions.
std::vector<TestSource> MakeSources(size_t n, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<TestSource> s;
    while (s.size() < n) {
        const double pick = u(rng);
        if (pick < 0.4) {
            s.push_back({360 * u(rng), RandomDec(rng)});
        } else if (pick < 0.55) {
            s.push_back({360 * u(rng), 90 - 0.5 * u(rng) * u(rng)});
        } else if (pick < 0.7) {
            s.push_back({360 * u(rng), -90 + 0.5 * u(rng) * u(rng)});
        } else if (pick < 0.85) {
            const double ra = 0.01 * (u(rng) - 0.5);
            s.push_back({ra < 0 ? ra + 360 : ra, 20 * (u(rng) - 0.5)});
        } else if (pick < 0.87) {
            s.push_back({360 * u(rng), u(rng) < 0.5 ? 90.0 : -90.0});
        } else if (!s.empty()) {
            s.push_back(s[static_cast<size_t>(u(rng) * static_cast<double>(s.size()))]);  // a duplicate
        }
    }
    return s;
}

std::vector<ConeMatch> BruteForce(const std::vector<TestSource> &s, double ra, double dec, double radius) {
    std::vector<ConeMatch> out;
    const auto c = xmatch::UnitVector(ra, dec);
    for (size_t i = 0; i < s.size(); ++i) {
        const double sep = xmatch::SeparationArcsec(c, xmatch::UnitVector(s[i].ra, s[i].dec));
        if (sep <= radius) out.push_back({0, i, sep});
    }
    std::sort(out.begin(), out.end(), [](const ConeMatch &a, const ConeMatch &b) {
        return a.sep_arcsec != b.sep_arcsec ? a.sep_arcsec < b.sep_arcsec : a.cat_row < b.cat_row;
    });
    return out;
}

struct Query {
    double ra, dec, radius;
};

std::vector<Query> MakeQueries(const std::vector<TestSource> &s, size_t n, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    const double radii[] = {0.0, 0.1, 2.0, 60.0, 1800.0, 18000.0};
    std::vector<Query> q;
    for (size_t i = 0; i < n; ++i) {
        const double r = u(rng) < 0.7 ? radii[i % 6] : std::pow(10.0, -1 + 5.3 * u(rng));  // 0.1″ … 5.5°
        const double pick = u(rng);
        if (pick < 0.3) {
            const auto &p = s[static_cast<size_t>(u(rng) * static_cast<double>(s.size()))];
            q.push_back({p.ra, p.dec, r});  // centred on a source: radius 0 must find it
        } else if (pick < 0.5) {
            q.push_back({360 * u(rng), RandomDec(rng), r});
        } else if (pick < 0.65) {
            q.push_back({360 * u(rng), (u(rng) < 0.5 ? 1 : -1) * (90 - 0.3 * u(rng)), r});
        } else if (pick < 0.7) {
            q.push_back({360 * u(rng), u(rng) < 0.5 ? 90.0 : -90.0, r});
        } else {
            const double ra = 0.02 * (u(rng) - 0.5);
            q.push_back({ra < 0 ? ra + 360 : ra, 20 * (u(rng) - 0.5), r});
        }
    }
    return q;
}

void ExpectSame(const std::vector<ConeMatch> &got, const std::vector<ConeMatch> &want, const Query &q) {
    ASSERT_EQ(got.size(), want.size()) << "cone (" << q.ra << ", " << q.dec << ") r=" << q.radius;
    for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].cat_row, want[i].cat_row) << "cone (" << q.ra << ", " << q.dec << ") r=" << q.radius;
        EXPECT_EQ(got[i].sep_arcsec, want[i].sep_arcsec);
    }
}

class ConeVsBruteForce : public ::testing::TestWithParam<int> {};

TEST_P(ConeVsBruteForce, IdenticalResults) {
    TempDir dir;
    const auto sources = MakeSources(6000, 11);
    WritePositions(dir / "cat.csv", sources);
    // A tiny memory budget forces many sorted runs, so the merge is exercised too.
    const auto summary = Import(dir / "cat.csv", dir / "cat.rvc", {}, GetParam(), 16 << 10);
    EXPECT_GT(summary.runs, 10u);
    Catalog catalog(dir / "cat.rvc");
    ASSERT_EQ(catalog.size(), sources.size());
    size_t found = 0;
    std::vector<ConeMatch> got;
    for (const auto &q : MakeQueries(sources, 1200, 5 + static_cast<uint64_t>(GetParam()))) {
        catalog.Cone(q.ra, q.dec, q.radius, got);
        const auto want = BruteForce(sources, q.ra, q.dec, q.radius);
        ExpectSame(got, want, q);
        if (::testing::Test::HasFailure()) return;
        const auto nearest = catalog.Nearest(q.ra, q.dec, q.radius);
        ASSERT_EQ(nearest.has_value(), !want.empty());
        if (nearest) {
            EXPECT_EQ(nearest->cat_row, want[0].cat_row);
            EXPECT_EQ(nearest->sep_arcsec, want[0].sep_arcsec);
        }
        found += got.size();
    }
    EXPECT_GT(found, 1000u);  // the queries do find things
}

// -1: order chosen from density; 0: one pixel per base face; 6, 13: coarse and fine; 24: far finer than the data.
INSTANTIATE_TEST_SUITE_P(Orders, ConeVsBruteForce, ::testing::Values(-1, 0, 6, 13, 24));

// The cross-match is a sorted join or a neighbour-table lookup, not one cone per position: its pairs must
// still be a brute-force scan's, by either method, in both modes, for any thread count, with radii on both sides of the largest radius the join
// handles at the catalog's order (there the pixel's neighbours must hold every source within the radius),
// radius 0 and positions a hair away from a source.
class CrossMatchVsBruteForce : public ::testing::TestWithParam<int> {};

TEST_P(CrossMatchVsBruteForce, IdenticalPairs) {
    TempDir dir;
    const auto sources = MakeSources(5000, 21);
    WritePositions(dir / "cat.csv", sources);
    Import(dir / "cat.csv", dir / "cat.rvc", {}, GetParam());
    Catalog catalog(dir / "cat.rvc");
    std::mt19937_64 rng(77 + static_cast<uint64_t>(GetParam()));
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<xmatch::SkyPosition> positions;
    for (const auto &q : MakeQueries(sources, 1200, 31)) positions.push_back({q.ra, q.dec});
    for (size_t i = 0; i < 300; ++i) {  // tiny separations: 1e-10° … 1e-6° from a source
        const auto &p = sources[static_cast<size_t>(u(rng) * static_cast<double>(sources.size()))];
        const double d = std::pow(10.0, -10 + 4 * u(rng));
        positions.push_back({std::fmod(p.ra + d + 360, 360), std::clamp(p.dec - d, -90.0, 90.0)});
    }
    // Half the catalog pixel scale sqrt(π/3)/2^order, in arcseconds: the join's limit at that order.
    const double limit = 0.5 * std::ldexp(std::sqrt(std::numbers::pi / 3), -catalog.order()) * xmatch::kArcsecPerRadian;
    const std::vector<double> radii = {0.0, 1e-4, 2.0, 60.0, limit * 0.999, limit, limit * 1.001, 3 * limit, 7200.0};
    // Brute force: every separation once (the same UnitVector and SeparationArcsec as the library), then
    // for each radius the sources within it, nearest first, ties by cat_row.
    std::vector<xmatch::Vec3> source_vectors;
    for (const auto &p : sources) source_vectors.push_back(xmatch::UnitVector(p.ra, p.dec));
    std::vector<std::vector<std::vector<xmatch::MatchPair>>> want(radii.size(), std::vector<std::vector<xmatch::MatchPair>>(positions.size()));
    for (size_t i = 0; i < positions.size(); ++i) {
        const auto c = xmatch::UnitVector(positions[i].ra_deg, positions[i].dec_deg);
        for (size_t j = 0; j < sources.size(); ++j) {
            const double sep = xmatch::SeparationArcsec(c, source_vectors[j]);
            for (size_t r = 0; r < radii.size(); ++r)
                if (sep <= radii[r]) want[r][i].push_back({i, 0, j, sep});
        }
        for (auto &w : want)
            std::sort(w[i].begin(), w[i].end(), [](const xmatch::MatchPair &a, const xmatch::MatchPair &b) {
                return a.sep_arcsec != b.sep_arcsec ? a.sep_arcsec < b.sep_arcsec : a.cat_row < b.cat_row;
            });
    }
    for (size_t r = 0; r < radii.size(); ++r) {
        for (const auto mode : {xmatch::MatchMode::kAll, xmatch::MatchMode::kNearest}) {
            std::vector<xmatch::MatchPair> expected;
            for (const auto &w : want[r])
                for (size_t k = 0; k < w.size() && (mode == xmatch::MatchMode::kAll || k < 1); ++k) expected.push_back(w[k]);
            for (const unsigned threads : {1u, 2u})
            for (const auto method : {xmatch::JoinMethod::kSortedJoin, xmatch::JoinMethod::kPixelTable}) {
                const auto got = xmatch::CrossMatch(catalog, positions, radii[r], mode, threads, method);
                ASSERT_EQ(got.size(), expected.size())
                    << "radius " << radii[r] << " threads " << threads << " method " << static_cast<int>(method);
                for (size_t k = 0; k < got.size(); ++k) {
                    ASSERT_EQ(got[k].in_row, expected[k].in_row) << "radius " << radii[r];
                    ASSERT_EQ(got[k].cat_row, expected[k].cat_row) << "radius " << radii[r] << " in_row " << got[k].in_row;
                    ASSERT_EQ(got[k].sep_arcsec, expected[k].sep_arcsec);
                    ASSERT_EQ(catalog.cat_row(got[k].row), got[k].cat_row);
                }
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Orders, CrossMatchVsBruteForce, ::testing::Values(-1, 0, 3, 9, 16, 29));

// The table's candidates of a pixel are exactly the rows of that pixel and its neighbours: every pixel
// at orders up to 6, random ones at 9, on a catalog crowding the poles and the RA seam.
TEST(NeighbourTable, CandidatesAreTheNeighbourhoodsRows) {
    TempDir dir;
    const auto sources = MakeSources(3000, 41);
    WritePositions(dir / "cat.csv", sources);
    Import(dir / "cat.csv", dir / "cat.rvc", {}, 9);
    Catalog catalog(dir / "cat.rvc");
    std::mt19937_64 rng(3);
    for (int order : {0, 2, 5, 6, 9}) {
        const auto table = xmatch::NeighbourTable::Build(catalog, order, size_t{64} << 20);
        ASSERT_TRUE(table.has_value()) << order;
        EXPECT_EQ(table->order(), order);
        EXPECT_FALSE(xmatch::NeighbourTable::Build(catalog, order, table->bitmap_bytes() - 1).has_value());
        // The catalog keeps what it built (and what it refused), once per order and budget.
        const auto kept = catalog.NeighbourTableAt(order, size_t{64} << 20);
        ASSERT_NE(kept, nullptr);
        EXPECT_EQ(kept, catalog.NeighbourTableAt(order, size_t{64} << 20));
        EXPECT_EQ(kept->bytes(), table->bytes());
        EXPECT_FALSE(catalog.CachedNeighbourTable(order, table->bitmap_bytes() - 1).has_value());
        EXPECT_EQ(catalog.NeighbourTableAt(order, table->bitmap_bytes() - 1), nullptr);
        ASSERT_TRUE(catalog.CachedNeighbourTable(order, table->bitmap_bytes() - 1).has_value());
        EXPECT_EQ(*catalog.CachedNeighbourTable(order, table->bitmap_bytes() - 1), nullptr);
        const int64_t npix = xmatch::PixelCount(order);
        const int shift = 2 * (catalog.order() - order);
        std::vector<int64_t> row_pixels;  // ascending: the file is sorted by pixel
        for (uint64_t row = 0; row < catalog.size(); ++row) row_pixels.push_back(catalog.pixel(row) >> shift);
        ASSERT_TRUE(std::is_sorted(row_pixels.begin(), row_pixels.end()));
        size_t non_empty = 0;
        for (int64_t i = 0; i < std::min<int64_t>(npix, 60000); ++i) {
            const int64_t p = npix <= 60000 ? i : static_cast<int64_t>(rng() % static_cast<uint64_t>(npix));
            std::vector<uint64_t> want;
            const auto near = xmatch::Neighbourhood(order, p, order);
            for (size_t k = 0; k < near.size; ++k)
                for (auto it = std::lower_bound(row_pixels.begin(), row_pixels.end(), near.ranges[k].first);
                     it != row_pixels.end() && *it <= near.ranges[k].second; ++it)
                    want.push_back(static_cast<uint64_t>(it - row_pixels.begin()));
            const auto got_span = table->Candidates(p);
            std::vector<uint64_t> got;
            for (const auto &c : got_span) {
                got.push_back(c.row);
                const auto v = catalog.vector(c.row);
                ASSERT_TRUE(c.x == v[0] && c.y == v[1] && c.z == v[2]);
            }
            std::sort(got.begin(), got.end());
            ASSERT_EQ(got, want) << "order " << order << " pixel " << p;
            non_empty += !got.empty();
        }
        EXPECT_GT(non_empty, 0u);
    }
}

// Catalogs of a small field with many more positions than sources take the neighbour table (the
// benchmark's Gaia case); their pairs must be brute force's too: a field like COSMOS, one across
// RA = 0/360, one around the north pole, one where three base pixels meet (z = 2/3, RA = 0), radius 0
// to the table's limit, positions on and a hair away from sources.
TEST(CrossMatch, SmallFieldsTakeTheTableAndMatchBruteForce) {
    struct Field {
        double ra, dec, half_width_deg;
    };
    const Field fields[] = {{150.1, 2.2, 1.0}, {0.0, -5.0, 0.6}, {30.0, 89.7, 0.3}, {0.0, 41.8103149, 0.5}};
    std::mt19937_64 rng(99);
    std::uniform_real_distribution<double> u(0, 1);
    for (const auto &f : fields) {
        TempDir dir;
        auto place = [&](double h) {
            // Uniform in a small cap (a hair of distortion near the pole does not matter).
            const double dec = std::clamp(f.dec + h * (2 * u(rng) - 1), -90.0, 90.0);
            const double cosd = std::max(std::cos(dec * std::numbers::pi / 180), 1e-3);
            double ra = f.ra + std::min(180.0, h / cosd) * (2 * u(rng) - 1);
            ra = std::fmod(ra + 720, 360);
            return TestSource{ra, dec};
        };
        std::vector<TestSource> sources;
        for (int i = 0; i < 800; ++i) sources.push_back(place(f.half_width_deg));
        sources.push_back(sources[5]);  // a duplicate
        WritePositions(dir / "cat.csv", sources);
        Import(dir / "cat.csv", dir / "cat.rvc");
        Catalog catalog(dir / "cat.rvc");
        std::vector<xmatch::SkyPosition> positions;
        for (int i = 0; i < 9000; ++i) {
            const double pick = u(rng);
            if (pick < 0.6) {
                const auto s = place(f.half_width_deg * 1.1);
                positions.push_back({s.ra, s.dec});
            } else {
                const auto &s = sources[static_cast<size_t>(u(rng) * static_cast<double>(sources.size()))];
                const double d = pick < 0.7 ? 0.0 : std::pow(10.0, -10 + 9.5 * u(rng));  // 0, 1e-10° … 0.3°
                const double a = 2 * std::numbers::pi * u(rng);
                positions.push_back({std::fmod(s.ra + d * std::cos(a) + 360, 360),
                                     std::clamp(s.dec + d * std::sin(a), -90.0, 90.0)});
            }
        }
        positions.push_back({f.ra, f.dec});
        // Brute force once per field: every pair within the largest radius, nearest first, ties by cat_row.
        const double radii[] = {0.0, 0.5, 2.0, 30.0, 600.0};
        std::vector<xmatch::Vec3> source_vectors;
        for (const auto &p : sources) source_vectors.push_back(xmatch::UnitVector(p.ra, p.dec));
        std::vector<std::vector<xmatch::MatchPair>> within(positions.size());
        for (size_t i = 0; i < positions.size(); ++i) {
            const auto c = xmatch::UnitVector(positions[i].ra_deg, positions[i].dec_deg);
            for (size_t j = 0; j < sources.size(); ++j) {
                const double sep = xmatch::SeparationArcsec(c, source_vectors[j]);
                if (sep <= radii[4]) within[i].push_back({i, 0, j, sep});
            }
            std::sort(within[i].begin(), within[i].end(), [](const xmatch::MatchPair &a, const xmatch::MatchPair &b) {
                return a.sep_arcsec != b.sep_arcsec ? a.sep_arcsec < b.sep_arcsec : a.cat_row < b.cat_row;
            });
        }
        // A few positions do not pay for building a table: before one is built they take the sorted join,
        // after it they take the table the catalog kept.
        const size_t few = 50;
        EXPECT_EQ(xmatch::ChooseJoinMethod(catalog, few, radii[0]), xmatch::JoinMethod::kSortedJoin);
        for (const double radius : radii) {
            EXPECT_EQ(xmatch::ChooseJoinMethod(catalog, positions.size(), radius), xmatch::JoinMethod::kPixelTable)
                << "field (" << f.ra << ", " << f.dec << ") radius " << radius;
            EXPECT_EQ(xmatch::ChooseJoinMethod(catalog, few, radius), xmatch::JoinMethod::kPixelTable);
            std::vector<xmatch::MatchPair> all, nearest;
            for (const auto &w : within)
                for (const auto &pair : w)
                    if (pair.sep_arcsec <= radius) {
                        if (all.empty() || all.back().in_row != pair.in_row) nearest.push_back(pair);
                        all.push_back(pair);
                    }
            for (const auto mode : {xmatch::MatchMode::kAll, xmatch::MatchMode::kNearest}) {
                const auto &want = mode == xmatch::MatchMode::kAll ? all : nearest;
                for (const unsigned threads : {1u, 2u}) {
                    const auto got = xmatch::CrossMatch(catalog, positions, radius, mode, threads);
                    ASSERT_EQ(got.size(), want.size()) << "field (" << f.ra << ", " << f.dec << ") radius " << radius;
                    for (size_t k = 0; k < got.size(); ++k) {
                        ASSERT_EQ(got[k].in_row, want[k].in_row) << "radius " << radius;
                        ASSERT_EQ(got[k].cat_row, want[k].cat_row) << "radius " << radius << " in_row " << got[k].in_row;
                        ASSERT_EQ(got[k].sep_arcsec, want[k].sep_arcsec);
                    }
                }
            }
            if (radius == 2.0) {
                EXPECT_GT(nearest.size(), 2000u);  // the positions on sources are found
            }
            // The few positions through the kept table: the same pairs as brute force.
            const auto got =
                xmatch::CrossMatch(catalog, std::span(positions).first(few), radius, xmatch::MatchMode::kAll);
            size_t k = 0;
            for (; k < all.size() && all[k].in_row < few; ++k) {
                ASSERT_LT(k, got.size()) << "radius " << radius;
                ASSERT_EQ(got[k].in_row, all[k].in_row);
                ASSERT_EQ(got[k].cat_row, all[k].cat_row);
                ASSERT_EQ(got[k].sep_arcsec, all[k].sep_arcsec);
            }
            EXPECT_EQ(got.size(), k) << "radius " << radius;
        }
    }
}

TEST(CrossMatch, BadPositionOrRadiusIsAnError) {
    TempDir dir;
    WritePositions(dir / "c.csv", {{1, 1}});
    Import(dir / "c.csv", dir / "c.rvc");
    Catalog c(dir / "c.rvc");
    const std::vector<xmatch::SkyPosition> bad = {{1, 1}, {1, 91}};
    EXPECT_THROW(xmatch::CrossMatch(c, bad, 2, xmatch::MatchMode::kNearest), RivuletError);
    const std::vector<xmatch::SkyPosition> good = {{1, 1}};
    EXPECT_THROW(xmatch::CrossMatch(c, good, -1, xmatch::MatchMode::kAll), RivuletError);
    EXPECT_EQ(xmatch::CrossMatch(c, good, 0, xmatch::MatchMode::kAll).size(), 1u);
}

TEST(Cone, RadiusZeroFindsExactPositionsOnly) {
    TempDir dir;
    WritePositions(dir / "c.csv", {{10, 20}, {10, 20}, {10, 20.0000001}, {0, 90}, {123, 90}});
    Import(dir / "c.csv", dir / "c.rvc");
    Catalog c(dir / "c.rvc");
    auto m = c.Cone(10, 20, 0);
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m[0].cat_row, 0u);
    EXPECT_EQ(m[1].cat_row, 1u);
    EXPECT_EQ(m[0].sep_arcsec, 0.0);
    // At the pole every RA is the same point.
    m = c.Cone(300, 90, 0);
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(c.Cone(10, 20, 0.00036).size(), 3u);  // 1e-7° = 0.00036″
}

TEST(Cone, AcrossRaZero) {
    TempDir dir;
    WritePositions(dir / "c.csv", {{359.9999, 0}, {0.0001, 0}, {180, 0}});
    Import(dir / "c.csv", dir / "c.rvc");
    Catalog c(dir / "c.rvc");
    const auto m = c.Cone(0, 0, 0.5);
    ASSERT_EQ(m.size(), 2u);
    EXPECT_NEAR(m[0].sep_arcsec, 0.36, 1e-9);
    // 5° reaches across the seam too.
    EXPECT_EQ(c.Cone(357, 0, 5 * 3600).size(), 2u);
}

TEST(Cone, BadCentreOrRadiusIsAnError) {
    TempDir dir;
    WritePositions(dir / "c.csv", {{1, 1}});
    Import(dir / "c.csv", dir / "c.rvc");
    Catalog c(dir / "c.rvc");
    EXPECT_THROW(c.Cone(1, 91, 1), RivuletError);
    EXPECT_THROW(c.Cone(NAN, 1, 1), RivuletError);
    EXPECT_THROW(c.Cone(1, 1, -1), RivuletError);
}

TEST(Cone, EmptyCatalog) {
    TempDir dir;
    WritePositions(dir / "c.csv", {});
    Import(dir / "c.csv", dir / "c.rvc");
    Catalog c(dir / "c.rvc");
    EXPECT_EQ(c.size(), 0u);
    EXPECT_TRUE(c.Cone(1, 1, 3600).empty());
}

TEST(CrossMatch, SameForAnyThreadCountAndMatchesCones) {
    TempDir dir;
    const auto sources = MakeSources(4000, 3);
    WritePositions(dir / "c.csv", sources);
    Import(dir / "c.csv", dir / "c.rvc");
    Catalog c(dir / "c.rvc");
    std::vector<xmatch::SkyPosition> positions;
    for (const auto &q : MakeQueries(sources, 2000, 9)) positions.push_back({q.ra, q.dec});
    const auto one = xmatch::CrossMatch(c, positions, 60, xmatch::MatchMode::kAll, 1);
    const auto three = xmatch::CrossMatch(c, positions, 60, xmatch::MatchMode::kAll, 3);
    ASSERT_EQ(one.size(), three.size());
    for (size_t i = 0; i < one.size(); ++i) {
        EXPECT_EQ(one[i].in_row, three[i].in_row);
        EXPECT_EQ(one[i].cat_row, three[i].cat_row);
    }
    size_t k = 0;
    for (size_t i = 0; i < positions.size(); ++i)
        for (const auto &m : c.Cone(positions[i].ra_deg, positions[i].dec_deg, 60)) {
            ASSERT_LT(k, one.size());
            EXPECT_EQ(one[k].in_row, i);
            EXPECT_EQ(one[k].cat_row, m.cat_row);
            ++k;
        }
    EXPECT_EQ(k, one.size());
    const auto nearest = xmatch::CrossMatch(c, positions, 60, xmatch::MatchMode::kNearest, 2);
    for (size_t i = 1; i < nearest.size(); ++i) EXPECT_LT(nearest[i - 1].in_row, nearest[i].in_row);
    std::vector<xmatch::SkyCone> cones;
    for (const auto &p : positions) cones.push_back({p.ra_deg, p.dec_deg, 60});
    EXPECT_EQ(xmatch::ConeSearchBatch(c, cones, 2).size(), one.size());
}

// The sorted join works through a block in chunks of 2^18 positions, each sorted on its own (counting sort
// into buckets reused from chunk to chunk, crowded buckets at the poles and on sources by std::sort): more
// than two chunks on one thread, the last one shorter, must give each position's cone, with the right in_row.
TEST(CrossMatch, SortedJoinAcrossChunksMatchesCones) {
    TempDir dir;
    const auto sources = MakeSources(3000, 21);
    WritePositions(dir / "c.csv", sources);
    Import(dir / "c.csv", dir / "c.rvc");
    Catalog c(dir / "c.rvc");
    std::vector<xmatch::SkyPosition> positions;
    const size_t n = 2 * (size_t{1} << 18) + 4321;
    for (const auto &q : MakeQueries(sources, n, 13)) positions.push_back({q.ra, q.dec});
    for (const auto mode : {xmatch::MatchMode::kAll, xmatch::MatchMode::kNearest}) {
        const auto got = xmatch::CrossMatch(c, positions, 60, mode, 1, xmatch::JoinMethod::kSortedJoin);
        size_t k = 0, with_match = 0;
        std::vector<ConeMatch> want;
        for (size_t i = 0; i < positions.size(); ++i) {
            c.Cone(positions[i].ra_deg, positions[i].dec_deg, 60, want);
            if (!want.empty()) ++with_match;
            for (size_t m = 0; m < want.size() && (mode == xmatch::MatchMode::kAll || m < 1); ++m, ++k) {
                ASSERT_LT(k, got.size());
                ASSERT_EQ(got[k].in_row, i);
                ASSERT_EQ(got[k].cat_row, want[m].cat_row);
                ASSERT_EQ(got[k].sep_arcsec, want[m].sep_arcsec);
            }
        }
        EXPECT_EQ(k, got.size());
        EXPECT_GT(with_match, n / 10);  // positions with matches in every chunk, not a vacuous comparison
        EXPECT_GT(got.back().in_row, 2 * (size_t{1} << 18));
    }
}

}  // namespace
}  // namespace rivulet::testing
