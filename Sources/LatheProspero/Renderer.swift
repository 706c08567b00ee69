import Dispatch
import Synchronization

/// Figures of one render: tiles and tape lengths per subdivision level, and per-pixel work.
public struct RenderStats: Sendable {
    /// Per interval level: tiles evaluated, the sum of their tape lengths, tiles filled without pixel work.
    public var tiles: [Int]
    public var tapeOps: [Int]
    public var filled: [Int]
    /// Per level: tiles whose tape had no decided min/max, passed down unchanged.
    public var reused: [Int]
    /// Leaf blocks evaluated per pixel, the sum of their tape lengths, pixels evaluated, and pixel-ops (pixels × ops).
    public var leafTiles = 0
    public var leafOps = 0
    public var pixels = 0
    public var pixelOps = 0
    /// JIT engine: leaf tapes compiled during this render (the rest came from the cache), their ops, and the compile time.
    public var compiledTapes = 0
    public var compiledOps = 0
    public var compileNanoseconds: UInt64 = 0

    init(levels: Int) {
        tiles = Array(repeating: 0, count: levels)
        tapeOps = tiles
        filled = tiles
        reused = tiles
    }

    mutating func add(_ o: RenderStats) {
        for l in tiles.indices { tiles[l] += o.tiles[l]; tapeOps[l] += o.tapeOps[l]; filled[l] += o.filled[l]; reused[l] += o.reused[l] }
        leafTiles += o.leafTiles; leafOps += o.leafOps; pixels += o.pixels; pixelOps += o.pixelOps
        compiledTapes += o.compiledTapes; compiledOps += o.compiledOps; compileNanoseconds += o.compileNanoseconds
    }
}

/// Renders a tape to a grayscale image: interval pruning over tiles, tape simplification per tile,
/// 8-wide SIMD evaluation of the remaining blocks, top-level tiles spread over threads.
public final class ProsperoRenderer: @unchecked Sendable {
    public let tape: Tape
    /// Tile edge per subdivision level, each a multiple of the next; the last is the block evaluated per pixel (a multiple of 8).
    public let tileSizes: [Int]
    public let threads: Int
    public let engine: RenderEngine
    private let workers: [RenderWorker]

    public init(tape: Tape, tileSizes: [Int] = [256, 128, 32, 16], threads: Int, engine: RenderEngine = .interp) {
        precondition(!tileSizes.isEmpty && tileSizes.last! % 8 == 0)
        for l in 1..<tileSizes.count { precondition(tileSizes[l - 1] % tileSizes[l] == 0) }
        self.tape = tape
        self.tileSizes = tileSizes
        self.threads = max(1, threads)
        self.engine = engine
        workers = (0..<self.threads).map { _ in RenderWorker(tape: tape, tileSizes: tileSizes, engine: engine) }
    }

    /// The `size`×`size` image, row 0 at the top; 255 where the value is below zero.
    public func render(size: Int) -> (pixels: [UInt8], stats: RenderStats) {
        precondition(size > 0)
        let top = tileSizes[0]
        let tilesPerRow = (size + top - 1) / top
        let padded = tilesPerRow * top
        var xs = [Float](repeating: 0, count: padded + 8)
        var ys = [Float](repeating: 0, count: padded + 8)
        for i in 0..<padded { xs[i] = VMSemantics.columnX(i, size); ys[i] = VMSemantics.rowY(i, size) }
        var image = [UInt8](repeating: 0, count: size * size)
        let tileCount = tilesPerRow * tilesPerRow
        let counter = TileCounter()
        xs.withUnsafeBufferPointer { xp in
            ys.withUnsafeBufferPointer { yp in
                image.withUnsafeMutableBufferPointer { ip in
                    let frame = RenderFrame(size: size, xs: xp.baseAddress!, ys: yp.baseAddress!, image: ip.baseAddress!)
                    let run: @Sendable (Int) -> Void = { w in
                        let worker = self.workers[w]
                        worker.begin()
                        while true {
                            let t = counter.next.add(1, ordering: .relaxed).oldValue
                            if t >= tileCount { break }
                            worker.renderTop(frame, x0: (t % tilesPerRow) * top, y0: (t / tilesPerRow) * top)
                        }
                        worker.end()
                    }
                    if threads == 1 { run(0) } else { DispatchQueue.concurrentPerform(iterations: threads, execute: run) }
                }
            }
        }
        var stats = RenderStats(levels: tileSizes.count)
        for w in workers { stats.add(w.stats) }
        return (image, stats)
    }
}

