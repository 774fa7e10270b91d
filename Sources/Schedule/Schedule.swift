/// Schedule: when pulls run. Schedule definitions (`Schedules/NAME.toml`), cron expressions, the daemon's
/// services (swift-service-lifecycle) and the crontab / systemd units for admins who prefer the system scheduler.
enum ScheduleModule {}
