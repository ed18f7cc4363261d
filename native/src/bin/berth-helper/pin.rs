//! Mount targets pinned by the kernel: the container path is resolved inside the rootfs first
//! (resolve.rs: symlinks followed as if the rootfs were /), then every prefix of that symlink-free
//! path is opened with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS) from an fd of the rootfs,
//! missing parts made with mkdirat / openat on the parent's fd. A symlink swapped in meanwhile
//! (by another container sharing a volume) makes the open fail instead of leading anywhere, and
//! mount(2) gets /proc/self/fd/N of the final O_PATH fd, so the place checked is the place mounted.
//! A target that exists is opened in one call instead: openat2(RESOLVE_IN_ROOT) follows symlinks by
//! the same rule, inside the kernel (a container's ~40 mounts took ~12 syscalls each the long way).

use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::resolve::{self, HostFs};
use crate::rootfs::Target;

fn openat2(dir: &OwnedFd, rel: &str, flags: u64) -> std::result::Result<OwnedFd, i32> {
    open_resolved(dir, rel, flags, libc::RESOLVE_IN_ROOT | libc::RESOLVE_NO_SYMLINKS | libc::RESOLVE_NO_MAGICLINKS)
}

/// An existing `dest` (a container path) in one call: symlinks followed as if `dir` were `/`.
fn open_in_root(dir: &OwnedFd, dest: &str) -> std::result::Result<OwnedFd, i32> {
    open_resolved(dir, dest, 0, libc::RESOLVE_IN_ROOT | libc::RESOLVE_NO_MAGICLINKS)
}

fn open_resolved(dir: &OwnedFd, rel: &str, flags: u64, resolve: u64) -> std::result::Result<OwnedFd, i32> {
    let c = CString::new(if rel.is_empty() { "." } else { rel }).map_err(|_| libc::EINVAL)?;
    // open_how is non-exhaustive in libc: start from zeroes and set the fields.
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = flags | (libc::O_PATH | libc::O_CLOEXEC) as u64;
    how.resolve = resolve;
    // SAFETY: `how` and the path outlive the call; a returned fd is ours to own.
    let fd = unsafe { libc::syscall(libc::SYS_openat2, dir.as_raw_fd(), c.as_ptr(), &how as *const libc::open_how, std::mem::size_of::<libc::open_how>()) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO));
    }
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// Makes `name` in `parent`, never over anything already there (EEXIST then, even for a symlink).
fn make(parent: &OwnedFd, name: &str, file: bool) -> std::result::Result<(), i32> {
    let c = CString::new(name).map_err(|_| libc::EINVAL)?;
    let rc = if file {
        let fd = unsafe { libc::openat(parent.as_raw_fd(), c.as_ptr(), libc::O_CREAT | libc::O_EXCL | libc::O_WRONLY | libc::O_NOFOLLOW | libc::O_CLOEXEC, 0o644) };
        if fd >= 0 {
            unsafe { libc::close(fd) };
        }
        fd
    } else {
        unsafe { libc::mkdirat(parent.as_raw_fd(), c.as_ptr(), 0o755) }
    };
    if rc >= 0 {
        return Ok(());
    }
    Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO))
}

/// Makes `name` in `parent` unless something is there already.
fn create(parent: &OwnedFd, name: &str, file: bool) -> std::result::Result<(), i32> {
    match make(parent, name, file) {
        Err(libc::EEXIST) => Ok(()),
        other => other,
    }
}

/// `dest` made and opened when only its last component is missing (its parent opens in one call and
/// nothing is there by that name, not even a dangling symlink): the cgroup mount points on a fresh
/// tmpfs, say. None sends the caller the long way, which handles every other case.
fn create_last(root_fd: &OwnedFd, dest: &str, file: bool) -> Option<OwnedFd> {
    let (parent, name) = dest.trim_end_matches('/').rsplit_once('/')?;
    if name.is_empty() || name == "." || name == ".." {
        return None;
    }
    let parent_fd = open_in_root(root_fd, if parent.is_empty() { "/" } else { parent }).ok()?;
    // EEXIST (a dangling symlink, say) or any other failure: the long way decides.
    make(&parent_fd, name, file).ok()?;
    openat2(&parent_fd, name, 0).ok()
}

/// The pinned target for `dest` in `root`; falls back to a plain path where openat2 is missing.
pub fn target(root: &Path, dest: &str, file: bool) -> Result<Target> {
    let op = || format!("resolve mount target {dest} in {}", root.display());
    let root_fd = std::fs::File::open(root).map(OwnedFd::from).map_err(|e| Error::io(op(), &e))?;
    match open_in_root(&root_fd, dest) {
        Ok(fd) => return Ok(Target::pinned(fd)),
        Err(libc::ENOSYS) => return Ok(Target::plain(resolve::ensure(&HostFs, root, dest, file)?)),
        Err(libc::ENOENT) => {
            if let Some(fd) = create_last(&root_fd, dest, file) {
                return Ok(Target::pinned(fd));
            }
        }
        // A rename racing the lookup (EAGAIN) and the like: the walk decides.
        Err(_) => {}
    }
    let host = resolve::resolve(&HostFs, root, dest)?;
    let rel: PathBuf = host.strip_prefix(root).map_err(|_| Error::msg(op(), "escaped the rootfs"))?.to_path_buf();
    let parts: Vec<String> = rel.iter().map(|c| c.to_string_lossy().into_owned()).collect();
    let mut cur = match openat2(&root_fd, "", 0) {
        Ok(fd) => fd,
        Err(libc::ENOSYS) => return Ok(Target::plain(resolve::ensure(&HostFs, root, dest, file)?)),
        Err(e) => return Err(Error::errno(op(), e)),
    };
    for (i, name) in parts.iter().enumerate() {
        let prefix = parts[..=i].join("/");
        let next = match openat2(&root_fd, &prefix, 0) {
            Err(libc::ENOENT) => {
                create(&cur, name, file && i + 1 == parts.len()).map_err(|e| Error::errno(format!("create {prefix} in {}", root.display()), e))?;
                openat2(&root_fd, &prefix, 0)
            }
            other => other,
        };
        cur = next.map_err(|e| Error::errno(op(), e))?;
    }
    Ok(Target::pinned(cur))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where a pinned target really is.
    fn place(t: &Target) -> PathBuf {
        std::fs::read_link(&t.path).unwrap()
    }

    #[test]
    fn existing_missing_and_nested_targets_are_pinned_inside_the_rootfs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        std::fs::create_dir(root.join("etc")).unwrap();
        assert_eq!(place(&target(&root, "/etc", false).unwrap()), root.join("etc"), "an existing dir, in one call");
        assert_eq!(place(&target(&root, "/etc/hosts", true).unwrap()), root.join("etc/hosts"), "a missing last part");
        assert!(root.join("etc/hosts").is_file(), "made as a file for a file bind");
        assert_eq!(place(&target(&root, "/sys/fs/cgroup", false).unwrap()), root.join("sys/fs/cgroup"), "missing parents, the long way");
        std::os::unix::fs::symlink("/../../../etc", root.join("evil")).unwrap();
        assert_eq!(place(&target(&root, "/evil", false).unwrap()), root.join("etc"), "a symlink out stays in");
        std::os::unix::fs::symlink("/data/dir", root.join("dangling")).unwrap();
        assert_eq!(place(&target(&root, "/dangling", false).unwrap()), root.join("data/dir"), "a dangling symlink's target is made, inside");
    }
}