/// Hands out top-level tiles to workers.
final class TileCounter: Sendable {
    let next = Atomic<Int>(0)
}

/// What every worker reads during one render (workers write disjoint tiles of `image`).
struct RenderFrame: @unchecked Sendable {
    var size: Int
    var xs: UnsafePointer<Float>
    var ys: UnsafePointer<Float>
    var image: UnsafeMutablePointer<UInt8>
}

/// One thread's scratch: a tape buffer per level, intervals, choices, slot maps, SIMD slots. Allocated once.
final class RenderWorker: @unchecked Sendable {
    let rootOps: UnsafeMutablePointer<TapeOp>
    let rootCount: Int
    let rootOutput: UInt32
    let tileSizes: [Int]
    let levels: Int
    /// Tape of level l + 1 (simplified for a tile of level l) at `tapes + (l) * capacity`.
    let tapes: UnsafeMutablePointer<TapeOp>
    var tapeCounts: [Int]
    var tapeOutputs: [UInt32]
    let capacity: Int
    let lo: UnsafeMutablePointer<Float>
    let hi: UnsafeMutablePointer<Float>
    let choices: UnsafeMutablePointer<UInt8>
    let map: UnsafeMutablePointer<UInt32>
    let free: UnsafeMutablePointer<UInt32>
    let slots: UnsafeMutablePointer<SIMD8<Float>>
    let leafVectors: Int
    var stats: RenderStats
    /// Compiled leaf tapes (JIT engine only).
    let jit: TapeJITCache?

    init(tape: Tape, tileSizes: [Int], engine: RenderEngine) {
        jit = engine == .jit ? TapeJITCache(chunksPerRow: tileSizes.last! / 8) : nil
        self.tileSizes = tileSizes
        levels = tileSizes.count
        rootCount = tape.ops.count
        rootOutput = tape.output
        capacity = max(rootCount, 1)
        let slotCapacity = max(tape.slotCount, 1)
        rootOps = .allocate(capacity: capacity)
        for (i, op) in tape.ops.enumerated() { rootOps[i] = op }
        tapes = .allocate(capacity: capacity * levels)
        tapeCounts = Array(repeating: 0, count: levels)
        tapeOutputs = Array(repeating: 0, count: levels)
        lo = .allocate(capacity: slotCapacity)
        hi = .allocate(capacity: slotCapacity)
        choices = .allocate(capacity: capacity)
        choices.initialize(repeating: 0, count: capacity)
        map = .allocate(capacity: slotCapacity)
        map.initialize(repeating: TapeSimplifier.none, count: slotCapacity)
        free = .allocate(capacity: slotCapacity + 1)
        let leaf = tileSizes.last!
        leafVectors = leaf * leaf / 8
        slots = .allocate(capacity: slotCapacity * leafVectors)
        stats = RenderStats(levels: levels)
    }

    deinit {
        rootOps.deallocate(); tapes.deallocate(); lo.deallocate(); hi.deallocate()
        choices.deallocate(); map.deallocate(); free.deallocate(); slots.deallocate()
    }

    func begin() {
        stats = RenderStats(levels: levels)
        if let jit { jit.compiledTapes = 0; jit.compiledOps = 0; jit.compileNanoseconds = 0 }
    }

    func end() {
        if let jit { stats.compiledTapes = jit.compiledTapes; stats.compiledOps = jit.compiledOps; stats.compileNanoseconds = jit.compileNanoseconds }
    }

    func renderTop(_ frame: RenderFrame, x0: Int, y0: Int) {
        tile(frame, level: 0, ops: rootOps, count: rootCount, output: rootOutput, x0: x0, y0: y0)
    }

