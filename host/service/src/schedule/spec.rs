//! From what an owner types (`schedule_type`, `update_time`, `update_days`)
//! to a cron expression, with a clear message for every mistake.

use serde::{Deserialize, Serialize};

use super::ScheduleError;
use crate::settings::value::parse_time;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ScheduleType {
    /// Every day at the time.
    Daily,
    /// Every week, on the listed weekdays (`monday,thursday`).
    Weekly,
    /// On the given days of the month (months without such a day are skipped).
    Monthly,
    /// On the given weekdays (lists and ranges: `mon-fri,sun`).
    Custom,
}

impl ScheduleType {
    pub fn as_str(self) -> &'static str {
        match self {
            ScheduleType::Daily => "daily",
            ScheduleType::Weekly => "weekly",
            ScheduleType::Monthly => "monthly",
            ScheduleType::Custom => "custom",
        }
    }
}

/// A validated specification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// `HH:MM`.
    pub time: String,
    /// Normalized: `mon`…`sun`, or day numbers.
    pub days: Vec<String>,
    /// Six fields (seconds first), as the `cron` crate reads them.
    pub cron: String,
}

const WEEKDAYS: [(&str, &str, &str); 7] = [
    ("mon", "monday", "Mon"),
    ("tue", "tuesday", "Tue"),
    ("wed", "wednesday", "Wed"),
    ("thu", "thursday", "Thu"),
    ("fri", "friday", "Fri"),
    ("sat", "saturday", "Sat"),
    ("sun", "sunday", "Sun"),
];

fn weekday(raw: &str) -> Option<usize> {
    let lower = raw.trim().to_ascii_lowercase();
    WEEKDAYS
        .iter()
        .position(|(short, long, _)| lower == *short || lower == *long)
}

fn items(days: &str) -> impl Iterator<Item = &str> {
    days.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Validates the parts and builds the cron expression.
pub fn build(
    schedule_type: ScheduleType,
    update_time: &str,
    update_days: Option<&str>,
) -> Result<Spec, ScheduleError> {
    let (hour, minute) = parse_time(update_time).ok_or_else(|| ScheduleError::InvalidTime {
        value: update_time.to_string(),
    })?;
    let time = format!("{hour:02}:{minute:02}");
    let days_text = update_days.map(str::trim).filter(|d| !d.is_empty());
    let invalid = |problem: String| ScheduleError::InvalidDays {
        schedule_type,
        value: days_text.unwrap_or_default().to_string(),
        problem,
    };
    let (days, cron_days) = match schedule_type {
        ScheduleType::Daily => {
            if days_text.is_some() {
                return Err(invalid(
                    "a daily schedule runs every day; leave update_days out".to_string(),
                ));
            }
            (Vec::new(), "* * *".to_string())
        }
        ScheduleType::Weekly | ScheduleType::Custom => {
            let text = days_text.ok_or_else(|| {
                invalid("give the weekday(s) to run on, e.g. sunday or mon-fri".to_string())
            })?;
            let mut picked = [false; 7];
            for item in items(text) {
                match item.split_once('-') {
                    Some((from, to)) if schedule_type == ScheduleType::Custom => {
                        let (Some(a), Some(b)) = (weekday(from), weekday(to)) else {
                            return Err(invalid(format!("\"{item}\" is not a range of weekdays")));
                        };
                        if a > b {
                            return Err(invalid(format!(
                                "\"{item}\" runs backwards; write it as two ranges"
                            )));
                        }
                        picked[a..=b].iter_mut().for_each(|p| *p = true);
                    }
                    _ => {
                        let Some(day) = weekday(item) else {
                            return Err(invalid(format!(
                                "\"{item}\" is not a weekday (mon, tue, …, sun)"
                            )));
                        };
                        picked[day] = true;
                    }
                }
            }
            let chosen: Vec<usize> = (0..7).filter(|i| picked[*i]).collect();
            (
                chosen.iter().map(|i| WEEKDAYS[*i].0.to_string()).collect(),
                format!(
                    "* * {}",
                    chosen
                        .iter()
                        .map(|i| WEEKDAYS[*i].2)
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            )
        }
        ScheduleType::Monthly => {
            let text = days_text.ok_or_else(|| {
                invalid("give the day(s) of the month to run on, e.g. 1 or 1,15".to_string())
            })?;
            let mut numbers = Vec::new();
            for item in items(text) {
                match item.parse::<u32>() {
                    Ok(n) if (1..=31).contains(&n) => {
                        if !numbers.contains(&n) {
                            numbers.push(n);
                        }
                    }
                    _ => {
                        return Err(invalid(format!(
                            "\"{item}\" is not a day of the month (1-31)"
                        )));
                    }
                }
            }
            numbers.sort_unstable();
            let list = numbers
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(",");
            (
                numbers.iter().map(u32::to_string).collect(),
                format!("{list} * *"),
            )
        }
    };
    Ok(Spec {
        time,
        days,
        cron: format!("0 {minute} {hour} {cron_days}"),
    })
}

/// A note for days that do not come every month.
pub fn note(schedule_type: ScheduleType, days: &[String]) -> Option<String> {
    if schedule_type != ScheduleType::Monthly {
        return None;
    }
    let short: Vec<&str> = days
        .iter()
        .filter(|d| d.parse::<u32>().is_ok_and(|n| n >= 29))
        .map(String::as_str)
        .collect();
    (!short.is_empty()).then(|| {
        format!(
            "day {} does not come every month; such months have no run on it",
            short.join(", ")
        )
    })
}
