/**
 * Byte fixtures of the wire decoder tests, built once with kit/craft.ts and written out
 * here as bytes so that they cannot drift with the builder. Above each: what
 * `tcpdump -t -nn -v -e -r` prints for it (tcpdump 4.99.3, run on a one-frame pcap of the bytes;
 * `-e` adds the link header, `-t` drops the timestamp).
 */
import { fromHex } from '../../kit/craft.js';

/** One captured frame and its link type. */
export interface Fixture {
  readonly linkType: number;
  readonly bytes: Uint8Array;
}

/** Ethernet + IPv4 + TCP SYN with an MSS option. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 58: (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44)
//     192.0.2.1.40000 > 198.51.100.2.80: Flags [S], cksum 0x1086 (correct), seq 1000, win 64240, options [mss 1460], length 0
export const ETH_IPV4_SYN: Fixture = {
  linkType: 1,
  bytes: fromHex('00005e00530200005e00530108004500002c1234400040063c61c0000201c633' + '64029c400050000003e8000000006002faf010860000020405b4'),
};

/** Ethernet + IPv4 + TCP SYN-ACK with SACK-permitted, timestamps and window scale. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 74: (tos 0x0, ttl 57, id 0, offset 0, flags [DF], proto TCP (6), length 60)
//     198.51.100.2.80 > 192.0.2.1.40000: Flags [S.], cksum 0x99b1 (correct), seq 3000000000, ack 1001, win 65160, options [mss 1460,sackOK,TS val 4660 ecr 0,nop,wscale 7], length 0
export const ETH_IPV4_SYN_ACK: Fixture = {
  linkType: 1,
  bytes: fromHex(
    '00005e00530200005e00530108004500003c0000400039065585c6336402c000' +
      '020100509c40b2d05e00000003e9a012fe8899b10000020405b40402080a0000' +
      '12340000000001030307',
  ),
};

/** Ethernet + IPv4 + TCP RST without ACK, padded to the 60-byte minimum. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 60: (tos 0x0, ttl 255, id 48879, offset 0, flags [none], proto TCP (6), length 40)
//     198.51.100.2.80 > 192.0.2.1.40000: Flags [R], cksum 0x2330 (correct), seq 1001, win 0, length 0
export const ETH_IPV4_RST: Fixture = {
  linkType: 1,
  bytes: fromHex('00005e00530200005e005301080045000028beef0000ff0610a9c6336402c000' + '020100509c40000003e9000000005004000023300000000000000000'),
};

/** Ethernet + IPv4 + TCP RST-ACK (a refusal), padded to 60 bytes. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 60: (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto TCP (6), length 40)
//     198.51.100.2.80 > 192.0.2.1.40000: Flags [R.], cksum 0x2320 (correct), seq 0, ack 1001, win 0, length 0
export const ETH_IPV4_RST_ACK: Fixture = {
  linkType: 1,
  bytes: fromHex('00005e00530200005e0053010800450000280000400040064e99c6336402c000' + '020100509c4000000000000003e95014000023200000000000000000'),
};

/** Ethernet + IPv4 with options (record route, padded with NOP/EOL) + TCP PSH-ACK with 5 bytes of data. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 67: (tos 0x0, ttl 63, id 77, offset 0, flags [none], proto TCP (6), length 53, options (NOP,RR 0.0.0.0))
//     192.0.2.1.40000 > 198.51.100.2.80: Flags [P.], cksum 0xcc7c (correct), seq 1001:1006, ack 3000000001, win 502, length 5: HTTP
export const ETH_IPV4_OPTIONS_PSH: Fixture = {
  linkType: 1,
  bytes: fromHex(
    '00005e00530200005e005301080047000035004d00003f068534c0000201c633' + '640201070704000000009c400050000003e9b2d05e01501801f6cc7c00006865' + '6c6c6f',
  ),
};

/** Ethernet + IPv4 + TCP SYN with ECE, CWR, NS and reserved bits 101 set. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 54: (tos 0x0, ttl 1, id 65535, offset 0, flags [none], proto TCP (6), length 40)
//     192.0.2.7.1 > 198.51.100.9.65535: Flags [SEW], cksum 0x33dd (correct), seq 4294967295, win 1024, length 0
export const ETH_IPV4_SYN_ECN_NS_RESERVED: Fixture = {
  linkType: 1,
  bytes: fromHex('00005e00530200005e005301080045000028ffff00000106cd8cc0000207c633' + '64090001ffffffffffff800000005bc2040033dd0000'),
};

/** Ethernet + 802.1Q VLAN 100 (PCP 5) + IPv4 + TCP SYN. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype 802.1Q (0x8100), length 62: vlan 100, p 5, ethertype IPv4 (0x0800), (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44)
//     192.0.2.1.40000 > 198.51.100.2.80: Flags [S], cksum 0x1086 (correct), seq 1000, win 64240, options [mss 1460], length 0
export const ETH_VLAN_IPV4_SYN: Fixture = {
  linkType: 1,
  bytes: fromHex('00005e00530200005e0053018100a06408004500002c1234400040063c61c000' + '0201c63364029c400050000003e8000000006002faf010860000020405b4'),
};

/** Ethernet + 802.1ad S-tag 200 + 802.1Q C-tag 100 + IPv6 + TCP SYN. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype 802.1Q-QinQ (0x88a8), length 86: vlan 200, p 0, ethertype 802.1Q (0x8100), vlan 100, p 0, ethertype IPv6 (0x86dd), (hlim 64, next-header TCP (6) payload length: 24) 2001:db8::1.40001 > 2001:db8::2.443: Flags [S], cksum 0x0627 (correct), seq 3735928559, win 64240, options [mss 1460], length 0
export const ETH_QINQ_IPV6_SYN: Fixture = {
  linkType: 1,
  bytes: fromHex(
    '00005e00530200005e00530188a800c88100006486dd60000000001806402001' +
      '0db800000000000000000000000120010db80000000000000000000000029c41' +
      '01bbdeadbeef000000006002faf006270000020405b4',
  ),
};

/** Ethernet + legacy QinQ tag (TPID 0x9100) 300 + 802.1Q 42 + IPv4 + TCP SYN. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype 802.1Q-9100 (0x9100), length 66: vlan 300, p 0, ethertype 802.1Q (0x8100), vlan 42, p 0, ethertype IPv4 (0x0800), (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44)
//     192.0.2.1.40000 > 198.51.100.2.80: Flags [S], cksum 0x1086 (correct), seq 1000, win 64240, options [mss 1460], length 0
export const ETH_QINQ_LEGACY_IPV4_SYN: Fixture = {
  linkType: 1,
  bytes: fromHex(
    '00005e00530200005e0053019100012c8100002a08004500002c123440004006' + '3c61c0000201c63364029c400050000003e8000000006002faf0108600000204' + '05b4',
  ),
};

/** Linux cooked v1 (sent by us) + IPv4 + TCP SYN. */
// Out 00:00:5e:00:53:01 ethertype IPv4 (0x0800), length 60: (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44)
//     192.0.2.1.40000 > 198.51.100.2.80: Flags [S], cksum 0x1086 (correct), seq 1000, win 64240, options [mss 1460], length 0
export const SLL_IPV4_SYN: Fixture = {
  linkType: 113,
  bytes: fromHex('00040001000600005e005301000008004500002c1234400040063c61c0000201' + 'c63364029c400050000003e8000000006002faf010860000020405b4'),
};

