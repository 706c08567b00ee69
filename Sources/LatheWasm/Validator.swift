/// Checks a module against the WebAssembly 3.0 validation rules.
public enum ModuleValidator {
    /// Throws the first validation error found.
    public static func validate(_ module: Module) throws(WasmError) {
        // Filled in by the validator implementation.
    }
}
