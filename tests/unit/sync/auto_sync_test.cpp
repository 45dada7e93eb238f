// The pure part of auto-sync: intervals, the crontab line and how ccu edits a user's crontab,
// the systemd units, and when cron fires next.
#include <catch2/catch.hpp>

#include "ccu/common/error.hpp"
#include "ccu/sync/auto_sync.hpp"

using namespace ccu::sync;

TEST_CASE("intervals accept minutes, hours and bare numbers and refuse zero or more than a day", "[sync][auto-sync]") {
    CHECK(parse_interval_minutes("30m") == 30);
    CHECK(parse_interval_minutes("2h") == 120);
    CHECK(parse_interval_minutes("1h30m") == 90);
    CHECK(parse_interval_minutes("45") == 45);
    CHECK(parse_interval_minutes("1d") == 1440);
    for (const char* bad : {"0", "0m", "", "m", "30x", "25h", "1h30", "-5"}) {
        INFO(bad);
        try {
            (void)parse_interval_minutes(bad);
            FAIL("accepted");
        } catch (const ccu::Error& e) {
            CHECK(e.kind() == ccu::ErrorKind::Usage);
        }
    }
    CHECK(describe_interval(30) == "30 min");
    CHECK(describe_interval(90) == "1 h 30 min");
}

TEST_CASE("the cron schedule steps minutes below an hour and rounds longer intervals up to whole hours",
          "[sync][auto-sync]") {
    CHECK(cron_schedule(30) == "*/30 * * * *");
    CHECK(cron_schedule(60) == "0 * * * *");
    CHECK(cron_schedule(90) == "0 */2 * * *");
    CHECK(cron_schedule(1440) == "0 0 * * *");
    CHECK_FALSE(cron_rounds(30));
    CHECK(cron_rounds(45));  // */45 fires at :00 and :45, not every 45 min
    CHECK(cron_rounds(90));
    CHECK_FALSE(cron_rounds(120));
}

TEST_CASE("the crontab line names the absolute binary, carries the dirs quoted and ends with ccu's marker",
          "[sync][auto-sync]") {
    const ScheduledCommand command{"/opt/my tools/ccu", {{"CCU_DATA_DIR", "/d/it's 100%"}}};
    CHECK(crontab_line(command, 30) ==
          "*/30 * * * * CCU_DATA_DIR='/d/it'\\''s 100\\%' '/opt/my tools/ccu' gist auto-sync run --quiet # ccu auto-sync");
}

TEST_CASE("editing a crontab replaces only ccu's line and keeps every other line byte for byte", "[sync][auto-sync]") {
    const std::string user = "MAILTO=me@example.org\n# my backup\n15 3 * * * /usr/bin/backup --all\n";
    const std::string line = "*/30 * * * * '/usr/bin/ccu' gist auto-sync run --quiet # ccu auto-sync";
    const std::string with = crontab_with_line(user, line);
    CHECK(with == user + line + "\n");
    CHECK(ccu_crontab_line(with) == line);
    const std::string replaced = crontab_with_line(with, "0 * * * * '/usr/bin/ccu' gist auto-sync run --quiet # ccu auto-sync");
    CHECK(replaced == user + "0 * * * * '/usr/bin/ccu' gist auto-sync run --quiet # ccu auto-sync\n");
    CHECK(crontab_without_ccu(replaced) == user);
    CHECK(crontab_with_line("", line) == line + "\n");
    CHECK(crontab_with_line("5 * * * * x", line) == "5 * * * * x\n" + line + "\n");  // no final newline before
    CHECK_FALSE(ccu_crontab_line(user).has_value());
}

TEST_CASE("the systemd units run the binary on the interval and carry ccu's marker", "[sync][auto-sync]") {
    const ScheduledCommand command{"/usr/bin/ccu", {{"XDG_CONFIG_HOME", "/h/%cfg"}}};
    const std::string service = systemd_service_unit(command);
    CHECK(written_by_ccu(service));
    CHECK(service.find("ExecStart=\"/usr/bin/ccu\" gist auto-sync run --quiet\n") != std::string::npos);
    CHECK(service.find("Environment=\"XDG_CONFIG_HOME=/h/%%cfg\"\n") != std::string::npos);
    CHECK(service.find("Type=oneshot") != std::string::npos);
    const std::string timer = systemd_timer_unit(30);
    CHECK(written_by_ccu(timer));
    CHECK(timer.find("OnUnitActiveSec=30min\n") != std::string::npos);
    CHECK(timer.find("Unit=ccu-auto-sync.service\n") != std::string::npos);
    CHECK(timer.find("WantedBy=timers.target") != std::string::npos);
    CHECK_FALSE(written_by_ccu("[Unit]\nDescription=mine\n"));
}

TEST_CASE("the next cron run is the next minute the schedule matches", "[sync][auto-sync]") {
    using namespace std::chrono;
    // Whole-hour offsets keep minute arithmetic the same in any local zone with such an offset.
    const auto now = sys_days{year{2026} / 12 / 1} + hours(10) + minutes(7) + seconds(30);
    const auto next = next_cron_run(30, now);
    CHECK(duration_cast<minutes>(next - now).count() == 22);  // 10:30 (local minute 30)
    CHECK(next_cron_run(30, next) - next == minutes(30));
}
