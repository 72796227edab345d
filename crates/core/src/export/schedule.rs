//! Automated exports (the seed's "set up automated exports as part of your audit processes"):
//! a view exported daily or weekly into a folder while the app runs; each run lands in the
//! export history like any export.

use std::path::PathBuf;

use chrono::{Datelike, Duration, Local, NaiveTime, TimeZone};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{ExportFormat, ExportRequest, Zone};
use crate::error::{CoreError, Result};
use crate::store::Store;
use crate::time::{format_instant, now_millis};
use crate::views;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Every {
    Daily,
    Weekly,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NewSchedule {
    /// A view's id or name.
    pub view: String,
    pub every: Every,
    /// Local time of day, `HH:MM`.
    pub at: String,
    /// Weekly: 0 = Monday … 6 = Sunday.
    #[serde(default)]
    pub weekday: Option<u8>,
    pub folder: String,
    pub format: ExportFormat,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Schedule {
    pub id: i64,
    pub view_id: String,
    pub view_name: String,
    pub every: Every,
    pub at: String,
    pub weekday: Option<u8>,
    pub folder: String,
    pub format: ExportFormat,
    pub last_run_at: Option<String>,
    pub next_run_at: String,
}

fn minutes_of(at: &str) -> Result<u32> {
    let t = NaiveTime::parse_from_str(at.trim(), "%H:%M")
        .map_err(|_| CoreError::InvalidQuery(format!("'{at}' is not a time of day like 06:30")))?;
    Ok(t.hour_minute())
}

trait HourMinute {
    fn hour_minute(&self) -> u32;
}

impl HourMinute for NaiveTime {
    fn hour_minute(&self) -> u32 {
        use chrono::Timelike;
        self.hour() * 60 + self.minute()
    }
}

/// The first run strictly after `after` (epoch ms), in local time.
pub fn next_run(after: i64, every: Every, at_minute: u32, weekday: Option<u8>) -> i64 {
    let now = Local
        .timestamp_millis_opt(after)
        .single()
        .unwrap_or_else(Local::now);
    let time = NaiveTime::from_hms_opt(at_minute / 60, at_minute % 60, 0).unwrap_or_default();
    let mut day = now.date_naive();
    for _ in 0..15 {
        let fits = match every {
            Every::Daily => true,
            Every::Weekly => {
                day.weekday().num_days_from_monday() == u32::from(weekday.unwrap_or(0))
            }
        };
        if fits {
            // A time that does not exist that day (a DST gap) is taken an hour later.
            let at = Local
                .from_local_datetime(&day.and_time(time))
                .earliest()
                .or_else(|| {
                    Local
                        .from_local_datetime(&(day.and_time(time) + Duration::hours(1)))
                        .earliest()
                });
            if let Some(at) = at {
                if at.timestamp_millis() > after {
                    return at.timestamp_millis();
                }
            }
        }
        day = day.succ_opt().unwrap_or(day);
    }
    after + 86_400_000
}

pub fn add(store: &Store, new: &NewSchedule) -> Result<Schedule> {
    let (view, _) = views::find(store, &new.view)?;
    let at_minute = minutes_of(&new.at)?;
    let weekday = match new.every {
        Every::Daily => None,
        Every::Weekly => Some(new.weekday.filter(|d| *d < 7).ok_or_else(|| {
            CoreError::InvalidQuery(
                "a weekly export needs a weekday, 0 (Monday) to 6 (Sunday)".into(),
            )
        })?),
    };
    let folder = PathBuf::from(new.folder.trim());
    if !folder.is_dir() {
        return Err(CoreError::InvalidQuery(format!(
            "{} is not a folder that exists",
            folder.display()
        )));
    }
    let now = now_millis();
    store.conn().execute(
        "INSERT INTO schedules (view_id, every, at_minute, weekday, folder, format, created_at,
                                next_run_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            view.id,
            every_db(new.every),
            at_minute,
            weekday,
            folder.display().to_string(),
            format_db(new.format),
            now,
            next_run(now, new.every, at_minute, weekday)
        ],
    )?;
    let id = store.conn().last_insert_rowid();
    list(store)?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| CoreError::NotFound(format!("no schedule #{id}")))
}

fn every_db(e: Every) -> &'static str {
    match e {
        Every::Daily => "daily",
        Every::Weekly => "weekly",
    }
}

fn format_db(f: ExportFormat) -> &'static str {
    match f {
        ExportFormat::Csv => "csv",
        ExportFormat::Xlsx => "xlsx",
    }
}

