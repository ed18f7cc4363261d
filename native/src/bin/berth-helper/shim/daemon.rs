//! Detaching the shim from the daemon: the process the daemon spawned forks, the child starts a
//! new session and forks the shim, which is then nobody's child but init's (or a subreaper's) and
//! survives the daemon. The spawned process stays until the shim reports on a pipe, prints that
//! report and exits: its exit status says whether the container was created.

use std::io::Write;

use crate::error::{Failure, Result};
use crate::sys;

/// The end the shim writes its one-line report to.
pub struct Ready {
    fd: libc::c_int,
}

impl Ready {
    /// Reports success or failure (see `report_line`) and closes the pipe.
    pub fn report(self, result: std::result::Result<String, Failure>) {
        let _ = sys::write_all(self.fd, report_line(&result).as_bytes());
        sys::close(self.fd);
    }
}

/// The one report line: `ok {json}` or `error {failure json}`, whose message, errno and step
/// the daemon reads (drivers/exec/spawn-shim.ts); the relay prints what follows the word.
pub fn report_line(result: &std::result::Result<String, Failure>) -> String {
    match result {
        Ok(json) => format!("ok {json}\n"),
        Err(f) => format!("error {}\n", serde_json::to_string(f).unwrap_or_else(|_| serde_json::json!({ "message": f.message }).to_string())),
    }
}

/// Forks twice. Returns in the shim only; the spawned process exits with the shim's report.
pub fn detach() -> Result<Ready> {
    let (r, w) = sys::pipe()?;
    let first = sys::fork()?;
    if first > 0 {
        sys::close(w);
        let mut status = 0;
        unsafe { libc::waitpid(first, &mut status, 0) };
        relay_report_and_exit(r);
    }
    sys::close(r);
    unsafe { libc::setsid() };
    if sys::fork()? > 0 {
        unsafe { libc::_exit(0) };
    }
    Ok(Ready { fd: w })
}

fn relay_report_and_exit(r: libc::c_int) -> ! {
    let mut text = Vec::new();
    let mut buf = [0u8; 4096];
    // One line, not end of file: the container's init still holds a copy of the pipe until it execs.
    while let Ok(n) = sys::read(r, &mut buf) {
        if n == 0 {
            break;
        }
        text.extend_from_slice(&buf[..n]);
        if text.contains(&b'\n') {
            break;
        }
    }
    let text = String::from_utf8_lossy(&text);
    let (code, out) = match text.trim_end().split_once(' ') {
        Some(("ok", json)) => (0, json.to_string()),
        Some(("error", msg)) => (1, msg.to_string()),
        _ => (1, "shim: exited before it reported".to_string()),
    };
    if code == 0 {
        let _ = writeln!(std::io::stdout(), "{out}");
    } else {
        let _ = writeln!(std::io::stderr(), "{out}");
    }
    let _ = std::io::stdout().flush();
    unsafe { libc::_exit(code) }
}

/// Points stdin and stdout at /dev/null and stderr at `log` (the daemon's pipes must close, or
/// it would wait for the shim's end of them).
pub fn quiet_stdio(log: &std::path::Path) -> Result<()> {
    let null = std::fs::OpenOptions::new().read(true).write(true).open("/dev/null").map_err(|e| crate::error::Error::io("open /dev/null", &e))?;
    let err = std::fs::OpenOptions::new().create(true).append(true).open(log).map_err(|e| crate::error::Error::io(format!("open {}", log.display()), &e))?;
    use std::os::fd::AsRawFd;
    sys::dup2(null.as_raw_fd(), 0)?;
    sys::dup2(null.as_raw_fd(), 1)?;
    sys::dup2(err.as_raw_fd(), 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn the_report_line_carries_errno_step_and_path() {
        let exec = Error::errno("exec \"nosuch\"", libc::ENOENT).at_exec("nosuch").failure();
        assert_eq!(
            report_line(&Err(exec)),
            "error {\"message\":\"exec \\\"nosuch\\\": No such file or directory\",\"errno\":2,\"step\":\"exec\",\"path\":\"nosuch\"}\n"
        );
        let setup = Error::msg("mount proc to /proc", "bad").failure();
        assert_eq!(report_line(&Err(setup)), "error {\"message\":\"mount proc to /proc: bad\",\"step\":\"setup\"}\n");
        assert_eq!(report_line(&Ok("{\"pid\":1}".into())), "ok {\"pid\":1}\n");
    }
}
