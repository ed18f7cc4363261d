//! The control socket. Its path may be longer than sun_path allows (state dirs under a deep
//! data root), so it is bound by a relative name from inside the state dir.

use std::path::Path;

use crate::error::{check, Error, Result};
use crate::sys;

/// Listens on DIR/NAME (non-blocking, close-on-exec); leaves the cwd at "/".
pub fn listen(dir: &Path, name: &str) -> Result<libc::c_int> {
    let fd = check(unsafe { libc::socket(libc::AF_UNIX, libc::SOCK_STREAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK, 0) }, || "socket".into())?;
    let mut addr: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
    for (i, b) in name.bytes().enumerate() {
        addr.sun_path[i] = b as libc::c_char;
    }
    sys::chdir(dir)?;
    let len = std::mem::size_of::<libc::sa_family_t>() + name.len();
    // Connecting takes write permission on the socket file: only its owner (root) gets it.
    let old_mask = unsafe { libc::umask(0o177) };
    let rc = unsafe { libc::bind(fd, &addr as *const _ as *const libc::sockaddr, len as libc::socklen_t) };
    unsafe { libc::umask(old_mask) };
    let bound = check(rc, || format!("bind {}", dir.join(name).display()));
    sys::chdir(Path::new("/"))?;
    bound?;
    check(unsafe { libc::listen(fd, 64) }, || format!("listen {}", dir.join(name).display()))?;
    Ok(fd)
}

/// Accepts one connection, if one is waiting.
pub fn accept(listener: libc::c_int) -> Option<libc::c_int> {
    let fd = unsafe { libc::accept4(listener, std::ptr::null_mut(), std::ptr::null_mut(), libc::SOCK_CLOEXEC) };
    (fd >= 0).then_some(fd)
}

/// Removes the socket file when the shim ends.
pub fn remove(dir: &Path, name: &str) -> Result<()> {
    match std::fs::remove_file(dir.join(name)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(format!("remove {}", dir.join(name).display()), &e)),
        _ => Ok(()),
    }
}
