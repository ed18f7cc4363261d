//! Docker's (cgroup v1) resource numbers translated to the files and values each version takes.

use crate::error::ArgError;

/// cpu.shares bounds the v1 kernel clamps to.
const SHARES_MIN: u64 = 2;
const SHARES_MAX: u64 = 262_144;

/// cpu.shares → cpu.weight with runc's linear map: [2, 262144] onto [1, 10000]. The default
/// 1024 shares give 39, not v2's default 100: runc and crun made that choice and users expect it.
pub fn shares_to_weight(shares: u64) -> u64 {
    let s = shares.clamp(SHARES_MIN, SHARES_MAX);
    1 + ((s - SHARES_MIN) * 9999) / (SHARES_MAX - SHARES_MIN)
}

/// blkio.weight [10, 1000] → io.weight [1, 10000], linearly, as runc does.
pub fn blkio_to_io_weight(weight: u16) -> u64 {
    1 + (u64::from(weight) - 10) * 9999 / 990
}

/// A limit as v1 files take it: -1 for unlimited.
pub fn v1_limit(value: i64) -> String {
    value.to_string()
}

/// A limit as v2 files take it: "max" for unlimited.
pub fn v2_limit(value: i64) -> String {
    if value < 0 {
        "max".into()
    } else {
        value.to_string()
    }
}

/// pids.max on both versions: Docker's 0 or -1 mean unlimited.
pub fn pids_max(limit: i64) -> String {
    if limit <= 0 {
        "max".into()
    } else {
        limit.to_string()
    }
}

fn check_swap(memory: Option<i64>, swap: i64) -> Result<(), ArgError> {
    match memory {
        Some(m) if swap > 0 && (m < 0 || swap < m) => Err(ArgError::new(
            "resources.memorySwap",
            "must be at least resources.memory (it counts memory plus swap), or -1",
        )),
        _ => Ok(()),
    }
}

/// memory.swap.max from Docker's memorySwap (memory + swap): the difference, or "max" for -1.
/// v2 limits swap alone, so a finite memorySwap needs a finite memory limit in the same call.
pub fn v2_swap(memory: Option<i64>, swap: i64) -> Result<String, ArgError> {
    if swap < 0 {
        return Ok("max".into());
    }
    check_swap(memory, swap)?;
    match memory {
        Some(m) if m > 0 => Ok((swap - m).to_string()),
        _ => Err(ArgError::new(
            "resources.memorySwap",
            "needs a finite resources.memory in the same call on cgroup v2",
        )),
    }
}

/// v1 memory writes in a safe order: memsw may never drop below the memory limit, so when memsw
/// grows (or becomes unlimited) it is written first, and when it shrinks it is written last.
pub fn v1_memory_writes(
    memory: Option<i64>,
    swap: Option<i64>,
    current_swap: Option<u64>,
) -> Result<Vec<(&'static str, String)>, ArgError> {
    const MEM: &str = "memory.limit_in_bytes";
    const SWAP: &str = "memory.memsw.limit_in_bytes";
    if let Some(s) = swap {
        check_swap(memory, s)?;
    }
    Ok(match (memory, swap) {
        (Some(m), Some(s)) => {
            let grows = s < 0 || current_swap.is_none_or(|cur| s as u64 > cur);
            let (mem, sw) = ((MEM, v1_limit(m)), (SWAP, v1_limit(s)));
            if grows {
                vec![sw, mem]
            } else {
                vec![mem, sw]
            }
        }
        (Some(m), None) => vec![(MEM, v1_limit(m))],
        (None, Some(s)) => vec![(SWAP, v1_limit(s))],
        (None, None) => vec![],
    })
}

/// cpu.max ("$QUOTA $PERIOD", quota "max" when unlimited). A period alone keeps the current
/// quota, read from `current` (the file's text); a quota alone leaves the period as it is.
pub fn v2_cpu_max(quota: Option<i64>, period: Option<u64>, current: Option<&str>) -> Option<String> {
    let quota_text = |q: i64| if q < 0 { "max".to_string() } else { q.to_string() };
    match (quota, period) {
        (None, None) => None,
        (Some(q), None) => Some(quota_text(q)),
        (Some(q), Some(p)) => Some(format!("{} {p}", quota_text(q))),
        (None, Some(p)) => {
            let kept = current.and_then(|c| c.split_whitespace().next()).unwrap_or("max");
            Some(format!("{kept} {p}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_map_onto_weights_like_runc() {
        assert_eq!(shares_to_weight(2), 1);
        assert_eq!(shares_to_weight(1024), 39);
        assert_eq!(shares_to_weight(262_144), 10_000);
        assert_eq!(shares_to_weight(1), 1, "clamped like the kernel");
        assert_eq!(shares_to_weight(1 << 30), 10_000);
    }

    #[test]
    fn blkio_weights_map_onto_io_weights() {
        assert_eq!(blkio_to_io_weight(10), 1);
        assert_eq!(blkio_to_io_weight(500), 4950);
        assert_eq!(blkio_to_io_weight(1000), 10_000);
    }

    #[test]
    fn v2_swap_is_the_difference() {
        assert_eq!(v2_swap(Some(100), 300).unwrap(), "200");
        assert_eq!(v2_swap(Some(100), 100).unwrap(), "0");
        assert_eq!(v2_swap(None, -1).unwrap(), "max");
        assert!(v2_swap(Some(300), 100).is_err());
        assert!(v2_swap(None, 100).is_err());
        assert!(v2_swap(Some(-1), 100).is_err());
    }

    #[test]
    fn v1_memsw_grows_first_and_shrinks_last() {
        let names = |w: Vec<(&str, String)>| w.into_iter().map(|(f, v)| format!("{f}={v}")).collect::<Vec<_>>();
        let up = v1_memory_writes(Some(300), Some(400), Some(200)).unwrap();
        assert_eq!(
            names(up),
            ["memory.memsw.limit_in_bytes=400", "memory.limit_in_bytes=300"]
        );
        let down = v1_memory_writes(Some(50), Some(80), Some(200)).unwrap();
        assert_eq!(
            names(down),
            ["memory.limit_in_bytes=50", "memory.memsw.limit_in_bytes=80"]
        );
        let unlimited = v1_memory_writes(Some(-1), Some(-1), Some(200)).unwrap();
        assert_eq!(
            names(unlimited),
            ["memory.memsw.limit_in_bytes=-1", "memory.limit_in_bytes=-1"]
        );
        assert_eq!(
            names(v1_memory_writes(Some(5), None, None).unwrap()),
            ["memory.limit_in_bytes=5"]
        );
        assert!(v1_memory_writes(Some(500), Some(100), None).is_err());
    }

    #[test]
    fn cpu_max_keeps_what_was_not_given() {
        assert_eq!(v2_cpu_max(None, None, None), None);
        assert_eq!(v2_cpu_max(Some(50_000), None, None).as_deref(), Some("50000"));
        assert_eq!(v2_cpu_max(Some(-1), Some(100_000), None).as_deref(), Some("max 100000"));
        assert_eq!(
            v2_cpu_max(None, Some(20_000), Some("30000 100000\n")).as_deref(),
            Some("30000 20000")
        );
        assert_eq!(v2_cpu_max(None, Some(20_000), None).as_deref(), Some("max 20000"));
    }

    #[test]
    fn limits_per_version() {
        assert_eq!(v1_limit(-1), "-1");
        assert_eq!(v2_limit(-1), "max");
        assert_eq!(v2_limit(4096), "4096");
        assert_eq!(pids_max(0), "max");
        assert_eq!(pids_max(-1), "max");
        assert_eq!(pids_max(64), "64");
    }
}
