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

/// The syscalls that give a process its identity, so their order is unit-tested.
pub trait IdentitySys: CapSys {
    /// setrlimit(2).
    fn setrlimit(&mut self, r: &Rlimit) -> Result<()>;
    /// prctl(PR_SET_KEEPCAPS).
    fn keep_caps(&mut self, on: bool) -> Result<()>;
    /// setgroups(2).
    fn setgroups(&mut self, gids: &[u32]) -> Result<()>;
    /// setresgid(2) with one gid for all three.
    fn setgid(&mut self, gid: u32) -> Result<()>;
    /// setresuid(2) with one uid for all three.
    fn setuid(&mut self, uid: u32) -> Result<()>;
    /// umask(2).
    fn umask(&mut self, mask: u32);
    /// prctl(PR_SET_NO_NEW_PRIVS).
    fn no_new_privs(&mut self) -> Result<()>;
}

/// Rlimits, then the capability bounding set (both still need privileges), then credentials
/// with the capabilities kept across the uid change, then the final sets, umask, no_new_privs.
pub fn apply_identity_with(sys: &mut dyn IdentitySys, p: &Process) -> Result<()> {
    for r in &p.rlimits {
        sys.setrlimit(r)?;
    }
    let sets = Sets::from_spec(p.capabilities.as_ref())?;
    caps::apply_bounding(sys, &sets)?;
    sys.keep_caps(true)?;
    sys.setgroups(&p.user.additional_gids)?;
    sys.setgid(p.user.gid)?;
    sys.setuid(p.user.uid)?;
    sys.keep_caps(false)?;
    caps::apply_final(sys, &sets)?;
    if let Some(mask) = p.user.umask {
        sys.umask(mask);
    }
    if p.no_new_privileges {
        sys.no_new_privs()?;
    }
    Ok(())
}

/// [`apply_identity_with`] on the real process.
pub fn apply_identity(p: &Process) -> Result<()> {
    apply_identity_with(&mut HostIdentity, p)
}

/// The real identity syscalls.
pub struct HostIdentity;

impl CapSys for HostIdentity {
    fn last_cap(&self) -> u32 {
        caps::HostCaps.last_cap()
    }
    fn drop_bounding(&mut self, cap: u32) -> Result<()> {
        caps::HostCaps.drop_bounding(cap)
    }
    fn capset(&mut self, e: caps::CapSet, p: caps::CapSet, i: caps::CapSet) -> Result<()> {
        caps::HostCaps.capset(e, p, i)
    }
    fn raise_ambient(&mut self, cap: u32) -> Result<()> {
        caps::HostCaps.raise_ambient(cap)
    }
}

