//! The status chart: a PNG with a title, updates per hour (1d) or per day
//! (7d, 30d) stacked by result above the sizes of the backups made, both on
//! labelled axes with UTC dates and a legend. Drawn by plotters' bitmap
//! backend with an embedded font (`font/`, DejaVu Sans), so no system font
//! has to be found. It only draws what it is given; it reads nothing.

use std::sync::OnceLock;

use chrono::{DateTime, Duration, DurationRound, Utc};
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use super::StatusRange;
use crate::backup::{BackupRecord, BackupStatus};
use crate::engine::session::{Session, SessionKind, SessionStatus};

pub const WIDTH: u32 = 800;
pub const HEIGHT: u32 = 400;

pub const BACKGROUND: [u8; 3] = [255, 255, 255];
/// Title, axis labels and the legend's words.
pub const TEXT: [u8; 3] = [33, 37, 41];
/// What an empty panel says instead of bars.
pub const NOTE: [u8; 3] = [96, 104, 116];
pub const GRID: [u8; 3] = [228, 230, 234];
/// Lighter than the text, so a test tells them apart.
pub const AXIS: [u8; 3] = [120, 124, 132];
pub const SUCCESS: [u8; 3] = [46, 160, 67];
pub const FAILURE: [u8; 3] = [211, 47, 47];
pub const ROLLED_BACK: [u8; 3] = [240, 160, 32];
pub const BACKUP: [u8; 3] = [33, 120, 220];

/// What an updates panel without updates says.
pub const NO_UPDATES: &str = "No updates in this range";
pub const NO_BACKUPS: &str = "No backups in this range";

/// The embedded font's family name: private, so nothing else registered
/// in plotters' global font table is picked by mistake.
const FAMILY: &str = "steward-sans";
const FONT: &[u8] = include_bytes!("font/DejaVuSans.ttf");

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the embedded font could not be loaded")]
    Font,
    #[error("{0}")]
    Draw(String),
    #[error(transparent)]
    Encode(#[from] png::EncodingError),
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for ChartError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        ChartError::Draw(e.to_string())
    }
}

fn font() -> Result<(), ChartError> {
    static LOADED: OnceLock<bool> = OnceLock::new();
    LOADED
        .get_or_init(|| register_font(FAMILY, FontStyle::Normal, FONT).is_ok())
        .then_some(())
        .ok_or(ChartError::Font)
}

fn color([r, g, b]: [u8; 3]) -> RGBColor {
    RGBColor(r, g, b)
}

fn text(size: u32, rgb: [u8; 3]) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&color(rgb))
}

/// Finished installs in one hour or day, by result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bucket {
    pub succeeded: usize,
    pub failed: usize,
    /// Failed and put back (also an interrupted update that recovery undid).
    pub rolled_back: usize,
}

impl Bucket {
    pub fn total(&self) -> usize {
        self.succeeded + self.failed + self.rolled_back
    }
}

/// The chart's time axis: whole UTC hours (1d) or days (7d, 30d), the last
/// one holding `now`.
#[derive(Debug, Clone, Copy)]
pub struct Axis {
    pub start: DateTime<Utc>,
    pub count: usize,
    pub width: Duration,
}

impl Axis {
    pub fn new(range: StatusRange, now: DateTime<Utc>) -> Axis {
        let (count, width) = range.buckets();
        let current = now.duration_trunc(width).unwrap_or(now);
        Axis {
            start: current - width * (count as i32 - 1),
            count,
            width,
        }
    }

    /// Where `at` falls, in buckets from the start (fractional).
    fn position(&self, at: DateTime<Utc>) -> f64 {
        (at - self.start).num_seconds() as f64 / self.width.num_seconds() as f64
    }

    fn slot(&self, at: DateTime<Utc>) -> Option<usize> {
        let x = self.position(at);
        (x >= 0.0 && x < self.count as f64).then_some(x as usize)
    }

    /// Under the x axis: the unit, and for hours the dates they span.
    fn description(&self) -> String {
        if self.width < Duration::days(1) {
            let end = self.start + self.width * self.count as i32;
            format!(
                "Hour (UTC), {} to {}",
                self.start.format("%b %d %H:%M"),
                end.format("%b %d %H:%M")
            )
        } else {
            "Day (UTC)".to_string()
        }
    }

