#!/usr/bin/env python3
"""Generates Sources/LatheWasm/Opcodes.generated.swift: the one opcode table of LatheWasm.

Run from the repository root: python3 utils/gen-opcodes.py
Each entry: prefix (0 = none), code, mnemonic, immediate kind, stack signature, natural
alignment (log2, memory ops only), feature, and whether it may appear in a constant expression.
A signature is "params -> results" over i32 i64 f32 f64 v128; `a` is the address type of the
memory the instruction names. Instructions whose typing needs more than that have no signature
and are typed by the validator case by case.
"""
import os, re

ops = []
def op(prefix, code, name, imm="none", sig=None, align=None, feature="mvp", const=False):
    ops.append((prefix, code, name, imm, sig, align, feature, const))

# --- control and parametric (MVP, exceptions, tail calls, typed references)
op(0, 0x00, "unreachable")
op(0, 0x01, "nop", sig=" -> ")
op(0, 0x02, "block", "blockType")
op(0, 0x03, "loop", "blockType")
op(0, 0x04, "if", "blockType")
op(0, 0x05, "else")
op(0, 0x06, "try", "blockType", feature="legacyExceptions")
op(0, 0x07, "catch", "tag", feature="legacyExceptions")
op(0, 0x08, "throw", "tag", feature="exceptions")
op(0, 0x09, "rethrow", "label", feature="legacyExceptions")
op(0, 0x0A, "throw_ref", feature="exceptions")
op(0, 0x0B, "end")
op(0, 0x0C, "br", "label")
op(0, 0x0D, "br_if", "label")
op(0, 0x0E, "br_table", "brTable")
op(0, 0x0F, "return")
op(0, 0x10, "call", "function")
op(0, 0x11, "call_indirect", "callIndirect")
op(0, 0x12, "return_call", "function", feature="tailCall")
op(0, 0x13, "return_call_indirect", "callIndirect", feature="tailCall")
op(0, 0x14, "call_ref", "type", feature="functionReferences")
op(0, 0x15, "return_call_ref", "type", feature="tailCall")
op(0, 0x18, "delegate", "label", feature="legacyExceptions")
op(0, 0x19, "catch_all", feature="legacyExceptions")
op(0, 0x1A, "drop")
op(0, 0x1B, "select")
op(0, 0x1C, "select", "selectTypes", feature="referenceTypes")  # typed select shares the mnemonic
op(0, 0x1F, "try_table", "tryTable", feature="exceptions")
op(0, 0x20, "local.get", "local")
op(0, 0x21, "local.set", "local")
op(0, 0x22, "local.tee", "local")
op(0, 0x23, "global.get", "global", const=True)
op(0, 0x24, "global.set", "global")
op(0, 0x25, "table.get", "table", feature="referenceTypes")
op(0, 0x26, "table.set", "table", feature="referenceTypes")

# --- memory
loads = [(0x28, "i32.load", "i32", 2), (0x29, "i64.load", "i64", 3), (0x2A, "f32.load", "f32", 2),
         (0x2B, "f64.load", "f64", 3), (0x2C, "i32.load8_s", "i32", 0), (0x2D, "i32.load8_u", "i32", 0),
         (0x2E, "i32.load16_s", "i32", 1), (0x2F, "i32.load16_u", "i32", 1), (0x30, "i64.load8_s", "i64", 0),
         (0x31, "i64.load8_u", "i64", 0), (0x32, "i64.load16_s", "i64", 1), (0x33, "i64.load16_u", "i64", 1),
         (0x34, "i64.load32_s", "i64", 2), (0x35, "i64.load32_u", "i64", 2)]
for code, name, t, al in loads:
    op(0, code, name, "memArg", f"a -> {t}", al)
stores = [(0x36, "i32.store", "i32", 2), (0x37, "i64.store", "i64", 3), (0x38, "f32.store", "f32", 2),
          (0x39, "f64.store", "f64", 3), (0x3A, "i32.store8", "i32", 0), (0x3B, "i32.store16", "i32", 1),
          (0x3C, "i64.store8", "i64", 0), (0x3D, "i64.store16", "i64", 1), (0x3E, "i64.store32", "i64", 2)]
