public enum LatheWasmPlaceholder {}
