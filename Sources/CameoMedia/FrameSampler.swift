import CFFmpeg
import Foundation

/// The cheap measures of one decoded frame that windows are chosen from.
struct FrameSignals: Sendable {
    var time: Double
    /// Mean and standard deviation of luma (0-255): black and flat frames.
    var mean: Float
    var spread: Float
    /// Mean absolute change of the small luma grid since the previous frame (0-255): motion, freezes.
    var motion: Float
    /// Half the L1 distance between luma histograms (0-1): shot cuts.
    var histogramChange: Float
    /// Share of grid blocks whose colour changed a lot (0-1): shot cuts.
    var blockChange: Float
    /// Mean squared Laplacian of full-resolution luma: sharpness.
    var sharpness: Float
    /// Not decoded: filled in from keyframes and packet sizes (see ClipSurvey).
    /// A stand-in ranks windows but is never a cut, black or frozen.
    var standIn = false
    /// Whether the change measures compare with the frame before (false for
    /// the first frame decoded after a seek).
    var continues = true

    /// How much this frame looks like the first of a new shot (0-1).
    var cutScore: Float { 0.5 * (histogramChange + blockChange) }
}

/// Measures frames directly on planar YUV (most video, 8-bit or deeper: the
/// high bits of each 16-bit sample are read in place), reading a sparse
/// lattice of pixels rather than the whole picture; other formats are first
/// shrunk into 8-bit YUV with libswscale.
final class FrameSampler {
    static let gridWidth = 48
    static let gridHeight = 27
    static let bins = 32

    private var previousY: [Float]?
    private var previousU: [Float] = []
    private var previousV: [Float] = []
    private var previousHistogram: [Float] = []
    private var converter: OpaquePointer?
    private var converted: UnsafeMutablePointer<AVFrame>?

    deinit {
        sws_freeContext(converter)
        av_frame_free(&converted)
    }

    func measure(_ frame: UnsafeMutablePointer<AVFrame>, time: Double) -> FrameSignals? {
        guard let planar = planarYUV(frame) else { return nil }
        let layout = SampleLayout(bytes: planar.bytes, shift: planar.shift)
        return measurePlanar(planar.frame, layout: layout, chromaShiftX: planar.shiftX, chromaShiftY: planar.shiftY, time: time)
    }

    /// Forgets the previous frame: the next one is measured without change signals.
    func reset() {
        previousY = nil
    }

    /// The frame itself when it is planar YUV of 8 bits, or 9-16 bits in little-endian
    /// 16-bit samples (10-bit HEVC), else a small 8-bit converted copy.
    private func planarYUV(_ frame: UnsafeMutablePointer<AVFrame>) -> (frame: UnsafeMutablePointer<AVFrame>, shiftX: Int, shiftY: Int, bytes: Int, shift: Int)? {
        let format = AVPixelFormat(rawValue: frame.pointee.format)
        if let descriptor = av_pix_fmt_desc_get(format),
           descriptor.pointee.nb_components >= 3,
           (descriptor.pointee.flags & UInt64(AV_PIX_FMT_FLAG_PLANAR)) != 0,
           (descriptor.pointee.flags & UInt64(AV_PIX_FMT_FLAG_RGB)) == 0,
           (descriptor.pointee.flags & UInt64(AV_PIX_FMT_FLAG_BE)) == 0,
           descriptor.pointee.comp.0.plane == 0, descriptor.pointee.comp.1.plane == 1, descriptor.pointee.comp.2.plane == 2 {
            let depth = Int(descriptor.pointee.comp.0.depth), step = Int(descriptor.pointee.comp.0.step)
            let chromaStep = Int(descriptor.pointee.comp.1.step)
            if depth == 8, step == 1, chromaStep == 1 {
                return (frame, Int(descriptor.pointee.log2_chroma_w), Int(descriptor.pointee.log2_chroma_h), 1, 0)
            }
            if (9...16).contains(depth), step == 2, chromaStep == 2, descriptor.pointee.comp.0.shift == 0 {
                return (frame, Int(descriptor.pointee.log2_chroma_w), Int(descriptor.pointee.log2_chroma_h), 2, depth - 8)
            }
        }
        let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
        guard width > 0, height > 0 else { return nil }
        let targetWidth = min(width, 480), targetHeight = max(2, height * targetWidth / width) & ~1
        converter = sws_getCachedContext(converter, Int32(width), Int32(height), format,
                                         Int32(targetWidth), Int32(targetHeight), AV_PIX_FMT_YUV420P, SWS_AREA, nil, nil, nil)
        if converted == nil {
            converted = av_frame_alloc()
        }
        guard let converter, let converted else { return nil }
        if converted.pointee.width != Int32(targetWidth) || converted.pointee.height != Int32(targetHeight) {
            av_frame_unref(converted)
            converted.pointee.width = Int32(targetWidth)
            converted.pointee.height = Int32(targetHeight)
            converted.pointee.format = AV_PIX_FMT_YUV420P.rawValue
            guard av_frame_get_buffer(converted, 0) >= 0 else { return nil }
        }
        guard sws_scale_frame(converter, converted, frame) >= 0 else { return nil }
        return (converted, 1, 1, 1, 0)
    }

