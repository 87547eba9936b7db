//! The layout is the architecture, and these tests keep it so. Over every `use` path of
//! harness/src they check that the stages depend one way (plan, analyse, measure, present,
//! workloads, then the command layer), that no module imports another that imports it back,
//! that no workload module imports another (what two share lives in a shared module of
//! harness/src/workloads, such as `reference`), that no workload is named outside
//! harness/src/workloads (nor in the results and runners crates), and that files and functions
//! stay small in every crate of the workspace. They read source text only.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The stages, lowest first: a module may use its own stage and those listed before it.
const LAYERS: [&[&str]; 6] = [
    &["plan"],
    &["analyse"],
    &["measure"],
    &["present"],
    &["workloads"],
    &["cli", "commands", "config", "lib", "run_both"],
];
const MAX_FILE_LINES: usize = 600;
const MAX_FUNCTION_LINES: usize = 80;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("harness/src")
}

/// The Rust sources of every crate of the workspace: the binary, results, runners, harness.
fn workspace_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "results/src", "runners/src", "harness/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    files
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A file's module path, e.g. `measure/load/mod.rs` → ["measure", "load"], `lib.rs` → [].
fn module_of(file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src()).unwrap();
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod") | Some("lib")) {
        parts.pop();
    }
    parts
}

/// Every module path (`crate::a::b`) a file's `use` lines name, resolved against `super`.
fn used_paths(file: &Path, text: &str) -> Vec<Vec<String>> {
    let own = module_of(file);
    let is_mod_file = file.file_name().is_some_and(|n| n == "mod.rs" || n == "lib.rs");
    let mut paths = Vec::new();
    // Join multi-line `use` statements, then expand one level of braces.
    let mut statements = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        // Only the file's own `use` lines: indented ones belong to inline modules (tests), whose
        // `super` is this file.
        let top_level = !line.starts_with(char::is_whitespace);
        if current.is_none() && top_level && (trimmed.starts_with("use ") || trimmed.starts_with("pub use "))
        {
            current = Some(String::new());
        }
        if let Some(statement) = current.as_mut() {
            statement.push_str(trimmed);
            if trimmed.ends_with(';') {
                statements.push(current.take().unwrap());
            }
        }
    }
    for statement in statements {
        let body = statement
            .trim_start_matches("pub ")
            .trim_start_matches("use ")
            .trim_end_matches(';')
            .to_string();
        let (prefix, items) = match body.split_once('{') {
            Some((prefix, rest)) => (prefix.to_string(), rest.trim_end_matches('}').to_string()),
            None => (body.clone(), String::new()),
        };
        let mut segments: Vec<String> = prefix
            .split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let root = match segments.first().map(String::as_str) {
            Some("crate") => {
                segments.remove(0);
                Vec::new()
            }
            Some("super") => {
                let mut base = own.clone();
                while segments.first().map(String::as_str) == Some("super") {
                    segments.remove(0);
                    base.pop();
                }
                base
            }
            Some("self") => {
                segments.remove(0);
                own.clone()
            }
            // A path into a child module declared by this file.
            Some(first) if is_mod_file && is_child(file, first) => own.clone(),
            _ => continue,
        };
        let mut base = root;
        base.extend(segments);
        if items.is_empty() {
            paths.push(base);
        } else {
            for item in items.split(',') {
                let item = item.trim().split("::").next().unwrap_or("").trim().to_string();
                let mut path = base.clone();
                if !item.is_empty() && item != "self" {
                    path.push(item);
                }
                paths.push(path);
            }
        }
    }
    paths
}

fn is_child(mod_file: &Path, name: &str) -> bool {
    let dir = mod_file.parent().unwrap();
    dir.join(format!("{name}.rs")).is_file() || dir.join(name).join("mod.rs").is_file()
}

/// The longest prefix of `path` that is a module with a file of its own.
fn resolve(path: &[String], modules: &BTreeSet<Vec<String>>) -> Vec<String> {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|prefix| modules.contains(prefix))
        .unwrap_or_default()
}

fn layer_of(module: &[String]) -> usize {
    let top = module.first().map_or("lib", String::as_str);
    LAYERS
        .iter()
        .position(|names| names.contains(&top))
        .unwrap_or_else(|| panic!("module {module:?} belongs to no layer: add it to LAYERS"))
}

/// File-level dependency graph: module → the modules its `use` lines reach.
fn graph() -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(f)).collect();
    let mut graph = BTreeMap::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let own = module_of(file);
        let targets: BTreeSet<Vec<String>> = used_paths(file, &text)
            .iter()
            .map(|p| resolve(p, &modules))
            .filter(|t| *t != own)
            .collect();
        graph.insert(own, targets);
    }
    graph
}

