//! The json-file log on disk, rotated as dockerd's json-file driver does (`--log-opt max-size=…
//! max-file=…`): before an entry is written, a file that has reached max-size is renamed to
//! NAME.1 (NAME.1 to NAME.2, …, the oldest, NAME.<max-file - 1>, dropped) and a new NAME is
//! started. With max-file 1 the full file is unlinked instead (a reader holding it open finishes
//! it) and a new one started. The daemon passes the options as spec annotations.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Annotation: the log driver ("none": no log file at all).
pub const ANNOTATION_DRIVER: &str = "berth.log.driver";
/// Annotation: max-size in bytes (absent: no rotation).
pub const ANNOTATION_MAX_SIZE: &str = "berth.log.max-size";
/// Annotation: max-file, the number of files kept (the live one included; default 1).
pub const ANNOTATION_MAX_FILE: &str = "berth.log.max-file";

/// How the log is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    pub max_size: Option<u64>,
    pub max_file: u32,
}

impl Rotation {
    /// No rotation: one file that grows.
    pub const NONE: Rotation = Rotation { max_size: None, max_file: 1 };

    /// From the spec's annotations; None when the driver is `none` (no log). Values the daemon
    /// validated; anything unreadable means no rotation rather than no log.
    pub fn from_annotations(a: &BTreeMap<String, String>) -> Option<Rotation> {
        if a.get(ANNOTATION_DRIVER).is_some_and(|d| d == "none") {
            return None;
        }
        let max_size = a.get(ANNOTATION_MAX_SIZE).and_then(|v| v.parse().ok()).filter(|&n: &u64| n > 0);
        let max_file = a.get(ANNOTATION_MAX_FILE).and_then(|v| v.parse().ok()).filter(|&n: &u32| n >= 1).unwrap_or(1);
        Some(Rotation { max_size, max_file })
    }
}

/// An append-only log file that rotates.
pub struct RotatingFile {
    path: PathBuf,
    file: File,
    size: u64,
    rotation: Rotation,
}

fn open_append(path: &Path, truncate: bool) -> Result<File> {
    let mut o = std::fs::OpenOptions::new();
    o.create(true).mode(0o640);
    if truncate {
        o.write(true).truncate(true);
    } else {
        o.append(true);
    }
    o.open(path).map_err(|e| Error::io(format!("open log {}", path.display()), &e))
}

impl RotatingFile {
    /// Opens (appending to) the log; a restarted container goes on where its last run stopped.
    pub fn open(path: &Path, rotation: Rotation) -> Result<RotatingFile> {
        let file = open_append(path, false)?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        Ok(RotatingFile { path: path.to_path_buf(), file, size, rotation })
    }

    /// Writes one entry (a whole json line), rotating first when the file is full.
    pub fn write_entry(&mut self, line: &[u8]) -> Result<()> {
        if self.rotation.max_size.is_some_and(|max| self.size >= max) {
            self.rotate()?;
        }
        self.file.write_all(line).map_err(|e| Error::io(format!("write log {}", self.path.display()), &e))?;
        self.size += line.len() as u64;
        Ok(())
    }

    fn rotate(&mut self) -> Result<()> {
        let name = |i: u32| PathBuf::from(format!("{}.{i}", self.path.display()));
        let n = self.rotation.max_file;
        if n < 2 {
            let _ = std::fs::remove_file(&self.path);
        } else {
            let _ = std::fs::remove_file(name(n - 1));
            for i in (2..n).rev() {
                let _ = std::fs::rename(name(i - 1), name(i));
            }
            let _ = std::fs::rename(&self.path, name(1));
        }
        // Truncate anyway: if a rename failed, the log still stays within its size.
        self.file = open_append(&self.path, true)?;
        self.size = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(p: &Path) -> String {
        std::fs::read_to_string(p).unwrap_or_default()
    }

    fn annotations(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn options_from_annotations() {
        assert_eq!(Rotation::from_annotations(&annotations(&[])), Some(Rotation::NONE));
        assert_eq!(Rotation::from_annotations(&annotations(&[(ANNOTATION_DRIVER, "none")])), None);
        let r = Rotation::from_annotations(&annotations(&[(ANNOTATION_MAX_SIZE, "1000"), (ANNOTATION_MAX_FILE, "3")]));
        assert_eq!(r, Some(Rotation { max_size: Some(1000), max_file: 3 }));
        let bad = Rotation::from_annotations(&annotations(&[(ANNOTATION_MAX_SIZE, "x"), (ANNOTATION_MAX_FILE, "0")]));
        assert_eq!(bad, Some(Rotation::NONE));
    }

    #[test]
    fn rotates_into_numbered_files_and_drops_the_oldest() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("c-json.log");
        let mut f = RotatingFile::open(&log, Rotation { max_size: Some(10), max_file: 3 }).unwrap();
        for i in 0..7 {
            f.write_entry(format!("entry-{i}\n").as_bytes()).unwrap();
        }
        // Each entry is 8 bytes: a file takes two before it is full (16 >= 10).
        assert_eq!(read(&log), "entry-6\n");
        assert_eq!(read(&dir.path().join("c-json.log.1")), "entry-4\nentry-5\n");
        assert_eq!(read(&dir.path().join("c-json.log.2")), "entry-2\nentry-3\n");
        assert!(!dir.path().join("c-json.log.3").exists(), "max-file 3 keeps 3 files");
    }

    #[test]
    fn max_file_one_starts_over_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("c-json.log");
        let mut f = RotatingFile::open(&log, Rotation { max_size: Some(10), max_file: 1 }).unwrap();
        for i in 0..3 {
            f.write_entry(format!("entry-{i}\n").as_bytes()).unwrap();
        }
        assert_eq!(read(&log), "entry-2\n");
        assert!(!dir.path().join("c-json.log.1").exists());
    }

    #[test]
    fn no_max_size_never_rotates_and_reopening_appends() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("c-json.log");
        let mut f = RotatingFile::open(&log, Rotation::NONE).unwrap();
        f.write_entry(b"one\n").unwrap();
        drop(f);
        let mut f = RotatingFile::open(&log, Rotation { max_size: Some(6), max_file: 2 }).unwrap();
        f.write_entry(b"two\n").unwrap();
        f.write_entry(b"three\n").unwrap();
        assert_eq!(read(&dir.path().join("c-json.log.1")), "one\ntwo\n");
        assert_eq!(read(&log), "three\n");
    }
}
