//! A spec mount's `options` split into mount(2) flags, propagation changes and the data string,
//! as runc and crun read them.

/// What one mount's options mean to mount(2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MountOpts {
    /// Flags for the mount itself (MS_NOSUID, MS_RDONLY, MS_BIND, MS_REC…).
    pub flags: libc::c_ulong,
    /// Propagation flags applied after the mount, one mount(2) call each (MS_PRIVATE…, maybe |MS_REC).
    pub propagation: Vec<libc::c_ulong>,
    /// Filesystem-specific options (mode=755, size=65536k, newinstance…), comma-joined.
    pub data: String,
}

impl MountOpts {
    /// Whether this is a bind mount (`bind` or `rbind`).
    pub fn is_bind(&self) -> bool {
        self.flags & libc::MS_BIND != 0
    }

    /// Whether the mount must end read-only.
    #[cfg(test)]
    pub fn readonly(&self) -> bool {
        self.flags & libc::MS_RDONLY != 0
    }
}

fn flag(opt: &str) -> Option<(bool, libc::c_ulong)> {
    // (clear instead of set, flag)
    Some(match opt {
        "ro" => (false, libc::MS_RDONLY),
        "rw" => (true, libc::MS_RDONLY),
        "nosuid" => (false, libc::MS_NOSUID),
        "suid" => (true, libc::MS_NOSUID),
        "nodev" => (false, libc::MS_NODEV),
        "dev" => (true, libc::MS_NODEV),
        "noexec" => (false, libc::MS_NOEXEC),
        "exec" => (true, libc::MS_NOEXEC),
        "sync" => (false, libc::MS_SYNCHRONOUS),
        "async" => (true, libc::MS_SYNCHRONOUS),
        "noatime" => (false, libc::MS_NOATIME),
        "atime" => (true, libc::MS_NOATIME),
        "nodiratime" => (false, libc::MS_NODIRATIME),
        "diratime" => (true, libc::MS_NODIRATIME),
        "relatime" => (false, libc::MS_RELATIME),
        "norelatime" => (true, libc::MS_RELATIME),
        "strictatime" => (false, libc::MS_STRICTATIME),
        "bind" => (false, libc::MS_BIND),
        "rbind" => (false, libc::MS_BIND | libc::MS_REC),
        _ => return None,
    })
}

fn propagation(opt: &str) -> Option<libc::c_ulong> {
    Some(match opt {
        "private" => libc::MS_PRIVATE,
        "rprivate" => libc::MS_PRIVATE | libc::MS_REC,
        "shared" => libc::MS_SHARED,
        "rshared" => libc::MS_SHARED | libc::MS_REC,
        "slave" => libc::MS_SLAVE,
        "rslave" => libc::MS_SLAVE | libc::MS_REC,
        "unbindable" => libc::MS_UNBINDABLE,
        "runbindable" => libc::MS_UNBINDABLE | libc::MS_REC,
        _ => return None,
    })
}

/// Parses a mount's options.
pub fn parse(options: &[String]) -> MountOpts {
    let mut out = MountOpts::default();
    let mut data: Vec<&str> = Vec::new();
    for o in options {
        if let Some((clear, f)) = flag(o) {
            if clear {
                out.flags &= !f;
            } else {
                out.flags |= f;
            }
        } else if let Some(p) = propagation(o) {
            out.propagation.push(p);
        } else {
            data.push(o);
        }
    }
    out.data = data.join(",");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(v: &[&str]) -> MountOpts {
        parse(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn flags_and_data_separate() {
        let o = opts(&["nosuid", "strictatime", "mode=755", "size=65536k"]);
        assert_eq!(o.flags, libc::MS_NOSUID | libc::MS_STRICTATIME);
        assert_eq!(o.data, "mode=755,size=65536k");
        assert!(!o.is_bind());
    }

    #[test]
    fn later_options_win() {
        assert!(opts(&["ro", "rw"]).flags & libc::MS_RDONLY == 0);
        assert!(opts(&["rw", "ro"]).readonly());
    }

    #[test]
    fn binds_and_propagation() {
        let o = opts(&["rbind", "ro", "rslave"]);
        assert!(o.is_bind() && o.readonly());
        assert_eq!(o.flags & libc::MS_REC, libc::MS_REC);
        assert_eq!(o.propagation, vec![libc::MS_SLAVE | libc::MS_REC]);
        assert_eq!(o.data, "");
    }

    #[test]
    fn devpts_options_stay_data() {
        let o = opts(&["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]);
        assert_eq!(o.data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
    }
}
