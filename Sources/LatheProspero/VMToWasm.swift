import LatheIR
import LatheWasm
import LatheWasmIR

extension VMProgram {
    /// A wasm module exporting `eval(x: v128, y: v128) -> v128`: the program over four f32x4 lanes,
    /// built as an f32x4 IR function and lowered by the IR's wasm lowerer.
    public func wasmModule(exportName: String = "eval") throws(LowerError) -> LatheWasm.Module {
        let function = irFunction(name: exportName, lanes: 4)
        let body = try WasmLowerer.lower(LiftedFunction(function: function, functionIndices: [], typeIndices: []))
        var module = LatheWasm.Module()
        module.recGroups = [RecGroup(types: [SubType(composite: .func(FuncType(params: [.v128, .v128], results: [.v128])))])]
        module.functions = [0]
        module.exports = [Export(name: exportName, kind: .function, index: 0)]
        module.bodies = [body]
        return module
    }
}
