//! The offsite copies that follow a backup, as a CLI run shows them: after
//! the backup's own answer, a line per target. In this process the run
//! waits for them; through the socket the service copies in its
//! background, and the line says so.

use std::io::Write;

use super::Backend;
use super::render;

/// Waits for the copies following backup `id` in this process and prints
/// a line per target; through the socket, says that the service copies to
/// `due` (the targets the backup named, when known).
pub async fn follow_up(service: &Backend, id: &str, due: &[String]) {
    if service.offsite_pending(id) {
        println!("Copying backup {id} offsite…");
        let _ = std::io::stdout().flush();
        if let Some(copies) = service.offsite_copies(id).await {
            print!("{}", render::backup::offsite(&copies));
        }
    } else if service.is_remote() && !due.is_empty() {
        println!(
            "Offsite copies to {} follow in the service's background; `steward backup list` shows where each backup lives.",
            due.join(", ")
        );
    }
}
