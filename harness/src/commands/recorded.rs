//! The commands over recorded run folders: report, merge, compare, claims, trend, cite, hgrm,
//! and the report writing every run ends with. They read what a run recorded (its journal or
//! results.json), derive figures and judge claims again with this build, and never measure.

use std::path::Path;

use anyhow::{bail, Context, Result};
use arena_results::{RunRecord, RunStore};

use crate::analyse::compare::CompareOptions;
use crate::analyse::merge::{self, ShardRecord};
use crate::config::Project;
use crate::present::hgrm::StepSelector;
use crate::present::{self, markdown};
use crate::workloads::registry::REGISTRY;

/// Every exporter over the run's report model; returns the Markdown summary for the terminal.
pub(crate) fn write_reports(
    project: &Project,
    record: &RunRecord,
    store: &RunStore,
    with_charts: bool,
) -> Result<String> {
    // The claims are judged again with the figures, into the record that results.json holds.
    let mut record = record.clone();
    record.claims = claim_records(project, &record);
    let report = REGISTRY.report(&record, &project.catalog, &project.claims)?;
    // Every exporter gets its chance (a full disk may still take the small files), and a
    // failure says where the measurements are and how to write the reports again.
    let mut failed = Vec::new();
    for exporter in present::exporters(with_charts) {
        match exporter.export(&report, store.dir()) {
            Ok(paths) => paths
                .iter()
                .for_each(|path| eprintln!("{}: {}", exporter.name(), path.display())),
            Err(error) => failed.push(format!("{}: {error:#}", exporter.name())),
        }
    }
    if !failed.is_empty() {
        bail!(
            "could not write every report into {}:\n  {}\nThe measurements are in {}. Once the cause is fixed (a full disk? `df -h {}`), `arena report {}` writes the reports again.",
            store.dir().display(),
            failed.join("\n  "),
            store.results_path().display(),
            store.dir().display(),
            store.dir().display()
        );
    }
    Ok(markdown::summary(&report))
}

pub(super) fn open_run(run: &Path) -> Result<RunStore> {
    let dir = if run.is_file() {
        run.parent().unwrap_or(Path::new("."))
    } else {
        run
    };
    RunStore::open(dir)
}

/// Reads a run and recomputes its derived figures from the raw repetitions with this build
/// (seeded, so reproducible): a report or citation of an older run then shows figures added
/// since, with their method texts filled in.
fn read_rederived(run: &Path) -> Result<(RunStore, RunRecord)> {
    let store = open_run(run)?;
    let mut record = store.read()?;
    record.derived = derive_within_machines(&record)?;
    for (figure, method) in REGISTRY.methods() {
        record.methods.entry(figure).or_insert(method);
    }
    Ok((store, record))
}

/// The derived figures of a run, over the cases of every workload measured on one machine. A
/// workload that a merge split across shards (`--allow-cross-machine`) derives nothing: its
/// speedups, slopes and round-paired ratios would pair processes of different machines.
fn derive_within_machines(record: &RunRecord) -> Result<arena_results::Derived> {
    let split = merge::workloads_across_machines(record);
    for workload in &split {
        eprintln!("warning: {workload} was measured on more than one machine: not comparable, nothing derived or judged on it");
    }
    let cases: Vec<_> = record
        .cases
        .iter()
        .filter(|c| !split.contains(&c.workload))
        .cloned()
        .collect();
    REGISTRY.derive(&cases)
}

