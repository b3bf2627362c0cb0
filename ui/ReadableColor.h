#pragma once

#include <QColor>
#include <QList>

namespace callops {

// Text colours that stay readable on the background the desktop's palette gives them, light or dark:
// contrast as WCAG 2 measures it, at least 4.5:1 for normal text.
namespace readableColor {

constexpr double kMinimumTextContrast = 4.5;

double contrastRatio(const QColor &a, const QColor &b);

// `wanted` when it is readable on every background; otherwise the same hue made lighter (on dark
// backgrounds) or darker (on light ones) just enough to be.
QColor on(const QColor &wanted, const QList<QColor> &backgrounds, double minimum = kMinimumTextContrast);

// `base` with `amount` (0..1) of `accent` mixed in: a tinted background that follows the palette.
QColor tinted(const QColor &base, const QColor &accent, double amount);

} // namespace readableColor
} // namespace callops
