import LatheWasm
import WAT
public enum TestSupportPlaceholder {}
