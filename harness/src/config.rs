//! Plain, validated configuration. The CLI turns flags into these types (and rejects bad input
//! with an error naming the flag); nothing below the CLI sees clap or raw strings.

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::{bail, Result};
use arena_runners::{Language, Workspace};

use crate::plan::catalog::Catalog;
use crate::plan::suite::Suite;
use crate::plan::Filters;

/// Validates comma-separated filter values against the catalogue.
pub fn parse_filters(
    catalog: &Catalog,
    workloads: &[String],
    languages: &[String],
    variants: &[String],
) -> Result<Filters> {
    let known_workloads: Vec<&str> = catalog.workloads.iter().map(|w| w.id.as_str()).collect();
    let known_variants: BTreeSet<String> = catalog
        .workloads
        .iter()
        .flat_map(|w| w.variants.iter().map(|v| v.name()))
        .collect();
    let mut filters = Filters::default();
    if !workloads.is_empty() {
        for w in workloads {
            if !known_workloads.contains(&w.as_str()) {
                bail!(
                    "--workload {w:?}: no such workload (known: {})",
                    known_workloads.join(", ")
                );
            }
        }
        filters.workloads = Some(workloads.iter().cloned().collect());
    }
    if !languages.is_empty() {
        let mut set = BTreeSet::new();
        for l in languages {
            let Some(lang) = Language::parse(l) else {
                let known: Vec<&str> = Language::ALL.iter().map(|l| l.id()).collect();
                bail!("--lang {l:?}: no such language (known: {})", known.join(", "));
            };
            set.insert(lang);
        }
        filters.languages = Some(set);
    }
    if !variants.is_empty() {
        for v in variants {
            if !known_variants.contains(v) {
                bail!(
                    "--variant {v:?}: no such variant; variants are language/model, e.g. python/threads (see `arena list`)"
                );
            }
        }
        filters.variants = Some(variants.iter().cloned().collect());
    }
    Ok(filters)
}

/// What every command that reads the repository needs: the workspace (root, build folder,
/// JDK choice), the catalogue and the claims read from that root, checked against the
/// workload modules.
#[derive(Debug, Clone)]
pub struct Project {
    pub workspace: Workspace,
    pub catalog: Catalog,
    pub claims: Vec<crate::analyse::claims::ClaimSpec>,
}

/// Everything `arena run` needs, validated.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// `--shard K/N`: only that part of the planned cases.
    pub shard: Option<arena_results::ShardInfo>,
    pub suite: Suite,
    pub filters: Filters,
    pub repetitions: u32,
    pub runs_dir: PathBuf,
    pub seed: u64,
    pub charts: bool,
    /// In CI a missing toolchain is an error, on a user's machine a skip (README, set-up promise).
    pub require_all_toolchains: bool,
    pub command_line: Vec<String>,
    /// `--dry-run`: print the plan and run nothing.
    pub dry_run: bool,
}

impl RunConfig {
    pub fn options(&self) -> RunOptions {
        RunOptions {
            runs_dir: self.runs_dir.clone(),
            charts: self.charts,
            require_all_toolchains: self.require_all_toolchains,
            command_line: self.command_line.clone(),
        }
    }
}

/// How a planned run is carried out (for a fresh run and for `--resume` alike).
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub runs_dir: PathBuf,
    pub charts: bool,
    pub require_all_toolchains: bool,
    pub command_line: Vec<String>,
}

/// Whether this is a CI run (`CI=true`, as set by common CI systems).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Everything `arena load` needs, validated.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    pub url: String,
    pub plan: crate::measure::load::LoadPlan,
    pub json: bool,
}

/// The socket address and path of an `http://` URL. Anything but loopback is refused unless
/// `allow_non_loopback` (load tests target this machine only, unless the user says otherwise).
pub fn parse_target(url: &str, allow_non_loopback: bool) -> Result<(std::net::SocketAddr, String)> {
    let parsed: http::Uri = url
        .parse()
        .map_err(|e| anyhow::anyhow!("URL {url:?}: {e} (expected http://127.0.0.1:PORT/path)"))?;
    if parsed.scheme_str() != Some("http") {
        bail!("URL {url:?}: only http:// is supported (HTTP/1.1 without TLS)");
    }
    let host = parsed
        .host()
        .ok_or_else(|| anyhow::anyhow!("URL {url:?}: no host (expected http://127.0.0.1:PORT/path)"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<std::net::SocketAddr> =
        std::net::ToSocketAddrs::to_socket_addrs(&(host, parsed.port_u16().unwrap_or(80)))
            .map_err(|e| anyhow::anyhow!("URL {url:?}: cannot resolve the host: {e}"))?
            .collect();
    let addr = *addrs
        .first()
        .ok_or_else(|| anyhow::anyhow!("URL {url:?}: the host resolves to nothing"))?;
    if !allow_non_loopback && !addrs.iter().all(|a| a.ip().is_loopback()) {
        bail!(
            "URL {url:?}: {} is not a loopback address; `arena load` targets this machine only \
             unless you pass --allow-non-loopback (and have permission to load that server)",
            addr.ip()
        );
    }
    let path = parsed
        .path_and_query()
        .map_or("/".to_string(), |p| p.as_str().to_string());
    Ok((addr, path))
}

#[cfg(test)]
mod load_target_tests {
    use super::parse_target;

    #[test]
    fn loopback_only_unless_allowed() {
        let (addr, path) = parse_target("http://127.0.0.1:8080/io?id=1&delay_ms=0", false).unwrap();
        assert_eq!((addr.port(), path.as_str()), (8080, "/io?id=1&delay_ms=0"));
        assert!(parse_target("http://localhost:9/x", false).is_ok());
        let err = parse_target("http://10.1.2.3:80/", false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("--allow-non-loopback"), "{err}");
        assert!(parse_target("http://10.1.2.3:80/", true).is_ok());
        assert!(parse_target("https://127.0.0.1/", false).is_err());
        assert!(parse_target("not a url", false).is_err());
        assert_eq!(parse_target("http://[::1]:81", false).unwrap().1, "/");
    }
}