    /// A tick's label: hours of a day range (the date at midnight), dates
    /// otherwise.
    fn label(&self, x: f64) -> String {
        let at = self.start + Duration::seconds((x * self.width.num_seconds() as f64) as i64);
        if self.width < Duration::days(1) && at.time() != chrono::NaiveTime::MIN {
            at.format("%H:%M").to_string()
        } else {
            at.format("%b %d").to_string()
        }
    }
}

/// Updates per bucket of `range`'s axis, oldest first.
pub fn buckets(sessions: &[&Session], range: StatusRange, now: DateTime<Utc>) -> Vec<Bucket> {
    let axis = Axis::new(range, now);
    let mut out = vec![Bucket::default(); axis.count];
    for s in sessions {
        // Stopped and cancelled installs changed nothing: not drawn.
        if s.kind != SessionKind::Install || !s.status.is_finished() || !s.status.went_ahead() {
            continue;
        }
        let Some(slot) = axis.slot(s.started_at).and_then(|i| out.get_mut(i)) else {
            continue;
        };
        match s.status {
            SessionStatus::RolledBack => slot.rolled_back += 1,
            status if status.is_success() => slot.succeeded += 1,
            _ => slot.failed += 1,
        }
    }
    out
}

/// A unit for backup sizes that keeps the largest one readable.
fn size_unit(largest: u64) -> (&'static str, f64) {
    const UNITS: [(&str, f64); 4] = [
        ("GiB", 1024.0 * 1024.0 * 1024.0),
        ("MiB", 1024.0 * 1024.0),
        ("KiB", 1024.0),
        ("bytes", 1.0),
    ];
    UNITS
        .into_iter()
        .find(|(_, scale)| largest as f64 >= *scale)
        .unwrap_or(("bytes", 1.0))
}

fn range_words(range: StatusRange) -> &'static str {
    match range {
        StatusRange::Day => "the last 24 hours",
        StatusRange::Week => "the last 7 days",
        StatusRange::Month => "the last 30 days",
    }
}

/// The chart as PNG bytes, `WIDTH` x `HEIGHT`.
pub fn render(
    sessions: &[&Session],
    backups: &[BackupRecord],
    range: StatusRange,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, ChartError> {
    font()?;
    let axis = Axis::new(range, now);
    let counts = buckets(sessions, range, now);
    let mut made: Vec<&BackupRecord> = backups
        .iter()
        .filter(|b| b.status == BackupStatus::Completed && axis.slot(b.created_at).is_some())
        .collect();
    made.sort_by_key(|b| b.created_at);

    let mut pixels = vec![0; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&color(BACKGROUND))?;
        let title = format!(
            "Updates and backups, {} (to {})",
            range_words(range),
            now.format("%Y-%m-%d %H:%M UTC")
        );
        let root = root.titled(&title, text(20, TEXT))?;
        let (top, bottom) = root.split_vertically(HEIGHT * 55 / 100);
        updates_panel(&top, &axis, &counts)?;
        backups_panel(&bottom, &axis, &made)?;
        root.present()?;
    }

    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&pixels)?;
        writer.finish()?;
    }
    Ok(out)
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;

fn x_labels(axis: &Axis) -> usize {
    // Every hour of a day would crowd the axis; every other one reads well.
    match axis.count {
        n if n <= 8 => n + 1,
        24 => 13,
        _ => 11,
    }
}

/// Writes `note` in the middle of a panel's plotting area.
fn empty_note(area: &Area<'_>, note: &str) -> Result<(), ChartError> {
    let (w, h) = area.dim_in_pixel();
    let style = text(18, NOTE).pos(plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Center,
        plotters::style::text_anchor::VPos::Center,
    ));
    area.draw(&Text::new(
        note.to_string(),
        (w as i32 / 2, h as i32 / 2),
        style,
    ))?;
    Ok(())
}

type Panel<'a, 'b> = ChartContext<
    'a,
    BitMapBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// How a panel's y axis reads.
struct YAxis<'f> {
    top: f64,
    labels: usize,
    label: &'f dyn Fn(&f64) -> String,
    desc: String,
}

