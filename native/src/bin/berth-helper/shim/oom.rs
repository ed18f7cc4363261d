//! Whether the OOM killer struck: the oom_kill counter of the container's memory cgroup
//! (v1 memory.oom_control, v2 memory.events), read at create and again at exit.

use std::path::Path;

/// The memory cgroup directories among the container's cgroup.procs files.
pub fn memory_dirs(procs: &[String]) -> Vec<String> {
    procs
        .iter()
        .filter_map(|p| Path::new(p).parent())
        .filter(|d| d.join("memory.oom_control").exists() || d.join("memory.events").exists())
        .map(|d| d.display().to_string())
        .collect()
}

/// The sum of the oom_kill counters of `dirs`.
pub fn kills(dirs: &[String]) -> u64 {
    dirs.iter()
        .map(|d| {
            let p = Path::new(d);
            let text = std::fs::read_to_string(p.join("memory.events")).or_else(|_| std::fs::read_to_string(p.join("memory.oom_control")));
            text.map(|t| counter(&t, "oom_kill")).unwrap_or(0)
        })
        .sum()
}

/// The value of a `key N` line in a flat-keyed cgroup file.
pub fn counter(text: &str, key: &str) -> u64 {
    text.lines()
        .filter_map(|l| l.split_once(' '))
        .find(|(k, _)| *k == key)
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oom_kill_counters_of_v1_and_v2() {
        assert_eq!(counter("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n", "oom_kill"), 2);
        assert_eq!(counter("low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\noom_group_kill 0\n", "oom_kill"), 1);
        assert_eq!(counter("", "oom_kill"), 0);
    }

    #[test]
    fn memory_dirs_are_found_by_their_files() {
        let d = tempfile::tempdir().unwrap();
        let mem = d.path().join("memory");
        std::fs::create_dir(&mem).unwrap();
        std::fs::write(mem.join("memory.oom_control"), "oom_kill 3\n").unwrap();
        let procs = vec![mem.join("cgroup.procs").display().to_string(), d.path().join("pids/cgroup.procs").display().to_string()];
        let dirs = memory_dirs(&procs);
        assert_eq!(dirs, vec![mem.display().to_string()]);
        assert_eq!(kills(&dirs), 3);
    }
}