/** Linux cooked v2 (to us, ifindex 4242) + IPv6 + TCP RST-ACK. */
// ?     In  ifindex 4242 00:00:5e:00:53:01 ethertype IPv6 (0x86dd), length 80: (hlim 64, next-header TCP (6) payload length: 20) 2001:db8::2.443 > 2001:db8::1.40001: Flags [R.], cksum 0x18c1 (correct), seq 0, ack 3735928560, win 0, length 0
export const SLL2_IPV6_RST_ACK: Fixture = {
  linkType: 276,
  bytes: fromHex(
    '86dd0000000010920001000600005e0053010000600000000014064020010db8' +
      '00000000000000000000000220010db800000000000000000000000101bb9c41' +
      '00000000deadbef05014000018c10000',
  ),
};

/** BSD NULL loopback, little-endian family 30 (macOS AF_INET6) + IPv6 + TCP SYN. */
// AF IPv6 (30), length 68: (hlim 64, next-header TCP (6) payload length: 24) ::1.50000 > ::1.6379: Flags [S], cksum 0xc0ce (correct), seq 42, win 64240, options [mss 1460], length 0
export const NULL_LE_IPV6_SYN: Fixture = {
  linkType: 0,
  bytes: fromHex(
    '1e00000060000000001806400000000000000000000000000000000100000000' + '000000000000000000000001c35018eb0000002a000000006002faf0c0ce0000' + '020405b4',
  ),
};

