//! Work inside another network namespace. setns(2) changes only the calling thread, and a thread of
//! Node's that changed namespace would take it along to whatever it ran next, so the work runs on a
//! fresh thread that joins the namespace, does it and ends. The caller waits for it.

use std::ffi::CString;
use std::io::Write;
use std::os::fd::OwnedFd;

use super::socket::HostRtnl;
use super::LinkChange;

use crate::error::{ArgError, NativeError, SysError};

/// Runs `f` on a new thread inside the network namespace at `path` (`/proc/<pid>/ns/net`,
/// `/run/netns/<name>`) and returns its result. `operation` names the work in errors.
pub fn in_netns<T, F>(path: &str, operation: &str, f: F) -> Result<T, NativeError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, NativeError> + Send + 'static,
{
    let owned = path.to_owned();
    on_fresh_thread(operation, move || {
        enter(&owned)?;
        f()
    })
}

/// Makes a new network namespace with `lo` up, as a container's starts, and returns an fd of it,
/// which keeps it alive until closed (O_CLOEXEC: no child inherits it). The namespace is made by a
/// fresh thread that ends right after, so no thread of Node's ever changes namespace.
pub fn create() -> Result<OwnedFd, NativeError> {
    let operation = "create network namespace";
    on_fresh_thread(operation, move || {
        // SAFETY: unshare affects this thread only; it ends with the closure.
        if unsafe { libc::unshare(libc::CLONE_NEWNET) } < 0 {
            return Err(NativeError::from(SysError::last("unshare", None)).during(operation));
        }
        let ns = std::fs::File::open("/proc/thread-self/ns/net")
            .map_err(|e| NativeError::from(SysError::from_io("open", Some("/proc/thread-self/ns/net"), &e)).during(operation))?;
        let nl = HostRtnl::open().map_err(|e| NativeError::from(e).during(operation))?;
        crate::netlink::link_set(&nl, "lo", &LinkChange { up: Some(true), ..Default::default() })?;
        Ok(OwnedFd::from(ns))
    })
}

/// Runs `f` on a new thread and waits for its result.
fn on_fresh_thread<T, F>(operation: &str, f: F) -> Result<T, NativeError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, NativeError> + Send + 'static,
{
    let handle = std::thread::Builder::new()
        .name("berth-netns".into())
        .spawn(f)
        .map_err(|e| NativeError::from(SysError::from_io("pthread_create", None, &e)).during(operation))?;
    match handle.join() {
        Ok(result) => result,
        Err(_) => Err(NativeError::from(
            SysError::with_errno("pthread_join", None, libc::EFAULT).explained("the namespace thread panicked"),
        )
        .during(operation)),
    }
}

/// Joins the network namespace at `path` (this thread only).
fn enter(path: &str) -> Result<(), NativeError> {
    let operation = format!("enter network namespace '{path}'");
    let c = CString::new(path)
        .map_err(|_| NativeError::from(ArgError::new("netns", "contains a NUL byte")).during(&operation))?;
    // SAFETY: a valid C string; the fd is closed below on every path.
    let fd = unsafe { libc::open(c.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
    if fd < 0 {
        return Err(NativeError::from(SysError::last("open", Some(path))).during(&operation));
    }
    let ret = unsafe { libc::setns(fd, libc::CLONE_NEWNET) };
    let err = (ret < 0).then(|| SysError::last("setns", Some(path)));
    unsafe { libc::close(fd) };
    match err {
        Some(e) => Err(NativeError::from(e).during(&operation)),
        None => Ok(()),
    }
}

/// The /proc/sys path of a networking sysctl given as "net/ipv4/conf/berth0/route_localnet"
/// (slashes, not dots: interface names may contain dots).
pub fn sysctl_path(key: &str) -> Result<String, ArgError> {
    let ok = key.starts_with("net/") && !key.split('/').any(|p| p.is_empty() || p == "." || p == "..");
    if ok {
        Ok(format!("/proc/sys/{key}"))
    } else {
        Err(ArgError::new("key", format!("'{key}' is not a net/… sysctl path")))
    }
}

/// Writes a networking sysctl of the calling thread's namespace.
pub fn sysctl_write(key: &str, value: &str) -> Result<(), NativeError> {
    let operation = format!("sysctl write {key}={value}");
    let path = sysctl_path(key).map_err(|e| NativeError::from(e).during(&operation))?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .map_err(|e| NativeError::from(SysError::from_io("open", Some(&path), &e)).during(&operation))?;
    file.write_all(value.as_bytes())
        .map_err(|e| NativeError::from(SysError::from_io("write", Some(&path), &e)).during(&operation))
}

/// Reads a networking sysctl of the calling thread's namespace, without the trailing newline.
pub fn sysctl_read(key: &str) -> Result<String, NativeError> {
    let operation = format!("sysctl read {key}");
    let path = sysctl_path(key).map_err(|e| NativeError::from(e).during(&operation))?;
    std::fs::read_to_string(&path)
        .map(|s| s.trim_end().to_owned())
        .map_err(|e| NativeError::from(SysError::from_io("open", Some(&path), &e)).during(&operation))
}
