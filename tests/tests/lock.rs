//! One update at a time: two installs started at the same moment, again and
//! again; each time exactly one runs, and the other is told who holds the
//! update lock (never that the store is busy).

use steward_tests::guests;
use steward_tests::harness::{Install, ONLY_CONFIG_PROVIDER};

#[test]
fn of_two_installs_started_together_exactly_one_runs_and_the_other_names_the_holder() {
    let install = Install::new("");
    let target = install.bot().join("config/extra.toml");
    install.write_config(&format!(
        "{ONLY_CONFIG_PROVIDER}\n[providers.hostile.grant]\nread = [\"{{bot}}\"]\nwrite = [\"{{bot}}/config/extra.toml\"]\n[providers.hostile.settings]\nbehaviour = \"offer\"\nplan = \"write\"\npath = \"{}\"\ncontents = \"written\"\n",
        target.display()
    ));
    install.add_provider(&guests::hostile(), "hostile");
    // Compile the provider once, so both runs start alike.
    install.run(&["providers", "list"]);

    let args = [
        "install",
        "--type",
        "packages",
        "--yes",
        "--no-backup",
        "--force",
    ];
    for round in 0..5 {
        let children: Vec<_> = (0..2)
            .map(|_| {
                install
                    .command(&args)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let runs: Vec<steward_tests::harness::Run> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap().into())
            .collect();
        let ran: Vec<_> = runs.iter().filter(|r| r.code == Some(0)).collect();
        let refused: Vec<_> = runs.iter().filter(|r| r.code != Some(0)).collect();
        let all = || {
            runs.iter()
                .map(|r| format!("exit {:?}\n{}\n{}", r.code, r.stdout, r.stderr))
                .collect::<Vec<_>>()
                .join("\n---\n")
        };
        assert_eq!(
            ran.len(),
            1,
            "round {round}: exactly one must run:\n{}",
            all()
        );
        assert_eq!(refused.len(), 1, "round {round}:\n{}", all());
        let told = &refused[0].stderr;
        assert!(
            told.contains("An update is already in progress: cli:") && told.contains("(install)"),
            "round {round}: the refused one must hear who holds the lock:\n{}",
            all()
        );
        assert!(
            !told.contains("using its store"),
            "round {round}:\n{}",
            all()
        );
    }
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "written");
}
