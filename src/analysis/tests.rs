//! The folder's guarantees, on real folders: publish, readers, lock, leftovers, claims.

use super::*;

fn folder() -> (tempfile::TempDir, AnalysisDir) {
    let dir = tempfile::tempdir().unwrap();
    let folder = AnalysisDir::new(dir.path().join("out"));
    (dir, folder)
}

/// A run that writes `summary.json` saying `what`, published.
fn publish(folder: &AnalysisDir, what: &str) -> Generation {
    let run = folder.begin_run(None).unwrap();
    run.write_json(Part::Summary, &what).unwrap();
    run.publish().unwrap()
}

fn summary(generation: &Generation) -> String {
    generation.read_json(Part::Summary).unwrap().unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn a_published_run_is_what_readers_see() {
    let (_dir, folder) = folder();
    assert!(matches!(folder.current(), Err(Error::NotFound(_))));
    let first = publish(&folder, "first");
    assert_eq!(first.number(), 1);
    assert_eq!(folder.current().unwrap(), first);
    assert_eq!(summary(&folder.current().unwrap()), "first");
    let second = publish(&folder, "second");
    assert_eq!(second.number(), 2);
    assert_eq!(summary(&folder.current().unwrap()), "second");
    assert_eq!(
        names(folder.root()),
        [".lock", "analysis.json", "gen-000001", "gen-000002"]
    );
    assert!(folder.current().unwrap().topics().unwrap().is_none());
}

#[test]
fn readers_see_the_previous_generation_until_the_publish() {
    let (_dir, folder) = folder();
    publish(&folder, "old");
    let run = folder.begin_run(None).unwrap();
    run.write_json(Part::Summary, &"new").unwrap();
    assert_eq!(summary(&folder.current().unwrap()), "old");
    assert_eq!(run.previous().map(Generation::number), Some(1));
    let staging = run.path(Part::Summary).parent().unwrap().to_path_buf();
    // A run that fails (or is interrupted) is dropped: its staging goes, the old stays.
    drop(run);
    assert!(!staging.exists());
    assert_eq!(summary(&folder.current().unwrap()), "old");
    assert_eq!(publish(&folder, "newer").number(), 2);
}

#[test]
fn a_first_run_that_never_publishes_leaves_no_generation() {
    let (_dir, folder) = folder();
    drop(folder.begin_run(None).unwrap());
    let error = folder.current().unwrap_err();
    assert!(matches!(error, Error::NoGeneration(_)), "{error}");
    assert!(error.to_string().contains("koe analyze"));
}

#[test]
fn a_second_writer_fails_naming_the_first_and_readers_go_on() {
    let (_dir, folder) = folder();
    publish(&folder, "old");
    let run = folder.begin_run(None).unwrap();
    let error = folder.begin_run(None).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, Error::Locked { .. }), "{message}");
    assert!(
        message.contains(&format!("pid {}", std::process::id())),
        "{message}"
    );
    assert!(message.contains("--wait"), "{message}");
    assert_eq!(summary(&folder.current().unwrap()), "old");
    drop(run);
    publish(&folder, "next");
}

#[test]
fn a_waiting_writer_goes_once_the_first_is_done() {
    let (_dir, folder) = folder();
    let run = folder.begin_run(None).unwrap();
    let other = folder.clone();
    let (told, heard) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let mut notice = |owner: &str| told.send(owner.to_string()).unwrap();
        let run = other.begin_run(Some(&mut notice)).unwrap();
        run.write_json(Part::Summary, &"second").unwrap();
        run.publish().unwrap().number()
    });
    let owner = heard.recv().unwrap();
    assert!(owner.contains(&std::process::id().to_string()), "{owner}");
    run.write_json(Part::Summary, &"first").unwrap();
    assert_eq!(run.publish().unwrap().number(), 1);
    assert_eq!(waiter.join().unwrap(), 2);
    assert_eq!(summary(&folder.current().unwrap()), "second");
}

