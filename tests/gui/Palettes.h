#pragma once

// Desktop palettes the console meets (Fusion's light one, and the dark ones GNOME and KDE users
// choose), and what text drawn on them measures, for the GUI tests of colours.
#include "ReadableColor.h"

#include <QHash>
#include <QImage>
#include <QPalette>
#include <QWidget>

namespace callops::test {

inline QPalette darkPalette(const QColor &window, const QColor &base, const QColor &alternateBase)
{
    QPalette palette(QColor(0x80, 0x80, 0x80), window); // button, window: the rest derived
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText, QPalette::ToolTipText,
                      QPalette::BrightText})
        palette.setColor(role, QColor(0xee, 0xee, 0xee));
    palette.setColor(QPalette::Button, window);
    palette.setColor(QPalette::Base, base);
    palette.setColor(QPalette::AlternateBase, alternateBase);
    palette.setColor(QPalette::Highlight, QColor(0x2a, 0x82, 0xda));
    palette.setColor(QPalette::HighlightedText, Qt::black);
    return palette;
}

// The usual "Fusion dark" of Qt applications, KDE's Breeze Dark, GNOME's Adwaita dark.
inline QList<std::pair<const char *, QPalette>> desktopPalettes()
{
    QPalette light(QColor(0xef, 0xef, 0xef)); // Fusion's light palette: window #efefef, base white
    light.setColor(QPalette::Base, Qt::white);
    light.setColor(QPalette::AlternateBase, QColor(0xf7, 0xf7, 0xf7));
    return {
            {"light", light},
            {"Fusion dark",
             darkPalette(QColor(0x35, 0x35, 0x35), QColor(0x2a, 0x2a, 0x2a), QColor(0x42, 0x42, 0x42))},
            {"Breeze Dark",
             darkPalette(QColor(0x31, 0x36, 0x3b), QColor(0x23, 0x26, 0x29), QColor(0x2a, 0x2e, 0x32))},
            {"Adwaita dark",
             darkPalette(QColor(0x35, 0x35, 0x35), QColor(0x24, 0x24, 0x24), QColor(0x2e, 0x2e, 0x2e))},
    };
}

// The contrast of the text drawn in `rect` of the widget against what it is drawn on: the most
// common colour there is the background, the colour standing out most from it the text (the other
// pixels are antialiasing between the two).
inline double drawnContrast(QWidget *widget, QRect rect = {})
{
    const QImage image = widget->grab(rect.isNull() ? widget->rect() : rect).toImage();
    QHash<QRgb, int> counts;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            ++counts[image.pixel(x, y) | 0xff000000];
    }
    QRgb background = 0;
    int most = -1;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        if (it.value() > most) {
            most = it.value();
            background = it.key();
        }
    }
    double best = 1;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        best = std::max(best, readableColor::contrastRatio(QColor(it.key()), QColor(background)));
    return best;
}

} // namespace callops::test
