//! [`FileSys`] on the real kernel, through libc.

use libc::{c_int, c_long, c_void};

use super::{FileSys, Timespec};
use crate::error::SysError;
use crate::mount::host::c_path;

/// fchmodat2(2): the same number on every architecture, as all syscalls added since 5.1 are;
/// libc does not define it everywhere yet.
const SYS_FCHMODAT2: c_long = 452;

/// The real host.
pub struct HostFiles;

fn check(ret: c_long, syscall: &'static str, path: &str) -> Result<usize, SysError> {
    if ret < 0 {
        Err(SysError::last(syscall, Some(path)))
    } else {
        Ok(ret as usize)
    }
}

fn buf_ptr(buf: &mut [u8]) -> *mut c_void {
    if buf.is_empty() {
        std::ptr::null_mut()
    } else {
        buf.as_mut_ptr().cast()
    }
}

impl FileSys for HostFiles {
    fn mknod(&self, path: &str, mode: u32, dev: u64) -> Result<(), SysError> {
        let c = c_path("mknod", path)?;
        // SAFETY: a valid C string; mode and dev are plain integers.
        let ret = unsafe { libc::mknod(c.as_ptr(), mode as libc::mode_t, dev as libc::dev_t) };
        check(ret.into(), "mknod", path).map(drop)
    }

    fn chmod(&self, path: &str, mode: u32, nofollow: bool) -> Result<(), SysError> {
        let c = c_path("fchmodat", path)?;
        // SAFETY: a valid C string; the kernel only reads it.
        let ret = unsafe {
            if nofollow {
                libc::syscall(
                    SYS_FCHMODAT2,
                    libc::AT_FDCWD,
                    c.as_ptr(),
                    mode,
                    libc::AT_SYMLINK_NOFOLLOW,
                )
            } else {
                libc::fchmodat(libc::AT_FDCWD, c.as_ptr(), mode as libc::mode_t, 0).into()
            }
        };
        check(ret, if nofollow { "fchmodat2" } else { "fchmodat" }, path).map(drop)
    }

    fn lsetxattr(&self, path: &str, name: &str, value: &[u8]) -> Result<(), SysError> {
        let c = c_path("lsetxattr", path)?;
        let n = c_path("lsetxattr", name)?;
        // SAFETY: valid C strings and a live slice of the length passed.
        let ret = unsafe { libc::lsetxattr(c.as_ptr(), n.as_ptr(), value.as_ptr().cast(), value.len(), 0) };
        check(ret.into(), "lsetxattr", path).map(drop)
    }

    fn lgetxattr(&self, path: &str, name: &str, buf: &mut [u8]) -> Result<usize, SysError> {
        let c = c_path("lgetxattr", path)?;
        let n = c_path("lgetxattr", name)?;
        // SAFETY: valid C strings; buf is writable for buf.len() bytes (null with size 0 = size query).
        let ret = unsafe { libc::lgetxattr(c.as_ptr(), n.as_ptr(), buf_ptr(buf), buf.len()) };
        check(ret as c_long, "lgetxattr", path)
    }

    fn llistxattr(&self, path: &str, buf: &mut [u8]) -> Result<usize, SysError> {
        let c = c_path("llistxattr", path)?;
        // SAFETY: as for lgetxattr.
        let ret = unsafe { libc::llistxattr(c.as_ptr(), buf_ptr(buf).cast(), buf.len()) };
        check(ret as c_long, "llistxattr", path)
    }

    fn lchown(&self, path: &str, uid: u32, gid: u32) -> Result<(), SysError> {
        let c = c_path("lchown", path)?;
        // SAFETY: a valid C string.
        let ret = unsafe { libc::lchown(c.as_ptr(), uid, gid) };
        check(ret.into(), "lchown", path).map(drop)
    }

    fn utimens_nofollow(&self, path: &str, atime: Timespec, mtime: Timespec) -> Result<(), SysError> {
        let c = c_path("utimensat", path)?;
        let ts = [to_libc(atime), to_libc(mtime)];
        // SAFETY: a valid C string and an array of two timespecs, as utimensat(2) takes.
        let ret: c_int = unsafe { libc::utimensat(libc::AT_FDCWD, c.as_ptr(), ts.as_ptr(), libc::AT_SYMLINK_NOFOLLOW) };
        check(ret.into(), "utimensat", path).map(drop)
    }
}

fn to_libc(t: Timespec) -> libc::timespec {
    libc::timespec {
        tv_sec: t.sec as libc::time_t,
        tv_nsec: t.nsec as _,
    }
}

/// Starts writeback of the open file's dirty pages (sync_file_range(2), SYNC_FILE_RANGE_WRITE)
/// without waiting for it: the data goes to disk while the rest of a layer is extracted, and the
/// layer's syncfs at the end has that much less left to write. `path` only names the file in errors.
pub fn start_writeback(fd: i32, path: &str) -> Result<(), SysError> {
    // SAFETY: sync_file_range only reads the descriptor; a bad one is EBADF.
    let ret = unsafe { libc::sync_file_range(fd, 0, 0, libc::SYNC_FILE_RANGE_WRITE) };
    check(ret.into(), "sync_file_range", path).map(drop)
}

/// syncfs(2) of the filesystem holding `path`: everything written to that filesystem (file data,
/// directory entries, renames) is on stable storage when it returns. One call makes a whole
/// unpacked layer durable, where fsync would take one call (and one journal commit) per file.
pub fn syncfs(path: &str) -> Result<(), SysError> {
    let c = c_path("open", path)?;
    // SAFETY: a valid C string; O_RDONLY|O_DIRECTORY opens a directory without following anything
    // more than its path already does.
    let fd = unsafe { libc::open(c.as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC) };
    check(fd.into(), "open", path)?;
    // SAFETY: fd was just opened and is closed right after.
    let ret = unsafe { libc::syncfs(fd) };
    let result = check(ret.into(), "syncfs", path).map(drop);
    // SAFETY: fd is ours and not used after this.
    unsafe { libc::close(fd) };
    result
}
