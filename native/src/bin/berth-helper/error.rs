//! The helper's error: the operation and its object, then why, crun style
//! (`mount proc to /proc: Operation not permitted`). It travels from the init to the shim and on
//! to the daemon as that one line, so it must say everything on its own.

use std::ffi::CStr;
use std::fmt;

/// A failed step of container setup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What was being done, naming the object: `mount proc to /proc`.
    pub op: String,
    /// The errno, when a syscall failed.
    pub errno: Option<i32>,
    /// Why, when there is no errno (a bad value in the spec).
    pub detail: Option<String>,
}

/// The helper's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A syscall failure with the errno read right now.
    pub fn last(op: impl Into<String>) -> Self {
        Self::errno(op, std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO))
    }

    /// A syscall failure with a known errno.
    pub fn errno(op: impl Into<String>, errno: i32) -> Self {
        Error { op: op.into(), errno: Some(errno), detail: None }
    }

    /// A failure that is not a syscall's.
    pub fn msg(op: impl Into<String>, detail: impl Into<String>) -> Self {
        Error { op: op.into(), errno: None, detail: Some(detail.into()) }
    }

    /// A complete message relayed from elsewhere.
    pub fn relayed(message: impl Into<String>) -> Self {
        Error { op: message.into(), errno: None, detail: None }
    }

    /// From an io::Error (errno kept when it has one).
    pub fn io(op: impl Into<String>, e: &std::io::Error) -> Self {
        match e.raw_os_error() {
            Some(n) => Self::errno(op, n),
            None => Self::msg(op, e.to_string()),
        }
    }
}

/// libc's description of an errno ("No such file or directory").
pub fn strerror(errno: i32) -> String {
    let mut buf = [0 as libc::c_char; 128];
    // SAFETY: the XSI strerror_r (libc's default on glibc for Rust) writes a NUL-terminated string.
    let rc = unsafe { libc::strerror_r(errno, buf.as_mut_ptr(), buf.len()) };
    if rc != 0 {
        return format!("errno {errno}");
    }
    unsafe { CStr::from_ptr(buf.as_ptr()) }.to_string_lossy().into_owned()
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.errno, &self.detail) {
            (Some(n), Some(d)) => write!(f, "{}: {} ({d})", self.op, strerror(*n)),
            (Some(n), None) => write!(f, "{}: {}", self.op, strerror(*n)),
            (None, Some(d)) => write!(f, "{}: {d}", self.op),
            // A message relayed whole (from the init, over the sync channel).
            (None, None) => write!(f, "{}", self.op),
        }
    }
}

/// Turns a libc return value (-1 on failure) into a Result naming the operation lazily.
pub fn check(rc: libc::c_int, op: impl FnOnce() -> String) -> Result<libc::c_int> {
    if rc < 0 {
        Err(Error::last(op()))
    } else {
        Ok(rc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_operation_object_and_reason() {
        assert_eq!(Error::errno("mount proc to /proc", libc::EPERM).to_string(), "mount proc to /proc: Operation not permitted");
        assert_eq!(Error::errno("exec \"nosuch\"", libc::ENOENT).to_string(), "exec \"nosuch\": No such file or directory");
        assert_eq!(Error::msg("capability CAP_X", "unknown").to_string(), "capability CAP_X: unknown");
    }
}
