/// Prints a module in the WebAssembly text format.
public enum ModulePrinter {
    /// The module as `.wat` text.
    public static func print(_ module: Module) -> String {
        "(module)\n"
    }
}
