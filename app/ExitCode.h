#pragma once

namespace callops::ExitCode {

// The process exit codes CallOps documents.
inline constexpr int Ok = 0;
inline constexpr int Failure = 1; // the work itself failed (a migration, an export)
inline constexpr int BadConfiguration = 2; // bad usage or config, or the database unreachable at start

} // namespace callops::ExitCode
