/**
 * The pure parsers of src/kernel on text captured on Linux 6.18 (x86_64) inside a network
 * namespace holding: a listener on 127.0.0.1:7001, a dual-stack one on [::]:7002, a v6only one on
 * [::]:7003, a listener on 0.0.0.0:7004 with backlog 2 that never accepts and holds 2 connections,
 * and [::1]:7005 with one established connection to it.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseListeners } from '../../src/kernel/listeners.js';
import { parseProcAddress, parseProcNetTcp, TcpState } from '../../src/kernel/proc-net-tcp.js';
import { parseSsListenerEntries, parseSsListeners } from '../../src/kernel/ss-listeners.js';
import { parseNetstat, parseTcpExtCounters } from '../../src/kernel/netstat.js';
import { parseNofileLimits, parseSocketLink } from '../../src/kernel/sockets-to-processes.js';
import { parseSysctlInteger } from '../../src/kernel/sysctl.js';
import { propertyRuns } from '../support/property.js';

// Captured text: each line as printed (trailing spaces kept).
const TCP =
  [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     ',
    '   0: 0100007F:1B59 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 390822 1 0000000050274436 100 0 0 10 0                    ',
    '   1: 00000000:1B5C 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0        0 390826 3 0000000066e8b721 100 0 0 10 0                    ',
    '   2: 0100007F:1B5C 0100007F:B9C8 06 00000000:00000000 03:00000FC2 00000000     0        0 0 3 00000000a488a0de                                      ',
    '   3: 0100007F:1B5C 0100007F:B9DE 06 00000000:00000000 03:00000FC2 00000000     0        0 0 3 00000000c910b311                                      ',
    '   4: 0100007F:1B5C 0100007F:B9D2 06 00000000:00000000 03:00000FC2 00000000     0        0 0 3 00000000fca9e742                                      ',
    '   5: 0100007F:870E 0100007F:1B5C 05 00000000:00000000 03:0000175B 00000000     0        0 0 3 000000005f386cf6                                      ',
    '   6: 0100007F:8718 0100007F:1B5C 05 00000000:00000000 03:0000175B 00000000     0        0 0 3 0000000050400d93                                      ',
    '   7: 0100007F:1B5C 0100007F:8718 08 00000000:00000001 00:00000000 00000000     0        0 0 1 0000000024a17c63 20 4 0 10 -1                         ',
    '   8: 0100007F:1B5C 0100007F:870E 08 00000000:00000001 00:00000000 00000000     0        0 0 1 00000000230e1a8d 20 4 0 10 -1                         ',
  ].join('\n') + '\n';

const TCP6 =
  [
    '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 00000000000000000000000001000000:1B5D 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 390825 1 0000000057b50ef7 100 0 0 10 0',
    '   1: 00000000000000000000000000000000:1B5B 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 390824 1 0000000082a59361 100 0 0 10 0',
    '   2: 00000000000000000000000000000000:1B5A 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 390823 1 00000000d4f09fd7 100 0 0 10 0',
    '   3: 00000000000000000000000001000000:1B5D 00000000000000000000000001000000:BBC6 06 00000000:00000000 03:00000FC1 00000000     0        0 0 3 000000001dd10a9b',
    '   4: 00000000000000000000000001000000:1B5D 00000000000000000000000001000000:A9AA 01 00000000:00000000 00:00000000 00000000     0        0 390828 1 00000000d828e566 20 0 0 10 -1',
    '   5: 00000000000000000000000001000000:A9AA 00000000000000000000000001000000:1B5D 01 00000000:00000000 00:00000000 00000000     0        0 390827 1 00000000453b2cb4 20 0 0 10 -1',
  ].join('\n') + '\n';

const NETSTAT =
  [
    'TcpExt: SyncookiesSent SyncookiesRecv SyncookiesFailed EmbryonicRsts PruneCalled RcvPruned OfoPruned OutOfWindowIcmps LockDroppedIcmps ArpFilter TW TWRecycled TWKilled PAWSActive PAWSEstab BeyondWindow TSEcrRejected PAWSOldAck PAWSTimewait DelayedACKs DelayedACKLocked DelayedACKLost ListenOverflows ListenDrops TCPHPHits TCPPureAcks TCPHPAcks TCPRenoRecovery TCPSackRecovery TCPSACKReneging TCPSACKReorder TCPRenoReorder TCPTSReorder TCPFullUndo TCPPartialUndo TCPDSACKUndo TCPLossUndo TCPLostRetransmit TCPRenoFailures TCPSackFailures TCPLossFailures TCPFastRetrans TCPSlowStartRetrans TCPTimeouts TCPLossProbes TCPLossProbeRecovery TCPRenoRecoveryFail TCPSackRecoveryFail TCPRcvCollapsed TCPBacklogCoalesce TCPDSACKOldSent TCPDSACKOfoSent TCPDSACKRecv TCPDSACKOfoRecv TCPAbortOnData TCPAbortOnClose TCPAbortOnMemory TCPAbortOnTimeout TCPAbortOnLinger TCPAbortFailed TCPMemoryPressures TCPMemoryPressuresChrono TCPSACKDiscard TCPDSACKIgnoredOld TCPDSACKIgnoredNoUndo TCPSpuriousRTOs TCPMD5NotFound TCPMD5Unexpected TCPMD5Failure TCPSackShifted TCPSackMerged TCPSackShiftFallback TCPBacklogDrop PFMemallocDrop TCPMinTTLDrop TCPDeferAcceptDrop IPReversePathFilter TCPTimeWaitOverflow TCPReqQFullDoCookies TCPReqQFullDrop TCPRetransFail TCPRcvCoalesce TCPOFOQueue TCPOFODrop TCPOFOMerge TCPChallengeACK TCPSYNChallenge TCPFastOpenActive TCPFastOpenActiveFail TCPFastOpenPassive TCPFastOpenPassiveFail TCPFastOpenListenOverflow TCPFastOpenCookieReqd TCPFastOpenBlackhole TCPSpuriousRtxHostQueues BusyPollRxPackets TCPAutoCorking TCPFromZeroWindowAdv TCPToZeroWindowAdv TCPWantZeroWindowAdv TCPSynRetrans TCPOrigDataSent TCPHystartTrainDetect TCPHystartTrainCwnd TCPHystartDelayDetect TCPHystartDelayCwnd TCPACKSkippedSynRecv TCPACKSkippedPAWS TCPACKSkippedSeq TCPACKSkippedFinWait2 TCPACKSkippedTimeWait TCPACKSkippedChallenge TCPWinProbe TCPKeepAlive TCPMTUPFail TCPMTUPSuccess TCPDelivered TCPDeliveredCE TCPAckCompressed TCPZeroWindowDrop TCPRcvQDrop TCPWqueueTooBig TCPFastOpenPassiveAltKey TcpTimeoutRehash TcpDuplicateDataRehash TCPDSACKRecvSegs TCPDSACKIgnoredDubious TCPMigrateReqSuccess TCPMigrateReqFailure TCPPLBRehash TCPAORequired TCPAOBad TCPAOKeyNotFound TCPAOGood TCPAODroppedIcmps',
    'TcpExt: 0 0 0 0 0 0 0 0 0 0 9 0 0 0 0 0 0 0 0 8 0 0 9 9 0 22 0 0 0 0 0 0 0 0 0 0 0 3 0 0 0 0 0 6 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 6 13 0 0 0 0 0 0 0 0 0 0 0 0 0 0 23 0 0 0 0 0 0 6 0 0 0 0 0 0 0 0 0 0 0',
    'IpExt: InNoRoutes InTruncatedPkts InMcastPkts OutMcastPkts InBcastPkts OutBcastPkts InOctets OutOctets InMcastOctets OutMcastOctets InBcastOctets OutBcastOctets InCsumErrors InNoECTPkts InECT1Pkts InECT0Pkts InCEPkts ReasmOverlaps',
    'IpExt: 0 0 0 0 0 0 3216 3216 0 0 0 0 0 58 0 0 0 0',
    'MPTcpExt: MPCapableSYNRX MPCapableSYNTX MPCapableSYNACKRX MPCapableACKRX MPCapableFallbackACK MPCapableFallbackSYNACK MPCapableSYNTXDrop MPCapableSYNTXDisabled MPCapableEndpAttempt MPFallbackTokenInit MPTCPRetrans MPJoinNoTokenFound MPJoinSynRx MPJoinSynBackupRx MPJoinSynAckRx MPJoinSynAckBackupRx MPJoinSynAckHMacFailure MPJoinAckRx MPJoinAckHMacFailure MPJoinRejected MPJoinSynTx MPJoinSynTxCreatSkErr MPJoinSynTxBindErr MPJoinSynTxConnectErr DSSNotMatching DSSCorruptionFallback DSSCorruptionReset InfiniteMapTx InfiniteMapRx DSSNoMatchTCP DataCsumErr OFOQueueTail OFOQueue OFOMerge NoDSSInWindow DuplicateData AddAddr AddAddrTx AddAddrTxDrop EchoAdd EchoAddTx EchoAddTxDrop PortAdd AddAddrDrop MPJoinPortSynRx MPJoinPortSynAckRx MPJoinPortAckRx MismatchPortSynRx MismatchPortAckRx RmAddr RmAddrDrop RmAddrTx RmAddrTxDrop RmSubflow MPPrioTx MPPrioRx MPFailTx MPFailRx MPFastcloseTx MPFastcloseRx MPRstTx MPRstRx SubflowStale SubflowRecover SndWndShared RcvWndShared RcvWndConflictUpdate RcvWndConflict MPCurrEstab Blackhole MPCapableDataFallback MD5SigFallback DssFallback SimultConnectFallback FallbackFailed WinProbe',
    'MPTcpExt: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
  ].join('\n') + '\n';

const SNMP =
  [
    'Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates OutTransmits',
    'Ip: 2 64 58 0 0 0 0 0 58 58 0 0 0 0 0 0 0 0 0 58',
    'Icmp: InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds InParmProbs InSrcQuenchs InRedirects InEchos InEchoReps InTimestamps InTimestampReps InAddrMasks InAddrMaskReps OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost OutDestUnreachs OutTimeExcds OutParmProbs OutSrcQuenchs OutRedirects OutEchos OutEchoReps OutTimestamps OutTimestampReps OutAddrMasks OutAddrMaskReps',
    'Icmp: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
    'Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors',
    'Tcp: 1 200 120000 -1 13 10 0 3 4 67 61 6 0 3 0',
    'Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors',
    'Udp: 0 0 0 0 0 0 0 0 0',
    'UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors',
    'UdpLite: 0 0 0 0 0 0 0 0 0',
  ].join('\n') + '\n';

const LIMITS =
  [
    'Limit                     Soft Limit           Hard Limit           Units     ',
    'Max cpu time              unlimited            unlimited            seconds   ',
    'Max file size             unlimited            unlimited            bytes     ',
    'Max data size             unlimited            unlimited            bytes     ',
    'Max stack size            8388608              unlimited            bytes     ',
    'Max core file size        0                    unlimited            bytes     ',
    'Max resident set          unlimited            unlimited            bytes     ',
    'Max processes             96365                96365                processes ',
    'Max open files            20000                20000                files     ',
    'Max locked memory         8388608              8388608              bytes     ',
    'Max address space         unlimited            unlimited            bytes     ',
    'Max file locks            unlimited            unlimited            locks     ',
    'Max pending signals       96365                96365                signals   ',
    'Max msgqueue size         819200               819200               bytes     ',
    'Max nice priority         0                    0                    ',
    'Max realtime priority     0                    0                    ',
    'Max realtime timeout      unlimited            unlimited            us        ',
  ].join('\n') + '\n';

const SS =
  [
    'LISTEN 0      511    127.0.0.1:7001 0.0.0.0:* ino:390822 sk:1001 cgroup:unreachable:1 <->         ',
    'LISTEN 2      2        0.0.0.0:7004 0.0.0.0:* ino:390826 sk:1002 cgroup:unreachable:1 <->         ',
    'LISTEN 0      511        [::1]:7005    [::]:* ino:390825 sk:1003 cgroup:unreachable:1 v6only:1 <->',
    'LISTEN 0      511         [::]:7003    [::]:* ino:390824 sk:1004 cgroup:unreachable:1 v6only:1 <->',
    'LISTEN 0      511            *:7002       *:* ino:390823 sk:1005 cgroup:unreachable:1 v6only:0 <->',
  ].join('\n') + '\n';

describe('parseProcNetTcp', () => {
  it('reads every field of IPv4 lines: listeners, a full accept queue, TIME_WAIT, FIN_WAIT2, CLOSE_WAIT', () => {
    const { entries, malformedLines } = parseProcNetTcp(TCP, 4, true);
    expect(malformedLines).toBe(0);
    expect(entries).toHaveLength(9);
    // "   0: 0100007F:1B59 00000000:0000 0A 00000000:00000000 ... 0 0 390822 ..." = 127.0.0.1:7001 LISTEN
    expect(entries[0]).toEqual({
      family: 4,
      localAddress: '127.0.0.1',
      localWords: [0, 0, 0xffff, 0x7f000001],
      localPort: 7001,
      remoteAddress: '0.0.0.0',
      remoteWords: [0, 0, 0xffff, 0],
      remotePort: 0,
      state: TcpState.Listen,
      txQueueBytes: 0,
      rxQueue: 0,
      uid: 0,
      inode: 390822,
    });
    // "   1: 00000000:1B5C ... 0A 00000000:00000002": 0.0.0.0:7004, backlog 2, 2 connections waiting
    // for accept(): rx_queue is the queue, tx_queue is NOT the backlog (0).
    expect(entries[1]).toMatchObject({ localAddress: '0.0.0.0', localPort: 7004, state: TcpState.Listen, rxQueue: 2, txQueueBytes: 0, inode: 390826 });
    // TIME_WAIT lines are shorter and have no inode.
    expect(entries[2]).toMatchObject({ localAddress: '127.0.0.1', localPort: 7004, remotePort: 0xb9c8, state: TcpState.TimeWait, inode: 0 });
    expect(entries[5]).toMatchObject({ localPort: 0x870e, remotePort: 7004, state: TcpState.FinWait2, inode: 0 });
    // Queued, not yet accepted connections: CLOSE_WAIT (the client gave up), 1 byte (the FIN) unread, no inode.
    expect(entries[7]).toMatchObject({ localPort: 7004, remotePort: 0x8718, state: TcpState.CloseWait, rxQueue: 1, inode: 0 });
  });

  it('reads every field of IPv6 lines: wildcard and loopback listeners, an established pair', () => {
    const { entries, malformedLines } = parseProcNetTcp(TCP6, 6, true);
    expect(malformedLines).toBe(0);
    expect(entries).toHaveLength(6);
    // "00000000000000000000000001000000:1B5D" = [::1]:7005
    expect(entries[0]).toEqual({
      family: 6,
      localAddress: '::1',
      localWords: [0, 0, 0, 1],
      localPort: 7005,
      remoteAddress: '::',
      remoteWords: [0, 0, 0, 0],
      remotePort: 0,
      state: TcpState.Listen,
      txQueueBytes: 0,
      rxQueue: 0,
      uid: 0,
      inode: 390825,
    });
    expect(entries[1]).toMatchObject({ localAddress: '::', localPort: 7003, state: TcpState.Listen, inode: 390824 });
    expect(entries[2]).toMatchObject({ localAddress: '::', localPort: 7002, state: TcpState.Listen, inode: 390823 });
    // "   4: ...01000000:1B5D ...01000000:A9AA 01": the accepted side of the established connection.
    expect(entries[4]).toEqual({
      family: 6,
      localAddress: '::1',
      localWords: [0, 0, 0, 1],
      localPort: 7005,
      remoteAddress: '::1',
      remoteWords: [0, 0, 0, 1],
      remotePort: 0xa9aa,
      state: TcpState.Established,
      txQueueBytes: 0,
      rxQueue: 0,
      uid: 0,
      inode: 390828,
    });
    expect(entries[5]).toMatchObject({ localPort: 0xa9aa, remotePort: 7005, state: TcpState.Established, inode: 390827 });
  });

  it('turns host-order words into addresses on either byte order', () => {
    expect(parseProcAddress('0100007F', 4, true)).toEqual([0, 0, 0xffff, 0x7f000001]);
    expect(parseProcAddress('7F000001', 4, false)).toEqual([0, 0, 0xffff, 0x7f000001]);
    // 2001:db8:aa::2 and an IPv4-mapped ::ffff:198.51.100.2 as an x86 tcp6 line prints them.
    expect(parseProcAddress('B80D0120' + '0000AA00' + '00000000' + '02000000', 6, true)).toEqual([0x20010db8, 0x00aa0000, 0, 2]);
    expect(parseProcAddress('0000000000000000FFFF0000' + '026433C6', 6, true)).toEqual([0, 0, 0xffff, 0xc6336402]);
    expect(parseProcAddress('0100007F', 6, true)).toBeNull();
    expect(parseProcAddress('00', 4, true)).toBeNull();
  });

  it('formats an IPv4-mapped address in tcp6 as a dotted quad, keeping family 6', () => {
    const line =
      '   0: 0000000000000000FFFF0000026433C6:1B5A 0000000000000000FFFF0000016433C6:D431 01 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 20 0 0 10 -1';
    const [e] = parseProcNetTcp(line, 6, true).entries;
    expect(e).toMatchObject({ family: 6, localAddress: '198.51.100.2', remoteAddress: '198.51.100.1', localPort: 7002, remotePort: 0xd431, inode: 4242 });
  });

  it.each([
    ['garbage', 'hello world'],
    ['truncated line', '   0: 0100007F:1B59 00000000:0000 0A 00000000'],
    ['bad address length', '   0: 0100007:1B59 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1'],
    [
      'IPv6 address in the IPv4 table',
      '   0: 00000000000000000000000001000000:1B5D 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1',
    ],
    ['non-numeric inode', '   0: 0100007F:1B59 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 x 1'],
  ])('skips and counts a malformed line: %s', (_name, line) => {
    const r = parseProcNetTcp(`${TCP.split('\n')[0]}\n${line}\n${TCP.split('\n')[1]}\n`, 4, true);
    expect(r.malformedLines).toBe(1);
    expect(r.entries).toHaveLength(1);
  });

  it('every truncation of the fixture parses without throwing', () => {
    for (let len = 0; len <= TCP6.length; len++) {
      const r = parseProcNetTcp(TCP6.slice(0, len), 6, true);
      expect(r.entries.length + r.malformedLines).toBeLessThanOrEqual(6);
    }
  });

  it('never throws on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.constantFrom<4 | 6>(4, 6), (s, fam) => {
        parseProcNetTcp(s, fam);
        parseProcNetTcp(TCP + s, fam);
      }),
      propertyRuns(500),
    );
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...'0123456789ABCDEF: \n'.split('')), { maxLength: 300 }), (cs) => void parseProcNetTcp(cs.join(''), 4)),
      propertyRuns(500),
    );
  });
});

describe('parseSsListeners and parseListeners', () => {
  it('reads backlog, queue and v6only per inode from ss -ltnHe', () => {
    const diag = parseSsListeners(SS);
    expect(diag.size).toBe(5);
    expect(diag.get(390822)).toEqual({ acceptQueue: 0, backlog: 511, v6only: undefined });
    expect(diag.get(390826)).toEqual({ acceptQueue: 2, backlog: 2, v6only: undefined });
    expect(diag.get(390825)).toEqual({ acceptQueue: 0, backlog: 511, v6only: true });
    expect(diag.get(390824)).toEqual({ acceptQueue: 0, backlog: 511, v6only: true });
    expect(diag.get(390823)).toEqual({ acceptQueue: 0, backlog: 511, v6only: false });
    expect(parseSsListeners('Failed to find cgroup2 mount\nLISTEN 0 5 [::]:1 [::]:*\n\n').size).toBe(0);
  });

  it('joins the tables with sock_diag: exact backlog and v6only', () => {
    const v4 = parseProcNetTcp(TCP, 4, true).entries;
    const v6 = parseProcNetTcp(TCP6, 6, true).entries;
    const ls = parseListeners(v4, v6, parseSsListeners(SS));
    expect(ls.map((l) => `${l.family} ${l.address} ${l.port}`)).toEqual(['4 127.0.0.1 7001', '4 0.0.0.0 7004', '6 ::1 7005', '6 :: 7003', '6 :: 7002']);
    expect(ls[1]).toEqual({
      family: 4,
      address: '0.0.0.0',
      port: 7004,
      v6only: undefined,
      v6onlySource: 'not_applicable',
      acceptQueue: 2,
      backlog: 2,
      inode: 390826,
      uid: 0,
    });
    expect(ls[3]).toMatchObject({ v6only: true, v6onlySource: 'sock_diag', backlog: 511, inode: 390824 });
    expect(ls[4]).toMatchObject({ v6only: false, v6onlySource: 'sock_diag' });
  });

  it('sock_diag alone gives the same listeners as the tables joined with it', () => {
    const fromTables = parseListeners(parseProcNetTcp(TCP, 4, true).entries, parseProcNetTcp(TCP6, 6, true).entries, parseSsListeners(SS));
    const e = parseSsListenerEntries(SS);
    expect(e.malformedLines).toBe(0);
    const fromSs = parseListeners(
      e.entries.filter((x) => x.family === 4),
      e.entries.filter((x) => x.family === 6),
      parseSsListeners(SS),
    );
    const key = (l: (typeof fromSs)[number]) => l.inode;
    expect([...fromSs].sort((a, b) => key(a) - key(b))).toEqual([...fromTables].sort((a, b) => key(a) - key(b)));
  });

  it('reads every address form ss prints: *, [::], IPv4-mapped, %device, uid', () => {
    const text = [
      'LISTEN 0      1              0.0.0.0%lo:86 0.0.0.0:* ino:617405 sk:1042 cgroup:unreachable:1 <->         ',
      'LISTEN 0      3                       *:81       *:* ino:617400 sk:1045 cgroup:unreachable:1 v6only:0 <->',
      'LISTEN 0      3                    [::]:82    [::]:* ino:617401 sk:1046 cgroup:unreachable:1 v6only:1 <->',
      'LISTEN 0      3      [::ffff:127.0.0.1]:84       *:* ino:617403 sk:1047 cgroup:unreachable:1 v6only:0 <->',
      'LISTEN 4      3      [2001:db8::2]:85       [::]:* uid:1000 ino:617406 sk:1048 cgroup:unreachable:1 v6only:1 <->',
      'LISTEN 0      3      [fe80::1%eth0]:87       [::]:* ino:617407 sk:1049 cgroup:unreachable:1 v6only:1 <->',
      'LISTEN 0      3      [fd00::2]%eth0:88       [::]:* ino:617408 sk:104a cgroup:unreachable:1 v6only:1 <->',
      'Failed to find cgroup2 mount',
      'LISTEN 0      3      nonsense:80 0.0.0.0:* ino:1 sk:1 <->',
      '',
    ].join('\n');
    const { entries, malformedLines } = parseSsListenerEntries(text);
    expect(malformedLines).toBe(2);
    expect(entries.map((x) => [x.family, x.localAddress, x.localPort, x.rxQueue, x.uid, x.inode])).toEqual([
      [4, '0.0.0.0', 86, 0, 0, 617405],
      [6, '::', 81, 0, 0, 617400],
      [6, '::', 82, 0, 0, 617401],
      [6, '127.0.0.1', 84, 0, 0, 617403],
      [6, '2001:db8::2', 85, 4, 1000, 617406],
      [6, 'fe80::1', 87, 0, 0, 617407],
      [6, 'fd00::2', 88, 0, 0, 617408],
    ]);
    expect(entries[3].localWords).toEqual([0, 0, 0xffff, 0x7f000001]);
    expect(entries.every((x) => x.state === TcpState.Listen && x.remotePort === 0)).toBe(true);
  });

  it('without sock_diag: backlog unknown, v6only inferred only from an IPv4 listener on the same port', () => {
    const v4 = parseProcNetTcp(TCP, 4, true).entries;
    const v6 = parseProcNetTcp(TCP6, 6, true).entries;
    const ls = parseListeners(v4, v6, new Map());
    expect(ls.every((l) => l.backlog === null)).toBe(true);
    expect(ls[2]).toMatchObject({ address: '::1', v6only: undefined, v6onlySource: 'not_applicable' });
    expect(ls[3]).toMatchObject({ port: 7003, v6only: undefined, v6onlySource: 'unknown' });
    // A v6only [::]:7001 beside 127.0.0.1:7001: a dual-stack one could not have been bound.
    const extra = parseProcNetTcp(
      '   9: 00000000000000000000000000000000:1B59 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 77 1',
      6,
      true,
    ).entries;
    const withPeer = parseListeners(v4, extra, new Map());
    expect(withPeer[2]).toMatchObject({ family: 6, port: 7001, v6only: true, v6onlySource: 'ipv4_listener_on_port', inode: 77 });
  });
});

describe('parseNetstat', () => {
  it('reads every prefix of /proc/net/netstat, TcpExt apart from MPTcpExt', () => {
    const { counters, malformedLines } = parseNetstat(NETSTAT);
    expect(malformedLines).toBe(0);
    expect([...counters.keys()]).toEqual(['TcpExt', 'IpExt', 'MPTcpExt']);
    const ext = counters.get('TcpExt')!;
    expect(ext.get('ListenOverflows')).toBe(9);
    expect(ext.get('ListenDrops')).toBe(9);
    expect(ext.get('SyncookiesSent')).toBe(0);
    expect(ext.get('TW')).toBe(9);
    expect(counters.get('MPTcpExt')!.has('ListenOverflows')).toBe(false);
    const t = parseTcpExtCounters(counters);
    expect(t).toMatchObject({
      listenOverflows: 9,
      listenDrops: 9,
      syncookiesSent: 0,
      syncookiesRecv: 0,
      syncookiesFailed: 0,
      reqQFullDrop: 0,
      reqQFullDoCookies: 0,
    });
  });

  it('reads /proc/net/snmp, negative MaxConn included', () => {
    const { counters, malformedLines } = parseNetstat(SNMP);
    expect(malformedLines).toBe(0);
    expect(counters.get('Tcp')!.get('MaxConn')).toBe(-1);
    expect(counters.get('Tcp')!.get('OutRsts')).toBe(3);
    expect(counters.get('Tcp')!.get('RtoMax')).toBe(120000);
    expect(parseTcpExtCounters(counters).listenOverflows).toBeNull();
  });

  it.each([
    ['unpaired header', 'TcpExt: A B\n', 1],
    ['prefixes differ', 'TcpExt: A B\nIpExt: 1 2\n', 2],
    ['counts differ', 'TcpExt: A B\nTcpExt: 1\n', 2],
    ['not a number', 'TcpExt: A B\nTcpExt: 1 x\n', 2],
    ['no prefix', 'hello\n', 1],
  ])('skips and counts malformed lines: %s', (_n, text, bad) => {
    const r = parseNetstat(text + 'Tcp: X\nTcp: 5\n');
    expect(r.malformedLines).toBe(bad);
    expect(r.counters.get('Tcp')!.get('X')).toBe(5);
    expect(r.counters.has('TcpExt')).toBe(false);
  });

  it('never throws on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => void parseNetstat(s)),
      propertyRuns(500),
    );
    fc.assert(
      fc.property(fc.nat({ max: NETSTAT.length }), (n) => void parseNetstat(NETSTAT.slice(0, n))),
      propertyRuns(300),
    );
  });
});

describe('parseNofileLimits, parseSocketLink, parseSysctlInteger', () => {
  it('reads Max open files from /proc/<pid>/limits', () => {
    expect(parseNofileLimits(LIMITS)).toEqual({ soft: 20000, hard: 20000 });
    expect(parseNofileLimits('Max open files            1024                 unlimited            files     \n')).toEqual({ soft: 1024, hard: Infinity });
    expect(parseNofileLimits('Max processes 5 5\n')).toBeNull();
    expect(parseNofileLimits('')).toBeNull();
  });

  it.each([
    ['socket:[390822]', 390822],
    ['socket:[0]', 0],
    ['pipe:[1234]', -1],
    ['/dev/null', -1],
    ['socket:[12', -1],
    ['anon_inode:[eventpoll]', -1],
  ])('parseSocketLink(%s) = %d', (t, ino) => expect(parseSocketLink(t)).toBe(ino));

  it.each([
    ['4096\n', 4096],
    ['0\n', 0],
    ['-1', -1],
    ['', null],
    ['4096 4096\n', null],
    ['abc', null],
  ])('parseSysctlInteger(%j) = %j', (t, v) => expect(parseSysctlInteger(t)).toBe(v));

  it('never throw on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        parseNofileLimits(s);
        parseSocketLink(s);
        parseSysctlInteger(s);
        parseSsListeners(s);
      }),
      propertyRuns(500),
    );
  });
});
