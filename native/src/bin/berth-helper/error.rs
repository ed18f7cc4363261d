//! The helper's error: the operation and its object, then why, crun style
//! (`mount proc to /proc: Operation not permitted`). It travels from the init to the shim and on
//! to the daemon as that one line, so it must say everything on its own. Beside the line travel the
//! errno and the step that failed (`Failure`), so the daemon decides Docker's exit codes (127 / 126)
//! from data, never from the wording.

use std::ffi::CStr;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Which step of starting a process failed: the daemon words and codes an `Exec` failure (the
/// user's command could not be run) as Docker does, and passes anything else on as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    /// Anything before the final execve: namespaces, mounts, identity, cwd.
    #[default]
    Setup,
    /// The final execve of the user's command, its lookup on PATH included.
    Exec,
}

/// An error as data, for the wire (sync channel, shim report, control answers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The whole message, as Display words it.
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errno: Option<i32>,
    #[serde(default)]
    pub step: Step,
    /// For the exec step: the command as given (args[0]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// A failed step of container setup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What was being done, naming the object: `mount proc to /proc`.
    pub op: String,
    /// The errno, when a syscall failed.
    pub errno: Option<i32>,
    /// Why, when there is no errno (a bad value in the spec).
    pub detail: Option<String>,
    /// The step that failed.
    pub step: Step,
    /// For the exec step: the command as given.
    pub path: Option<String>,
    /// `op` is a whole message relayed from elsewhere (the init): Display prints it as is.
    pub relayed: bool,
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
        Error { op: op.into(), errno: Some(errno), detail: None, step: Step::Setup, path: None, relayed: false }
    }

    /// A failure that is not a syscall's.
    pub fn msg(op: impl Into<String>, detail: impl Into<String>) -> Self {
        Error { op: op.into(), errno: None, detail: Some(detail.into()), step: Step::Setup, path: None, relayed: false }
    }

    /// A failure relayed from elsewhere (the init): its message whole, its errno and step kept.
    pub fn relayed(f: Failure) -> Self {
        Error { op: f.message, errno: f.errno, detail: None, step: f.step, path: f.path, relayed: true }
    }

    /// The same error, as a failure of the exec step running `arg0`.
    pub fn at_exec(self, arg0: &str) -> Self {
        Error { step: Step::Exec, path: Some(arg0.to_string()), ..self }
    }

    /// This error as data for the wire.
    pub fn failure(&self) -> Failure {
        Failure { message: self.to_string(), errno: self.errno, step: self.step, path: self.path.clone() }
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
        if self.relayed {
            return write!(f, "{}", self.op);
        }
        match (&self.errno, &self.detail) {
            (Some(n), Some(d)) => write!(f, "{}: {} ({d})", self.op, strerror(*n)),
            (Some(n), None) => write!(f, "{}: {}", self.op, strerror(*n)),
            (None, Some(d)) => write!(f, "{}: {d}", self.op),
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

    #[test]
    fn a_relayed_failure_keeps_its_words_errno_and_step() {
        let f = Error::errno("exec \"nosuch\"", libc::ENOENT).at_exec("nosuch").failure();
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(json, r#"{"message":"exec \"nosuch\": No such file or directory","errno":2,"step":"exec","path":"nosuch"}"#);
        let back = Error::relayed(serde_json::from_str(&json).unwrap());
        assert_eq!(back.to_string(), "exec \"nosuch\": No such file or directory");
        assert_eq!((back.errno, back.step, back.path.as_deref()), (Some(libc::ENOENT), Step::Exec, Some("nosuch")));
        let setup: Failure = serde_json::from_str(r#"{"message":"mount proc to /proc: x"}"#).unwrap();
        assert_eq!((setup.errno, setup.step), (None, Step::Setup));
    }
}
