//! Capabilities: names to bit numbers, the sets a spec asks for, and applying them. The syscalls
//! sit behind [`CapSys`] so the order of operations is unit-tested.

use crate::error::{Error, Result};
use crate::spec::Capabilities;

/// Every capability name the kernel knows, indexed by its number (linux/capability.h).
pub const NAMES: &[&str] = &[
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
    "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
    "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
];

/// Docker's default capability set (moby oci/caps/defaults.go); the daemon puts it in the spec,
/// the tests check it against the kernel numbers.
#[cfg(test)]
pub const DOCKER_DEFAULT: &[&str] = &[
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
    "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
];

/// A set of capabilities as a bit mask (bit n = capability n).
pub type CapSet = u64;

/// The number of a capability name (with or without the CAP_ prefix, any case).
pub fn number(name: &str) -> Option<u32> {
    let upper = name.to_ascii_uppercase();
    let full = if upper.starts_with("CAP_") { upper } else { format!("CAP_{upper}") };
    NAMES.iter().position(|n| *n == full).map(|i| i as u32)
}

/// The mask of a list of names; unknown names are an error naming them.
pub fn set_of(names: &[String]) -> Result<CapSet> {
    names.iter().try_fold(0u64, |acc, n| {
        let bit = number(n).ok_or_else(|| Error::msg(format!("capability {n}"), "unknown capability"))?;
        Ok(acc | (1u64 << bit))
    })
}

/// The four sets the process ends with; inheritable is the ambient set (ambient needs it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sets {
    pub bounding: CapSet,
    pub effective: CapSet,
    pub permitted: CapSet,
    pub inheritable: CapSet,
    pub ambient: CapSet,
}

impl Sets {
    /// The sets of a spec's capabilities; no `capabilities` at all means none (as runc).
    pub fn from_spec(caps: Option<&Capabilities>) -> Result<Sets> {
        let Some(c) = caps else { return Ok(Sets::default()) };
        let ambient = set_of(&c.ambient)?;
        Ok(Sets {
            bounding: set_of(&c.bounding)?,
            effective: set_of(&c.effective)?,
            permitted: set_of(&c.permitted)?,
            inheritable: ambient,
            ambient,
        })
    }
}

/// The capability syscalls, so [`apply_bounding`] and [`apply_final`] can be tested.
pub trait CapSys {
    /// The highest capability number this kernel knows (/proc/sys/kernel/cap_last_cap).
    fn last_cap(&self) -> u32;
    /// prctl(PR_CAPBSET_DROP).
    fn drop_bounding(&mut self, cap: u32) -> Result<()>;
    /// capset(2) with the three sets.
    fn capset(&mut self, effective: CapSet, permitted: CapSet, inheritable: CapSet) -> Result<()>;
    /// prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE).
    fn raise_ambient(&mut self, cap: u32) -> Result<()>;
}

/// Drops every capability outside the bounding set; done while still privileged (needs SETPCAP).
pub fn apply_bounding(sys: &mut dyn CapSys, sets: &Sets) -> Result<()> {
    for cap in 0..=sys.last_cap().min(63) {
        if sets.bounding & (1 << cap) == 0 {
            sys.drop_bounding(cap)?;
        }
    }
    Ok(())
}

/// Sets effective, permitted, inheritable, then raises the ambient ones; done after the uid change.
pub fn apply_final(sys: &mut dyn CapSys, sets: &Sets) -> Result<()> {
    let last = sys.last_cap().min(63);
    let known = if last == 63 { u64::MAX } else { (1u64 << (last + 1)) - 1 };
    sys.capset(sets.effective & known, sets.permitted & known, sets.inheritable & known)?;
    for cap in 0..=last {
        if sets.ambient & (1 << cap) != 0 {
            sys.raise_ambient(cap)?;
        }
    }
    Ok(())
}

/// The real capability syscalls.
pub struct HostCaps;

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: i32,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;

impl CapSys for HostCaps {
    fn last_cap(&self) -> u32 {
        std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(40)
    }

