//! Steward speaks its users' language in Discord: the real `steward serve`
//! against a fake Discord registers its commands with Chinese and German
//! localizations, answers a zh-CN user in Chinese, and a user whose locale
//! has no catalogue (pt-BR) in English, a German owner's install in German
//! (progress included), and posts notifications in `[discord] locale`;
//! a zh-CN owner reads why an install failed in Chinese, then and in the
//! history.
//! And no answer text of the Discord front is written in the code instead
//! of the catalogues; every catalogue has every key the front uses, with
//! plural forms right for 0, 1, 2 and 5 in each language.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;
use steward_tests::fakes::discord::{CHANNEL_ID, FakeDiscord, Member, Opt, Request};
use steward_tests::serve::{
    LONG, ReleaseServe, SHORT, Serve, discord_table, has_embed, is_callback, is_edit,
};

#[test]
fn registration_carries_chinese_and_german_localizations() {
    let discord = FakeDiscord::start();
    let _serve = Serve::start(&discord);
    let commands = discord.commands();
    let check = &commands["update_check"];
    assert_eq!(
        check["name_localizations"]["zh-CN"], "检查更新",
        "{check:#}"
    );
    assert_eq!(check["name_localizations"]["de"], "update_prüfen");
    assert_eq!(
        check["description_localizations"]["zh-CN"],
        "向每个更新源查询可用的更新"
    );
    assert_eq!(
        check["description"],
        "Check every update source for available updates"
    );
    let check_type = &check["options"][0];
    assert_eq!(check_type["name"], "check_type", "option names stay");
    assert_eq!(
        check_type["description_localizations"]["de"],
        "Nach welchen Updates gesucht wird (Standard: all)"
    );
    let all = &check_type["choices"][0];
    assert_eq!(all["name"], "all");
    assert_eq!(all["name_localizations"]["zh-CN"], "全部", "{all:#}");
    assert_eq!(all["name_localizations"]["de"], "alle");
    // Every command and option has words in both other locales.
    for (name, command) in &commands {
        for locale in ["zh-CN", "de"] {
            assert!(
                command["description_localizations"][locale].is_string(),
                "{name} {locale}"
            );
            for option in command["options"].as_array().into_iter().flatten() {
                assert!(
                    option["description_localizations"][locale].is_string(),
                    "{name} {} {locale}",
                    option["name"]
                );
            }
        }
    }
}

#[test]
fn a_zh_cn_user_gets_the_check_in_chinese() {
    let discord = FakeDiscord::start();
    let serve = Serve::start(&discord);
    let token = discord.slash_command_in(
        "zh-CN",
        "update_check",
        &Member::owner(),
        &[Opt::integer("check_type", 0)],
    );
    let edits = serve.edits_until_result(&discord, &token);
    for progress in &edits[..edits.len() - 1] {
        let text = progress["content"].as_str().unwrap();
        assert!(text.starts_with("进度："), "{text}");
    }
    let embed = &edits.last().unwrap()["embeds"][0];
    assert_eq!(embed["footer"]["text"], "已检查：所有来源", "{embed:#}");
    let title = embed["title"].as_str().unwrap();
    assert!(title.contains("可用"), "{title}");
}

#[test]
fn a_zh_cn_member_is_refused_in_chinese() {
    let discord = FakeDiscord::start();
    let _serve = Serve::start(&discord);
    let token = discord.slash_command_in(
        "zh-CN",
        "update_check",
        &Member::new(333, "member"),
        &[Opt::integer("check_type", 0)],
    );
    let callback = discord.wait_for(0, SHORT, "the refusal", is_callback(&token));
    assert_eq!(callback.body["data"]["flags"], 64);
    assert_eq!(
        callback.body["data"]["content"],
        "权限不足：检查更新仅限机器人的所有者和管理员。"
    );
}

