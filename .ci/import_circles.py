#!/usr/bin/env python3
"""Import circles between the modules of a crate. A module that names another's items
(`use crate::a::b`, `use super::x`, `crate::a::f(…)`) depends on it; no two modules may depend on
each other, directly or around a loop. Usage: import_circles.py CRATE_DIR…; prints each circle
and exits 1 if there is one."""
import os, re, sys

def modules(src):
    mods = {}
    for root, _, files in os.walk(src):
        for f in files:
            if not f.endswith('.rs') or f == 'tests.rs':
                continue
            rel = os.path.relpath(os.path.join(root, f), src)[:-3].split(os.sep)
            if rel[-1] in ('lib', 'main', 'mod'):
                rel = rel[:-1]
            mods[tuple(rel)] = os.path.join(root, f)
    return mods

PATH = re.compile(r'\b(crate|super|self)((?:::\w+)+)')
USE_GROUP = re.compile(r'\buse\s+(crate|super|self)((?:::\w+)*)::\{([^;]*)\};', re.S)

def strip(text):
    # A file's test module (`#[cfg(test)] mod tests`) closes it; what tests import is not the
    # module's design.
    text = re.split(r'#\[cfg\(test\)\]\s*mod\s', text)[0]
    text = re.sub(r'//[^\n]*', '', text)
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)

def resolve(base, parts, mods):
    path = list(base) + parts
    for n in range(len(path), 0, -1):
        if tuple(path[:n]) in mods:
            return tuple(path[:n])
    return ()

def edges(mod, path, mods):
    text = strip(open(path).read())
    found = set()
    def add(kind, tail):
        parts = [p for p in tail.split('::') if p]
        if kind == 'crate':
            base = []
        elif kind == 'self':
            base = list(mod)
        else:
            base = list(mod)[:-1]
            while parts and parts[0] == 'super':
                base, parts = base[:-1], parts[1:]
        target = resolve(base, parts, mods)
        if target and target != mod:
            found.add(target)
    for m in USE_GROUP.finditer(text):
        for item in re.split(r'[,{}]', m.group(3)):
            item = item.split(' as ')[0].strip()
            if item and item != 'self':
                add(m.group(1), m.group(2) + '::' + item)
    for m in PATH.finditer(text):
        add(m.group(1), m.group(2))
    return found

def cycles(graph):
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
    def visit(v):
        index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)
    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            visit(v)
    return out

bad = 0
for crate in sys.argv[1:]:
    mods = modules(os.path.join(crate, 'src'))
    graph = {m: edges(m, p, mods) for m, p in mods.items()}
    for comp in cycles(graph):
        bad += 1
        print(f"{crate}: " + " ↔ ".join('::'.join(m) or 'lib' for m in sorted(comp)))
sys.exit(1 if bad else 0)
