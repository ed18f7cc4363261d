//! Mount logic against the recording fake: which syscalls, in which order, and what errors say.

use std::sync::OnceLock;

use super::fake::{Call, FakeMount};
use super::overlay::{legacy_data, mount_overlay, OverlayOptions};
use super::*;

fn layers(n: usize, len: usize) -> OverlayOptions {
    OverlayOptions {
        lowerdirs: (0..n).map(|i| format!("/l/{i:0>len$}")).collect(),
        upperdir: "/u".into(),
        workdir: "/w".into(),
        readonly: false,
    }
}

fn calls_except_probe(fake: &FakeMount) -> Vec<Call> {
    // The probe is fsopen, fsconfig(lowerdir+ "/"), close of fd 100.
    fake.log().into_iter().skip(3).collect()
}

#[test]
fn overlay_uses_lowerdir_plus_per_layer_when_the_kernel_has_it() {
    let fake = FakeMount::default();
    let opts = layers(2, 1);
    mount_overlay(&fake, &OnceLock::new(), "/m", &opts).unwrap();
    let s = |v: &str| v.to_string();
    assert_eq!(
        calls_except_probe(&fake),
        vec![
            Call::Fsopen(s("overlay")),
            Call::FsconfigString(101, s("lowerdir+"), s("/l/0")),
            Call::FsconfigString(101, s("lowerdir+"), s("/l/1")),
            Call::FsconfigString(101, s("upperdir"), s("/u")),
            Call::FsconfigString(101, s("workdir"), s("/w")),
            Call::FsconfigCreate(101),
            Call::Fsmount(101, 0),
            Call::MoveMount(102, s("/m")),
            Call::Close(102),
            Call::Close(101),
        ]
    );
    assert!(fake.open_fds().is_empty());
}

#[test]
fn overlay_probe_result_is_cached() {
    let fake = FakeMount::default();
    let cache = OnceLock::new();
    mount_overlay(&fake, &cache, "/m", &layers(1, 1)).unwrap();
    let first = fake.log().len();
    mount_overlay(&fake, &cache, "/m", &layers(1, 1)).unwrap();
    assert_eq!(
        fake.log().len() - first,
        first - 3,
        "second mount skips the 3 probe calls"
    );
    assert_eq!(cache.get(), Some(&true));
}

#[test]
fn overlay_readonly_sets_the_mount_attribute() {
    let fake = FakeMount::default();
    let opts = OverlayOptions {
        readonly: true,
        ..layers(1, 1)
    };
    mount_overlay(&fake, &OnceLock::new(), "/m", &opts).unwrap();
    assert!(fake.log().contains(&Call::Fsmount(101, MOUNT_ATTR_RDONLY)));
}

#[test]
fn overlay_falls_back_to_mount_data_without_lowerdir_plus() {
    let fake = FakeMount::default();
    fake.fail("fsconfig", Some("lowerdir+=/"), libc::EINVAL);
    let opts = layers(2, 1);
    mount_overlay(&fake, &OnceLock::new(), "/m", &opts).unwrap();
    let mount = Call::Mount(MountCall {
        source: Some("overlay".into()),
        target: "/m".into(),
        fstype: Some("overlay".into()),
        flags: 0,
        data: Some("lowerdir=/l/0:/l/1,upperdir=/u,workdir=/w".into()),
    });
    assert_eq!(calls_except_probe(&fake), vec![mount]);
    assert!(fake.open_fds().is_empty());
}

#[test]
fn overlay_falls_back_when_fsopen_is_missing() {
    let fake = FakeMount::default();
    fake.fail("fsopen", None, libc::ENOSYS);
    mount_overlay(&fake, &OnceLock::new(), "/m", &layers(1, 1)).unwrap();
    assert!(matches!(fake.log().last(), Some(Call::Mount(_))));
}

#[test]
fn overlay_too_long_for_mount_data_is_e2big() {
    let fake = FakeMount::default();
    fake.fail("fsopen", None, libc::ENOSYS);
    let err = mount_overlay(&fake, &OnceLock::new(), "/m", &layers(60, 100)).unwrap_err();
    assert_eq!(err.code(), "E2BIG");
    let msg = err.to_string();
    assert!(
        msg.starts_with("overlay mount on '/m' failed: E2BIG: argument list too long, mount '/m'"),
        "{msg}"
    );
    assert!(msg.contains("lowerdir+"), "{msg}");
    assert!(
        !fake.log().iter().any(|c| matches!(c, Call::Mount(_))),
        "mount(2) never called"
    );
}

#[test]
fn overlay_with_60_long_layers_fits_through_lowerdir_plus() {
    let fake = FakeMount::default();
    let opts = layers(60, 100);
    assert!(legacy_data(&opts).len() > 4096);
    mount_overlay(&fake, &OnceLock::new(), "/m", &opts).unwrap();
    let lowers = fake
        .log()
        .iter()
        .filter(|c| matches!(c, Call::FsconfigString(101, k, _) if k == "lowerdir+"))
        .count();
    assert_eq!(lowers, 60);
}

