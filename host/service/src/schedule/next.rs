//! When a schedule runs next, in its configured zone. Cron fields are wall
//! clock times; around a DST change a time that does not exist runs at the
//! first minute after the gap, and a time that happens twice runs once.

use std::str::FromStr;

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::ScheduleError;

/// Parses a six-field expression.
pub fn parse(expression: &str) -> Result<cron::Schedule, ScheduleError> {
    cron::Schedule::from_str(expression).map_err(|e| ScheduleError::Cron {
        expression: expression.to_string(),
        message: e.to_string(),
    })
}

/// Parses an IANA zone name.
pub fn zone(name: &str) -> Result<Tz, ScheduleError> {
    name.parse::<Tz>().map_err(|_| ScheduleError::Timezone {
        name: name.to_string(),
    })
}

/// The first run strictly after `after`.
pub fn next_run(schedule: &cron::Schedule, tz: Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    // Walk wall-clock candidates (cron's fields are local times) by running
    // the expression over naive local times written as UTC, then place each
    // in the zone ourselves, so DST gaps and repeats follow the rules above.
    let wall = after.with_timezone(&tz).naive_local();
    let start = Utc.from_utc_datetime(&wall) - Duration::hours(3);
    schedule
        .after(&start)
        .take(2000)
        .filter_map(|candidate| place(tz, candidate.naive_utc()))
        .find(|instant| *instant > after)
}

/// The instant a wall-clock time names in `tz`.
fn place(tz: Tz, wall: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&wall) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(earlier, _) => Some(earlier.with_timezone(&Utc)),
        LocalResult::None => (1..=24 * 60).find_map(|m| {
            tz.from_local_datetime(&(wall + Duration::minutes(m)))
                .earliest()
                .map(|t| t.with_timezone(&Utc))
        }),
    }
}

/// `2026-03-29 03:00 CEST (Europe/Berlin)`.
pub fn show(at: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    format!("{} ({})", local.format("%Y-%m-%d %H:%M %Z"), tz.name())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::spec::{ScheduleType, build};

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn next(
        t: ScheduleType,
        time: &str,
        days: Option<&str>,
        zone_name: &str,
        after: &str,
    ) -> String {
        let spec = build(t, time, days).unwrap();
        let tz = zone(zone_name).unwrap();
        let at = next_run(&parse(&spec.cron).unwrap(), tz, utc(after)).unwrap();
        show(at, tz)
    }

    #[test]
    fn monthly_on_the_31st_skips_months_without_one() {
        assert_eq!(
            next(
                ScheduleType::Monthly,
                "03:00",
                Some("31"),
                "UTC",
                "2026-03-31T04:00:00Z"
            ),
            "2026-05-31 03:00 UTC (UTC)"
        );
    }

    #[test]
    fn daily_after_the_time_on_the_last_day_of_a_month_runs_on_the_first() {
        assert_eq!(
            next(
                ScheduleType::Daily,
                "03:00",
                None,
                "UTC",
                "2026-01-31T03:00:00Z"
            ),
            "2026-02-01 03:00 UTC (UTC)"
        );
        assert_eq!(
            next(
                ScheduleType::Daily,
                "23:30",
                None,
                "UTC",
                "2026-12-31T23:45:00Z"
            ),
            "2027-01-01 23:30 UTC (UTC)"
        );
    }

    #[test]
    fn monthly_on_the_29th_runs_in_february_of_a_leap_year_only() {
        assert_eq!(
            next(
                ScheduleType::Monthly,
                "01:00",
                Some("29"),
                "UTC",
                "2027-01-30T00:00:00Z"
            ),
            "2027-03-29 01:00 UTC (UTC)"
        );
        assert_eq!(
            next(
                ScheduleType::Monthly,
                "01:00",
                Some("29"),
                "UTC",
                "2028-01-30T00:00:00Z"
            ),
            "2028-02-29 01:00 UTC (UTC)"
        );
    }

    #[test]
    fn the_time_is_read_in_the_configured_zone() {
        // 03:00 in Berlin in winter is 02:00 UTC.
        let spec = build(ScheduleType::Daily, "03:00", None).unwrap();
        let at = next_run(
            &parse(&spec.cron).unwrap(),
            zone("Europe/Berlin").unwrap(),
            utc("2026-01-10T12:00:00Z"),
        )
        .unwrap();
        assert_eq!(at, utc("2026-01-11T02:00:00Z"));
    }

    #[test]
    fn a_time_inside_the_spring_forward_gap_runs_when_the_gap_ends() {
        // Berlin skips 02:00-03:00 on 2026-03-29.
        assert_eq!(
            next(
                ScheduleType::Daily,
                "02:30",
                None,
                "Europe/Berlin",
                "2026-03-28T12:00:00Z"
            ),
            "2026-03-29 03:00 CEST (Europe/Berlin)"
        );
        // And the day after, 02:30 exists again.
        assert_eq!(
            next(
                ScheduleType::Daily,
                "02:30",
                None,
                "Europe/Berlin",
                "2026-03-29T02:00:00Z"
            ),
            "2026-03-30 02:30 CEST (Europe/Berlin)"
        );
    }

    #[test]
    fn a_time_repeated_when_clocks_go_back_runs_once() {
        // Berlin repeats 02:00-03:00 on 2026-10-25 (CEST then CET).
        let spec = build(ScheduleType::Daily, "02:30", None).unwrap();
        let schedule = parse(&spec.cron).unwrap();
        let tz = zone("Europe/Berlin").unwrap();
        let first = next_run(&schedule, tz, utc("2026-10-24T12:00:00Z")).unwrap();
        assert_eq!(first, utc("2026-10-25T00:30:00Z"), "the first 02:30 (CEST)");
        let second = next_run(&schedule, tz, first).unwrap();
        assert_eq!(
            show(second, tz),
            "2026-10-26 02:30 CET (Europe/Berlin)",
            "the repeated 02:30 does not run again"
        );
    }

    #[test]
    fn a_weekly_schedule_across_a_us_dst_change_keeps_its_wall_clock_time() {
        // New York springs forward on 2026-03-08.
        assert_eq!(
            next(
                ScheduleType::Weekly,
                "04:00",
                Some("sunday"),
                "America/New_York",
                "2026-03-02T00:00:00Z"
            ),
            "2026-03-08 04:00 EDT (America/New_York)"
        );
    }
}
