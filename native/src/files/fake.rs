//! An in-memory [`FileSys`]: xattrs in a map, other calls recorded; chosen calls fail.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use super::{FileSys, Timespec};
use crate::error::SysError;

/// Records calls as strings; xattrs live in `xattrs` keyed by (path, name).
#[derive(Default)]
pub struct FakeFiles {
    pub calls: RefCell<Vec<String>>,
    pub xattrs: RefCell<BTreeMap<(String, String), Vec<u8>>>,
    /// (syscall, errno): every call of that syscall fails.
    pub failures: RefCell<Vec<(&'static str, i32)>>,
    /// Grow each value by one byte after this many size queries, to exercise the ERANGE retry.
    pub grow_after_queries: Cell<Option<usize>>,
}

impl FakeFiles {
    fn call(&self, syscall: &'static str, text: String, path: &str) -> Result<(), SysError> {
        self.calls.borrow_mut().push(text);
        match self.failures.borrow().iter().find(|(name, _)| *name == syscall) {
            Some((_, errno)) => Err(SysError::with_errno(syscall, Some(path), *errno)),
            None => Ok(()),
        }
    }

    fn maybe_grow(&self, key: &(String, String)) {
        if let Some(n) = self.grow_after_queries.get() {
            if n == 0 {
                self.xattrs.borrow_mut().entry(key.clone()).and_modify(|v| v.push(b'+'));
                self.grow_after_queries.set(None);
            } else {
                self.grow_after_queries.set(Some(n - 1));
            }
        }
    }
}

fn copy_out(data: &[u8], buf: &mut [u8], syscall: &'static str, path: &str) -> Result<usize, SysError> {
    if buf.is_empty() {
        return Ok(data.len());
    }
    if buf.len() < data.len() {
        return Err(SysError::with_errno(syscall, Some(path), libc::ERANGE));
    }
    buf[..data.len()].copy_from_slice(data);
    Ok(data.len())
}

impl FileSys for FakeFiles {
    fn mknod(&self, path: &str, mode: u32, dev: u64) -> Result<(), SysError> {
        self.call("mknod", format!("mknod {path} {mode:o} {dev}"), path)
    }

    fn chmod(&self, path: &str, mode: u32, nofollow: bool) -> Result<(), SysError> {
        let name = if nofollow { "fchmodat2" } else { "fchmodat" };
        self.call(name, format!("{name} {path} {mode:o}"), path)
    }

    fn lsetxattr(&self, path: &str, name: &str, value: &[u8]) -> Result<(), SysError> {
        self.call("lsetxattr", format!("lsetxattr {path} {name}"), path)?;
        self.xattrs
            .borrow_mut()
            .insert((path.into(), name.into()), value.to_vec());
        Ok(())
    }

    fn lgetxattr(&self, path: &str, name: &str, buf: &mut [u8]) -> Result<usize, SysError> {
        self.call("lgetxattr", format!("lgetxattr {path} {name} {}", buf.len()), path)?;
        let key = (path.to_string(), name.to_string());
        let value = self.xattrs.borrow().get(&key).cloned();
        let value = value.ok_or_else(|| SysError::with_errno("lgetxattr", Some(path), libc::ENODATA))?;
        if buf.is_empty() {
            self.maybe_grow(&key);
        }
        copy_out(&value, buf, "lgetxattr", path)
    }

    fn llistxattr(&self, path: &str, buf: &mut [u8]) -> Result<usize, SysError> {
        self.call("llistxattr", format!("llistxattr {path} {}", buf.len()), path)?;
        let mut list = Vec::new();
        for (p, name) in self.xattrs.borrow().keys() {
            if p == path {
                list.extend_from_slice(name.as_bytes());
                list.push(0);
            }
        }
        copy_out(&list, buf, "llistxattr", path)
    }

    fn lchown(&self, path: &str, uid: u32, gid: u32) -> Result<(), SysError> {
        self.call("lchown", format!("lchown {path} {uid}:{gid}"), path)
    }

    fn utimens_nofollow(&self, path: &str, atime: Timespec, mtime: Timespec) -> Result<(), SysError> {
        let text = format!(
            "utimensat {path} {}.{} {}.{}",
            atime.sec, atime.nsec, mtime.sec, mtime.nsec
        );
        self.call("utimensat", text, path)
    }
}
