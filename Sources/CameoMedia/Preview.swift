import CFFmpeg
import CameoText
import CameoMediaFacts
import Foundation

/// A picture of a window a person can judge at a glance: frames across the
/// window on top; below, the whole clip as a strip with its cuts (red),
/// black (grey) and frozen (blue) stretches, and the window (yellow).
public struct Preview {
    public static let width = 960
    static let padding = 12
    static let windowFrames = 5
    static let background = RGBImage.Colour(30, 30, 30)
    static let highlight = RGBImage.Colour(255, 204, 0)
    static let cutColour = RGBImage.Colour(230, 40, 40)
    static let blackColour = RGBImage.Colour(110, 110, 110)
    static let frozenColour = RGBImage.Colour(60, 130, 255)
    static let textColour = RGBImage.Colour(220, 220, 220)

    /// An empty strip for this clip, to be filled while it is decoded.
    static func stripCapture(for info: ClipInfo) -> FrameCapture {
        let size = stripFrameSize(displayWidth: info.video.displayWidth, displayHeight: info.video.displayHeight, duration: info.duration)
        return FrameCapture(times: stripTimes(duration: info.duration), width: size.width, height: size.height, rotation: info.video.rotation)
    }

    /// Times of the strip's frames for a clip of `duration` seconds.
    static func stripTimes(duration: Double) -> [Double] {
        let count = stripCount(duration: duration)
        return (0..<count).map { (Double($0) + 0.5) * duration / Double(count) }
    }

    static func stripCount(duration: Double) -> Int {
        min(16, max(6, Int(duration.rounded(.up))))
    }

    /// The size of each strip picture, for a capture during analysis.
    static func stripFrameSize(displayWidth: Int, displayHeight: Int, duration: Double) -> (width: Int, height: Int) {
        let count = stripCount(duration: duration)
        var width = (Self.width - 2 * padding) / count
        var height = max(8, width * displayHeight / max(1, displayWidth))
        if height > 110 {  // Portrait clips: a strip, not a wall.
            height = 110
            width = max(8, height * displayWidth / max(1, displayHeight))
        }
        return (width, height)
    }

    static func windowFrameSize(displayWidth: Int, displayHeight: Int) -> (width: Int, height: Int) {
        let gap = 8
        var width = (Self.width - 2 * padding - gap * (windowFrames - 1)) / windowFrames
        var height = width * displayHeight / max(1, displayWidth)
        if height > 320 {  // Portrait clips: keep the picture a sensible height.
            height = 320
            width = height * displayWidth / max(1, displayHeight)
        }
        return (width, height)
    }

    static let faceColour = RGBImage.Colour(255, 60, 200)

