//! Creating the container, in a child of the shim. Stage 1 joins the cgroups and the namespaces
//! given by path, creates the user namespace (the shim writes its maps) and the others, then
//! forks stage 2 as a sibling (CLONE_PARENT) so the shim is the real parent of the container's
//! init; in a new pid namespace stage 2 is PID 1. Stage 2 builds the rootfs, the console and the
//! identity, reports ready, waits for start, and execs. Failures travel back as one line.

use std::convert::Infallible;
use std::path::Path;

use crate::error::{check, Error, Result};
use crate::rootfs;
use crate::spec::{ns_flag, Spec};
use crate::sync::{Channel, Msg};
use crate::sys::{self, cstr, HostSys};

/// The fds the container's stdio starts as (pipes, /dev/null; a pty replaces them for a terminal).
#[derive(Debug, Clone, Copy)]
pub struct Stdio {
    pub stdin: libc::c_int,
    pub stdout: libc::c_int,
    pub stderr: libc::c_int,
}

/// Runs a forked child's work, which never returns on success (it exits or execs): its error
/// is sent on `chan`, then the child exits.
pub fn in_child(chan: &Channel, stdio: Stdio, body: impl FnOnce() -> Result<Infallible>) -> ! {
    let err = match wire_stdio(stdio).and_then(|_| body()) {
        Err(e) => e,
        Ok(never) => match never {},
    };
    let _ = chan.send(&Msg::Error(err.failure()), None);
    unsafe { libc::_exit(1) }
}

fn wire_stdio(s: Stdio) -> Result<()> {
    sys::dup2(s.stdin, 0)?;
    sys::dup2(s.stdout, 1)?;
    sys::dup2(s.stderr, 2)
}

/// Stage 1 of a new container (runs in the forked child; the chan is the init's end).
pub fn stage1(spec: &Spec, chan: &mut Channel) -> Result<Infallible> {
    if !shim_places_in_cgroups(spec) {
        join_cgroups(&spec.cgroup_procs())?;
    }
    join_namespaces(spec, None)?;
    let userns = spec.namespace("user").is_some_and(|n| n.path.is_none());
    if userns {
        check(unsafe { libc::unshare(libc::CLONE_NEWUSER) }, || "unshare user namespace".into())?;
        chan.send(&Msg::Userns, None)?;
        chan.expect("uid/gid maps")?;
        become_root()?;
    }
    let flags = new_namespace_flags(spec);
    check(unsafe { libc::unshare(flags) }, || format!("unshare namespaces {flags:#x}"))?;
    let pid = sys::fork_sibling()?;
    if pid == 0 {
        let err = stage2(spec, chan, userns);
        let _ = chan.send(&Msg::Error(err.failure()), None);
        unsafe { libc::_exit(crate::shim::exec::exec_failure_code(&err)) }
    }
    chan.send(&Msg::Pid { pid }, None)?;
    unsafe { libc::_exit(0) }
}

/// The clone flags of the namespaces the spec creates (no path), the user namespace aside.
pub fn new_namespace_flags(spec: &Spec) -> libc::c_int {
    spec.linux
        .namespaces
        .iter()
        .filter(|n| n.path.is_none() && n.kind != "user")
        .filter_map(|n| ns_flag(&n.kind))
        .fold(0, |acc, f| acc | f)
}

fn become_root() -> Result<()> {
    check(unsafe { libc::setresgid(0, 0, 0) }, || "setgid 0 in the user namespace".into())?;
    check(unsafe { libc::setresuid(0, 0, 0) }, || "setuid 0 in the user namespace".into()).map(|_| ())
}

/// Whether the shim moves the init into its cgroups (`place_in_cgroups`) while the init sets up its
/// rootfs, rather than stage 1 joining them first. On cgroup v1 the first move into a cgroup waits
/// out an RCU grace period (10-20 ms here); done by the shim it overlaps the mounts. Not with a new
/// cgroup namespace, whose root is the cgroup its creator is in at the time.
pub fn shim_places_in_cgroups(spec: &Spec) -> bool {
    !spec.namespace("cgroup").is_some_and(|n| n.path.is_none())
}

/// Writes `pid` to each cgroup.procs file (the shim, for the init it is creating).
pub fn place_in_cgroups(pid: i32, procs: &[String]) -> Result<()> {
    for p in procs {
        std::fs::write(p, pid.to_string()).map_err(|e| Error::io(format!("move the container's init to cgroup {p}"), &e))?;
    }
    Ok(())
}

/// Writes "0" (this process) to each cgroup.procs file.
pub fn join_cgroups(procs: &[String]) -> Result<()> {
    for p in procs {
        std::fs::write(p, "0").map_err(|e| Error::io(format!("join cgroup {p}"), &e))?;
    }
    Ok(())
}

