//! The file operations a cgroup manager makes, behind [`CgroupFs`] so tests can script the kernel's
//! answers (EBUSY on rmdir, a freezer stuck in FREEZING) on top of a tmpdir.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::SysError;

/// Reads, writes and directories under a cgroup root.
pub trait CgroupFs {
    /// The whole file as text.
    fn read(&self, path: &Path) -> Result<String, SysError>;
    /// Writes `value` in one write(2) to an existing file (never creates one: a missing file
    /// means the controller is absent, and the error should say so).
    fn write(&self, path: &Path, value: &str) -> Result<(), SysError>;
    /// mkdir(2); EEXIST is returned, not hidden.
    fn mkdir(&self, path: &Path) -> Result<(), SysError>;
    /// rmdir(2).
    fn rmdir(&self, path: &Path) -> Result<(), SysError>;
    /// Whether `path` exists (lstat).
    fn exists(&self, path: &Path) -> Result<bool, SysError>;
    /// The subdirectories of `path` (child cgroups), in no particular order.
    fn subdirs(&self, path: &Path) -> Result<Vec<PathBuf>, SysError>;
    /// Sleeps between polls of a state file.
    fn pause(&self, time: Duration);
}

/// The real filesystem, through std.
pub struct HostFs;

fn show(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn sys(syscall: &'static str, path: &Path, e: &std::io::Error) -> SysError {
    SysError::from_io(syscall, Some(&show(path)), e)
}

impl CgroupFs for HostFs {
    fn read(&self, path: &Path) -> Result<String, SysError> {
        fs::read_to_string(path).map_err(|e| sys("open", path, &e))
    }

    fn write(&self, path: &Path, value: &str) -> Result<(), SysError> {
        // O_TRUNC as runc does: harmless on cgroupfs, and a tmpdir file then holds just `value`.
        let mut file = OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(path)
            .map_err(|e| sys("open", path, &e))?;
        file.write_all(value.as_bytes()).map_err(|e| sys("write", path, &e))
    }

    fn mkdir(&self, path: &Path) -> Result<(), SysError> {
        fs::create_dir(path).map_err(|e| sys("mkdir", path, &e))
    }

    fn rmdir(&self, path: &Path) -> Result<(), SysError> {
        fs::remove_dir(path).map_err(|e| sys("rmdir", path, &e))
    }

    fn exists(&self, path: &Path) -> Result<bool, SysError> {
        match fs::symlink_metadata(path) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(sys("lstat", path, &e)),
        }
    }

    fn subdirs(&self, path: &Path) -> Result<Vec<PathBuf>, SysError> {
        let entries = fs::read_dir(path).map_err(|e| sys("scandir", path, &e))?;
        let mut dirs = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| sys("scandir", path, &e))?;
            let kind = entry.file_type().map_err(|e| sys("lstat", &entry.path(), &e))?;
            if kind.is_dir() {
                dirs.push(entry.path());
            }
        }
        Ok(dirs)
    }

    fn pause(&self, time: Duration) {
        std::thread::sleep(time);
    }
}