impl IdentitySys for HostIdentity {
    fn setrlimit(&mut self, r: &Rlimit) -> Result<()> {
        let res = rlimit_resource(&r.kind).ok_or_else(|| Error::msg(format!("rlimit {}", r.kind), "unknown limit"))?;
        let lim = libc::rlimit { rlim_cur: r.soft, rlim_max: r.hard };
        check(unsafe { libc::setrlimit(res, &lim) }, || format!("setrlimit {} {}:{}", r.kind, r.soft, r.hard)).map(|_| ())
    }
    fn keep_caps(&mut self, on: bool) -> Result<()> {
        check(unsafe { libc::prctl(libc::PR_SET_KEEPCAPS, libc::c_ulong::from(on), 0, 0, 0) }, || "keep capabilities".into()).map(|_| ())
    }
    fn setgroups(&mut self, gids: &[u32]) -> Result<()> {
        check(unsafe { libc::setgroups(gids.len(), gids.as_ptr()) }, || format!("setgroups {gids:?}")).map(|_| ())
    }
    fn setgid(&mut self, gid: u32) -> Result<()> {
        check(unsafe { libc::setresgid(gid, gid, gid) }, || format!("setgid {gid}")).map(|_| ())
    }
    fn setuid(&mut self, uid: u32) -> Result<()> {
        check(unsafe { libc::setresuid(uid, uid, uid) }, || format!("setuid {uid}")).map(|_| ())
    }
    fn umask(&mut self, mask: u32) {
        unsafe { libc::umask(mask as libc::mode_t) };
    }
    fn no_new_privs(&mut self) -> Result<()> {
        check(unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) }, || "set no_new_privs".into()).map(|_| ())
    }
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
    let arg0 = &p.args[0];
    let file = match find_executable(arg0, &p.env, &host_is_exec) {
        Ok(f) => f,
        Err(e) => return e.at_exec(arg0),
    };
    let to_c = |v: &[String]| v.iter().map(|s| cstr(s)).collect::<Result<Vec<CString>>>();
    let (args, env, path) = match (to_c(&p.args), to_c(&p.env), cpath(&file)) {
        (Ok(a), Ok(e), Ok(f)) => (a, e, f),
        _ => return Error::errno(format!("exec {arg0:?}"), libc::EINVAL).at_exec(arg0),
    };
    let argv: Vec<*const libc::c_char> = args.iter().map(|a| a.as_ptr()).chain([std::ptr::null()]).collect();
    let envp: Vec<*const libc::c_char> = env.iter().map(|e| e.as_ptr()).chain([std::ptr::null()]).collect();
    unsafe { libc::execve(path.as_ptr(), argv.as_ptr(), envp.as_ptr()) };
    Error::last(format!("exec {arg0:?}")).at_exec(arg0)
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

    #[derive(Default)]
    struct Fake(Vec<String>);

    impl CapSys for Fake {
        fn last_cap(&self) -> u32 {
            2
        }
        fn drop_bounding(&mut self, cap: u32) -> Result<()> {
            self.0.push(format!("drop {cap}"));
            Ok(())
        }
        fn capset(&mut self, e: caps::CapSet, _: caps::CapSet, _: caps::CapSet) -> Result<()> {
            self.0.push(format!("capset {e:x}"));
            Ok(())
        }
        fn raise_ambient(&mut self, cap: u32) -> Result<()> {
            self.0.push(format!("ambient {cap}"));
            Ok(())
        }
    }

    impl IdentitySys for Fake {
        fn setrlimit(&mut self, r: &Rlimit) -> Result<()> {
            self.0.push(format!("rlimit {}", r.kind));
            Ok(())
        }
        fn keep_caps(&mut self, on: bool) -> Result<()> {
            self.0.push(format!("keepcaps {on}"));
            Ok(())
        }
        fn setgroups(&mut self, g: &[u32]) -> Result<()> {
            self.0.push(format!("groups {g:?}"));
            Ok(())
        }
        fn setgid(&mut self, g: u32) -> Result<()> {
            self.0.push(format!("gid {g}"));
            Ok(())
        }
        fn setuid(&mut self, u: u32) -> Result<()> {
            self.0.push(format!("uid {u}"));
            Ok(())
        }
        fn umask(&mut self, m: u32) {
            self.0.push(format!("umask {m:o}"));
        }
        fn no_new_privs(&mut self) -> Result<()> {
            self.0.push("nnp".into());
            Ok(())
        }
    }

    #[test]
    fn identity_is_applied_in_a_safe_order() {
        let p: Process = serde_json::from_str(
            r#"{"args":["sh"],"user":{"uid":1000,"gid":1001,"additionalGids":[5],"umask":63},
            "rlimits":[{"type":"RLIMIT_NOFILE","hard":10,"soft":10}],"noNewPrivileges":true,
            "capabilities":{"bounding":["CAP_CHOWN"],"effective":["CAP_CHOWN"],"permitted":["CAP_CHOWN"]}}"#,
        )
        .unwrap();
        let mut f = Fake::default();
        apply_identity_with(&mut f, &p).unwrap();
        let want = ["rlimit RLIMIT_NOFILE", "drop 1", "drop 2", "keepcaps true", "groups [5]", "gid 1001", "uid 1000", "keepcaps false", "capset 1", "umask 77", "nnp"];
        assert_eq!(f.0, want);
    }

    #[test]
    fn rlimit_names() {
        assert_eq!(rlimit_resource("RLIMIT_NOFILE"), Some(libc::RLIMIT_NOFILE));
        assert_eq!(rlimit_resource("RLIMIT_NPROC"), Some(libc::RLIMIT_NPROC));
        assert_eq!(rlimit_resource("NOFILE"), None);
    }
}
