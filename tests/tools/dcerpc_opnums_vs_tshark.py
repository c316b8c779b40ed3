#!/usr/bin/env python3
"""Cross-check dissectors/dcerpc_ifaces.c's opnum tables against tshark's DCE/RPC dissectors.

    tests/tools/dcerpc_opnums_vs_tshark.py [OUTDIR]

Builds a pcap of DCE/RPC over TCP/135 (per interface in the table: a bind, a bind_ack, then one
request per opnum), has tshark name every request, and prints each opnum where the two names do
not obviously agree (after dropping prefixes such as Samr/Lsar/Rpc/Netr and case). The list is
for a person to read: tshark names many operations in Samba's words (EnumDomainUsers for
SamrEnumerateUsersInDomain) and names opnums the specs call NotUsedOnWire; what it must never show
is a different operation at the same opnum. Used to review the tables (an off-by-one in eventlog
22-26 was found this way).
"""
import os
import re
import struct
import subprocess
import sys

import pcapw

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else '.'
ifaces = []
src = open(os.path.join(HERE, '..', '..', 'dissectors', 'dcerpc_ifaces.c')).read()
for m in re.finditer(r'IFACE\("(\w+)", UUID\(([^)]*)\), (\d+),\s*(\w+)', src):
    name, u, ver, ops = m.group(1), [int(x,16) for x in m.group(2).split(',')], int(m.group(3)), m.group(4)
    body = src[src.index('static const char *const %s[]' % ops):]
    body = body[:body.index('};')]
    table = {int(k): v for k, v in re.findall(r'\[(\d+)\] = "(\w+)"', body)}
    wire = struct.pack('<IHH', u[0], u[1], u[2]) + bytes(u[3:])
    ifaces.append((name, wire, ver, table))
NDR = struct.pack('<IHH', 0x8a885d04, 0x1ceb, 0x11c9) + bytes([0x9f,0xe8,0x08,0x00,0x2b,0x10,0x48,0x60])
def pdu(ptype, call_id, body):
    return struct.pack('<BBBB4sHHI', 5, 0, ptype, 3, b'\x10\0\0\0', 16+len(body), 0, call_id) + body
out = pcapw.Writer(os.path.join(OUT, 'ops.pcap'), snaplen=65535)
t=[0]
def pkt(sport, dport, seq, ack, payload):
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5<<4, 0x18, 65535, 0, 0) + payload
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20+len(tcp), 1, 0, 64, 6, 0, bytes([10,0,0,1]) if sport!=135 else bytes([10,0,0,2]), bytes([10,0,0,2]) if sport!=135 else bytes([10,0,0,1]))
    ip = ip[:10] + struct.pack('!H', pcapw.checksum(ip)) + ip[12:]
    fr = b'\0\1\2\3\4\5' + b'\0\1\2\3\4\6' + b'\x08\x00' + ip + tcp
    t[0]+=1
    out.frame(t[0] * 1_000_000, fr)
for k,(name, wire, ver, table) in enumerate(ifaces):
    sport = 40000+k; cseq=1000; sseq=5000
    # bind: max_xmit, max_recv, assoc, n_ctx=1, ctx_id 0, n_ts 1, abstract, transfer
    body = struct.pack('<HHIB3s', 4280, 4280, 0, 1, b'\0\0\0') + struct.pack('<HBB', 0, 1, 0) + wire + struct.pack('<HH', ver, 0) + NDR + struct.pack('<I', 2)
    p = pdu(11, 1, body); pkt(sport, 135, cseq, sseq, p); cseq += len(p)
    sec = b'\x04\x00135\x00'
    ack = struct.pack('<HHI', 4280, 4280, 0x1234) + sec + b'\0'*((4-(8+len(sec))%4)%4) + struct.pack('<B3s', 1, b'\0\0\0') + struct.pack('<HH', 0, 0) + NDR + struct.pack('<I', 2)
    p = pdu(12, 1, ack); pkt(135, sport, sseq, cseq, p); sseq += len(p)
    for op in range(max(table)+3):
        body = struct.pack('<IHH', 0, 0, op) + b'\0'*8
        p = pdu(0, 100+op, body); pkt(sport, 135, cseq, sseq, p); cseq += len(p)
out.close()
ours = [(name, op, table.get(op, '-')) for name, wire, ver, table in ifaces for op in range(max(table) + 3)]
res = subprocess.run(['tshark', '-r', os.path.join(OUT, 'ops.pcap'), '-Y', 'dcerpc.pkt_type == 0', '-T', 'fields',
                      '-e', 'dcerpc.opnum', '-e', '_ws.col.Info'], capture_output=True, text=True, check=True)
theirs = [re.sub(r' request.*|\[Malformed Packet\]', '', l).split('\t') for l in res.stdout.splitlines()]
assert len(ours) == len(theirs), (len(ours), len(theirs))


def norm(s):
    s = s.lower()
    for p in ['svcctl_', 'samr_', 'lsa_', 'srvsvc_', 'wkssvc_', 'winreg_', 'spoolss_', 'eventlog_', 'netr_']:
        if s.startswith(p):
            s = s[len(p):]
    s = s.replace('_', '')
    for p in ['idl', 'rpc', 'samr', 'lsar', 'lsa', 'netr', 'netp', 'net', 'elfr', 'sch', 'base', 'ds', 'r', 'i']:
        if s.startswith(p) and len(s) > len(p) + 3:
            s = s[len(p):]
    return s


for (name, op, a), (op2, b) in zip(ours, theirs):
    assert str(op) == op2, (name, op, op2)
    na, nb = norm(a), norm(b)
    if a != '-' and (na == nb or na in nb or nb in na):
        continue
    if a == '-' and b.lower().startswith('unknown'):
        continue
    print('%-9s %3s  ours=%-40s tshark=%s' % (name, op, a, b))
