//! The container's filesystem view, set up in its fresh mount namespace: / made private, the
//! rootfs bound on itself, the spec's mounts (targets resolved inside the rootfs), device nodes,
//! pivot_root, masked and read-only paths, a read-only root. Every syscall goes through
//! [`RootSys`]; the order is unit-tested against a recording fake.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::mountopts::{self, MountOpts};
use crate::resolve::{self, FsView, Kind};
use crate::spec::{Mount, Spec};

/// The syscalls of rootfs setup.
pub trait RootSys: FsView {
    /// mount(2).
    fn mount(&self, src: Option<&str>, target: &Path, fstype: Option<&str>, flags: libc::c_ulong, data: &str) -> Result<()>;
    /// umount2(2).
    fn umount2(&self, target: &Path, flags: libc::c_int) -> Result<()>;
    /// pivot_root(".", ".") in `root`, then detach the old root and chdir("/").
    fn pivot_root(&self, root: &Path) -> Result<()>;
    /// mknod(2) of a character device with mode 0666.
    fn mknod_char(&self, path: &Path, major: u32, minor: u32) -> Result<()>;
    /// symlink(2).
    fn symlink(&self, target: &str, link: &Path) -> Result<()>;
    /// The MS_* flags a remount must keep (nosuid, nodev, noexec… from statvfs).
    fn locked_flags(&self, path: &Path) -> Result<libc::c_ulong>;
    /// Writes a small file (a sysctl).
    fn write_file(&self, path: &Path, data: &str) -> Result<()>;
    /// Whether the host runs the unified cgroup v2 hierarchy at /sys/fs/cgroup.
    fn cgroup2_host(&self) -> bool;
}

