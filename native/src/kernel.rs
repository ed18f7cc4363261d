//! The seam between probing logic and the host: every syscall or file read the probe does goes
//! through [`KernelSource`], so unit tests run the same logic against canned files.

use std::fs::File;
use std::io::{self, Read};

use crate::error::SysError;

#[cfg(test)]
pub mod fake;

/// The two `uname(2)` fields berth reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uname {
    /// `uname -r`, e.g. "6.1.0-18-amd64".
    pub release: String,
    /// `uname -m`, e.g. "x86_64".
    pub machine: String,
}

/// Read-only access to the kernel facts the probe needs.
pub trait KernelSource {
    /// `uname(2)`.
    fn uname(&self) -> Result<Uname, SysError>;
    /// A whole (small, procfs/sysfs) file as UTF-8.
    fn read_file(&self, path: &str) -> Result<String, SysError>;
    /// Whether `path` exists, without following a final symlink; ENOENT/ENOTDIR mean "no".
    fn path_exists(&self, path: &str) -> Result<bool, SysError>;
    /// Online CPUs, counted the way Node's `os.cpus()` counts them.
    fn online_cpus(&self) -> Result<u32, SysError>;
}

/// The real host, through libc and std.
pub struct HostKernel;

impl KernelSource for HostKernel {
    fn uname(&self) -> Result<Uname, SysError> {
        // SAFETY: utsname is plain old data; uname fills it or fails.
        let mut buf: libc::utsname = unsafe { std::mem::zeroed() };
        if unsafe { libc::uname(&mut buf) } != 0 {
            return Err(SysError::last("uname", None));
        }
        Ok(Uname {
            release: c_field(&buf.release),
            machine: c_field(&buf.machine),
        })
    }

    fn read_file(&self, path: &str) -> Result<String, SysError> {
        let mut file = File::open(path).map_err(|e| SysError::from_io("open", Some(path), &e))?;
        let mut text = String::new();
        file.read_to_string(&mut text)
            .map_err(|e| SysError::from_io("read", Some(path), &e))?;
        Ok(text)
    }

    fn path_exists(&self, path: &str) -> Result<bool, SysError> {
        match std::fs::symlink_metadata(path) {
            Ok(_) => Ok(true),
            Err(e) if is_absent(&e) => Ok(false),
            Err(e) => Err(SysError::from_io("lstat", Some(path), &e)),
        }
    }

    fn online_cpus(&self) -> Result<u32, SysError> {
        // libuv (os.cpus) lists online CPUs; sysconf counts the same set.
        let n = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
        if n < 1 {
            return Err(SysError::last("sysconf", None));
        }
        Ok(n as u32)
    }
}

fn is_absent(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ENOENT) | Some(libc::ENOTDIR))
}

/// A NUL-terminated utsname field as a String (lossy: the kernel only writes ASCII here).
fn c_field(field: &[libc::c_char]) -> String {
    let bytes: Vec<u8> = field.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}
