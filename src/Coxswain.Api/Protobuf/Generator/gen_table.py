#!/usr/bin/env python3
"""Builds ../ProtobufTable.txt from a kubectl binary (Go, ELF, x86-64, not PIE).

Everything comes from the binary itself, nothing is fetched:
  * the gzipped FileDescriptorProtos that gogo-protobuf registers for every
    k8s.io/api/*/generated.proto give message names, field numbers, proto types, labels and
    map entries;
  * Go's reflection data (runtime type descriptors of the API structs) gives, per field, the
    json tag (name, omitempty, inline) and whether the Go field is a pointer.

Usage: python3 gen_table.py KUBECTL [--csharp DIR]
  prints the table, or with --csharp writes it as C# raw string parts (files under ~900 lines)
  into DIR/ProtobufTable.PartNN.g.cs plus DIR/ProtobufTable.g.cs listing them.
"""
import json, re, struct, sys, zlib

PACKAGES = [  # proto packages whose messages go into the table (plus the apimachinery ones)
    'core/v1', 'apps/v1', 'batch/v1', 'autoscaling/v1', 'autoscaling/v2', 'rbac/v1', 'policy/v1',
    'scheduling/v1', 'networking/v1', 'storage/v1', 'discovery/v1', 'coordination/v1', 'events/v1',
    'authorization/v1', 'authentication/v1', 'meta/v1',
]
SPECIAL = {  # messages the codec handles by hand (custom JSON forms)
    'meta/v1.Time', 'meta/v1.MicroTime', 'meta/v1.Duration', 'meta/v1.FieldsV1', 'meta/v1.Timestamp',
    'resource.Quantity', 'intstr.IntOrString', 'runtime.RawExtension',
}
SCALAR = {1: 'double', 2: 'float', 3: 'int64', 4: 'uint64', 5: 'int32', 8: 'bool', 9: 'string',
          12: 'bytes', 13: 'uint32', 17: 'sint32', 18: 'sint64'}


class Elf:
    def __init__(self, path):
        self.d = d = open(path, 'rb').read()
        shoff = struct.unpack_from('<Q', d, 0x28)[0]
        shentsize, shnum, shstrndx = struct.unpack_from('<HHH', d, 0x3a)
        raw = [struct.unpack_from('<IIQQQQ', d, shoff + i * shentsize) for i in range(shnum)]
        so = raw[shstrndx][4]
        self.secs = {d[so + nm:d.index(b'\0', so + nm)].decode(): (addr, off, size, typ)
                     for nm, typ, _, addr, off, size in raw}

    def off(self, va):
        for addr, off, size, typ in self.secs.values():
            if addr and addr <= va < addr + size and typ != 8:
                return off + va - addr
        raise ValueError(hex(va))

    def u64(self, va): return struct.unpack_from('<Q', self.d, self.off(va))[0]
    def i32(self, va): return struct.unpack_from('<i', self.d, self.off(va))[0]
    def u8(self, va): return self.d[self.off(va)]


# ---- protobuf wire reading (for the descriptors) ----
def fields_of(buf):
    i, out = 0, []
    def varint():
        nonlocal i
        v = s = 0
        while True:
            c = buf[i]; i += 1; v |= (c & 0x7f) << s; s += 7
            if c < 0x80: return v
    while i < len(buf):
        k = varint(); f, w = k >> 3, k & 7
        if w == 0: v = varint()
        elif w == 2: n = varint(); v = buf[i:i + n]; i += n
        elif w == 1: v = buf[i:i + 8]; i += 8
        elif w == 5: v = buf[i:i + 4]; i += 4
        else: raise ValueError('wire type %d' % w)
        out.append((f, v))
    return out


