//! An in-memory [`KernelSource`] for unit tests: files are a map, everything else is a field.

use std::collections::HashMap;

use super::{KernelSource, Uname};
use crate::error::SysError;

/// Canned kernel facts; a missing file answers ENOENT like the real one.
pub struct FakeKernel {
    pub uname: Uname,
    pub files: HashMap<String, String>,
    pub cpus: u32,
}

impl FakeKernel {
    /// A fake with the given files and fixed uname/cpu answers.
    pub fn with_files(files: &[(&str, &str)]) -> Self {
        FakeKernel {
            uname: Uname {
                release: "6.1.0-test".into(),
                machine: "x86_64".into(),
            },
            files: files.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect(),
            cpus: 4,
        }
    }
}

fn enoent(syscall: &'static str, path: &str) -> SysError {
    SysError::from_io(syscall, Some(path), &std::io::Error::from_raw_os_error(libc::ENOENT))
}

impl KernelSource for FakeKernel {
    fn uname(&self) -> Result<Uname, SysError> {
        Ok(self.uname.clone())
    }

    fn read_file(&self, path: &str) -> Result<String, SysError> {
        self.files.get(path).cloned().ok_or_else(|| enoent("open", path))
    }

    fn path_exists(&self, path: &str) -> Result<bool, SysError> {
        Ok(self.files.contains_key(path))
    }

    fn online_cpus(&self) -> Result<u32, SysError> {
        Ok(self.cpus)
    }
}
