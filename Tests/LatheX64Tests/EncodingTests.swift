import Foundation
import Testing
@testable import LatheX64

/// Assembles a table of instructions and compares `llvm-objdump`'s disassembly with the expected text.
@Suite struct EncodingTests {
    static let toolDirectory = "/opt/swift/usr/bin"

    /// One instruction per entry: how to assemble it and its disassembly (Intel syntax, spaces collapsed).
    nonisolated(unsafe) static let table: [(String, (inout X64Assembler) -> Void)] = [
        ("add rax, rbx", { $0.alu(.add, .rax, .rbx, is64: true) }),
        ("sub r10d, r15d", { $0.alu(.sub, .r10, .r15, is64: false) }),
        ("xor r11, rsi", { $0.alu(.xor, .r11, .rsi, is64: true) }),
        ("cmp edi, r8d", { $0.alu(.cmp, .rdi, .r8, is64: false) }),
        ("and rcx, 0x7f", { $0.alu(.and, .rcx, imm: 127, is64: true) }),
        ("sub rsp, 0x1000", { $0.alu(.sub, .rsp, imm: 4096, is64: true) }),
        ("or r12d, -0x10", { $0.alu(.or, .r12, imm: -16, is64: false) }),
        ("test r9d, r9d", { $0.test(.r9, .r9, is64: false) }),
        ("mov rbp, rsp", { $0.mov(.rbp, .rsp, is64: true) }),
        ("mov r13d, eax", { $0.mov(.r13, .rax, is64: false) }),
        ("mov eax, 0x2a", { $0.mov(.rax, imm: 42) }),
        ("mov r9, -0x2", { $0.mov(.r9, imm: UInt64(bitPattern: -2)) }),
        ("movabs r14, 0x123456789abcdef0", { $0.mov(.r14, imm: 0x1234_5678_9abc_def0) }),
        ("mov rax, qword ptr [rbx + 0x10]", { $0.load(.rax, Mem(base: .rbx, disp: 16), is64: true) }),
        ("mov ecx, dword ptr [rsp]", { $0.load(.rcx, Mem(base: .rsp), is64: false) }),
        ("mov rdx, qword ptr [rbp]", { $0.load(.rdx, Mem(base: .rbp), is64: true) }),
        ("mov r8, qword ptr [r13 - 0x80]", { $0.load(.r8, Mem(base: .r13, disp: -128), is64: true) }),
        ("mov r9, qword ptr [r12 + 0x12345]", { $0.load(.r9, Mem(base: .r12, disp: 0x12345), is64: true) }),
        ("mov qword ptr [rax + 8*r11 + 0x8], rsi", { $0.store(Mem(base: .rax, index: .r11, scale: 8, disp: 8), .rsi, is64: true) }),
        ("mov byte ptr [rdi], sil", { $0.store8(Mem(base: .rdi), .rsi) }),
        ("mov word ptr [r10 + 0x2], r11w", { $0.store16(Mem(base: .r10, disp: 2), .r11) }),
        ("movzx eax, byte ptr [rcx]", { $0.loadExtend(.rax, Mem(base: .rcx), bits: 8, signed: false, is64: false) }),
        ("movsx rax, word ptr [rcx]", { $0.loadExtend(.rax, Mem(base: .rcx), bits: 16, signed: true, is64: true) }),
        ("movsxd r10, dword ptr [rdx + 0x4]", { $0.loadExtend(.r10, Mem(base: .rdx, disp: 4), bits: 32, signed: true, is64: true) }),
        ("lea r11, [r10 + r11 + 0x20]", { $0.lea(.r11, Mem(base: .r10, index: .r11, disp: 32)) }),
        ("imul rax, r15", { $0.imul(.rax, .r15, is64: true) }),
        ("neg edx", { $0.neg(.rdx, is64: false) }),
        ("not r8", { $0.not(.r8, is64: true) }),
        ("movsxd rax, ecx", { $0.movsxd(.rax, .rcx) }),
        ("setl r10b", { $0.setcc(.l, .r10) }),
        ("sete sil", { $0.setcc(.e, .rsi) }),
        ("movzx eax, dil", { $0.movzx8(.rax, .rdi) }),
        ("cmovne rbx, r9", { $0.cmov(.ne, .rbx, .r9, is64: true) }),
        ("lzcnt eax, ecx", { $0.lzcnt(.rax, .rcx, is64: false) }),
        ("tzcnt r8, r9", { $0.tzcnt(.r8, .r9, is64: true) }),
        ("popcnt edx, r12d", { $0.popcnt(.rdx, .r12, is64: false) }),
        ("andn eax, ecx, edx", { $0.andn(.rax, .rcx, .rdx, is64: false) }),
        ("shlx r8, r9, r10", { $0.shiftx(.shlx64, .r8, .r9, .r10) }),
        ("sarx eax, ebx, ecx", { $0.shiftx(.sarx32, .rax, .rbx, .rcx) }),
        ("shrx r11, rax, r15", { $0.shiftx(.shrx64, .r11, .rax, .r15) }),
        ("push r12", { $0.push(.r12) }),
        ("pop rbx", { $0.pop(.rbx) }),
        ("call r11", { $0.call(.r11) }),
        ("ud2", { $0.ud2() }),
        ("ret", { $0.ret() }),
        ("vzeroupper", { $0.vzeroupper() }),
        // VEX: two-byte (C5) and three-byte (C4) forms, 128 and 256 bits
        ("vaddps ymm0, ymm1, ymm2", { $0.v(.addps, XMM(0), XMM(1), XMM(2), wide: true) }),
        ("vaddps xmm8, xmm9, xmm10", { $0.v(.addps, XMM(8), XMM(9), XMM(10)) }),
        ("vsubpd ymm3, ymm4, ymm13", { $0.v(.subpd, XMM(3), XMM(4), XMM(13), wide: true) }),
        ("vmulss xmm0, xmm0, xmm15", { $0.v(.mulss, XMM(0), XMM(0), XMM(15)) }),
        ("vdivsd xmm14, xmm1, xmm2", { $0.v(.divsd, XMM(14), XMM(1), XMM(2)) }),
        ("vminps ymm12, ymm5, ymm6", { $0.v(.minps, XMM(12), XMM(5), XMM(6), wide: true) }),
        ("vmaxpd xmm1, xmm2, xmm3", { $0.v(.maxpd, XMM(1), XMM(2), XMM(3)) }),
        ("vsqrtps ymm1, ymm9", { $0.v(.sqrtps, XMM(1), .reg(9), wide: true) }),
        ("vsqrtsd xmm1, xmm2, xmm2", { $0.v(.sqrtsd, XMM(1), XMM(2), XMM(2)) }),
        ("vandps ymm1, ymm2, ymm3", { $0.v(.andps, XMM(1), XMM(2), XMM(3), wide: true) }),
        ("vandnps xmm1, xmm2, xmm3", { $0.v(.andnps, XMM(1), XMM(2), XMM(3)) }),
        ("vorps ymm12, ymm12, ymm13", { $0.v(.orps, XMM(12), XMM(12), XMM(13), wide: true) }),
        ("vxorpd xmm1, xmm1, xmm1", { $0.v(.xorpd, XMM(1), XMM(1), XMM(1)) }),
        ("vcmpltps ymm1, ymm2, ymm3", { $0.v(.cmpps, XMM(1), XMM(2), XMM(3), wide: true, imm: 1) }),
        ("vcmpunordss xmm12, xmm0, xmm0", { $0.v(.cmpss, XMM(12), XMM(0), XMM(0), imm: 3) }),
        ("vcmpgtpd ymm1, ymm2, ymm3", { $0.v(.cmppd, XMM(1), XMM(2), XMM(3), wide: true, imm: 0x0e) }),
        ("vblendvps ymm0, ymm1, ymm2, ymm12", { $0.blendv(.blendvps, XMM(0), XMM(1), .reg(2), mask: XMM(12), wide: true) }),
        ("vblendvpd xmm9, xmm10, xmm11, xmm3", { $0.blendv(.blendvpd, XMM(9), XMM(10), .reg(11), mask: XMM(3)) }),
        ("vmovups ymm3, ymmword ptr [rax + 0x20]", { $0.v(.movups, XMM(3), .mem(Mem(base: .rax, disp: 32)), wide: true) }),
        ("vmovups ymmword ptr [rbp - 0x40], ymm15", { $0.vstore(.movupsStore, Mem(base: .rbp, disp: -64), XMM(15), wide: true) }),
        ("vmovss xmm1, dword ptr [r11]", { $0.v(.movss, XMM(1), .mem(Mem(base: .r11))) }),
        ("vmovsd qword ptr [r12 + 0x8], xmm10", { $0.vstore(.movsdStore, Mem(base: .r12, disp: 8), XMM(10)) }),
        ("vmovaps ymm4, ymm11", { $0.v(.movaps, XMM(4), .reg(11), wide: true) }),
        ("vmovd xmm12, r10d", { $0.movToXMM(XMM(12), .r10, is64: false) }),
        ("vmovq xmm1, rax", { $0.movToXMM(XMM(1), .rax, is64: true) }),
        ("vmovd eax, xmm12", { $0.movFromXMM(.rax, XMM(12), is64: false) }),
        ("vmovq r9, xmm3", { $0.movFromXMM(.r9, XMM(3), is64: true) }),
        ("vbroadcastss ymm0, xmm1", { $0.v(.broadcastss, XMM(0), .reg(1), wide: true) }),
        ("vbroadcastsd ymm10, xmm1", { $0.v(.broadcastsd, XMM(10), .reg(1), wide: true) }),
        ("vpbroadcastd ymm2, xmm12", { $0.v(.pbroadcastd, XMM(2), .reg(12), wide: true) }),
        ("vpbroadcastq xmm2, xmm3", { $0.v(.pbroadcastq, XMM(2), .reg(3)) }),
        ("vmovddup xmm1, xmm2", { $0.v(.movddup, XMM(1), .reg(2)) }),
        ("vmovmskps eax, ymm3", { $0.movmsk(.movmskps, .rax, XMM(3), wide: true) }),
        ("vmovmskpd r10d, xmm11", { $0.movmsk(.movmskpd, .r10, XMM(11), wide: false) }),
        ("vpmovmskb ecx, xmm1", { $0.movmsk(.pmovmskb, .rcx, XMM(1), wide: false) }),
        ("vpextrd r10d, xmm12, 0x3", { $0.pextr(.pextrd, .r10, XMM(12), 3) }),
        ("vpextrq rax, xmm1, 0x1", { $0.pextr(.pextrq, .rax, XMM(1), 1) }),
        ("vpextrb ecx, xmm2, 0xf", { $0.pextr(.pextrb, .rcx, XMM(2), 15) }),
        ("vpextrw edx, xmm9, 0x7", { $0.pextr(.pextrw, .rdx, XMM(9), 7) }),
        ("vpinsrd xmm1, xmm2, r11d, 0x2", { $0.pinsr(.pinsrd, XMM(1), XMM(2), .r11, 2) }),
        ("vpinsrq xmm12, xmm15, rax, 0x1", { $0.pinsr(.pinsrq, XMM(12), XMM(15), .rax, 1) }),
        ("vpinsrb xmm1, xmm1, ecx, 0x5", { $0.pinsr(.pinsrb, XMM(1), XMM(1), .rcx, 5) }),
        ("vpinsrw xmm1, xmm1, ecx, 0x5", { $0.pinsr(.pinsrw, XMM(1), XMM(1), .rcx, 5) }),
        ("vextractf128 xmm13, ymm15, 0x1", { $0.extractHigh128(XMM(13), XMM(15)) }),
        ("vinsertf128 ymm0, ymm12, xmm13, 0x1", { $0.insertHigh128(XMM(0), XMM(12), XMM(13)) }),
        ("vcvtss2sd xmm1, xmm2, xmm3", { $0.v(.cvtss2sd, XMM(1), XMM(2), XMM(3)) }),
        ("vcvtsd2ss xmm1, xmm2, xmm3", { $0.v(.cvtsd2ss, XMM(1), XMM(2), XMM(3)) }),
        ("vpaddd ymm1, ymm2, ymm3", { $0.v(.paddd, XMM(1), XMM(2), XMM(3), wide: true) }),
        ("vpsubq xmm1, xmm2, xmm3", { $0.v(.psubq, XMM(1), XMM(2), XMM(3)) }),
        ("vpmulld ymm8, ymm9, ymm10", { $0.v(.pmulld, XMM(8), XMM(9), XMM(10), wide: true) }),
        ("vpcmpeqd ymm12, ymm12, ymm12", { $0.v(.pcmpeqd, XMM(12), XMM(12), XMM(12), wide: true) }),
        ("vpcmpgtq xmm1, xmm2, xmm3", { $0.v(.pcmpgtq, XMM(1), XMM(2), XMM(3)) }),
        ("vpcmpgtb xmm1, xmm2, xmm3", { $0.v(.pcmpgtb, XMM(1), XMM(2), XMM(3)) }),
        ("vroundps ymm1, ymm2, 0xa", { $0.v(.roundps, XMM(1), .reg(2), wide: true, imm: 10) }),
        ("vroundsd xmm1, xmm2, xmm3, 0x9", { $0.v(.roundsd, XMM(1), XMM(2), XMM(3), imm: 9) }),
        ("vpminsd ymm1, ymm2, ymm3", { $0.v(.pminsd, XMM(1), XMM(2), XMM(3), wide: true) }),
        ("vpmaxuw xmm1, xmm2, xmm3", { $0.v(.pmaxuw, XMM(1), XMM(2), XMM(3)) }),
        ("vpminub xmm9, xmm2, xmm3", { $0.v(.pminub, XMM(9), XMM(2), XMM(3)) }),
        ("vptest ymm1, ymm1", { $0.v(.ptest, XMM(1), .reg(1), wide: true) }),
    ]

