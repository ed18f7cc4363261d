//! Resolving a container path to a host path inside the rootfs without ever leaving it: each
//! component is looked up in turn, a symlink is followed as if the rootfs were `/` (an absolute
//! target restarts at the rootfs, `..` stops at it), like openat2's RESOLVE_IN_ROOT. Mount targets
//! go through here so an image cannot point /proc or a volume at the host with a symlink.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// What is at a path, without following a final symlink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Missing,
    Dir,
    File,
    Symlink,
}

/// The filesystem calls resolution needs; a fake in tests, the host in the init.
pub trait FsView {
    /// lstat(2), reduced to a [`Kind`].
    fn kind(&self, path: &Path) -> Result<Kind>;
    /// readlink(2).
    fn readlink(&self, path: &Path) -> Result<PathBuf>;
    /// mkdir(2) with mode 0755.
    fn mkdir(&self, path: &Path) -> Result<()>;
    /// Creates an empty file (a bind-mount target for a file).
    fn touch(&self, path: &Path) -> Result<()>;
}

/// Linux's limit on symlinks followed in one lookup.
const MAX_LINKS: u32 = 40;

fn components(p: &Path) -> impl Iterator<Item = String> + '_ {
    p.iter().filter_map(|c| {
        let s = c.to_string_lossy();
        (s != "/" && s != "." && !s.is_empty()).then(|| s.into_owned())
    })
}

/// The host path of `path` (a container path) under `root`, every existing symlink resolved inside root.
pub fn resolve(fs: &dyn FsView, root: &Path, path: &str) -> Result<PathBuf> {
    let mut todo: VecDeque<String> = components(Path::new(path)).collect();
    let mut done: Vec<String> = Vec::new();
    let mut links = 0;
    while let Some(c) = todo.pop_front() {
        if c == ".." {
            done.pop();
            continue;
        }
        let candidate = join(root, &done).join(&c);
        if fs.kind(&candidate)? != Kind::Symlink {
            done.push(c);
            continue;
        }
        links += 1;
        if links > MAX_LINKS {
            return Err(Error::errno(format!("resolve {path} in {}", root.display()), libc::ELOOP));
        }
        let target = fs.readlink(&candidate)?;
        if target.is_absolute() {
            done.clear();
        }
        for t in components(&target).collect::<Vec<_>>().into_iter().rev() {
            todo.push_front(t);
        }
    }
    Ok(join(root, &done))
}

fn join(root: &Path, parts: &[String]) -> PathBuf {
    parts.iter().fold(root.to_path_buf(), |p, c| p.join(c))
}

/// Resolves `path` and creates what is missing: directories, and the last component as a file
/// when `file` is set (a bind of a file needs a file to mount on). Returns the host path.
pub fn ensure(fs: &dyn FsView, root: &Path, path: &str, file: bool) -> Result<PathBuf> {
    let host = resolve(fs, root, path)?;
    let rel = host.strip_prefix(root).map_err(|_| Error::msg(format!("resolve {path}"), "escaped the rootfs"))?;
    let parts: Vec<String> = components(rel).collect();
    let mut cur = root.to_path_buf();
    for (i, c) in parts.iter().enumerate() {
        cur.push(c);
        let last = i + 1 == parts.len();
        match fs.kind(&cur)? {
            Kind::Missing if last && file => fs.touch(&cur)?,
            Kind::Missing => fs.mkdir(&cur)?,
            // A symlink appearing now means the tree changed under us: refuse rather than follow.
            Kind::Symlink => return Err(Error::errno(format!("create {path} in {}", root.display()), libc::ELOOP)),
            _ => {}
        }
    }
    Ok(host)
}

/// The host's filesystem.
pub struct HostFs;

