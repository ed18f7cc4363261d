//! Unit tests of the rtnetlink messages and operations, against [`FakeRtnl`].

use std::net::Ipv4Addr;

use super::fake::{link_payload, FakeRtnl};
use super::msg::{self, Builder, Reply};
use super::*;

fn ne16(v: u16) -> [u8; 2] {
    v.to_ne_bytes()
}

fn ne32(v: u32) -> [u8; 4] {
    v.to_ne_bytes()
}

/// An attribute as raw bytes: length, type, payload, padding.
fn attr(kind: u16, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend(ne16((4 + payload.len()) as u16));
    v.extend(ne16(kind));
    v.extend(payload);
    v.resize(msg::align(v.len()), 0);
    v
}

fn nested(kind: u16, children: &[Vec<u8>]) -> Vec<u8> {
    let inner: Vec<u8> = children.concat();
    let mut v = Vec::new();
    v.extend(ne16((4 + inner.len()) as u16));
    v.extend(ne16(kind | msg::NLA_F_NESTED));
    v.extend(inner);
    v
}

#[test]
fn attributes_are_padded_to_four_bytes() {
    let b = Builder::default().attr_str(msg::IFLA_IFNAME, "eth0").finish();
    // 4 header + "eth0\0" = 9, padded to 12; the length field says 9.
    assert_eq!(b.len(), 12);
    assert_eq!(&b[..4], &[&ne16(9)[..], &ne16(msg::IFLA_IFNAME)[..]].concat()[..]);
    assert_eq!(&b[4..9], b"eth0\0");
}

#[test]
fn bridge_create_sends_newlink_with_kind_bridge() {
    let nl = FakeRtnl::default();
    bridge_create(&nl, "berth0", Some(1400)).unwrap();
    let log = nl.log.borrow();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].msg_type, msg::RTM_NEWLINK);
    assert_eq!(log[0].flags, msg::NLM_F_CREATE | msg::NLM_F_EXCL);
    let expected = [
        msg::ifinfomsg(msg::AF_UNSPEC, 0, 0, 0).to_vec(),
        attr(msg::IFLA_IFNAME, b"berth0\0"),
        attr(msg::IFLA_MTU, &ne32(1400)),
        nested(
            msg::IFLA_LINKINFO,
            &[attr(msg::IFLA_INFO_KIND, b"bridge\0"), nested(msg::IFLA_INFO_DATA, &[])],
        ),
    ]
    .concat();
    assert_eq!(log[0].body, expected);
}

#[test]
fn veth_create_nests_the_peer_with_its_own_ifinfomsg() {
    let nl = FakeRtnl::default();
    veth_create(&nl, "vethb0123456789", "vethc0123456789", None, None).unwrap();
    let peer = nested(
        msg::VETH_INFO_PEER,
        &[
            msg::ifinfomsg(msg::AF_UNSPEC, 0, 0, 0).to_vec(),
            attr(msg::IFLA_IFNAME, b"vethc0123456789\0"),
        ],
    );
    let expected = [
        msg::ifinfomsg(msg::AF_UNSPEC, 0, 0, 0).to_vec(),
        attr(msg::IFLA_IFNAME, b"vethb0123456789\0"),
        nested(
            msg::IFLA_LINKINFO,
            &[
                attr(msg::IFLA_INFO_KIND, b"veth\0"),
                nested(msg::IFLA_INFO_DATA, &[peer]),
            ],
        ),
    ]
    .concat();
    assert_eq!(nl.log.borrow()[0].body, expected);
}

