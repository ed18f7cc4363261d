//! The host side of the seams: [`RootSys`] over libc, and small libc wrappers the init and the
//! shim share. Each wrapper names its object in the error.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::error::{check, Error, Result};
use crate::resolve::{FsView, HostFs, Kind};
use crate::rootfs::RootSys;

/// A C string of a path (paths with NUL bytes cannot exist, EINVAL if one does).
pub fn cpath(p: &Path) -> Result<CString> {
    CString::new(p.as_os_str().as_bytes()).map_err(|_| Error::errno(format!("path {}", p.display()), libc::EINVAL))
}

/// A C string of text.
pub fn cstr(s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::errno(format!("string {s:?}"), libc::EINVAL))
}

/// The real host.
pub struct HostSys;

impl FsView for HostSys {
    fn kind(&self, p: &Path) -> Result<Kind> {
        HostFs.kind(p)
    }
    fn readlink(&self, p: &Path) -> Result<PathBuf> {
        HostFs.readlink(p)
    }
    fn mkdir(&self, p: &Path) -> Result<()> {
        HostFs.mkdir(p)
    }
    fn touch(&self, p: &Path) -> Result<()> {
        HostFs.touch(p)
    }
}

impl RootSys for HostSys {
    fn mount(&self, src: Option<&str>, target: &Path, fstype: Option<&str>, flags: libc::c_ulong, data: &str) -> Result<()> {
        let src = src.map(cstr).transpose()?;
        let fstype = fstype.map(cstr).transpose()?;
        let data = (!data.is_empty()).then(|| cstr(data)).transpose()?;
        let t = cpath(target)?;
        let ptr = |c: &Option<CString>| c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr());
        // SAFETY: every pointer is a valid C string or null, as mount(2) allows.
        let rc = unsafe { libc::mount(ptr(&src), t.as_ptr(), ptr(&fstype), flags, ptr(&data) as *const libc::c_void) };
        check(rc, || format!("mount {}", target.display())).map(|_| ())
    }

    fn umount2(&self, target: &Path, flags: libc::c_int) -> Result<()> {
        let t = cpath(target)?;
        check(unsafe { libc::umount2(t.as_ptr(), flags) }, || format!("umount {}", target.display())).map(|_| ())
    }

    fn pivot_root(&self, root: &Path) -> Result<()> {
        // pivot_root(".", ".") stacks the old root under the new one at "/"; detaching it then
        // leaves only the container's tree, without needing a directory for the old root.
        chdir(root)?;
        let dot = cstr(".")?;
        let rc = unsafe { libc::syscall(libc::SYS_pivot_root, dot.as_ptr(), dot.as_ptr()) } as libc::c_int;
        check(rc, || format!("pivot_root to {}", root.display()))?;
        self.umount2(Path::new("."), libc::MNT_DETACH).map_err(|e| Error { op: "detach the old root".into(), ..e })?;
        chdir(Path::new("/"))
    }

    fn mknod_char(&self, path: &Path, major: u32, minor: u32) -> Result<()> {
        let p = cpath(path)?;
        let rc = unsafe { libc::mknod(p.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(major, minor)) };
        check(rc, || format!("mknod {}", path.display()))?;
        // mknod honours the umask; device nodes must be usable by every user.
        check(unsafe { libc::chmod(p.as_ptr(), 0o666) }, || format!("chmod {}", path.display())).map(|_| ())
    }

    fn symlink(&self, target: &str, link: &Path) -> Result<()> {
        std::os::unix::fs::symlink(target, link).map_err(|e| Error::io(format!("symlink {}", link.display()), &e))
    }

    fn locked_flags(&self, path: &Path) -> Result<libc::c_ulong> {
        let p = cpath(path)?;
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        check(unsafe { libc::statvfs(p.as_ptr(), &mut st) }, || format!("statvfs {}", path.display()))?;
        // ST_* and MS_* share these bit values; a remount in a user namespace must keep them.
        let keep = libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC | libc::MS_NOATIME | libc::MS_NODIRATIME | libc::MS_RELATIME;
        Ok(st.f_flag as libc::c_ulong & keep)
    }

    fn write_file(&self, path: &Path, data: &str) -> Result<()> {
        std::fs::write(path, data).map_err(|e| Error::io(format!("write {}", path.display()), &e))
    }

    fn cgroup2_host(&self) -> bool {
        Path::new("/sys/fs/cgroup/cgroup.controllers").exists()
    }

    fn target(&self, root: &Path, dest: &str, file: bool) -> Result<crate::rootfs::Target> {
        crate::pin::target(root, dest, file)
    }
}