impl FsView for HostFs {
    fn kind(&self, path: &Path) -> Result<Kind> {
        match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => Ok(Kind::Symlink),
            Ok(m) if m.is_dir() => Ok(Kind::Dir),
            Ok(_) => Ok(Kind::File),
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(Kind::Missing),
            Err(e) => Err(Error::io(format!("lstat {}", path.display()), &e)),
        }
    }

    fn readlink(&self, path: &Path) -> Result<PathBuf> {
        std::fs::read_link(path).map_err(|e| Error::io(format!("readlink {}", path.display()), &e))
    }

    fn mkdir(&self, path: &Path) -> Result<()> {
        match std::fs::create_dir(path) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(Error::io(format!("mkdir {}", path.display()), &e)),
            _ => Ok(()),
        }
    }

    fn touch(&self, path: &Path) -> Result<()> {
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map(|_| ())
            .map_err(|e| Error::io(format!("create {}", path.display()), &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    /// An in-memory tree: path → Kind, symlink targets, and a log of what was created.
    #[derive(Default)]
    struct Fake {
        kinds: RefCell<BTreeMap<PathBuf, Kind>>,
        links: BTreeMap<PathBuf, PathBuf>,
        created: RefCell<Vec<String>>,
    }

    impl Fake {
        fn dir(mut self, p: &str) -> Self {
            self.kinds.get_mut().insert(p.into(), Kind::Dir);
            self
        }
        fn link(mut self, p: &str, to: &str) -> Self {
            self.kinds.get_mut().insert(p.into(), Kind::Symlink);
            self.links.insert(p.into(), to.into());
            self
        }
    }

    impl FsView for Fake {
        fn kind(&self, p: &Path) -> Result<Kind> {
            Ok(*self.kinds.borrow().get(p).unwrap_or(&Kind::Missing))
        }
        fn readlink(&self, p: &Path) -> Result<PathBuf> {
            Ok(self.links[p].clone())
        }
        fn mkdir(&self, p: &Path) -> Result<()> {
            self.created.borrow_mut().push(format!("dir {}", p.display()));
            self.kinds.borrow_mut().insert(p.into(), Kind::Dir);
            Ok(())
        }
        fn touch(&self, p: &Path) -> Result<()> {
            self.created.borrow_mut().push(format!("file {}", p.display()));
            self.kinds.borrow_mut().insert(p.into(), Kind::File);
            Ok(())
        }
    }

    fn r(fs: &Fake, p: &str) -> String {
        resolve(fs, Path::new("/r"), p).unwrap().display().to_string()
    }

    #[test]
    fn plain_paths_join_the_root() {
        let fs = Fake::default().dir("/r/proc");
        assert_eq!(r(&fs, "/proc"), "/r/proc");
        assert_eq!(r(&fs, "/a/./b/"), "/r/a/b");
    }

    #[test]
    fn dotdot_stops_at_the_root() {
        let fs = Fake::default();
        assert_eq!(r(&fs, "/../../etc"), "/r/etc");
        assert_eq!(r(&fs, "/a/../b"), "/r/b");
    }

    #[test]
    fn absolute_symlinks_restart_at_the_root() {
        let fs = Fake::default().link("/r/proc", "/etc");
        assert_eq!(r(&fs, "/proc"), "/r/etc");
        let fs = Fake::default().link("/r/x", "/");
        assert_eq!(r(&fs, "/x/y"), "/r/y");
    }

    #[test]
    fn relative_symlinks_cannot_climb_out() {
        let fs = Fake::default().dir("/r/a").link("/r/a/up", "../../../../host");
        assert_eq!(r(&fs, "/a/up/file"), "/r/host/file");
    }

    #[test]
    fn symlink_loops_end_in_eloop() {
        let fs = Fake::default().link("/r/a", "/b").link("/r/b", "/a");
        let e = resolve(&fs, Path::new("/r"), "/a").unwrap_err();
        assert_eq!(e.errno, Some(libc::ELOOP));
    }

    #[test]
    fn ensure_creates_missing_dirs_and_a_file_target() {
        let fs = Fake::default().dir("/r/etc");
        let host = ensure(&fs, Path::new("/r"), "/etc/x/hosts", true).unwrap();
        assert_eq!(host, PathBuf::from("/r/etc/x/hosts"));
        assert_eq!(*fs.created.borrow(), vec!["dir /r/etc/x", "file /r/etc/x/hosts"]);
    }

    #[test]
    fn ensure_follows_links_inside_the_root_only() {
        let fs = Fake::default().link("/r/data", "/var/lib/data");
        let host = ensure(&fs, Path::new("/r"), "/data", false).unwrap();
        assert_eq!(host, PathBuf::from("/r/var/lib/data"));
        assert_eq!(*fs.created.borrow(), vec!["dir /r/var", "dir /r/var/lib", "dir /r/var/lib/data"]);
    }
}
