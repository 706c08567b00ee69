#!/usr/bin/env python3
"""Rewrites folded legacy `(try (do ...) (catch x ...) (catch_all ...) (delegate l))` in a .wast file
into flat `try ... catch x ... end` form, which `wasm-tools json-from-wast` reads.

Usage: flatten-legacy-try.py IN.wast > OUT.wast   (used for ValidatorSpecJSONTests)"""
import sys, re
def tokenize(s):
    toks=[];i=0;n=len(s)
    while i<n:
        c=s[i]
        if c.isspace(): i+=1
        elif s.startswith(';;',i):
            j=s.find('\n',i); i = n if j<0 else j
        elif s.startswith('(;',i):
            d=0
            while i<n:
                if s.startswith('(;',i): d+=1;i+=2
                elif s.startswith(';)',i): d-=1;i+=2
                    
                else: i+=1
                if d==0: break
        elif c in '()': toks.append(c);i+=1
        elif c=='"':
            j=i+1
            while s[j]!='"':
                j+= 2 if s[j]=='\\' else 1
            toks.append(s[i:j+1]);i=j+1
        else:
            j=i
            while j<n and not s[j].isspace() and s[j] not in '()"' and not s.startswith(';;',j): j+=1
            toks.append(s[i:j]);i=j
    return toks
def parse(toks,i):
    out=[]
    while i<len(toks):
        t=toks[i]
        if t=='(':
            lst,i=parse(toks,i+1); out.append(lst)
        elif t==')': return out,i+1
        else: out.append(t);i+=1
    return out,i
def emit(x):
    if isinstance(x,str): return x
    if x and x[0]=='try' and any(isinstance(e,list) and e and e[0]=='do' for e in x):
        parts=['try']
        for e in x[1:]:
            if isinstance(e,list) and e and e[0] in ('do','catch','catch_all','delegate'):
                if e[0]=='do': parts += [emit(y) for y in e[1:]]
                elif e[0]=='catch': parts += ['catch', e[1]] + [emit(y) for y in e[2:]]
                elif e[0]=='catch_all': parts += ['catch_all'] + [emit(y) for y in e[1:]]
                else: parts += ['delegate', e[1]]; return ' '.join(parts)
            else: parts.append(emit(e))
        parts.append('end'); return ' '.join(parts)
    return '(' + ' '.join(emit(e) for e in x) + ')'
s=open(sys.argv[1]).read()
tree,_=parse(tokenize(s),0)
print('\n'.join(emit(e) for e in tree))