    fn drop_bounding(&mut self, cap: u32) -> Result<()> {
        // SAFETY: prctl with integer arguments only.
        let rc = unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap as libc::c_ulong, 0, 0, 0) };
        crate::error::check(rc, || format!("drop {} from the bounding set", NAMES.get(cap as usize).unwrap_or(&"capability")))?;
        Ok(())
    }

    fn capset(&mut self, effective: CapSet, permitted: CapSet, inheritable: CapSet) -> Result<()> {
        let mut hdr = CapHeader { version: LINUX_CAPABILITY_VERSION_3, pid: 0 };
        let word = |s: CapSet, i: u32| (s >> (32 * i)) as u32;
        let data = [0, 1].map(|i| CapData { effective: word(effective, i), permitted: word(permitted, i), inheritable: word(inheritable, i) });
        // SAFETY: v3 capset takes a header and two data words, both valid for the call.
        let rc = unsafe { libc::syscall(libc::SYS_capset, &mut hdr as *mut CapHeader, data.as_ptr()) };
        crate::error::check(rc as libc::c_int, || "capset".to_string())?;
        Ok(())
    }

    fn raise_ambient(&mut self, cap: u32) -> Result<()> {
        // SAFETY: prctl with integer arguments only.
        let rc = unsafe { libc::prctl(libc::PR_CAP_AMBIENT, libc::PR_CAP_AMBIENT_RAISE as libc::c_ulong, cap as libc::c_ulong, 0, 0) };
        crate::error::check(rc, || format!("raise ambient {}", NAMES.get(cap as usize).unwrap_or(&"capability")))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Fake {
        calls: Vec<String>,
    }

    impl CapSys for Fake {
        fn last_cap(&self) -> u32 {
            40
        }
        fn drop_bounding(&mut self, cap: u32) -> Result<()> {
            self.calls.push(format!("drop {cap}"));
            Ok(())
        }
        fn capset(&mut self, e: CapSet, p: CapSet, i: CapSet) -> Result<()> {
            self.calls.push(format!("capset {e:x} {p:x} {i:x}"));
            Ok(())
        }
        fn raise_ambient(&mut self, cap: u32) -> Result<()> {
            self.calls.push(format!("ambient {cap}"));
            Ok(())
        }
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn names_map_to_kernel_numbers() {
        assert_eq!(number("CAP_CHOWN"), Some(0));
        assert_eq!(number("net_admin"), Some(12));
        assert_eq!(number("CAP_SYS_ADMIN"), Some(21));
        assert_eq!(number("CAP_CHECKPOINT_RESTORE"), Some(40));
        assert_eq!(number("CAP_NOPE"), None);
    }

    #[test]
    fn docker_default_set_is_fourteen_known_caps() {
        let set = set_of(&names(DOCKER_DEFAULT)).unwrap();
        assert_eq!(set.count_ones(), 14);
        assert_eq!(set & (1 << 21), 0, "no CAP_SYS_ADMIN");
        assert_ne!(set & (1 << 13), 0, "CAP_NET_RAW");
    }

    #[test]
    fn unknown_names_are_errors() {
        let e = set_of(&names(&["CAP_KILL", "CAP_FLY"])).unwrap_err();
        assert_eq!(e.to_string(), "capability CAP_FLY: unknown capability");
    }

    #[test]
    fn bounding_drops_everything_not_listed() {
        let spec = Capabilities { bounding: names(&["CAP_CHOWN", "CAP_KILL"]), ..Default::default() };
        let sets = Sets::from_spec(Some(&spec)).unwrap();
        let mut f = Fake::default();
        apply_bounding(&mut f, &sets).unwrap();
        assert_eq!(f.calls.len(), 41 - 2);
        assert!(!f.calls.contains(&"drop 0".to_string()));
        assert!(!f.calls.contains(&"drop 5".to_string()));
        assert!(f.calls.contains(&"drop 21".to_string()));
    }

    #[test]
    fn ambient_caps_are_inheritable_and_raised_after_capset() {
        let spec = Capabilities {
            effective: names(&["CAP_KILL"]),
            permitted: names(&["CAP_KILL"]),
            ambient: names(&["CAP_KILL"]),
            ..Default::default()
        };
        let mut f = Fake::default();
        apply_final(&mut f, &Sets::from_spec(Some(&spec)).unwrap()).unwrap();
        assert_eq!(f.calls, vec!["capset 20 20 20", "ambient 5"]);
    }

    #[test]
    fn no_capabilities_means_an_empty_set() {
        assert_eq!(Sets::from_spec(None).unwrap(), Sets::default());
    }
}
