//! Parsers for cgroup files. Pure functions over text; None means the text lacked what we need.

/// v1 writes "unlimited" as PAGE_COUNTER_MAX pages (≈ 2^63); anything from 2^62 up is no limit.
const V1_UNLIMITED_FROM: u64 = 1 << 62;

/// A file holding one number ("123\n").
pub fn number(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

/// A limit file: "max" (v2) or a huge v1 value mean unlimited, shown as Some(None).
pub fn limit(text: &str) -> Option<Option<u64>> {
    match text.trim() {
        "max" => Some(None),
        other => other.parse::<u64>().ok().map(|n| (n < V1_UNLIMITED_FROM).then_some(n)),
    }
}

/// The value of `key` in a flat-keyed file ("key value" lines: cpu.stat, memory.events, …).
pub fn keyed(text: &str, key: &str) -> Option<u64> {
    text.lines().find_map(|line| {
        let (k, v) = line.split_once(' ')?;
        (k == key).then(|| v.trim().parse().ok()).flatten()
    })
}

/// Bytes read and written, summed over devices, from v2's io.stat
/// ("8:0 rbytes=1 wbytes=2 rios=3 …" per device).
pub fn io_stat(text: &str) -> (u64, u64) {
    let (mut read, mut write) = (0u64, 0u64);
    for field in text.split_whitespace() {
        if let Some((key, value)) = field.split_once('=') {
            let n: u64 = value.parse().unwrap_or(0);
            match key {
                "rbytes" => read = read.saturating_add(n),
                "wbytes" => write = write.saturating_add(n),
                _ => {}
            }
        }
    }
    (read, write)
}

/// Bytes read and written, summed over devices, from v1's blkio *io_service_bytes* files
/// ("8:0 Read 4096" lines, then a "Total" line that is skipped).
pub fn blkio_service_bytes(text: &str) -> (u64, u64) {
    let (mut read, mut write) = (0u64, 0u64);
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if let [_device, op, value] = fields[..] {
            let n: u64 = value.parse().unwrap_or(0);
            match op {
                "Read" => read = read.saturating_add(n),
                "Write" => write = write.saturating_add(n),
                _ => {}
            }
        }
    }
    (read, write)
}

/// cgroup.procs: one pid per line.
pub fn pids(text: &str) -> Option<Vec<u32>> {
    text.split_whitespace().map(|p| p.parse().ok()).collect()
}

/// The controllers in a cgroup.controllers or cgroup.subtree_control file.
pub fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_in_both_versions() {
        assert_eq!(limit("max\n"), Some(None));
        assert_eq!(limit("9223372036854771712\n"), Some(None));
        assert_eq!(limit("1048576\n"), Some(Some(1_048_576)));
        assert_eq!(limit("lots"), None);
    }

    #[test]
    fn flat_keyed_files() {
        let events = "low 0\nhigh 0\nmax 4\noom 2\noom_kill 1\noom_group_kill 0\n";
        assert_eq!(keyed(events, "oom_kill"), Some(1));
        assert_eq!(keyed(events, "oom"), Some(2));
        assert_eq!(keyed("oom_kill_disable 0\nunder_oom 0\n", "oom_kill"), None);
        assert_eq!(keyed("usage_usec 1500\nuser_usec 1000\n", "usage_usec"), Some(1500));
    }

    #[test]
    fn io_bytes_sum_over_devices() {
        let v2 = "8:0 rbytes=4096 wbytes=512 rios=1 wios=1 dbytes=0 dios=0\n253:0 rbytes=1 wbytes=2 rios=1 wios=1\n";
        assert_eq!(io_stat(v2), (4097, 514));
        let v1 = "8:0 Read 4096\n8:0 Write 512\n8:0 Sync 0\n8:0 Total 4608\n8:16 Read 1\nTotal 4609\n";
        assert_eq!(blkio_service_bytes(v1), (4097, 512));
        assert_eq!(io_stat(""), (0, 0));
    }

    #[test]
    fn pid_lists() {
        assert_eq!(pids("12\n345\n"), Some(vec![12, 345]));
        assert_eq!(pids(""), Some(vec![]));
        assert_eq!(pids("12\nx\n"), None);
    }
}