/// `arena merge`: the shards' records joined, figures derived again over every case, and the
/// reports written into `out`.
pub fn merge(
    project: &Project,
    runs: &[std::path::PathBuf],
    out: &Path,
    run_id: Option<&str>,
    allow_cross_machine: bool,
    with_charts: bool,
) -> Result<i32> {
    let shards = runs
        .iter()
        .map(|run| {
            Ok(ShardRecord {
                source: run.display().to_string(),
                record: open_run(run)?.read()?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut record = merge::merge(shards, allow_cross_machine)?;
    if let Some(id) = run_id
        .map(str::to_string)
        .or_else(|| Some(out.file_name()?.to_string_lossy().into_owned()))
    {
        record.run_id = id;
    }
    record.derived = derive_within_machines(&record)?;
    let store = RunStore::at(out);
    std::fs::create_dir_all(out).with_context(|| format!("--out {}: cannot create it", out.display()))?;
    let _lock = store.lock().with_context(|| format!("--out {}", out.display()))?;
    if store.results_path().exists() || store.journal_path().exists() {
        anyhow::bail!(
            "--out {}: it already holds a results.json; choose a new folder",
            out.display()
        );
    }
    store.write(&record)?;
    println!("{}", write_reports(project, &record, &store, with_charts)?);
    println!(
        "merged {} runs ({} cases) into {}",
        record.merged_from.len(),
        record.cases.len(),
        store.dir().display()
    );
    Ok(0)
}

/// `arena compare`: exit code 1 when some case's primary figure regressed.
pub fn compare(base: &Path, new: &Path, options: CompareOptions, json: bool) -> Result<i32> {
    let base = open_run(base)?.read()?;
    let new = open_run(new)?.read()?;
    let comparison = crate::analyse::compare::compare(&base, &new, options);
    if json {
        println!("{}", serde_json::to_string_pretty(&comparison)?);
    } else {
        print!("{}", present::compare::markdown(&comparison));
    }
    Ok(if comparison.regressions() > 0 { 1 } else { 0 })
}

/// Every claim judged on a run's figures, as results.json stores them.
fn claim_records(project: &Project, record: &RunRecord) -> Vec<arena_results::ClaimRecord> {
    REGISTRY
        .judge_claims(&project.claims, record)
        .iter()
        .map(crate::analyse::claims::Judged::record)
        .collect()
}

/// `arena claims RUN`: every claim's verdict on the run, judged again on its re-derived figures,
/// as a table or as the JSON results.json stores.
pub fn claims(project: &Project, run: &Path, json: bool) -> Result<i32> {
    let (_, record) = read_rederived(run)?;
    let records = claim_records(project, &record);
    if json {
        println!("{}", serde_json::to_string_pretty(&records)?);
    } else {
        print!("{}", markdown::claims_table(&records));
    }
    Ok(0)
}

/// `arena trend`: the runs, oldest first, as one trend page.
pub fn trend(project: &Project, runs: &[std::path::PathBuf], out: &Path) -> Result<i32> {
    let mut records = runs
        .iter()
        .map(|run| open_run(run)?.read())
        .collect::<Result<Vec<_>>>()?;
    records.sort_by(|a, b| a.started_at.cmp(&b.started_at));
    let headlines = records.iter().map(run_headlines).collect::<Result<Vec<_>>>()?;
    let headlines = crate::analyse::trend::headline_trends(&headlines);
    let trends = crate::analyse::trend::trends(&records);
    let verdicts: Vec<Vec<arena_results::ClaimRecord>> = records
        .iter()
        .map(|record| {
            let mut record = record.clone();
            record.derived = REGISTRY.derive(&record.cases)?;
            Ok(claim_records(project, &record))
        })
        .collect::<Result<_>>()?;
    let verdicts = crate::analyse::trend::verdict_trends(&verdicts);
    let html = present::trend::page(&records, &headlines, &trends, &verdicts).into_string();
    std::fs::write(out, html).with_context(|| format!("--out {}: cannot write it", out.display()))?;
    println!(
        "trend of {} runs, {} workloads, {} headline figures, {} claims ({} moved between runs): {}",
        records.len(),
        trends.len(),
        headlines.len(),
        verdicts.len(),
        verdicts.iter().filter(|v| v.moved()).count(),
        out.display()
    );
    Ok(0)
}

/// Every workload's headline figures in one run, re-derived from its cases by its module.
fn run_headlines(record: &RunRecord) -> Result<Vec<(String, Vec<crate::analyse::trend::Headline>)>> {
    let mut out = Vec::new();
    for workload in REGISTRY.all() {
        let cases: Vec<&arena_results::CaseRecord> = record
            .cases
            .iter()
            .filter(|c| c.workload == workload.id())
            .collect();
        if cases.is_empty() {
            continue;
        }
        let figures = workload.derive(&cases)?;
        out.push((workload.id().to_string(), workload.headlines(&figures)?));
    }
    Ok(out)
}

pub fn report(project: &Project, run: &Path) -> Result<i32> {
    let _lock = open_run(run)?.lock()?;
    let (store, record) = read_rederived(run)?;
    println!("{}", write_reports(project, &record, &store, true)?);
    Ok(0)
}

pub fn cite(run: &Path, case: &str, metric: &str) -> Result<i32> {
    let (_, record) = read_rederived(run)?;
    print!("{}", REGISTRY.cite(&record, case, metric)?);
    Ok(0)
}

pub fn hgrm(run: &Path, case: &str, selector: &StepSelector) -> Result<i32> {
    let store = open_run(run)?;
    print!("{}", crate::present::hgrm::hgrm(&store.read()?, case, selector)?);
    Ok(0)
}
