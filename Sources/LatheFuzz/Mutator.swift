/// A deterministic, seeded mutator of wasm binaries for reader and validator robustness.
///
/// Each mutant is one seed module with one to three mutations applied: byte-level damage anywhere,
/// LEB128 tricks, section-level reshuffles and size corruption, damage confined to one section's
/// payload or one function body (sizes re-encoded so the damage reaches the decoder), and splices of
/// two modules. The same `(seeds, seed)` always gives the same bytes.
public struct WasmMutator: Sendable {
    /// The kinds of mutation, in the order the mutator draws them.
    public enum Kind: String, CaseIterable, Sendable {
        case flipBit, setInterestingByte, truncate, insertBytes, deleteBytes, duplicateBytes
        case lebTrick
        case swapSections, duplicateSection, removeSection, insertSection, corruptSectionSize
        case mutateSectionPayload, mutateCodeBody, insertInstruction, reshuffleBodies
        case splice
    }

    public let seeds: [[UInt8]]

    /// A mutator over `seeds` (at least one module).
    public init(seeds: [[UInt8]]) {
        precondition(!seeds.isEmpty, "the mutator needs at least one seed module")
        self.seeds = seeds
    }

    /// The mutant for `seed`: which seed module it starts from, the mutations applied, and the bytes.
    public func mutant(seed: UInt64) -> (base: Int, kinds: [Kind], bytes: [UInt8]) {
        var rng = SplitMix64(seed: seed)
        let base = rng.below(seeds.count)
        var bytes = seeds[base]
        var kinds: [Kind] = []
        let rounds = rng.chance(3, in: 5) ? 1 : 2 + rng.below(2)
        for _ in 0..<rounds {
            let kind = Self.drawKind(&rng)
            let donor = seeds[rng.below(seeds.count)]
            bytes = Self.mutate(bytes, kind: kind, donor: donor, rng: &rng)
            kinds.append(kind)
        }
        return (base, kinds, bytes)
    }

    /// Draws a kind, weighted towards the mutations that reach past the section framing.
    static func drawKind(_ rng: inout SplitMix64) -> Kind {
        let weighted: [(Kind, Int)] = [
            (.flipBit, 6), (.setInterestingByte, 5), (.truncate, 2), (.insertBytes, 3), (.deleteBytes, 3),
            (.duplicateBytes, 2), (.lebTrick, 8), (.swapSections, 2), (.duplicateSection, 2), (.removeSection, 2),
            (.insertSection, 2), (.corruptSectionSize, 3), (.mutateSectionPayload, 10), (.mutateCodeBody, 18),
            (.insertInstruction, 14), (.reshuffleBodies, 3), (.splice, 4),
        ]
        var r = rng.below(weighted.reduce(0) { $0 + $1.1 })
        for (kind, w) in weighted {
            if r < w { return kind }
            r -= w
        }
        return .flipBit
    }

    /// Applies one mutation of `kind` to `bytes`; `donor` is the second module of a splice.
    public static func mutate(_ bytes: [UInt8], kind: Kind, donor: [UInt8], rng: inout SplitMix64) -> [UInt8] {
        switch kind {
        case .flipBit, .setInterestingByte, .insertBytes, .deleteBytes, .duplicateBytes, .lebTrick:
            var out = bytes
            mutateBytes(&out, kind: kind, rng: &rng, headerLength: min(8, bytes.count))
            return out
        case .truncate:
            guard !bytes.isEmpty else { return bytes }
            return Array(bytes.prefix(rng.below(bytes.count)))
        case .splice:
            return splice(bytes, donor, rng: &rng)
        default:
            guard var layout = MutationSections(bytes), !layout.sections.isEmpty else {
                var out = bytes
                mutateBytes(&out, kind: .flipBit, rng: &rng, headerLength: 0)
                return out
            }
            return mutateSections(&layout, kind: kind, donor: donor, rng: &rng)
        }
    }