/** BSD NULL loopback, big-endian family 2 (AF_INET) + IPv4 + TCP RST-ACK. */
// AF IPv4 (2), length 44: (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto TCP (6), length 40)
//     127.0.0.1.6379 > 127.0.0.1.50001: Flags [R.], cksum 0xd566 (correct), seq 0, ack 43, win 0, length 0
export const NULL_BE_IPV4_RST_ACK: Fixture = {
  linkType: 0,
  bytes: fromHex('00000002450000280000400040063cce7f0000017f00000118ebc35100000000' + '0000002b50140000d5660000'),
};

/** OpenBSD LOOP, family 24 (AF_INET6) big-endian + IPv6 + TCP SYN-ACK. */
// AF IPv6 (24), length 68: (hlim 64, next-header TCP (6) payload length: 24) ::1.6379 > ::1.50000: Flags [S.], cksum 0xc0b6 (correct), seq 7, ack 43, win 64240, options [mss 1460], length 0
export const LOOP_IPV6_SYN_ACK: Fixture = {
  linkType: 108,
  bytes: fromHex(
    '0000001860000000001806400000000000000000000000000000000100000000' + '00000000000000000000000118ebc350000000070000002b6012faf0c0b60000' + '020405b4',
  ),
};

/** Raw IPv4 (LINKTYPE_RAW) + TCP SYN. */
// ip: (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44)
//     192.0.2.1.40000 > 198.51.100.2.80: Flags [S], cksum 0x1086 (correct), seq 1000, win 64240, options [mss 1460], length 0
export const RAW_IPV4_SYN: Fixture = {
  linkType: 101,
  bytes: fromHex('4500002c1234400040063c61c0000201c63364029c400050000003e800000000' + '6002faf010860000020405b4'),
};

/** Raw IPv6 (LINKTYPE_RAW) + TCP SYN. */
// ip: (hlim 64, next-header TCP (6) payload length: 24) 2001:db8::1.40001 > 2001:db8::2.443: Flags [S], cksum 0x0627 (correct), seq 3735928559, win 64240, options [mss 1460], length 0
export const RAW_IPV6_SYN: Fixture = {
  linkType: 101,
  bytes: fromHex('600000000018064020010db800000000000000000000000120010db800000000' + '00000000000000029c4101bbdeadbeef000000006002faf006270000020405b4'),
};

