#include "ReadableColor.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace callops::readableColor {
namespace {

double linear(double channel)
{
    return channel <= 0.04045 ? channel / 12.92 : std::pow((channel + 0.055) / 1.055, 2.4);
}

double relativeLuminance(const QColor &color)
{
    const QColor rgb = color.toRgb();
    return 0.2126 * linear(rgb.redF()) + 0.7152 * linear(rgb.greenF()) + 0.0722 * linear(rgb.blueF());
}

double worstContrast(const QColor &color, const QList<QColor> &backgrounds)
{
    double worst = std::numeric_limits<double>::max();
    for (const QColor &background : backgrounds)
        worst = std::min(worst, contrastRatio(color, background));
    return worst;
}

} // namespace

double contrastRatio(const QColor &a, const QColor &b)
{
    const double first = relativeLuminance(a);
    const double second = relativeLuminance(b);
    return (std::max(first, second) + 0.05) / (std::min(first, second) + 0.05);
}

QColor on(const QColor &wanted, const QList<QColor> &backgrounds, double minimum)
{
    if (backgrounds.isEmpty() || worstContrast(wanted, backgrounds) >= minimum)
        return wanted;
    const bool lighten = worstContrast(Qt::white, backgrounds) > worstContrast(Qt::black, backgrounds);
    float hue = 0;
    float saturation = 0;
    float lightness = 0;
    float alpha = 1;
    wanted.toHsl().getHslF(&hue, &saturation, &lightness, &alpha);
    // Small steps keep the colour as close to the state's own as the background allows.
    constexpr int kSteps = 100;
    for (int step = 1; step <= kSteps; ++step) {
        const float t = float(step) / kSteps;
        const float next = lighten ? lightness + (1 - lightness) * t : lightness * (1 - t);
        // Whole 8-bit channels, as it will be drawn: rounding must not take it under the minimum.
        const QColor candidate(QColor::fromHslF(hue, saturation, next, alpha).rgba());
        if (worstContrast(candidate, backgrounds) >= minimum)
            return candidate;
    }
    return lighten ? QColor(Qt::white) : QColor(Qt::black);
}

QColor tinted(const QColor &base, const QColor &accent, double amount)
{
    const QColor a = base.toRgb();
    const QColor b = accent.toRgb();
    auto mix = [amount](float x, float y) {
        return x + (y - x) * float(amount);
    };
    return QColor(
            QColor::fromRgbF(mix(a.redF(), b.redF()), mix(a.greenF(), b.greenF()), mix(a.blueF(), b.blueF()))
                    .rgb());
}

} // namespace callops::readableColor
