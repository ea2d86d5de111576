#!/usr/bin/env python3
"""Mutation fuzzing of the trace readers and every command that reads traces.

    scripts/fuzz_traces.py [SEED] [ITERATIONS]

Takes a sample's binary stream, damages it (bit flips, truncation, garbage
records, records with extreme kinds and ids), and runs stats, replay, graph,
check and convert on it. Every command must exit 0, 1 or 3: never crash,
hang or report an internal error. Failing inputs are kept as bad-N.ahs in the
working directory. Not part of CI (minutes); run after touching a reader.
"""
import os, random, subprocess, shutil, sys, tempfile
random.seed(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
ITERATIONS = int(sys.argv[2]) if len(sys.argv) > 2 else 300
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get('AHTRACE_BIN', os.path.join(ROOT, 'build', 'ahtrace'))
src = os.path.join(ROOT, 'samples', 'http-als', 'trace')
os.chdir(tempfile.mkdtemp(prefix='ahtrace-fuzz-'))
stream = [f for f in os.listdir(src) if f.endswith('.ahs')][0]
data = open(os.path.join(src, stream), 'rb').read()
bad = 0
for i in range(ITERATIONS):
    d = bytearray(data)
    mode = random.choice(['flip', 'trunc', 'garbage', 'record'])
    if mode == 'flip':
        for _ in range(random.randint(1, 20)):
            p = random.randrange(16, len(d)); d[p] = random.randrange(256)
    elif mode == 'trunc':
        d = d[:random.randrange(0, len(d))]
    elif mode == 'garbage':
        p = random.randrange(16, len(d)); d[p:p+56] = os.urandom(56)
    else:
        p = 16 + random.randrange(0, (len(d)-16)//56) * 56
        d[p:p+4] = random.choice([b'\x10\x00\x00\x00', b'\x11\x00\x00\x00', b'\x21\x00\x00\x00', b'\x30\x00\x00\x00', b'\xff\xff\xff\xff'])
        d[p+8:p+16] = random.choice([b'\xff'*8, b'\x00\x00\x00\x00\x00\x00\xf0\x7f', b'\x00\x00\x00\x00\x00\x00\x30\x43', os.urandom(8)])
    shutil.rmtree('t', ignore_errors=True); os.makedirs('t')
    open('t/p1-t0.ahs', 'wb').write(d)
    for cmd in (['stats', 't'], ['replay', 't', '-o', 't.db'], ['graph', 't', '-o', 't.dot'], ['check', 't'], ['convert', 't', '-o', 't.nd']):
        r = subprocess.run([BIN] + cmd, capture_output=True, timeout=30)
        if r.returncode not in (0, 1, 3):
            bad += 1
            print('BAD', mode, cmd[0], r.returncode, r.stderr[-300:])
            open('bad-%d.ahs' % i, 'wb').write(d)
print('done in', os.getcwd(), ', bad =', bad)
sys.exit(1 if bad else 0)