/** Ethernet + IPv6 with hop-by-hop, routing, destination options and (first) fragment headers + TCP SYN. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv6 (0x86dd), length 130: (hlim 60, next-header Options (0) payload length: 76) 2001:db8::1 > 2001:db8::2: HBH (padn) RT6 (len=2, type=0 [Deprecated], segleft=0, rsv=0x0, [0]::) DSTOPT (padn) frag (0xabcd1234:0|20) 40002 > 22: Flags [S], seq 123456789, win 64240, length 0
export const ETH_IPV6_EXT_CHAIN_SYN: Fixture = {
  linkType: 1,
  bytes: fromHex(
    '00005e00530200005e00530186dd60000000004c003c20010db8000000000000' +
      '00000000000120010db80000000000000000000000022b000104000000003c02' +
      '000000000000000000000000000000000000000000002c01010c000000000000' +
      '00000000000006000001abcd12349c420016075bcd15000000005002faf0e8b3' +
      '0000',
  ),
};

/** Ethernet + ICMP port unreachable (3/3) quoting the whole SYN. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 86: (tos 0x0, ttl 64, id 9, offset 0, flags [none], proto ICMP (1), length 72)
//     198.51.100.2 > 192.0.2.1: ICMP 198.51.100.2 tcp port 80 unreachable, length 52
// 	(tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44)
//     192.0.2.1.40000 > 198.51.100.2.80: Flags [S], cksum 0x1086 (correct), seq 1000, win 64240, options [mss 1460], length 0
export const ETH_ICMP4_PORT_UNREACH: Fixture = {
  linkType: 1,
  bytes: fromHex(
    '00005e00530200005e0053010800450000480009000040018e75c6336402c000' +
      '02010303e952000000004500002c1234400040063c61c0000201c63364029c40' +
      '0050000003e8000000006002faf010860000020405b4',
  ),
};

/** Ethernet + ICMP communication administratively prohibited (3/13) from a router, quoting IP + 8 TCP bytes. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 70: (tos 0x0, ttl 250, id 1, offset 0, flags [none], proto ICMP (1), length 56)
//     203.0.113.254 > 192.0.2.1: ICMP host 198.51.100.2 unreachable - admin prohibited filter, length 36
// 	(tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44)
//     192.0.2.1.40000 > 198.51.100.2.80:  [|tcp]
export const ETH_ICMP4_ADMIN_PROHIB_13: Fixture = {
  linkType: 1,
  bytes: fromHex(
    '00005e00530200005e00530108004500003800010000fa01c1c3cb0071fec000' + '0201030d5c7a000000004500002c1234400040063c61c0000201c63364029c40' + '0050000003e8',
  ),
};

/** Ethernet + ICMP net administratively prohibited (3/9), quoting IP + 8 TCP bytes. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 70: (tos 0x0, ttl 250, id 2, offset 0, flags [none], proto ICMP (1), length 56)
//     203.0.113.254 > 192.0.2.1: ICMP net 198.51.100.2 unreachable - admin prohibited, length 36
// 	(tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44)
//     192.0.2.1.40000 > 198.51.100.2.80:  [|tcp]
export const ETH_ICMP4_NET_PROHIB_9: Fixture = {
  linkType: 1,
  bytes: fromHex(
    '00005e00530200005e00530108004500003800020000fa01c1c2cb0071fec000' + '020103095c7e000000004500002c1234400040063c61c0000201c63364029c40' + '0050000003e8',
  ),
};

/** Ethernet + ICMP host administratively prohibited (3/10) quoting an IPv4 header with options + 8 TCP bytes. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 74: (tos 0x0, ttl 250, id 3, offset 0, flags [none], proto ICMP (1), length 60)
//     203.0.113.254 > 192.0.2.1: ICMP host 198.51.100.2 unreachable - admin prohibited, length 40
// 	(tos 0x0, ttl 64, id 4, offset 0, flags [none], proto TCP (6), length 44, options (RA))
//     192.0.2.1.40010 > 198.51.100.2.8080:  [|tcp]
export const ETH_ICMP4_HOST_PROHIB_10_QUOTE_OPTIONS: Fixture = {
  linkType: 1,
  bytes: fromHex(
    '00005e00530200005e00530108004500003c00030000fa01c1bdcb0071fec000' +
      '0201030a3ef0000000004600002c000400004006f98cc0000201c63364029404' +
      '00009c4a1f900000022b',
  ),
};

/** Ethernet + ICMP host unreachable (3/1), quoting IP + 8 TCP bytes. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 70: (tos 0x0, ttl 64, id 5, offset 0, flags [none], proto ICMP (1), length 56)
//     192.0.2.254 > 192.0.2.1: ICMP host 198.51.100.2 unreachable, length 36
// 	(tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44)
//     192.0.2.1.40000 > 198.51.100.2.80:  [|tcp]
export const ETH_ICMP4_HOST_UNREACH: Fixture = {
  linkType: 1,
  bytes: fromHex(
    '00005e00530200005e005301080045000038000500004001f5c0c00002fec000' + '020103015c86000000004500002c1234400040063c61c0000201c63364029c40' + '0050000003e8',
  ),
};

/** Ethernet + ICMPv6 destination unreachable, administratively prohibited (1/1), quoting the whole SYN. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv6 (0x86dd), length 126: (hlim 64, next-header ICMPv6 (58) payload length: 72) 2001:db8::fe > 2001:db8::1: [icmp6 sum ok] ICMP6, destination unreachable,  unreachable prohibited 2001:db8::2
export const ETH_ICMP6_ADMIN_PROHIB: Fixture = {
  linkType: 1,
  bytes: fromHex(
    '00005e00530200005e00530186dd6000000000483a4020010db8000000000000' +
      '0000000000fe20010db800000000000000000000000101013bd1000000006000' +
      '00000018064020010db800000000000000000000000120010db8000000000000' +
      '0000000000029c4101bbdeadbeef000000006002faf006270000020405b4',
  ),
};

/** Ethernet + ICMPv6 address unreachable (1/3) quoting IPv6 + destination options + 8 TCP bytes. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv6 (0x86dd), length 118: (hlim 255, next-header ICMPv6 (58) payload length: 64) 2001:db8::fe > 2001:db8::1: [icmp6 sum ok] ICMP6, destination unreachable, unreachable address 2001:db8::3
export const ETH_ICMP6_ADDR_UNREACH: Fixture = {
  linkType: 1,
  bytes: fromHex(
    '00005e00530200005e00530186dd6000000000403aff20010db8000000000000' +
      '0000000000fe20010db80000000000000000000000010103067b000000006000' +
      '0000001c3c4020010db800000000000000000000000120010db8000000000000' +
      '00000000000306000104000000009c43001900000063',
  ),
};

/** Ethernet + ICMPv6 port unreachable (1/4), quoting IPv6 + 8 TCP bytes. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv6 (0x86dd), length 110: (hlim 64, next-header ICMPv6 (58) payload length: 56) 2001:db8::2 > 2001:db8::1: [icmp6 sum ok] ICMP6, destination unreachable, unreachable port, 2001:db8::2 tcp port 443
export const ETH_ICMP6_PORT_UNREACH: Fixture = {
  linkType: 1,
  bytes: fromHex(
    '00005e00530200005e00530186dd6000000000383a4020010db8000000000000' +
      '00000000000220010db80000000000000000000000010104a5ac000000006000' +
      '00000018064020010db800000000000000000000000120010db8000000000000' +
      '0000000000029c4101bbdeadbeef',
  ),
};

/** Ethernet + ICMP fragmentation needed (3/4, MTU 1400): skipped, path MTU discovery is no rejection. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 70: (tos 0x0, ttl 250, id 6, offset 0, flags [none], proto ICMP (1), length 56)
//     203.0.113.254 > 192.0.2.1: ICMP 198.51.100.2 unreachable - need to frag (mtu 1400), length 36
// 	(tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44)
//     192.0.2.1.40000 > 198.51.100.2.80:  [|tcp]
export const ETH_ICMP4_FRAG_NEEDED: Fixture = {
  linkType: 1,
  bytes: fromHex(
    '00005e00530200005e00530108004500003800060000fa01c1becb0071fec000' + '02010304570b000005784500002c1234400040063c61c0000201c63364029c40' + '0050000003e8',
  ),
};

/** Ethernet + ICMP port unreachable quoting a UDP datagram: skipped. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 74: (tos 0x0, ttl 64, id 7, offset 0, flags [none], proto ICMP (1), length 60)
//     198.51.100.2 > 192.0.2.1: ICMP 198.51.100.2 udp port 53 unreachable, length 40
// 	(tos 0x0, ttl 64, id 8, offset 0, flags [none], proto UDP (17), length 32)
//     192.0.2.1.5353 > 198.51.100.2.53: domain [length 4 < 12] (invalid)
export const ETH_ICMP4_UNREACH_UDP: Fixture = {
  linkType: 1,
  bytes: fromHex(
    '00005e00530200005e00530108004500003c0007000040018e83c6336402c000' +
      '02010303e95100000000450000200008000040118e8ec0000201c633640214e9' +
      '0035000cfa7a01020304',
  ),
};

/** Ethernet + ICMP echo request: skipped. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 42: (tos 0x0, ttl 64, id 10, offset 0, flags [none], proto ICMP (1), length 28)
//     192.0.2.1 > 198.51.100.2: ICMP echo request, id 1, seq 1, length 8
export const ETH_ICMP4_ECHO: Fixture = {
  linkType: 1,
  bytes: fromHex('00005e00530200005e00530108004500001c000a000040018ea0c0000201c633' + '64020800f7fd00010001'),
};

/** Ethernet + IPv4 + UDP: skipped. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 46: (tos 0x0, ttl 64, id 11, offset 0, flags [none], proto UDP (17), length 32)
//     192.0.2.1.5353 > 198.51.100.2.53: domain [length 4 < 12] (invalid)
export const ETH_IPV4_UDP: Fixture = {
  linkType: 1,
  bytes: fromHex('00005e00530200005e005301080045000020000b000040118e8bc0000201c633' + '640214e90035000cfa7a01020304'),
};

/** Ethernet + ARP request: skipped. */
// 00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 60: Ethernet (len 6), IPv4 (len 4), Request who-has 192.0.2.2 tell 192.0.2.1, length 46
export const ETH_ARP: Fixture = {
  linkType: 1,
  bytes: fromHex('ffffffffffff00005e0053010806000108000604000100005e005301c0000201' + '000000000000c0000202000000000000000000000000000000000000'),
};

