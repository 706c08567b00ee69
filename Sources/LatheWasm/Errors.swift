/// Why a module could not be read or validated, and where.
public struct WasmError: Error, Sendable, CustomStringConvertible {
    /// Byte offset in the file.
    public var offset: Int
    /// The section being read, e.g. "code".
    public var section: String?
    /// The function index (module-wide, imports included) where relevant.
    public var function: UInt32?
    /// A display name for the function (from the name section) where one is known.
    public var functionName: String?
    public var message: String

    public init(offset: Int, section: String? = nil, function: UInt32? = nil, functionName: String? = nil, message: String) {
        self.offset = offset
        self.section = section
        self.function = function
        self.functionName = functionName
        self.message = message
    }

    /// `offset 0x1a3: code section: function 5 ($main): message`.
    public var description: String {
        var s = "offset 0x\(String(offset, radix: 16)): "
        if let section { s += "\(section) section: " }
        if let function {
            s += "function \(function)"
            if let functionName { s += " ($\(functionName))" }
            s += ": "
        }
        return s + message
    }
}
