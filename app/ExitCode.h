#pragma once

namespace callops::ExitCode {

// The process exit codes CallOps documents.
inline constexpr int Ok = 0;
inline constexpr int Failure = 1; // the work itself failed (a migration, an export)
inline constexpr int BadConfiguration = 2; // bad usage or configuration: retrying will not help
// The headless scheduler could not reach the database at start (EX_TEMPFAIL of sysexits.h): the
// systemd unit restarts on it, so a scheduler booted during a database outage comes up after it.
inline constexpr int DatabaseUnavailable = 75;

} // namespace callops::ExitCode
