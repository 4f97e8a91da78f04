//! The status chart: a PNG of updates over time (successes stacked under
//! failures, one bar per hour or day of the range) above the sizes of the
//! backups made in the range. Drawn without text: the numbers are in the
//! status message beside it, so no font has to be shipped or found.

use chrono::{DateTime, Utc};

use super::StatusRange;
use crate::backup::{BackupRecord, BackupStatus};
use crate::engine::session::{Session, SessionKind};

pub const WIDTH: u32 = 800;
pub const HEIGHT: u32 = 400;

pub const BACKGROUND: [u8; 3] = [255, 255, 255];
pub const PANEL: [u8; 3] = [243, 244, 246];
pub const GRID: [u8; 3] = [220, 222, 226];
pub const AXIS: [u8; 3] = [90, 94, 102];
pub const SUCCESS: [u8; 3] = [46, 160, 67];
pub const FAILURE: [u8; 3] = [211, 47, 47];
pub const BACKUP: [u8; 3] = [33, 120, 220];

const MARGIN: u32 = 20;
const GAP: u32 = 20;
/// Backups shown at most (the newest).
const MAX_BACKUP_BARS: usize = 60;

struct Canvas {
    pixels: Vec<u8>,
}

impl Canvas {
    fn new() -> Canvas {
        Canvas {
            pixels: BACKGROUND
                .iter()
                .copied()
                .cycle()
                .take((WIDTH * HEIGHT * 3) as usize)
                .collect(),
        }
    }

    /// Fills `[x0, x1) x [y0, y1)`, clipped to the canvas.
    fn rect(&mut self, x0: u32, y0: u32, x1: u32, y1: u32, color: [u8; 3]) {
        for y in y0.min(HEIGHT)..y1.min(HEIGHT) {
            for x in x0.min(WIDTH)..x1.min(WIDTH) {
                let i = ((y * WIDTH + x) * 3) as usize;
                self.pixels[i..i + 3].copy_from_slice(&color);
            }
        }
    }
}

/// One panel's box.
#[derive(Clone, Copy)]
struct Panel {
    x: u32,
    y: u32,
    w: u32,
    h: u32,
}

impl Panel {
    fn draw_frame(&self, canvas: &mut Canvas) {
        canvas.rect(self.x, self.y, self.x + self.w, self.y + self.h, PANEL);
        for quarter in 1..4 {
            let y = self.y + self.h * quarter / 4;
            canvas.rect(self.x, y, self.x + self.w, y + 1, GRID);
        }
        // The baseline and the left axis.
        canvas.rect(
            self.x,
            self.y + self.h - 2,
            self.x + self.w,
            self.y + self.h,
            AXIS,
        );
        canvas.rect(self.x, self.y, self.x + 2, self.y + self.h, AXIS);
    }

    /// Stacked segments `(value, color)` in slot `index` of `slots`, scaled
    /// so that `max` fills the panel.
    fn bar(
        &self,
        canvas: &mut Canvas,
        index: usize,
        slots: usize,
        max: f64,
        stack: &[(f64, [u8; 3])],
    ) {
        let slot = (self.w - 4) as f64 / slots.max(1) as f64;
        let x0 = self.x + 4 + (index as f64 * slot + slot * 0.15) as u32;
        let x1 = (self.x + 4 + ((index + 1) as f64 * slot - slot * 0.15) as u32).max(x0 + 1);
        let base = self.y + self.h - 2;
        let usable = (self.h - 6) as f64;
        let mut top = base;
        for (value, color) in stack {
            if *value <= 0.0 || max <= 0.0 {
                continue;
            }
            let height = ((value / max) * usable).round().max(1.0) as u32;
            let y0 = top.saturating_sub(height);
            canvas.rect(x0, y0, x1, top, *color);
            top = y0;
        }
    }
}

/// Updates per bucket: (succeeded, failed).
pub fn buckets(
    sessions: &[&Session],
    range: StatusRange,
    now: DateTime<Utc>,
) -> Vec<(usize, usize)> {
    let (count, width) = range.buckets();
    let start = now - width * count as i32;
    let mut out = vec![(0, 0); count];
    for s in sessions {
        if s.kind != SessionKind::Install || !s.status.is_finished() || s.started_at < start {
            continue;
        }
        let offset = (s.started_at - start).num_seconds() / width.num_seconds();
        let Some(slot) = usize::try_from(offset).ok().and_then(|i| out.get_mut(i)) else {
            continue;
        };
        if s.status.is_success() {
            slot.0 += 1;
        } else {
            slot.1 += 1;
        }
    }
    out
}

/// The chart as PNG bytes, `WIDTH` x `HEIGHT`.
pub fn render(
    sessions: &[&Session],
    backups: &[BackupRecord],
    range: StatusRange,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, png::EncodingError> {
    let mut canvas = Canvas::new();
    let panel_h = (HEIGHT - 2 * MARGIN - GAP) / 2;
    let updates = Panel {
        x: MARGIN,
        y: MARGIN,
        w: WIDTH - 2 * MARGIN,
        h: panel_h,
    };
    let sizes = Panel {
        y: MARGIN + panel_h + GAP,
        ..updates
    };
    updates.draw_frame(&mut canvas);
    sizes.draw_frame(&mut canvas);

    let counts = buckets(sessions, range, now);
    let max = counts.iter().map(|(s, f)| s + f).max().unwrap_or(0) as f64;
    for (i, (succeeded, failed)) in counts.iter().enumerate() {
        updates.bar(
            &mut canvas,
            i,
            counts.len(),
            max,
            &[(*succeeded as f64, SUCCESS), (*failed as f64, FAILURE)],
        );
    }

    let since = now - range.duration();
    let mut made: Vec<&BackupRecord> = backups
        .iter()
        .filter(|b| b.status == BackupStatus::Completed && b.created_at >= since)
        .collect();
    made.sort_by_key(|b| b.created_at);
    let made = &made[made.len().saturating_sub(MAX_BACKUP_BARS)..];
    let largest = made.iter().map(|b| b.compressed_size).max().unwrap_or(0) as f64;
    for (i, b) in made.iter().enumerate() {
        sizes.bar(
            &mut canvas,
            i,
            made.len().max(8),
            largest,
            &[(b.compressed_size as f64, BACKUP)],
        );
    }

    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&canvas.pixels)?;
        writer.finish()?;
    }
    Ok(out)
}
