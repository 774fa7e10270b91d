/// Schedule: when pulls run, and who runs them.
///
/// Nouns (README.md has the IT admin's view):
/// - **Cron expression** (``CronExpression``): five fields, minute hour day-of-month month day-of-week, in a time zone
///   (UTC unless the schedule names one); ``CronExpression/nextRun(after:in:)`` is DST-safe.
/// - **Schedule entry** (``ScheduleEntry``): one `Schedules/NAME.toml` as the scheduler needs it: name, cron
///   expression, zone, vault.
/// - **Pull job** (``PullJob``): what a schedule runs when its time comes; the daemon runs the real pull.
/// - **Run record** and **schedule state** (``RunRecord``, ``ScheduleState``): the last run of each schedule, kept in
///   the **state directory** (``RunStateStore``) for `crmvault status` and catch-up; `crmvault pull` records its runs
///   there too (``PullRunRecorder``).
/// - **Catch-up** (``CatchUp``): at start, the one run per schedule that was due while the daemon was down.
/// - **Daemon** (``ScheduleDaemon``): a service-lifecycle group of ``ScheduleService``s, one run at a time per vault
///   (``VaultRunQueue``), logging one line per event (``LineLogHandler``).
/// - **System scheduler output**: cron lines (``CrontabRenderer``) and systemd units (``SystemdUnitRenderer``,
///   ``SystemdCalendar``) for admins who prefer the host's scheduler.
enum ScheduleModule {}
