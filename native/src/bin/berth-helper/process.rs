//! The last steps before exec, in the container's init: rlimits, capabilities, credentials,
//! umask, no_new_privs, the cwd check and the exec itself.

use std::ffi::CString;
use std::path::{Path, PathBuf};

use crate::caps::{self, CapSys, Sets};
use crate::error::{check, Error, Result};
use crate::spec::{Process, Rlimit};
use crate::sys::{cpath, cstr};

/// PATH when the process environment has none (Docker's default).
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The resource number of an RLIMIT_ name.
pub fn rlimit_resource(name: &str) -> Option<libc::__rlimit_resource_t> {
    Some(match name {
        "RLIMIT_CPU" => libc::RLIMIT_CPU,
        "RLIMIT_FSIZE" => libc::RLIMIT_FSIZE,
        "RLIMIT_DATA" => libc::RLIMIT_DATA,
        "RLIMIT_STACK" => libc::RLIMIT_STACK,
        "RLIMIT_CORE" => libc::RLIMIT_CORE,
        "RLIMIT_RSS" => libc::RLIMIT_RSS,
        "RLIMIT_NPROC" => libc::RLIMIT_NPROC,
        "RLIMIT_NOFILE" => libc::RLIMIT_NOFILE,
        "RLIMIT_MEMLOCK" => libc::RLIMIT_MEMLOCK,
        "RLIMIT_AS" => libc::RLIMIT_AS,
        "RLIMIT_LOCKS" => libc::RLIMIT_LOCKS,
        "RLIMIT_SIGPENDING" => libc::RLIMIT_SIGPENDING,
        "RLIMIT_MSGQUEUE" => libc::RLIMIT_MSGQUEUE,
        "RLIMIT_NICE" => libc::RLIMIT_NICE,
        "RLIMIT_RTPRIO" => libc::RLIMIT_RTPRIO,
        "RLIMIT_RTTIME" => libc::RLIMIT_RTTIME,
        _ => return None,
    })
}

fn set_rlimit(r: &Rlimit) -> Result<()> {
    let res = rlimit_resource(&r.kind).ok_or_else(|| Error::msg(format!("rlimit {}", r.kind), "unknown limit"))?;
    let lim = libc::rlimit { rlim_cur: r.soft, rlim_max: r.hard };
    check(unsafe { libc::setrlimit(res, &lim) }, || format!("setrlimit {} {}:{}", r.kind, r.soft, r.hard)).map(|_| ())
}

/// Rlimits, then the capability bounding set (both still need privileges), then credentials
/// with the capabilities kept across the uid change, then the final sets, umask, no_new_privs.
pub fn apply_identity(p: &Process) -> Result<()> {
    for r in &p.rlimits {
        set_rlimit(r)?;
    }
    let sets = Sets::from_spec(p.capabilities.as_ref())?;
    let mut host = caps::HostCaps;
    caps::apply_bounding(&mut host, &sets)?;
    set_credentials(p)?;
    caps::apply_final(&mut host as &mut dyn CapSys, &sets)?;
    if let Some(mask) = p.user.umask {
        unsafe { libc::umask(mask as libc::mode_t) };
    }
    if p.no_new_privileges {
        check(unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) }, || "set no_new_privs".into())?;
    }
    Ok(())
}

fn set_credentials(p: &Process) -> Result<()> {
    let u = &p.user;
    check(unsafe { libc::prctl(libc::PR_SET_KEEPCAPS, 1, 0, 0, 0) }, || "keep capabilities".into())?;
    let groups: Vec<libc::gid_t> = u.additional_gids.clone();
    check(unsafe { libc::setgroups(groups.len(), groups.as_ptr()) }, || format!("setgroups {groups:?}"))?;
    check(unsafe { libc::setresgid(u.gid, u.gid, u.gid) }, || format!("setgid {}", u.gid))?;
    check(unsafe { libc::setresuid(u.uid, u.uid, u.uid) }, || format!("setuid {}", u.uid))?;
    check(unsafe { libc::prctl(libc::PR_SET_KEEPCAPS, 0, 0, 0, 0) }, || "clear keep capabilities".into()).map(|_| ())
}

