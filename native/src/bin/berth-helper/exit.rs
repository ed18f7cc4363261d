//! How a container ended: the wait status mapped to Docker's exit code, and exit.json, written
//! atomically (temp file + rename) so a restarted daemon never reads half a record.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// STATE/exit.json.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExitRecord {
    /// The exit code, or 128 + the signal when a signal killed it (as Docker reports it).
    pub exit_code: i32,
    /// The signal that killed it, if one did.
    pub signal: Option<i32>,
    /// Whether the kernel's OOM killer struck in the container's memory cgroup.
    pub oom_killed: bool,
    /// RFC 3339 time of the exit.
    pub finished_at: String,
}

/// (exit code, killing signal) of a waitpid status.
pub fn from_wait_status(status: libc::c_int) -> (i32, Option<i32>) {
    if libc::WIFSIGNALED(status) {
        let sig = libc::WTERMSIG(status);
        (128 + sig, Some(sig))
    } else {
        (libc::WEXITSTATUS(status), None)
    }
}

/// The exit.json path inside a state directory.
pub fn path(state: &Path) -> std::path::PathBuf {
    state.join("exit.json")
}

/// Writes exit.json atomically: a sibling temp file, fsync, rename.
pub fn write(state: &Path, rec: &ExitRecord) -> Result<()> {
    let target = path(state);
    let tmp = state.join(".exit.json.tmp");
    let text = serde_json::to_string(rec).map_err(|e| Error::msg("encode exit.json", e.to_string()))?;
    let shown = tmp.display().to_string();
    let mut f = std::fs::File::create(&tmp).map_err(|e| Error::io(format!("create {shown}"), &e))?;
    f.write_all(text.as_bytes()).map_err(|e| Error::io(format!("write {shown}"), &e))?;
    f.sync_all().map_err(|e| Error::io(format!("fsync {shown}"), &e))?;
    std::fs::rename(&tmp, &target).map_err(|e| Error::io(format!("rename {shown} to {}", target.display()), &e))
}

/// Reads exit.json, if the container has exited.
pub fn read(state: &Path) -> Option<ExitRecord> {
    let text = std::fs::read_to_string(path(state)).ok()?;
    serde_json::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Wait statuses as the kernel encodes them: exit code in bits 8-15, signal in bits 0-6.
    fn exited(code: i32) -> i32 {
        code << 8
    }
    fn signaled(sig: i32) -> i32 {
        sig
    }

    #[test]
    fn exit_codes_pass_through() {
        assert_eq!(from_wait_status(exited(0)), (0, None));
        assert_eq!(from_wait_status(exited(3)), (3, None));
        assert_eq!(from_wait_status(exited(255)), (255, None));
    }

    #[test]
    fn signals_become_128_plus_n() {
        assert_eq!(from_wait_status(signaled(libc::SIGTERM)), (143, Some(15)));
        assert_eq!(from_wait_status(signaled(libc::SIGKILL)), (137, Some(9)));
        // A core dump sets bit 7 and keeps the signal.
        assert_eq!(from_wait_status(signaled(libc::SIGSEGV) | 0x80), (139, Some(11)));
    }

    #[test]
    fn exit_json_round_trips_with_docker_field_names() {
        let dir = tempfile::tempdir().unwrap();
        let rec = ExitRecord { exit_code: 143, signal: Some(15), oom_killed: false, finished_at: "2024-01-02T03:04:05.5Z".into() };
        write(dir.path(), &rec).unwrap();
        let text = std::fs::read_to_string(path(dir.path())).unwrap();
        assert!(text.contains("\"exitCode\":143") && text.contains("\"oomKilled\":false") && text.contains("\"finishedAt\""));
        assert_eq!(read(dir.path()), Some(rec));
        assert!(!dir.path().join(".exit.json.tmp").exists());
    }
}
