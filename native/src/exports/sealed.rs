//! A sealed in-memory copy of a file, made once by the daemon: the berth-helper runs from it, so
//! that no container process can reach the helper on disk through /proc/PID/exe (the
//! CVE-2019-5736 class), without every helper spawn copying itself into a memfd and re-executing.

use std::ffi::CString;
use std::fs::File;
use std::io::copy;
use std::os::fd::{FromRawFd, IntoRawFd};

use napi::Env;
use napi_derive::napi;

use crate::error::{NativeError, SysError};
use crate::js_error;

const SEALS: libc::c_int = libc::F_SEAL_SEAL | libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE;

/// Copies `path` into a memfd named `name`, seals it against any change, and returns its fd
/// (close-on-exec: a child gets it only when handed it, e.g. in a spawn's stdio). It stays open
/// for the life of the process. Throws a SystemError naming the file.
#[napi]
pub fn sealed_copy(env: Env, path: String, name: String) -> napi::Result<i32> {
    copy_sealed(&path, &name).map_err(|e| js_error::throw(&env, NativeError::from(e).during(&format!("sealed copy of '{path}'"))))
}

fn copy_sealed(path: &str, name: &str) -> Result<i32, SysError> {
    let cname = CString::new(name).unwrap_or_default();
    let fd = unsafe { libc::memfd_create(cname.as_ptr(), libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING) };
    if fd < 0 {
        return Err(SysError::last("memfd_create", Some(path)));
    }
    // SAFETY: fd is a fresh memfd owned here until it is returned.
    let mut out = unsafe { File::from_raw_fd(fd) };
    let mut src = File::open(path).map_err(|e| SysError::from_io("open", Some(path), &e))?;
    copy(&mut src, &mut out).map_err(|e| SysError::from_io("write", Some(path), &e))?;
    if unsafe { libc::fcntl(fd, libc::F_ADD_SEALS, SEALS) } < 0 {
        return Err(SysError::last("fcntl", Some(path)));
    }
    Ok(out.into_raw_fd())
}
