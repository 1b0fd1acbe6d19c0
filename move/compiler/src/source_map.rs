//! The source map of a compiled module, as upstream's compiler writes it beside the bytecode
//! and dev bundles embed it: where the module, each struct, field, function, type parameter,
//! parameter and local is declared, the source location of every instruction (an entry only
//! where the location changes), and which pool slot each named constant took. Locations name
//! their file by its SHA-256, so code inlined from another file points into that file.

use std::cell::OnceCell;
use std::collections::BTreeMap;

use move_bytecode::source_map::{
    FunctionSourceMap, SourceLoc, SourceMap, SourceName, StructSourceMap,
};
use move_bytecode::AccountAddress;
use sha2::{Digest, Sha256};

use crate::inlining::LIBRARY_FILES;
use crate::parser::ast::{FileId, Loc, Name};

/// The SHA-256 of every file a location may point into: the package's sources (`FileId(i)`)
/// and the files inline functions come from (`FileId(LIBRARY_FILES + i)`). Each is hashed when
/// first needed: of the dependencies' sources, only the files inline code comes from are.
pub(crate) struct FileHashes<'a> {
    package: Vec<(&'a str, OnceCell<[u8; 32]>)>,
    library: Vec<(&'a str, OnceCell<[u8; 32]>)>,
}

impl<'a> FileHashes<'a> {
    pub(crate) fn new(
        package: impl IntoIterator<Item = &'a str>,
        library: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let lazy = |text| (text, OnceCell::new());
        FileHashes {
            package: package.into_iter().map(lazy).collect(),
            library: library.into_iter().map(lazy).collect(),
        }
    }

    fn hash(&self, file: FileId) -> [u8; 32] {
        let found = match file.0.checked_sub(LIBRARY_FILES) {
            Some(i) => self.library.get(i as usize),
            None => self.package.get(file.0 as usize),
        };
        // Every location comes from a file of one of the two lists.
        found.map_or([0; 32], |(text, hash)| {
            *hash.get_or_init(|| Sha256::digest(text.as_bytes()).into())
        })
    }

    fn loc(&self, l: Loc) -> SourceLoc {
        SourceLoc::new(self.hash(l.file), l.start, l.end)
    }

    fn name(&self, name: &str, loc: Loc) -> SourceName {
        SourceName {
            name: name.to_string(),
            loc: self.loc(loc),
        }
    }
}

/// A struct's declaration, as the source map records it.
pub(crate) struct StructSource {
    pub name: Loc,
    pub type_parameters: Vec<Name>,
    /// Field names; an empty list stands for upstream's `dummy_field`, located at the name.
    pub fields: Vec<Loc>,
}

/// A function's declaration and body, as the source map records them.
pub(crate) struct FunctionSource {
    pub name: Loc,
    pub type_parameters: Vec<Name>,
    pub parameters: Vec<(String, Loc)>,
    /// The non-parameter locals in bytecode order, each where it is bound.
    pub locals: Vec<(String, Loc)>,
    /// The location of each instruction; `None` for a native function.
    pub code: Option<Vec<Loc>>,
    /// The code offset of each inline spec block's `Nop`, by block number.
    pub spec_nops: BTreeMap<usize, u16>,
}

/// The module's declaration.
pub(crate) struct ModuleSource<'a> {
    pub address: AccountAddress,
    pub name: &'a Name,
    pub structs: Vec<StructSource>,
    pub functions: Vec<FunctionSource>,
    pub constants: BTreeMap<String, u16>,
}

pub(crate) fn build(files: &FileHashes, m: ModuleSource) -> SourceMap {
    let names = |ns: &[Name]| -> Vec<SourceName> {
        ns.iter()
            .map(|n| files.name(n.value.as_str(), n.loc))
            .collect()
    };
    let struct_map = m
        .structs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let fields = if s.fields.is_empty() {
                vec![files.loc(s.name)]
            } else {
                s.fields.iter().map(|l| files.loc(*l)).collect()
            };
            let map = StructSourceMap {
                definition_location: files.loc(s.name),
                type_parameters: names(&s.type_parameters),
                fields,
            };
            (i as u16, map)
        })
        .collect();
    let function_map = m
        .functions
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut map = FunctionSourceMap {
                definition_location: files.loc(f.name),
                type_parameters: names(&f.type_parameters),
                parameters: f
                    .parameters
                    .iter()
                    .map(|(n, l)| files.name(n, *l))
                    .collect(),
                locals: f.locals.iter().map(|(n, l)| files.name(n, *l)).collect(),
                is_native: f.code.is_none(),
                nops: f
                    .spec_nops
                    .iter()
                    .map(|(id, at)| (id.to_string(), *at))
                    .collect(),
                ..FunctionSourceMap::default()
            };
            for (offset, loc) in f.code.iter().flatten().enumerate() {
                map.add_code_location(offset as u16, files.loc(*loc));
            }
            (i as u16, map)
        })
        .collect();
    SourceMap {
        definition_location: files.loc(m.name.loc),
        module_name: Some((m.address, m.name.value.to_string())),
        struct_map,
        function_map,
        constant_map: m.constants,
    }
}
