//! JS surface of [`crate::files`].

use napi::bindgen_prelude::{AsyncTask, BigInt, Buffer};
use napi::Env;
use napi_derive::napi;

use crate::error::{ArgError, NativeError};
use crate::exports::task::{blocking, BlockingTask};
use crate::files::host::HostFiles;
use crate::files::{self, NodeKind, NodeSpec};
use crate::js_error;

#[napi(object)]
pub struct MknodOptions {
    /// "char", "block" or "fifo".
    #[napi(js_name = "type")]
    pub kind: String,
    pub major: Option<u32>,
    pub minor: Option<u32>,
    /// Permission bits (0o7777 at most), applied exactly despite the umask.
    pub mode: u32,
}

/// Creates a device node or fifo; an overlay whiteout is { type: 'char', major: 0, minor: 0, mode: 0 }.
#[napi]
pub fn mknod(env: Env, path: String, options: MknodOptions) -> napi::Result<()> {
    let result = NodeKind::parse(&options.kind)
        .map_err(|e| NativeError::from(e).during(&format!("mknod of '{path}'")))
        .and_then(|kind| {
            let spec = NodeSpec {
                kind,
                major: options.major.unwrap_or(0),
                minor: options.minor.unwrap_or(0),
                mode: options.mode,
            };
            files::mknod(&HostFiles, &path, spec)
        });
    result.map_err(|e| js_error::throw(&env, e))
}

/// Sets extended attribute `name` on `path` itself (a symlink is not followed).
#[napi]
pub fn lsetxattr(env: Env, path: String, name: String, value: Buffer) -> napi::Result<()> {
    files::lsetxattr(&HostFiles, &path, &name, &value).map_err(|e| js_error::throw(&env, e))
}

/// The value of extended attribute `name` on `path` itself, or null when it has none.
#[napi]
pub fn lgetxattr(env: Env, path: String, name: String) -> napi::Result<Option<Buffer>> {
    files::lgetxattr(&HostFiles, &path, &name)
        .map(|v| v.map(Buffer::from))
        .map_err(|e| js_error::throw(&env, e))
}

/// The extended attribute names on `path` itself.
#[napi]
pub fn llistxattr(env: Env, path: String) -> napi::Result<Vec<String>> {
    files::llistxattr(&HostFiles, &path).map_err(|e| js_error::throw(&env, e))
}

/// Changes the owner of `path` itself (a symlink is not followed).
#[napi]
pub fn lchown(env: Env, path: String, uid: u32, gid: u32) -> napi::Result<()> {
    files::lchown(&HostFiles, &path, uid, gid).map_err(|e| js_error::throw(&env, e))
}

fn nanos(name: &str, value: &BigInt) -> Result<i64, ArgError> {
    match value.get_i64() {
        (ns, true) => Ok(ns),
        _ => Err(ArgError::new(name, "does not fit in 64 bits of nanoseconds")),
    }
}

/// Sets atime and mtime of `path` itself, in nanoseconds since the epoch (bigint: exact).
#[napi]
pub fn utimens_no_follow(env: Env, path: String, atime_ns: BigInt, mtime_ns: BigInt) -> napi::Result<()> {
    let result = nanos("atimeNs", &atime_ns)
        .and_then(|a| Ok((a, nanos("mtimeNs", &mtime_ns)?)))
        .map_err(|e| NativeError::from(e).during(&format!("time change of '{path}'")))
        .and_then(|(a, m)| files::utimens_nofollow(&HostFiles, &path, a, m));
    result.map_err(|e| js_error::throw(&env, e))
}

/// Starts writing the open file `fd`'s dirty pages to disk and returns at once (the apply worker
/// calls it as a large file's data goes by, so a layer's final syncfs finds little left to write).
#[napi]
pub fn start_writeback(env: Env, fd: i32, path: String) -> napi::Result<()> {
    files::host::start_writeback(fd, &path).map_err(|e| js_error::throw(&env, NativeError::from(e).during(&format!("writeback of '{path}'"))))
}

/// syncfs(2) of the filesystem holding the directory `path`, off the event loop: makes what was
/// written there durable in one call (an unpacked layer before it is recorded).
#[napi(ts_return_type = "Promise<void>")]
pub fn sync_fs(path: String) -> AsyncTask<BlockingTask> {
    blocking(move || {
        files::host::syncfs(&path).map_err(|e| NativeError::from(e).during(&format!("sync of the filesystem of '{path}'")))
    })
}
