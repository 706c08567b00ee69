public enum LatheEntityPlaceholder {}
