/// Differential fuzzing of the optimizer: generated or given modules run before and after optimization.
public enum LatheFuzz {
    /// The version of the generator's output format; a seed reproduces a module only within one version.
    public static let generatorVersion = 1
}
