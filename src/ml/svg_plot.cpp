#include "ml/svg_plot.hpp"

#include <algorithm>
#include <fstream>

#include <fmt/format.h>

#include "common/error.hpp"

namespace rivulet::ml {
namespace {

constexpr double kW = 480, kH = 400, kLeft = 60, kRight = 20, kTop = 40, kBottom = 50;

double Px(double x) { return kLeft + x * (kW - kLeft - kRight); }
double Py(double y) { return kH - kBottom - y * (kH - kTop - kBottom); }

std::string Escape(const std::string &s) {
    std::string out;
    for (char c : s) {
        if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else if (c == '&') out += "&amp;";
        else out += c;
    }
    return out;
}

std::string Frame(const std::string &title, const std::string &xlabel, const std::string &ylabel) {
    std::string s = fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" "
        "font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
        kW, kH);
    s += fmt::format("<text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"14\">{}</text>\n", kW / 2,
                     Escape(title));
    s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"black\"/>\n", Px(0),
                     Py(1), Px(1) - Px(0), Py(0) - Py(1));
    for (int i = 0; i <= 5; ++i) {
        double v = i / 5.0;
        s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{:.1f}</text>\n", Px(v), Py(0) + 16, v);
        s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:.1f}</text>\n", Px(0) - 6, Py(v) + 4, v);
        s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#ddd\"/>\n", Px(v), Py(0), Py(1));
        s += fmt::format("<line x1=\"{1}\" y1=\"{0}\" x2=\"{2}\" y2=\"{0}\" stroke=\"#ddd\"/>\n", Py(v), Px(0), Px(1));
    }
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", kW / 2, kH - 12, Escape(xlabel));
    s += fmt::format("<text x=\"16\" y=\"{0}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {0})\">{1}</text>\n",
                     kH / 2, Escape(ylabel));
    return s;
}

std::string Polyline(const std::vector<std::pair<double, double>> &pts, const char *colour) {
    std::string s = fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"", colour);
    for (auto [x, y] : pts) s += fmt::format("{:.2f},{:.2f} ", Px(x), Py(y));
    return s + "\"/>\n";
}

void Write(const std::filesystem::path &path, const std::string &svg) {
    std::ofstream out(path);
    out << svg << "</svg>\n";
    if (!out) throw RivuletError(ErrorKind::kIo, fmt::format("{}: cannot write plot", path.string()));
}

}  // namespace

void WriteRocSvg(const std::vector<RocPoint> &roc, double auc, const std::string &title,
                 const std::filesystem::path &path) {
    std::string s = Frame(title, "false positive rate", "true positive rate");
    std::vector<std::pair<double, double>> pts;
    for (const RocPoint &p : roc) pts.emplace_back(p.fpr, p.tpr);
    s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"red\" stroke-dasharray=\"4\"/>\n",
                     Px(0.01), Py(0), Py(1));
    s += Polyline(pts, "#1f77b4");
    s += fmt::format("<text x=\"{}\" y=\"{}\">AUC = {:.4f}; dashed: FPR 1%</text>\n", Px(0.35), Py(0.1), auc);
    Write(path, s);
}

void WriteScoreCdfSvg(std::span<const double> scores, std::span<const uint8_t> positive,
                      const std::string &positive_name, const std::string &negative_name, const std::string &title,
                      const std::filesystem::path &path) {
    std::string s = Frame(title, "score", "cumulative fraction");
    const char *colours[2] = {"#d62728", "#1f77b4"};
    const std::string names[2] = {negative_name, positive_name};
    for (int cls = 0; cls < 2; ++cls) {
        std::vector<double> v;
        for (size_t i = 0; i < scores.size(); ++i)
            if ((positive[i] != 0) == (cls == 1)) v.push_back(scores[i]);
        std::sort(v.begin(), v.end());
        std::vector<std::pair<double, double>> pts{{0.0, 0.0}};
        for (size_t i = 0; i < v.size(); ++i) {
            double y = static_cast<double>(i + 1) / static_cast<double>(v.size());
            pts.emplace_back(v[i], pts.back().second);
            pts.emplace_back(v[i], y);
        }
        pts.emplace_back(1.0, 1.0);
        s += Polyline(pts, colours[cls]);
        s += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"{}\">{} (n={})</text>\n", Px(0.05), Py(0.9 - 0.07 * cls),
                         colours[cls], Escape(names[cls]), v.size());
    }
    Write(path, s);
}

}  // namespace rivulet::ml