for code, name, t, al in stores:
    op(0, code, name, "memArg", f"a {t} -> ", al)
op(0, 0x3F, "memory.size", "memory", " -> a")
op(0, 0x40, "memory.grow", "memory", "a -> a")

# --- numeric constants and operators
op(0, 0x41, "i32.const", "i32", " -> i32", const=True)
op(0, 0x42, "i64.const", "i64", " -> i64", const=True)
op(0, 0x43, "f32.const", "f32", " -> f32", const=True)
op(0, 0x44, "f64.const", "f64", " -> f64", const=True)

def seq(prefix, start, t, names, shape, feature="mvp", consts=()):
    for i, n in enumerate(names):
        op(prefix, start + i, f"{t}.{n}", sig=shape, feature=feature, const=n in consts)

icmp = ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"]
fcmp = ["eq", "ne", "lt", "gt", "le", "ge"]
op(0, 0x45, "i32.eqz", sig="i32 -> i32")
seq(0, 0x46, "i32", icmp, "i32 i32 -> i32")
op(0, 0x50, "i64.eqz", sig="i64 -> i32")
seq(0, 0x51, "i64", icmp, "i64 i64 -> i32")
seq(0, 0x5B, "f32", fcmp, "f32 f32 -> i32")
seq(0, 0x61, "f64", fcmp, "f64 f64 -> i32")
iun = ["clz", "ctz", "popcnt"]
ibin = ["add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr"]
seq(0, 0x67, "i32", iun, "i32 -> i32")
seq(0, 0x6A, "i32", ibin, "i32 i32 -> i32", consts=("add", "sub", "mul"))
seq(0, 0x79, "i64", iun, "i64 -> i64")
seq(0, 0x7C, "i64", ibin, "i64 i64 -> i64", consts=("add", "sub", "mul"))
fun = ["abs", "neg", "ceil", "floor", "trunc", "nearest", "sqrt"]
fbin = ["add", "sub", "mul", "div", "min", "max", "copysign"]
seq(0, 0x8B, "f32", fun, "f32 -> f32")
seq(0, 0x92, "f32", fbin, "f32 f32 -> f32")
seq(0, 0x99, "f64", fun, "f64 -> f64")
seq(0, 0xA0, "f64", fbin, "f64 f64 -> f64")
conversions = [
    ("i32.wrap_i64", "i64", "i32"), ("i32.trunc_f32_s", "f32", "i32"), ("i32.trunc_f32_u", "f32", "i32"),
    ("i32.trunc_f64_s", "f64", "i32"), ("i32.trunc_f64_u", "f64", "i32"), ("i64.extend_i32_s", "i32", "i64"),
    ("i64.extend_i32_u", "i32", "i64"), ("i64.trunc_f32_s", "f32", "i64"), ("i64.trunc_f32_u", "f32", "i64"),
    ("i64.trunc_f64_s", "f64", "i64"), ("i64.trunc_f64_u", "f64", "i64"), ("f32.convert_i32_s", "i32", "f32"),
    ("f32.convert_i32_u", "i32", "f32"), ("f32.convert_i64_s", "i64", "f32"), ("f32.convert_i64_u", "i64", "f32"),
    ("f32.demote_f64", "f64", "f32"), ("f64.convert_i32_s", "i32", "f64"), ("f64.convert_i32_u", "i32", "f64"),
    ("f64.convert_i64_s", "i64", "f64"), ("f64.convert_i64_u", "i64", "f64"), ("f64.promote_f32", "f32", "f64"),
    ("i32.reinterpret_f32", "f32", "i32"), ("i64.reinterpret_f64", "f64", "i64"),
    ("f32.reinterpret_i32", "i32", "f32"), ("f64.reinterpret_i64", "i64", "f64")]
for i, (n, a, r) in enumerate(conversions):
    op(0, 0xA7 + i, n, sig=f"{a} -> {r}")
for i, (n, t) in enumerate([("i32.extend8_s", "i32"), ("i32.extend16_s", "i32"), ("i64.extend8_s", "i64"),
                            ("i64.extend16_s", "i64"), ("i64.extend32_s", "i64")]):
    op(0, 0xC0 + i, n, sig=f"{t} -> {t}", feature="signExtension")