    static func disassemble(_ code: [UInt8]) throws -> [String]? {
        let objcopy = toolDirectory + "/llvm-objcopy", objdump = toolDirectory + "/llvm-objdump"
        guard FileManager.default.isExecutableFile(atPath: objdump), FileManager.default.isExecutableFile(atPath: objcopy) else { return nil }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-x64-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bin = dir.appendingPathComponent("code.bin"), obj = dir.appendingPathComponent("code.o")
        try Data(code).write(to: bin)
        func run(_ tool: String, _ args: [String]) throws -> String {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: tool)
            p.arguments = args
            p.currentDirectoryURL = dir
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        // A raw binary becomes an ELF object whose .data section is renamed to code, then disassembled.
        _ = try run(objcopy, ["-I", "binary", "-O", "elf64-x86-64", "--rename-section=.data=.text,code", "code.bin", "code.o"])
        let text = try run(objdump, ["-d", "--no-show-raw-insn", "--no-leading-addr", "-M", "intel", obj.path])
        return text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix(" ") || line.hasPrefix("\t") else { return nil }
            var s = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            if let r = s.range(of: " <") { s = String(s[..<r.lowerBound]) }
            if let r = s.range(of: " #") { s = String(s[..<r.lowerBound]) }
            return s.isEmpty ? nil : s
        }
    }

    @Test func tableMatchesObjdump() throws {
        var asm = X64Assembler()
        for (_, emit) in Self.table { emit(&asm) }
        let code = asm.finish()
        guard let lines = try Self.disassemble(code) else {
            print("skipped: llvm-objdump/llvm-objcopy not found in \(Self.toolDirectory)")
            return
        }
        #expect(lines.count == Self.table.count)
        for (k, (expected, _)) in Self.table.enumerated() where k < lines.count {
            #expect(lines[k] == expected, "entry \(k)")
        }
    }

    /// Jumps: rel8 backwards when in range, rel32 forwards, short forward fixups, calls, RIP-relative constants.
    @Test func labelsAndFixups() throws {
        var asm = X64Assembler()
        let top = asm.newLabel(), ahead = asm.newLabel(), near = asm.newLabel()
        asm.bind(top)                       // 0
        asm.alu(.add, .rax, .rbx, is64: true)  // 0..3
        asm.jcc(.ne, top)                   // 3: rel8 back to 0
        asm.jmp(ahead)                      // 5: rel32
        asm.jcc(.l, near, short: true)      // 10: rel8 forward
        asm.ret()                           // 12
        asm.bind(near)                      // 13
        asm.call(ahead)                     // 13: rel32
        let c = asm.constant([1, 0, 0, 0, 2, 0, 0, 0])
        asm.v(.movsd, XMM(0), .mem(Mem(rip: c)))  // 18
        asm.bind(ahead)
        asm.ret()
        let code = asm.finish()
        #expect(code[3] == 0x75 && code[4] == 0xfb)
        #expect(code[5] == 0xe9 && code[10] == 0x7c)
        guard let lines = try Self.disassemble(code) else { return }
        let aheadOffset = asm.offset(of: ahead)!, constOffset = asm.offset(of: c)!
        let hex = { (n: Int) in "0x" + String(n, radix: 16) }
        #expect(lines[1] == "jne 0x0")
        #expect(lines[2] == "jmp \(hex(aheadOffset))")
        #expect(lines[3] == "jl 0xd")
        #expect(lines[5] == "call \(hex(aheadOffset))")
        // rip-relative: displacement = constant - end of instruction
        let end = aheadOffset
        #expect(lines[6] == "vmovsd xmm0, qword ptr [rip + \(hex(constOffset - end))]")
    }
}