#[test]
fn overlay_error_names_the_bad_layer_and_closes_fds() {
    let fake = FakeMount::default();
    fake.fail("fsconfig", Some("lowerdir+=/l/1"), libc::ENOENT);
    let err = mount_overlay(&fake, &OnceLock::new(), "/m", &layers(2, 1)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "overlay mount on '/m' failed: ENOENT: no such file or directory, fsconfig '/l/1'"
    );
    assert!(fake.open_fds().is_empty());
}

#[test]
fn overlay_probe_errors_other_than_einval_are_reported() {
    let fake = FakeMount::default();
    fake.fail("fsopen", None, libc::EPERM);
    let cache = OnceLock::new();
    let err = mount_overlay(&fake, &cache, "/m", &layers(1, 1)).unwrap_err();
    assert_eq!(err.code(), "EPERM");
    assert_eq!(cache.get(), None, "an error is not a capability answer");
}

#[test]
fn overlay_without_lowers_is_an_argument_error() {
    let fake = FakeMount::default();
    let err = mount_overlay(&fake, &OnceLock::new(), "/m", &layers(0, 1)).unwrap_err();
    assert_eq!(err.code(), crate::error::ARG_ERROR_CODE);
    assert!(fake.log().is_empty());
}

#[test]
fn fsmount_error_names_the_target() {
    let fake = FakeMount::default();
    fake.fail("fsmount", None, libc::EBUSY);
    let err = mount_overlay(&fake, &OnceLock::new(), "/m", &layers(1, 1)).unwrap_err();
    assert!(err.to_string().ends_with("fsmount '/m'"), "{err}");
}

#[test]
fn unmount_never_follows_symlinks_and_reports_einval() {
    let fake = FakeMount::default();
    fake.fail("umount2", Some("/not-a-mount"), libc::EINVAL);
    unmount(&fake, "/m", true).unwrap();
    assert_eq!(
        fake.log()[0],
        Call::Umount2("/m".into(), libc::UMOUNT_NOFOLLOW | libc::MNT_DETACH)
    );
    let err = unmount(&fake, "/not-a-mount", false).unwrap_err();
    assert_eq!(err.code(), "EINVAL");
    assert_eq!(
        err.to_string(),
        "unmount of '/not-a-mount' failed: EINVAL: invalid argument, umount2 '/not-a-mount'"
    );
}

#[test]
fn readonly_recursive_bind_uses_mount_setattr() {
    let fake = FakeMount::default();
    let opts = BindOptions {
        readonly: true,
        recursive: true,
    };
    bind_mount(&fake, "/src", "/dst", opts).unwrap();
    let log = fake.log();
    assert!(
        matches!(&log[0], Call::Mount(m) if m.flags == libc::MS_BIND | libc::MS_REC && m.source.as_deref() == Some("/src"))
    );
    assert_eq!(log[1], Call::MountSetattr("/dst".into(), true, MOUNT_ATTR_RDONLY));
}

#[test]
fn readonly_bind_falls_back_to_remount_on_old_kernels() {
    let fake = FakeMount::default();
    fake.fail("mount_setattr", None, libc::ENOSYS);
    let opts = BindOptions {
        readonly: true,
        recursive: false,
    };
    bind_mount(&fake, "/src", "/dst", opts).unwrap();
    assert!(matches!(&fake.log()[2], Call::Mount(m) if m.flags == libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY));
}

#[test]
fn failed_readonly_step_detaches_the_bind() {
    let fake = FakeMount::default();
    fake.fail("mount_setattr", None, libc::EPERM);
    let opts = BindOptions {
        readonly: true,
        recursive: true,
    };
    let err = bind_mount(&fake, "/src", "/dst", opts).unwrap_err();
    assert_eq!(
        err.to_string(),
        "bind mount of '/src' on '/dst' failed: EPERM: operation not permitted, mount_setattr '/dst'"
    );
    assert_eq!(
        fake.log().last(),
        Some(&Call::Umount2("/dst".into(), libc::MNT_DETACH | libc::UMOUNT_NOFOLLOW))
    );
}

#[test]
fn tmpfs_splits_flags_and_data() {
    let fake = FakeMount::default();
    mount_tmpfs(&fake, "/t", "nosuid,size=1m").unwrap();
    mount_tmpfs(&fake, "/t", "").unwrap();
    let log = fake.log();
    assert!(matches!(&log[0], Call::Mount(m) if m.flags == libc::MS_NOSUID && m.data.as_deref() == Some("size=1m")));
    assert!(matches!(&log[1], Call::Mount(m) if m.flags == 0 && m.data.is_none()));
}

#[test]
fn mountpoint_check_treats_missing_as_false() {
    let fake = FakeMount {
        mount_roots: vec!["/proc".into()],
        missing: vec!["/gone".into()],
        ..FakeMount::default()
    };
    assert!(is_mountpoint(&fake, "/proc").unwrap());
    assert!(!is_mountpoint(&fake, "/etc").unwrap());
    assert!(!is_mountpoint(&fake, "/gone").unwrap());
}