# --- references
op(0, 0xD0, "ref.null", "heapType", feature="referenceTypes", const=True)
op(0, 0xD1, "ref.is_null", feature="referenceTypes")
op(0, 0xD2, "ref.func", "function", feature="referenceTypes", const=True)
op(0, 0xD3, "ref.eq", feature="gc")
op(0, 0xD4, "ref.as_non_null", feature="functionReferences")
op(0, 0xD5, "br_on_null", "label", feature="functionReferences")
op(0, 0xD6, "br_on_non_null", "label", feature="functionReferences")

# --- GC (0xFB)
G = 0xFB
gc = [(0, "struct.new", "type", True), (1, "struct.new_default", "type", True), (2, "struct.get", "structField", False),
      (3, "struct.get_s", "structField", False), (4, "struct.get_u", "structField", False), (5, "struct.set", "structField", False),
      (6, "array.new", "type", True), (7, "array.new_default", "type", True), (8, "array.new_fixed", "arrayFixed", True),
      (9, "array.new_data", "arrayData", False), (10, "array.new_elem", "arrayElem", False), (11, "array.get", "type", False),
      (12, "array.get_s", "type", False), (13, "array.get_u", "type", False), (14, "array.set", "type", False),
      (15, "array.len", "none", False), (16, "array.fill", "type", False), (17, "array.copy", "arrayCopy", False),
      (18, "array.init_data", "arrayData", False), (19, "array.init_elem", "arrayElem", False),
      (20, "ref.test", "heapType", False), (21, "ref.test", "heapType", False),  # 21: nullable target
      (22, "ref.cast", "heapType", False), (23, "ref.cast", "heapType", False),  # 23: nullable target
      (24, "br_on_cast", "brOnCast", False), (25, "br_on_cast_fail", "brOnCast", False),
      (26, "any.convert_extern", "none", True), (27, "extern.convert_any", "none", True),
      (28, "ref.i31", "none", True), (29, "i31.get_s", "none", False), (30, "i31.get_u", "none", False)]
for code, name, imm, c in gc:
    op(G, code, name, imm, feature="gc", const=c)

# --- misc (0xFC): saturating truncation, bulk memory, table operations
M = 0xFC
for i, (n, a, r) in enumerate([("i32.trunc_sat_f32_s", "f32", "i32"), ("i32.trunc_sat_f32_u", "f32", "i32"),
                               ("i32.trunc_sat_f64_s", "f64", "i32"), ("i32.trunc_sat_f64_u", "f64", "i32"),
                               ("i64.trunc_sat_f32_s", "f32", "i64"), ("i64.trunc_sat_f32_u", "f32", "i64"),
                               ("i64.trunc_sat_f64_s", "f64", "i64"), ("i64.trunc_sat_f64_u", "f64", "i64")]):
    op(M, i, n, sig=f"{a} -> {r}", feature="saturatingConversion")
op(M, 8, "memory.init", "memoryInit", "a i32 i32 -> ", feature="bulkMemory")
op(M, 9, "data.drop", "data", " -> ", feature="bulkMemory")
op(M, 10, "memory.copy", "memoryCopy", feature="bulkMemory")
op(M, 11, "memory.fill", "memory", "a i32 a -> ", feature="bulkMemory")
op(M, 12, "table.init", "tableInit", feature="bulkMemory")
op(M, 13, "elem.drop", "elem", " -> ", feature="bulkMemory")
op(M, 14, "table.copy", "tableCopy", feature="bulkMemory")
op(M, 15, "table.grow", "table", feature="referenceTypes")
op(M, 16, "table.size", "table", feature="referenceTypes")
op(M, 17, "table.fill", "table", feature="referenceTypes")

