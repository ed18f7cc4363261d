//! Docker's default profile (as the daemon resolves it, from test/fixtures/seccomp) compiled to BPF
//! and run through a small classic-BPF interpreter, with the kernel's rule for stacked filters (the
//! most restrictive answer wins; among equals, the filter installed last), so each verdict below is
//! what a container would get.

use super::*;

const DEFAULT: &str = include_str!("../../../../test/fixtures/seccomp/default-amd64.json");
const SYS_ADMIN: &str = include_str!("../../../../test/fixtures/seccomp/default-amd64-sys-admin.json");

const ALLOW: u32 = libc::SECCOMP_RET_ALLOW;
const EPERM: u32 = libc::SECCOMP_RET_ERRNO | libc::EPERM as u32;
const ENOSYS: u32 = libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32;

/// struct seccomp_data as the kernel lays it out.
fn data(nr: libc::c_long, args: [u64; 6]) -> Vec<u8> {
    let arch = seccompiler::TargetArch::try_from(std::env::consts::ARCH).unwrap();
    let audit: u32 = match arch {
        seccompiler::TargetArch::x86_64 => 62 | 0xC000_0000,
        seccompiler::TargetArch::aarch64 => 183 | 0xC000_0000,
        _ => 243 | 0xC000_0000,
    };
    let mut d = Vec::with_capacity(64);
    d.extend((nr as u32).to_ne_bytes());
    d.extend(audit.to_ne_bytes());
    d.extend(0u64.to_ne_bytes());
    args.iter().for_each(|a| d.extend(a.to_ne_bytes()));
    d
}

/// Runs one program the way the kernel's classic BPF does (the instructions seccompiler emits).
fn run(prog: &[seccompiler::sock_filter], d: &[u8]) -> u32 {
    let (mut a, mut pc) = (0u32, 0usize);
    loop {
        let i = &prog[pc];
        pc += 1;
        match i.code {
            0x20 => a = u32::from_ne_bytes(d[i.k as usize..i.k as usize + 4].try_into().unwrap()),
            0x54 => a &= i.k,
            0x05 => pc += i.k as usize,
            0x15 | 0x25 | 0x35 | 0x45 => {
                let hit = match i.code {
                    0x15 => a == i.k,
                    0x25 => a > i.k,
                    0x35 => a >= i.k,
                    _ => a & i.k != 0,
                };
                pc += if hit { i.jt } else { i.jf } as usize;
            }
            0x06 => return i.k,
            c => panic!("instruction {c:#x} not interpreted"),
        }
    }
}

/// The verdict of a stack of filters (installed in order), as seccomp_run_filters picks it.
fn verdict(progs: &[seccompiler::BpfProgram], nr: libc::c_long, args: [u64; 6]) -> u32 {
    let d = data(nr, args);
    let mut ret = ALLOW;
    for p in progs.iter().rev() {
        let cur = run(p, &d);
        if ((cur & libc::SECCOMP_RET_ACTION_FULL) as i32) < ((ret & libc::SECCOMP_RET_ACTION_FULL) as i32) {
            ret = cur;
        }
    }
    ret
}

fn compiled(text: &str) -> Vec<seccompiler::BpfProgram> {
    compile(&serde_json::from_str::<Profile>(text).unwrap()).unwrap()
}

#[test]
fn the_default_profile_fits_the_kernels_limits() {
    for text in [DEFAULT, SYS_ADMIN] {
        let progs = compiled(text);
        assert!(progs.iter().all(|p| p.len() < 4096), "BPF_MAXINSNS: {:?}", progs.iter().map(Vec::len).collect::<Vec<_>>());
    }
}

#[test]
fn everyday_syscalls_pass_and_privileged_ones_get_eperm() {
    let p = compiled(DEFAULT);
    for nr in [libc::SYS_read, libc::SYS_write, libc::SYS_openat, libc::SYS_execve, libc::SYS_exit_group, libc::SYS_wait4, libc::SYS_chroot] {
        assert_eq!(verdict(&p, nr, [0; 6]), ALLOW, "syscall {nr}");
    }
    for nr in [libc::SYS_mount, libc::SYS_umount2, libc::SYS_unshare, libc::SYS_setns, libc::SYS_kcmp, libc::SYS_reboot, libc::SYS_keyctl, libc::SYS_add_key, libc::SYS_bpf, libc::SYS_init_module] {
        assert_eq!(verdict(&p, nr, [0; 6]), EPERM, "syscall {nr}");
    }
    assert_eq!(verdict(&p, 100_000, [0; 6]), EPERM, "an unknown number");
}

