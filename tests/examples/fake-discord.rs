//! The fake Discord of the tests, run on its own for the benches
//! (`scripts/bench-control.sh`): prints its `discord.api_base` on one line,
//! then serves the gateway and REST API until its stdin closes.

use std::io::Read;

use steward_tests::fakes::discord::FakeDiscord;

fn main() {
    let discord = FakeDiscord::start();
    println!("{}", discord.api_base());
    // Whoever started it ends it by closing the pipe (or by exiting).
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    drop(discord);
}