# --- SIMD (0xFD)
S = 0xFD
simd_mem = [(0, "v128.load", "a -> v128", 4), (1, "v128.load8x8_s", "a -> v128", 3), (2, "v128.load8x8_u", "a -> v128", 3),
            (3, "v128.load16x4_s", "a -> v128", 3), (4, "v128.load16x4_u", "a -> v128", 3),
            (5, "v128.load32x2_s", "a -> v128", 3), (6, "v128.load32x2_u", "a -> v128", 3),
            (7, "v128.load8_splat", "a -> v128", 0), (8, "v128.load16_splat", "a -> v128", 1),
            (9, "v128.load32_splat", "a -> v128", 2), (10, "v128.load64_splat", "a -> v128", 3),
            (11, "v128.store", "a v128 -> ", 4)]
for code, n, s, al in simd_mem:
    op(S, code, n, "memArg", s, al, feature="simd")
op(S, 12, "v128.const", "v128", " -> v128", feature="simd", const=True)
op(S, 13, "i8x16.shuffle", "shuffle", "v128 v128 -> v128", feature="simd")
op(S, 14, "i8x16.swizzle", sig="v128 v128 -> v128", feature="simd")
for i, (shape, t) in enumerate([("i8x16", "i32"), ("i16x8", "i32"), ("i32x4", "i32"), ("i64x2", "i64"), ("f32x4", "f32"), ("f64x2", "f64")]):
    op(S, 15 + i, f"{shape}.splat", sig=f"{t} -> v128", feature="simd")
lanes = [(21, "i8x16.extract_lane_s", "v128 -> i32"), (22, "i8x16.extract_lane_u", "v128 -> i32"), (23, "i8x16.replace_lane", "v128 i32 -> v128"),
         (24, "i16x8.extract_lane_s", "v128 -> i32"), (25, "i16x8.extract_lane_u", "v128 -> i32"), (26, "i16x8.replace_lane", "v128 i32 -> v128"),
         (27, "i32x4.extract_lane", "v128 -> i32"), (28, "i32x4.replace_lane", "v128 i32 -> v128"),
         (29, "i64x2.extract_lane", "v128 -> i64"), (30, "i64x2.replace_lane", "v128 i64 -> v128"),
         (31, "f32x4.extract_lane", "v128 -> f32"), (32, "f32x4.replace_lane", "v128 f32 -> v128"),
         (33, "f64x2.extract_lane", "v128 -> f64"), (34, "f64x2.replace_lane", "v128 f64 -> v128")]
for code, n, s in lanes:
    op(S, code, n, "lane", s, feature="simd")
B = "v128 v128 -> v128"
U = "v128 -> v128"
seq(S, 35, "i8x16", icmp, B, "simd")
seq(S, 45, "i16x8", icmp, B, "simd")
seq(S, 55, "i32x4", icmp, B, "simd")
seq(S, 65, "f32x4", fcmp, B, "simd")
seq(S, 71, "f64x2", fcmp, B, "simd")
op(S, 77, "v128.not", sig=U, feature="simd")
op(S, 78, "v128.and", sig=B, feature="simd")
op(S, 79, "v128.andnot", sig=B, feature="simd")
op(S, 80, "v128.or", sig=B, feature="simd")
op(S, 81, "v128.xor", sig=B, feature="simd")
op(S, 82, "v128.bitselect", sig="v128 v128 v128 -> v128", feature="simd")
op(S, 83, "v128.any_true", sig="v128 -> i32", feature="simd")
for i, (n, al) in enumerate([("v128.load8_lane", 0), ("v128.load16_lane", 1), ("v128.load32_lane", 2), ("v128.load64_lane", 3)]):
    op(S, 84 + i, n, "memArgLane", "a v128 -> v128", al, feature="simd")
for i, (n, al) in enumerate([("v128.store8_lane", 0), ("v128.store16_lane", 1), ("v128.store32_lane", 2), ("v128.store64_lane", 3)]):
    op(S, 88 + i, n, "memArgLane", "a v128 -> ", al, feature="simd")