    /// Interval-evaluates the tile; fills it if decided, else simplifies the tape and goes down a level.
    private func tile(_ frame: RenderFrame, level: Int, ops: UnsafePointer<TapeOp>, count: Int, output: UInt32, x0: Int, y0: Int) {
        let size = tileSizes[level]
        let n = frame.size
        let x1 = min(x0 + size, n) - 1, y1 = min(y0 + size, n) - 1
        let xi = FloatInterval(frame.xs[x0], frame.xs[x1])
        let yi = FloatInterval(frame.ys[y1], frame.ys[y0])
        let decided = IntervalEvaluator.evaluate(ops, count: count, lo: lo, hi: hi, choices: choices, x: xi, y: yi)
        stats.tiles[level] += 1
        stats.tapeOps[level] += count
        let l = lo[Int(output)], h = hi[Int(output)]
        if h < 0 || l >= 0 {
            fill(frame, x0: x0, y0: y0, x1: x1, y1: y1, value: h < 0 ? 255 : 0)
            stats.filled[level] += 1
            return
        }
        // Without decided min/max arms the tape has nothing dead (it was simplified already): keep it.
        var child = UnsafePointer(tapes + level * capacity)
        var r = (count: count, output: output)
        if decided == 0 {
            child = ops
            stats.reused[level] += 1
        } else {
            let s = TapeSimplifier.simplify(ops, count: count, output: output, choices: choices, map: map, free: free, into: tapes + level * capacity)
            child = UnsafePointer(tapes + level * capacity + s.start)
            r = (s.count, s.output)
        }
        if level + 1 < levels {
            let sub = tileSizes[level + 1]
            var y = y0
            while y <= y1 {
                var x = x0
                while x <= x1 {
                    tile(frame, level: level + 1, ops: child, count: r.count, output: r.output, x0: x, y0: y)
                    x += sub
                }
                y += sub
            }
        } else {
            leaf(frame, ops: child, count: r.count, output: r.output, x0: x0, y0: y0, x1: x1, y1: y1)
        }
    }

    /// Evaluates a leaf block per pixel and writes its in-image pixels.
    private func leaf(_ frame: RenderFrame, ops: UnsafePointer<TapeOp>, count: Int, output: UInt32, x0: Int, y0: Int, x1: Int, y1: Int) {
        let size = tileSizes[levels - 1]
        let chunks = size / 8
        let vectors = leafVectors
        let result: UnsafeMutablePointer<SIMD8<Float>>
        if let jit {
            let f = jit.entry(ops, count: count, output: output)
            f(nil, frame.xs + x0, frame.ys + y0, slots, vectors)
            result = slots
        } else {
            SIMDEvaluator.evaluate(ops, count: count, slots: slots, vectors: vectors, chunksPerRow: chunks,
                                   xs: frame.xs + x0, ys: frame.ys + y0)
            result = slots + Int(output) * vectors
        }
        stats.leafTiles += 1
        stats.leafOps += count
        stats.pixels += size * size
        stats.pixelOps += size * size * count
        let n = frame.size
        for k in 0..<vectors {
            let row = y0 + k / chunks
            if row > y1 { break }
            let col = x0 + 8 * (k % chunks)
            if col > x1 { continue }
            let inside = SIMD8<Int32>(repeating: 0).replacing(with: -1, where: result[k] .< 0)
            let bytes = SIMD8<UInt8>(truncatingIfNeeded: inside)
            let dest = frame.image + row * n + col
            if col + 8 <= x1 + 1 {
                UnsafeMutableRawPointer(dest).storeBytes(of: bytes, as: SIMD8<UInt8>.self)
            } else {
                for lane in 0..<(x1 + 1 - col) { dest[lane] = bytes[lane] }
            }
        }
    }

    private func fill(_ frame: RenderFrame, x0: Int, y0: Int, x1: Int, y1: Int, value: UInt8) {
        let n = frame.size
        for row in y0...y1 {
            (frame.image + row * n + x0).update(repeating: value, count: x1 - x0 + 1)
        }
    }
}

/// Brute-force rendering: every pixel through the scalar reference evaluator (for tests).
public enum ReferenceRenderer {
    public static func render(_ program: VMProgram, size: Int) -> [UInt8] {
        var image = [UInt8](repeating: 0, count: size * size)
        for i in 0..<size {
            let y = VMSemantics.rowY(i, size)
            for j in 0..<size {
                image[i * size + j] = VMSemantics.pixel(program.evaluate(x: VMSemantics.columnX(j, size), y: y))
            }
        }
        return image
    }
}