/// chdir(2).
pub fn chdir(p: &Path) -> Result<()> {
    let c = cpath(p)?;
    check(unsafe { libc::chdir(c.as_ptr()) }, || format!("chdir {}", p.display())).map(|_| ())
}

/// A pipe whose ends close on exec.
pub fn pipe() -> Result<(libc::c_int, libc::c_int)> {
    let mut fds = [0; 2];
    check(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, || "pipe".into())?;
    Ok((fds[0], fds[1]))
}

/// A connected pair of unix stream sockets that close on exec.
pub fn socketpair() -> Result<(libc::c_int, libc::c_int)> {
    let mut fds = [0; 2];
    let rc = unsafe { libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0, fds.as_mut_ptr()) };
    check(rc, || "socketpair".into())?;
    Ok((fds[0], fds[1]))
}

/// close(2), errors ignored: the fd is gone either way.
pub fn close(fd: libc::c_int) {
    if fd >= 0 {
        unsafe { libc::close(fd) };
    }
}

/// fork(2). The helper is single-threaded wherever it forks, so the child may do anything.
pub fn fork() -> Result<libc::pid_t> {
    check(unsafe { libc::fork() }, || "fork".into())
}

/// clone(2) with CLONE_PARENT: the new process is a sibling, so the shim (our parent) reaps it.
pub fn fork_sibling() -> Result<libc::pid_t> {
    let flags = (libc::CLONE_PARENT | libc::SIGCHLD) as libc::c_ulong;
    // SAFETY: a raw clone without a new stack behaves like fork in this single-threaded process.
    let rc = unsafe { libc::syscall(libc::SYS_clone, flags, 0usize, 0usize, 0usize, 0usize) };
    check(rc as libc::c_int, || "clone".into())
}

/// Sets or clears O_NONBLOCK.
pub fn set_nonblocking(fd: libc::c_int, on: bool) {
    unsafe {
        let fl = libc::fcntl(fd, libc::F_GETFL);
        let fl = if on { fl | libc::O_NONBLOCK } else { fl & !libc::O_NONBLOCK };
        libc::fcntl(fd, libc::F_SETFL, fl);
    }
}

/// dup2(2).
pub fn dup2(from: libc::c_int, to: libc::c_int) -> Result<()> {
    check(unsafe { libc::dup2(from, to) }, || format!("dup2 {from} to {to}")).map(|_| ())
}

/// write(2) of all of `buf`, retrying on EINTR and short writes (blocking fds only).
pub fn write_all(fd: libc::c_int, mut buf: &[u8]) -> Result<()> {
    while !buf.is_empty() {
        let n = unsafe { libc::write(fd, buf.as_ptr() as *const libc::c_void, buf.len()) };
        if n < 0 {
            if std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
                continue;
            }
            return Err(Error::last(format!("write fd {fd}")));
        }
        buf = &buf[n as usize..];
    }
    Ok(())
}

/// read(2) once, retrying on EINTR; Ok(0) at end of file.
pub fn read(fd: libc::c_int, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        let n = unsafe { libc::read(fd, buf.as_mut_ptr() as *mut libc::c_void, buf.len()) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = std::io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::EINTR) {
            return Err(e);
        }
    }
}
