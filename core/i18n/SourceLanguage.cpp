#include "SourceLanguage.h"

namespace callops {

namespace {
thread_local int t_depth = 0;
}

SourceLanguage::SourceLanguage()
{
    ++t_depth;
}

SourceLanguage::~SourceLanguage()
{
    --t_depth;
}

void SourceLanguage::holdOnThisThread()
{
    ++t_depth;
}

bool SourceLanguage::isHeldOnThisThread()
{
    return t_depth > 0;
}

} // namespace callops