#[test]
fn clone_needs_sys_admin_for_namespaces_and_clone3_answers_enosys() {
    let (p, admin) = (compiled(DEFAULT), compiled(SYS_ADMIN));
    let fork_flags = (libc::CLONE_CHILD_SETTID | libc::CLONE_CHILD_CLEARTID | libc::SIGCHLD) as u64;
    assert_eq!(verdict(&p, libc::SYS_clone, [fork_flags, 0, 0, 0, 0, 0]), ALLOW);
    assert_eq!(verdict(&p, libc::SYS_clone, [fork_flags | libc::CLONE_NEWNS as u64, 0, 0, 0, 0, 0]), EPERM);
    assert_eq!(verdict(&p, libc::SYS_clone3, [0; 6]), ENOSYS);
    assert_eq!(verdict(&admin, libc::SYS_clone, [fork_flags | libc::CLONE_NEWNS as u64, 0, 0, 0, 0, 0]), ALLOW);
    assert_eq!(verdict(&admin, libc::SYS_clone3, [0; 6]), ALLOW);
    assert_eq!(verdict(&admin, libc::SYS_mount, [0; 6]), ALLOW);
    assert_eq!(verdict(&admin, libc::SYS_kcmp, [0; 6]), EPERM, "CAP_SYS_ADMIN does not open kcmp (CAP_SYS_PTRACE does)");
    assert_eq!(verdict(&p, libc::SYS_ptrace, [0; 6]), ALLOW, "ptrace is safe with seccomp since Linux 4.8");
}

#[test]
fn personality_and_socket_are_filtered_by_argument() {
    let p = compiled(DEFAULT);
    for persona in [0, 8, 0x20000, 0x20008, 0xffff_ffff] {
        assert_eq!(verdict(&p, libc::SYS_personality, [persona, 0, 0, 0, 0, 0]), ALLOW, "persona {persona:#x}");
    }
    assert_eq!(verdict(&p, libc::SYS_personality, [0x0040000, 0, 0, 0, 0, 0]), EPERM, "ADDR_NO_RANDOMIZE");
    for family in [libc::AF_UNIX, libc::AF_INET, libc::AF_INET6, libc::AF_NETLINK, libc::AF_PACKET, 39, 41] {
        assert_eq!(verdict(&p, libc::SYS_socket, [family as u64, 0, 0, 0, 0, 0]), ALLOW, "family {family}");
    }
    for family in [libc::AF_ALG, libc::AF_VSOCK] {
        assert_eq!(verdict(&p, libc::SYS_socket, [family as u64, 0, 0, 0, 0, 0]), EPERM, "family {family}");
    }
}

#[test]
fn a_custom_profile_denies_what_it_names() {
    let text = r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
        {"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"},
        {"names":["rmdir"],"action":"SCMP_ACT_ERRNO","errnoRet":38},
        {"names":["kill"],"action":"SCMP_ACT_KILL_PROCESS","args":[{"index":1,"value":9,"op":"SCMP_CMP_EQ"}]}]}"#;
    let p = compiled(text);
    assert_eq!(verdict(&p, libc::SYS_mkdirat, [0; 6]), EPERM);
    assert_eq!(verdict(&p, libc::SYS_rmdir, [0; 6]), ENOSYS);
    assert_eq!(verdict(&p, libc::SYS_kill, [1, 9, 0, 0, 0, 0]), libc::SECCOMP_RET_KILL_PROCESS);
    assert_eq!(verdict(&p, libc::SYS_kill, [1, 15, 0, 0, 0, 0]), ALLOW);
    assert_eq!(verdict(&p, libc::SYS_mount, [0; 6]), ALLOW);
}

#[test]
fn the_profile_parser_reads_the_oci_shape_and_refuses_bad_fields() {
    let p: Profile = serde_json::from_str(DEFAULT).unwrap();
    assert_eq!((p.default_action.as_str(), p.default_errno_ret), ("SCMP_ACT_ERRNO", Some(1)));
    assert!(p.syscalls[0].names.len() > 300);
    let clone3 = p.syscalls.iter().find(|r| r.names == ["clone3"]).unwrap();
    assert_eq!((clone3.action.as_str(), clone3.errno_ret), ("SCMP_ACT_ERRNO", Some(38)));
    let masked = p.syscalls.iter().find(|r| r.names == ["clone"]).unwrap();
    assert_eq!((masked.args[0].op.as_str(), masked.args[0].value, masked.args[0].value_two), ("SCMP_CMP_MASKED_EQ", 0x7e02_0000, 0));
    assert!(serde_json::from_str::<Profile>(r#"{"syscalls":[]}"#).is_err(), "defaultAction is required");
    let bad_op: Profile = serde_json::from_str(r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_ODD"}]}]}"#).unwrap();
    assert_eq!(compile(&bad_op).unwrap_err().to_string(), "seccomp operator SCMP_CMP_ODD: not supported");
}

#[test]
fn compiling_twice_gives_the_same_programs() {
    assert_eq!(compiled(DEFAULT), compiled(DEFAULT));
    assert_eq!(compiled(SYS_ADMIN), compiled(SYS_ADMIN));
}
