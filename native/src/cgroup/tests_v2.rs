//! The v2 manager on a tmpdir laid out like a unified cgroup tree.

use std::time::Duration;

use super::testfs::{KernelLikeFs, Kind};
use super::*;

const C1: &str = "berth/c1";

fn host() -> (KernelLikeFs, Setup) {
    let fs = KernelLikeFs::new(Kind::V2);
    fs.put("cgroup.controllers", "cpuset cpu io memory pids\n");
    fs.put("cgroup.subtree_control", "");
    let setup = Setup::V2 {
        root: fs.root.path().into(),
    };
    (fs, setup)
}

fn created(res: &Resources) -> (KernelLikeFs, Setup) {
    let (fs, setup) = host();
    create(&*manager(&fs, &setup), C1, res).unwrap();
    (fs, setup)
}

#[test]
fn create_enables_every_controller_down_to_the_parent() {
    let (fs, _) = created(&Resources::default());
    assert_eq!(fs.get("cgroup.subtree_control"), "+cpuset +cpu +io +memory +pids");
    assert_eq!(fs.get("berth/cgroup.subtree_control"), "+cpuset +cpu +io +memory +pids");
    assert_eq!(
        fs.get("berth/c1/cgroup.subtree_control"),
        "",
        "the leaf enables nothing"
    );
    assert_eq!(fs.get("berth/c1/cgroup.controllers"), "cpuset cpu io memory pids");
}

#[test]
fn create_skips_controllers_already_enabled_and_tolerates_refusals() {
    let (fs, setup) = host();
    fs.put("cgroup.subtree_control", "cpu memory");
    fs.fail_writes("cgroup.subtree_control", libc::EINVAL, 1);
    create(&*manager(&fs, &setup), C1, &Resources::default()).unwrap();
    let written = fs.written();
    assert_eq!(
        written[0], "cgroup.subtree_control=+cpuset +io +pids",
        "refused as a whole"
    );
    assert_eq!(
        written[1..4],
        [
            "cgroup.subtree_control=+cpuset",
            "cgroup.subtree_control=+io",
            "cgroup.subtree_control=+pids"
        ]
    );
}

fn every_limit() -> Resources {
    Resources {
        memory: Some(64 << 20),
        memory_reservation: Some(32 << 20),
        memory_swap: Some(128 << 20),
        cpu_shares: Some(512),
        cpu_quota: Some(50_000),
        cpu_period: Some(100_000),
        cpuset_cpus: Some("0".into()),
        cpuset_mems: Some("0".into()),
        pids_limit: Some(100),
        blkio_weight: Some(500),
    }
}

#[test]
fn create_applies_limits_translated_to_v2_files() {
    let (fs, _) = created(&every_limit());
    let leaf = |f: &str| fs.get(&format!("{C1}/{f}"));
    assert_eq!(leaf("memory.max"), (64u64 << 20).to_string());
    assert_eq!(
        leaf("memory.swap.max"),
        (64u64 << 20).to_string(),
        "memorySwap − memory"
    );
    assert_eq!(leaf("memory.low"), (32u64 << 20).to_string());
    assert_eq!(leaf("cpu.weight"), "20");
    assert_eq!(leaf("cpu.max"), "50000 100000");
    assert_eq!(leaf("cpuset.cpus"), "0");
    assert_eq!(leaf("cpuset.mems"), "0");
    assert_eq!(leaf("pids.max"), "100");
    assert_eq!(leaf("io.weight"), "4950");
}

#[test]
fn update_with_unlimited_values_writes_max() {
    let (fs, setup) = created(&every_limit());
    let res = Resources {
        memory: Some(-1),
        memory_swap: Some(-1),
        cpu_quota: Some(-1),
        pids_limit: Some(0),
        ..Resources::default()
    };
    update(&*manager(&fs, &setup), C1, &res).unwrap();
    for file in ["memory.max", "memory.swap.max", "cpu.max", "pids.max"] {
        assert_eq!(fs.get(&format!("{C1}/{file}")), "max", "{file}");
    }
}

#[test]
fn a_period_alone_keeps_the_quota() {
    let (fs, setup) = created(&every_limit());
    let res = Resources {
        cpu_period: Some(20_000),
        ..Resources::default()
    };
    update(&*manager(&fs, &setup), C1, &res).unwrap();
    assert_eq!(fs.get(&format!("{C1}/cpu.max")), "50000 20000");
}

#[test]
fn bfq_weight_is_preferred_when_present() {
    let (fs, setup) = created(&Resources::default());
    fs.put(&format!("{C1}/io.bfq.weight"), "default 100");
    let res = Resources {
        blkio_weight: Some(300),
        ..Resources::default()
    };
    update(&*manager(&fs, &setup), C1, &res).unwrap();
    assert_eq!(fs.get(&format!("{C1}/io.bfq.weight")), "300");
}

#[test]
fn swap_without_memory_is_refused_before_writing() {
    let (fs, setup) = created(&Resources::default());
    let before = fs.written().len();
    let res = Resources {
        memory_swap: Some(1 << 30),
        ..Resources::default()
    };
    let err = update(&*manager(&fs, &setup), C1, &res).unwrap_err();
    assert_eq!(err.code(), crate::error::ARG_ERROR_CODE);
    assert!(
        err.to_string()
            .starts_with("cgroup update of 'berth/c1' failed: invalid resources.memorySwap"),
        "{err}"
    );
    assert_eq!(fs.written().len(), before);
}