    private func measurePlanar(_ frame: UnsafeMutablePointer<AVFrame>, layout: SampleLayout, chromaShiftX: Int, chromaShiftY: Int, time: Double) -> FrameSignals? {
        let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
        guard width >= 8, height >= 8,
              let lumaPlane = frame.pointee.data.0, let uPlane = frame.pointee.data.1, let vPlane = frame.pointee.data.2
        else { return nil }
        let lumaStride = Int(frame.pointee.linesize.0)
        let uStride = Int(frame.pointee.linesize.1), vStride = Int(frame.pointee.linesize.2)
        let gw = Self.gridWidth, gh = Self.gridHeight
        var gridY = [Float](repeating: 0, count: gw * gh)
        var gridU = [Float](repeating: 0, count: gw * gh)
        var gridV = [Float](repeating: 0, count: gw * gh)
        var histogram = [Float](repeating: 0, count: Self.bins)
        var sum = 0.0, sumOfSquares = 0.0, samples = 0

        // A 4x4 lattice of luma samples in each block; the block's centre for chroma.
        for by in 0..<gh {
            let y0 = by * height / gh, y1 = (by + 1) * height / gh
            for bx in 0..<gw {
                let x0 = bx * width / gw, x1 = (bx + 1) * width / gw
                var blockSum = 0
                for sy in 0..<4 {
                    let y = y0 + (y1 - y0) * (2 * sy + 1) / 8
                    let row = lumaPlane + y * lumaStride
                    for sx in 0..<4 {
                        let value = layout.value(row, x0 + (x1 - x0) * (2 * sx + 1) / 8)
                        blockSum += value
                        histogram[value >> 3] += 1
                        sumOfSquares += Double(value * value)
                    }
                }
                sum += Double(blockSum)
                samples += 16
                let index = by * gw + bx
                gridY[index] = Float(blockSum) / 16
                let cx = ((x0 + x1) / 2) >> chromaShiftX, cy = ((y0 + y1) / 2) >> chromaShiftY
                gridU[index] = Float(layout.value(uPlane + cy * uStride, cx))
                gridV[index] = Float(layout.value(vPlane + cy * vStride, cx))
            }
        }
        let mean = sum / Double(samples)
        let spread = (max(0, sumOfSquares / Double(samples) - mean * mean)).squareRoot()
        for bin in histogram.indices { histogram[bin] /= Float(samples) }

        // Laplacian energy on a sparse lattice of full-resolution pixels.
        var laplacianEnergy = 0.0, laplacianSamples = 0
        let sharpColumns = min(96, width - 2), sharpRows = min(54, height - 2)
        for sy in 0..<sharpRows {
            let y = 1 + sy * (height - 2) / sharpRows
            let row = lumaPlane + y * lumaStride
            for sx in 0..<sharpColumns {
                let x = 1 + sx * (width - 2) / sharpColumns
                let centre = layout.value(row, x) * 4
                let laplacian = centre - layout.value(row, x - 1) - layout.value(row, x + 1)
                    - layout.value(row - lumaStride, x) - layout.value(row + lumaStride, x)
                laplacianEnergy += Double(laplacian * laplacian)
                laplacianSamples += 1
            }
        }

        var motion: Float = 0, histogramChange: Float = 0, blockChange: Float = 0
        if let previousY {
            var changedBlocks = 0
            var totalDifference: Float = 0
            for index in gridY.indices {
                let difference = abs(gridY[index] - previousY[index])
                totalDifference += difference
                if difference + abs(gridU[index] - previousU[index]) + abs(gridV[index] - previousV[index]) > 30 {
                    changedBlocks += 1
                }
            }
            motion = totalDifference / Float(gridY.count)
            blockChange = Float(changedBlocks) / Float(gridY.count)
            var distance: Float = 0
            for bin in histogram.indices { distance += abs(histogram[bin] - previousHistogram[bin]) }
            histogramChange = distance / 2
        }
        previousY = gridY
        previousU = gridU
        previousV = gridV
        previousHistogram = histogram
        return FrameSignals(time: time, mean: Float(mean), spread: Float(spread), motion: motion,
                            histogramChange: histogramChange, blockChange: blockChange,
                            sharpness: Float(laplacianEnergy / Double(max(1, laplacianSamples))))
    }
}
/// How a plane's samples are stored: 8-bit bytes, or little-endian 16-bit
/// words holding 9-16 significant bits, of which the top 8 are read.
struct SampleLayout {
    var bytes: Int
    var shift: Int

    /// The 8-bit value of sample `x` of the row at `row`.
    @inline(__always)
    func value(_ row: UnsafeMutablePointer<UInt8>, _ x: Int) -> Int {
        if bytes == 1 { return Int(row[x]) }
        let word = UnsafeRawPointer(row).loadUnaligned(fromByteOffset: 2 * x, as: UInt16.self)
        return min(255, Int(UInt16(littleEndian: word)) >> shift)
    }
}