pub fn list(store: &Store) -> Result<Vec<Schedule>> {
    let names: Vec<(String, String)> = views::list(store)?
        .into_iter()
        .map(|v| (v.id, v.name))
        .collect();
    let mut st = store.conn().prepare(
        "SELECT id, view_id, every, at_minute, weekday, folder, format, last_run_at, next_run_at
         FROM schedules ORDER BY id",
    )?;
    let rows = st.query_map([], |r| {
        let view_id: String = r.get(1)?;
        let minute: u32 = r.get(3)?;
        Ok(Schedule {
            id: r.get(0)?,
            view_name: names
                .iter()
                .find(|(id, _)| *id == view_id)
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| format!("{view_id} (deleted)")),
            view_id,
            every: if r.get::<_, String>(2)? == "weekly" {
                Every::Weekly
            } else {
                Every::Daily
            },
            at: format!("{:02}:{:02}", minute / 60, minute % 60),
            weekday: r.get(4)?,
            folder: r.get(5)?,
            format: if r.get::<_, String>(6)? == "xlsx" {
                ExportFormat::Xlsx
            } else {
                ExportFormat::Csv
            },
            last_run_at: r.get::<_, Option<i64>>(7)?.map(format_instant),
            next_run_at: format_instant(r.get(8)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn remove(store: &Store, id: i64) -> Result<()> {
    if store
        .conn()
        .execute("DELETE FROM schedules WHERE id = ?1", [id])?
        == 0
    {
        return Err(CoreError::NotFound(format!("no schedule #{id}")));
    }
    Ok(())
}

/// The schedules due at `now`, each with the run time it was due at.
pub fn due(store: &Store, now: i64) -> Result<Vec<(Schedule, i64)>> {
    let ids: Vec<(i64, i64)> = store
        .conn()
        .prepare("SELECT id, next_run_at FROM schedules WHERE next_run_at <= ?1")?
        .query_map([now], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(list(store)?
        .into_iter()
        .filter_map(|s| {
            let due_at = ids.iter().find(|(id, _)| *id == s.id)?.1;
            Some((s, due_at))
        })
        .collect())
}

/// Claims a due run by moving the schedule on to its next run, only if nobody did first: an
/// app and a server on the same store never both run one. A run missed while the app was
/// closed happens once.
pub fn claim(writer: &Store, s: &Schedule, due_at: i64, now: i64) -> Result<bool> {
    let minute = minutes_of(&s.at)?;
    let claimed = writer.conn().execute(
        "UPDATE schedules SET last_run_at = ?2, next_run_at = ?3
         WHERE id = ?1 AND next_run_at = ?4",
        params![s.id, now, next_run(now, s.every, minute, s.weekday), due_at],
    )?;
    Ok(claimed == 1)
}

/// The export a run of `s` at `now` makes: its view into its folder, named for the view and
/// the time. None when the view was deleted (the schedule shows it as such).
pub fn export_request(store: &Store, s: &Schedule, now: i64) -> Option<ExportRequest> {
    let (view, spec) = views::find(store, &s.view_id).ok()?;
    let stamp = Local
        .timestamp_millis_opt(now)
        .single()
        .map(|t| t.format("%Y-%m-%d-%H%M").to_string())
        .unwrap_or_default();
    Some(ExportRequest {
        view: spec,
        path: PathBuf::from(&s.folder).join(super::file_name_for(&view.name, &stamp, s.format)),
        format: None,
        bom: s.format == ExportFormat::Csv,
        zone: Zone::Local,
        reveal_secrets: false,
        view_name: Some(view.name),
    })
}

/// Records that export `export_id` was a run of schedule `schedule_id`.
pub fn link_export(writer: &Store, export_id: i64, schedule_id: i64) -> Result<()> {
    writer.conn().execute(
        "UPDATE exports SET schedule_id = ?2 WHERE id = ?1",
        params![export_id, schedule_id],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(y: i32, m: u32, d: u32, h: u32, mi: u32) -> i64 {
        Local
            .with_ymd_and_hms(y, m, d, h, mi, 0)
            .earliest()
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn next_runs_in_local_time() {
        let t = local(2026, 11, 18, 10, 0); // a Wednesday
        assert_eq!(
            next_run(t, Every::Daily, 6 * 60 + 30, None),
            local(2026, 11, 19, 6, 30)
        );
        assert_eq!(
            next_run(t, Every::Daily, 11 * 60, None),
            local(2026, 11, 18, 11, 0)
        );
        // Monday next week; Wednesday at the same minute is not "after" now.
        assert_eq!(
            next_run(t, Every::Weekly, 9 * 60, Some(0)),
            local(2026, 11, 23, 9, 0)
        );
        assert_eq!(
            next_run(t, Every::Weekly, 10 * 60, Some(2)),
            local(2026, 11, 25, 10, 0)
        );
        assert!(minutes_of("25:00").is_err());
        assert_eq!(minutes_of("06:30").unwrap(), 390);
    }
}
