//! The v1 manager on a tmpdir laid out like /sys/fs/cgroup on a hybrid host: one directory per
//! controller plus `unified`.

use std::path::PathBuf;

use super::setup::from_root;
use super::testfs::{KernelLikeFs, Kind};
use super::*;
use crate::probe::cgroup::Layout;

const C1: &str = "berth/c1";
const HIERARCHIES: [&str; 7] = ["cpu", "cpuacct", "cpuset", "memory", "freezer", "pids", "blkio"];

fn host_with(dirs: &[&str]) -> (KernelLikeFs, Setup) {
    let fs = KernelLikeFs::new(Kind::V1);
    for d in dirs {
        fs.put(&format!("{d}/cgroup.procs"), "1\n");
    }
    if dirs.contains(&"cpuset") {
        fs.put("cpuset/cpuset.cpus", "0-1\n");
        fs.put("cpuset/cpuset.mems", "0\n");
    }
    fs.put("unified/cgroup.procs", "1\n");
    let setup = from_root(&fs, fs.root.path(), Layout::Hybrid).unwrap();
    (fs, setup)
}

fn created(res: &Resources) -> (KernelLikeFs, Setup) {
    let (fs, setup) = host_with(&HIERARCHIES);
    create(&*manager(&fs, &setup), C1, res).unwrap();
    (fs, setup)
}

#[test]
fn a_test_root_has_one_hierarchy_per_controller_directory() {
    let (fs, setup) = host_with(&["memory", "pids"]);
    let Setup::V1 {
        hierarchies, unified, ..
    } = setup
    else {
        panic!("v1 expected")
    };
    let mounts: Vec<PathBuf> = hierarchies.iter().map(|h| h.mount.clone()).collect();
    assert_eq!(mounts, vec![fs.path("memory"), fs.path("pids")]);
    assert_eq!(unified, Some(fs.path("unified")));
    let v1 = from_root(&fs, fs.root.path(), Layout::V1).unwrap();
    assert!(matches!(v1, Setup::V1 { unified: None, .. }));
}

#[test]
fn create_makes_the_cgroup_in_every_hierarchy_and_fills_cpuset() {
    let (fs, _) = created(&Resources::default());
    for h in HIERARCHIES.iter().chain(&["unified"]) {
        assert!(fs.path(&format!("{h}/{C1}")).is_dir(), "{h}");
    }
    assert_eq!(fs.get("cpuset/berth/cpuset.cpus"), "0-1");
    assert_eq!(fs.get(&format!("cpuset/{C1}/cpuset.cpus")), "0-1");
    assert_eq!(fs.get(&format!("cpuset/{C1}/cpuset.mems")), "0");
}

#[test]
fn create_applies_limits_to_v1_files() {
    let res = Resources {
        memory: Some(64 << 20),
        memory_reservation: Some(32 << 20),
        memory_swap: Some(128 << 20),
        cpu_shares: Some(512),
        cpu_quota: Some(50_000),
        cpu_period: Some(100_000),
        cpuset_cpus: Some("1".into()),
        cpuset_mems: Some("0".into()),
        pids_limit: Some(100),
        blkio_weight: Some(300),
    };
    let (fs, _) = created(&res);
    let file = |h: &str, f: &str| fs.get(&format!("{h}/{C1}/{f}"));
    assert_eq!(file("memory", "memory.limit_in_bytes"), (64u64 << 20).to_string());
    assert_eq!(
        file("memory", "memory.memsw.limit_in_bytes"),
        (128u64 << 20).to_string()
    );
    assert_eq!(file("memory", "memory.soft_limit_in_bytes"), (32u64 << 20).to_string());
    assert_eq!(file("cpu", "cpu.shares"), "512");
    assert_eq!(file("cpu", "cpu.cfs_quota_us"), "50000");
    assert_eq!(file("cpu", "cpu.cfs_period_us"), "100000");
    assert_eq!(file("cpuset", "cpuset.cpus"), "1");
    assert_eq!(file("pids", "pids.max"), "100");
    assert_eq!(file("blkio", "blkio.weight"), "300");
}

#[test]
fn memory_writes_follow_the_memsw_rule() {
    let (fs, setup) = created(&Resources::default());
    let m = manager(&fs, &setup);
    let res = |mem: i64, swap: i64| Resources {
        memory: Some(mem),
        memory_swap: Some(swap),
        ..Resources::default()
    };
    // Current: memsw 150 MiB. Raising to 200 MiB must lift memsw first; lowering sets memory first.
    fs.put(&format!("memory/{C1}/memory.memsw.limit_in_bytes"), "157286400\n");
    update(&*m, C1, &res(100 << 20, 200 << 20)).unwrap();
    update(&*m, C1, &res(50 << 20, 80 << 20)).unwrap();
    let memory: Vec<String> = fs.written().into_iter().filter(|w| w.starts_with("memory.")).collect();
    assert_eq!(
        memory,
        [
            "memory.memsw.limit_in_bytes=209715200",
            "memory.limit_in_bytes=104857600",
            "memory.limit_in_bytes=52428800",
            "memory.memsw.limit_in_bytes=83886080",
        ]
    );
}