#[test]
fn veth_create_puts_the_peer_straight_into_its_namespace() {
    let nl = FakeRtnl::default();
    veth_create(&nl, "vethb0123456789", "vethc0123456789", Some(1500), Some(NsRef::Pid(4321))).unwrap();
    let peer = nested(
        msg::VETH_INFO_PEER,
        &[
            msg::ifinfomsg(msg::AF_UNSPEC, 0, 0, 0).to_vec(),
            attr(msg::IFLA_IFNAME, b"vethc0123456789\0"),
            attr(msg::IFLA_MTU, &ne32(1500)),
            attr(msg::IFLA_NET_NS_PID, &ne32(4321)),
        ],
    );
    assert!(contains(&nl.log.borrow()[0].body, &peer), "the peer's nest names its namespace");
    let nl = FakeRtnl::default();
    veth_create(&nl, "a", "b", None, Some(NsRef::Fd(9))).unwrap();
    assert!(contains(&nl.log.borrow()[0].body, &attr(msg::IFLA_NET_NS_FD, &ne32(9))));
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn names_the_kernel_would_refuse_are_refused_first() {
    let nl = FakeRtnl::default();
    let e = bridge_create(&nl, "a-name-of-16-byt", None).unwrap_err();
    assert_eq!(e.code(), crate::error::ARG_ERROR_CODE);
    assert_eq!(
        e.to_string(),
        "bridge create 'a-name-of-16-byt' failed: invalid name: 'a-name-of-16-byt' is longer than 15 bytes"
    );
    assert!(veth_create(&nl, "ok", "bad/name", None, None).is_err());
    assert!(bridge_create(&nl, "br0", Some(20)).is_err());
    assert!(nl.log.borrow().is_empty(), "nothing sent");
}

#[test]
fn link_set_resolves_names_and_sends_one_setlink() {
    let nl = FakeRtnl::with_links(&[("vethb1", 7), ("berth0", 3)]);
    let change = LinkChange {
        mtu: Some(1450),
        mac: Some("02:42:0A:58:00:02".into()),
        master: Some(Some("berth0".into())),
        up: Some(true),
        ..Default::default()
    };
    link_set(&nl, "vethb1", &change).unwrap();
    let changes = nl.changes();
    assert_eq!(changes.len(), 1);
    let expected = [
        msg::ifinfomsg(msg::AF_UNSPEC, 7, msg::IFF_UP, msg::IFF_UP).to_vec(),
        attr(msg::IFLA_MTU, &ne32(1450)),
        attr(msg::IFLA_ADDRESS, &[2, 0x42, 10, 0x58, 0, 2]),
        attr(msg::IFLA_MASTER, &ne32(3)),
    ]
    .concat();
    assert_eq!(changes[0].msg_type, msg::RTM_SETLINK);
    assert_eq!(changes[0].body, expected);
}

#[test]
fn link_down_and_nomaster() {
    let nl = FakeRtnl::with_links(&[("x", 2)]);
    link_set(
        &nl,
        "x",
        &LinkChange {
            up: Some(false),
            master: Some(None),
            ..Default::default()
        },
    )
    .unwrap();
    let expected = [
        msg::ifinfomsg(msg::AF_UNSPEC, 2, 0, msg::IFF_UP).to_vec(),
        attr(msg::IFLA_MASTER, &ne32(0)),
    ]
    .concat();
    assert_eq!(nl.changes()[0].body, expected);
}

#[test]
fn a_bad_mac_is_an_argument_error() {
    let nl = FakeRtnl::with_links(&[("x", 2)]);
    let e = link_set(
        &nl,
        "x",
        &LinkChange {
            mac: Some("02:42".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "link set 'x' failed: invalid mac: '02:42' is not aa:bb:cc:dd:ee:ff"
    );
}

#[test]
fn move_to_netns_by_pid_or_fd_with_rename() {
    let nl = FakeRtnl::with_links(&[("vethc1", 9)]);
    link_set_netns(&nl, "vethc1", NsRef::Pid(1234), None).unwrap();
    link_set_netns(&nl, "vethc1", NsRef::Fd(17), Some("eth0")).unwrap();
    let changes = nl.changes();
    let header = msg::ifinfomsg(msg::AF_UNSPEC, 9, 0, 0).to_vec();
    assert_eq!(
        changes[0].body,
        [header.clone(), attr(msg::IFLA_NET_NS_PID, &ne32(1234))].concat()
    );
    assert_eq!(
        changes[1].body,
        [
            header,
            attr(msg::IFLA_NET_NS_FD, &ne32(17)),
            attr(msg::IFLA_IFNAME, b"eth0\0")
        ]
        .concat()
    );
}

#[test]
fn a_missing_link_is_enodev_naming_operation_and_link() {
    let nl = FakeRtnl::default();
    let e = link_delete(&nl, "nope").unwrap_err();
    assert_eq!(e.code(), "ENODEV");
    assert_eq!(
        e.to_string(),
        "link delete 'nope' failed: ENODEV: no such device, RTM_GETLINK 'nope'"
    );
    assert_eq!(link_get(&nl, "nope").unwrap(), None, "a lookup answers None instead");
}

#[test]
fn kernel_errors_carry_the_extended_ack_text() {
    let nl = FakeRtnl {
        failures: vec![(msg::RTM_NEWLINK, libc::EEXIST, Some("Link exists".into()))],
        ..Default::default()
    };
    let e = bridge_create(&nl, "berth0", None).unwrap_err();
    assert_eq!(e.code(), "EEXIST");
    assert_eq!(
        e.to_string(),
        "bridge create 'berth0' failed: EEXIST: file already exists, RTM_NEWLINK 'berth0' (Link exists)"
    );
}

#[test]
fn addr_add_sets_local_address_and_broadcast() {
    let nl = FakeRtnl::with_links(&[("berth0", 3)]);
    addr_add(&nl, "berth0", "10.88.0.1/16").unwrap();
    let req = &nl.changes()[0];
    assert_eq!(req.msg_type, msg::RTM_NEWADDR);
    let expected = [
        msg::ifaddrmsg(16, 3).to_vec(),
        attr(msg::IFA_LOCAL, &[10, 88, 0, 1]),
        attr(msg::IFA_ADDRESS, &[10, 88, 0, 1]),
        attr(msg::IFA_BROADCAST, &[10, 88, 255, 255]),
    ]
    .concat();
    assert_eq!(req.body, expected);
    addr_del(&nl, "berth0", "10.88.0.1/16").unwrap();
    assert_eq!(nl.changes()[1].body.len(), 8 + 8 + 8, "no broadcast on delete");
    assert!(
        addr_add(&nl, "berth0", "10.88.0.1").is_err(),
        "a prefix length is required"
    );
    assert!(addr_add(&nl, "berth0", "10.88.0.1/33").is_err());
}

#[test]
fn default_route_via_gateway_out_of_a_device() {
    let nl = FakeRtnl::with_links(&[("eth0", 2)]);
    route_add_default(&nl, "10.88.0.1", Some("eth0")).unwrap();
    let req = &nl.changes()[0];
    assert_eq!(req.msg_type, msg::RTM_NEWROUTE);
    let expected = [
        vec![
            msg::AF_INET,
            0,
            0,
            0,
            msg::RT_TABLE_MAIN,
            msg::RTPROT_BOOT,
            msg::RT_SCOPE_UNIVERSE,
            msg::RTN_UNICAST,
            0,
            0,
            0,
            0,
        ],
        attr(msg::RTA_GATEWAY, &[10, 88, 0, 1]),
        attr(msg::RTA_OIF, &ne32(2)),
    ]
    .concat();
    assert_eq!(req.body, expected);
    assert!(route_add_default(&nl, "10.88.0", None).is_err());
}

#[test]
fn bridge_port_settings_go_in_af_bridge_protinfo() {
    let nl = FakeRtnl::with_links(&[("vethb1", 7)]);
    bridge_port_set(
        &nl,
        "vethb1",
        PortChange {
            isolated: Some(true),
            hairpin: Some(false),
        },
    )
    .unwrap();
    let expected = [
        msg::ifinfomsg(msg::AF_BRIDGE, 7, 0, 0).to_vec(),
        nested(
            msg::IFLA_PROTINFO,
            &[attr(msg::IFLA_BRPORT_MODE, &[0]), attr(msg::IFLA_BRPORT_ISOLATED, &[1])],
        ),
    ]
    .concat();
    assert_eq!(nl.changes()[0].body, expected);
}

#[test]
fn link_list_parses_a_dump_and_filters_by_prefix() {
    let nl = FakeRtnl {
        dump: vec![
            Reply {
                msg_type: msg::RTM_NEWLINK,
                payload: link_payload("lo", 1, msg::IFF_UP, None),
            },
            Reply {
                msg_type: msg::RTM_NEWLINK,
                payload: link_payload("vethb1", 7, 0, Some("veth")),
            },
            Reply {
                msg_type: msg::RTM_NEWLINK,
                payload: link_payload("berth0", 3, msg::IFF_UP, Some("bridge")),
            },
        ],
        ..Default::default()
    };
    let links = link_list(&nl, "veth").unwrap();
    assert_eq!(
        links,
        vec![Link {
            index: 7,
            name: "vethb1".into(),
            mtu: 1500,
            mac: "02:42:0a:58:00:02".into(),
            up: false,
            master: None,
            kind: Some("veth".into())
        }]
    );
    assert_eq!(link_list(&nl, "").unwrap().len(), 3);
}

#[test]
fn parse_link_reads_master_and_kind() {
    let payload = Builder::with_header(&msg::ifinfomsg(0, 7, msg::IFF_UP, 0))
        .attr_str(msg::IFLA_IFNAME, "vethb1")
        .attr_u32(msg::IFLA_MASTER, 3)
        .nest(msg::IFLA_LINKINFO, |l| l.attr_str(msg::IFLA_INFO_KIND, "veth"))
        .finish();
    let link = msg::parse_link(&payload).unwrap();
    assert_eq!(
        (link.master, link.kind.as_deref(), link.up),
        (Some(3), Some("veth"), true)
    );
    assert!(msg::parse_link(&[0; 8]).is_err());
}

#[test]
fn parse_addr_prefers_the_local_address() {
    let payload = Builder::with_header(&msg::ifaddrmsg(24, 5))
        .attr(msg::IFA_ADDRESS, &[10, 0, 0, 9])
        .attr(msg::IFA_LOCAL, &[10, 0, 0, 2])
        .finish();
    assert_eq!(
        msg::parse_addr(&payload).unwrap(),
        Some(Addr {
            index: 5,
            address: Ipv4Addr::new(10, 0, 0, 2),
            prefix_len: 24
        })
    );
    let mut v6 = payload.clone();
    v6[0] = 10;
    assert_eq!(msg::parse_addr(&v6).unwrap(), None);
}

#[test]
fn addr_list_keeps_the_links_own_addresses() {
    let addr = |index| Reply {
        msg_type: msg::RTM_NEWADDR,
        payload: Builder::with_header(&msg::ifaddrmsg(16, index))
            .attr(msg::IFA_LOCAL, &[10, 88, 0, 1])
            .finish(),
    };
    let nl = FakeRtnl {
        dump: vec![addr(3), addr(4)],
        ..FakeRtnl::with_links(&[("berth0", 3)])
    };
    let found = addr_list(&nl, "berth0").unwrap();
    assert_eq!(
        found,
        vec![Addr {
            index: 3,
            address: Ipv4Addr::new(10, 88, 0, 1),
            prefix_len: 16
        }]
    );
}

#[test]
fn ack_errors_with_and_without_extended_text() {
    let code = (-libc::EEXIST).to_ne_bytes();
    assert_eq!(
        msg::parse_error(0, &[&code[..], &[0; 16]].concat()).unwrap(),
        (libc::EEXIST, None)
    );
    // Capped ack with TLVs: code, echoed 16-byte header, then NLMSGERR_ATTR_MSG.
    let payload = [&code[..], &[0; 16], &attr(msg::NLMSGERR_ATTR_MSG, b"Link exists\0")].concat();
    let flags = msg::NLM_F_ACK_TLVS | msg::NLM_F_CAPPED;
    assert_eq!(
        msg::parse_error(flags, &payload).unwrap(),
        (libc::EEXIST, Some("Link exists".into()))
    );
    assert_eq!(msg::parse_error(0, &0i32.to_ne_bytes()).unwrap().0, 0, "an ack");
    assert!(msg::parse_error(0, &[1, 2]).is_err());
}

#[test]
fn split_messages_refuses_bad_lengths() {
    let mut one = Vec::new();
    one.extend(ne32(20));
    one.extend(ne16(msg::NLMSG_DONE));
    one.extend(ne16(msg::NLM_F_MULTI));
    one.extend(ne32(5));
    one.extend(ne32(0));
    one.extend(ne32(0));
    let parts = msg::split_messages(&one).unwrap();
    assert_eq!(parts.len(), 1);
    assert_eq!((parts[0].kind, parts[0].seq), (msg::NLMSG_DONE, 5));
    one[0] = 200;
    assert!(msg::split_messages(&one).is_err());
}

#[test]
fn interface_configure_runs_in_order() {
    let nl = FakeRtnl::with_links(&[("lo", 1), ("vethc1", 9), ("eth0", 9)]);
    let cfg = InterfaceConfig {
        name: "vethc1".into(),
        rename: Some("eth0".into()),
        cidr: "10.88.0.2/16".into(),
        mac: Some("02:42:0a:58:00:02".into()),
        mtu: None,
        gateway: Some("10.88.0.1".into()),
    };
    let link = interface_configure(&nl, &cfg).unwrap();
    assert_eq!(link.name, "eth0");
    let kinds: Vec<u16> = nl.changes().iter().map(|r| r.msg_type).collect();
    assert_eq!(
        kinds,
        vec![
            msg::RTM_SETLINK,
            msg::RTM_SETLINK,
            msg::RTM_NEWADDR,
            msg::RTM_SETLINK,
            msg::RTM_NEWROUTE
        ]
    );
}

#[test]
fn macs_parse_and_format() {
    assert_eq!(msg::parse_mac("02:42:ac:11:00:02"), Some([2, 0x42, 0xac, 0x11, 0, 2]));
    assert_eq!(msg::parse_mac("02:42:ac:11:00"), None);
    assert_eq!(msg::parse_mac("02:42:ac:11:00:2"), None);
    assert_eq!(msg::format_mac(&[2, 0x42, 0xac, 0x11, 0, 2]), "02:42:ac:11:00:02");
}

#[test]
fn sysctl_keys_stay_under_net() {
    assert_eq!(
        netns::sysctl_path("net/ipv4/conf/berth0/route_localnet").unwrap(),
        "/proc/sys/net/ipv4/conf/berth0/route_localnet"
    );
    assert!(netns::sysctl_path("kernel/hostname").is_err());
    assert!(netns::sysctl_path("net/../kernel/x").is_err());
    assert!(netns::sysctl_path("net//x").is_err());
}