#[test]
fn missing_controller_file_names_it() {
    let (fs, setup) = host();
    fs.put("cgroup.controllers", "memory pids");
    let res = Resources {
        cpu_shares: Some(512),
        ..Resources::default()
    };
    let err = create(&*manager(&fs, &setup), C1, &res).unwrap_err();
    assert_eq!(err.code(), "ENOENT");
    assert!(err.to_string().ends_with("/berth/c1/cpu.weight'"), "{err}");
}

#[test]
fn processes_are_added_and_listed() {
    let (fs, setup) = created(&Resources::default());
    let m = manager(&fs, &setup);
    add_process(&*m, C1, 4242).unwrap();
    assert_eq!(fs.get(&format!("{C1}/cgroup.procs")), "4242");
    fs.put(&format!("{C1}/cgroup.procs"), "30\n7\n");
    assert_eq!(procs(&*m, C1).unwrap(), vec![7, 30]);
}

#[test]
fn freeze_waits_for_the_frozen_event() {
    let (fs, setup) = created(&Resources::default());
    let frozen0 = "populated 1\nfrozen 0\n";
    fs.script_reads(
        &format!("{C1}/cgroup.events"),
        &[frozen0, frozen0, "populated 1\nfrozen 1\n"],
    );
    freeze(&*manager(&fs, &setup), C1).unwrap();
    assert_eq!(fs.get(&format!("{C1}/cgroup.freeze")), "1");
    assert_eq!(
        *fs.pauses.borrow(),
        vec![Duration::from_millis(1), Duration::from_millis(2)]
    );
}

#[test]
fn freeze_gives_up_with_ebusy() {
    let (fs, setup) = created(&Resources::default());
    fs.script_reads(&format!("{C1}/cgroup.events"), &["populated 1\nfrozen 0\n"]);
    let err = freeze(&*manager(&fs, &setup), C1).unwrap_err();
    assert_eq!(err.code(), "EBUSY");
    let msg = err.to_string();
    assert!(msg.starts_with("cgroup freeze of 'berth/c1' failed: EBUSY"), "{msg}");
    assert!(msg.contains("cgroup.events' (not frozen 1 after"), "{msg}");
    let waited: Duration = fs.pauses.borrow().iter().sum();
    assert!(waited >= util::STATE_WAIT);
}

#[test]
fn thaw_clears_the_freeze() {
    let (fs, setup) = created(&Resources::default());
    let m = manager(&fs, &setup);
    fs.put(&format!("{C1}/cgroup.events"), "populated 1\nfrozen 1\n");
    fs.script_reads(&format!("{C1}/cgroup.events"), &["populated 1\nfrozen 0\n"]);
    thaw(&*m, C1).unwrap();
    assert_eq!(fs.get(&format!("{C1}/cgroup.freeze")), "0");
}

#[test]
fn stats_and_oom_kills_come_from_v2_files() {
    let (fs, setup) = created(&Resources::default());
    fs.put(
        &format!("{C1}/cpu.stat"),
        "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n",
    );
    fs.put(&format!("{C1}/memory.current"), "4096\n");
    fs.put(&format!("{C1}/pids.current"), "2\n");
    fs.put(
        &format!("{C1}/io.stat"),
        "8:0 rbytes=10 wbytes=20 rios=1 wios=1\n8:16 rbytes=1 wbytes=2\n",
    );
    fs.put(
        &format!("{C1}/memory.events"),
        "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n",
    );
    let m = manager(&fs, &setup);
    let s = stats(&*m, C1).unwrap();
    assert_eq!(
        s,
        Stats {
            cpu_usage_ns: Some(1_500_000),
            memory_usage: Some(4096),
            memory_limit: None,
            pids_current: Some(2),
            io_read_bytes: Some(11),
            io_write_bytes: Some(22),
        }
    );
    assert_eq!(oom_kill_count(&*m, C1).unwrap(), 1);
}

#[test]
fn stats_without_a_controller_are_none() {
    let (fs, setup) = host();
    fs.put("cgroup.controllers", "memory");
    let m = manager(&fs, &setup);
    create(&*m, C1, &Resources::default()).unwrap();
    let s = stats(&*m, C1).unwrap();
    assert_eq!((s.pids_current, s.io_read_bytes), (None, None));
    assert_eq!(s.memory_usage, Some(0));
}

#[test]
fn destroy_removes_the_cgroup_and_its_children_only() {
    let (fs, setup) = created(&Resources::default());
    let m = manager(&fs, &setup);
    create(&*m, "berth/c1/sub", &Resources::default()).unwrap();
    destroy(&*m, C1).unwrap();
    assert!(!fs.path(C1).exists());
    assert!(fs.path("berth").exists(), "the parent stays for other containers");
    destroy(&*m, C1).unwrap();
}

#[test]
fn destroy_retries_ebusy_then_reports_it() {
    let (fs, setup) = created(&Resources::default());
    let m = manager(&fs, &setup);
    fs.busy_rmdirs.set(2);
    destroy(&*m, C1).unwrap();
    assert_eq!(fs.pauses.borrow().len(), 2);

    create(&*m, C1, &Resources::default()).unwrap();
    fs.put(&format!("{C1}/cgroup.procs"), "99\n");
    let err = destroy(&*m, C1).unwrap_err();
    assert_eq!(err.code(), "EBUSY");
    assert!(fs.path(C1).exists(), "nothing is killed or forced");
}

#[test]
fn paths_may_not_leave_the_root() {
    let (fs, setup) = host();
    let m = manager(&fs, &setup);
    for bad in ["", "/abs", "a/../../etc", "a//b", "./a", "a/"] {
        let err = create(&*m, bad, &Resources::default()).unwrap_err();
        assert_eq!(err.code(), crate::error::ARG_ERROR_CODE, "{bad:?}");
    }
    assert!(fs.written().is_empty());
}