def descriptors(elf):
    files = {}
    def message(buf, prefix, res):
        m = fields_of(buf)
        name = [v for f, v in m if f == 1][0].decode()
        full = prefix + '.' + name
        entry = any(f == 7 for o in (v for f, v in m if f == 7) for f, _ in fields_of(o))
        fl = []
        for f, v in m:
            if f == 2:
                fd = {}
                for ff, vv in fields_of(v):
                    if ff == 1: fd['name'] = vv.decode()
                    elif ff == 3: fd['num'] = vv
                    elif ff == 4: fd['label'] = vv
                    elif ff == 5: fd['type'] = vv
                    elif ff == 6: fd['tn'] = vv.decode()
                fl.append(fd)
            elif f == 3:
                message(v, full, res)
        res[full] = {'fields': fl, 'entry': entry}
    for m in re.finditer(rb'\x1f\x8b\x08', elf.d):
        try:
            raw = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(elf.d[m.start():m.start() + 4000000])
            fdp = fields_of(raw)
        except Exception:
            continue
        names = [v for f, v in fdp if f == 1]
        if not names or not names[0].endswith(b'.proto'):
            continue
        pkg = [v for f, v in fdp if f == 2][0].decode()
        for f, v in fdp:
            if f == 4:
                message(v, '.' + pkg, files)
    return files


# ---- Go reflection data ----
def go_structs(elf):
    pcl = elf.secs['.gopclntab'][0]
    md = None
    for sec in ('.noptrdata', '.data'):
        addr, off, size, _ = elf.secs[sec]
        i = elf.d.find(struct.pack('<Q', pcl), off, off + size)
        if i >= 0:
            md = addr + i - off
            break
    words = [elf.u64(md + 8 * k) for k in range(48)]
    types, typelinks, ntl = words[37], words[44], words[45]  # moduledata, go1.2x layout

    def varint(va):
        x = s = 0
        while True:
            c = elf.u8(va); va += 1; x |= (c & 0x7f) << s; s += 7
            if c < 0x80: return x, va

    def name(va):
        flags = elf.u8(va); n, p = varint(va + 1); o = elf.off(p)
        nm = elf.d[o:o + n].decode('utf-8', 'replace'); p += n; tag = ''
        if flags & 2:
            tn, p = varint(p); o = elf.off(p); tag = elf.d[o:o + tn].decode('utf-8', 'replace')
        return nm, tag

    def typename(t):
        s = name(types + elf.i32(t + 40))[0]
        return s[1:] if elf.u8(t + 20) & 2 else s

    seen, out = {}, {}
    def kind(t): return elf.u8(t + 23) & 0x1f
    def visit(t):
        if t in seen: return seen[t]
        pp = name(types + elf.i32(t + 80))[0] if elf.u8(t + 20) & 1 else ''
        key = pp + '.' + typename(t).split('.')[-1]
        seen[t] = key
        fp, fl = elf.u64(t + 56), elf.u64(t + 64)
        fields = []
        for i in range(fl):
            f = fp + 24 * i
            nm, tag = name(elf.u64(f)); ft = elf.u64(f + 8)
            k = kind(ft)
            if k == 25: visit(ft)
            elif k in (22, 23) and kind(elf.u64(ft + 48)) == 25: visit(elf.u64(ft + 48))
            fields.append({'name': nm, 'tag': tag, 'ptr': k == 22})
        out[key] = fields
        return key
    o = elf.off(typelinks)
    for i in range(ntl):
        t = types + struct.unpack_from('<i', elf.d, o + 4 * i)[0]
        try:
            k = kind(t)
            if k in (22, 23) and kind(elf.u64(t + 48)) == 25: visit(elf.u64(t + 48))
            elif k == 25: visit(t)
        except Exception:
            pass
    return out


def short(pkg):
    pkg = pkg.lstrip('.')
    if pkg.startswith('k8s.io.api.'): return pkg[len('k8s.io.api.'):].replace('.', '/')
    if pkg == 'k8s.io.apimachinery.pkg.apis.meta.v1': return 'meta/v1'
    return pkg.split('.')[-1]


def gopath(pkg):
    return pkg.lstrip('.').replace('.', '/', pkg.lstrip('.').count('.')).replace('k8s/io', 'k8s.io', 1)


def main():
    lines = table(sys.argv[1])
    if len(sys.argv) > 3 and sys.argv[2] == '--csharp':
        write_csharp(lines, sys.argv[3])
    else:
        sys.stdout.write('\n'.join(lines) + '\n')


