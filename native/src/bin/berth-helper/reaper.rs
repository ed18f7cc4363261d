//! `berth-helper init-reaper -- CMD ARGS…`: the container's init for `--init` (Docker's
//! /sbin/docker-init, tini). As PID 1 it runs the command as its child, forwards the signals it
//! gets to it, reaps every zombie reparented to it, and exits with the command's status (128 + n
//! when signal n killed it). Single-threaded: all signals are blocked and taken with sigtimedwait.

use std::ffi::CString;

/// Signals that are about this process itself (faults), never waited for or forwarded.
const SYNCHRONOUS: &[libc::c_int] = &[libc::SIGFPE, libc::SIGILL, libc::SIGSEGV, libc::SIGBUS, libc::SIGABRT, libc::SIGTRAP, libc::SIGSYS];

/// Parses `-- CMD ARGS…` (the `--` is optional, as tini's).
pub fn parse_args(args: &[String]) -> Result<Vec<CString>, String> {
    let cmd = match args.first().map(String::as_str) {
        Some("--") => &args[1..],
        _ => args,
    };
    if cmd.is_empty() {
        return Err("init-reaper: no command given".into());
    }
    cmd.iter().map(|a| CString::new(a.as_bytes()).map_err(|_| format!("init-reaper: argument {a:?} has a NUL byte"))).collect()
}

/// The exit code for a wait status: the code, or 128 + the signal.
pub fn exit_code(status: libc::c_int) -> i32 {
    if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else if libc::WIFSIGNALED(status) {
        128 + libc::WTERMSIG(status)
    } else {
        1
    }
}

fn blockable() -> libc::sigset_t {
    let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
    unsafe {
        libc::sigfillset(&mut set);
        for &s in SYNCHRONOUS {
            libc::sigdelset(&mut set, s);
        }
    }
    set
}

/// Runs the command under this init; returns the exit code to leave with.
pub fn run(argv: &[CString]) -> i32 {
    let set = blockable();
    let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
    // Blocked before the fork, so no signal slips between the fork and the wait loop; PID 1 has
    // no default actions, so a blocked signal is the only way to see SIGTERM at all.
    unsafe { libc::sigprocmask(libc::SIG_SETMASK, &set, &mut old) };
    let child = unsafe { libc::fork() };
    if child < 0 {
        eprintln!("init-reaper: fork: {}", std::io::Error::last_os_error());
        return 1;
    }
    if child == 0 {
        exec_child(argv, &old);
    }
    wait_loop(child, &set)
}

fn exec_child(argv: &[CString], old: &libc::sigset_t) -> ! {
    unsafe {
        // Its own process group, in the terminal's foreground (as tini): ^C reaches the command.
        libc::setpgid(0, 0);
        libc::tcsetpgrp(0, libc::getpgrp());
        libc::sigprocmask(libc::SIG_SETMASK, old, std::ptr::null_mut());
        let mut ptrs: Vec<*const libc::c_char> = argv.iter().map(|a| a.as_ptr()).collect();
        ptrs.push(std::ptr::null());
        libc::execvp(ptrs[0], ptrs.as_ptr());
    }
    let err = std::io::Error::last_os_error();
    eprintln!("init-reaper: exec {}: {err}", argv[0].to_string_lossy());
    // The shell's codes: 127 not found, 126 found but not runnable.
    let code = if err.raw_os_error() == Some(libc::ENOENT) { 127 } else { 126 };
    unsafe { libc::_exit(code) }
}

fn wait_loop(child: libc::pid_t, set: &libc::sigset_t) -> i32 {
    // A timeout, so a SIGCHLD merged with another or missed never leaves a zombie for long.
    let timeout = libc::timespec { tv_sec: 1, tv_nsec: 0 };
    loop {
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let sig = unsafe { libc::sigtimedwait(set, &mut info, &timeout) };
        if sig > 0 && sig != libc::SIGCHLD {
            unsafe { libc::kill(child, sig) };
        }
        if let Some(code) = reap(child) {
            // Whatever else ended meanwhile is reaped before PID 1 goes (and takes the rest with it).
            let _ = reap(0);
            return code;
        }
    }
}

/// Reaps every exited process; returns `child`'s exit code once it is among them.
fn reap(child: libc::pid_t) -> Option<i32> {
    let mut found = None;
    loop {
        let mut status = 0;
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
        if pid <= 0 {
            return found;
        }
        if pid == child {
            found = Some(exit_code(status));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn args_after_the_double_dash() {
        assert_eq!(parse_args(&v(&["--", "sleep", "1"])).unwrap(), vec![CString::new("sleep").unwrap(), CString::new("1").unwrap()]);
        assert_eq!(parse_args(&v(&["true"])).unwrap().len(), 1);
        assert!(parse_args(&v(&["--"])).is_err());
        assert!(parse_args(&[]).is_err());
    }

    #[test]
    fn exit_codes_pass_through() {
        assert_eq!(exit_code(3 << 8), 3);
        assert_eq!(exit_code(libc::SIGTERM), 128 + 15);
    }
}
