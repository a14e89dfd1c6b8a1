import Foundation

/// Makes glibc map every allocation of a given size or more on its own, so that
/// freeing it gives the memory back. By default the threshold grows with each large
/// block freed, and big buffers then stay in the heap after their owner is gone,
/// under whatever comes next (OpenCV, for the person check). The lowest size asked
/// for wins. Found at run time: not every C library has mallopt, and Swift's Glibc
/// module leaves it out.
enum MappedAllocations {
    private typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    private static let mallopt: Mallopt? = {
        guard let program = dlopen(nil, RTLD_NOW), let symbol = dlsym(program, "mallopt") else { return nil }
        return unsafeBitCast(symbol, to: Mallopt.self)
    }()
    private static let lock = NSLock()
    nonisolated(unsafe) private static var threshold = Int32.max

    /// Allocations of `bytes` or more are mapped from now on (unless smaller ones already are).
    static func from(_ bytes: Int32) {
        lock.lock()
        defer { lock.unlock() }
        // M_MMAP_THRESHOLD (-3): also switches off the growing threshold.
        guard bytes < threshold, let mallopt, mallopt(-3, bytes) == 1 else { return }
        threshold = bytes
    }
}