#[test]
fn a_refused_period_is_written_again_after_the_quota() {
    let (fs, setup) = created(&Resources::default());
    fs.fail_writes("cpu.cfs_period_us", libc::EINVAL, 1);
    let res = Resources {
        cpu_quota: Some(5_000),
        cpu_period: Some(10_000),
        ..Resources::default()
    };
    update(&*manager(&fs, &setup), C1, &res).unwrap();
    let cpu: Vec<String> = fs.written().into_iter().filter(|w| w.starts_with("cpu.cfs")).collect();
    assert_eq!(
        cpu,
        [
            "cpu.cfs_period_us=10000",
            "cpu.cfs_quota_us=5000",
            "cpu.cfs_period_us=10000"
        ]
    );
}

#[test]
fn bfq_weight_is_preferred_when_present() {
    let (fs, setup) = created(&Resources::default());
    fs.put(&format!("blkio/{C1}/blkio.bfq.weight"), "100");
    let res = Resources {
        blkio_weight: Some(700),
        ..Resources::default()
    };
    update(&*manager(&fs, &setup), C1, &res).unwrap();
    assert_eq!(fs.get(&format!("blkio/{C1}/blkio.bfq.weight")), "700");
    assert_eq!(fs.get(&format!("blkio/{C1}/blkio.weight")), "500", "untouched");
}

#[test]
fn a_limit_without_its_hierarchy_names_the_controller() {
    let (fs, setup) = host_with(&["memory"]);
    let res = Resources {
        pids_limit: Some(10),
        ..Resources::default()
    };
    let err = create(&*manager(&fs, &setup), C1, &res).unwrap_err();
    assert_eq!(err.code(), crate::error::DATA_ERROR_CODE);
    assert!(
        err.to_string().ends_with("no v1 hierarchy has the pids controller"),
        "{err}"
    );
}

#[test]
fn processes_join_every_hierarchy_and_the_unified_tree() {
    let (fs, setup) = created(&Resources::default());
    let m = manager(&fs, &setup);
    add_process(&*m, C1, 777).unwrap();
    for h in HIERARCHIES.iter().chain(&["unified"]) {
        assert_eq!(fs.get(&format!("{h}/{C1}/cgroup.procs")), "777", "{h}");
    }
    fs.put(&format!("memory/{C1}/cgroup.procs"), "777\n778\n");
    assert_eq!(procs(&*m, C1).unwrap(), vec![777, 778], "the union, once each");
}

#[test]
fn freeze_rewrites_frozen_until_the_freezer_settles() {
    let (fs, setup) = created(&Resources::default());
    let state = format!("freezer/{C1}/freezer.state");
    fs.script_reads(&state, &["FREEZING", "FREEZING", "FROZEN"]);
    let m = manager(&fs, &setup);
    freeze(&*m, C1).unwrap();
    let writes: Vec<String> = fs.written().into_iter().filter(|w| w.starts_with("freezer")).collect();
    assert_eq!(writes, ["freezer.state=FROZEN"; 3]);
    fs.reads.borrow_mut().clear();
    thaw(&*m, C1).unwrap();
    assert_eq!(fs.get(&state), "THAWED");
}

#[test]
fn stats_and_oom_kills_come_from_v1_files() {
    let (fs, setup) = created(&Resources::default());
    fs.put(&format!("cpuacct/{C1}/cpuacct.usage"), "123456789\n");
    fs.put(&format!("memory/{C1}/memory.usage_in_bytes"), "8192\n");
    fs.put(&format!("pids/{C1}/pids.current"), "3\n");
    fs.put(&format!("blkio/{C1}/blkio.bfq.io_service_bytes_recursive"), "Total 0\n");
    fs.put(
        &format!("blkio/{C1}/blkio.throttle.io_service_bytes_recursive"),
        "8:0 Read 4096\n8:0 Write 512\n8:0 Total 4608\nTotal 4608\n",
    );
    fs.put(
        &format!("memory/{C1}/memory.oom_control"),
        "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
    );
    let m = manager(&fs, &setup);
    assert_eq!(
        stats(&*m, C1).unwrap(),
        Stats {
            cpu_usage_ns: Some(123_456_789),
            memory_usage: Some(8192),
            memory_limit: None,
            pids_current: Some(3),
            io_read_bytes: Some(4096),
            io_write_bytes: Some(512),
        }
    );
    assert_eq!(oom_kill_count(&*m, C1).unwrap(), 2);
    fs.put(
        &format!("memory/{C1}/memory.oom_control"),
        "oom_kill_disable 0\nunder_oom 0\n",
    );
    assert_eq!(
        oom_kill_count(&*m, C1).unwrap_err().code(),
        crate::error::DATA_ERROR_CODE
    );
}

#[test]
fn destroy_removes_the_cgroup_from_every_hierarchy() {
    let (fs, setup) = created(&Resources::default());
    let m = manager(&fs, &setup);
    destroy(&*m, C1).unwrap();
    for h in HIERARCHIES.iter().chain(&["unified"]) {
        assert!(!fs.path(&format!("{h}/{C1}")).exists(), "{h}");
        assert!(fs.path(&format!("{h}/berth")).exists(), "{h}");
    }
    destroy(&*m, C1).unwrap();
}
