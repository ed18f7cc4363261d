//! Helpers both managers share: reading and writing interface files, creating levels, waiting for
//! a state file, removing a cgroup tree.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::fs::CgroupFs;
use crate::error::{DataError, NativeError, SysError};

/// Longest total wait for a freezer state before giving up.
pub const STATE_WAIT: Duration = Duration::from_secs(5);
/// rmdir retries on EBUSY: the kernel frees a cgroup shortly after its last process has exited.
const RMDIR_DELAYS_MS: [u64; 6] = [10, 20, 40, 80, 160, 320];

pub fn show(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

pub fn write(fs: &dyn CgroupFs, dir: &Path, file: &str, value: &str) -> Result<(), NativeError> {
    Ok(fs.write(&dir.join(file), value)?)
}

pub fn read(fs: &dyn CgroupFs, path: &Path) -> Result<String, NativeError> {
    Ok(fs.read(path)?)
}

/// The file's text, or None when it does not exist (the controller is absent).
pub fn read_opt(fs: &dyn CgroupFs, path: &Path) -> Result<Option<String>, NativeError> {
    match fs.read(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.errno == libc::ENOENT => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Parses `text` read from `path`, or fails naming the file.
pub fn parse<T>(path: &Path, text: &str, what: &str, parser: impl Fn(&str) -> Option<T>) -> Result<T, NativeError> {
    parser(text).ok_or_else(|| {
        DataError {
            operation: String::new(),
            path: show(path),
            detail: format!("no readable {what}"),
        }
        .into()
    })
}

/// An optional stats file, parsed; None when it does not exist.
pub fn stat<T>(
    fs: &dyn CgroupFs,
    path: &Path,
    what: &str,
    parser: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, NativeError> {
    read_opt(fs, path)?
        .map(|text| parse(path, &text, what, parser))
        .transpose()
}

/// mkdir -p over `levels` (top first); `each` runs on every level, new or not.
pub fn make_levels(
    fs: &dyn CgroupFs,
    levels: &[PathBuf],
    mut each: impl FnMut(&Path) -> Result<(), NativeError>,
) -> Result<(), NativeError> {
    for dir in levels {
        match fs.mkdir(dir) {
            Ok(()) => {}
            Err(e) if e.errno == libc::EEXIST => {}
            Err(e) => return Err(e.into()),
        }
        each(dir)?;
    }
    Ok(())
}

/// Polls `reached` until it says yes, calling `nudge` before each poll (a v1 freezer may need the
/// state written again). Gives up with EBUSY on `state_file` after [`STATE_WAIT`] of pauses.
pub fn wait_for(
    fs: &dyn CgroupFs,
    state_file: &Path,
    want: &str,
    reached: impl Fn() -> Result<bool, NativeError>,
    nudge: impl Fn() -> Result<(), NativeError>,
) -> Result<(), NativeError> {
    let mut waited = Duration::ZERO;
    let mut delay = Duration::from_millis(1);
    loop {
        nudge()?;
        if reached()? {
            return Ok(());
        }
        if waited >= STATE_WAIT {
            let e = SysError::with_errno("read", Some(&show(state_file)), libc::EBUSY);
            return Err(e
                .explained(format!("not {want} after {} ms", waited.as_millis()))
                .into());
        }
        fs.pause(delay);
        waited += delay;
        delay = (delay * 2).min(Duration::from_millis(64));
    }
}

/// Removes `dir` and every child cgroup below it, deepest first. Missing is fine.
pub fn remove_tree(fs: &dyn CgroupFs, dir: &Path) -> Result<(), NativeError> {
    let children = match fs.subdirs(dir) {
        Ok(children) => children,
        Err(e) if e.errno == libc::ENOENT => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    for child in children {
        remove_tree(fs, &child)?;
    }
    rmdir_retrying(fs, dir)
}

fn rmdir_retrying(fs: &dyn CgroupFs, dir: &Path) -> Result<(), NativeError> {
    let mut delays = RMDIR_DELAYS_MS.iter();
    loop {
        match fs.rmdir(dir) {
            Ok(()) => return Ok(()),
            Err(e) if e.errno == libc::ENOENT => return Ok(()),
            Err(e) if e.errno == libc::EBUSY => match delays.next() {
                Some(ms) => fs.pause(Duration::from_millis(*ms)),
                None => return Err(e.into()),
            },
            Err(e) => return Err(e.into()),
        }
    }
}