/// chdir to the process cwd and make sure it is inside the container: a cwd reached through a
/// leaked host fd (CVE-2024-21626) reads as "(unreachable)/…" or fails in getcwd.
pub fn enter_cwd(cwd: &str) -> Result<()> {
    crate::sys::chdir(Path::new(cwd))?;
    let here = std::env::current_dir().map_err(|e| Error::io(format!("getcwd after chdir {cwd}"), &e))?;
    if !here.is_absolute() || here.starts_with("(unreachable)") {
        return Err(Error::msg(format!("chdir {cwd}"), "the working directory is outside the container"));
    }
    Ok(())
}

/// The file `arg0` names: as given when it has a slash, else the first executable on PATH.
pub fn find_executable(arg0: &str, env: &[String], is_exec: &dyn Fn(&Path) -> bool) -> Result<PathBuf> {
    if arg0.contains('/') {
        return Ok(PathBuf::from(arg0));
    }
    let path = env.iter().rev().find_map(|e| e.strip_prefix("PATH=")).unwrap_or(DEFAULT_PATH);
    path.split(':')
        .filter(|d| !d.is_empty())
        .map(|d| Path::new(d).join(arg0))
        .find(|p| is_exec(p))
        .ok_or_else(|| Error::errno(format!("exec {arg0:?}"), libc::ENOENT))
}

/// Whether a path is a regular file this process may execute.
pub fn host_is_exec(p: &Path) -> bool {
    let Ok(c) = cpath(p) else { return false };
    std::fs::metadata(p).map(|m| m.is_file()).unwrap_or(false) && unsafe { libc::access(c.as_ptr(), libc::X_OK) } == 0
}

/// Marks every fd above 2 close-on-exec, so nothing of the shim or the host reaches the
/// container (the sync socket included: its closing tells the shim the exec worked).
pub fn cloexec_all_fds() -> Result<()> {
    let rc = unsafe { libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, libc::CLOSE_RANGE_CLOEXEC) };
    check(rc as libc::c_int, || "close_range".into()).map(|_| ())
}

/// execve(2); returns only on failure, naming the program.
pub fn exec(p: &Process) -> Error {
    let file = match find_executable(&p.args[0], &p.env, &host_is_exec) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let to_c = |v: &[String]| v.iter().map(|s| cstr(s)).collect::<Result<Vec<CString>>>();
    let (args, env, path) = match (to_c(&p.args), to_c(&p.env), cpath(&file)) {
        (Ok(a), Ok(e), Ok(f)) => (a, e, f),
        _ => return Error::errno(format!("exec {:?}", p.args[0]), libc::EINVAL),
    };
    let argv: Vec<*const libc::c_char> = args.iter().map(|a| a.as_ptr()).chain([std::ptr::null()]).collect();
    let envp: Vec<*const libc::c_char> = env.iter().map(|e| e.as_ptr()).chain([std::ptr::null()]).collect();
    unsafe { libc::execve(path.as_ptr(), argv.as_ptr(), envp.as_ptr()) };
    Error::last(format!("exec {:?}", p.args[0]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executables_are_found_on_the_process_path() {
        let has = |p: &Path| p == Path::new("/bin/sh") || p == Path::new("/opt/x/tool");
        let env = vec!["PATH=/opt/x:/bin".to_string()];
        assert_eq!(find_executable("tool", &env, &has).unwrap(), PathBuf::from("/opt/x/tool"));
        assert_eq!(find_executable("sh", &[], &has).unwrap(), PathBuf::from("/bin/sh"));
        assert_eq!(find_executable("./rel", &[], &has).unwrap(), PathBuf::from("./rel"));
        let e = find_executable("nosuch", &env, &has).unwrap_err();
        assert_eq!(e.to_string(), "exec \"nosuch\": No such file or directory");
    }

    #[test]
    fn rlimit_names() {
        assert_eq!(rlimit_resource("RLIMIT_NOFILE"), Some(libc::RLIMIT_NOFILE));
        assert_eq!(rlimit_resource("RLIMIT_NPROC"), Some(libc::RLIMIT_NPROC));
        assert_eq!(rlimit_resource("NOFILE"), None);
    }
}
