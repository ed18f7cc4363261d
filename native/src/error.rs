//! Errors that cross into JS. A failed syscall becomes an object shaped like Node's SystemError
//! (`code`, `errno`, `syscall`, `path`), so TS code handles native and `fs` failures the same way.
//! Data the kernel gave us but we could not understand becomes a plain Error with a berth code.

use std::fmt;
use std::io;

mod errno;

/// A syscall that failed, with the operation berth was doing and the object it was touching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SysError {
    /// What berth was doing, e.g. "kernel probe"; the message starts with it.
    pub operation: String,
    /// The syscall that failed, named as Node names them ("open", "read", "uname").
    pub syscall: &'static str,
    /// The file the syscall was about, when there was one.
    pub path: Option<String>,
    /// The positive errno the kernel returned.
    pub errno: i32,
    /// Why, when the errno alone would mislead (e.g. which limit an E2BIG broke); shown after the path.
    pub detail: Option<String>,
}

/// Kernel-provided data that did not have the shape we expect (a file without a needed field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError {
    pub operation: String,
    pub path: String,
    pub detail: String,
}

/// An argument refused before any syscall (a bad cgroup path, a limit out of range).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgError {
    pub operation: String,
    /// The argument's JS name, e.g. "path" or "resources.blkioWeight".
    pub name: String,
    pub detail: String,
}

/// Every error a native export can raise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NativeError {
    Sys(SysError),
    Data(DataError),
    Arg(ArgError),
}

/// The `code` JS sees on a [`DataError`]; Node's own non-syscall codes use the ERR_ prefix too.
pub const DATA_ERROR_CODE: &str = "ERR_BERTH_KERNEL_DATA";
/// The `code` JS sees on an [`ArgError`]: the one Node itself uses for a bad argument value.
pub const ARG_ERROR_CODE: &str = "ERR_INVALID_ARG_VALUE";

impl ArgError {
    /// An argument error whose operation is filled in later by [`NativeError::during`].
    pub fn new(name: &str, detail: impl Into<String>) -> Self {
        ArgError {
            operation: String::new(),
            name: name.into(),
            detail: detail.into(),
        }
    }
}

impl SysError {
    /// Wraps an `io::Error` from `syscall`; errors without an errno (bad UTF-8) count as EINVAL.
    pub fn from_io(syscall: &'static str, path: Option<&str>, err: &io::Error) -> Self {
        SysError {
            operation: String::new(),
            syscall,
            path: path.map(str::to_owned),
            errno: err.raw_os_error().unwrap_or(libc::EINVAL),
            detail: None,
        }
    }

    /// An error with a known errno, e.g. one berth raises itself before the kernel would.
    pub fn with_errno(syscall: &'static str, path: Option<&str>, errno: i32) -> Self {
        SysError {
            operation: String::new(),
            syscall,
            path: path.map(str::to_owned),
            errno,
            detail: None,
        }
    }

    /// Names the object when the syscall had none of its own (an fd-based call).
    pub fn or_path(mut self, path: &str) -> Self {
        self.path.get_or_insert_with(|| path.to_owned());
        self
    }

    /// Adds the explanation shown after the path.
    pub fn explained(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Captures errno right after a libc call returned failure.
    pub fn last(syscall: &'static str, path: Option<&str>) -> Self {
        Self::from_io(syscall, path, &io::Error::last_os_error())
    }

    /// The errno's symbolic name, e.g. "ENOENT".
    pub fn code(&self) -> &'static str {
        errno::name(self.errno)
    }
}

impl NativeError {
    /// Names the operation in progress; lower layers do not know it.
    pub fn during(self, operation: &str) -> Self {
        match self {
            NativeError::Sys(e) => NativeError::Sys(SysError {
                operation: operation.into(),
                ..e
            }),
            NativeError::Data(e) => NativeError::Data(DataError {
                operation: operation.into(),
                ..e
            }),
            NativeError::Arg(e) => NativeError::Arg(ArgError {
                operation: operation.into(),
                ..e
            }),
        }
    }

