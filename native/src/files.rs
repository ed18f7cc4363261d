//! File operations Node's fs lacks and layer unpacking needs: device nodes (overlay whiteouts are
//! char 0/0), extended attributes (overlay's opaque marker), and ownership and times of symlinks.
//! Nothing here follows a final symlink; every syscall goes through [`FileSys`].

pub mod host;

#[cfg(test)]
mod fake;
#[cfg(test)]
mod tests;

use crate::error::{ArgError, NativeError, SysError};

/// A time as the kernel takes it: seconds and nanoseconds (0..1e9) since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timespec {
    pub sec: i64,
    pub nsec: i64,
}

impl Timespec {
    /// Nanoseconds since the epoch, negative before 1970.
    pub fn from_nanos(ns: i64) -> Self {
        Timespec {
            sec: ns.div_euclid(1_000_000_000),
            nsec: ns.rem_euclid(1_000_000_000),
        }
    }
}

/// The file syscalls berth makes, none following a final symlink.
pub trait FileSys {
    /// mknod(2); `mode` holds the file type bits and the permissions (the umask still applies).
    fn mknod(&self, path: &str, mode: u32, dev: u64) -> Result<(), SysError>;
    /// fchmodat2(2) with AT_SYMLINK_NOFOLLOW when `nofollow`, else fchmodat(2).
    fn chmod(&self, path: &str, mode: u32, nofollow: bool) -> Result<(), SysError>;
    /// lsetxattr(2), creating or replacing the attribute.
    fn lsetxattr(&self, path: &str, name: &str, value: &[u8]) -> Result<(), SysError>;
    /// lgetxattr(2); an empty `buf` asks for the size.
    fn lgetxattr(&self, path: &str, name: &str, buf: &mut [u8]) -> Result<usize, SysError>;
    /// llistxattr(2); an empty `buf` asks for the size.
    fn llistxattr(&self, path: &str, buf: &mut [u8]) -> Result<usize, SysError>;
    /// lchown(2).
    fn lchown(&self, path: &str, uid: u32, gid: u32) -> Result<(), SysError>;
    /// utimensat(2) with AT_SYMLINK_NOFOLLOW.
    fn utimens_nofollow(&self, path: &str, atime: Timespec, mtime: Timespec) -> Result<(), SysError>;
}

/// The node kinds `mknod` creates (regular files, directories and links have their own calls).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Char,
    Block,
    Fifo,
}

impl NodeKind {
    /// The JS names: "char", "block", "fifo".
    pub fn parse(name: &str) -> Result<Self, ArgError> {
        match name {
            "char" => Ok(NodeKind::Char),
            "block" => Ok(NodeKind::Block),
            "fifo" => Ok(NodeKind::Fifo),
            other => Err(ArgError::new(
                "type",
                format!("'{other}' is not one of char, block, fifo"),
            )),
        }
    }

    fn type_bits(self) -> u32 {
        match self {
            NodeKind::Char => libc::S_IFCHR,
            NodeKind::Block => libc::S_IFBLK,
            NodeKind::Fifo => libc::S_IFIFO,
        }
    }
}

/// What to create: kind, device numbers (ignored for fifos) and permission bits (incl. suid/sticky).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeSpec {
    pub kind: NodeKind,
    pub major: u32,
    pub minor: u32,
    pub mode: u32,
}

/// Creates the node with exactly `spec.mode`: mknod(2) applies the process umask, which a
/// multithreaded process cannot change safely, so the mode is set again right after.
pub fn mknod(sys: &dyn FileSys, path: &str, spec: NodeSpec) -> Result<(), NativeError> {
    let during = |e: SysError| NativeError::from(e).during(&format!("mknod of '{path}'"));
    if spec.mode & !0o7777 != 0 {
        let detail = format!("{:#o} has bits outside 0o7777", spec.mode);
        return Err(NativeError::from(ArgError::new("mode", detail)).during(&format!("mknod of '{path}'")));
    }
    let dev = match spec.kind {
        NodeKind::Fifo => 0,
        _ => libc::makedev(spec.major, spec.minor),
    };
    sys.mknod(path, spec.kind.type_bits() | spec.mode, dev)
        .map_err(during)?;
    chmod_nofollow(sys, path, spec.mode).map_err(during)
}

/// fchmodat2 (Linux 6.6+) refuses to follow a symlink; before it, plain fchmodat is the only way,
/// safe here because mknod has just created the node.
fn chmod_nofollow(sys: &dyn FileSys, path: &str, mode: u32) -> Result<(), SysError> {
    match sys.chmod(path, mode, true) {
        Err(e) if e.errno == libc::ENOSYS => sys.chmod(path, mode, false),
        other => other,
    }
}

/// Sets the attribute `name` on `path` itself (a symlink is not followed).
pub fn lsetxattr(sys: &dyn FileSys, path: &str, name: &str, value: &[u8]) -> Result<(), NativeError> {
    sys.lsetxattr(path, name, value)
        .map_err(|e| NativeError::from(e).during(&format!("xattr write of '{name}' on '{path}'")))
}

/// How often a value may change size between the size query and the read before we give up.
const SIZE_RACE_RETRIES: usize = 4;

/// The attribute's value, or None when `path` has no such attribute (ENODATA).
pub fn lgetxattr(sys: &dyn FileSys, path: &str, name: &str) -> Result<Option<Vec<u8>>, NativeError> {
    let read = |buf: &mut [u8]| sys.lgetxattr(path, name, buf);
    match read_sized(read) {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.errno == libc::ENODATA => Ok(None),
        Err(e) => Err(NativeError::from(e).during(&format!("xattr read of '{name}' on '{path}'"))),
    }
}

/// The attribute names on `path` itself, in the kernel's order.
pub fn llistxattr(sys: &dyn FileSys, path: &str) -> Result<Vec<String>, NativeError> {
    let list = read_sized(|buf| sys.llistxattr(path, buf))
        .map_err(|e| NativeError::from(e).during(&format!("xattr list of '{path}'")))?;
    Ok(list
        .split(|&b| b == 0)
        .filter(|name| !name.is_empty())
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .collect())
}

/// The size-query-then-read dance of the xattr calls, retried when the value grows in between (ERANGE).
fn read_sized(read: impl Fn(&mut [u8]) -> Result<usize, SysError>) -> Result<Vec<u8>, SysError> {
    let mut last = None;
    for _ in 0..SIZE_RACE_RETRIES {
        let size = read(&mut [])?;
        if size == 0 {
            return Ok(Vec::new());
        }
        let mut buf = vec![0u8; size];
        match read(&mut buf) {
            Ok(n) => {
                buf.truncate(n);
                return Ok(buf);
            }
            Err(e) if e.errno == libc::ERANGE => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.expect("the loop ran at least once"))
}

/// Changes the owner of `path` itself (a symlink is not followed).
pub fn lchown(sys: &dyn FileSys, path: &str, uid: u32, gid: u32) -> Result<(), NativeError> {
    sys.lchown(path, uid, gid)
        .map_err(|e| NativeError::from(e).during(&format!("lchown of '{path}'")))
}

/// Sets access and modification times of `path` itself, in nanoseconds since the epoch.
pub fn utimens_nofollow(sys: &dyn FileSys, path: &str, atime_ns: i64, mtime_ns: i64) -> Result<(), NativeError> {
    sys.utimens_nofollow(path, Timespec::from_nanos(atime_ns), Timespec::from_nanos(mtime_ns))
        .map_err(|e| NativeError::from(e).during(&format!("time change of '{path}'")))
}
