//! A provider that tries to take more than its call's budgets allow: more
//! time (a blocking sleep, a batch of slow requests), more memory (a batch
//! of large answers), more requests in one batch. The `behaviour` setting
//! picks the attempt, so one build serves every budget test.

use steward_sdk::{
    Context, Error, ErrorCode, HttpRequest, Info, Provider, Report, Settings, Update, UpdateKind,
    http, setting,
};

struct Greedy;

impl Provider for Greedy {
    fn describe(settings: Settings) -> Info {
        let mut info = Info::new(
            "greedy",
            "0.1.0",
            "Takes more than its budgets on purpose",
            &[UpdateKind::Package],
        )
        .read("{bot}");
        if let Some(host) = setting(&settings, "wants_http") {
            info = info.http(host);
        }
        info
    }

    fn check(ctx: Context) -> Result<Report, Error> {
        match ctx.setting("behaviour").unwrap_or("") {
            // A WASI clock subscription and a blocking poll: no wasm runs
            // while it waits, so epoch interruption alone never stops it.
            "sleep" => {
                std::thread::sleep(std::time::Duration::from_secs(20));
                Ok(report("slept 20 s"))
            }
            // `count` requests to `url` in one batch; the first failure is
            // the call's error, else the number of answers is reported.
            "http-batch" => {
                let requests = batch(&ctx, "");
                let count = requests.len();
                let answers = http::send_all(&requests);
                let ok = answers.iter().filter(|a| a.is_ok()).count();
                match answers.into_iter().find_map(Result::err) {
                    Some(first) => Err(Error::new(
                        first.code,
                        format!("{ok} of {count} answered; {}", first.message),
                    )),
                    None => Ok(report(&format!("{ok} answers"))),
                }
            }
            // `count` requests to `url` taken as they arrive (contract
            // 0.3.0's `http-each`); reports the order of their positions.
            "http-each" => {
                let requests = batch(&ctx, "");
                let order: Vec<String> = http::send_each(&requests)
                    .map(|(at, answer)| match answer {
                        Ok(_) => at.to_string(),
                        Err(e) => format!("{at} failed: {}", e.message),
                    })
                    .collect();
                Ok(report(&format!("arrived {}", order.join(","))))
            }
            // `count` requests to `url` dropped before any answer is taken,
            // then a wait in which what was not stopped would go on.
            "http-each-dropped" => {
                let requests = batch(&ctx, "");
                drop(http::send_each(&requests));
                std::thread::sleep(std::time::Duration::from_millis(2500));
                Ok(report("dropped"))
            }
            // `batches` batches of `count` requests each, all sent before
            // any answer is taken: together they may not have more in
            // flight than one batch could.
            "http-each-side-by-side" => {
                let open: Vec<_> = (0..number(&ctx, "batches"))
                    .map(|b| http::send_each(&batch(&ctx, &format!("b={b}&"))))
                    .collect();
                let ok = open
                    .into_iter()
                    .flatten()
                    .filter(|(_, answer)| answer.is_ok())
                    .count();
                Ok(report(&format!("{ok} answers")))
            }
            "divide-by-zero" => {
                let (n, d) = std::hint::black_box((1, 0));
                Ok(report(&divide(n, d).to_string()))
            }
            "ok" => Ok(report("ran")),
            other => Err(Error::new(
                ErrorCode::Unsupported,
                format!("unknown behaviour {other:?}"),
            )),
        }
    }
}

/// `count` GET requests to `url`, each with a query of `tag` and its own
/// number `n`.
fn batch(ctx: &Context, tag: &str) -> Vec<HttpRequest> {
    let url = ctx.setting("url").unwrap_or("http://127.0.0.1:9/");
    (0..number(ctx, "count"))
        .map(|n| http::get(&format!("{url}?{tag}n={n}")))
        .collect()
}

/// A number setting, 1 when absent or not a number.
fn number(ctx: &Context, name: &str) -> usize {
    ctx.setting(name).and_then(|c| c.parse().ok()).unwrap_or(1)
}

/// Divides without Rust's zero check, so the wasm `i32.div_s` itself runs
/// and traps on zero (the point of this provider).
fn divide(n: i32, d: i32) -> i32 {
    // SAFETY: not upheld on purpose; `d` is zero and the host must survive
    // the trap that follows.
    unsafe { std::hint::assert_unchecked(d != 0) };
    n / d
}

fn report(latest: &str) -> Report {
    Report {
        updates: vec![Update::new(UpdateKind::Package, "greedy", None, latest)],
        warnings: Vec::new(),
    }
}

steward_sdk::export_provider!(Greedy);