    /// The value of the JS `code` property.
    pub fn code(&self) -> &'static str {
        match self {
            NativeError::Sys(e) => e.code(),
            NativeError::Data(_) => DATA_ERROR_CODE,
            NativeError::Arg(_) => ARG_ERROR_CODE,
        }
    }
}

impl From<SysError> for NativeError {
    fn from(e: SysError) -> Self {
        NativeError::Sys(e)
    }
}

impl From<DataError> for NativeError {
    fn from(e: DataError) -> Self {
        NativeError::Data(e)
    }
}

impl From<ArgError> for NativeError {
    fn from(e: ArgError) -> Self {
        NativeError::Arg(e)
    }
}

fn operation_prefix(operation: &str) -> String {
    if operation.is_empty() {
        String::new()
    } else {
        format!("{operation} failed: ")
    }
}

impl fmt::Display for SysError {
    /// Node's layout ("ENOENT: no such file or directory, open '/x'") after the operation.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let desc = errno::description(self.errno);
        write!(
            f,
            "{}{}: {}, {}",
            operation_prefix(&self.operation),
            self.code(),
            desc,
            self.syscall
        )?;
        if let Some(path) = &self.path {
            write!(f, " '{path}'")?;
        }
        match &self.detail {
            Some(detail) => write!(f, " ({detail})"),
            None => Ok(()),
        }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}unexpected content in '{}': {}",
            operation_prefix(&self.operation),
            self.path,
            self.detail
        )
    }
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}invalid {}: {}",
            operation_prefix(&self.operation),
            self.name,
            self.detail
        )
    }
}

impl fmt::Display for NativeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NativeError::Sys(e) => e.fmt(f),
            NativeError::Data(e) => e.fmt(f),
            NativeError::Arg(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for NativeError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn enoent() -> SysError {
        let err = io::Error::from_raw_os_error(libc::ENOENT);
        SysError::from_io("open", Some("/proc/self/mountinfo"), &err)
    }

    #[test]
    fn sys_error_message_names_operation_syscall_and_path() {
        let e = NativeError::from(enoent()).during("kernel probe");
        assert_eq!(e.code(), "ENOENT");
        assert_eq!(
            e.to_string(),
            "kernel probe failed: ENOENT: no such file or directory, open '/proc/self/mountinfo'"
        );
    }

    #[test]
    fn sys_error_detail_follows_the_path() {
        let e = NativeError::from(SysError::with_errno("mount", Some("/m"), libc::E2BIG).explained("5000 bytes"))
            .during("overlay mount on '/m'");
        assert_eq!(
            e.to_string(),
            "overlay mount on '/m' failed: E2BIG: argument list too long, mount '/m' (5000 bytes)"
        );
    }

    #[test]
    fn or_path_keeps_an_existing_path() {
        let e = SysError::with_errno("fsconfig", Some("/lower"), libc::ENOENT).or_path("/target");
        assert_eq!(e.path.as_deref(), Some("/lower"));
        let e = SysError::with_errno("fsmount", None, libc::EBUSY).or_path("/target");
        assert_eq!(e.path.as_deref(), Some("/target"));
    }

    #[test]
    fn arg_error_names_the_argument() {
        let e = NativeError::from(ArgError::new("path", "must be relative")).during("cgroup create");
        assert_eq!(e.code(), ARG_ERROR_CODE);
        assert_eq!(e.to_string(), "cgroup create failed: invalid path: must be relative");
    }

    #[test]
    fn io_error_without_errno_is_einval() {
        let err = io::Error::new(io::ErrorKind::InvalidData, "not utf-8");
        assert_eq!(SysError::from_io("read", None, &err).code(), "EINVAL");
    }

    #[test]
    fn data_error_message_names_the_file() {
        let e = NativeError::from(DataError {
            operation: String::new(),
            path: "/proc/meminfo".into(),
            detail: "no MemTotal line".into(),
        })
        .during("kernel probe");
        assert_eq!(e.code(), DATA_ERROR_CODE);
        assert_eq!(
            e.to_string(),
            "kernel probe failed: unexpected content in '/proc/meminfo': no MemTotal line"
        );
    }
}
