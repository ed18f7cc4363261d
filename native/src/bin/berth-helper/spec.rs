//! The subset of the OCI runtime-spec config.json berth's helper understands. Field names follow
//! the spec (camelCase on the wire); unknown fields are ignored, as runtimes must.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Annotation with the cgroup.procs files the init joins before exec (comma-separated, absolute).
pub const ANNOTATION_CGROUP_PROCS: &str = "berth.cgroup.procs";
/// Annotation that keeps the container's stdin open as a pipe ("open"); otherwise it is /dev/null.
pub const ANNOTATION_STDIN: &str = "berth.stdin";

/// config.json.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Spec {
    #[serde(default)]
    pub oci_version: String,
    pub process: Process,
    pub root: Root,
    #[serde(default)]
    pub hostname: Option<String>,
    #[serde(default)]
    pub mounts: Vec<Mount>,
    #[serde(default)]
    pub linux: Linux,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// The container's process (also the body of an `exec` request).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Process {
    #[serde(default)]
    pub terminal: bool,
    #[serde(default)]
    pub console_size: Option<ConsoleSize>,
    #[serde(default)]
    pub user: User,
    pub args: Vec<String>,
    #[serde(default)]
    pub env: Vec<String>,
    #[serde(default = "root_dir")]
    pub cwd: String,
    #[serde(default)]
    pub capabilities: Option<Capabilities>,
    #[serde(default)]
    pub rlimits: Vec<Rlimit>,
    #[serde(default)]
    pub no_new_privileges: bool,
}

fn root_dir() -> String {
    "/".into()
}

/// A terminal's initial size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct ConsoleSize {
    pub height: u16,
    pub width: u16,
}

/// Numeric credentials (the daemon resolves names from the image's /etc/passwd).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(default)]
    pub uid: u32,
    #[serde(default)]
    pub gid: u32,
    #[serde(default)]
    pub additional_gids: Vec<u32>,
    #[serde(default)]
    pub umask: Option<u32>,
}

/// Capability sets by name ("CAP_CHOWN"); an absent set is empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct Capabilities {
    #[serde(default)]
    pub bounding: Vec<String>,
    #[serde(default)]
    pub effective: Vec<String>,
    #[serde(default)]
    pub permitted: Vec<String>,
    #[serde(default)]
    pub ambient: Vec<String>,
}

/// One resource limit, e.g. RLIMIT_NOFILE.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Rlimit {
    #[serde(rename = "type")]
    pub kind: String,
    pub hard: u64,
    pub soft: u64,
}

/// The root filesystem, a directory on the host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct Root {
    pub path: String,
    #[serde(default)]
    pub readonly: bool,
}

/// One mount, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct Mount {
    pub destination: String,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub options: Vec<String>,
}

/// Linux-specific settings.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Linux {
    #[serde(default)]
    pub namespaces: Vec<Namespace>,
    #[serde(default)]
    pub uid_mappings: Vec<IdMapping>,
    #[serde(default)]
    pub gid_mappings: Vec<IdMapping>,
    #[serde(default)]
    pub masked_paths: Vec<String>,
    #[serde(default)]
    pub readonly_paths: Vec<String>,
    #[serde(default)]
    pub sysctl: BTreeMap<String, String>,
    /// The seccomp profile, kept as JSON here and read by seccomp.rs.
    #[serde(default)]
    pub seccomp: Option<serde_json::Value>,
}

/// A namespace to create (no path) or to join (path).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Namespace {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub path: Option<String>,
}

/// One line of uid_map / gid_map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdMapping {
    #[serde(rename = "containerID")]
    pub container_id: u32,
    #[serde(rename = "hostID")]
    pub host_id: u32,
    pub size: u32,
}

impl Spec {
    /// Parses config.json text; the error says which field was wrong.
    pub fn parse(text: &str) -> Result<Spec, String> {
        let spec: Spec = serde_json::from_str(text).map_err(|e| format!("parse config.json: {e}"))?;
        spec.check()?;
        Ok(spec)
    }

    fn check(&self) -> Result<(), String> {
        if self.process.args.is_empty() {
            return Err("config.json: process.args is empty".into());
        }
        if !self.root.path.starts_with('/') {
            return Err(format!("config.json: root.path {:?} is not absolute", self.root.path));
        }
        for ns in &self.linux.namespaces {
            ns_flag(&ns.kind).ok_or_else(|| format!("config.json: unknown namespace type {:?}", ns.kind))?;
        }
        for m in &self.mounts {
            if !m.destination.starts_with('/') {
                return Err(format!("config.json: mount destination {:?} is not absolute", m.destination));
            }
        }
        Ok(())
    }

    /// The cgroup.procs files from the berth annotation. v1 hierarchy names have commas of their
    /// own (`cpu,cpuacct`), so a comma only separates paths where an absolute path follows it.
    pub fn cgroup_procs(&self) -> Vec<String> {
        let Some(v) = self.annotations.get(ANNOTATION_CGROUP_PROCS) else { return Vec::new() };
        let mut out: Vec<String> = Vec::new();
        for piece in v.split(',') {
            match out.last_mut() {
                Some(last) if !piece.trim_start().starts_with('/') => {
                    last.push(',');
                    last.push_str(piece);
                }
                _ => out.push(piece.trim_start().to_string()),
            }
        }
        out.into_iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
    }

