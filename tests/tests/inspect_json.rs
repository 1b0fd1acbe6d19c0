//! `inspect` on mainnet.mrb: the JSON report lists the three packages with 11, 29 and 90 modules
//! whose sizes and SHA3-256 hashes match those computed here from the bundle bytes by an
//! independent walk of the format (not the library's decoder), and the whole-file hash.

use framework::inspect;
use sha3::{Digest, Sha3_256};

fn sha3(bytes: &[u8]) -> String {
    hex::encode(Sha3_256::digest(bytes))
}

/// A package name with its (module name, bytecode) pairs.
type SkimmedPackage<'a> = (String, Vec<(String, &'a [u8])>);

/// A minimal, separate reader of the bundle layout: the code blobs of each package.
struct Skim<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Skim<'a> {
    fn uleb(&mut self) -> usize {
        let (mut value, mut shift) = (0usize, 0);
        loop {
            let byte = self.bytes[self.pos];
            self.pos += 1;
            value |= usize::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return value;
            }
            shift += 7;
        }
    }
    fn blob(&mut self) -> &'a [u8] {
        let len = self.uleb();
        self.pos += len;
        &self.bytes[self.pos - len..self.pos]
    }
    fn skip(&mut self, n: usize) {
        self.pos += n;
    }
    fn option_any(&mut self) {
        for _ in 0..self.uleb() {
            self.blob();
            self.blob();
        }
    }
    /// (package name, [(module name, code)]) for every package.
    fn packages(&mut self) -> Vec<SkimmedPackage<'a>> {
        let mut out = Vec::new();
        for _ in 0..self.uleb() {
            let name = String::from_utf8(self.blob().to_vec()).unwrap();
            self.skip(1 + 8);
            self.blob(); // digest
            self.blob(); // manifest
            let mut names = Vec::new();
            for _ in 0..self.uleb() {
                names.push(String::from_utf8(self.blob().to_vec()).unwrap());
                self.blob();
                self.blob();
                self.option_any();
            }
            for _ in 0..self.uleb() {
                self.skip(32);
                self.blob();
            }
            self.option_any();
            let code: Vec<&[u8]> = (0..self.uleb()).map(|_| self.blob()).collect();
            assert_eq!(names.len(), code.len());
            out.push((name, names.into_iter().zip(code).collect()));
        }
        out
    }
}

#[test]
fn mainnet_json_report_matches_independent_hashes() {
    let Some(bytes) = libra_fixtures::read("libra/releases/mainnet.mrb") else {
        return;
    };
    let expected = Skim {
        bytes: &bytes,
        pos: 0,
    }
    .packages();
    let report = inspect::inspect_bundle(&bytes).unwrap();
    let json = report.to_json();

    assert!(json.is_object());
    assert_eq!(json["sha3_256"].as_str().unwrap(), sha3(&bytes));
    assert_eq!(json["size"].as_u64().unwrap(), 980765);
    let packages = json["packages"].as_array().unwrap();
    let counts: Vec<usize> = packages
        .iter()
        .map(|p| p["modules"].as_array().unwrap().len())
        .collect();
    assert_eq!(counts, [11, 29, 90]);

    let mut hashed = 0;
    for (package, (name, modules)) in packages.iter().zip(&expected) {
        assert_eq!(package["name"].as_str().unwrap(), name);
        assert_eq!(package["upgrade_policy"].as_str().unwrap(), "compatible");
        assert_eq!(package["upgrade_number"].as_u64().unwrap(), 0);
        assert_eq!(package["source_digest"].as_str().unwrap().len(), 64);
        for (module, (module_name, code)) in
            package["modules"].as_array().unwrap().iter().zip(modules)
        {
            assert_eq!(module["name"].as_str().unwrap(), module_name);
            assert_eq!(module["size"].as_u64().unwrap(), code.len() as u64);
            assert_eq!(module["sha3_256"].as_str().unwrap(), sha3(code));
            hashed += 1;
        }
    }
    assert_eq!(hashed, 130);

    let deps: Vec<Vec<(String, String)>> = packages
        .iter()
        .map(|p| {
            p["deps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    (
                        d["address"].as_str().unwrap().to_string(),
                        d["name"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .collect();
    let one = |n: &str| ("0x1".to_string(), n.to_string());
    assert_eq!(
        deps,
        [
            vec![],
            vec![one("MoveStdlib")],
            vec![one("MoveStdlib"), one("VendorStdlib")]
        ]
    );
    assert_eq!(
        packages[0]["source_digest"].as_str().unwrap(),
        "EA703233D8A337012611D539A149666DD112C69CF153F6493CFAD82C63A51123"
    );
    // The largest modules the format notes.
    let size_of = |p: usize, name: &str| {
        packages[p]["modules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap()["size"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(size_of(2, "multi_action"), 10600);
    assert_eq!(size_of(0, "features"), 2742);
    assert_eq!(size_of(1, "ristretto255"), 4586);
}

#[test]
fn table_lists_every_module_with_its_hash() {
    let Some(bytes) = libra_fixtures::read("libra/releases/mainnet.mrb") else {
        return;
    };
    let text = inspect::inspect_bundle(&bytes).unwrap().to_string();
    assert!(text.contains("3 packages, 130 modules"), "{text}");
    assert!(text.contains(&sha3(&bytes)));
    let bcs = &bytes[31985..31985 + 92];
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("bcs "))
        .unwrap();
    assert!(
        line.contains(" 92 ") && line.ends_with(&sha3(bcs)),
        "{line}"
    );
    assert!(text.contains("package VendorStdlib"));
    assert!(text.contains("deps            0x1::MoveStdlib, 0x1::VendorStdlib"));
}

#[test]
fn malformed_input_reports_offset() {
    let Some(bytes) = libra_fixtures::read("libra/releases/mainnet.mrb") else {
        return;
    };
    let err = inspect::inspect_bundle(&bytes[..1000]).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("byte"), "{message}");
    assert!(
        message.contains("packages[0].metadata.modules[1]"),
        "{message}"
    );
}
