//! The container's filesystem view, set up in its fresh mount namespace: / made private, the
//! rootfs bound on itself, the spec's mounts (targets resolved inside the rootfs), device nodes,
//! pivot_root, masked and read-only paths, a read-only root. Every syscall goes through
//! [`RootSys`]; the order is unit-tested against a recording fake.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::resolve::{FsView, Kind};
use crate::spec::Spec;

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
    /// The mount target for container path `dest` under `root`, made if missing (a file when
    /// `file`). Called again after a mount, it names the new mount (for remounts).
    fn target(&self, root: &Path, dest: &str, file: bool) -> Result<Target>;
}

/// A mount target inside the rootfs: the path to give mount(2). On the host it is
/// /proc/self/fd/N of an O_PATH fd the kernel resolved inside the rootfs (pin.rs), so nothing can
/// redirect it between the check and the mount; the fd closes when the target is dropped.
pub struct Target {
    pub path: PathBuf,
    /// Keeps /proc/self/fd/N valid for as long as the target lives.
    _pin: Option<std::os::fd::OwnedFd>,
}

impl Target {
    /// A target that is just a path (the fake, and kernels without openat2).
    pub fn plain(path: PathBuf) -> Self {
        Target { path, _pin: None }
    }

    /// A target held by an O_PATH fd, named by its /proc/self/fd path.
    pub fn pinned(fd: std::os::fd::OwnedFd) -> Self {
        use std::os::fd::AsRawFd;
        Target { path: PathBuf::from(format!("/proc/self/fd/{}", fd.as_raw_fd())), _pin: Some(fd) }
    }
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
        crate::mounts::mount_one(sys, root, m, &procs, has_cgroupns)?;
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
