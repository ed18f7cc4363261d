//! Mount targets pinned by the kernel: the container path is resolved inside the rootfs first
//! (resolve.rs: symlinks followed as if the rootfs were /), then every prefix of that symlink-free
//! path is opened with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS) from an fd of the rootfs,
//! missing parts made with mkdirat / openat on the parent's fd. A symlink swapped in meanwhile
//! (by another container sharing a volume) makes the open fail instead of leading anywhere, and
//! mount(2) gets /proc/self/fd/N of the final O_PATH fd, so the place checked is the place mounted.

use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::resolve::{self, HostFs};
use crate::rootfs::Target;

fn openat2(dir: &OwnedFd, rel: &str, flags: u64) -> std::result::Result<OwnedFd, i32> {
    let c = CString::new(if rel.is_empty() { "." } else { rel }).map_err(|_| libc::EINVAL)?;
    // open_how is non-exhaustive in libc: start from zeroes and set the fields.
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = flags | (libc::O_PATH | libc::O_CLOEXEC) as u64;
    how.resolve = libc::RESOLVE_IN_ROOT | libc::RESOLVE_NO_SYMLINKS | libc::RESOLVE_NO_MAGICLINKS;
    // SAFETY: `how` and the path outlive the call; a returned fd is ours to own.
    let fd = unsafe { libc::syscall(libc::SYS_openat2, dir.as_raw_fd(), c.as_ptr(), &how as *const libc::open_how, std::mem::size_of::<libc::open_how>()) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO));
    }
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

fn create(parent: &OwnedFd, name: &str, file: bool) -> std::result::Result<(), i32> {
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
    match (rc, std::io::Error::last_os_error().raw_os_error()) {
        (r, _) if r >= 0 => Ok(()),
        (_, Some(libc::EEXIST)) => Ok(()),
        (_, e) => Err(e.unwrap_or(libc::EIO)),
    }
}

/// The pinned target for `dest` in `root`; falls back to a plain path where openat2 is missing.
pub fn target(root: &Path, dest: &str, file: bool) -> Result<Target> {
    let op = || format!("resolve mount target {dest} in {}", root.display());
    let root_fd = std::fs::File::open(root).map(OwnedFd::from).map_err(|e| Error::io(op(), &e))?;
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
