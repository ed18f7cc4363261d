//! The spec's mounts, one at a time, onto targets resolved inside the rootfs (RootSys::target):
//! filesystems, binds (flags applied by a remount of the new mount), propagation, and the cgroup
//! mount, which depends on the host's cgroup layout.

use std::path::Path;

use crate::error::{Error, Result};
use crate::mountopts::{self, MountOpts};
use crate::resolve::Kind;
use crate::rootfs::RootSys;
use crate::spec::Mount;

/// Where the host's cgroup hierarchies are mounted.
const CGROUP_ROOT: &str = "/sys/fs/cgroup/";

fn named(op: String) -> impl FnOnce(Error) -> Error {
    move |e| Error { op, ..e }
}

/// Mounts one spec mount inside `root`.
pub fn mount_one(sys: &dyn RootSys, root: &Path, m: &Mount, procs: &[String], has_cgroupns: bool) -> Result<()> {
    let opts = mountopts::parse(&m.options);
    let kind = m.kind.as_deref().unwrap_or("none");
    if opts.is_bind() || kind == "bind" {
        return bind(sys, root, m, &opts);
    }
    if matches!(kind, "cgroup" | "cgroup2") && !sys.cgroup2_host() {
        return cgroup_v1(sys, root, m, &opts, procs);
    }
    if matches!(kind, "cgroup" | "cgroup2") && !has_cgroupns {
        return cgroup_v2_bind(sys, root, m, &opts, procs);
    }
    // In its own cgroup namespace a cgroup2 mount shows the container's subtree only.
    let fstype = if kind == "cgroup" { "cgroup2" } else { kind };
    let source = m.source.as_deref().unwrap_or(fstype);
    let target = sys.target(root, &m.destination, false)?;
    sys.mount(Some(source), &target.path, Some(fstype), opts.flags, &opts.data).map_err(named(format!("mount {source} to {}", m.destination)))?;
    propagate(sys, root, m, &opts)
}

fn bind(sys: &dyn RootSys, root: &Path, m: &Mount, opts: &MountOpts) -> Result<()> {
    let source = m.source.as_deref().ok_or_else(|| Error::msg(format!("bind to {}", m.destination), "no source"))?;
    let is_file = !matches!(sys.kind(Path::new(source))?, Kind::Dir);
    let target = sys.target(root, &m.destination, is_file)?;
    let rec = opts.flags & libc::MS_REC;
    sys.mount(Some(source), &target.path, None, libc::MS_BIND | rec, "").map_err(named(format!("bind {source} to {}", m.destination)))?;
    drop(target);
    let extra = opts.flags & !(libc::MS_BIND | libc::MS_REC);
    if extra != 0 {
        // Bind ignores most flags: they take effect on a remount of the new mount.
        remount(sys, root, m, is_file, extra)?;
    }
    propagate(sys, root, m, opts)
}

/// MS_REMOUNT of the mount now at `m.destination`, keeping the flags a user namespace locks.
fn remount(sys: &dyn RootSys, root: &Path, m: &Mount, file: bool, flags: libc::c_ulong) -> Result<()> {
    let target = sys.target(root, &m.destination, file)?;
    let keep = sys.locked_flags(&target.path)?;
    sys.mount(None, &target.path, None, libc::MS_BIND | libc::MS_REMOUNT | flags | keep, "")
        .map_err(named(format!("remount {} ({})", m.destination, m.options.join(","))))
}

fn propagate(sys: &dyn RootSys, root: &Path, m: &Mount, opts: &MountOpts) -> Result<()> {
    if opts.propagation.is_empty() {
        return Ok(());
    }
    let target = sys.target(root, &m.destination, false)?;
    for &p in &opts.propagation {
        sys.mount(None, &target.path, None, p, "").map_err(named(format!("set propagation of {}", m.destination)))?;
    }
    Ok(())
}

/// A v1 or hybrid host: a tmpfs with, for each hierarchy holding the container's cgroup, that
/// cgroup bound under the hierarchy's name (`memory`, `cpu,cpuacct` with `cpu` and `cpuacct`
/// links), as a container on such a host sees it under Docker.
fn cgroup_v1(sys: &dyn RootSys, root: &Path, m: &Mount, opts: &MountOpts, procs: &[String]) -> Result<()> {
    let base = opts.flags & (libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC);
    let target = sys.target(root, &m.destination, false)?;
    sys.mount(Some("cgroup"), &target.path, Some("tmpfs"), base, "mode=755").map_err(named(format!("mount tmpfs to {}", m.destination)))?;
    drop(target);
    for p in procs {
        let Some(dir) = Path::new(p).parent() else { continue };
        let Some(name) = p.strip_prefix(CGROUP_ROOT).and_then(|r| r.split('/').next()) else { continue };
        let sub = Mount { destination: format!("{}/{name}", m.destination), ..m.clone() };
        let at = sys.target(root, &sub.destination, false)?;
        let src = dir.display().to_string();
        sys.mount(Some(&src), &at.path, None, libc::MS_BIND, "").map_err(named(format!("bind {src} to {}", sub.destination)))?;
        drop(at);
        remount(sys, root, &sub, false, base | (opts.flags & libc::MS_RDONLY))?;
        for part in name.split(',').filter(|part| *part != name) {
            let link = sys.target(root, &m.destination, false)?;
            sys.symlink(name, &link.path.join(part))?;
        }
    }
    if opts.flags & libc::MS_RDONLY != 0 {
        let t = sys.target(root, &m.destination, false)?;
        sys.mount(None, &t.path, None, libc::MS_REMOUNT | libc::MS_RDONLY | base, "").map_err(named(format!("remount {} read-only", m.destination)))?;
    }
    Ok(())
}

/// A v2 host without a cgroup namespace: a cgroup2 mount would show the host's whole tree, so
/// the container's own cgroup directory is bound there instead (an empty tmpfs if it has none).
fn cgroup_v2_bind(sys: &dyn RootSys, root: &Path, m: &Mount, opts: &MountOpts, procs: &[String]) -> Result<()> {
    let base = opts.flags & (libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC | libc::MS_RDONLY);
    let target = sys.target(root, &m.destination, false)?;
    let Some(dir) = procs.iter().filter_map(|p| Path::new(p).parent()).next() else {
        return sys.mount(Some("cgroup"), &target.path, Some("tmpfs"), base | libc::MS_RDONLY, "").map_err(named(format!("mount tmpfs to {}", m.destination)));
    };
    let src = dir.display().to_string();
    sys.mount(Some(&src), &target.path, None, libc::MS_BIND, "").map_err(named(format!("bind {src} to {}", m.destination)))?;
    drop(target);
    remount(sys, root, m, false, base)
}
