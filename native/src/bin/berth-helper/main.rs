//! berth-helper: the single-threaded process that does what Node cannot do safely between fork
//! and exec. `berth-helper shim …` is the per-container monitor (see shim/); it forks the
//! container's init itself (init.rs). `berth-helper init-reaper -- CMD…` is the `--init` process
//! inside a container (reaper.rs), bound in read-only at /sbin/docker-init.

mod caps;
mod clock;
mod console;
mod error;
mod exit;
mod init;
mod jsonlog;
mod logfile;
mod memfd;
mod mountopts;
mod mounts;
mod pin;
mod process;
mod reaper;
mod resolve;
mod rootfs;
mod seccomp;
mod shim;
mod spec;
mod sync;
mod sys;

use std::process::ExitCode;

const USAGE: &str = "usage: berth-helper --version\n       berth-helper shim --id ID --bundle DIR --state DIR [--log FILE] [--linger SECONDS]\n       berth-helper init-reaper -- CMD [ARG...]";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().collect();
    // Bound in as /sbin/docker-init, it is run as `docker-init -- CMD…`, as Docker runs tini.
    if args.first().is_some_and(|a| a.rsplit('/').next() == Some("docker-init")) {
        args[0] = "init-reaper".into();
    } else if !args.is_empty() {
        args.remove(0);
    }
    match args.first().map(String::as_str) {
        Some("--version") if args.len() == 1 => {
            println!("berth-helper {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("shim") => shim_main(&args[1..]),
        Some("init-reaper") => match reaper::parse_args(&args[1..]) {
            Ok(argv) => ExitCode::from(reaper::run(&argv) as u8),
            Err(e) => {
                eprintln!("{e}\n{USAGE}");
                ExitCode::from(2)
            }
        },
        _ => usage(),
    }
}

fn shim_main(args: &[String]) -> ExitCode {
    let parsed = match shim::parse_args(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("berth-helper shim: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // The daemon's open files (its database's, say) arrive here without close-on-exec; a shim
    // outlives the daemon and must hold none of them. It is handed only stdio (and, run from the
    // daemon's sealed copy, that copy as fd 3, which the running image no longer needs).
    unsafe { libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32) };
    if let Err(e) = memfd::reexec_sealed() {
        eprintln!("{e}");
        return ExitCode::from(1);
    }
    // Run from /proc/self/fd/3 the process would be called "3" in ps and top.
    unsafe { libc::prctl(libc::PR_SET_NAME, c"berth-shim".as_ptr()) };
    ExitCode::from(shim::run(&parsed) as u8)
}

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    // 2, as getopt-style tools exit on bad usage.
    ExitCode::from(2)
}
