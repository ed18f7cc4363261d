//! A tmpdir that behaves enough like cgroupfs for the managers' tests: mkdir creates the interface
//! files the kernel would (only for controllers the parent enabled, on v2), rmdir drops them and
//! refuses a cgroup with processes (EBUSY), and chosen reads and writes follow a script.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::fs::{CgroupFs, HostFs};
use crate::error::SysError;

/// Which interface files mkdir creates.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    V1,
    V2,
}

pub struct KernelLikeFs {
    pub root: tempfile::TempDir,
    kind: Kind,
    host: HostFs,
    /// Scripted answers per file: popped in order, the last one repeats.
    pub reads: RefCell<HashMap<PathBuf, VecDeque<String>>>,
    /// (file name, errno, how many times) for writes that fail.
    pub write_failures: RefCell<Vec<(String, i32, u32)>>,
    pub writes: RefCell<Vec<(String, String)>>,
    pub pauses: RefCell<Vec<Duration>>,
    /// rmdir answers EBUSY this many more times.
    pub busy_rmdirs: Cell<u32>,
}

const V1_FILES: &[(&str, &[(&str, &str)])] = &[
    (
        "cpu",
        &[
            ("cpu.shares", "1024"),
            ("cpu.cfs_period_us", "100000"),
            ("cpu.cfs_quota_us", "-1"),
        ],
    ),
    ("cpuacct", &[("cpuacct.usage", "0")]),
    ("cpuset", &[("cpuset.cpus", ""), ("cpuset.mems", "")]),
    (
        "memory",
        &[
            ("memory.limit_in_bytes", "9223372036854771712"),
            ("memory.memsw.limit_in_bytes", "9223372036854771712"),
            ("memory.soft_limit_in_bytes", "9223372036854771712"),
            ("memory.usage_in_bytes", "0"),
            ("memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"),
        ],
    ),
    ("freezer", &[("freezer.state", "THAWED")]),
    ("pids", &[("pids.max", "max"), ("pids.current", "0")]),
    (
        "blkio",
        &[
            ("blkio.weight", "500"),
            ("blkio.throttle.io_service_bytes_recursive", "Total 0\n"),
        ],
    ),
];

const V2_FILES: &[(&str, &[(&str, &str)])] = &[
    ("cpu", &[("cpu.weight", "100"), ("cpu.max", "max 100000")]),
    ("cpuset", &[("cpuset.cpus", ""), ("cpuset.mems", "")]),
    (
        "memory",
        &[
            ("memory.max", "max"),
            ("memory.swap.max", "max"),
            ("memory.low", "0"),
            ("memory.current", "0"),
            ("memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n"),
        ],
    ),
    ("pids", &[("pids.max", "max"), ("pids.current", "0")]),
    ("io", &[("io.weight", "default 100"), ("io.stat", "")]),
];

