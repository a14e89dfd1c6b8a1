import CFFmpeg
import Foundation

/// A picture in packed 8-bit RGB, for previews: drawn on in Swift, scaled
/// with libswscale, written as PNG with libavcodec's encoder.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public struct Colour: Sendable {
        public var red: UInt8, green: UInt8, blue: UInt8
        public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
            self.red = red
            self.green = green
            self.blue = blue
        }
    }

    public init(width: Int, height: Int, fill: Colour) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        self.fill(x: 0, y: 0, width: width, height: height, fill)
    }

    /// The frame scaled to fit `width`x`height` as shown (after `rotation`,
    /// counter-clockwise degrees as ffprobe reports the display matrix).
    init?(frame: UnsafeMutablePointer<AVFrame>, width: Int, height: Int, rotation: Int) {
        var scaler: OpaquePointer?
        defer { sws_freeContext(scaler) }
        self.init(frame: frame, width: width, height: height, rotation: rotation, scaler: &scaler, flags: SWS_AREA)
    }

    /// As above, with a scaler kept by the caller between frames of one clip (`sws_getCachedContext`).
    init?(frame: UnsafeMutablePointer<AVFrame>, width: Int, height: Int, rotation: Int, scaler cached: inout OpaquePointer?, flags: Int32) {
        let quarterTurns = Self.quarterTurns(rotation)
        let (codedWidth, codedHeight) = quarterTurns % 2 == 1 ? (height, width) : (width, height)
        guard codedWidth > 0, codedHeight > 0, frame.pointee.width > 0, frame.pointee.height > 0 else { return nil }
        cached = sws_getCachedContext(cached, frame.pointee.width, frame.pointee.height, AVPixelFormat(rawValue: frame.pointee.format),
                                      Int32(codedWidth), Int32(codedHeight), AV_PIX_FMT_RGB24, flags, nil, nil, nil)
        guard let scaler = cached, let target = av_frame_alloc() else { return nil }
        defer {
            var owned: UnsafeMutablePointer<AVFrame>? = target
            av_frame_free(&owned)
        }
        // libswscale allocates the picture (packed RGB: one plane), then its rows are copied out.
        guard sws_scale_frame(scaler, target, frame) >= 0, let plane = target.pointee.data.0 else { return nil }
        let rowBytes = codedWidth * 3, stride = Int(target.pointee.linesize.0)
        var coded = [UInt8](repeating: 0, count: rowBytes * codedHeight)
        coded.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for row in 0..<codedHeight { (base + row * rowBytes).update(from: plane + row * stride, count: rowBytes) }
        }
        self.init(width: codedWidth, height: codedHeight, pixels: coded)
        self = rotated(quarterTurnsCounterClockwise: quarterTurns)
    }

    /// Counter-clockwise quarter turns of `rotation` degrees, the nearest.
    static func quarterTurns(_ rotation: Int) -> Int {
        ((rotation % 360 + 360) % 360 + 45) / 90 % 4
    }

    init(width: Int, height: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    func rotated(quarterTurnsCounterClockwise turns: Int) -> RGBImage {
        guard turns % 4 != 0 else { return self }
        let newWidth = turns % 2 == 1 ? height : width, newHeight = turns % 2 == 1 ? width : height
        var result = [UInt8](repeating: 0, count: pixels.count)
        for y in 0..<height {
            for x in 0..<width {
                let (nx, ny): (Int, Int)
                switch turns % 4 {
                case 1: (nx, ny) = (y, width - 1 - x)
                case 2: (nx, ny) = (width - 1 - x, height - 1 - y)
                default: (nx, ny) = (height - 1 - y, x)
                }
                let from = (y * width + x) * 3, to = (ny * newWidth + nx) * 3
                result[to] = pixels[from]
                result[to + 1] = pixels[from + 1]
                result[to + 2] = pixels[from + 2]
            }
        }
        return RGBImage(width: newWidth, height: newHeight, pixels: result)
    }

    public subscript(x: Int, y: Int) -> Colour {
        let index = (y * width + x) * 3
        return Colour(pixels[index], pixels[index + 1], pixels[index + 2])
    }

    mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ colour: Colour, alpha: Double = 1) {
        let x0 = max(0, x), y0 = max(0, y), x1 = min(width, x + w), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        let keep = 1 - alpha
        for row in y0..<y1 {
            var index = (row * width + x0) * 3
            for _ in x0..<x1 {
                if alpha >= 1 {
                    pixels[index] = colour.red
                    pixels[index + 1] = colour.green
                    pixels[index + 2] = colour.blue
                } else {
                    pixels[index] = UInt8(Double(pixels[index]) * keep + Double(colour.red) * alpha)
                    pixels[index + 1] = UInt8(Double(pixels[index + 1]) * keep + Double(colour.green) * alpha)
                    pixels[index + 2] = UInt8(Double(pixels[index + 2]) * keep + Double(colour.blue) * alpha)
                }
                index += 3
            }
        }
    }

    mutating func frame(x: Int, y: Int, width w: Int, height h: Int, thickness: Int, _ colour: Colour) {
        fill(x: x, y: y, width: w, height: thickness, colour)
        fill(x: x, y: y + h - thickness, width: w, height: thickness, colour)
        fill(x: x, y: y, width: thickness, height: h, colour)
        fill(x: x + w - thickness, y: y, width: thickness, height: h, colour)
    }

    mutating func draw(_ image: RGBImage, x: Int, y: Int) {
        for row in 0..<image.height where y + row >= 0 && y + row < height {
            for column in 0..<image.width where x + column >= 0 && x + column < width {
                let from = (row * image.width + column) * 3, to = ((y + row) * width + x + column) * 3
                pixels[to] = image.pixels[from]
                pixels[to + 1] = image.pixels[from + 1]
                pixels[to + 2] = image.pixels[from + 2]
            }
        }
    }

    /// Encodes the picture as PNG with libavcodec.
    public func pngData() throws(MediaError) -> Data {
        try FFmpegLibrary.require()
        guard let encoder = avcodec_find_encoder(AV_CODEC_ID_PNG), let context = avcodec_alloc_context3(encoder) else {
            throw .cannotWrite("PNG", detail: "this FFmpeg has no PNG encoder")
        }
        var contextPointer: UnsafeMutablePointer<AVCodecContext>? = context
        defer { avcodec_free_context(&contextPointer) }
        context.pointee.width = Int32(width)
        context.pointee.height = Int32(height)
        context.pointee.pix_fmt = AV_PIX_FMT_RGB24
        context.pointee.time_base = AVRational(num: 1, den: 25)
        guard avcodec_open2(context, encoder, nil) >= 0, let frame = av_frame_alloc(), let packet = av_packet_alloc() else {
            throw .cannotWrite("PNG", detail: "cannot open the PNG encoder")
        }
        var framePointer: UnsafeMutablePointer<AVFrame>? = frame
        var packetPointer: UnsafeMutablePointer<AVPacket>? = packet
        defer {
            av_frame_free(&framePointer)
            av_packet_free(&packetPointer)
        }
        frame.pointee.width = Int32(width)
        frame.pointee.height = Int32(height)
        frame.pointee.format = AV_PIX_FMT_RGB24.rawValue
        guard av_frame_get_buffer(frame, 0) >= 0, let plane = frame.pointee.data.0 else {
            throw .cannotWrite("PNG", detail: "out of memory")
        }
        let stride = Int(frame.pointee.linesize.0)
        pixels.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress else { return }
            for row in 0..<height {
                (plane + row * stride).update(from: base + row * width * 3, count: width * 3)
            }
        }
        frame.pointee.pts = 0
        var status = avcodec_send_frame(context, frame)
        if status >= 0 { status = avcodec_send_frame(context, nil) }
        var data = Data()
        while avcodec_receive_packet(context, packet) >= 0 {
            data.append(packet.pointee.data, count: Int(packet.pointee.size))
            av_packet_unref(packet)
        }
        guard status >= 0, !data.isEmpty else { throw .cannotWrite("PNG", detail: averrorText(status)) }
        return data
    }
}