    /// Byte values that often sit on a boundary: zero, sign bits, LEB continuation, block and prefix opcodes.
    static let interestingBytes: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x40, 0x0B, 0x05, 0x7E, 0x7B, 0x70, 0x6F, 0xFC, 0xFD, 0xFE]

    /// Byte-level damage at random positions at or after `headerLength` (the header is hit only rarely).
    static func mutateBytes(_ buf: inout [UInt8], kind: Kind, rng: inout SplitMix64, headerLength: Int) {
        let low = rng.chance(1, in: 20) ? 0 : headerLength
        func position(inclusiveEnd: Bool = false) -> Int {
            let span = buf.count - low + (inclusiveEnd ? 1 : 0)
            return span > 0 ? low + rng.below(span) : buf.count
        }
        switch kind {
        case .flipBit:
            guard buf.count > low else { return buf.append(UInt8(truncatingIfNeeded: rng.next())) }
            buf[position()] ^= UInt8(1) << UInt8(rng.below(8))
        case .setInterestingByte:
            guard buf.count > low else { return buf.append(rng.pick(interestingBytes)) }
            buf[position()] = rng.pick(interestingBytes)
        case .insertBytes:
            let at = position(inclusiveEnd: true)
            let n = 1 + rng.below(rng.chance(1, in: 4) ? 64 : 4)
            let fill: [UInt8] = rng.chance(1, in: 2)
                ? (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                : Array(repeating: rng.pick(interestingBytes), count: n)
            buf.insert(contentsOf: fill, at: min(at, buf.count))
        case .deleteBytes:
            guard buf.count > low else { return }
            let at = position()
            let n = 1 + rng.below(min(rng.chance(1, in: 4) ? 64 : 4, buf.count - at))
            buf.removeSubrange(at..<at + n)
        case .duplicateBytes:
            guard buf.count > low else { return }
            let from = position()
            let n = 1 + rng.below(min(32, buf.count - from))
            let chunk = Array(buf[from..<from + n])
            buf.insert(contentsOf: chunk, at: position(inclusiveEnd: true))
        case .lebTrick:
            lebTrick(&buf, at: buf.count > low && rng.chance(3, in: 4) ? position() : low, rng: &rng)
        default:
            break
        }
    }

    /// Replaces the LEB128 at `at` (or the byte there) by an over-long, over-wide or huge encoding.
    static func lebTrick(_ buf: inout [UInt8], at: Int, rng: inout SplitMix64) {
        guard at <= buf.count else { return }
        let old = at < buf.count ? MutationLEB.decode(buf, at: at) : nil
        let value = old?.value ?? 0
        let length = old?.length ?? (at < buf.count ? 1 : 0)
        var replacement: [UInt8]
        switch rng.below(7) {
        case 0:  // Same value, over-long: padded to 5 bytes (u32) or 10 (u64).
            replacement = MutationLEB.unsigned(value, minLength: rng.chance(1, in: 2) ? 5 : 10)
        case 1:  // Five bytes with stray bits above bit 31 in the last byte.
            replacement = MutationLEB.unsigned(value & 0xFFFF_FFFF, minLength: 5)
            replacement[4] |= UInt8(0x10 << rng.below(3))
        case 2:  // Ten bytes with stray bits above bit 63.
            replacement = MutationLEB.unsigned(value, minLength: 10)
            replacement[9] |= UInt8(0x02 << rng.below(6))
        case 3:  // Huge counts and sizes.
            let huge: [UInt64] = [0xFFFF_FFFF, 0x7FFF_FFFF, 0x8000_0000, 0x1000_0000, 0xFFFF, 0x1_0000, 1 << 32, UInt64.max]
            replacement = MutationLEB.unsigned(rng.pick(huge))
        case 4:  // Off by one.
            replacement = MutationLEB.unsigned(rng.chance(1, in: 2) ? value &+ 1 : value &- 1)
        case 5:  // Never terminated.
            replacement = Array(repeating: 0x80, count: 1 + rng.below(11))
        default:  // One more continuation byte than the value needs.
            replacement = MutationLEB.unsigned(value, minLength: length + 1)
        }
        buf.replaceSubrange(at..<min(at + length, buf.count), with: replacement)
    }

    /// Instruction snippets to insert into function bodies: control flow, locals, memory, calls, prefixes.
    static let snippets: [[UInt8]] = [
        [0x00], [0x01], [0x1A], [0x0B], [0x05], [0x0F], [0x02, 0x40], [0x03, 0x40], [0x04, 0x40], [0x02, 0x7F], [0x02, 0x00],
        [0x0C, 0x00], [0x0C, 0x01], [0x0D, 0x00], [0x0E, 0x01, 0x00, 0x00], [0x0E, 0x00, 0x00], [0x10, 0x00], [0x10, 0x01],
        [0x11, 0x00, 0x00], [0x12, 0x00], [0x1B], [0x1C, 0x01, 0x7F], [0x20, 0x00], [0x21, 0x00], [0x22, 0x00], [0x23, 0x00],
        [0x24, 0x00], [0x25, 0x00], [0x26, 0x00], [0x41, 0x00], [0x41, 0x7F], [0x41, 0x80, 0x80, 0x80, 0x80, 0x78],
        [0x42, 0x00], [0x42, 0x7F], [0x43, 0, 0, 0xC0, 0x7F], [0x44, 0, 0, 0, 0, 0, 0, 0xF8, 0x7F],
        [0x28, 0x02, 0x00], [0x29, 0x03, 0x00], [0x36, 0x02, 0x00], [0x2D, 0x00, 0x00], [0x28, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
        [0x3F, 0x00], [0x40, 0x00], [0x45], [0x46], [0x6A], [0x6D], [0x6F], [0x7F], [0x80], [0x8A], [0xA7], [0xAC], [0xBC], [0xC0],
        [0xD0, 0x70], [0xD1], [0xD2, 0x00], [0xFC, 0x00], [0xFC, 0x08, 0x00, 0x00], [0xFC, 0x0A, 0x00, 0x00], [0xFC, 0x0B, 0x00],
        [0xFC, 0x10, 0x00], [0xFD, 0x0C] + Array(repeating: 0, count: 16), [0xFD, 0x00, 0x04, 0x00], [0xFD, 0x6E], [0xFD, 0x15, 0x00],
        [0xFE, 0x00, 0x02, 0x00], [0x06, 0x40], [0x08, 0x00], [0x09, 0x00], [0x18, 0x00], [0x19],
    ]

    /// Section-level mutations on a cut module; sizes are re-encoded unless the mutation corrupts one.
    static func mutateSections(_ layout: inout MutationSections, kind: Kind, donor: [UInt8], rng: inout SplitMix64) -> [UInt8] {
        let count = layout.sections.count
        switch kind {
        case .swapSections:
            layout.sections.swapAt(rng.below(count), rng.below(count))
        case .duplicateSection:
            let s = layout.sections[rng.below(count)]
            layout.sections.insert(s, at: rng.below(count + 1))
        case .removeSection:
            layout.sections.remove(at: rng.below(count))
        case .insertSection:
            let id: UInt8 = rng.chance(1, in: 3) ? UInt8(13 + rng.below(6)) : UInt8(rng.below(13))
            var payload: [UInt8] = id == 0 ? [0x04] + Array("name".utf8) : []
            payload += (0..<rng.below(8)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            layout.sections.insert(.init(id: id, payload: payload), at: rng.below(count + 1))
        case .corruptSectionSize:
            let k = rng.below(count)
            var head = MutationSections(layout.header)!
            head.sections = Array(layout.sections[..<k])
            var out = head.bytes
            let s = layout.sections[k]
            out.append(s.id)
            var size = MutationLEB.unsigned(UInt64(s.payload.count))
            lebTrick(&size, at: 0, rng: &rng)
            out += size + s.payload
            head.sections = Array(layout.sections[(k + 1)...])
            return out + head.bytes.dropFirst(8) + layout.tail
        case .mutateSectionPayload:
            let code = layout.indices(of: 10)
            let k = !code.isEmpty && rng.chance(1, in: 3) ? rng.pick(code) : rng.below(count)
            let byteKinds: [Kind] = [.flipBit, .setInterestingByte, .insertBytes, .deleteBytes, .duplicateBytes, .lebTrick, .lebTrick]
            mutateBytes(&layout.sections[k].payload, kind: rng.pick(byteKinds), rng: &rng, headerLength: 0)
        case .mutateCodeBody, .insertInstruction, .reshuffleBodies:
            guard let k = layout.indices(of: 10).last, var bodies = MutationVector(codePayload: layout.sections[k].payload),
                  !bodies.entries.isEmpty else {
                mutateBytes(&layout.sections[rng.below(count)].payload, kind: .flipBit, rng: &rng, headerLength: 0)
                return layout.bytes
            }
            let b = rng.below(bodies.entries.count)
            switch kind {
            case .mutateCodeBody:
                let byteKinds: [Kind] = [.flipBit, .setInterestingByte, .insertBytes, .deleteBytes, .duplicateBytes, .lebTrick, .lebTrick]
                let kind = rng.pick(byteKinds)
                // A LEB trick at offset 0 hits the count of local declarations.
                if kind == .lebTrick && rng.chance(1, in: 4) {
                    lebTrick(&bodies.entries[b], at: 0, rng: &rng)
                } else {
                    mutateBytes(&bodies.entries[b], kind: kind, rng: &rng, headerLength: 0)
                }
            case .insertInstruction:
                var body = bodies.entries[b]
                let at = body.isEmpty ? 0 : rng.below(body.count)
                let snippet = rng.chance(1, in: 8) ? [UInt8(truncatingIfNeeded: rng.next())] : rng.pick(snippets)
                body.insert(contentsOf: snippet, at: at)
                bodies.entries[b] = body
            default:
                switch rng.below(3) {
                case 0: bodies.entries.swapAt(b, rng.below(bodies.entries.count))
                case 1: bodies.entries.insert(bodies.entries[b], at: rng.below(bodies.entries.count + 1))
                default: bodies.entries.remove(at: b)
                }
            }
            layout.sections[k].payload = bodies.codePayload
        default:
            break
        }
        return layout.bytes
    }

    /// Splices two modules: a section taken from the donor, donor bodies in the code section, or a raw crossover.
    static func splice(_ a: [UInt8], _ b: [UInt8], rng: inout SplitMix64) -> [UInt8] {
        if var la = MutationSections(a), let lb = MutationSections(b), !la.sections.isEmpty, !lb.sections.isEmpty {
            switch rng.below(3) {
            case 0:  // Replace a section by the donor's section with the same id, or insert it in order.
                let s = rng.pick(lb.sections)
                if let k = la.sections.firstIndex(where: { $0.id == s.id }) {
                    la.sections[k] = s
                } else {
                    let k = la.sections.firstIndex(where: { $0.id > s.id && $0.id != 0 }) ?? la.sections.count
                    la.sections.insert(s, at: k)
                }
                return la.bytes
            case 1:  // Donor bodies in place of ours.
                if let ka = la.indices(of: 10).last, let kb = lb.indices(of: 10).last,
                   var va = MutationVector(codePayload: la.sections[ka].payload),
                   let vb = MutationVector(codePayload: lb.sections[kb].payload), !va.entries.isEmpty, !vb.entries.isEmpty {
                    va.entries[rng.below(va.entries.count)] = rng.pick(vb.entries)
                    la.sections[ka].payload = va.codePayload
                    return la.bytes
                }
            default:  // Our first sections, the donor's last ones.
                let cut = rng.below(la.sections.count + 1)
                la.sections = Array(la.sections[..<cut]) + Array(lb.sections[rng.below(lb.sections.count)...])
                return la.bytes
            }
        }
        let i = a.isEmpty ? 0 : rng.below(a.count + 1), j = b.isEmpty ? 0 : rng.below(b.count + 1)
        return Array(a[..<i]) + Array(b[j...])
    }
}
