/// How long a character window may be anywhere cameo keeps one: the widest
/// any provider's dialect allows (the spec's own is 1 to 3 seconds, some
/// aggregators take 1 to 4). The catalog stores any window in this range;
/// a provider profile narrows it (its `window`), and the request rules check
/// a window against the active profile before anything is sent.
public enum WindowLength {
    public static let minimumMilliseconds = 1000
    public static let maximumMilliseconds = 4000

    public static var minimum: Double { Double(minimumMilliseconds) / 1000 }
    public static var maximum: Double { Double(maximumMilliseconds) / 1000 }
}