op(S, 92, "v128.load32_zero", "memArg", "a -> v128", 2, feature="simd")
op(S, 93, "v128.load64_zero", "memArg", "a -> v128", 3, feature="simd")
SH = "v128 i32 -> v128"
simd_rest = {
    94: ("f32x4.demote_f64x2_zero", U), 95: ("f64x2.promote_low_f32x4", U),
    96: ("i8x16.abs", U), 97: ("i8x16.neg", U), 98: ("i8x16.popcnt", U), 99: ("i8x16.all_true", "v128 -> i32"),
    100: ("i8x16.bitmask", "v128 -> i32"), 101: ("i8x16.narrow_i16x8_s", B), 102: ("i8x16.narrow_i16x8_u", B),
    103: ("f32x4.ceil", U), 104: ("f32x4.floor", U), 105: ("f32x4.trunc", U), 106: ("f32x4.nearest", U),
    107: ("i8x16.shl", SH), 108: ("i8x16.shr_s", SH), 109: ("i8x16.shr_u", SH), 110: ("i8x16.add", B),
    111: ("i8x16.add_sat_s", B), 112: ("i8x16.add_sat_u", B), 113: ("i8x16.sub", B), 114: ("i8x16.sub_sat_s", B),
    115: ("i8x16.sub_sat_u", B), 116: ("f64x2.ceil", U), 117: ("f64x2.floor", U), 118: ("i8x16.min_s", B),
    119: ("i8x16.min_u", B), 120: ("i8x16.max_s", B), 121: ("i8x16.max_u", B), 122: ("f64x2.trunc", U),
    123: ("i8x16.avgr_u", B), 124: ("i16x8.extadd_pairwise_i8x16_s", U), 125: ("i16x8.extadd_pairwise_i8x16_u", U),
    126: ("i32x4.extadd_pairwise_i16x8_s", U), 127: ("i32x4.extadd_pairwise_i16x8_u", U),
    128: ("i16x8.abs", U), 129: ("i16x8.neg", U), 130: ("i16x8.q15mulr_sat_s", B), 131: ("i16x8.all_true", "v128 -> i32"),
    132: ("i16x8.bitmask", "v128 -> i32"), 133: ("i16x8.narrow_i32x4_s", B), 134: ("i16x8.narrow_i32x4_u", B),
    135: ("i16x8.extend_low_i8x16_s", U), 136: ("i16x8.extend_high_i8x16_s", U), 137: ("i16x8.extend_low_i8x16_u", U),
    138: ("i16x8.extend_high_i8x16_u", U), 139: ("i16x8.shl", SH), 140: ("i16x8.shr_s", SH), 141: ("i16x8.shr_u", SH),
    142: ("i16x8.add", B), 143: ("i16x8.add_sat_s", B), 144: ("i16x8.add_sat_u", B), 145: ("i16x8.sub", B),
    146: ("i16x8.sub_sat_s", B), 147: ("i16x8.sub_sat_u", B), 148: ("f64x2.nearest", U), 149: ("i16x8.mul", B),
    150: ("i16x8.min_s", B), 151: ("i16x8.min_u", B), 152: ("i16x8.max_s", B), 153: ("i16x8.max_u", B),
    155: ("i16x8.avgr_u", B), 156: ("i16x8.extmul_low_i8x16_s", B), 157: ("i16x8.extmul_high_i8x16_s", B),
    158: ("i16x8.extmul_low_i8x16_u", B), 159: ("i16x8.extmul_high_i8x16_u", B),
    160: ("i32x4.abs", U), 161: ("i32x4.neg", U), 163: ("i32x4.all_true", "v128 -> i32"), 164: ("i32x4.bitmask", "v128 -> i32"),
    167: ("i32x4.extend_low_i16x8_s", U), 168: ("i32x4.extend_high_i16x8_s", U), 169: ("i32x4.extend_low_i16x8_u", U),
    170: ("i32x4.extend_high_i16x8_u", U), 171: ("i32x4.shl", SH), 172: ("i32x4.shr_s", SH), 173: ("i32x4.shr_u", SH),
    174: ("i32x4.add", B), 177: ("i32x4.sub", B), 181: ("i32x4.mul", B), 182: ("i32x4.min_s", B), 183: ("i32x4.min_u", B),
    184: ("i32x4.max_s", B), 185: ("i32x4.max_u", B), 186: ("i32x4.dot_i16x8_s", B),
    188: ("i32x4.extmul_low_i16x8_s", B), 189: ("i32x4.extmul_high_i16x8_s", B), 190: ("i32x4.extmul_low_i16x8_u", B),
    191: ("i32x4.extmul_high_i16x8_u", B),
    192: ("i64x2.abs", U), 193: ("i64x2.neg", U), 195: ("i64x2.all_true", "v128 -> i32"), 196: ("i64x2.bitmask", "v128 -> i32"),
    199: ("i64x2.extend_low_i32x4_s", U), 200: ("i64x2.extend_high_i32x4_s", U), 201: ("i64x2.extend_low_i32x4_u", U),
    202: ("i64x2.extend_high_i32x4_u", U), 203: ("i64x2.shl", SH), 204: ("i64x2.shr_s", SH), 205: ("i64x2.shr_u", SH),
    206: ("i64x2.add", B), 209: ("i64x2.sub", B), 213: ("i64x2.mul", B), 214: ("i64x2.eq", B), 215: ("i64x2.ne", B),
    216: ("i64x2.lt_s", B), 217: ("i64x2.gt_s", B), 218: ("i64x2.le_s", B), 219: ("i64x2.ge_s", B),
    220: ("i64x2.extmul_low_i32x4_s", B), 221: ("i64x2.extmul_high_i32x4_s", B), 222: ("i64x2.extmul_low_i32x4_u", B),
    223: ("i64x2.extmul_high_i32x4_u", B),
    224: ("f32x4.abs", U), 225: ("f32x4.neg", U), 227: ("f32x4.sqrt", U), 228: ("f32x4.add", B), 229: ("f32x4.sub", B),
    230: ("f32x4.mul", B), 231: ("f32x4.div", B), 232: ("f32x4.min", B), 233: ("f32x4.max", B), 234: ("f32x4.pmin", B),
    235: ("f32x4.pmax", B),
    236: ("f64x2.abs", U), 237: ("f64x2.neg", U), 239: ("f64x2.sqrt", U), 240: ("f64x2.add", B), 241: ("f64x2.sub", B),
    242: ("f64x2.mul", B), 243: ("f64x2.div", B), 244: ("f64x2.min", B), 245: ("f64x2.max", B), 246: ("f64x2.pmin", B),
    247: ("f64x2.pmax", B),
    248: ("i32x4.trunc_sat_f32x4_s", U), 249: ("i32x4.trunc_sat_f32x4_u", U), 250: ("f32x4.convert_i32x4_s", U),
    251: ("f32x4.convert_i32x4_u", U), 252: ("i32x4.trunc_sat_f64x2_s_zero", U), 253: ("i32x4.trunc_sat_f64x2_u_zero", U),
    254: ("f64x2.convert_low_i32x4_s", U), 255: ("f64x2.convert_low_i32x4_u", U),
}
for code in sorted(simd_rest):
    n, s = simd_rest[code]
    op(S, code, n, sig=s, feature="simd")