    /// Whether stdin stays open as a pipe.
    pub fn stdin_open(&self) -> bool {
        self.annotations.get(ANNOTATION_STDIN).map(String::as_str) == Some("open")
    }

    /// The namespace entry of one type, if the spec lists it.
    pub fn namespace(&self, kind: &str) -> Option<&Namespace> {
        self.linux.namespaces.iter().find(|n| n.kind == kind)
    }
}

/// The clone flag of a namespace type as the spec names it.
pub fn ns_flag(kind: &str) -> Option<libc::c_int> {
    Some(match kind {
        "pid" => libc::CLONE_NEWPID,
        "network" => libc::CLONE_NEWNET,
        "mount" => libc::CLONE_NEWNS,
        "ipc" => libc::CLONE_NEWIPC,
        "uts" => libc::CLONE_NEWUTS,
        "user" => libc::CLONE_NEWUSER,
        "cgroup" => libc::CLONE_NEWCGROUP,
        _ => return None,
    })
}

/// The /proc/PID/ns file name of a namespace type.
pub fn ns_proc_name(kind: &str) -> &'static str {
    match kind {
        "pid" => "pid",
        "network" => "net",
        "mount" => "mnt",
        "ipc" => "ipc",
        "uts" => "uts",
        "user" => "user",
        _ => "cgroup",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{"ociVersion":"1.0.2","process":{"args":["sh"]},"root":{"path":"/r"}}"#;

    #[test]
    fn minimal_spec_gets_defaults() {
        let s = Spec::parse(MINIMAL).unwrap();
        assert_eq!(s.process.cwd, "/");
        assert_eq!(s.process.user, User::default());
        assert!(!s.process.terminal);
        assert!(s.mounts.is_empty());
        assert!(s.cgroup_procs().is_empty());
        assert!(!s.stdin_open());
    }

    #[test]
    fn full_spec_fields_parse() {
        let text = r#"{"ociVersion":"1.0.2","hostname":"box",
          "process":{"terminal":true,"user":{"uid":1,"gid":2,"additionalGids":[3],"umask":18},
            "args":["sh","-c","true"],"env":["A=1"],"cwd":"/tmp",
            "capabilities":{"bounding":["CAP_KILL"],"effective":["CAP_KILL"]},
            "rlimits":[{"type":"RLIMIT_NOFILE","hard":10,"soft":5}],"noNewPrivileges":true},
          "root":{"path":"/r","readonly":true},
          "mounts":[{"destination":"/proc","type":"proc","source":"proc","options":["nosuid"]}],
          "linux":{"namespaces":[{"type":"pid"},{"type":"network","path":"/proc/1/ns/net"}],
            "uidMappings":[{"containerID":0,"hostID":1000,"size":1}],
            "maskedPaths":["/proc/kcore"],"readonlyPaths":["/proc/sys"],"sysctl":{"net.ipv4.ip_forward":"1"},
            "seccomp":{"defaultAction":"SCMP_ACT_ERRNO"}},
          "annotations":{"berth.cgroup.procs":"/a/cgroup.procs, /b/cgroup.procs","berth.stdin":"open"}}"#;
        let s = Spec::parse(text).unwrap();
        assert_eq!(s.hostname.as_deref(), Some("box"));
        assert_eq!(s.process.user.additional_gids, vec![3]);
        assert_eq!(s.process.user.umask, Some(18));
        assert_eq!(s.process.rlimits[0].kind, "RLIMIT_NOFILE");
        assert_eq!(s.linux.uid_mappings[0], IdMapping { container_id: 0, host_id: 1000, size: 1 });
        assert_eq!(s.namespace("network").unwrap().path.as_deref(), Some("/proc/1/ns/net"));
        assert_eq!(s.cgroup_procs(), vec!["/a/cgroup.procs", "/b/cgroup.procs"]);
        let mut commas = s.clone();
        commas.annotations.insert(ANNOTATION_CGROUP_PROCS.into(), "/c/cpu,cpuacct/x/cgroup.procs,/c/memory/x/cgroup.procs".into());
        assert_eq!(commas.cgroup_procs(), vec!["/c/cpu,cpuacct/x/cgroup.procs", "/c/memory/x/cgroup.procs"]);
        assert!(s.stdin_open());
        assert!(s.root.readonly);
    }

    #[test]
    fn bad_specs_are_refused_with_the_field() {
        let no_args = r#"{"process":{"args":[]},"root":{"path":"/r"}}"#;
        assert!(Spec::parse(no_args).unwrap_err().contains("process.args"));
        let rel = r#"{"process":{"args":["x"]},"root":{"path":"r"}}"#;
        assert!(Spec::parse(rel).unwrap_err().contains("root.path"));
        let ns = r#"{"process":{"args":["x"]},"root":{"path":"/r"},"linux":{"namespaces":[{"type":"time"}]}}"#;
        assert!(Spec::parse(ns).unwrap_err().contains("\"time\""));
        let missing = r#"{"root":{"path":"/r"}}"#;
        assert!(Spec::parse(missing).unwrap_err().contains("process"));
    }

    #[test]
    fn namespace_flags() {
        assert_eq!(ns_flag("pid"), Some(libc::CLONE_NEWPID));
        assert_eq!(ns_flag("network"), Some(libc::CLONE_NEWNET));
        assert_eq!(ns_proc_name("network"), "net");
        assert_eq!(ns_flag("bogus"), None);
    }
}