/** IEEE 802.3 frame (length field 38) with an STP BPDU: skipped. */
// 00:00:5e:00:53:01 > 01:80:c2:00:00:00, 802.3, length 38: LLC, dsap STP (0x42) Individual, ssap STP (0x42) Command, ctrl 0x03: STP 802.1d, Config, Flags [none], bridge-id 0000.00:00:00:00:00:00.0000, length 35
// 	message-age 0.00s, max-age 0.00s, hello-time 0.00s, forwarding-delay 0.00s
// 	root-id 0000.00:00:00:00:00:00, root-pathcost 0
export const ETH_8023_LLC: Fixture = {
  linkType: 1,
  bytes: fromHex('0180c200000000005e0053010026424203000000000000000000000000000000' + '0000000000000000000000000000000000000000'),
};

/** Ethernet + IPv4 non-first fragment (offset 1480) of a TCP datagram: skipped. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 58: (tos 0x0, ttl 64, id 16962, offset 1480, flags [none], proto TCP (6), length 44)
//     192.0.2.1 > 198.51.100.2: ip-proto-6
export const ETH_IPV4_FRAGMENT_LATER: Fixture = {
  linkType: 1,
  bytes: fromHex('00005e00530200005e00530108004500002c424200b940064b9ac0000201c633' + '6402616161616161616161616161616161616161616161616161'),
};

/** Ethernet + IPv6 non-first fragment (offset 1448) of a TCP packet: skipped. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv6 (0x86dd), length 78: (hlim 64, next-header Fragment (44) payload length: 24) 2001:db8::1 > 2001:db8::2: frag (0x0badcafe:1448|16)
export const ETH_IPV6_FRAGMENT_LATER: Fixture = {
  linkType: 1,
  bytes: fromHex(
    '00005e00530200005e00530186dd6000000000182c4020010db8000000000000' +
      '00000000000120010db8000000000000000000000002060005a80badcafe6262' +
      '6262626262626262626262626262',
  ),
};

/** Ethernet + IPv6 with destination options then next header 59 (none): skipped. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv6 (0x86dd), length 62: (hlim 64, next-header unknown (60) payload length: 8) 2001:db8::1 > 2001:db8::2: DSTOPT (padn) no next header
export const ETH_IPV6_NO_NEXT_HEADER: Fixture = {
  linkType: 1,
  bytes: fromHex('00005e00530200005e00530186dd6000000000083c4020010db8000000000000' + '00000000000120010db80000000000000000000000023b00010400000000'),
};

/** Linux cooked v1 with protocol 0x0004 (802.2 LLC, not an EtherType): skipped. */
//  In 00:00:5e:00:53:01 802.2, length 24: LLC, dsap STP (0x42) Individual, ssap STP (0x42) Command, ctrl 0x03: STP 802.1d, Config (invalid)
export const SLL_8022: Fixture = {
  linkType: 113,
  bytes: fromHex('00000001000600005e005301000000044242030000000000'),
};

/** Ethernet type IPv4 (0x0800) carrying an IPv6 packet: a bad IP version. */
// 00:00:5e:00:53:01 > 00:00:5e:00:53:02, ethertype IPv4 (0x0800), length 78: IP6, wrong link-layer encapsulation (invalid)
export const ETH_IPV4_TYPE_V6_NIBBLE: Fixture = {
  linkType: 1,
  bytes: fromHex(
    '00005e00530200005e0053010800600000000018064020010db8000000000000' +
      '00000000000120010db80000000000000000000000029c4101bbdeadbeef0000' +
      '00006002faf006270000020405b4',
  ),
};