/// The standard device nodes: (name, major, minor).
pub const DEVICES: &[(&str, u32, u32)] = &[("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8), ("urandom", 1, 9), ("tty", 5, 0)];

/// The /dev symlinks every container has.
const DEV_LINKS: &[(&str, &str)] = &[("/proc/self/fd", "fd"), ("/proc/self/fd/0", "stdin"), ("/proc/self/fd/1", "stdout"), ("/proc/self/fd/2", "stderr"), ("pts/ptmx", "ptmx")];

/// Everything up to and including pivot_root; afterwards `/` is the container's root.
pub fn setup_before_pivot(sys: &dyn RootSys, spec: &Spec, userns: bool) -> Result<()> {
    let root = Path::new(&spec.root.path);
    sys.mount(None, Path::new("/"), None, libc::MS_REC | libc::MS_PRIVATE, "")
        .map_err(|e| Error { op: "make / private".into(), ..e })?;
    sys.mount(Some(&spec.root.path), root, None, libc::MS_BIND | libc::MS_REC, "")
        .map_err(|e| Error { op: format!("bind rootfs {}", spec.root.path), ..e })?;
    let procs = spec.cgroup_procs();
    let has_cgroupns = spec.namespace("cgroup").is_some();
    for m in &spec.mounts {
        mount_one(sys, root, m, &procs, has_cgroupns)?;
    }
    if mounts_dev_tmpfs(spec) {
        make_devices(sys, root, userns)?;
    }
    sys.pivot_root(root)
}

/// After pivot_root: sysctls, masked paths, read-only paths, then the read-only root.
pub fn setup_after_pivot(sys: &dyn RootSys, spec: &Spec) -> Result<()> {
    for (key, value) in &spec.linux.sysctl {
        let path = PathBuf::from("/proc/sys").join(key.replace('.', "/"));
        sys.write_file(&path, value).map_err(|e| Error { op: format!("sysctl {key}={value}"), ..e })?;
    }
    for p in &spec.linux.masked_paths {
        mask(sys, p)?;
    }
    for p in &spec.linux.readonly_paths {
        readonly(sys, p)?;
    }
    if spec.root.readonly {
        let keep = sys.locked_flags(Path::new("/"))?;
        sys.mount(None, Path::new("/"), None, libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY | keep, "")
            .map_err(|e| Error { op: "remount / read-only".into(), ..e })?;
    }
    Ok(())
}

fn mounts_dev_tmpfs(spec: &Spec) -> bool {
    spec.mounts.iter().any(|m| m.destination == "/dev" && m.kind.as_deref() == Some("tmpfs"))
}

fn mount_one(sys: &dyn RootSys, root: &Path, m: &Mount, procs: &[String], has_cgroupns: bool) -> Result<()> {
    let opts = mountopts::parse(&m.options);
    let kind = m.kind.as_deref().unwrap_or("none");
    if opts.is_bind() || kind == "bind" {
        return bind(sys, root, m, &opts);
    }
    let target = resolve::ensure(sys, root, &m.destination, false)?;
    if matches!(kind, "cgroup" | "cgroup2") && !sys.cgroup2_host() {
        return cgroup_v1(sys, &target, m, &opts, procs);
    }
    if matches!(kind, "cgroup" | "cgroup2") && !has_cgroupns {
        return cgroup_v2_bind(sys, &target, m, &opts, procs);
    }
    let (fstype, flags, data) = match kind {
        // In its own cgroup namespace a cgroup2 mount shows the container's subtree only.
        "cgroup" => ("cgroup2", opts.flags, opts.data.clone()),
        _ => (kind, opts.flags, opts.data.clone()),
    };
    let source = m.source.as_deref().unwrap_or(fstype);
    sys.mount(Some(source), &target, Some(fstype), flags, &data)
        .map_err(|e| Error { op: format!("mount {source} to {}", m.destination), ..e })?;
    propagate(sys, &target, &m.destination, &opts)
}

/// Where the host's cgroup hierarchies are mounted.
const CGROUP_ROOT: &str = "/sys/fs/cgroup/";

/// A v1 or hybrid host: a tmpfs with, for each hierarchy holding the container's cgroup, that
/// cgroup bound under the hierarchy's name (`memory`, `cpu,cpuacct` with `cpu` and `cpuacct`
/// links), as a container on such a host sees it under Docker.
fn cgroup_v1(sys: &dyn RootSys, target: &Path, m: &Mount, opts: &MountOpts, procs: &[String]) -> Result<()> {
    let op = |what: String| move |e: Error| Error { op: what, ..e };
    let base = opts.flags & (libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC);
    sys.mount(Some("cgroup"), target, Some("tmpfs"), base, "mode=755").map_err(op(format!("mount tmpfs to {}", m.destination)))?;
    for p in procs {
        let Some(dir) = Path::new(p).parent() else { continue };
        let Some(name) = p.strip_prefix(CGROUP_ROOT).and_then(|r| r.split('/').next()) else { continue };
        let sub = target.join(name);
        sys.mkdir(&sub)?;
        let shown = format!("{}/{name}", m.destination);
        sys.mount(Some(&dir.display().to_string()), &sub, None, libc::MS_BIND, "").map_err(op(format!("bind {} to {shown}", dir.display())))?;
        let keep = sys.locked_flags(&sub)?;
        let ro = opts.flags & libc::MS_RDONLY;
        sys.mount(None, &sub, None, libc::MS_BIND | libc::MS_REMOUNT | base | ro | keep, "").map_err(op(format!("remount {shown}")))?;
        for part in name.split(',').filter(|part| *part != name) {
            sys.symlink(name, &target.join(part))?;
        }
    }
    if opts.flags & libc::MS_RDONLY != 0 {
        sys.mount(None, target, None, libc::MS_REMOUNT | libc::MS_RDONLY | base, "").map_err(op(format!("remount {} read-only", m.destination)))?;
    }
    Ok(())
}

/// A v2 host without a cgroup namespace: a cgroup2 mount would show the host's whole tree, so
/// the container's own cgroup directory is bound there instead (an empty tmpfs if it has none).
fn cgroup_v2_bind(sys: &dyn RootSys, target: &Path, m: &Mount, opts: &MountOpts, procs: &[String]) -> Result<()> {
    let own = procs.iter().filter_map(|p| Path::new(p).parent()).next();
    let base = opts.flags & (libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC | libc::MS_RDONLY);
    let Some(dir) = own else {
        return sys.mount(Some("cgroup"), target, Some("tmpfs"), base | libc::MS_RDONLY, "").map_err(|e| Error { op: format!("mount tmpfs to {}", m.destination), ..e });
    };
    let src = dir.display().to_string();
    sys.mount(Some(&src), target, None, libc::MS_BIND, "").map_err(|e| Error { op: format!("bind {src} to {}", m.destination), ..e })?;
    let keep = sys.locked_flags(target)?;
    sys.mount(None, target, None, libc::MS_BIND | libc::MS_REMOUNT | base | keep, "").map_err(|e| Error { op: format!("remount {}", m.destination), ..e })
}

fn bind(sys: &dyn RootSys, root: &Path, m: &Mount, opts: &MountOpts) -> Result<()> {
    let source = m.source.as_deref().ok_or_else(|| Error::msg(format!("bind to {}", m.destination), "no source"))?;
    let is_file = !matches!(sys.kind(Path::new(source))?, Kind::Dir);
    let target = resolve::ensure(sys, root, &m.destination, is_file)?;
    let op = || format!("bind {source} to {}", m.destination);
    let rec = opts.flags & libc::MS_REC;
    sys.mount(Some(source), &target, None, libc::MS_BIND | rec, "").map_err(|e| Error { op: op(), ..e })?;
    let extra = opts.flags & !(libc::MS_BIND | libc::MS_REC);
    if extra != 0 {
        // Bind ignores most flags: they only take effect on a remount of the new mount.
        let keep = sys.locked_flags(&target)?;
        sys.mount(None, &target, None, libc::MS_BIND | libc::MS_REMOUNT | extra | keep, "")
            .map_err(|e| Error { op: format!("remount {} ({})", m.destination, m.options.join(",")), ..e })?;
    }
    propagate(sys, &target, &m.destination, opts)
}

fn propagate(sys: &dyn RootSys, target: &Path, dest: &str, opts: &MountOpts) -> Result<()> {
    for &p in &opts.propagation {
        sys.mount(None, target, None, p, "").map_err(|e| Error { op: format!("set propagation of {dest}"), ..e })?;
    }
    Ok(())
}

fn make_devices(sys: &dyn RootSys, root: &Path, userns: bool) -> Result<()> {
    let dev = root.join("dev");
    for &(name, major, minor) in DEVICES {
        let path = dev.join(name);
        if userns {
            // mknod is not allowed in a user namespace: bind the host's node instead.
            sys.touch(&path)?;
            let host = format!("/dev/{name}");
            sys.mount(Some(&host), &path, None, libc::MS_BIND, "").map_err(|e| Error { op: format!("bind {host} to /dev/{name}"), ..e })?;
        } else {
            sys.mknod_char(&path, major, minor)?;
        }
    }
    for &(target, name) in DEV_LINKS {
        sys.symlink(target, &dev.join(name))?;
    }
    Ok(())
}

fn mask(sys: &dyn RootSys, path: &str) -> Result<()> {
    let p = Path::new(path);
    let op = || format!("mask {path}");
    match sys.kind(p)? {
        Kind::Missing => Ok(()),
        Kind::Dir => sys.mount(Some("tmpfs"), p, Some("tmpfs"), libc::MS_RDONLY, "").map_err(|e| Error { op: op(), ..e }),
        _ => sys.mount(Some("/dev/null"), p, None, libc::MS_BIND, "").map_err(|e| Error { op: op(), ..e }),
    }
}

fn readonly(sys: &dyn RootSys, path: &str) -> Result<()> {
    let p = Path::new(path);
    if sys.kind(p)? == Kind::Missing {
        return Ok(());
    }
    let op = || format!("make {path} read-only");
    sys.mount(Some(path), p, None, libc::MS_BIND | libc::MS_REC, "").map_err(|e| Error { op: op(), ..e })?;
    let keep = sys.locked_flags(p)?;
    sys.mount(None, p, None, libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY | keep, "").map_err(|e| Error { op: op(), ..e })
}

#[cfg(test)]
#[path = "rootfs_tests.rs"]
mod tests;
