#pragma once

#include <QtGlobal>

namespace callops {

// While one lives, tr() on its thread gives the source (English) text whatever language the console
// speaks. Text written into the shared database (a call's failure_reason, last_error) and into the
// journal must read the same whichever console or server wrote it: dispatchers filter and group
// by it, and the guide's troubleshooting queries and operators' greps look for it. Only the
// translators installed by translation::install() honour it (Qt falls back to the source text).
class SourceLanguage final
{
public:
    SourceLanguage();
    ~SourceLanguage();
    Q_DISABLE_COPY_MOVE(SourceLanguage)

    // For a thread that only ever writes such text (the engine's HTTP thread): from now on.
    static void holdOnThisThread();
    static bool isHeldOnThisThread();

    // The text `make` builds, in the source language.
    template<typename Make> static auto text(Make &&make)
    {
        const SourceLanguage scope;
        return make();
    }
};

} // namespace callops