/// A panel over the time axis with its mesh, labels and descriptions drawn;
/// only the lowest one names the x axis.
fn panel<'a, 'b>(
    area: &'a Area<'b>,
    axis: &Axis,
    y: YAxis<'_>,
    x_desc: Option<String>,
) -> Result<Panel<'a, 'b>, ChartError> {
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .margin_right(20)
        .x_label_area_size(if x_desc.is_some() { 40 } else { 24 })
        .y_label_area_size(56)
        .build_cartesian_2d(0f64..axis.count as f64, 0f64..y.top)?;
    let x_label = |x: &f64| axis.label(*x);
    let mut mesh = chart.configure_mesh();
    mesh.disable_x_mesh()
        .light_line_style(color(BACKGROUND))
        .axis_style(color(AXIS))
        .bold_line_style(color(GRID))
        .x_labels(x_labels(axis))
        .y_labels(y.labels)
        .x_label_formatter(&x_label)
        .y_label_formatter(y.label)
        .y_desc(y.desc)
        .label_style(text(13, TEXT))
        .axis_desc_style(text(14, TEXT));
    if let Some(desc) = x_desc {
        mesh.x_desc(desc);
    }
    mesh.draw()?;
    Ok(chart)
}

/// The legend, top left, and `empty` across the panel when it has nothing.
fn finish<'a, 'b: 'a>(chart: &mut Panel<'a, 'b>, empty: Option<&str>) -> Result<(), ChartError> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(color(BACKGROUND).mix(0.85))
        .border_style(color(GRID))
        .label_font(text(13, TEXT))
        .draw()?;
    if let Some(note) = empty {
        empty_note(&chart.plotting_area().strip_coord_spec(), note)?;
    }
    Ok(())
}

/// A result's name, color, and its count in a bucket.
type Layer = (&'static str, [u8; 3], fn(&Bucket) -> usize);

fn updates_panel(area: &Area<'_>, axis: &Axis, counts: &[Bucket]) -> Result<(), ChartError> {
    let highest = counts.iter().map(Bucket::total).max().unwrap_or(0);
    // Headroom for the legend, and whole numbers on the axis.
    let top = (highest + 1).max(2);
    let whole = |y: &f64| {
        if y.fract() == 0.0 {
            format!("{y:.0}")
        } else {
            String::new()
        }
    };
    let y = YAxis {
        top: top as f64,
        labels: (top + 1).min(6),
        label: &whole,
        desc: if axis.width < Duration::days(1) {
            "Updates per hour"
        } else {
            "Updates per day"
        }
        .to_string(),
    };
    let mut chart = panel(area, axis, y, None)?;

    let layers: [Layer; 3] = [
        ("Succeeded", SUCCESS, |b| b.succeeded),
        ("Failed", FAILURE, |b| b.failed),
        ("Rolled back", ROLLED_BACK, |b| b.rolled_back),
    ];
    for (layer, (name, rgb, value)) in layers.iter().enumerate() {
        let bars = counts.iter().enumerate().filter_map(|(i, b)| {
            let below: usize = layers[..layer].iter().map(|(_, _, v)| v(b)).sum();
            let n = value(b);
            (n > 0).then(|| {
                let mut bar = Rectangle::new(
                    [
                        (i as f64 + 0.15, below as f64),
                        (i as f64 + 0.85, (below + n) as f64),
                    ],
                    color(*rgb).filled(),
                );
                bar.set_margin(0, 0, 1, 1);
                bar
            })
        });
        let rgb = *rgb;
        chart.draw_series(bars)?.label(*name).legend(move |(x, y)| {
            Rectangle::new([(x, y - 5), (x + 12, y + 5)], color(rgb).filled())
        });
    }
    finish(&mut chart, (highest == 0).then_some(NO_UPDATES))
}

fn backups_panel(area: &Area<'_>, axis: &Axis, made: &[&BackupRecord]) -> Result<(), ChartError> {
    let largest = made.iter().map(|b| b.compressed_size).max().unwrap_or(0);
    let (unit, scale) = size_unit(largest);
    let y = YAxis {
        // Headroom for the legend.
        top: (largest as f64 / scale * 1.35).max(1.0),
        labels: 5,
        label: &|y| format!("{y:.1}"),
        desc: format!("Backup size ({unit})"),
    };
    let mut chart = panel(area, axis, y, Some(axis.description()))?;

    let points: Vec<(f64, f64)> = made
        .iter()
        .map(|b| {
            (
                axis.position(b.created_at),
                b.compressed_size as f64 / scale,
            )
        })
        .collect();
    let line = color(BACKUP).stroke_width(2);
    chart
        .draw_series(std::iter::once(PathElement::new(points.clone(), line)))?
        .label("Backup size (compressed)")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], line));
    chart.draw_series(
        points
            .iter()
            .map(|p| Circle::new(*p, 3, color(BACKUP).filled())),
    )?;
    finish(&mut chart, made.is_empty().then_some(NO_BACKUPS))
}
