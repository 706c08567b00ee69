import WasmKit
import WAT

/// Running a WAST `invoke` on WasmKit's engine, with the outcome as comparable text.
public enum WasmKitInvoke {
    /// The WasmKit values of a WAST invocation's arguments, or nil when one has no WasmKit form here.
    public static func arguments(_ args: [WASTConstValue]) -> [WasmKit.Value]? {
        var out: [WasmKit.Value] = []
        for a in args {
            switch a {
            case .i32(let v): out.append(.i32(v))
            case .i64(let v): out.append(.i64(v))
            case .f32(let v): out.append(.f32(v))
            case .f64(let v): out.append(.f64(v))
            case .v128(let v): out.append(.v128(v))
            case .refNull(.abstract(.funcRef)): out.append(.ref(.function(nil)))
            case .refNull(.abstract(.externRef)): out.append(.ref(.extern(nil)))
            case .refExtern(let v): out.append(.ref(.extern(Int(v))))
            default: return nil
            }
        }
        return out
    }

    /// Why an invocation did not run.
    public struct InvokeError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Calls export `call.name` of `instance` and returns its results; throws WasmKit's `Trap` when it traps.
    public static func results(_ call: WASTInvoke, on instance: Instance) throws -> [WasmKit.Value] {
        guard case .function(let f) = instance.export(call.name) else { throw InvokeError(description: "no function \(call.name)") }
        guard let args = arguments(call.args) else { throw InvokeError(description: "unsupported argument") }
        return try f.invoke(args)
    }

    /// An invocation's failure as comparable text: "trap: " and the trap's first line, or what went wrong.
    public static func describe(_ error: any Error) -> String {
        if let t = error as? Trap { return "trap: " + (t.description.split(separator: "\n").first.map(String.init) ?? "") }
        if let e = error as? InvokeError { return e.description }
        return "error: \(error)"
    }
}