T3 = "v128 v128 v128 -> v128"
relaxed = [("i8x16.relaxed_swizzle", B), ("i32x4.relaxed_trunc_f32x4_s", U), ("i32x4.relaxed_trunc_f32x4_u", U),
           ("i32x4.relaxed_trunc_f64x2_s_zero", U), ("i32x4.relaxed_trunc_f64x2_u_zero", U),
           ("f32x4.relaxed_madd", T3), ("f32x4.relaxed_nmadd", T3), ("f64x2.relaxed_madd", T3), ("f64x2.relaxed_nmadd", T3),
           ("i8x16.relaxed_laneselect", T3), ("i16x8.relaxed_laneselect", T3), ("i32x4.relaxed_laneselect", T3),
           ("i64x2.relaxed_laneselect", T3), ("f32x4.relaxed_min", B), ("f32x4.relaxed_max", B), ("f64x2.relaxed_min", B),
           ("f64x2.relaxed_max", B), ("i16x8.relaxed_q15mulr_s", B), ("i16x8.relaxed_dot_i8x16_i7x16_s", B),
           ("i32x4.relaxed_dot_i8x16_i7x16_add_s", T3)]
for i, (n, s) in enumerate(relaxed):
    op(S, 0x100 + i, n, sig=s, feature="relaxedSimd")