#[test]
fn stages_depend_one_way() {
    let mut violations = Vec::new();
    for (module, targets) in graph() {
        for target in targets {
            if layer_of(&target) > layer_of(&module) {
                violations.push(format!("{} uses {}", module.join("::"), target.join("::")));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "imports against the stage order:\n{}",
        violations.join("\n")
    );
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let graph = graph();
    // Depth-first search; a back edge closes a cycle.
    fn visit(
        node: &Vec<String>,
        graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<Vec<String>, u8>,
        stack: &mut Vec<Vec<String>>,
        cycles: &mut Vec<String>,
    ) {
        state.insert(node.clone(), 1);
        stack.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next).copied().unwrap_or(0) {
                0 => visit(next, graph, state, stack, cycles),
                1 => {
                    let start = stack.iter().position(|n| n == next).unwrap();
                    let names: Vec<String> = stack[start..].iter().map(|n| n.join("::")).collect();
                    cycles.push(format!("{} -> {}", names.join(" -> "), next.join("::")));
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.clone(), 2);
    }
    let (mut state, mut cycles) = (BTreeMap::new(), Vec::new());
    for node in graph.keys() {
        if !state.contains_key(node) {
            visit(node, &graph, &mut state, &mut Vec::new(), &mut cycles);
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_cycle_check_can_fail() {
    // The parser must see a `super` import and a braced `crate` import, or the tests above
    // would pass on nothing.
    let file = src().join("measure/serve.rs");
    let paths = used_paths(
        &file,
        "use super::load::{self, LoadPlan};\nuse crate::plan::{CaseSpec,\n ServerLoad};\n",
    );
    assert!(
        paths.contains(&vec!["measure".to_string(), "load".to_string()]),
        "{paths:?}"
    );
    assert!(
        paths.contains(&vec!["plan".to_string(), "ServerLoad".to_string()]),
        "{paths:?}"
    );
    let graph = graph();
    assert!(graph[&vec!["measure".to_string(), "executor".to_string()]]
        .contains(&vec!["measure".to_string(), "serve".to_string()]));
}

/// The modules of harness/src/workloads that are not a workload: the trait, the registry and the
/// computations several workloads share. Every other child of `workloads` is one workload's.
const SHARED_WORKLOAD_MODULES: [&str; 3] = ["module", "registry", "reference"];

/// The workload a module belongs to (`workloads::<id>::…` with `<id>` not shared), if any.
fn workload_of(module: &[String]) -> Option<&str> {
    match module {
        [top, id, ..] if top == "workloads" && !SHARED_WORKLOAD_MODULES.contains(&id.as_str()) => {
            Some(id.as_str())
        }
        _ => None,
    }
}

/// Each edge from one workload's module into another workload's.
fn cross_workload_imports(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<String> {
    let mut crossings = Vec::new();
    for (module, targets) in graph {
        let Some(own) = workload_of(module) else { continue };
        for target in targets {
            if workload_of(target).is_some_and(|other| other != own) {
                crossings.push(format!("{} uses {}", module.join("::"), target.join("::")));
            }
        }
    }
    crossings
}

/// The workload modules a workload's file names in a path outside its `use` lines (inline
/// `crate::workloads::x::f()`, or `super::x::f()` in a workload's top-level file; tests included).
fn inline_workload_paths(file: &Path, text: &str) -> Vec<Vec<String>> {
    let own = module_of(file);
    let top_level_file = own.len() == 2;
    let mut found = Vec::new();
    let mut prefixes = vec!["crate::workloads::"];
    if top_level_file {
        prefixes.push("super::");
    }
    for prefix in prefixes {
        for (at, _) in text.match_indices(prefix) {
            let rest = &text[at + prefix.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let preceded_by_path = text[..at].ends_with("::");
            if !name.is_empty() && is_child(&src().join("workloads/mod.rs"), &name) && !preceded_by_path {
                found.push(vec!["workloads".to_string(), name]);
            }
        }
    }
    found
}

/// `graph()` plus the inline paths of every workload file.
fn workload_graph() -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mut graph = graph();
    let mut files = Vec::new();
    rust_files(&src().join("workloads"), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let own = module_of(&file);
        graph
            .entry(own)
            .or_default()
            .extend(inline_workload_paths(&file, &text));
    }
    graph
}

#[test]
fn no_workload_module_imports_another() {
    let crossings = cross_workload_imports(&workload_graph());
    assert!(
        crossings.is_empty(),
        "workload modules importing each other (move what they share to a shared module of \
         harness/src/workloads, e.g. `reference`):\n{}",
        crossings.join("\n")
    );
}

#[test]
fn the_cross_workload_check_can_fail() {
    let path = |p: &str| p.split("::").map(str::to_string).collect::<Vec<_>>();
    // A workload's file resolves to its module, and the resolver sees `super::cpu_scale` from a
    // sibling workload as that module (the import this check was written against).
    let file = src().join("workloads/loop_blocking/mod.rs");
    let paths = used_paths(
        &file,
        "use super::cpu_scale;\nuse crate::workloads::reference::chunk_hash;\n",
    );
    assert!(paths.contains(&path("workloads::cpu_scale")), "{paths:?}");
    // The coupling this check was written against was inline: jit_warmup called
    // `crate::workloads::kernels::checksum(..)`.
    let file = src().join("workloads/jit_warmup/mod.rs");
    let inline = inline_workload_paths(&file, "x = crate::workloads::kernels::checksum(1);");
    assert_eq!(inline, vec![path("workloads::kernels")]);
    let inline = inline_workload_paths(&file, "    use super::kernels::reference;\n");
    assert_eq!(inline, vec![path("workloads::kernels")]);
    let graph: BTreeMap<_, _> = [
        (
            path("workloads::loop_blocking"),
            [
                path("workloads::cpu_scale"),
                path("workloads::reference::chunk_hash"),
            ]
            .into(),
        ),
        (
            path("workloads::jit_warmup::figures"),
            [path("workloads::jit_warmup")].into(),
        ),
        (path("workloads"), [path("workloads::kernels")].into()),
    ]
    .into();
    assert_eq!(
        cross_workload_imports(&graph),
        vec!["workloads::loop_blocking uses workloads::cpu_scale".to_string()]
    );
}

/// `grep -rlE '"(cpu-scale|...)"' harness/src results/src` lists only files of the workloads folder.
#[test]
fn no_workload_is_named_outside_its_module() {
    let catalog =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("workloads/catalog.toml"))
            .unwrap();
    let ids: Vec<String> = catalog
        .lines()
        .filter_map(|l| l.trim().strip_prefix("id = "))
        .map(|id| id.trim().trim_matches('"').to_string())
        .collect();
    assert!(ids.len() >= 4, "{ids:?}");
    let files = workspace_files();
    let workloads_dir = src().join("workloads");
    let mut named = Vec::new();
    for file in files.iter().filter(|f| !f.starts_with(&workloads_dir)) {
        let text = std::fs::read_to_string(file).unwrap();
        for id in &ids {
            if text.contains(&format!("\"{id}\"")) {
                named.push(format!("{} names {id}", file.display()));
            }
        }
    }
    assert!(
        named.is_empty(),
        "workload ids outside harness/src/workloads:\n{}",
        named.join("\n")
    );
}

/// Each file over `MAX_FILE_LINES` and each function over `MAX_FUNCTION_LINES` (from its `fn`
/// line to the closing brace at its indent).
fn over_the_limits(files: &[PathBuf]) -> Vec<String> {
    let mut too_big = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        if lines.len() > MAX_FILE_LINES {
            too_big.push(format!("{}: {} lines", file.display(), lines.len()));
        }
        for (start, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            let is_fn = ["fn ", "pub fn ", "pub(crate) fn ", "pub(super) fn "]
                .iter()
                .any(|p| trimmed.starts_with(p));
            if !is_fn || trimmed.ends_with(';') {
                continue;
            }
            let indent = &line[..line.len() - trimmed.len()];
            let closing = format!("{indent}}}");
            if let Some(length) = lines[start..].iter().position(|l| *l == closing) {
                if length + 1 > MAX_FUNCTION_LINES {
                    too_big.push(format!(
                        "{}:{}: a function of {} lines",
                        file.display(),
                        start + 1,
                        length + 1
                    ));
                }
            }
        }
    }
    too_big
}

#[test]
fn files_and_functions_stay_small() {
    let too_big = over_the_limits(&workspace_files());
    assert!(
        too_big.is_empty(),
        "over the limits ({MAX_FILE_LINES} lines a file, {MAX_FUNCTION_LINES} a function):\n{}",
        too_big.join("\n")
    );
}

#[test]
fn the_size_check_can_fail() {
    let dir = tempfile::tempdir().unwrap();
    let long_function = dir.path().join("long.rs");
    let body = "    let x = 1;\n".repeat(MAX_FUNCTION_LINES);
    std::fs::write(&long_function, format!("pub fn long() {{\n{body}}}\n")).unwrap();
    let long_file = dir.path().join("big.rs");
    std::fs::write(&long_file, "// a line\n".repeat(MAX_FILE_LINES + 1)).unwrap();
    let found = over_the_limits(&[long_function, long_file]);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].ends_with(&format!("a function of {} lines", MAX_FUNCTION_LINES + 2)));
    assert!(found[1].ends_with(&format!("{} lines", MAX_FILE_LINES + 1)));
}
