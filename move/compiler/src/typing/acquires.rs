//! The `acquires` lists of a module's functions, checked as upstream checks them: a function
//! acquires a resource of its module when its body (inline calls expanded) borrows or moves it
//! from global storage, or calls a function of the module that acquires it. Every acquired
//! resource must be listed (E04020 at each use), every listed one acquired (E02002), and none
//! listed twice (E02001). A native function acquires what it lists.

use std::collections::{BTreeMap, BTreeSet};

use crate::driver::CompileDiagnostic;
use crate::parser::ast::Loc;

/// A use in a function body that may acquire resources.
#[derive(Clone, Debug)]
pub struct AcquireUse {
    /// The whole expression.
    pub loc: Loc,
    pub what: Acquirer,
}

#[derive(Clone, Debug)]
pub enum Acquirer {
    /// `move_from`, `borrow_global` or `borrow_global_mut` of a struct of the module.
    Op {
        op: &'static str,
        resource: String,
        /// The type argument, or the operation's name when the type was inferred.
        type_loc: Loc,
    },
    /// A call of a function of the same module.
    Call { function: String },
}

/// One function of the module as the check sees it.
pub struct FunctionAcquires {
    pub name: String,
    /// The `acquires` list as written: struct name and location.
    pub listed: Vec<(String, Loc)>,
    /// `None` for a native function.
    pub uses: Option<Vec<AcquireUse>>,
}

/// Checks the module's functions; `module` is the module's display name (`0x1::m`).
pub fn check(module: &str, functions: &[FunctionAcquires]) -> Vec<CompileDiagnostic> {
    let acquired = transitive(functions);
    let mut diags = vec![];
    for f in functions {
        let mut seen: BTreeMap<&str, Loc> = BTreeMap::new();
        for (name, loc) in &f.listed {
            match seen.get(name.as_str()) {
                Some(first) => diags.push(
                    CompileDiagnostic::error(
                        "E02001",
                        "duplicate declaration, item, or annotation",
                        *loc,
                        "Duplicate acquires item",
                    )
                    .with_secondary(*first, "Item previously listed here"),
                ),
                None => {
                    seen.insert(name, *loc);
                }
            }
        }
        let Some(uses) = &f.uses else { continue };
        let mine = &acquired[&f.name];
        for (name, loc) in &seen {
            if !mine.contains(*name) {
                diags.push(CompileDiagnostic::error(
                    "E02002",
                    "unnecessary or extraneous item",
                    *loc,
                    format!(
                        "Invalid 'acquires' list. The struct '{module}::{name}' was never acquired \
                         by 'move_from', 'borrow_global', 'borrow_global_mut', or a transitive call"
                    ),
                ));
            }
        }
        for u in uses {
            let (callee, resources, label_loc): (String, Vec<&String>, Loc) = match &u.what {
                Acquirer::Op {
                    op,
                    resource,
                    type_loc,
                } => (op.to_string(), vec![resource], *type_loc),
                Acquirer::Call { function } => (
                    format!("'{module}::{function}'"),
                    acquired
                        .get(function)
                        .map(|s| s.iter().collect())
                        .unwrap_or_default(),
                    u.loc,
                ),
            };
            for r in resources {
                if !seen.contains_key(r.as_str()) {
                    diags.push(
                        CompileDiagnostic::error(
                            "E04020",
                            "missing acquires annotation",
                            u.loc,
                            format!("Invalid call to {callee}."),
                        )
                        .with_secondary(
                            label_loc,
                            format!(
                                "The call acquires '{module}::{r}', but the 'acquires' list for \
                                 the current function does not contain this type. It must be \
                                 present in the calling context's acquires list"
                            ),
                        ),
                    );
                }
            }
        }
    }
    diags
}

/// What each function acquires: its own operations and, to a fixed point, its callees'.
fn transitive(functions: &[FunctionAcquires]) -> BTreeMap<String, BTreeSet<String>> {
    let mut acquired: BTreeMap<String, BTreeSet<String>> = functions
        .iter()
        .map(|f| {
            let set = match &f.uses {
                None => f.listed.iter().map(|(n, _)| n.clone()).collect(),
                Some(uses) => uses
                    .iter()
                    .filter_map(|u| match &u.what {
                        Acquirer::Op { resource, .. } => Some(resource.clone()),
                        Acquirer::Call { .. } => None,
                    })
                    .collect(),
            };
            (f.name.clone(), set)
        })
        .collect();
    loop {
        let mut changed = false;
        for f in functions {
            let Some(uses) = &f.uses else { continue };
            let mut add = BTreeSet::new();
            for u in uses {
                if let Acquirer::Call { function } = &u.what {
                    if let Some(theirs) = acquired.get(function) {
                        add.extend(theirs.iter().cloned());
                    }
                }
            }
            if let Some(mine) = acquired.get_mut(&f.name) {
                let before = mine.len();
                mine.extend(add);
                changed |= mine.len() != before;
            }
        }
        if !changed {
            return acquired;
        }
    }
}