def write_csharp(lines, outdir):
    import os
    head = [l for l in lines if l.startswith('#')]
    body = [l for l in lines if not l.startswith('#')]
    parts, cur = [], []
    for l in body:
        if l.startswith('@') and len(cur) > 850:
            parts.append(cur); cur = []
        cur.append(l)
    parts.append(cur)
    gen = '// <auto-generated> by Protobuf/Generator/gen_table.py from a kubectl binary; do not edit. </auto-generated>\n'
    for i, p in enumerate(parts, 1):
        with open(os.path.join(outdir, 'ProtobufTable.Part%02d.g.cs' % i), 'w') as f:
            f.write(gen + 'namespace Coxswain.Api.Protobuf;\n\ninternal static partial class ProtobufTable\n{\n')
            f.write('    private const string Part%02d = """\n' % i + '\n'.join(p) + '\n""";\n}\n')
    with open(os.path.join(outdir, 'ProtobufTable.g.cs'), 'w') as f:
        f.write(gen + 'namespace Coxswain.Api.Protobuf;\n\n')
        f.write(''.join('// ' + h[2:] + '\n' for h in head))
        f.write('internal static partial class ProtobufTable\n{\n')
        f.write('    /// <summary>The table text, in parts (one file each).</summary>\n')
        f.write('    internal static readonly string[] Parts = [%s];\n}\n' % ', '.join('Part%02d' % i for i in range(1, len(parts) + 1)))


def table(path):
    """The table's lines: a header comment, then '@message' lines each followed by its fields."""
    out = []
    elf = Elf(path)
    msgs = descriptors(elf)
    go = go_structs(elf)
    def split(full):
        pkg, _, nm = full.rpartition('.')
        if pkg in msgs:  # nested (map entry)
            return None
        return pkg, nm
    def ref(tn, here):
        pkg, nm = tn.rpartition('.')[0], tn.rpartition('.')[2]
        s = short(pkg)
        return nm if s == here else s + '.' + nm
    out.append('# Protobuf field table for Kubernetes API messages, generated by Generator/gen_table.py')
    out.append('# from the descriptors and Go reflection data inside a kubectl binary.')
    out.append('# "@pkg.Message [list]" starts a message ("list": JSON is the items array itself).')
    out.append('# Field: number jsonName type [ptr] [omit] [inline]; type: scalar, Message, []T, map<K,V>.')
    out.append('# ptr: Go pointer (zero values are meaningful); omit: json omitempty; inline: json ",inline".')
    for full in sorted(msgs, key=lambda k: (short(k.rpartition('.')[0]), k)):
        m = msgs[full]
        sp = split(full)
        if m['entry'] or sp is None: continue
        pkg, nm = sp
        s = short(pkg)
        if s not in PACKAGES: continue
        if s + '.' + nm in SPECIAL: continue
        gs = go.get(gopath(pkg) + '.' + nm)
        bytag = {}
        for f in gs or []:
            pm = re.search(r'protobuf:"([^"]*)"', f['tag'])
            if pm and pm.group(1) != '-':
                bytag[int(pm.group(1).split(',')[1])] = f
        out.append('@%s.%s%s' % (s, nm, '' if gs is not None else ' list'))
        for fd in sorted(m['fields'], key=lambda x: x['num']):
            t = fd['type']
            if t == 11:
                tmsg = msgs.get(fd['tn'])
                if tmsg and tmsg['entry']:
                    kv = {x['num']: x for x in tmsg['fields']}
                    val = SCALAR[kv[2]['type']] if kv[2]['type'] != 11 else ref(kv[2]['tn'], s)
                    typ = 'map<%s,%s>' % (SCALAR[kv[1]['type']], val)
                else:
                    typ = ref(fd['tn'], s)
            else:
                typ = SCALAR[t]
            if fd.get('label') == 3 and not typ.startswith('map<'):
                typ = '[]' + typ
            g = bytag.get(fd['num'])
            flags, jname = [], fd['name']
            if g is not None:
                jm = re.search(r'json:"([^"]*)"', g['tag'])
                parts = jm.group(1).split(',') if jm else [g['name']]
                if parts[0] == '-':
                    continue
                if 'inline' in parts[1:]:
                    flags.append('inline'); jname = '-'
                else:
                    jname = parts[0] or g['name']
                if g['ptr']: flags.append('ptr')
                if 'omitempty' in parts[1:]: flags.append('omit')
            elif gs is not None:
                sys.stderr.write('no Go field for %s.%s %d\n' % (s, nm, fd['num']))
            out.append(' '.join([str(fd['num']), jname, typ] + flags))
    return out


if __name__ == '__main__':
    main()