/// A backup failure that reached Discord in English inside a Chinese frame:
/// the repository's password file no longer opens it. The owner reads it in
/// Chinese around the path; the repository is left as it was.
#[test]
fn a_zh_cn_owner_is_told_in_chinese_that_the_backup_password_is_wrong() {
    let discord = FakeDiscord::start();
    let install = Serve::install(&discord, "", "");
    let run = install.run(&["backup", "create", "--type", "config"]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    std::fs::write(install.data().join("backup-password"), "not the password\n").unwrap();
    let serve = Serve::run(&discord, install);
    let repo = serve.install.data().join("backups");

    let token = discord.slash_command_in("zh-CN", "backup_create", &Member::owner(), &[]);
    let edits = serve.edits_until(&discord, &token, LONG, |e| {
        e["content"]
            .as_str()
            .is_some_and(|c| c.starts_with("备份失败"))
    });
    assert_eq!(
        edits.last().unwrap()["content"],
        format!(
            "备份失败：该密码无法打开备份仓库 {}（[backup] password_file 或 \
             STEWARD_BACKUP_PASSWORD）；未做任何更改",
            repo.display()
        )
    );
}

#[test]
fn a_locale_without_a_catalogue_is_answered_in_english() {
    let discord = FakeDiscord::start();
    let serve = Serve::start(&discord);
    let token = discord.slash_command_in(
        "pt-BR",
        "update_check",
        &Member::owner(),
        &[Opt::integer("check_type", 0)],
    );
    let edits = serve.edits_until_result(&discord, &token);
    let embed = &edits.last().unwrap()["embeds"][0];
    assert_eq!(embed["footer"]["text"], "Checked: all sources", "{embed:#}");
}

/// Builder calls whose text must come from a catalogue.
const BUILDERS: &[&str] = &[
    ".content(\"",
    ".title(\"",
    ".description(\"",
    ".label(\"",
    ".field(\"",
    ".footer(serenity::CreateEmbedFooter::new(\"",
    ".text(\"",
    "tell(ctx, \"",
];

/// Literals that are no words: an empty text, a zero-width space (a field
/// without a name), an ellipsis, and proper names.
const ALLOWED: &[&str] = &["", "\\u{200b}", "…", "Python", "Steward", "steward.toml"];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_answer_text_of_the_discord_front_is_a_string_literal() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../host/steward/src/discord");
    let mut files = Vec::new();
    sources(&root, &mut files);
    assert!(files.len() > 10, "{files:?}");
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // Unit tests may quote what users read.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        // rustfmt may put the argument on the next line.
        let mut joined = String::with_capacity(code.len());
        let mut after_paren = false;
        for c in code.chars() {
            if after_paren && c.is_whitespace() {
                continue;
            }
            after_paren = c == '(';
            joined.push(c);
        }
        for builder in BUILDERS {
            for (at, _) in joined.match_indices(builder) {
                let rest = &joined[at + builder.len()..];
                let literal = rest.split('"').next().unwrap_or_default();
                if !ALLOWED.contains(&literal) {
                    found.push(format!("{}: {builder}{literal}\"", file.display()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "texts outside the catalogues:\n{}",
        found.join("\n")
    );
}

/// `steward serve` for a bot on release 1.4.0 with 1.5.0 published (see
/// `steward_tests::release_bot`), `discord_lines` added to `[discord]` and
/// `extra` after it.
fn release_serve(discord: &FakeDiscord, discord_lines: &str, extra: &str) -> ReleaseServe {
    ReleaseServe::start(
        discord,
        &format!("{}{extra}\n", discord_table(discord, discord_lines)),
    )
}

/// Runs `/update_install update_type:bot` as the owner in `locale`,
/// presses Confirm, and returns the prompt and every edit of the reply up
/// to the result.
fn install_bot(served: &ReleaseServe, discord: &FakeDiscord, locale: &str) -> Vec<Value> {
    let owner = Member::owner();
    // update_type is a choice: index 2 is "bot".
    let token = discord.slash_command_in(
        locale,
        "update_install",
        &owner,
        &[Opt::integer("update_type", 2)],
    );
    let (prompt, mut all) = served.confirm(discord, &token, &owner, has_embed);
    all.insert(0, prompt);
    all
}

/// How the engine's progress steps read in English (`steward install`
/// prints them so); none may reach a German reader.
const ENGLISH_STEPS: &[&str] = &[
    "Checking for updates",
    "Planning",
    "Recording the current state",
    "Taking the pre-update backup",
    "Updating ",
    "Verifying",
    "Restarting the bot",
    "Update complete",
];

#[test]
fn a_german_owner_installs_in_german_with_german_progress() {
    let discord = FakeDiscord::start();
    let served = release_serve(&discord, "", "");
    let all = install_bot(&served, &discord, "de");

    let question = all[0]["content"].as_str().unwrap();
    assert!(
        question.starts_with("**1 Update installieren?**"),
        "{question}"
    );
    assert!(
        question.contains("release: bot 1.4.0 -> 1.5.0"),
        "{question}"
    );
    let progress: Vec<&str> = all
        .iter()
        .filter_map(|e| e["content"].as_str())
        .filter(|c| c.starts_with("Fortschritt: "))
        .collect();
    assert!(
        progress
            .iter()
            .any(|p| p.ends_with("Lege die Sicherung vor dem Update an")),
        "{progress:?}"
    );
    for line in &progress {
        let step = line.split_once(" – ").map_or("", |(_, step)| step);
        assert!(
            !ENGLISH_STEPS
                .iter()
                .any(|english| step.starts_with(english)),
            "an English step in German progress: {line}"
        );
    }
    let embed = &all.last().unwrap()["embeds"][0];
    assert_eq!(embed["title"], "Update abgeschlossen", "{embed:#}");
    assert_eq!(
        served.s.current(),
        std::path::PathBuf::from("1.5.0"),
        "installed"
    );
}

/// The notes an install leaves (here: backups turned off) are worded by
/// the reader's locale, in the question and in the result's Notes field;
/// the CLI's English never reaches a Chinese reader.
#[test]
fn a_zh_cn_owner_reads_the_install_notes_in_chinese() {
    let discord = FakeDiscord::start();
    let served = release_serve(
        &discord,
        "",
        "[backup]\nenabled = false\n[safety]\nrequire_backup_before_update = false",
    );
    let all = install_bot(&served, &discord, "zh-CN");

    let note = "备份已关闭（backup.enabled = false）：没有进行更新前备份";
    let question = all[0]["content"].as_str().unwrap();
    assert!(question.contains(&format!("⚠ {note}")), "{question}");
    let embed = &all.last().unwrap()["embeds"][0];
    let notes = embed["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["name"] == "备注")
        .unwrap_or_else(|| panic!("no Notes field: {embed:#}"));
    assert_eq!(notes["value"], note, "{embed:#}");
    let everything = format!("{all:?}");
    assert!(
        !everything.contains("backups are turned off"),
        "English note on Discord: {everything}"
    );
}

/// What was posted to the notification channel, as title and description.
fn channel_posts(discord: &FakeDiscord) -> Vec<(String, String)> {
    let path = format!("/api/v10/channels/{CHANNEL_ID}/messages");
    discord
        .requests()
        .into_iter()
        .filter(|r: &Request| r.method == "POST" && r.path == path)
        .map(|r| {
            let embed = &r.body["embeds"][0];
            (
                embed["title"].as_str().unwrap_or_default().to_string(),
                embed["description"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn discord_locale_in_steward_toml_sets_the_language_of_notifications() {
    let discord = FakeDiscord::start();
    let served = release_serve(
        &discord,
        &format!("locale = \"de\"\nnotify_channels = [{CHANNEL_ID}]"),
        "[notifications]\non_progress = true",
    );
    // The owner writes in English: the answer follows them, the channel
    // follows steward.toml.
    let all = install_bot(&served, &discord, "en-US");
    let embed = &all.last().unwrap()["embeds"][0];
    assert_eq!(embed["title"], "Update completed", "{embed:#}");

    let deadline = Instant::now() + SHORT;
    let posts = loop {
        let posts = channel_posts(&discord);
        if posts
            .iter()
            .any(|(title, _)| title == "Update abgeschlossen")
        {
            break posts;
        }
        assert!(
            Instant::now() < deadline,
            "no German completion notice: {posts:#?}\nlog:\n{}",
            served.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        posts.iter().any(|(title, _)| title == "Update gestartet"),
        "{posts:#?}"
    );
    let progress: Vec<&(String, String)> = posts
        .iter()
        .filter(|(title, _)| title.starts_with("Update: ") && title.ends_with(" %"))
        .collect();
    assert!(!progress.is_empty(), "no progress notice: {posts:#?}");
    for (title, step) in &progress {
        assert!(
            !ENGLISH_STEPS
                .iter()
                .any(|english| step.starts_with(english)),
            "an English step in a German notice: {title}: {step}"
        );
    }
    assert!(
        progress
            .iter()
            .any(|(_, step)| step == "Aktualisiere bot 1.4.0 → 1.5.0" || step == "Überprüfe"),
        "{progress:#?}"
    );
}

/// A zh-CN owner whose install the test gate stops reads why in Chinese —
/// in the rollback's progress, the result and the session history — with
/// Steward's own words from the catalogue around what the system said
/// (the exit status) as given; none of Steward's English is left.
#[test]
fn a_zh_cn_owner_reads_why_an_install_failed_in_chinese_then_and_in_the_history() {
    let discord = FakeDiscord::start();
    let served = release_serve(
        &discord,
        "",
        "[safety]\ntest_command = [\"/bin/sh\", \"-c\", \"echo 3 tests failed; exit 3\"]",
    );
    let all = install_bot(&served, &discord, "zh-CN");
    let gate = "测试关卡在更新上线前将其停止：测试命令在 ";
    let failed = "秒后失败（exit status: 3）（输出见会话日志）";
    let rolling: Vec<&str> = all
        .iter()
        .filter_map(|e| e["content"].as_str())
        .filter(|c| c.contains("正在回滚："))
        .collect();
    assert!(
        rolling
            .iter()
            .any(|c| c.contains(gate) && c.contains(failed)),
        "{rolling:?}"
    );
    let embed = &all.last().unwrap()["embeds"][0];
    let reason = embed["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["name"] == "原因")
        .unwrap_or_else(|| panic!("no reason: {embed:#}"))["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(reason.starts_with(gate), "{reason}");
    assert!(reason.ends_with(failed), "{reason}");
    assert_eq!(
        served.s.current(),
        std::path::PathBuf::from("1.4.0"),
        "rolled back"
    );

    let token = discord.slash_command_in(
        "zh-CN",
        "update_status",
        &Member::owner(),
        &[
            Opt::boolean("show_history", true),
            Opt::boolean("show_metrics", false),
        ],
    );
    let edit = discord.wait_for(0, SHORT, "the status", is_edit(&token));
    let history = edit.body["embeds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["title"] == "会话（7d）")
        .unwrap_or_else(|| panic!("no history embed: {:#}", edit.body))
        .clone();
    let text = history["description"].as_str().unwrap();
    assert!(
        text.contains(&format!("\n\u{2003}原因：{gate}")) && text.contains(failed),
        "{text}"
    );
    for english in ["the test gate", "the test command", "failed ("] {
        assert!(!text.contains(english), "English in the history: {text}");
    }
}

/// The catalogues as the binary embeds them, English first.
const CATALOGUES: &[(&str, &str)] = &[
    (
        "en-US",
        include_str!("../../host/steward/locales/en-US/steward.ftl"),
    ),
    (
        "zh-CN",
        include_str!("../../host/steward/locales/zh-CN/steward.ftl"),
    ),
    (
        "de",
        include_str!("../../host/steward/locales/de/steward.ftl"),
    ),
];

type Bundle = fluent_bundle::FluentBundle<fluent_bundle::FluentResource>;

fn bundle(tag: &str, source: &str) -> Bundle {
    let resource = fluent_bundle::FluentResource::try_new(source.to_string())
        .unwrap_or_else(|(_, errors)| panic!("{tag} does not parse: {errors:?}"));
    let id: unic_langid::LanguageIdentifier = tag.parse().unwrap();
    let mut bundle = Bundle::new(vec![id]);
    bundle.set_use_isolating(false);
    bundle.add_resource(resource).unwrap();
    bundle
}

fn message_keys(source: &str) -> BTreeSet<String> {
    let resource = fluent_bundle::FluentResource::try_new(source.to_string()).unwrap();
    resource
        .entries()
        .filter_map(|entry| match entry {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect()
}

/// Every key the Discord front asks for by a literal: `t!(lang, "key"`.
fn keys_in_code() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../host/steward/src/discord");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut keys = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // Comments show the macro with a made-up key.
        let text: String = text
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .map(|line| format!("{line}\n"))
            .collect();
        for (at, _) in text.match_indices("t!(") {
            let rest = &text[at + 3..];
            let Some((lang, after)) = rest.split_once(',') else {
                continue;
            };
            if !lang.trim().chars().all(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let after = after.trim_start();
            if let Some(quoted) = after.strip_prefix('"') {
                keys.insert(quoted.split('"').next().unwrap().to_string());
            }
        }
    }
    keys
}

#[test]
fn every_catalogue_has_every_key_the_discord_front_uses() {
    let used = keys_in_code();
    for key in [
        "progress-asking",
        "progress-updating",
        "progress-pre-update-backup",
        "safety-unsigned",
        "check-note-cooling-down",
        "error-safety-stop",
        "error-store-locked",
    ] {
        assert!(used.contains(key), "{key} is not looked up: {used:?}");
    }
    let english = message_keys(CATALOGUES[0].1);
    for (tag, source) in CATALOGUES {
        let theirs = message_keys(source);
        let missing: Vec<_> = used.difference(&theirs).collect();
        assert!(
            missing.is_empty(),
            "{tag} lacks keys the code uses: {missing:?}"
        );
        let not_translated: Vec<_> = english.difference(&theirs).collect();
        assert!(not_translated.is_empty(), "{tag} lacks {not_translated:?}");
        let extra: Vec<_> = theirs.difference(&english).collect();
        assert!(extra.is_empty(), "{tag} has keys English lacks: {extra:?}");
    }
}

fn formatted(bundle: &Bundle, key: &str, count: u32, more: &[(&str, &str)]) -> String {
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("count", count);
    for (name, value) in more {
        args.set(*name, *value);
    }
    let message = bundle
        .get_message(key)
        .unwrap_or_else(|| panic!("no {key}"));
    let mut errors = Vec::new();
    let text = bundle.format_pattern(message.value().unwrap(), Some(&args), &mut errors);
    assert!(errors.is_empty(), "{key}: {errors:?}");
    text.into_owned()
}

#[test]
fn progress_and_safety_plurals_are_right_for_0_1_2_and_5_in_each_language() {
    let expected: &[(&str, &str, [&str; 4])] = &[
        (
            "en-US",
            "progress-asking",
            [
                "Asking 0 sources",
                "Asking 1 source",
                "Asking 2 sources",
                "Asking 5 sources",
            ],
        ),
        (
            "de",
            "progress-asking",
            [
                "Frage 0 Quellen ab",
                "Frage 1 Quelle ab",
                "Frage 2 Quellen ab",
                "Frage 5 Quellen ab",
            ],
        ),
        (
            "zh-CN",
            "progress-asking",
            [
                "正在查询 0 个更新源",
                "正在查询 1 个更新源",
                "正在查询 2 个更新源",
                "正在查询 5 个更新源",
            ],
        ),
        (
            "en-US",
            "safety-breaking",
            [
                "0 breaking changes: bot",
                "a breaking change: bot",
                "2 breaking changes: bot",
                "5 breaking changes: bot",
            ],
        ),
        (
            "de",
            "safety-breaking",
            [
                "0 inkompatible Änderungen: bot",
                "eine inkompatible Änderung: bot",
                "2 inkompatible Änderungen: bot",
                "5 inkompatible Änderungen: bot",
            ],
        ),
        (
            "zh-CN",
            "safety-breaking",
            [
                "0 项不兼容变更：bot",
                "1 项不兼容变更：bot",
                "2 项不兼容变更：bot",
                "5 项不兼容变更：bot",
            ],
        ),
        (
            "en-US",
            "safety-unsigned",
            [
                "release plans 0 downloads that",
                "release plans 1 download that",
                "release plans 2 downloads that",
                "release plans 5 downloads that",
            ],
        ),
        (
            "de",
            "safety-unsigned",
            [
                "release plant 0 Downloads, die",
                "release plant 1 Download, der",
                "release plant 2 Downloads, die",
                "release plant 5 Downloads, die",
            ],
        ),
        (
            "zh-CN",
            "safety-unsigned",
            [
                "release 计划的 0 个下载",
                "release 计划的 1 个下载",
                "release 计划的 2 个下载",
                "release 计划的 5 个下载",
            ],
        ),
    ];
    for (tag, key, forms) in expected {
        let source = CATALOGUES.iter().find(|(t, _)| t == tag).unwrap().1;
        let bundle = bundle(tag, source);
        for (n, form) in [0, 1, 2, 5].into_iter().zip(forms) {
            let text = formatted(
                &bundle,
                key,
                n,
                &[("updates", "bot"), ("provider", "release")],
            );
            assert!(text.starts_with(form), "{tag} {key} {n}: {text}");
        }
    }
}

/// A zh-CN owner presses Grant under the notice of a provider that asks to
/// run a program with an argument type Steward does not know: the check
/// steward.toml's grants pass refuses it, and the owner reads why in
/// Chinese, the key and the pattern as written (it was Steward's English
/// inside a Chinese frame before).
#[test]
fn a_zh_cn_owner_reads_in_chinese_why_the_grant_check_refused_a_grant() {
    let discord = FakeDiscord::start();
    let serve = Serve::start_with(
        &discord,
        &format!("notify_channels = [{CHANNEL_ID}]"),
        "[providers.hostile.settings]\nwants_program = \"/usr/bin/echo\"\nwants_args = \"{version}\"\n",
    );
    discord.wait_until_ready(SHORT);
    let before = discord.requests().len();
    serve
        .install
        .add_provider(&steward_tests::guests::hostile(), "hostile");
    discord.wait_for(before, LONG, "the waiting-for-grant notice", |r| {
        r.method == "POST"
            && r.path
                .ends_with(&format!("/channels/{CHANNEL_ID}/messages"))
            && r.body
                .to_string()
                .contains("steward-provider-grant:hostile")
    });

    let token =
        discord.press_button_in("zh-CN", "steward-provider-grant:hostile", &Member::owner());
    let refusal = discord.wait_for(0, SHORT, "the refusal", is_callback(&token));
    assert_eq!(refusal.body["data"]["flags"], 64, "{:#}", refusal.body);
    let content = refusal.body["data"]["content"].as_str().unwrap_or_default();
    assert!(
        content.starts_with(
            "未授予提供者 hostile 任何权限：授权检查未通过：providers.hostile.grant.programs：\
             Steward 不认识参数类型 {version}；它认识的有：{pip-pin}（Python 分发包名、`==` 和版本号）、"
        ),
        "{content}"
    );
    for english in [
        "is not an argument type",
        "it knows",
        "distribution name",
        "package name",
        "version)",
    ] {
        assert!(!content.contains(english), "{english:?} in {content}");
    }
}