# --- threads (0xFE)
A = 0xFE
op(A, 0x00, "memory.atomic.notify", "memArg", "a i32 -> i32", 2, feature="threads")
op(A, 0x01, "memory.atomic.wait32", "memArg", "a i32 i64 -> i32", 2, feature="threads")
op(A, 0x02, "memory.atomic.wait64", "memArg", "a i64 i64 -> i32", 3, feature="threads")
op(A, 0x03, "atomic.fence", "atomicFence", " -> ", feature="threads")
widths = [("i32", "", "i32", 2), ("i64", "", "i64", 3), ("i32", "8", "i32", 0), ("i32", "16", "i32", 1),
          ("i64", "8", "i64", 0), ("i64", "16", "i64", 1), ("i64", "32", "i64", 2)]
for i, (t, w, vt, al) in enumerate(widths):
    op(A, 0x10 + i, f"{t}.atomic.load{w}{'_u' if w else ''}", "memArg", f"a -> {vt}", al, feature="threads")
for i, (t, w, vt, al) in enumerate(widths):
    op(A, 0x17 + i, f"{t}.atomic.store{w}", "memArg", f"a {vt} -> ", al, feature="threads")
for g, rmw in enumerate(["add", "sub", "and", "or", "xor", "xchg", "cmpxchg"]):
    for i, (t, w, vt, al) in enumerate(widths):
        name = f"{t}.atomic.rmw{w}.{rmw}{'_u' if w else ''}"
        s = f"a {vt} {vt} -> {vt}" if rmw == "cmpxchg" else f"a {vt} -> {vt}"
        op(A, 0x1E + 7 * g + i, name, "memArg", s, al, feature="threads")

# ---------------------------------------------------------------- emit Swift
def case_name(name, prefix, code):
    parts = re.split(r"[._]", name)
    base = parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])
    if base in ("if", "else", "try", "catch", "throw", "return", "end", "loop", "block", "br", "nop", "select", "delegate", "rethrow", "unreachable"):
        base = base  # plain keywords become backquoted below where needed
    return base

seen = {}
cases = []
for (prefix, code, name, imm, sig, align, feature, const) in ops:
    c = case_name(name, prefix, code)
    if name == "select" and imm == "selectTypes": c = "selectTyped"
    if prefix == 0xFB and code == 21: c = "refTestNullable"
    if prefix == 0xFB and code == 23: c = "refCastNullable"
    assert c not in seen, (c, name)
    seen[c] = True
    cases.append(c)

swift_keywords = {"if", "else", "try", "catch", "throw", "return", "nop", "br", "end", "loop", "block", "select", "delegate", "rethrow", "unreachable", "call", "drop"}
def q(c):
    return f"`{c}`" if c in {"if", "else", "try", "catch", "throw", "return"} else c

out = []
out.append("// Generated by utils/gen-opcodes.py. Do not edit; edit the script and run it again.")
out.append("")
out.append("/// Every WebAssembly instruction opcode Lathe knows, in the order of `Opcode.infoTable`.")
out.append("public enum Opcode: UInt16, CaseIterable, Sendable {")
for c in cases:
    out.append(f"    case {q(c)}")
out.append("}")
out.append("")
out.append("extension Opcode {")
out.append("    /// One row per opcode: encoding, mnemonic, immediates, typing and feature.")
out.append("    public static let infoTable: [OpcodeInfo] = [")
for (prefix, code, name, imm, sig, align, feature, const) in ops:
    s = "nil" if sig is None else f'"{sig.strip()}"'
    a = "nil" if align is None else str(align)
    out.append(f'        OpcodeInfo(prefix: 0x{prefix:02X}, code: 0x{code:X}, name: "{name}", immediate: .{imm}, signature: {s}, naturalAlignment: {a}, feature: .{feature}, isConstant: {"true" if const else "false"}),')
out.append("    ]")
out.append("}")
path = os.path.join(os.path.dirname(__file__), "..", "Sources", "LatheWasm", "Opcodes.generated.swift")
with open(path, "w") as f:
    f.write("\n".join(out) + "\n")
print(f"{len(ops)} opcodes written to {os.path.normpath(path)}")