#[test]
fn leftovers_of_dead_runs_go_at_the_next_run_and_old_generations_are_pruned() {
    let (_dir, folder) = folder();
    for what in ["1", "2", "3"] {
        publish(&folder, what);
    }
    let root = folder.root();
    // What a killed run leaves: its staging, a generation renamed but never pointed
    // to, the pointer's temporary file.
    std::fs::create_dir_all(root.join(".staging-99999/index")).unwrap();
    std::fs::write(root.join(".staging-99999/spill.jsonl"), "x").unwrap();
    std::fs::create_dir(root.join("gen-000004")).unwrap();
    std::fs::write(root.join(".analysis.json.tmp"), "{").unwrap();
    std::fs::write(root.join("report.html"), "mine").unwrap();
    assert_eq!(summary(&folder.current().unwrap()), "3");
    let run = folder.begin_run(None).unwrap();
    let mut expected = vec![".lock", "analysis.json", "gen-000002", "gen-000003"];
    let staging = format!(".staging-{}", std::process::id());
    expected.insert(0, &staging);
    expected.push("report.html");
    expected.sort();
    assert_eq!(names(root), expected);
    assert_eq!(run.number(), 4);
    run.write_json(Part::Summary, &"4").unwrap();
    run.publish().unwrap();
    assert_eq!(
        names(root),
        [
            ".lock",
            "analysis.json",
            "gen-000003",
            "gen-000004",
            "report.html"
        ]
    );
    assert_eq!(summary(&folder.current().unwrap()), "4");
}

#[test]
fn scratch_files_are_not_published() {
    let (_dir, folder) = folder();
    let run = folder.begin_run(None).unwrap();
    assert!(Part::SCRATCH.contains(&Part::ThemeVectors));
    for part in Part::SCRATCH {
        std::fs::write(run.path(part), "scratch").unwrap();
    }
    let generation = run.publish().unwrap();
    for part in Part::SCRATCH {
        assert!(!generation.path(part).exists(), "{part:?}");
    }
}

#[test]
fn a_folder_koe_did_not_make_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("index")).unwrap();
    std::fs::write(dir.path().join("index/thesis.tex"), "years of work").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let folder = AnalysisDir::new(dir.path());
    let error = folder.begin_run(None).unwrap_err();
    assert!(matches!(error, Error::NotOurs(_)), "{error}");
    assert_eq!(names(dir.path()), ["index", "notes.txt"]);
    assert_eq!(names(&dir.path().join("index")), ["thesis.tex"]);
    let error = folder.current().unwrap_err();
    assert!(matches!(error, Error::NotAnAnalysis(_)), "{error}");

    // An empty folder is fine, and becomes koe's.
    let empty = AnalysisDir::new(dir.path().join("empty"));
    std::fs::create_dir(empty.root()).unwrap();
    publish(&empty, "mine now");
}

#[test]
fn an_analysis_of_an_older_koe_is_named_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("index")).unwrap();
    std::fs::write(dir.path().join("index/meta.json"), "{}").unwrap();
    std::fs::write(dir.path().join("summary.json"), "{}").unwrap();
    let folder = AnalysisDir::new(dir.path());
    for error in [
        folder.begin_run(None).unwrap_err(),
        folder.current().unwrap_err(),
    ] {
        assert!(matches!(error, Error::OldLayout(_)), "{error}");
        assert!(error.to_string().contains("older koe"), "{error}");
    }
    assert_eq!(names(dir.path()), ["index", "summary.json"]);
}

#[test]
fn a_broken_pointer_is_a_clear_error() {
    let (_dir, folder) = folder();
    publish(&folder, "one");
    std::fs::write(folder.root().join(POINTER), "{\"format\": \"other/9\"}").unwrap();
    let error = folder.current().unwrap_err();
    assert!(error.to_string().contains("other/9"), "{error}");
    std::fs::write(folder.root().join(POINTER), "{").unwrap();
    assert!(matches!(folder.current(), Err(Error::Json { .. })));
}

#[test]
fn generation_names_are_read_strictly() {
    assert_eq!(generation_number("gen-000007"), Some(7));
    assert_eq!(generation_number(&generation_folder(123)), Some(123));
    assert_eq!(generation_number("gen-"), None);
    assert_eq!(generation_number("gen-7a"), None);
    assert_eq!(generation_number("general"), None);
}