    /// Draws the preview of `window` (seconds) for an analysed clip.
    /// The strip shows the pictures caught during analysis (`capturingStrip`), or stays empty.
    /// `faces` (from the person check) are boxed on the window's frames they were seen nearest to.
    public static func render(_ analysis: ClipAnalysis, window: (start: Double, end: Double),
                              faces: [FaceSighting] = [], timeout: Double = 60) throws(MediaError) -> RGBImage {
        let strip = analysis.strip ?? stripCapture(for: analysis.info)
        let info = analysis.info
        let thumb = windowFrameSize(displayWidth: info.video.displayWidth, displayHeight: info.video.displayHeight)
        let times = (0..<windowFrames).map { window.start + (Double($0) + 0.5) * (window.end - window.start) / Double(windowFrames) }
        let windowPictures = try grab(analysis.location, times: times, size: thumb, rotation: info.video.rotation, timeout: timeout)

        let stripPictures = strip.pictures
        let stripHeight = strip.height
        let labelHeight = 14
        let titleHeight = 2 * labelHeight + 8
        let height = titleHeight + padding + thumb.height + 4 + labelHeight + 16 + stripHeight + 6 + 8 + labelHeight + 8 + labelHeight + padding
        var image = RGBImage(width: width, height: height, fill: background)

        // What this is: the clip and the window, named.
        let name = URL(fileURLWithPath: analysis.location).lastPathComponent
        Text.draw(String(name.prefix(110)), into: &image, x: padding, y: padding, colour: textColour)
        Text.draw("window \(Seconds.format(window.start))-\(Seconds.format(window.end))s of \(Seconds.format(analysis.duration))s",
                  into: &image, x: padding, y: padding + labelHeight + 4, colour: highlight)
        let top = titleHeight + padding

        // The window's frames, framed in the highlight colour.
        let gap = (width - 2 * padding - thumb.width * windowFrames) / max(1, windowFrames - 1)
        for (index, picture) in windowPictures.enumerated() {
            let x = padding + index * (thumb.width + gap)
            if let picture { image.draw(picture, x: x, y: top) }
            image.frame(x: x - 2, y: top - 2, width: thumb.width + 4, height: thumb.height + 4, thickness: 2, highlight)
            Text.draw(Seconds.format((times[index] * 10).rounded() / 10) + "s", into: &image, x: x, y: top + thumb.height + 6, colour: textColour)
            let scale = Double(thumb.width) / Double(max(1, info.video.displayWidth))
            for face in nearestFaces(faces, to: times[index]) where face.box.count == 4 {
                image.frame(x: x + Int(Double(face.box[0]) * scale), y: top + Int(Double(face.box[1]) * scale),
                            width: max(4, Int(Double(face.box[2]) * scale)), height: max(4, Int(Double(face.box[3]) * scale)),
                            thickness: 2, faceColour)
            }
        }

        // The whole clip.
        let stripTop = top + thumb.height + 4 + labelHeight + 16
        let stripWidth = strip.width * stripPictures.count
        let left = padding + (width - 2 * padding - stripWidth) / 2
        for (index, picture) in stripPictures.enumerated() {
            if let picture { image.draw(picture, x: left + index * strip.width, y: stripTop) }
        }
        func x(_ seconds: Double) -> Int { left + Int((seconds / analysis.duration * Double(stripWidth)).rounded()) }
        for span in analysis.black { image.fill(x: x(span.start), y: stripTop, width: max(1, x(span.end) - x(span.start)), height: stripHeight, blackColour, alpha: 0.75) }
        for span in analysis.frozen { image.fill(x: x(span.start), y: stripTop, width: max(1, x(span.end) - x(span.start)), height: stripHeight, frozenColour, alpha: 0.55) }
        image.fill(x: x(window.start), y: stripTop, width: x(window.end) - x(window.start), height: stripHeight, highlight, alpha: 0.25)
        image.frame(x: x(window.start) - 2, y: stripTop - 2, width: x(window.end) - x(window.start) + 4, height: stripHeight + 4, thickness: 2, highlight)
        for cut in analysis.cuts { image.fill(x: x(cut.time) - 1, y: stripTop - 6, width: 3, height: stripHeight + 12, cutColour) }

        // A time axis: a tick every second (every 5 or 10 on long clips), labelled.
        let axis = stripTop + stripHeight + 6
        image.fill(x: left, y: axis, width: stripWidth, height: 1, textColour)
        let every = analysis.duration > 60 ? 10.0 : analysis.duration > 15 ? 5.0 : 1.0
        var second = 0.0
        while second <= analysis.duration + 0.0001 {
            image.fill(x: x(second), y: axis, width: 1, height: 6, textColour)
            Text.draw(Seconds.format(second), into: &image, x: x(second) - 3, y: axis + 9, colour: textColour)
            second += every
        }
        image.fill(x: x(window.start), y: axis - 1, width: x(window.end) - x(window.start), height: 3, highlight)

        // The legend.
        var legendX = padding
        let legendY = axis + 9 + labelHeight + 8
        let keys: [(String, RGBImage.Colour)] = [("window", highlight), ("cut", cutColour), ("black", blackColour),
                                                 ("frozen", frozenColour), ("face", faceColour)]
        for (label, colour) in keys {
            image.fill(x: legendX, y: legendY, width: 10, height: 10, colour)
            Text.draw(label, into: &image, x: legendX + 16, y: legendY, colour: textColour)
            legendX += 16 + 8 * label.count + 24
        }
        return image
    }