impl KernelLikeFs {
    /// An empty tmpdir root; the test lays out the root files (see [`Self::put`]).
    pub fn new(kind: Kind) -> Self {
        KernelLikeFs {
            root: tempfile::tempdir().expect("tmpdir"),
            kind,
            host: HostFs,
            reads: RefCell::default(),
            write_failures: RefCell::default(),
            writes: RefCell::default(),
            pauses: RefCell::default(),
            busy_rmdirs: Cell::new(0),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    /// Writes a file under the root, creating its directories.
    pub fn put(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// A file's text under the root, trimmed.
    pub fn get(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel))
            .unwrap_or_else(|e| panic!("{rel}: {e}"))
            .trim()
            .to_string()
    }

    pub fn script_reads(&self, rel: &str, answers: &[&str]) {
        let queue = answers.iter().map(|s| s.to_string()).collect();
        self.reads.borrow_mut().insert(self.path(rel), queue);
    }

    pub fn fail_writes(&self, file: &str, errno: i32, times: u32) {
        self.write_failures.borrow_mut().push((file.into(), errno, times));
    }

    /// The written file names, in order, as "name=value".
    pub fn written(&self) -> Vec<String> {
        self.writes.borrow().iter().map(|(f, v)| format!("{f}={v}")).collect()
    }

    fn populate(&self, dir: &Path) {
        let files: Vec<(&str, String)> = match self.kind {
            Kind::V1 => self.v1_files(dir),
            Kind::V2 => self.v2_files(dir),
        };
        for (name, text) in files {
            fs::write(dir.join(name), text).unwrap();
        }
    }

    fn v1_files(&self, dir: &Path) -> Vec<(&'static str, String)> {
        let rel = dir.strip_prefix(self.root.path()).unwrap();
        let hierarchy = rel.components().next().unwrap().as_os_str().to_str().unwrap();
        let mut files = vec![("cgroup.procs", String::new())];
        if let Some((_, own)) = V1_FILES.iter().find(|(c, _)| *c == hierarchy) {
            files.extend(own.iter().map(|(f, t)| (*f, t.to_string())));
        }
        files
    }

    fn v2_files(&self, dir: &Path) -> Vec<(&'static str, String)> {
        let parent = fs::read_to_string(dir.parent().unwrap().join("cgroup.subtree_control")).unwrap_or_default();
        let enabled: Vec<&str> = parent.split_whitespace().map(|w| w.trim_start_matches('+')).collect();
        let mut files: Vec<(&str, String)> = [
            ("cgroup.procs", ""),
            ("cgroup.subtree_control", ""),
            ("cgroup.freeze", "0"),
            ("cgroup.events", "populated 0\nfrozen 0\n"),
            ("cpu.stat", "usage_usec 0\n"),
        ]
        .map(|(f, t)| (f, t.to_string()))
        .to_vec();
        files.push(("cgroup.controllers", enabled.join(" ")));
        for (c, own) in V2_FILES {
            if enabled.contains(c) {
                files.extend(own.iter().map(|(f, t)| (*f, t.to_string())));
            }
        }
        files
    }
}

impl CgroupFs for KernelLikeFs {
    fn read(&self, path: &Path) -> Result<String, SysError> {
        if let Some(queue) = self.reads.borrow_mut().get_mut(path) {
            return Ok(if queue.len() > 1 {
                queue.pop_front().unwrap()
            } else {
                queue[0].clone()
            });
        }
        self.host.read(path)
    }

    fn write(&self, path: &Path, value: &str) -> Result<(), SysError> {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        self.writes.borrow_mut().push((name.clone(), value.into()));
        for (file, errno, times) in self.write_failures.borrow_mut().iter_mut() {
            if *file == name && *times > 0 {
                *times -= 1;
                return Err(SysError::with_errno("write", Some(&path.to_string_lossy()), *errno));
            }
        }
        self.host.write(path, value)
    }

    fn mkdir(&self, path: &Path) -> Result<(), SysError> {
        self.host.mkdir(path)?;
        self.populate(path);
        Ok(())
    }

    fn rmdir(&self, path: &Path) -> Result<(), SysError> {
        let busy = |why| Err(SysError::with_errno("rmdir", Some(&path.to_string_lossy()), libc::EBUSY).explained(why));
        if self.busy_rmdirs.get() > 0 {
            self.busy_rmdirs.set(self.busy_rmdirs.get() - 1);
            return busy("scripted");
        }
        if !fs::read_to_string(path.join("cgroup.procs"))
            .unwrap_or_default()
            .trim()
            .is_empty()
        {
            return busy("has processes");
        }
        // cgroupfs drops its interface files with the directory.
        if let Ok(entries) = fs::read_dir(path) {
            for entry in entries.flatten().filter(|e| e.path().is_file()) {
                fs::remove_file(entry.path()).unwrap();
            }
        }
        self.host.rmdir(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, SysError> {
        self.host.exists(path)
    }

    fn subdirs(&self, path: &Path) -> Result<Vec<PathBuf>, SysError> {
        self.host.subdirs(path)
    }

    fn pause(&self, time: Duration) {
        self.pauses.borrow_mut().push(time);
    }
}
