//! Steward speaks its users' language in Discord: the real `steward serve`
//! against a fake Discord registers its commands with Chinese and German
//! localizations, answers a zh-CN user in Chinese, and a user whose locale
//! has no catalogue (pt-BR) in English. And no answer text of the Discord
//! front is written in the code instead of the catalogues.

use std::path::{Path, PathBuf};

use steward_tests::fakes::discord::{FakeDiscord, Member, Opt};
use steward_tests::serve::{SHORT, Serve, is_callback};

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