/// setns into the namespaces the spec gives by path (user first, so it owns the rest); with
/// `pid_of` the paths come from that process instead (exec into a running container).
pub fn join_namespaces(spec: &Spec, pid_of: Option<i32>) -> Result<()> {
    let mut todo: Vec<(String, String)> = Vec::new();
    for n in &spec.linux.namespaces {
        let path = match (pid_of, &n.path) {
            (Some(pid), _) => format!("/proc/{pid}/ns/{}", crate::spec::ns_proc_name(&n.kind)),
            (None, Some(p)) => p.clone(),
            (None, None) => continue,
        };
        if pid_of.is_some() && same_namespace(&path, crate::spec::ns_proc_name(&n.kind)) {
            continue;
        }
        todo.push((n.kind.clone(), path));
    }
    todo.sort_by_key(|(k, _)| k != "user");
    // Open every file before the first setns: joining the mount namespace changes what paths mean.
    let mut fds = Vec::new();
    for (kind, path) in &todo {
        let c = cstr(path)?;
        let fd = check(unsafe { libc::open(c.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) }, || format!("open {path}"))?;
        fds.push((kind.clone(), path.clone(), fd));
    }
    for (kind, path, fd) in fds {
        let rc = unsafe { libc::setns(fd, ns_flag(&kind).unwrap_or(0)) };
        sys::close(fd);
        check(rc, || format!("join {kind} namespace {path}"))?;
    }
    Ok(())
}

fn same_namespace(path: &str, name: &str) -> bool {
    let ours = std::fs::read_link(format!("/proc/self/ns/{name}")).ok();
    ours.is_some() && ours == std::fs::read_link(path).ok()
}

/// Stage 2: the container's init until exec.
fn stage2(spec: &Spec, chan: &mut Channel, userns: bool) -> Error {
    match stage2_steps(spec, chan, userns) {
        Ok(e) | Err(e) => e,
    }
}

fn stage2_steps(spec: &Spec, chan: &mut Channel, userns: bool) -> Result<Error> {
    check(unsafe { libc::setsid() }, || "setsid".into())?;
    // Device nodes and mount targets must get exactly the modes asked for.
    unsafe { libc::umask(0o022) };
    rootfs::setup_before_pivot(&HostSys, spec, userns)?;
    if spec.process.terminal {
        crate::console::attach_new(chan, spec.process.console_size, true)?;
    }
    rootfs::setup_after_pivot(&HostSys, spec)?;
    set_hostname(spec)?;
    let filters = crate::seccomp::prepare(spec, spec.process.no_new_privileges)?;
    install_filters(&filters, true)?;
    crate::process::apply_identity(&spec.process)?;
    chan.send(&Msg::Ready, None)?;
    match chan.recv()? {
        Some(Msg::Start) => {}
        other => return Err(Error::msg("wait for start", format!("got {other:?}"))),
    }
    crate::process::enter_cwd(&spec.process.cwd)?;
    crate::process::cloexec_all_fds()?;
    install_filters(&filters, false)?;
    Ok(crate::process::exec(&spec.process))
}

/// Installs the seccomp filters at their moment (see seccomp::Prepared).
pub fn install_filters(filters: &Option<crate::seccomp::Prepared>, early: bool) -> Result<()> {
    filters.as_ref().map_or(Ok(()), |f| f.install_if(early))
}

fn set_hostname(spec: &Spec) -> Result<()> {
    let (Some(name), Some(ns)) = (&spec.hostname, spec.namespace("uts")) else { return Ok(()) };
    if ns.path.is_some() {
        return Ok(());
    }
    let rc = unsafe { libc::sethostname(name.as_ptr() as *const libc::c_char, name.len()) };
    check(rc, || format!("sethostname {name}")).map(|_| ())
}

/// Writes the user namespace maps of `pid` (the shim does this: it is root in the parent namespace).
pub fn write_id_maps(pid: i32, spec: &Spec) -> Result<()> {
    let line = |m: &crate::spec::IdMapping| format!("{} {} {}\n", m.container_id, m.host_id, m.size);
    let uid: String = spec.linux.uid_mappings.iter().map(line).collect();
    let gid: String = spec.linux.gid_mappings.iter().map(line).collect();
    for (file, text) in [("uid_map", uid), ("gid_map", gid)] {
        let path = format!("/proc/{pid}/{file}");
        std::fs::write(Path::new(&path), text).map_err(|e| Error::io(format!("write {path}"), &e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_namespaces_without_a_path_are_created() {
        let spec = Spec::parse(
            r#"{"process":{"args":["sh"]},"root":{"path":"/r"},"linux":{"namespaces":[
            {"type":"pid"},{"type":"mount"},{"type":"network","path":"/var/run/netns/x"},{"type":"user"},{"type":"uts"}]}}"#,
        )
        .unwrap();
        assert_eq!(new_namespace_flags(&spec), libc::CLONE_NEWPID | libc::CLONE_NEWNS | libc::CLONE_NEWUTS);
    }
}