    /// The faces of the sighting nearest to `time`, when it is within a third of a second.
    static func nearestFaces(_ faces: [FaceSighting], to time: Double) -> [FaceSighting] {
        guard let nearest = faces.min(by: { abs($0.time - time) < abs($1.time - time) }), abs(nearest.time - time) <= 0.34 else { return [] }
        return faces.filter { $0.time == nearest.time }
    }

    /// Decodes the frames nearest to `times` (sorted), seeking once and reading forward.
    static func grab(_ location: String, times: [Double], size: (width: Int, height: Int), rotation: Int,
                     timeout: Double) throws(MediaError) -> [RGBImage?] {
        let input = try MediaInput(MediaLocation(location), timeout: timeout)
        let decoder = try VideoDecoder(input, shortcuts: .none)
        guard let first = times.first, let last = times.last else { return [] }
        decoder.seek(to: first)
        let capture = FrameCapture(times: times, width: size.width, height: size.height, rotation: rotation, within: 0.25)
        try decoder.decode { frame throws(MediaError) in
            guard let time = decoder.time(of: frame) else { return true }
            capture.offer(frame, time: time)
            return time < last + 0.25
        }
        return capture.pictures
    }
}

/// Digits, capital letters and a little punctuation in a 3x5 pixel font,
/// drawn at twice the size (lower case is drawn as capitals).
enum Text {
    static let glyphs: [Character: [UInt8]] = letters.merging([
        "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7], "4": [5, 5, 7, 1, 1],
        "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 2, 2, 2], "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7],
        ".": [0, 0, 0, 0, 2], ",": [0, 0, 0, 2, 4], "s": [0, 3, 6, 1, 6], "-": [0, 0, 7, 0, 0],
        "_": [0, 0, 0, 0, 7], "(": [1, 2, 2, 2, 1], ")": [4, 2, 2, 2, 4], ":": [0, 2, 0, 2, 0], "/": [1, 1, 2, 4, 4],
    ]) { $1 }

    static let letters: [Character: [UInt8]] = [
        "A": [2, 5, 7, 5, 5], "B": [6, 5, 6, 5, 6], "C": [3, 4, 4, 4, 3], "D": [6, 5, 5, 5, 6], "E": [7, 4, 6, 4, 7],
        "F": [7, 4, 6, 4, 4], "G": [3, 4, 5, 5, 3], "H": [5, 5, 7, 5, 5], "I": [7, 2, 2, 2, 7], "J": [1, 1, 1, 5, 2],
        "K": [5, 5, 6, 5, 5], "L": [4, 4, 4, 4, 7], "M": [5, 7, 7, 5, 5], "N": [6, 5, 5, 5, 5], "O": [2, 5, 5, 5, 2],
        "P": [6, 5, 6, 4, 4], "Q": [2, 5, 5, 6, 3], "R": [6, 5, 6, 5, 5], "S": [3, 4, 2, 1, 6], "T": [7, 2, 2, 2, 2],
        "U": [5, 5, 5, 5, 7], "V": [5, 5, 5, 5, 2], "W": [5, 5, 7, 7, 5], "X": [5, 5, 2, 5, 5], "Y": [5, 5, 2, 2, 2],
        "Z": [7, 1, 2, 4, 7],
    ]

    static func draw(_ text: String, into image: inout RGBImage, x: Int, y: Int, colour: RGBImage.Colour) {
        var cursor = x
        var previous: Character?
        for character in text {
            defer { previous = character }
            // "s" after a number is the unit, kept small; other letters (a file name's "s" too) are drawn as capitals.
            let unit = character == "s" && previous?.isNumber == true
            guard let rows = unit ? glyphs["s"] : glyphs[Character(character.uppercased())] ?? glyphs[character] else { cursor += 8; continue }
            for (row, bits) in rows.enumerated() {
                for column in 0..<3 where bits & (4 >> column) != 0 {
                    image.fill(x: cursor + column * 2, y: y + row * 2, width: 2, height: 2, colour)
                }
            }
            cursor += 8
        }
    }
}
