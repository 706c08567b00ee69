public enum LatheIRPlaceholder {}
