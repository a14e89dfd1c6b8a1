/// The catalog that tests talking to a provider start from, made through the
/// real command line: `duck` (window 1,3, no username yet) and `cookie`
/// (window 0.5,2.5, @crumbs.jar).
public enum ProviderCatalog {
    public static func seed(_ catalogPath: String, home: String, withDuck: Bool = true) throws {
        let setup = CLI(database: catalogPath, home: home)
        if withDuck {
            try setup.run("add", "duck", "--url", "https://cdn.example.com/duck.mp4", "--window", "1,3", "--no-probe")
        }
        try setup.run("add", "cookie", "--url", "https://cdn.example.com/cookie.mp4", "--window", "0.5,2.5", "--no-probe")
        try setup.run("resolve", "cookie", "crumbs.jar")
    }
}
