import CFFmpeg
import CameoTestSupport
import Foundation
import Testing

/// A media command run against a deliberately broken FFmpeg: a library of the
/// right name, built here with cc, found first through LD_LIBRARY_PATH.
@Suite struct FFmpegLoaderTests {
    static let soname = "libavcodec.so.\(LIBAVCODEC_VERSION_MAJOR)"
    static let package = "libavcodec\(LIBAVCODEC_VERSION_MAJOR)"

    /// `cameo windows` on a good clip, with a libavcodec made of `source`.
    func windows(withLibavcodec source: String) throws -> CLI.Result {
        let scratch = try Scratch()
        let folder = scratch.path("lib")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let file = try scratch.write("fake.c", source)
        let built = try CLI.Running(executable: "/usr/bin/cc", arguments: ["-shared", "-fPIC", "-o", folder + "/" + Self.soname, file],
                                    environment: ["PATH": "/usr/bin:/bin"], stdin: nil).finish(timeout: 60)
        #expect(built.status == 0, "\(built)")
        let cli = CLI(database: scratch.path("catalog.sqlite"), home: scratch.path("home"), extra: ["LD_LIBRARY_PATH": folder])
        return try cli.run("windows", Repository.fixture("landscape.mp4"))
    }

    @Test func aLibraryWithoutFFmpegsFunctionsIsNamedWithItsPackage() throws {
        let result = try windows(withLibavcodec: "int cameo_not_ffmpeg(void) { return 0; }\n")
        #expect(result.status == 4, "\(result)")
        #expect(result.stderr.hasPrefix("cameo: error: FFmpeg's libavcodec is broken"), "\(result)")
        #expect(result.stderr.contains("\(Self.soname) has no avcodec_version"), "\(result)")
        #expect(result.stderr.contains("reinstall the Debian package \(Self.package)"), "\(result)")
        #expect(result.stdout.isEmpty)
    }

    @Test func anOlderLibraryIsRefused() throws {
        let result = try windows(withLibavcodec: "unsigned avcodec_version(void) { return \(LIBAVCODEC_VERSION_MAJOR) << 16; }\n")
        #expect(result.status == 4, "\(result)")
        #expect(result.stderr.contains("FFmpeg's libavcodec is too old (\(Self.soname) is version \(LIBAVCODEC_VERSION_MAJOR).0.0; cameo was built with"),
                "\(result)")
        #expect(result.stderr.contains("upgrade the Debian package \(Self.package)"), "\(result)")
    }

    @Test func aMissingFunctionIsNamed() throws {
        let version = "\(LIBAVCODEC_VERSION_MAJOR) << 16 | \(LIBAVCODEC_VERSION_MINOR) << 8 | \(LIBAVCODEC_VERSION_MICRO)"
        let result = try windows(withLibavcodec: "unsigned avcodec_version(void) { return \(version); }\n")
        #expect(result.status == 4, "\(result)")
        #expect(result.stderr.contains("\(Self.soname) has no av_packet_alloc"), "\(result)")
    }
}
